// The SMTP adapter against a real SMTP server on loopback: what arrives is parsed with mailparser
// and its DKIM signature verified with mailauth against a key served by a local DNS server.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEmail, type BuildEmailInput } from '../../src/channels/email/buildEmail.ts';
import { smtpAdapter } from '../../src/channels/smtp/adapter.ts';
import type { SmtpCredentials } from '../../src/channels/smtp/credentials.ts';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import type { OutboundMessage } from '../../src/channels/types.ts';
import { verifyToken } from '../../src/core/tracking.ts';
import { startDnsServer, type LocalDns } from './support/dnsServer.ts';
import { startSmtpServer, type LocalSmtp } from './support/smtpServer.ts';

const SECRET = 'smtp-test-secret';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const dkimRecord = `v=DKIM1; k=rsa; p=${keys.publicKey.toString('base64')}`;

let smtp: LocalSmtp;
let dns: LocalDns;
let credentials: SmtpCredentials;

beforeAll(async () => {
  smtp = await startSmtpServer({ users: { 'sam@acme.io': 'app-password' } });
  dns = await startDnsServer({
    // TXT character-strings are at most 255 bytes: long keys are split, as DNS hosts do.
    'qh1._domainkey.acme.io': { TXT: [dkimRecord.match(/.{1,255}/g) ?? []] },
  });
  credentials = {
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    user: 'sam@acme.io',
    pass: 'app-password',
    allowSelfSigned: true,
    dkim: { domainName: 'acme.io', keySelector: 'qh1', privateKey: keys.privateKey },
  };
});
afterAll(async () => {
  closeSmtpTransports();
  await smtp.close();
  await dns.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
  smtp.recipientReplies.clear();
});

function compose(id: string, overrides: Partial<BuildEmailInput> = {}): OutboundMessage {
  const built = buildEmail({
    messageId: id,
    fromEmail: 'sam@acme.io',
    subject: 'Reporting at Globex',
    text: 'Hi Dana,\n\nSaw the launch: https://globex.com/news. Worth a chat?\n\nSam',
    postalAddress: 'Acme Inc., 1 Main St, Springfield',
    links: { publicBaseUrl: 'https://app.quotahit.test', trackingBaseUrl: 'https://t.acme.io', secret: SECRET },
    tracking: true,
    ...overrides,
  });
  return {
    id,
    channel: 'email',
    purpose: 'intro',
    from: { email: 'sam@acme.io', name: 'Sam Rivera' },
    to: { email: 'dana@globex.com', name: 'Dana Scully' },
    subject: built.subject,
    text: built.text,
    html: built.html,
    headers: built.headers,
  };
}

/** A header as written on the wire, folded lines joined. */
function headerLine(parsed: ParsedMail, key: string): string | undefined {
  return parsed.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, ' ');
}

const send = (message: OutboundMessage, creds: SmtpCredentials = credentials) => smtpAdapter.send(message, creds, {});

