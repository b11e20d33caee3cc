// API keys: `qh_` + 43 base64url characters (256 bits). Only a SHA-256 hash is stored; keys have
// full entropy, so a fast hash is enough and lookups stay a single index probe.
import { createHash } from 'node:crypto';

export const API_KEY_PATTERN = /^qh_[A-Za-z0-9_-]{43}$/;

export function formatApiKey(random: Buffer): string {
  if (random.length !== 32) throw new Error('an API key needs 32 random bytes');
  return `qh_${random.toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The part shown in listings so a person can tell keys apart. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 10);
}

/** SHA-256 of a normalized identity, for suppression entries that outlive the person's data. */
export function hashIdentityValue(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
