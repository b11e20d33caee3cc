import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildEmail, replySubject, type BuildEmailInput } from '../../src/channels/email/buildEmail.ts';
import { toMime } from '../../src/channels/email/mime.ts';
import { verifyToken } from '../../src/core/tracking.ts';

const input: BuildEmailInput = {
  messageId: 'msg-1',
  fromEmail: 'Sam@Acme.IO',
  subject: 'Reporting at Globex',
  text: 'Hi Dana,\r\n\r\nSaw https://globex.com/news, and (https://globex.com/q?a=1&b=2).\nLine two <b>not bold</b>\n\n\nSam',
  postalAddress: 'Acme Inc.\n1 Main St, Springfield',
  links: { publicBaseUrl: 'https://app.test/', trackingBaseUrl: 'https://t.acme.io/', secret: 'k' },
  tracking: true,
};

describe('buildEmail', () => {
  it('is deterministic and sets identity and unsubscribe headers', () => {
    const built = buildEmail(input);
    expect(buildEmail(input)).toEqual(built);
    expect(built.messageIdHeader).toBe('<msg-1@acme.io>');
    expect(built.headers['Message-ID']).toBe('<msg-1@acme.io>');
    expect(built.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const [https, mailto] = built.headers['List-Unsubscribe']!.split(', ');
    expect(mailto).toBe('<mailto:Sam@Acme.IO?subject=unsubscribe>');
    const token = /^<https:\/\/app\.test\/u\/(.+)>$/.exec(https ?? '')?.[1];
    expect(verifyToken('k', token ?? '')).toEqual({ kind: 'unsubscribe', messageId: 'msg-1' });
    expect(built.headers['In-Reply-To']).toBeUndefined();
  });

  it('derives escaped HTML paragraphs with tracked links, footer and pixel', () => {
    const { html, text } = buildEmail(input);
    expect(text).toMatch(/^Hi Dana,\n\nSaw https:\/\/globex\.com\/news,/);
    expect(text).toMatch(/\n-- \nAcme Inc\.\n1 Main St, Springfield\nUnsubscribe: https:\/\/app\.test\/u\/\S+\n$/);
    expect(html).toContain('<p>Hi Dana,</p>');
    expect(html).toContain('Line two &lt;b&gt;not bold&lt;/b&gt;');
    expect(html).toContain('Acme Inc.<br>1 Main St, Springfield');
    const links = [...(html ?? '').matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links.map(([, label]) => label)).toEqual([
      'https://globex.com/news',
      'https://globex.com/q?a=1&amp;b=2',
      'Unsubscribe',
    ]);
    const tracked = links
      .slice(0, 2)
      .map(([href]) => verifyToken('k', (href ?? '').replace('https://t.acme.io/t/c/', '')));
    expect(tracked).toEqual([
      { kind: 'click', messageId: 'msg-1', url: 'https://globex.com/news' },
      { kind: 'click', messageId: 'msg-1', url: 'https://globex.com/q?a=1&b=2' },
    ]);
    // The unsubscribe link is never rewritten through the click tracker.
    expect(links[2]?.[0]).toMatch(/^https:\/\/app\.test\/u\//);
    expect(html).toMatch(/<img src="https:\/\/t\.acme\.io\/t\/o\/[\w-]+\.[\w-]+" width="1" height="1"/);
  });

  it('leaves links alone and adds no pixel with tracking off', () => {
    const { html } = buildEmail({ ...input, tracking: false });
    expect(html).toContain('<a href="https://globex.com/news">');
    expect(html).not.toContain('/t/');
  });

  it('sends a plain-text-only first touch without an HTML part', () => {
    const built = buildEmail({ ...input, plainTextOnly: true, tracking: false });
    expect(built.html).toBeUndefined();
    expect(built.text).toContain('Unsubscribe: https://app.test/u/');
  });

  it('threads a follow-up and keeps the reference chain', () => {
    const built = buildEmail({
      ...input,
      messageId: 'msg-3',
      thread: {
        messageIdHeader: '<msg-2@acme.io>',
        subject: 'Re: Reporting at Globex',
        references: ['<msg-1@acme.io>', '<msg-2@acme.io>'],
      },
    });
    expect(built.subject).toBe('Re: Reporting at Globex');
    expect(built.headers['In-Reply-To']).toBe('<msg-2@acme.io>');
    expect(built.headers['References']).toBe('<msg-1@acme.io> <msg-2@acme.io>');
  });

  it.each([
    ['Hello', 'Re: Hello'],
    ['Re: Hello', 'Re: Hello'],
    ['RE: re:Hello', 'Re: Hello'],
    ['Fwd: Hello', 'Re: Hello'],
    ['AW: Hello', 'Re: Hello'],
  ])('reply subject of %j is %j', (original, expected) => {
    expect(replySubject(original)).toBe(expected);
  });
});

describe('toMime', () => {
  it('writes multipart/alternative with our Message-ID and thread headers once', async () => {
    const built = buildEmail({
      ...input,
      thread: { messageIdHeader: '<msg-0@acme.io>', subject: 'Reporting at Globex' },
    });
    const raw = await toMime(built, { email: 'sam@acme.io', name: 'Sam Rivera' }, { email: 'dana@globex.com' });
    const text = raw.toString('utf8');
    expect(text.match(/^Message-ID:/gim)).toHaveLength(1);
    expect(text.match(/^In-Reply-To:/gim)).toHaveLength(1);
    expect(text).toContain('\r\n');
    const parsed = await simpleParser(raw);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(parsed.messageId).toBe('<msg-1@acme.io>');
    expect(parsed.inReplyTo).toBe('<msg-0@acme.io>');
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Sam Rivera', address: 'sam@acme.io' });
  });
});
