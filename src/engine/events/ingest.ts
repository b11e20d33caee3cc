// Provider webhooks, never lost: verified, stored raw with the provider's event id (unique) and
// acknowledged only after that commit; acting on them is the `inbound/event.received` job. A
// redelivered event finds its row and changes nothing. Today: Resend (Svix-signed).
import { parseResendEvent, verifySvix, type HeaderBag, type ResendEmailEvent } from '../../channels/resend/webhook.ts';
import { classifyMachineTraffic } from '../../core/tracking.ts';
import type { Db } from '../../db/database.ts';
import { applyEmailEvent, type EmailEvent } from './emailEvents.ts';
import type { EngineDeps } from '../ports.ts';
import { openCredentials } from '../accounts/credentials.ts';

export type WebhookReceipt =
  | { status: 200; eventId: string | null; duplicate: boolean; ignored?: string }
  | { status: 400 | 401; message: string };

/** Every Resend signing secret we know, with the workspace a per-account secret belongs to. */
async function resendSecrets(deps: EngineDeps): Promise<{ secret: string; workspaceId?: string }[]> {
  const rows = await deps.db.system(async (sql) => {
    const result = await sql.query<{ workspaceId: string; credentials: Buffer | null }>(
      `SELECT workspace_id AS "workspaceId", credentials FROM senders
        WHERE provider = 'resend' AND deleted_at IS NULL AND credentials IS NOT NULL`,
    );
    return result.rows;
  });
  const secrets: { secret: string; workspaceId?: string }[] = [];
  for (const row of rows) {
    try {
      const secret = openCredentials(deps.encryptionKey, row.credentials).extras.webhookSecret;
      if (secret) secrets.push({ secret, workspaceId: row.workspaceId });
    } catch {
      // Credentials sealed with another key cannot verify anything.
    }
  }
  if (deps.email.resendWebhookSecret) secrets.push({ secret: deps.email.resendWebhookSecret });
  return secrets;
}

