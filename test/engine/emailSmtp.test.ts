// A sequence's email steps through an SMTP account to a real SMTP server on loopback: what arrives
// is parsed and DKIM-verified; pre-send recipient checks skip bad leads; the tracking pixel, click
// redirect and one-click unsubscribe act on the enrollment.
import { dkimVerify } from 'mailauth';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import { signToken } from '../../src/core/tracking.ts';
import { startSmtpServer, type LocalSmtp } from '../channels/support/smtpServer.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import {
  dkimKeys,
  emailSequence,
  emailWorld,
  smtpAccount,
  POSTAL,
  PUBLIC_URL,
  startDnsServer,
  TRACKING_URL,
  zone,
} from './emailSupport.ts';

/** A header's raw value (mailparser turns List-* headers into objects). */
function rawHeader(mail: ParsedMail | undefined, name: string): string {
  const line = mail?.headerLines.find((h) => h.key === name)?.line ?? '';
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

let smtp: LocalSmtp;
let dns: LocalDns;
beforeAll(async () => {
  smtp = await startSmtpServer({ users: { 'sam@acme.example': 'app-password' } });
  dns = await startDnsServer(zone());
});
afterAll(async () => {
  closeSmtpTransports();
  await smtp.close();
  await dns.close();
});

/** The account on the local SMTP server, DKIM-signing as qh1._domainkey.acme.example. */
const smtpSender = () =>
  smtpAccount(smtp, {
    mailbox: { port: 1143, user: 'sam@acme.example', pass: 'app-password' },
    dkim: { domainName: 'acme.example', keySelector: 'qh1', privateKey: dkimKeys.privateKey },
  });

describe('email through an SMTP account', () => {
  it('sends threaded, signed, unsubscribable, tracked email and skips leads that cannot receive it', async () => {
    const w = await emailWorld(dns);
    const sender = await w.ok('POST', '/v1/senders', smtpSender());
    expect(JSON.stringify(sender)).not.toContain('app-password');
    const [dana, bad, disposable, nomail, noEmail] = await w.contacts([
      { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
      { email: 'lee@missing-domain.example', firstName: 'Lee', company: 'Hooli', timezone: 'UTC' },
      { email: 'kim@mailinator.com', firstName: 'Kim', company: 'Temp', timezone: 'UTC' },
      { email: 'ray@nomail.example', firstName: 'Ray', company: 'Nomail', timezone: 'UTC' },
      { phone: '+14155550123', firstName: 'Noa', company: 'Phoneonly', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(emailSequence(2));
    const ids = [dana, bad, disposable, nomail, noEmail] as string[];
    const { enrolled, skipped } = await w.enroll(sequenceId, ids);
    expect(enrolled.length + skipped.length).toBe(5);
    const before = smtp.messages.length;
    await w.engine.tick();

    // Only Dana gets mail: two messages, the second in the first one's thread.
    const received = smtp.messages.slice(before);
    expect(received.map((m) => m.to)).toEqual([['dana@globex.example'], ['dana@globex.example']]);
    const [first, second] = await Promise.all(received.map((m) => simpleParser(m.raw)));
    const rows = await w.row<{ id: string; step: number; rfc: string; subject: string }>(
      `SELECT id, step, rfc_message_id AS rfc, subject FROM messages WHERE contact_id = $1 ORDER BY step`,
      [dana],
    );
    expect(rows.map((r) => r.rfc)).toEqual(rows.map((r) => `<${r.id}@acme.example>`));
    expect(first?.messageId).toBe(rows[0]?.rfc);
    expect(second?.messageId).toBe(rows[1]?.rfc);
    expect(second?.inReplyTo).toBe(rows[0]?.rfc);
    expect(second?.references).toEqual(rows[0]?.rfc);
    expect(second?.subject).toBe(`Re: ${first?.subject}`);
    expect(rows[1]?.subject).toBe(second?.subject);
    for (const mail of [first, second]) {
      const unsubscribe = rawHeader(mail, 'list-unsubscribe');
      expect(unsubscribe).toMatch(
        new RegExp(`^<${PUBLIC_URL}/u/[^>]+>, <mailto:sam@acme.example\\?subject=unsubscribe>$`),
      );
      expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(mail?.text).toContain(POSTAL);
      expect(String(mail?.html)).toContain(`${TRACKING_URL}/t/o/`);
      expect(mail?.from?.text).toBe('"Sam Rivera" <sam@acme.example>');
    }
    const dkim = await dkimVerify(received[0]?.raw ?? Buffer.alloc(0), {
      resolver: async (name: string, type: string) => (type === 'TXT' ? dns.resolver.resolveTxt(name) : []),
    });
    expect(dkim.results.map((r) => [r.signingDomain, r.status.result])).toEqual([['acme.example', 'pass']]);

    // Every other lead is skipped with its reason; the one without email never reached email.
    const reasons = async (id: string) =>
      (await w.timeline(id)).filter((t) => t.type === 'skipped').map((t) => t.summary);
    expect((await reasons(bad as string)).join()).toMatch(/missing-domain\.example does not exist/);
    expect((await reasons(disposable as string)).join()).toMatch(/Disposable email domain: mailinator\.com/);
    expect((await reasons(nomail as string)).join()).toMatch(/accepts no email \(null MX\)/);
    const sentTo = (await w.messages('&status=sent')).map((m) => m.contactId);
    expect(sentTo.filter((id) => id !== dana)).toEqual([]);

    // The pixel: a privacy proxy's fetch is stored as machine traffic and counts for nothing.
    const pixel = /\/t\/o\/([^"]+)"/.exec(String(first?.html))?.[1] as string;
    const proxy = await w.app.inject({
      method: 'GET',
      url: `/t/o/${pixel}`,
      headers: { 'user-agent': 'Mozilla/5.0 (via ggpht.com GoogleImageProxy)' },
    });
    expect(proxy.statusCode).toBe(200);
    expect(proxy.headers['content-type']).toBe('image/gif');
    const opened = async () =>
      (
        await w.row<{ openedAt: Date | null; clickedAt: Date | null }>(
          'SELECT opened_at AS "openedAt", clicked_at AS "clickedAt" FROM messages WHERE id = $1',
          [rows[0]?.id],
        )
      )[0];
    expect((await opened())?.openedAt).toBeNull();
    const browser =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    w.clock.advance(120_000);
    await w.app.inject({ method: 'GET', url: `/t/o/${pixel}`, headers: { 'user-agent': browser } });
    await w.app.inject({ method: 'GET', url: `/t/o/${pixel}`, headers: { 'user-agent': browser } });
    expect((await opened())?.openedAt).not.toBeNull();
    const events = await w.row<{ type: string; machine: boolean }>(
      'SELECT event_type AS type, machine FROM message_events WHERE message_id = $1 AND event_type = $2 ORDER BY created_at',
      [rows[0]?.id, 'opened'],
    );
    expect(events).toEqual([
      { type: 'opened', machine: true },
      { type: 'opened', machine: false },
      { type: 'opened', machine: false },
    ]);

    // A click redirects only to the URL sealed in its token; a tampered token is refused.
    const secret = w.engine.deps.links.trackingSecret;
    const click = signToken(secret, {
      kind: 'click',
      messageId: rows[0]?.id as string,
      url: 'https://acme.example/case-study',
    });
    const redirected = await w.app.inject({ method: 'GET', url: `/t/c/${click}`, headers: { 'user-agent': browser } });
    expect(redirected.statusCode).toBe(302);
    expect(redirected.headers.location).toBe('https://acme.example/case-study');
    expect((await opened())?.clickedAt).not.toBeNull();
    const forged = signToken('another-secret', {
      kind: 'click',
      messageId: rows[0]?.id as string,
      url: 'https://evil.example',
    });
    expect((await w.app.inject({ method: 'GET', url: `/t/c/${forged}` })).statusCode).toBe(404);
    expect((await w.app.inject({ method: 'GET', url: `/t/c/${click.slice(0, -2)}xx` })).statusCode).toBe(404);

    // One-click unsubscribe (RFC 8058): no auth, answers 200, idempotent; the enrollment stops.
    const unsubscribeUrl = /<(https:[^>]+)>/.exec(rawHeader(first, 'list-unsubscribe'))?.[1] as string;
    const path = new URL(unsubscribeUrl).pathname;
    const page = await w.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    for (let i = 0; i < 2; i++) {
      const res = await w.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(res.statusCode).toBe(200);
    }
    const contact = await w.ok('GET', `/v1/contacts/${dana}`);
    expect(contact.status).toBe('unsubscribed');
    const timeline = await w.timeline(dana as string);
    expect(timeline.filter((t) => t.type === 'unsubscribed')).toHaveLength(1);
    const suppressions = await w.row<{ channel: string }>('SELECT channel FROM suppressions WHERE workspace_id = $1', [
      w.workspaceId,
    ]);
    expect(suppressions.map((s) => s.channel)).toEqual(['email']);
    expect((await w.app.inject({ method: 'POST', url: '/u/not-a-token', payload: '' })).statusCode).toBe(404);
  });

  it('sends a plain-text first touch with nothing tracked when the sequence asks for it', async () => {
    const w = await emailWorld(dns);
    await w.ok('POST', '/v1/senders', smtpSender());
    const [id] = await w.contacts([
      { email: 'pat@initech.example', firstName: 'Pat', company: 'Initech', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(emailSequence(2, { plainTextFirstTouch: true }));
    await w.enroll(sequenceId, [id as string]);
    const before = smtp.messages.length;
    await w.engine.tick();
    const [first, second] = await Promise.all(smtp.messages.slice(before).map((m) => simpleParser(m.raw)));
    expect(first?.html).toBe(false);
    expect(first?.text).toContain(POSTAL);
    expect(rawHeader(first, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(String(second?.html)).toContain('/t/o/');
  });

  it('defers email until the workspace has a postal address (CAN-SPAM footer)', async () => {
    const w = await emailWorld(dns);
    await w.ok('PATCH', '/v1/workspace', { postalAddress: null });
    await w.ok('POST', '/v1/senders', smtpSender());
    const [id] = await w.contacts([
      { email: 'max@globex.example', firstName: 'Max', company: 'Globex', timezone: 'UTC' },
    ]);
    await w.enroll(await w.sequence(emailSequence(1)), [id as string]);
    const before = smtp.messages.length;
    await w.engine.tick();
    expect(smtp.messages.length).toBe(before);
    const deferred = (await w.timeline(id as string)).find((t) => t.type === 'deferred');
    expect(deferred?.summary).toMatch(/postal address/);
  });
});
