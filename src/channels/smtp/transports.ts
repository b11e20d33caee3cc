// Pooled SMTP connections, cached by a hash of the credentials only: no tenant state, and two
// workspaces with the same mailbox share a pool exactly as they would share the mailbox. The cache
// is bounded; the least recently used pool is closed when a new one would exceed it.
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { dkimOptions } from '../email/mime.ts';
import type { SmtpCredentials } from './credentials.ts';

const MAX_POOLS = 64;
const pools = new Map<string, Transporter>();

export function transportFor(credentials: SmtpCredentials): Transporter {
  const key = createHash('sha256')
    .update(JSON.stringify(canonical(credentials)))
    .digest('hex');
  const existing = pools.get(key);
  if (existing) {
    // Re-insert: Map iteration order is insertion order, so the first key is the least recent.
    pools.delete(key);
    pools.set(key, existing);
    return existing;
  }
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 3,
    maxMessages: 100,
    host: credentials.host,
    port: credentials.port,
    secure: credentials.secure,
    // Never send a password in the clear: without implicit TLS, STARTTLS is required unless the
    // account explicitly opts out.
    requireTLS: !credentials.secure && credentials.requireTls !== false,
    ...(credentials.user && credentials.pass ? { auth: { user: credentials.user, pass: credentials.pass } } : {}),
    tls: credentials.allowSelfSigned ? { rejectUnauthorized: false } : {},
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    ...(credentials.dkim ? { dkim: dkimOptions(credentials.dkim) } : {}),
  });
  pools.set(key, transport);
  while (pools.size > MAX_POOLS) {
    const oldest = pools.keys().next().value;
    if (oldest === undefined) break;
    pools.get(oldest)?.close();
    pools.delete(oldest);
  }
  return transport;
}

/** Closes every pooled connection (shutdown, tests). */
export function closeSmtpTransports(): void {
  for (const transport of pools.values()) transport.close();
  pools.clear();
}

function canonical(credentials: SmtpCredentials): unknown[] {
  const c = credentials;
  return [
    c.host,
    c.port,
    c.secure,
    c.user,
    c.pass,
    c.requireTls,
    c.allowSelfSigned,
    c.dkim?.domainName,
    c.dkim?.keySelector,
    c.dkim?.privateKey,
  ];
}
