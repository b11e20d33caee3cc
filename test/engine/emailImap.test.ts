// Replies, automatic replies and bounces read over IMAP from a real Dovecot on loopback, matched to
// the messages an SMTP account sent, and acted on: a reply stops, out-of-office pauses, a hard
// bounce suppresses. Skipped only when Dovecot is missing and CI is not set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { DOVECOT, startDovecot, type LocalImap } from '../channels/support/dovecot.ts';
import { startSmtpServer, type LocalSmtp } from '../channels/support/smtpServer.ts';
import { emailSequence, emailWorld, smtpAccount, startDnsServer, zone } from './emailSupport.ts';

const runnable = DOVECOT !== undefined || process.env.CI === 'true';
if (!runnable) console.warn('[emailImap] skipped: dovecot is not installed (apt-get install dovecot-imapd)');

describe.skipIf(!runnable)('replies over IMAP (Dovecot)', () => {
  let smtp: LocalSmtp;
  let dns: LocalDns;
  let imap: LocalImap;
  beforeAll(async () => {
    smtp = await startSmtpServer({ users: { 'sam@acme.example': 'app-password' } });
    dns = await startDnsServer(zone());
    imap = await startDovecot('sam@acme.example', 'imap-password');
  });
  afterAll(async () => {
    closeSmtpTransports();
    await smtp?.close();
    await dns?.close();
    await imap?.close();
  });

  it('stops on a reply, pauses on out-of-office, suppresses on a hard bounce', async () => {
    const w = await emailWorld(dns);
    await w.ok('POST', '/v1/senders', smtpAccount(smtp, { mailbox: imap }));
    const [ana, bo, cy] = await w.contacts([
      { email: 'ana@globex.example', firstName: 'Ana', company: 'Globex', timezone: 'UTC' },
      { email: 'bo@initech.example', firstName: 'Bo', company: 'Initech', timezone: 'UTC' },
      { email: 'cy@umbrella.example', firstName: 'Cy', company: 'Umbrella', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(emailSequence(3, {}, 5));
    await w.enroll(sequenceId, [ana, bo, cy] as string[]);
    await w.engine.tick();
    const rfc = async (contactId: string) =>
      (
        await w.row<{ rfc: string }>('SELECT rfc_message_id AS rfc FROM messages WHERE contact_id = $1 AND step = 0', [
          contactId,
        ])
      )[0]?.rfc as string;
    const [a, b, c] = [await rfc(ana as string), await rfc(bo as string), await rfc(cy as string)];
    expect([a, b, c].every((id) => /^<.+@acme\.example>$/.test(id))).toBe(true);

    await imap.deliver(
      `From: Ana <ana@globex.example>\nTo: sam@acme.example\nSubject: Re: hello\nMessage-ID: <r1@globex.example>\nIn-Reply-To: ${a}\nReferences: ${a}\n\nYes, let's talk next week.\n`,
    );
    await imap.deliver(
      `From: Bo <bo@initech.example>\nTo: sam@acme.example\nSubject: Out of office\nMessage-ID: <r2@initech.example>\nAuto-Submitted: auto-replied\nIn-Reply-To: ${b}\n\nI am out of the office until 2026-03-20 with limited access to email.\n`,
    );
    await imap.deliver(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.umbrella.example>',
        'To: sam@acme.example',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn1@mx.umbrella.example>',
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.umbrella.example',
        '',
        'Final-Recipient: rfc822; cy@umbrella.example',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
        '',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${c}`,
        'Subject: hello',
        '',
        '--b1--',
        '',
      ].join('\n'),
    );
    await w.engine.pollMailboxes();
    await w.engine.pollMailboxes(); // from the stored UID: nothing new, nothing repeated

    const state = async (contactId: string) =>
      (
        await w.row<{ status: string; stopReason: string | null; pauseReason: string | null }>(
          'SELECT status, stop_reason AS "stopReason", pause_reason AS "pauseReason" FROM enrollments WHERE contact_id = $1',
          [contactId],
        )
      )[0];
    expect(await state(ana as string)).toEqual({ status: 'stopped', stopReason: 'replied', pauseReason: null });
    expect(await state(bo as string)).toMatchObject({ status: 'paused', pauseReason: 'out_of_office' });
    expect(await state(cy as string)).toMatchObject({ status: 'stopped', stopReason: 'bounced' });
    const contacts = await w.row<{ id: string; status: string }>(
      'SELECT id, status FROM contacts WHERE workspace_id = $1',
      [w.workspaceId],
    );
    expect(contacts.find((x) => x.id === cy)?.status).toBe('bounced');
    const replied = (await w.timeline(ana as string)).filter((t) => t.type === 'replied');
    expect(replied).toHaveLength(1);
    expect(replied[0]?.summary).toContain("let's talk next week");
    const cursor = await w.row<{ cursor: { uid: number } }>(
      'SELECT inbound_cursor AS cursor FROM senders WHERE workspace_id = $1',
      [w.workspaceId],
    );
    expect(cursor[0]?.cursor.uid).toBe(3);
  });
});
