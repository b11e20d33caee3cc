// Twilio's request signature (twilio.com/docs/usage/webhooks/webhooks-security): X-Twilio-Signature
// = base64(HMAC-SHA1(authToken, the full URL Twilio called, query included, followed by each POST
// parameter's name and value in name order; a repeated name contributes each value, sorted)).
// A JSON body is not signed as parameters: its URL carries bodySHA256=<hex sha256(body)> and the
// URL alone is signed. Twilio may or may not have included the default port (:443, :80) in what it
// signed, so both spellings are tried. Verified against the URL built on PUBLIC_URL, never on
// forwarded headers (the caller's concern).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type FormParams = [name: string, value: string][];

export function twilioSignature(authToken: string, url: string, params: FormParams = []): string {
  const sorted = [...params].sort(([a, av], [b, bv]) => compare(a, b) || compare(av, bv));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The URL as given, and with its default port added or removed. */
export function urlSpellings(url: string): string[] {
  const match = /^(https?):\/\/([^/?#:]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme = '', host, port, rest] = match;
  const standard = scheme.toLowerCase() === 'https' ? '443' : '80';
  const bare = `${scheme}://${host}${rest}`;
  const withPort = `${scheme}://${host}:${standard}${rest}`;
  if (port === undefined) return [url, withPort];
  return port === standard ? [url, bare] : [url];
}

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

export function verifyTwilioSignature(input: {
  authToken: string;
  url: string;
  signature: string | undefined;
  rawBody: Buffer;
  contentType: string | undefined;
}): SignatureVerdict {
  const { signature } = input;
  if (!signature) return { ok: false, reason: 'missing X-Twilio-Signature header' };
  const given = Buffer.from(signature, 'base64');
  const bodyHash = bodySha256Of(input.url);
  if (bodyHash !== undefined) {
    const actual = createHash('sha256').update(input.rawBody).digest('hex');
    if (!safeEqual(Buffer.from(actual), Buffer.from(bodyHash.toLowerCase())))
      return { ok: false, reason: 'bodySHA256 does not match the body' };
  }
  const params = bodyHash === undefined && isForm(input.contentType) ? formParams(input.rawBody) : [];
  for (const url of urlSpellings(input.url)) {
    const expected = Buffer.from(twilioSignature(input.authToken, url, params), 'base64');
    if (safeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'signature does not match (URL, parameters or Auth Token differ)' };
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function bodySha256Of(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('bodySHA256') ?? undefined;
}

/** A body without a content type is read as a form, which is what Twilio sends. */
function isForm(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function formParams(rawBody: Buffer): FormParams {
  return [...new URLSearchParams(rawBody.toString('utf8')).entries()];
}
