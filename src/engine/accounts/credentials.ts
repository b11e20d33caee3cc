// A sending account's sealed credentials are the adapter's own credentials plus what only the
// engine uses: the IMAP mailbox read for replies, a Resend account's webhook signing secret, the
// scopes a Google grant gave. The adapter receives its part only (its schema is strict).
import { z } from 'zod';
import type { RegisteredAdapter } from '../../channels/types.ts';
import { decryptJson, encryptJson } from './secrets.ts';

export const ImapSettings = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  user: z.string().min(1).max(320),
  pass: z.string().min(1).max(1000),
  allowSelfSigned: z.boolean().optional(),
  mailbox: z.string().min(1).max(200).optional(),
});
export type ImapSettings = z.infer<typeof ImapSettings>;

export const CredentialExtras = z.strictObject({
  imap: ImapSettings.optional(),
  webhookSecret: z.string().startsWith('whsec_', 'must be the whsec_… signing secret').optional(),
  scopes: z.array(z.string()).optional(),
});
export type CredentialExtras = z.infer<typeof CredentialExtras>;

const EXTRA_KEYS = ['imap', 'webhookSecret', 'scopes'] as const;

export function splitCredentials(stored: unknown): { adapter: Record<string, unknown>; extras: CredentialExtras } {
  const all = typeof stored === 'object' && stored !== null ? Object.fromEntries(Object.entries(stored)) : {};
  const adapter: Record<string, unknown> = {};
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if ((EXTRA_KEYS as readonly string[]).includes(key)) extras[key] = value;
    else adapter[key] = value;
  }
  const parsed = CredentialExtras.safeParse(extras);
  return { adapter, extras: parsed.success ? parsed.data : {} };
}

/** Validates both halves; the message names the bad field. */
export function checkSenderCredentials(
  adapter: RegisteredAdapter,
  raw: Record<string, unknown>,
): { ok: true } | { ok: false; message: string } {
  const { adapter: own } = splitCredentials(raw);
  const extras = Object.fromEntries(
    Object.entries(raw).filter(([key]) => (EXTRA_KEYS as readonly string[]).includes(key)),
  );
  const checkedExtras = CredentialExtras.safeParse(extras);
  if (!checkedExtras.success) {
    return {
      ok: false,
      message: checkedExtras.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  return adapter.checkCredentials(own);
}

/**
 * The credential parts of a request (`smtp`, `resend` and `credentials` name the adapter's part,
 * `imap` the mailbox read for replies). Each part given replaces that part of what is stored; the
 * parts not given stay as they are. An object holding only engine extras (a Resend `webhookSecret`)
 * changes those and keeps the adapter's part; `imap: null` removes the mailbox settings.
 */
export type CredentialParts = {
  smtp?: Record<string, unknown>;
  resend?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  imap?: Record<string, unknown> | null;
};

export function mergeCredentials(stored: Record<string, unknown>, parts: CredentialParts): Record<string, unknown> {
  const isExtra = (key: string) => (EXTRA_KEYS as readonly string[]).includes(key);
  const given = Object.entries({ ...parts.credentials, ...parts.smtp, ...parts.resend });
  const givenAdapter = given.filter(([key]) => !isExtra(key));
  const merged: Record<string, unknown> =
    givenAdapter.length > 0
      ? {
          ...Object.fromEntries(Object.entries(stored).filter(([key]) => isExtra(key))),
          ...Object.fromEntries(givenAdapter),
        }
      : { ...stored };
  for (const [key, value] of given) if (isExtra(key)) merged[key] = value;
  if (parts.imap === null) delete merged.imap;
  else if (parts.imap !== undefined) merged.imap = parts.imap;
  return merged;
}

/** The stored credentials as one object; empty when there are none or they were sealed with another key. */
export function storedCredentials(key: Buffer, sealed: Buffer | null): Record<string, unknown> {
  if (!sealed) return {};
  try {
    const value = decryptJson(key, sealed);
    return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
  } catch {
    return {};
  }
}

export function openCredentials(key: Buffer, sealed: Buffer | null): ReturnType<typeof splitCredentials> {
  return splitCredentials(sealed ? decryptJson(key, sealed) : {});
}

/** Re-seals after the adapter renewed its part (OAuth refresh), keeping the extras. */
export function resealCredentials(key: Buffer, sealed: Buffer | null, renewedAdapterPart: unknown): Buffer {
  const { extras } = openCredentials(key, sealed);
  const renewed = typeof renewedAdapterPart === 'object' && renewedAdapterPart !== null ? renewedAdapterPart : {};
  return encryptJson(key, { ...renewed, ...extras });
}
