// Batched sends (Phantombuster's LinkedIn launches today): the provider reads the messages of one
// batch from a spreadsheet URL, a CSV QuotaHit serves behind a signed, expiring token. The token
// names the workspace and the messages of the batch and when it stops working; it is
// HMAC-SHA256-signed with a secret derived from the installation's encryption key, so it cannot be forged or widened to
// other rows, and the route reads the messages inside that workspace only.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { decodeCanonical } from './canonicalBase64.ts';

/** Most messages a token names (a provider's own batch size is smaller: Phantombuster's is 10). */
export const TOKEN_MAX_MESSAGES = 100;
/** How long a spreadsheet URL works: the phantom reads it when its container starts. */
export const BATCH_TOKEN_TTL_MS = 6 * 3600 * 1000;

const Payload = z.strictObject({
  w: z.uuid(),
  m: z.array(z.uuid()).min(1).max(TOKEN_MAX_MESSAGES),
  e: z.number().int().positive(),
});

export type BatchToken = { workspaceId: string; messageIds: string[]; expiresAt: number };

export function signBatchToken(secret: string, token: BatchToken): string {
  const body = Buffer.from(JSON.stringify({ w: token.workspaceId, m: token.messageIds, e: token.expiresAt })).toString(
    'base64url',
  );
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** `invalid`: not ours or tampered with; `expired`: ours, and past its time. */
export function verifyBatchToken(
  secret: string,
  token: string,
  now: Date,
): { ok: true; token: BatchToken } | { ok: false; reason: 'invalid' | 'expired' } {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'invalid' };
  const body = token.slice(0, dot);
  const given = decodeCanonical(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, body);
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'invalid' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  if (parsed.data.e <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, token: { workspaceId: parsed.data.w, messageIds: parsed.data.m, expiresAt: parsed.data.e } };
}

/** Where the batch's spreadsheet is served (api/routes/linkedinBatches.ts). */
export function batchUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/linkedin/batches/${token}.csv`;
}

/** The batch as the phantom reads it: a header row, then each profile with its own note or message. */
export function batchCsv(rows: readonly { profileUrl: string; message: string }[]): string {
  const lines = [['profileUrl', 'message'], ...rows.map((r) => [r.profileUrl, r.message])];
  return `${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** RFC 4180 quoting. The text is sent as written: no formula escaping (a phantom reads it, not a person). */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`linkedin-batch:${body}`).digest();
}