export async function receiveResendWebhook(
  deps: EngineDeps,
  input: { headers: HeaderBag; rawBody: Buffer },
): Promise<WebhookReceipt> {
  const secrets = await resendSecrets(deps);
  if (secrets.length === 0) {
    return {
      status: 401,
      message: 'no Resend webhook secret is configured: set RESEND_WEBHOOK_SECRET or the account\'s "webhookSecret"',
    };
  }
  const now = deps.clock.now();
  // Every secret is tried: one Resend account (one secret) may be registered in several workspaces,
  // and the event belongs to whichever of them has the message.
  let verified: { id: string; workspaceIds: string[]; global: boolean } | undefined;
  let reason = '';
  for (const candidate of secrets) {
    const verdict = verifySvix({ secret: candidate.secret, headers: input.headers, rawBody: input.rawBody, now });
    if (!verdict.ok) {
      reason = verdict.reason;
      continue;
    }
    verified ??= { id: verdict.id, workspaceIds: [], global: false };
    if (candidate.workspaceId) verified.workspaceIds.push(candidate.workspaceId);
    else verified.global = true;
  }
  if (!verified) return { status: 401, message: `invalid Resend webhook signature: ${reason}` };
  const { workspaceIds, global } = verified;

  let body: unknown;
  try {
    body = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return { status: 400, message: 'webhook body is not JSON' };
  }
  const parsed = parseResendEvent(body, verified.id);
  if (!parsed.ok) {
    if (parsed.reason.startsWith('unhandled event type'))
      return { status: 200, eventId: null, duplicate: false, ignored: parsed.reason };
    return { status: 400, message: `malformed Resend event: ${parsed.reason}` };
  }
  const event = parsed.event;
  const stored = await deps.db.system(async (sql) => {
    const { rows: owners } = await sql.query<{ workspaceId: string }>(
      `SELECT workspace_id AS "workspaceId" FROM messages
        WHERE provider = 'resend' AND provider_message_id = $1 AND ($2 OR workspace_id = ANY ($3::uuid[])) LIMIT 1`,
      [event.providerMessageId, global, workspaceIds],
    );
    const owner = owners[0]?.workspaceId ?? (workspaceIds.length === 1 && !global ? workspaceIds[0] : null);
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO inbound_events (workspace_id, provider, provider_event_id, payload, received_at)
       VALUES ($1, 'resend', $2, $3, $4) ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id`,
      [owner, event.providerEventId, JSON.stringify(body), now],
    );
    return rows[0]?.id;
  });
  return { status: 200, eventId: stored ?? null, duplicate: stored === undefined };
}

/** inbound/event.received: acts on a stored event once (processed_at is set in the same commit). */
export async function processInboundEvent(deps: EngineDeps, eventId: string): Promise<void> {
  const row = await deps.db.system(async (sql) => {
    const { rows } = await sql.query<{
      workspaceId: string | null;
      provider: string;
      providerEventId: string;
      payload: unknown;
      processedAt: Date | null;
    }>(
      `SELECT workspace_id AS "workspaceId", provider, provider_event_id AS "providerEventId", payload,
              processed_at AS "processedAt" FROM inbound_events WHERE id = $1`,
      [eventId],
    );
    return rows[0];
  });
  if (!row || row.processedAt) return;
  const finish = (db: Db, outcome: string) =>
    db.system((sql) =>
      sql.query(`UPDATE inbound_events SET processed_at = $2, outcome = $3 WHERE id = $1 AND processed_at IS NULL`, [
        eventId,
        deps.clock.now(),
        outcome,
      ]),
    );
  const parsed = row.provider === 'resend' ? parseResendEvent(row.payload, row.providerEventId) : undefined;
  if (!parsed?.ok || !row.workspaceId) {
    await finish(deps.db, row.workspaceId ? 'not an event we act on' : 'no message of ours');
    return;
  }
  const event = parsed.event;
  const workspaceId = row.workspaceId;
  const now = deps.clock.now();
  const outcome = await deps.db.tenant(workspaceId, async (sql) => {
    const { rows } = await sql.query<{ id: string; sentAt: Date | null }>(
      `SELECT id, sent_at AS "sentAt" FROM messages WHERE provider = 'resend' AND provider_message_id = $1 LIMIT 1`,
      [event.providerMessageId],
    );
    const message = rows[0];
    if (!message) return 'no message of ours';
    const mapped = toEmailEvent(event, message.sentAt);
    if (!mapped) return `${event.type}: nothing to do`;
    const result = await applyEmailEvent(sql, {
      messageId: message.id,
      event: mapped,
      occurredAt: new Date(event.occurredAt),
      now,
      eventKey: `resend:${event.providerEventId}`,
    });
    return `${event.type}: ${result}`;
  });
  await finish(deps.db, outcome);
}

function toEmailEvent(event: ResendEmailEvent, sentAt: Date | null): EmailEvent | undefined {
  switch (event.type) {
    case 'sent':
    case 'delivery_delayed':
      return undefined;
    case 'delivered':
      return { type: 'delivered' };
    case 'opened': {
      // Resend reports an open with no user agent and no address, so nothing tells a person from a
      // privacy proxy or a scanner. Judged by the rules every pixel hit goes through (no user agent:
      // a machine), it is stored as provider-reported and never counted; the human opens of Resend
      // mail are counted by our own pixel, which sees who fetched it.
      const verdict = classifyMachineTraffic({
        method: 'GET',
        userAgent: undefined,
        secondsSinceDelivery: secondsSince(sentAt, event.occurredAt),
        kind: 'open',
      });
      return {
        type: 'opened',
        machine: verdict.machine,
        ...(verdict.reason ? { machineReason: `reported by Resend: ${verdict.reason}` } : {}),
      };
    }
    case 'clicked': {
      const verdict = classifyMachineTraffic({
        method: 'GET',
        // Without a user agent only the timing rule can tell.
        userAgent: event.userAgent ?? 'Mozilla/5.0 (unknown)',
        ...(event.ip ? { ip: event.ip } : {}),
        secondsSinceDelivery: secondsSince(sentAt, event.occurredAt),
        kind: 'click',
      });
      return {
        type: 'clicked',
        machine: verdict.machine,
        ...(verdict.reason ? { machineReason: verdict.reason } : {}),
        ...(event.url ? { url: event.url } : {}),
        ...(event.userAgent ? { userAgent: event.userAgent } : {}),
      };
    }
    case 'bounced':
      return {
        type: 'bounced',
        bounceType: event.bounceType ?? 'soft',
        via: 'resend',
        ...(event.bounceMessage ? { reason: event.bounceMessage } : {}),
      };
    case 'complained':
      return { type: 'complained', via: 'resend' };
  }
}

function secondsSince(sentAt: Date | null, occurredAt: string): number {
  return sentAt ? (Date.parse(occurredAt) - sentAt.getTime()) / 1000 : Infinity;
}

/** Stored events nobody processed (a lost job): the worker's sweep runs them. */
export async function pendingInboundEvents(db: Db, olderThan: Date, limit = 100): Promise<string[]> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM inbound_events WHERE processed_at IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((r) => r.id);
  });
}
