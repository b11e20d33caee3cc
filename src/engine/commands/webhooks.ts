// Outbound webhook subscriptions: create (the whsec_ secret is shown once), list, delete, rotate
// the secret with an overlap, re-enable after a 410, the delivery log and a manual retry.
import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SECRET_PREFIX } from '../../core/webhookSignature.ts';
import type { Cursor } from '../../db/cursor.ts';
import type { Db } from '../../db/database.ts';
import {
  deleteTarget,
  getTarget,
  insertTarget,
  listTargets,
  rotateTargetSecret,
  setTargetStatus,
  type TargetRow,
} from '../../db/outbound.ts';
import { listDeliveries, retryDelivery } from '../../db/outboundDeliveries.ts';
import { sealJson, targetSecret, type SecretKeys } from '../accounts/secrets.ts';
import type { AddressPolicy } from '../outbound/addressPolicy.ts';
import { checkOutboundUrl } from '../outbound/http.ts';

export type WebhookView = {
  id: string;
  url: string;
  events: string[];
  status: 'enabled' | 'disabled';
  statusReason: string | null;
  createdAt: string;
};

export class WebhookInputError extends Error {}

const view = (row: TargetRow): WebhookView => ({
  id: row.id,
  url: row.url ?? '',
  events: row.events,
  status: row.status === 'enabled' ? 'enabled' : 'disabled',
  statusReason: row.statusReason,
  createdAt: row.createdAt,
});

const newSecret = () => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** The URL's scheme and address; a host name is resolved now too (and checked again at every connection). */
export async function checkReceiverUrl(url: string, policy: AddressPolicy): Promise<void> {
  const problem = checkOutboundUrl(url, policy);
  if (problem) throw new WebhookInputError(`url ${problem}`);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return;
  const addresses = await lookup(host, { all: true }).catch(() => []);
  const refused = addresses.find((a) => !policy.allows(host, a.address));
  if (refused)
    throw new WebhookInputError(
      `url: ${host} resolves to ${refused.address}, a private, loopback or link-local address`,
    );
}

export async function createWebhook(
  deps: SecretKeys & { db: Db; policy: AddressPolicy },
  input: { workspaceId: string; url: string; events: readonly string[] },
): Promise<WebhookView & { secret: string }> {
  await checkReceiverUrl(input.url, deps.policy);
  const secret = newSecret();
  const id = randomUUID();
  const row = await deps.db.tenant(input.workspaceId, (sql) =>
    insertTarget(sql, {
      id,
      workspaceId: input.workspaceId,
      kind: 'webhook',
      url: input.url,
      events: [...new Set(input.events)],
      secret: sealJson(deps, targetSecret({ id, workspaceId: input.workspaceId }), { secret }),
    }),
  );
  return { ...view(row), secret };
}

export async function listWebhooks(db: Db, workspaceId: string): Promise<WebhookView[]> {
  return (await db.tenant(workspaceId, (sql) => listTargets(sql, ['webhook']))).map(view);
}

export async function getWebhook(db: Db, workspaceId: string, id: string): Promise<WebhookView | undefined> {
  const row = await db.tenant(workspaceId, (sql) => getTarget(sql, id));
  return row?.kind === 'webhook' ? view(row) : undefined;
}

export async function deleteWebhook(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return db.tenant(workspaceId, async (sql) => (await getTarget(sql, id))?.kind === 'webhook' && deleteTarget(sql, id));
}

/** A new secret (returned once); the old one keeps signing, alongside, for `overlapHours`. */
export async function rotateWebhookSecret(
  deps: SecretKeys & { db: Db },
  input: { workspaceId: string; id: string; overlapHours: number; now: Date },
): Promise<(WebhookView & { secret: string; previousValidUntil: string }) | undefined> {
  const secret = newSecret();
  const previousUntil = new Date(input.now.getTime() + input.overlapHours * 3_600_000);
  const row = await deps.db.tenant(input.workspaceId, async (sql) =>
    (await getTarget(sql, input.id))?.kind === 'webhook'
      ? rotateTargetSecret(sql, {
          id: input.id,
          secret: sealJson(deps, targetSecret({ id: input.id, workspaceId: input.workspaceId }), { secret }),
          previousUntil,
        })
      : undefined,
  );
  return row ? { ...view(row), secret, previousValidUntil: previousUntil.toISOString() } : undefined;
}

export async function enableWebhook(db: Db, workspaceId: string, id: string): Promise<WebhookView | undefined> {
  return db.tenant(workspaceId, async (sql) => {
    if ((await getTarget(sql, id))?.kind !== 'webhook') return undefined;
    await setTargetStatus(sql, id, 'enabled', null);
    const row = await getTarget(sql, id);
    return row ? view(row) : undefined;
  });
}

export async function webhookDeliveries(
  db: Db,
  input: { workspaceId: string; id: string; limit: number; cursor?: Cursor; status?: string },
) {
  return db.tenant(input.workspaceId, async (sql) =>
    (await getTarget(sql, input.id))?.kind === 'webhook'
      ? listDeliveries(sql, { ...input, targetId: input.id })
      : undefined,
  );
}

export async function retryWebhookDelivery(
  db: Db,
  input: { workspaceId: string; id: string; deliveryId: string },
): Promise<'retrying' | 'not_found' | 'in_flight'> {
  return db.tenant(input.workspaceId, async (sql) => {
    if ((await getTarget(sql, input.id))?.kind !== 'webhook') return 'not_found';
    return retryDelivery(sql, { targetId: input.id, deliveryId: input.deliveryId });
  });
}
