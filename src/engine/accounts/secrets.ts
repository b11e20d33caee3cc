// Secrets at rest (provider credentials, OAuth tokens, webhook secrets): AES-256-GCM.
//
// Layout (version 2): 0x02 · key id (8) · IV (12) · tag (16) · ciphertext. The associated data is
// the header (version and key id) with the row the secret belongs to — its purpose, workspace and
// id — so a ciphertext copied to another row or workspace fails to open. The key id names which
// configured key sealed it: with QUOTAHIT_ENCRYPTION_KEY_PREVIOUS the old keys still open what they
// sealed while the background rotation (rotateSecrets.ts) re-seals it with the current key.
//
// Version 1 (0x01 · IV · tag · ciphertext, no associated data) is what installations sealed
// before: it still opens, with any configured key, and counts as stale so rotation re-seals it.
//
// IVs: 96 random bits per seal (NIST SP 800-38D §8.2.2), never a counter that a restart could
// reset; at the handful of seals an installation makes per key, a repeat is out of reach.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const V1 = 1;
const V2 = 2;
const KEY_ID_BYTES = 8;
const HEADER_BYTES = 1 + KEY_ID_BYTES;

/** What a secret belongs to; it is bound into the ciphertext. */
export type SecretBinding = {
  purpose: 'sender.credentials' | 'outbound_target.secret';
  workspaceId: string;
  rowId: string;
};

/** What a sending account's credentials are bound to. */
export const senderSecret = (sender: { id: string; workspaceId: string }): SecretBinding => ({
  purpose: 'sender.credentials',
  workspaceId: sender.workspaceId,
  rowId: sender.id,
});

/** What an outbound target's secret (webhook signing secret, notification URL) is bound to. */
export const targetSecret = (target: { id: string; workspaceId: string }): SecretBinding => ({
  purpose: 'outbound_target.secret',
  workspaceId: target.workspaceId,
  rowId: target.id,
});

/** The configured keys: the current one seals; every one opens. */
export type SecretKeys = { encryptionKey: Buffer; previousEncryptionKeys?: readonly Buffer[] | undefined };

/** A key's public name: the first 8 bytes of HMAC-SHA256(key, "quotahit/key-id/v1"). */
export function keyId(key: Buffer): Buffer {
  return createHmac('sha256', key).update('quotahit/key-id/v1').digest().subarray(0, KEY_ID_BYTES);
}

/** The first bytes of every secret the current key seals (rotation looks for rows without them). */
export function currentHeader(keys: SecretKeys): Buffer {
  return Buffer.concat([Buffer.from([V2]), keyId(keys.encryptionKey)]);
}

const associatedData = (header: Buffer, b: SecretBinding) =>
  Buffer.concat([header, Buffer.from(`\0${b.purpose}\0${b.workspaceId}\0${b.rowId}`, 'utf8')]);

export function sealJson(keys: SecretKeys, binding: SecretBinding, value: unknown): Buffer {
  const header = currentHeader(keys);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, iv);
  cipher.setAAD(associatedData(header, binding));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

function decrypt(key: Buffer, iv: Buffer, tag: Buffer, body: Buffer, aad?: Buffer): unknown {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
}

const allKeys = (keys: SecretKeys) => [keys.encryptionKey, ...(keys.previousEncryptionKeys ?? [])];

/**
 * Opens a secret sealed for `binding`; `stale` when another key (or the old format) sealed it.
 * Throws when no configured key opens it, or it was sealed for another row.
 */
export function openSealed(
  keys: SecretKeys,
  binding: SecretBinding,
  sealed: Buffer,
): { value: unknown; stale: boolean } {
  if (sealed[0] === V1) {
    for (const key of allKeys(keys)) {
      try {
        return {
          value: decrypt(key, sealed.subarray(1, 13), sealed.subarray(13, 29), sealed.subarray(29)),
          stale: true,
        };
      } catch {
        // Not this key: the next one may have sealed it.
      }
    }
    throw new Error('no configured key opens this secret');
  }
  if (sealed[0] !== V2 || sealed.length < HEADER_BYTES + 28) throw new Error('unknown secret format');
  const header = sealed.subarray(0, HEADER_BYTES);
  const id = header.subarray(1);
  const key = allKeys(keys).find((k) => keyId(k).equals(id));
  if (!key) throw new Error('no configured key opens this secret');
  const at = HEADER_BYTES;
  const value = decrypt(
    key,
    sealed.subarray(at, at + 12),
    sealed.subarray(at + 12, at + 28),
    sealed.subarray(at + 28),
    associatedData(header, binding),
  );
  return { value, stale: key !== keys.encryptionKey };
}

export function openJson(keys: SecretKeys, binding: SecretBinding, sealed: Buffer): unknown {
  return openSealed(keys, binding, sealed).value;
}
