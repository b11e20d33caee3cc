// SMTP outcomes to SendFailure, decided once. The reply code and the enhanced status code
// (RFC 3463, "5.1.1") say whose fault a refusal is: the recipient's address, our login, the
// server's mood (4xx) or our message (other 5xx).
import type { SendFailure } from '../types.ts';

export type SmtpErrorLike = {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  command?: unknown;
};

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EABORT',
]);
const AUTH_REPLY_CODES = new Set([530, 534, 535, 538]);
const RECIPIENT_REPLY_CODES = new Set([550, 551, 553]);

export function classifySmtpError(error: unknown, user: string | undefined): SendFailure {
  const e: SmtpErrorLike = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = describe(e);
  if (code === 'EAUTH' || code === 'ENOAUTH' || (reply !== undefined && AUTH_REPLY_CODES.has(reply))) {
    return {
      kind: 'auth_expired',
      message: `SMTP login ${user ? `failed for ${user}` : 'refused (the relay wants a login)'}: ${text}`,
    };
  }
  if (reply !== undefined && reply >= 400 && reply < 500) {
    return { kind: 'temporary', message: `SMTP ${reply}: ${text}` };
  }
  if (reply !== undefined && reply >= 500) {
    const enhanced = enhancedStatus(text);
    if (enhanced?.startsWith('5.1.') || (enhanced === undefined && RECIPIENT_REPLY_CODES.has(reply))) {
      return { kind: 'invalid_recipient', message: `SMTP ${reply}: ${text}` };
    }
    if (enhanced === undefined && code === 'EENVELOPE' && RECIPIENT_REPLY_CODES.has(reply)) {
      return { kind: 'invalid_recipient', message: `SMTP ${reply}: ${text}` };
    }
    return { kind: 'rejected', message: `SMTP ${reply}: ${text}` };
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return { kind: 'provider_down', message: `SMTP server unreachable (${code}): ${text}` };
  }
  return { kind: 'provider_down', message: `SMTP error${code ? ` (${code})` : ''}: ${text}` };
}

/** The RFC 3463 status code in a server reply ("550 5.1.1 <x@y>: user unknown" → "5.1.1"). */
export function enhancedStatus(text: string): string | undefined {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
}

function describe(e: SmtpErrorLike): string {
  const response = typeof e.response === 'string' ? e.response : undefined;
  const message = typeof e.message === 'string' ? e.message : 'unknown error';
  return (response ?? message).replace(/\s+/g, ' ').trim().slice(0, 300);
}
