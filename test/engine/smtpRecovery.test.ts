// Never twice, never lost, with an SMTP account: a worker handed a message to the SMTP server (or was
// about to) and died before recording it. Once its lease is over another run reconciles by reading
// the account's Sent folder over IMAP (a real Dovecot on loopback) for our Message-ID:
// - there → recorded as sent, not sent again;
// - not there, but an earlier message of the account is (the server files what it sends) → it
//   never left: sent now, once;
// - not there and nothing of ours is (a server that files nothing), or no mailbox → unknown,
//   never sent again.
// The SMTP server is a real one on loopback (smtp-server) that, like Gmail or Microsoft 365, files a
// copy of each message it accepts in the Sent folder, when the test says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { DOVECOT, startDovecot, type LocalImap } from '../channels/support/dovecot.ts';
import { startSmtpServer, type LocalSmtp } from '../channels/support/smtpServer.ts';
import { emailSequence, emailWorld, hangingAdapter, smtpAccount, startDnsServer, zone } from './emailSupport.ts';

const LEASE = 120_000;
const runnable = DOVECOT !== undefined || process.env.CI === 'true';
if (!runnable) console.warn('[smtpRecovery] skipped: dovecot is not installed (apt-get install dovecot-imapd)');

describe.skipIf(!runnable)('SMTP: reconciling a send interrupted by a crash (Sent folder over IMAP)', () => {
  let dns: LocalDns;
  let imap: LocalImap;
  let smtp: LocalSmtp;
  /** Whether the SMTP server files a copy of what it accepts in the Sent folder. */
  let filing = true;
  beforeAll(async () => {
    dns = await startDnsServer(zone());
    imap = await startDovecot('sam@acme.example', 'imap-password');
    smtp = await startSmtpServer({
      users: { 'sam@acme.example': 'app-password' },
      onAccepted: async (mail) => {
        if (filing) await imap.fileSent(mail.raw);
      },
    });
  });
  afterAll(async () => {
    closeSmtpTransports();
    await smtp?.close();
    await imap?.close();
    await dns?.close();
  });

  const delivered = (to: string) => smtp.messages.filter((m) => m.to.includes(to));

  /**
   * An SMTP account (with its mailbox unless `mailbox` is false); each contact in `before` is sent
   * its one-step sequence normally first, then `dana`'s send hangs inside the adapter.
   */
  async function crashedSmtpSend(input: { reach: boolean; before?: string[]; mailbox?: boolean }) {
    const before = input.before ?? [];
    const hanging = hangingAdapter('smtp', { reach: input.reach, hangOn: before.length + 1 });
    const w = await emailWorld(dns, { leaseMs: LEASE, adapters: { smtp: hanging.adapter } });
    await w.ok('POST', '/v1/senders', smtpAccount(smtp, input.mailbox === false ? {} : { mailbox: imap }));
    const sequenceId = await w.sequence(emailSequence(1));
    for (const email of before) {
      const [earlier] = await w.contactsByEmail([{ email, firstName: 'Lee', company: 'Initech', timezone: 'UTC' }]);
      await w.enroll(sequenceId, [earlier as string]);
      await w.engine.tick();
      expect((await w.messages(`&contactId=${earlier}`))[0]).toMatchObject({ status: 'sent' });
    }
    const dana = `dana.${before.length}.${Date.now()}@globex.example`;
    const [contactId] = await w.contactsByEmail([
      { email: dana, firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
    ]);
    await w.enroll(sequenceId, [contactId as string]);
    const dead = w.engine.tick({ maxRuns: 1 });
    await hanging.called;
    const [message] = await w.messages(`&contactId=${contactId}`);
    expect(message).toMatchObject({ status: 'sending' });
    const [row] = await w.row<{ rfc: string }>('SELECT rfc_message_id AS rfc FROM messages WHERE id = $1', [
      message?.id,
    ]);
    /** Lets the hung call end (as a failure) once the test is over; it must change nothing. */
    const bury = async () => {
      hanging.release({ ok: false, failure: { kind: 'provider_down', message: 'the worker died' } });
      await dead;
    };
    const recover = async () => {
      w.clock.advance(LEASE + 1000);
      await w.engine.tick();
      return (await w.messages(`&contactId=${contactId}`))[0];
    };
    return { w, dana, contactId: contactId as string, rfc: row?.rfc as string, hanging, bury, recover };
  }

  it('a message the server took and filed in Sent is recorded as sent, not sent again', async () => {
    filing = true;
    const { w, dana, contactId, rfc, hanging, bury, recover } = await crashedSmtpSend({ reach: true });
    expect(delivered(dana)).toHaveLength(1);
    const message = await recover();
    expect(message).toMatchObject({ status: 'sent' });
    const [row] = await w.row<{ provider: string }>(
      'SELECT provider_message_id AS provider FROM messages WHERE id = $1',
      [message?.id],
    );
    expect(row?.provider).toBe(rfc);
    await bury();
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(hanging.calls()).toBe(1);
    expect(delivered(dana)).toHaveLength(1);
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sent' });
  });

  it('not in Sent where an earlier message of the account is: it never left, and goes out once now', async () => {
    filing = true;
    const { w, dana, contactId, rfc, hanging, bury, recover } = await crashedSmtpSend({
      reach: false,
      before: [`lee.${Date.now()}@initech.example`],
    });
    expect(delivered(dana)).toHaveLength(0);
    const message = await recover();
    expect(message).toMatchObject({ status: 'sent' });
    expect(hanging.calls()).toBe(3);
    const mails = delivered(dana);
    expect(mails).toHaveLength(1);
    // The same message: its Message-ID is the one stored before the first attempt.
    expect(mails[0]?.raw.toString()).toContain(`Message-ID: ${rfc}`);
    await bury();
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(delivered(dana)).toHaveLength(1);
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sent' });
  });

  it('a server that files nothing in Sent proves nothing: unknown, never sent twice', async () => {
    filing = false;
    try {
      const { w, dana, contactId, hanging, bury, recover } = await crashedSmtpSend({
        reach: true,
        before: [`lee.${Date.now()}@initech.example`],
      });
      expect(delivered(dana)).toHaveLength(1);
      const message = await recover();
      expect(message).toMatchObject({ status: 'unknown' });
      const unknown = (await w.timeline(contactId)).find((t) => t.type === 'unknown');
      expect(unknown?.summary).toMatch(/not in Sent, and no earlier message of this account is.*not sent again/);
      await bury();
      w.clock.advance(86_400_000);
      await w.engine.tick();
      expect(hanging.calls()).toBe(2);
      expect(delivered(dana)).toHaveLength(1);
    } finally {
      filing = true;
    }
  });

  it('the lookup reads a named Sent folder, and says why when the mailbox cannot be read', async () => {
    const smtpAdapter = defaultAdapters().smtp;
    const rfc = `<lookup.${Date.now()}@acme.example>`;
    await imap.fileSent(`From: sam@acme.example\nTo: x@globex.example\nSubject: Hi\nMessage-ID: ${rfc}\n\nHello\n`);
    const credentials = (imapPart: Record<string, unknown>) => ({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      user: 'sam@acme.example',
      pass: 'app-password',
      imap: { host: '127.0.0.1', port: imap.port, secure: false, user: imap.user, pass: imap.pass, ...imapPart },
    });
    expect(await smtpAdapter.lookup('id', credentials({ sentMailbox: 'Sent' }), { rfcMessageId: rfc })).toEqual({
      found: true,
      value: { providerMessageId: rfc },
    });
    // A Message-ID that holds ours inside it is not ours (IMAP SEARCH matches substrings).
    const inner = `<${rfc.slice(4)}`;
    expect(await smtpAdapter.lookup('id', credentials({}), { rfcMessageId: inner, sentEarlier: [rfc] })).toEqual({
      found: false,
    });
    const down = await smtpAdapter.lookup('id', credentials({ port: 1 }), { rfcMessageId: rfc });
    expect(down).toMatchObject({ unsupported: true, reason: expect.stringMatching(/Sent folder could not be read/) });
    const nowhere = await smtpAdapter.lookup('id', credentials({ sentMailbox: 'Nowhere' }), { rfcMessageId: rfc });
    expect(nowhere).toMatchObject({ unsupported: true });
  });

  it('an account without a mailbox is marked unknown, as before, and says why', async () => {
    filing = true;
    const { w, dana, contactId, bury, recover } = await crashedSmtpSend({ reach: true, mailbox: false });
    const message = await recover();
    expect(message).toMatchObject({ status: 'unknown' });
    const unknown = (await w.timeline(contactId)).find((t) => t.type === 'unknown');
    expect(unknown?.summary).toMatch(/no IMAP mailbox is configured/);
    await bury();
    expect(delivered(dana)).toHaveLength(1);
  });
});
