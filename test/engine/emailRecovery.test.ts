// Never twice with a Gmail account: a worker called Gmail for an email step and hung (as good as
// dead) before recording the outcome. Once its lease is over another run reconciles: it searches the
// mailbox for our Message-ID; finding it records the send, not finding it proves nothing (Gmail may
// not keep a client-set Message-ID), so the message is marked unknown and never sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeGmail } from '../fakes/gmail.ts';
import {
  emailSequence,
  emailWorld,
  gmailCredentials,
  hangingAdapter,
  NO_CAPS,
  startDnsServer,
  zone,
} from './emailSupport.ts';

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

/** A Gmail account and one contact in a one-step sequence; step 0's worker hangs inside send. */
async function crashedGmailSend(reachGmail: boolean) {
  const hanging = hangingAdapter('gmail', { reach: reachGmail });
  const w = await emailWorld(dns, { leaseMs: LEASE, adapters: { gmail: hanging.adapter } });
  await w.ok('POST', '/v1/senders', {
    channel: 'email',
    provider: 'gmail',
    fromEmail: 'sam@acme.example',
    fromName: 'Sam Rivera',
    credentials: gmailCredentials(google, new Date(w.clock.now().getTime() + 86_400_000)),
    ...NO_CAPS,
  });
  const [contactId] = await w.contacts([
    { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(emailSequence(1));
  await w.enroll(sequenceId, [contactId as string]);
  const dead = w.engine.tick({ maxRuns: 1 });
  await hanging.called;
  const [message] = await w.messages(`&contactId=${contactId}`);
  expect(message).toMatchObject({ status: 'sending' });
  /** Lets the hung call end (as a failure) once the test is over; it must change nothing. */
  const bury = async () => {
    hanging.release({ ok: false, failure: { kind: 'provider_down', message: 'the worker died' } });
    await dead;
  };
  return { w, contactId: contactId as string, messageId: message?.id as string, hanging, bury };
}

const sentWith = (messageId: string) =>
  google.messages.filter((m) => m.labelIds.includes('SENT') && m.messageIdHeader === `<${messageId}@acme.example>`);

describe('Gmail: reconciling a send interrupted by a crash', () => {
  it('a message Gmail cannot find is marked unknown, not sent again', async () => {
    const { w, contactId, messageId, hanging, bury } = await crashedGmailSend(false);
    w.clock.advance(LEASE + 1000);
    await w.engine.tick();
    const [message] = await w.messages(`&contactId=${contactId}`);
    expect(message).toMatchObject({ id: messageId, status: 'unknown' });
    // It searched the mailbox for our Message-ID and did not send again.
    expect(google.requests.some((r) => r.method === 'GET' && r.path.endsWith('/messages'))).toBe(true);
    expect(hanging.calls()).toBe(1);
    expect(sentWith(messageId)).toHaveLength(0);
    const unknown = (await w.timeline(contactId)).find((t) => t.type === 'unknown');
    expect(unknown?.summary).toMatch(/not sent again/);
    // The dead worker's call ending late, and later ticks, change nothing.
    await bury();
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(hanging.calls()).toBe(1);
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'unknown' });
  });

  it('a message Gmail has (our Message-ID found) is recorded as sent with Gmail ids', async () => {
    const { w, contactId, messageId, hanging, bury } = await crashedGmailSend(true);
    const [inGmail] = sentWith(messageId);
    expect(inGmail).toBeDefined();
    w.clock.advance(LEASE + 1000);
    await w.engine.tick();
    const rows = await w.row<{ status: string; providerMessageId: string; providerThreadId: string }>(
      `SELECT status, provider_message_id AS "providerMessageId", provider_thread_id AS "providerThreadId"
         FROM messages WHERE id = $1`,
      [messageId],
    );
    expect(rows[0]).toEqual({ status: 'sent', providerMessageId: inGmail?.id, providerThreadId: inGmail?.threadId });
    await bury();
    expect(hanging.calls()).toBe(1);
    expect(sentWith(messageId)).toHaveLength(1);
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sent' });
  });
});
