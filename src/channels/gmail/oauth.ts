// Google OAuth 2.0 for Gmail accounts: the consent URL, the code exchange that yields stored
// credentials, and the refresh of an access token. A revoked or expired grant (400 invalid_grant)
// is the "Google account not connected" of spec 000: only a person reconnecting can fix it.
import { z } from 'zod';
import type { ProviderOAuth, SendFailure } from '../types.ts';
import type { GmailSettings } from './settings.ts';
import {
  GMAIL_API_BASE_URL,
  GMAIL_SCOPES,
  GOOGLE_AUTH_URL,
  GOOGLE_TOKEN_URL,
  NOT_CONNECTED,
  errorText,
  readJson,
  retryAfterSeconds,
  trimSlash,
  type Fetch,
  type GmailCredentials,
} from './credentials.ts';

export function buildAuthUrl(input: {
  clientId: string;
  redirectUri: string;
  state: string;
  authBaseUrl?: string;
  loginHint?: string;
}): string {
  const url = new URL(input.authBaseUrl ?? GOOGLE_AUTH_URL);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', GMAIL_SCOPES.join(' '));
  // offline + consent: Google returns a refresh token every time, even on reconnect.
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  url.searchParams.set('include_granted_scopes', 'true');
  url.searchParams.set('state', input.state);
  if (input.loginHint) url.searchParams.set('login_hint', input.loginHint);
  return url.toString();
}

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });
const Profile = z.object({ emailAddress: z.string().min(3), historyId: z.string().optional() });

export type TokenResult =
  | { ok: true; accessToken: string; expiresAt: string; refreshToken?: string; scope?: string }
  | { ok: false; failure: SendFailure };

async function tokenRequest(
  tokenUrl: string,
  form: Record<string, string>,
  fetchImpl: Fetch,
  now: Date,
): Promise<TokenResult> {
  let res: Response;
  try {
    res = await fetchImpl(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  } catch (error) {
    return {
      ok: false,
      failure: { kind: 'provider_down', message: `cannot reach Google's token endpoint: ${errorText(error)}` },
    };
  }
  const body = await readJson(res);
  if (res.ok) {
    const answer = TokenAnswer.safeParse(body);
    if (!answer.success)
      return {
        ok: false,
        failure: { kind: 'provider_down', message: 'Google token endpoint answered without an access token' },
      };
    const expiresAt = new Date(now.getTime() + answer.data.expires_in * 1000).toISOString();
    return {
      ok: true,
      accessToken: answer.data.access_token,
      expiresAt,
      refreshToken: answer.data.refresh_token,
      scope: answer.data.scope,
    };
  }
  if (res.status === 429)
    return {
      ok: false,
      failure: {
        kind: 'rate_limited',
        message: 'Google token endpoint rate limit',
        retryAfterSeconds: retryAfterSeconds(res),
      },
    };
  if (res.status >= 500)
    return { ok: false, failure: { kind: 'provider_down', message: `Google token endpoint HTTP ${res.status}` } };
  const error = TokenError.safeParse(body);
  const code = error.success ? error.data.error : `HTTP ${res.status}`;
  if (code === 'invalid_grant') return { ok: false, failure: { kind: 'auth_expired', message: NOT_CONNECTED } };
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return {
      ok: false,
      failure: {
        kind: 'auth_expired',
        message: `Google rejected the OAuth client (${code}): check the client id and secret`,
      },
    };
  }
  return { ok: false, failure: { kind: 'rejected', message: `Google token endpoint: ${code}` } };
}

/** Exchanges a refresh token for a new access token. Stateless: the caller stores the result. */
export function refreshAccessToken(
  credentials: Pick<GmailCredentials, 'refreshToken' | 'clientId' | 'clientSecret' | 'tokenUrl'>,
  fetchImpl: Fetch = fetch,
  now: Date = new Date(),
): Promise<TokenResult> {
  return tokenRequest(
    credentials.tokenUrl,
    {
      grant_type: 'refresh_token',
      refresh_token: credentials.refreshToken,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    },
    fetchImpl,
    now,
  );
}

