// A MAC is accepted only as the one text its bytes encode to: padding added or dropped, the other
// base64 alphabet, stray characters or different unused trailing bits all decode (leniently) to the
// same bytes, and every one of them is refused — tracking tokens and Resend (Svix) signatures alike.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySvix } from '../../src/channels/resend/webhook.ts';
import { decodeCanonical } from '../../src/core/canonicalBase64.ts';
import { signToken, verifyToken } from '../../src/core/tracking.ts';

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes spelled another way: the last character's unused low bits flipped. */
function otherTrailingBits(text: string, alphabet: string): string {
  const stripped = text.replace(/=+$/, '');
  const last = alphabet.indexOf(stripped.at(-1) ?? '');
  return `${stripped.slice(0, -1)}${alphabet[last ^ 1]}${text.slice(stripped.length)}`;
}

/** Other spellings of `mac` that Node's lenient decoder reads as the same bytes. */
function spellings(mac: string, encoding: 'base64' | 'base64url'): string[] {
  const alphabet = encoding === 'base64' ? STANDARD : URL_SAFE;
  const variants = [
    otherTrailingBits(mac, alphabet),
    // (A space separates Svix's signatures: there it is the list, not the MAC.)
    ...(encoding === 'base64url' ? [`${mac} `] : []),
    `${mac.slice(0, 10)}!${mac.slice(10)}`,
    `${mac.slice(0, 10)}\n${mac.slice(10)}`,
    encoding === 'base64' ? mac.replace(/=+$/, '') : `${mac}=`,
    encoding === 'base64' ? `${mac}=` : `${mac}==`,
    encoding === 'base64'
      ? mac.replaceAll('+', '-').replaceAll('/', '_')
      : mac.replaceAll('-', '+').replaceAll('_', '/'),
  ];
  for (const v of variants) expect(Buffer.from(v, encoding).equals(Buffer.from(mac, encoding))).toBe(true);
  return [...new Set(variants)].filter((v) => v !== mac);
}

describe('tracking tokens', () => {
  const secret = 'test-secret-0123456789';

  it('verify only with the canonical base64url MAC', () => {
    // A message id chosen so the MAC holds a `-` or `_` (both alphabets differ there).
    const token = Array.from({ length: 50 }, (_, i) => signToken(secret, { kind: 'open', messageId: `msg_${i}` })).find(
      (t) => /[-_]/.test(t.split('.')[1] ?? ''),
    ) as string;
    const [body, mac] = token.split('.') as [string, string];
    expect(verifyToken(secret, token)).toBeDefined();
    const refused = spellings(mac, 'base64url').filter((m) => verifyToken(secret, `${body}.${m}`) !== undefined);
    expect(refused).toEqual([]);
  });
});

describe('Resend (Svix) signatures', () => {
  const key = Buffer.from('resend-webhook-secret-32-bytes!!');
  const secret = `whsec_${key.toString('base64')}`;
  const now = new Date('2026-03-02T09:00:00Z');
  const timestamp = String(now.getTime() / 1000);
  const rawBody = '{"type":"email.delivered"}';

  const verify = (signature: string, id: string) =>
    verifySvix({
      secret,
      headers: { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` },
      rawBody,
      now,
    }).ok;

  it('verify only with the canonical, padded base64 signature', () => {
    const sign = (id: string) => createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64');
    const id = Array.from({ length: 50 }, (_, i) => `msg_${i}`).find((i) => /[+/]/.test(sign(i))) as string;
    const signature = sign(id);
    expect(verify(signature, id)).toBe(true);
    const accepted = spellings(signature, 'base64').filter((s) => verify(s, id));
    expect(accepted).toEqual([]);
  });
});

describe('decodeCanonical', () => {
  it.each([
    ['AQID', 'base64', [1, 2, 3]],
    ['AQI=', 'base64', [1, 2]],
    ['AQI', 'base64', undefined],
    ['AQJ=', 'base64', undefined],
    ['AQI', 'base64url', [1, 2]],
    ['AQI=', 'base64url', undefined],
    ['', 'base64', undefined],
  ] as const)('%j as %s', (text, encoding, bytes) => {
    const decoded = decodeCanonical(text, encoding);
    expect(decoded ? [...decoded] : undefined).toEqual(bytes);
  });
});
