// Notification and CRM targets of a workspace (POST/GET/DELETE /v1/integrations): a
// Slack-compatible incoming webhook today; its URL is a secret, sealed and never echoed back.
import type { Db } from '../../db/database.ts';
import { deleteTarget, getTarget, insertTarget, listTargets, type TargetRow } from '../../db/outbound.ts';
import { sealJson, targetSecret, type SecretKeys } from '../accounts/secrets.ts';
import { randomUUID } from 'node:crypto';
import type { AddressPolicy } from '../outbound/addressPolicy.ts';
import { checkReceiverUrl } from './webhooks.ts';

export const INTEGRATION_KINDS = ['slack'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];
export const NOTIFICATION_EVENTS = ['contact.handed_off', 'handoff.reminder'] as const;

export type IntegrationView = {
  id: string;
  kind: IntegrationKind;
  events: string[];
  status: 'enabled' | 'disabled';
  statusReason: string | null;
  createdAt: string;
};

const view = (row: TargetRow): IntegrationView => ({
  id: row.id,
  kind: row.kind as IntegrationKind,
  events: row.events,
  status: row.status === 'enabled' ? 'enabled' : 'disabled',
  statusReason: row.statusReason,
  createdAt: row.createdAt,
});

export async function createIntegration(
  deps: SecretKeys & { db: Db; policy: AddressPolicy },
  input: { workspaceId: string; kind: IntegrationKind; url: string; events?: readonly string[] },
): Promise<IntegrationView> {
  await checkReceiverUrl(input.url, deps.policy);
  const id = randomUUID();
  const row = await deps.db.tenant(input.workspaceId, (sql) =>
    insertTarget(sql, {
      id,
      workspaceId: input.workspaceId,
      kind: input.kind,
      url: null,
      events: [...new Set(input.events ?? NOTIFICATION_EVENTS)],
      secret: sealJson(deps, targetSecret({ id, workspaceId: input.workspaceId }), { url: input.url }),
    }),
  );
  return view(row);
}

export async function listIntegrations(db: Db, workspaceId: string): Promise<IntegrationView[]> {
  return (await db.tenant(workspaceId, (sql) => listTargets(sql, INTEGRATION_KINDS))).map(view);
}

export async function deleteIntegration(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return db.tenant(workspaceId, async (sql) => {
    const row = await getTarget(sql, id);
    return row !== undefined && row.kind !== 'webhook' && deleteTarget(sql, id);
  });
}