describe('smtp adapter', () => {
  it('delivers a tracked, DKIM-signed message with one-click unsubscribe and a footer', async () => {
    const result = await send(compose('0190a1b2-0001'));
    expect(result).toEqual({ ok: true, value: { providerMessageId: '<0190a1b2-0001@acme.io>' } });
    expect(smtp.messages).toHaveLength(1);
    const received = smtp.messages[0]!;
    expect(received.to).toEqual(['dana@globex.com']);

    const parsed = await simpleParser(received.raw);
    expect(parsed.messageId).toBe('<0190a1b2-0001@acme.io>');
    expect(parsed.subject).toBe('Reporting at Globex');
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(headerLine(parsed, 'list-unsubscribe')).toMatch(
      /^List-Unsubscribe: <https:\/\/app\.quotahit\.test\/u\/[\w-]+\.[\w-]+>, <mailto:sam@acme\.io\?subject=unsubscribe>$/,
    );
    expect(parsed.text).toContain('Acme Inc., 1 Main St, Springfield');
    expect(parsed.text).toContain('Unsubscribe: https://app.quotahit.test/u/');

    const html = String(parsed.html);
    const clicks = [...html.matchAll(/href="https:\/\/t\.acme\.io\/t\/c\/([^"]+)"/g)].map((m) => m[1]!);
    expect(clicks).toHaveLength(1);
    expect(verifyToken(SECRET, clicks[0]!)).toEqual({
      kind: 'click',
      messageId: '0190a1b2-0001',
      url: 'https://globex.com/news',
    });
    const pixel = /src="https:\/\/t\.acme\.io\/t\/o\/([^"]+)"/.exec(html)?.[1];
    expect(verifyToken(SECRET, pixel ?? '')).toEqual({ kind: 'open', messageId: '0190a1b2-0001' });

    const dkim = await dkimVerify(received.raw, {
      resolver: async (name, type) => (type === 'TXT' ? dns.resolver.resolveTxt(name) : []),
    });
    expect(dkim.results.map((r) => [r.signingDomain, r.selector, r.status.result])).toEqual([
      ['acme.io', 'qh1', 'pass'],
    ]);
  });

  it('threads a follow-up under the first message', async () => {
    const first = compose('0190a1b2-0002');
    await send(first);
    const followUp = compose('0190a1b2-0003', {
      text: 'Hi Dana, bumping this in case it got buried.',
      thread: { messageIdHeader: '<0190a1b2-0002@acme.io>', subject: 'Reporting at Globex' },
    });
    expect((await send(followUp)).ok).toBe(true);
    const parsed = await simpleParser(smtp.messages[1]!.raw);
    expect(parsed.subject).toBe('Re: Reporting at Globex');
    expect(parsed.inReplyTo).toBe('<0190a1b2-0002@acme.io>');
    expect(parsed.references).toBe('<0190a1b2-0002@acme.io>');
    expect(parsed.messageId).toBe('<0190a1b2-0003@acme.io>');
  });

  it('sends a plain-text-only first touch with nothing tracked', async () => {
    await send(compose('0190a1b2-0004', { plainTextOnly: true, tracking: false }));
    const parsed = await simpleParser(smtp.messages[0]!.raw);
    expect(parsed.html).toBe(false);
    expect(parsed.text).toContain('https://globex.com/news');
    expect(smtp.messages[0]!.raw.toString()).not.toContain('/t/c/');
    expect(headerLine(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('reuses one pooled connection per set of credentials', async () => {
    closeSmtpTransports();
    const before = { connections: smtp.connections, logins: smtp.authAttempts };
    await send(compose('0190a1b2-0005'));
    await send(compose('0190a1b2-0006'));
    expect(smtp.connections - before.connections).toBe(1);
    expect(smtp.authAttempts - before.logins).toBe(1);
  });

  it('reports a refused login as auth_expired with the server reply', async () => {
    const result = await send(compose('0190a1b2-0007'), { ...credentials, pass: 'wrong' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.kind).toBe('auth_expired');
    expect(result.failure.message).toMatch(/^SMTP login failed for sam@acme\.io: .*535/);
    expect(smtp.messages).toHaveLength(0);
  });

  it.each([
    { code: 450, text: '4.2.1 Mailbox busy, try later', kind: 'temporary' },
    { code: 451, text: '4.7.1 Greylisted, come back in 5 minutes', kind: 'temporary' },
    { code: 550, text: '5.1.1 <dana@globex.com>: Recipient address rejected: User unknown', kind: 'invalid_recipient' },
    { code: 553, text: 'Mailbox name not allowed', kind: 'invalid_recipient' },
    { code: 550, text: '5.7.1 Message rejected as spam', kind: 'rejected' },
    { code: 552, text: '5.2.2 Mailbox full', kind: 'rejected' },
  ])('maps RCPT $code $text to $kind', async ({ code, text, kind }) => {
    smtp.recipientReplies.set('dana@globex.com', { code, text });
    const result = await send(compose('0190a1b2-0010'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.kind).toBe(kind);
    expect(result.failure.message).toContain(String(code));
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports an unreachable server as provider_down', async () => {
    const result = await send(compose('0190a1b2-0011'), { ...credentials, port: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.kind).toBe('provider_down');
  });

  it('skips a message without a valid recipient address', async () => {
    const message = { ...compose('0190a1b2-0012'), to: { email: 'not-an-address' } };
    expect(await send(message)).toEqual({
      ok: false,
      failure: { kind: 'invalid_recipient', message: 'Invalid email address' },
    });
  });

  it('cannot look a message up without an IMAP mailbox to search (docs/email.md, crash recovery)', async () => {
    expect(await smtpAdapter.lookup('0190a1b2-0001', credentials, {})).toEqual({
      unsupported: true,
      reason: 'no IMAP mailbox is configured to look in',
    });
  });
});
