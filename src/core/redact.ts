// Text that people and the API will read never carries a credential. Provider error text is built
// from URLs and answers of tenant-chosen endpoints; these helpers take the secrets out of it before
// it is stored (messages.error, the timeline) or returned.

const REDACTED = '[redacted]';
/** Query parameters whose value is a secret wherever they appear (compared lower-case, `-` as `_`). */
const SECRET_PARAMS = new Set([
  'apikey',
  'api_key',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'authorization',
  'password',
  'pass',
  'passwd',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'code',
  'verify_token',
  'hub.verify_token',
]);

export function isSecretParam(name: string): boolean {
  return SECRET_PARAMS.has(name.toLowerCase().replaceAll('-', '_'));
}

/**
 * A URL as people may read it: scheme, host, port and path; never the user info, the query or the
 * fragment (any of them can hold a token). Not a URL: `an invalid URL`.
 */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** The parts of a URL that are secrets: its user name and password and every query value. */
export function urlSecrets(raw: string): string[] {
  try {
    const url = new URL(raw);
    const secrets = [url.username, url.password, decodeSafely(url.username), decodeSafely(url.password)];
    for (const value of url.searchParams.values()) secrets.push(value, encodeURIComponent(value));
    return secrets;
  } catch {
    return [];
  }
}

/**
 * `text` with every known secret replaced, the user info of any URL in it removed, and the value of
 * any secret-named query parameter replaced. Secrets shorter than 4 characters are not searched for
 * (they would redact ordinary words); the URL rules still cover them where they sit in a URL.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))];
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of known.sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]*@/gi, '$1');
  return out.replace(/([?&;])([\w.-]+)=([^\s&;#"'<>]*)/g, (whole, sep: string, name: string) =>
    isSecretParam(name) ? `${sep}${name}=${REDACTED}` : whole,
  );
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
