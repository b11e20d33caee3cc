// LinkedIn profile URLs in every shape people paste them (with or without scheme, www, country
// subdomain, query string, trailing slash) → https://www.linkedin.com/in/<slug>.

const PROFILE_PATH = /^\/(in|pub)\/([^/?#]+)/i;

export function normalizeLinkedInUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  if (host !== 'linkedin.com' && !host.endsWith('.linkedin.com')) return null;
  const match = PROFILE_PATH.exec(url.pathname);
  if (!match || !match[2]) return null;
  let slug: string;
  try {
    slug = decodeURIComponent(match[2]).toLowerCase();
  } catch {
    return null;
  }
  if (slug.length === 0 || slug.length > 200 || /[\s/]/.test(slug)) return null;
  return `https://www.linkedin.com/in/${encodeURIComponent(slug)}`;
}

// Where a contact stands with LinkedIn: none → requested → accepted | declined (a request with no
// acceptance within the expiry). An accepted connection wins over any request.
export const CONNECTION_STATES = ['none', 'requested', 'accepted', 'declined'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export type LinkedinConnection = {
  state: ConnectionState;
  /** When the latest connection request went out (or was reserved, while its launch is under way). */
  requestedAt: string | null;
  acceptedAt: string | null;
  declinedAt: string | null;
};

/** The state, given the contact's accepted connection and its latest request (pure). */
export function connectionState(
  connectedAt: string | null,
  request: { requestedAt: string; declinedAt: string | null } | undefined,
): LinkedinConnection {
  const requestedAt = request?.requestedAt ?? null;
  if (connectedAt) return { state: 'accepted', requestedAt, acceptedAt: connectedAt, declinedAt: null };
  if (!request) return { state: 'none', requestedAt: null, acceptedAt: null, declinedAt: null };
  if (request.declinedAt) return { state: 'declined', requestedAt, acceptedAt: null, declinedAt: request.declinedAt };
  return { state: 'requested', requestedAt, acceptedAt: null, declinedAt: null };
}
