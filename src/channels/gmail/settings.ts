// The installation's Google OAuth client and endpoints (environment variables). The endpoints
// default to Google's; tests and self-hosters point them at a local or proxied API.
import { z } from 'zod';
import type { ProviderSettings } from '../types.ts';
import { GMAIL_API_BASE_URL, GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL } from './credentials.ts';

export type GmailSettings = {
  clientId?: string;
  clientSecret?: string;
  authUrl: string;
  tokenUrl: string;
  apiBaseUrl: string;
};

const Env = z.object({
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_AUTH_URL: z.url().optional(),
  GOOGLE_TOKEN_URL: z.url().optional(),
  GMAIL_API_BASE_URL: z.url().optional(),
});

export const gmailSettings: ProviderSettings<GmailSettings> = {
  env: Env,
  resolve(env) {
    const e = Env.parse(env);
    return {
      ...(e.GOOGLE_CLIENT_ID ? { clientId: e.GOOGLE_CLIENT_ID } : {}),
      ...(e.GOOGLE_CLIENT_SECRET ? { clientSecret: e.GOOGLE_CLIENT_SECRET } : {}),
      authUrl: e.GOOGLE_AUTH_URL ?? GOOGLE_AUTH_URL,
      tokenUrl: e.GOOGLE_TOKEN_URL ?? GOOGLE_TOKEN_URL,
      apiBaseUrl: e.GMAIL_API_BASE_URL ?? GMAIL_API_BASE_URL,
    };
  },
};