/** The OAuth callback's code → complete credentials, the Gmail address read from the profile. */
export async function exchangeCode(
  input: {
    code: string;
    redirectUri: string;
    clientId: string;
    clientSecret: string;
    tokenUrl?: string;
    apiBaseUrl?: string;
  },
  fetchImpl: Fetch = fetch,
  now: Date = new Date(),
): Promise<{ ok: true; credentials: GmailCredentials; scope?: string } | { ok: false; failure: SendFailure }> {
  const tokenUrl = input.tokenUrl ?? GOOGLE_TOKEN_URL;
  const apiBaseUrl = input.apiBaseUrl ?? GMAIL_API_BASE_URL;
  const token = await tokenRequest(
    tokenUrl,
    {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      client_id: input.clientId,
      client_secret: input.clientSecret,
    },
    fetchImpl,
    now,
  );
  if (!token.ok) return token;
  if (!token.refreshToken) {
    return {
      ok: false,
      failure: {
        kind: 'auth_expired',
        message: 'Google returned no refresh token: connect the account again and grant offline access',
      },
    };
  }
  let res: Response;
  try {
    res = await fetchImpl(`${trimSlash(apiBaseUrl)}/gmail/v1/users/me/profile`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
  } catch (error) {
    return {
      ok: false,
      failure: { kind: 'provider_down', message: `cannot reach the Gmail API: ${errorText(error)}` },
    };
  }
  const profile = Profile.safeParse(await readJson(res));
  if (!res.ok || !profile.success) {
    return {
      ok: false,
      failure: {
        kind: 'auth_expired',
        message: `cannot read the Gmail profile (HTTP ${res.status}): grant the Gmail scopes`,
      },
    };
  }
  const credentials: GmailCredentials = {
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    expiresAt: token.expiresAt,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    apiBaseUrl,
    tokenUrl,
    emailAddress: profile.data.emailAddress,
  };
  return { ok: true, credentials, scope: token.scope };
}

/** Connecting a Gmail account: /v1/oauth/google/start → Google's consent → /oauth/google/callback. */
export const googleOAuth: ProviderOAuth<GmailCredentials, GmailSettings> = {
  name: 'google',
  label: 'Google',
  notConfigured: (settings) =>
    settings.clientId && settings.clientSecret
      ? undefined
      : 'Google OAuth is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET',
  authorizeUrl: (settings, input) =>
    buildAuthUrl({
      clientId: settings.clientId ?? '',
      redirectUri: input.redirectUri,
      state: input.state,
      authBaseUrl: settings.authUrl,
      ...(input.loginHint ? { loginHint: input.loginHint } : {}),
    }),
  async exchange(settings, input, context) {
    const exchanged = await exchangeCode(
      {
        code: input.code,
        redirectUri: input.redirectUri,
        clientId: settings.clientId ?? '',
        clientSecret: settings.clientSecret ?? '',
        tokenUrl: settings.tokenUrl,
        apiBaseUrl: settings.apiBaseUrl,
      },
      fetch,
      context.now,
    );
    if (!exchanged.ok) return { ok: false, message: exchanged.failure.message };
    const missing = missingScopes(exchanged.scope);
    if (missing) return { ok: false, message: missing };
    const email = exchanged.credentials.emailAddress.toLowerCase();
    return {
      ok: true,
      credentials: {
        ...exchanged.credentials,
        ...(exchanged.scope ? { scopes: exchanged.scope.split(/\s+/).filter(Boolean) } : {}),
      },
      account: { fromEmail: email, name: email },
    };
  },
};

const SCOPE_USES: Record<(typeof GMAIL_SCOPES)[number], string> = {
  'https://www.googleapis.com/auth/gmail.send': 'send mail',
  'https://www.googleapis.com/auth/gmail.readonly': 'read replies and bounces',
};

/**
 * Granular consent lets a person untick some of the scopes asked for: an account that cannot send
 * (or cannot read its replies) is refused at connection, naming what is missing, rather than
 * failing at its first send. A token answer without `scope` says nothing either way.
 */
export function missingScopes(granted: string | undefined): string | undefined {
  if (granted === undefined) return undefined;
  const have = new Set(granted.split(/\s+/).filter(Boolean));
  const missing = GMAIL_SCOPES.filter((scope) => !have.has(scope));
  if (missing.length === 0) return undefined;
  const what = missing.map((scope) => `${scope} (to ${SCOPE_USES[scope]})`).join(' and ');
  return `Google did not grant ${what}: connect the account again and allow every permission asked for`;
}
