// A Gmail account's connection check: the stored grant still yields a token that reads the
// profile, and the scopes Google granted include sending (and reading, for replies).
import type { AdapterContext, ConnectionCheck } from '../types.ts';
import { getProfile } from './api.ts';
import { GMAIL_SCOPES, type GmailCredentials } from './credentials.ts';

export async function checkGmailConnection(
  credentials: GmailCredentials,
  context: AdapterContext,
): Promise<ConnectionCheck[]> {
  const profile = await getProfile(credentials, {
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.now ? { now: context.now } : {}),
  });
  const checks: ConnectionCheck[] = [
    profile.ok
      ? { name: 'token', verdict: 'ok', detail: `connected as ${profile.value.emailAddress}` }
      : {
          name: 'token',
          verdict: 'failed',
          detail: profile.failure.message,
          fix: 'reconnect the Google account (GET /v1/oauth/google/start)',
        },
  ];
  if (!credentials.scopes) return checks;
  const missing = GMAIL_SCOPES.filter((scope) => !credentials.scopes?.includes(scope));
  checks.push(
    missing.length === 0
      ? { name: 'scopes', verdict: 'ok', detail: 'Google granted sending and reading' }
      : {
          name: 'scopes',
          verdict: 'failed',
          detail: `Google did not grant ${missing.join(', ')}`,
          fix: 'reconnect the account and tick every Gmail permission on the consent screen',
        },
  );
  return checks;
}
