// A sending account's credentials: one object, validated by its adapter's own schema (which
// declares what the engine keeps with them: an IMAP mailbox, a webhook secret, granted scopes),
// sealed with AES-256-GCM before it is stored and never returned by the API.
//
// A request names credentials in `credentials`, and in the alias keys each adapter declares for
// older clients (`smtp`, `imap`, `resend`). On an update each part given replaces that part of
// what is stored and the parts not given stay: the adapter's own fields are one part (given,
// they replace all of it), and each of its `credentialParts` is a part of its own (given alone,
// it changes only itself; `null` through its alias removes it).
import type { RegisteredAdapter } from '../../channels/register.ts';
import { openJson, sealJson, senderSecret, type SecretBinding, type SecretKeys } from './secrets.ts';

export type CredentialBody = Record<string, unknown>;

type Parts = { root: [string, unknown][]; named: [string, unknown][] };

/** The credential entries a request body gives, split into the adapter's own fields and named parts. */
function partsOf(adapter: RegisteredAdapter, body: CredentialBody): Parts | { error: string } {
  const parts = adapter.credentialParts ?? [];
  const aliases = adapter.credentialAliases ?? {};
  const out: Parts = { root: [], named: [] };
  const add = (entries: [string, unknown][]) => {
    for (const [key, value] of entries) (parts.includes(key) ? out.named : out.root).push([key, value]);
  };
  const given = body.credentials;
  if (given !== undefined && given !== null) add(Object.entries(given as Record<string, unknown>));
  for (const [key, value] of Object.entries(body)) {
    if (key === 'credentials' || value === undefined) continue;
    const target = aliases[key];
    if (target === undefined) return { error: `body.${key}: ${adapter.provider} accounts take no "${key}"` };
    if (target === '.') {
      if (value === null) return { error: `body.${key}: must be an object` };
      add(Object.entries(value as Record<string, unknown>));
    } else out.named.push([target, value]);
  }
  return out;
}

/** The keys of a body that carry credentials (`credentials` and every adapter's aliases). */
export function givesCredentials(body: CredentialBody): boolean {
  return Object.values(body).some((value) => value !== undefined);
}

/** Stored credentials with a request's parts applied (see the file's comment); or why the body is wrong. */
export function mergeCredentials(
  adapter: RegisteredAdapter,
  stored: Record<string, unknown>,
  body: CredentialBody,
): { ok: true; merged: Record<string, unknown> } | { ok: false; message: string } {
  const parts = partsOf(adapter, body);
  if ('error' in parts) return { ok: false, message: parts.error };
  const named = adapter.credentialParts ?? [];
  const merged = new Map<string, unknown>(
    parts.root.length > 0
      ? [...Object.entries(stored).filter(([key]) => named.includes(key)), ...parts.root]
      : Object.entries(stored),
  );
  for (const [key, value] of parts.named) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return { ok: true, merged: Object.fromEntries(merged) };
}

/** Validates merged credentials with the adapter's schema and seals them for `binding`; null when there are none. */
export function sealCredentials(
  adapter: RegisteredAdapter,
  keys: SecretKeys,
  binding: SecretBinding,
  merged: Record<string, unknown>,
): { ok: true; sealed: Buffer | null } | { ok: false; message: string } {
  const checked = adapter.checkCredentials(merged);
  if (!checked.ok) return { ok: false, message: `credentials for ${adapter.provider}: ${checked.message}` };
  return { ok: true, sealed: Object.keys(merged).length > 0 ? sealJson(keys, binding, merged) : null };
}

/** The stored credentials as one object; empty when there are none or no configured key opens them. */
export function storedCredentials(keys: SecretKeys, sender: SenderSecret): Record<string, unknown> {
  try {
    return openCredentials(keys, sender);
  } catch {
    return {};
  }
}

type SenderSecret = { id: string; workspaceId: string; credentials: Buffer | null };

/** The stored credentials (throws when no configured key opens them, or they belong to another row). */
export function openCredentials(keys: SecretKeys, sender: SenderSecret): Record<string, unknown> {
  if (!sender.credentials) return {};
  const value = openJson(keys, senderSecret(sender), sender.credentials);
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
}

/** Seals credentials the adapter renewed (an OAuth refresh): they are whole, as its schema says. */
export function resealCredentials(
  keys: SecretKeys,
  sender: { id: string; workspaceId: string },
  renewed: unknown,
): Buffer {
  return sealJson(keys, senderSecret(sender), renewed);
}
