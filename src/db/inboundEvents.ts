// Provider webhooks as received: stored raw with the provider's delivery id and the events the
// adapter parsed from them, before anything acts on them; processed once. A delivery id is unique
// within its provider and dedupe scope (who vouched for the request: the verifying workspaces, the
// installation's own secret, or the polled account's workspace), never across tenants.
import type { KeyedEvent } from '../core/events.ts';
import type { Db, Sql } from './database.ts';

/** The workspaces a stored request may concern, as its verification showed. */
export type OwnerCandidates = { workspaceIds: string[]; global: boolean };

export type StoredInbound = {
  workspaceId: string | null;
  ownerCandidates: OwnerCandidates | null;
  receivedAt: Date;
  provider: string;
  providerEventId: string;
  payload: unknown;
  events: KeyedEvent[] | null;
  processedAt: Date | null;
};

/** The new row's id, or undefined when this delivery was already stored (a redelivery). System scope. */
export async function storeInboundEvent(
  sql: Sql,
  input: {
    workspaceId: string | null;
    provider: string;
    providerEventId: string;
    /** Who vouched for it (events/ingest.ts dedupeScope): redeliveries are recognized within it only. */
    dedupeScope: string;
    payload: unknown;
    events: KeyedEvent[];
    receivedAt: Date;
    ownerCandidates?: OwnerCandidates;
  },
): Promise<string | undefined> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO inbound_events (workspace_id, provider, provider_event_id, dedupe_scope, payload, events, received_at, owner_candidates)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (provider, dedupe_scope, provider_event_id) DO NOTHING RETURNING id`,
    [
      input.workspaceId,
      input.provider,
      input.providerEventId,
      input.dedupeScope,
      JSON.stringify(input.payload),
      JSON.stringify(input.events),
      input.receivedAt,
      input.ownerCandidates ? JSON.stringify(input.ownerCandidates) : null,
    ],
  );
  return rows[0]?.id;
}

export async function loadInboundEvent(sql: Sql, id: string): Promise<StoredInbound | undefined> {
  const { rows } = await sql.query<StoredInbound>(
    `SELECT workspace_id AS "workspaceId", provider, provider_event_id AS "providerEventId", payload, events,
            processed_at AS "processedAt", owner_candidates AS "ownerCandidates", received_at AS "receivedAt"
       FROM inbound_events WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function finishInboundEvent(db: Db, id: string, now: Date, outcome: string): Promise<void> {
  await db.system((sql) =>
    sql.query(`UPDATE inbound_events SET processed_at = $2, outcome = $3 WHERE id = $1 AND processed_at IS NULL`, [
      id,
      now,
      outcome,
    ]),
  );
}

/** The owner found on a later try (system scope). */
export async function setInboundOwner(sql: Sql, id: string, workspaceId: string): Promise<void> {
  await sql.query('UPDATE inbound_events SET workspace_id = $2 WHERE id = $1 AND workspace_id IS NULL', [
    id,
    workspaceId,
  ]);
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
