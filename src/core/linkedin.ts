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
