// Where this installation's public links point and the secret that signs them: unsubscribe pages
// and OAuth callbacks on PUBLIC_URL, open pixels and click redirects on the tracking domain.
// Resolved once from Config (or given directly by tests).
import { hkdfSync } from 'node:crypto';
import type { ClickPolicy } from '../core/tracking.ts';

/** Click tokens live 180 days; a destination outside the workspace's domains gets a page first. */
export const DEFAULT_CLICK_POLICY: ClickPolicy = { ttlDays: 180, unlisted: 'interstitial' };

export type PublicLinks = {
  /** Base of unsubscribe pages, OAuth callbacks and webhook URLs (PUBLIC_URL). */
  publicUrl: string;
  /** Base of open pixels and click redirects (TRACKING_BASE_URL, else publicUrl). */
  trackingBaseUrl: string;
  /** HMAC secret of tracking, unsubscribe and OAuth state tokens. */
  trackingSecret: string;
  /** Click tokens' lifetime, and what a destination outside the workspace's domains gets. */
  clicks: ClickPolicy;
  /** HMAC secret of the spreadsheet URLs of batched sends (core/batchSheet.ts). */
  batchSecret: string;
};

/**
 * Without QUOTAHIT_TRACKING_SECRET the secret is derived from the encryption key with HKDF-SHA256
 * (info "quotahit/tracking/v1"): stable across restarts and workers, and never the key itself.
 */
export function deriveTrackingSecret(encryptionKey: Buffer): string {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'quotahit/tracking/v1', 32)).toString('hex');
}

export function resolvePublicLinks(input: {
  encryptionKey: Buffer;
  publicUrl?: string;
  trackingBaseUrl?: string;
  trackingSecret?: string;
  clicks?: ClickPolicy;
}): PublicLinks {
  const publicUrl = (input.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  return {
    publicUrl,
    trackingBaseUrl: (input.trackingBaseUrl ?? publicUrl).replace(/\/+$/, ''),
    trackingSecret: input.trackingSecret ?? deriveTrackingSecret(input.encryptionKey),
    clicks: input.clicks ?? DEFAULT_CLICK_POLICY,
    batchSecret: Buffer.from(
      // The label predates batched sends of other channels: kept, so URLs already handed out still work.
      hkdfSync('sha256', input.encryptionKey, Buffer.alloc(0), 'quotahit/linkedin-batch/v1', 32),
    ).toString('hex'),
  };
}
