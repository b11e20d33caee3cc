// Never twice with a Gmail account: a worker reserved an email step and died before recording the
// outcome. Reconciliation searches the mailbox for our Message-ID; finding it records the send,
// not finding it proves nothing (Gmail may not keep a client-set Message-ID), so the message is
// marked unknown and never sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveStep, type AfterCommit } from '../../src/engine/reserveStep.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeGmail } from '../fakes/gmail.ts';
import { emailSequence, emailWorld, NO_CAPS, startDnsServer, zone } from './emailSupport.ts';

const LEASE = 120_000;

let dns: LocalDns;
let google: FakeGmail;
beforeAll(async () => {
  dns = await startDnsServer(zone());
  google = await new FakeGmail('sam@acme.example').start();
});
afterAll(async () => {
  await dns.close();
  await google.close();
});

/** A Gmail account, one contact enrolled in a one-step sequence, and step 0 reserved by a worker that then died. */
async function crashedGmailReservation() {
  const w = await emailWorld(dns, { leaseMs: LEASE });
  const tokens = google.connect();
  await w.ok('POST', '/v1/senders', {
    channel: 'email',
    provider: 'gmail',
    fromEmail: 'sam@acme.example',
    credentials: {
      ...tokens,
      expiresAt: new Date(w.clock.now().getTime() + 86_400_000).toISOString(),
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      apiBaseUrl: google.url,
      tokenUrl: `${google.url}/token`,
      emailAddress: 'sam@acme.example',
    },
    ...NO_CAPS,
  });
  const [contactId] = await w.contacts([
    { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(emailSequence(1));
  const { enrolled } = await w.enroll(sequenceId, [contactId as string]);
  const after: AfterCommit = [];
  const reserved = await w.engine.deps.db.tenant(w.workspaceId, (sql) =>
    reserveStep(sql, w.engine.deps, { enrollmentId: enrolled[0]?.enrollmentId as string, now: w.clock.now(), after }),
  );
  if (reserved.kind !== 'deliver') throw new Error(`expected a reservation, got ${reserved.kind}`);
  return { w, contactId: contactId as string, messageId: reserved.message.id, accessToken: tokens.accessToken };
}

const sentWith = (messageId: string) =>
  google.messages.filter((m) => m.labelIds.includes('SENT') && m.messageIdHeader === `<${messageId}@acme.example>`);

describe('Gmail: reconciling a send interrupted by a crash', () => {
  it('a message Gmail cannot find is marked unknown, not sent again', async () => {
    const { w, contactId, messageId } = await crashedGmailReservation();
    const sends = google.requests.filter((r) => r.path.endsWith('/messages/send')).length;
    w.clock.advance(LEASE + 1000);
    await w.engine.tick();
    const [message] = await w.messages(`&contactId=${contactId}`);
    expect(message).toMatchObject({ id: messageId, status: 'unknown' });
    // It searched for our Message-ID and did not call send.
    expect(google.requests.some((r) => r.path.endsWith('/messages') && r.method === 'GET')).toBe(true);
    expect(google.requests.filter((r) => r.path.endsWith('/messages/send')).length).toBe(sends);
    expect(sentWith(messageId)).toHaveLength(0);
    const unknown = (await w.timeline(contactId)).find((t) => t.type === 'unknown');
    expect(unknown?.summary).toMatch(/not sent again/);
    // Later ticks leave it alone.
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(sentWith(messageId)).toHaveLength(0);
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'unknown' });
  });

  it('a message Gmail has (our Message-ID found) is recorded as sent with Gmail ids', async () => {
    const { w, contactId, messageId, accessToken } = await crashedGmailReservation();
    // The worker reached Gmail before it died: the message is in the mailbox under our Message-ID.
    const raw = [
      'From: sam@acme.example',
      'To: dana@globex.example',
      'Subject: hello',
      `Message-ID: <${messageId}@acme.example>`,
      '',
      'Hi Dana',
      '',
    ].join('\r\n');
    const res = await fetch(`${google.url}/gmail/v1/users/me/messages/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ raw: Buffer.from(raw).toString('base64url') }),
    });
    expect(res.status).toBe(200);
    const [inGmail] = sentWith(messageId);
    w.clock.advance(LEASE + 1000);
    await w.engine.tick();
    const rows = await w.row<{ status: string; providerMessageId: string; providerThreadId: string }>(
      `SELECT status, provider_message_id AS "providerMessageId", provider_thread_id AS "providerThreadId"
         FROM messages WHERE id = $1`,
      [messageId],
    );
    expect(rows[0]).toEqual({ status: 'sent', providerMessageId: inGmail?.id, providerThreadId: inGmail?.threadId });
    expect(sentWith(messageId)).toHaveLength(1);
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sent' });
  });
});
