// A connected Gmail account as the engine stores it (encrypted) and hands to the adapter. Google's
// endpoints are part of the credentials so tests and self-hosters can point them elsewhere.
import { z } from 'zod';
import type { SendFailure } from '../types.ts';

export const GMAIL_API_BASE_URL = 'https://gmail.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
export const GMAIL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.readonly',
] as const;

/** Spec 000's wording: the account must be connected again by a person. */
export const NOT_CONNECTED = 'Google account not connected: reconnect it';
/** Spec 000's wording for every quota answer (429, rate and daily limits). */
export const QUOTA_EXCEEDED = 'Gmail API quota exceeded';

export const GmailCredentials = z.strictObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** ISO 8601 instant the access token stops working. */
  expiresAt: z.iso.datetime({ offset: true }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  apiBaseUrl: z.url().default(GMAIL_API_BASE_URL),
  tokenUrl: z.url().default(GOOGLE_TOKEN_URL),
  emailAddress: z.string().min(3).max(320),
  /** The scopes Google granted (granular consent may grant fewer than asked). */
  scopes: z.array(z.string()).optional(),
});
export type GmailCredentials = z.infer<typeof GmailCredentials>;

export type Fetch = typeof fetch;

/** A Gmail call's outcome; refreshed credentials ride along so the engine can store them. */
export type GmailResult<T> =
  { ok: true; value: T; refreshedCredentials?: GmailCredentials } | { ok: false; failure: SendFailure };

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

export function retryAfterSeconds(res: Response): number | undefined {
  const seconds = Number(res.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
