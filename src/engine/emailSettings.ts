// What the email side of the engine needs to know about this installation: where public links
// point, the secret that signs tracking and unsubscribe tokens, the Resend signing secret and the
// Google OAuth client. Resolved once from Config (or given directly by tests).
import { hkdfSync } from 'node:crypto';
import type { EmailConfig } from '../config.ts';
import { GMAIL_API_BASE_URL, GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL } from '../channels/gmail/credentials.ts';

export type EmailSettings = {
  /** Base of unsubscribe pages and OAuth callbacks (PUBLIC_URL). */
  publicUrl: string;
  /** Base of open pixels and click redirects (TRACKING_BASE_URL, else publicUrl). */
  trackingBaseUrl: string;
  /** HMAC secret of tracking, unsubscribe and OAuth state tokens. */
  trackingSecret: string;
  /** Fallback Svix secret for /webhooks/resend (a Resend account's own `webhookSecret` comes first). */
  resendWebhookSecret?: string;
  google: { clientId?: string; clientSecret?: string; authUrl: string; tokenUrl: string; apiBaseUrl: string };
};

/**
 * Without QUOTAHIT_TRACKING_SECRET the secret is derived from the encryption key with HKDF-SHA256
 * (info "quotahit/tracking/v1"): stable across restarts and workers, and never the key itself.
 */
export function deriveTrackingSecret(encryptionKey: Buffer): string {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'quotahit/tracking/v1', 32)).toString('hex');
}

export function resolveEmailSettings(input: {
  encryptionKey: Buffer;
  publicUrl?: string;
  config?: Partial<EmailConfig>;
}): EmailSettings {
  const publicUrl = (input.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  const c = input.config ?? {};
  return {
    publicUrl,
    trackingBaseUrl: (c.trackingBaseUrl ?? publicUrl).replace(/\/+$/, ''),
    trackingSecret: c.trackingSecret ?? deriveTrackingSecret(input.encryptionKey),
    ...(c.resendWebhookSecret ? { resendWebhookSecret: c.resendWebhookSecret } : {}),
    google: {
      ...(c.google?.clientId ? { clientId: c.google.clientId } : {}),
      ...(c.google?.clientSecret ? { clientSecret: c.google.clientSecret } : {}),
      authUrl: c.google?.authUrl ?? GOOGLE_AUTH_URL,
      tokenUrl: c.google?.tokenUrl ?? GOOGLE_TOKEN_URL,
      apiBaseUrl: c.google?.apiBaseUrl ?? GMAIL_API_BASE_URL,
    },
  };
}
