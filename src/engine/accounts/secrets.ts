// Secrets at rest (provider credentials, OAuth tokens): AES-256-GCM with the configured key.
// Layout: version byte (1) · 12-byte IV · 16-byte tag · ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;

export function encryptJson(key: Buffer, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

export function decryptJson(key: Buffer, sealed: Buffer): unknown {
  if (sealed[0] !== VERSION) throw new Error('unknown secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
  decipher.setAuthTag(sealed.subarray(13, 29));
  const plain = Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
