// Notification and CRM targets of a workspace (POST/GET/DELETE /v1/integrations): a
// Slack-compatible incoming webhook today; its URL is a secret, sealed and never echoed back.
import type { Db } from '../../db/database.ts';
import { deleteTarget, getTarget, insertTarget, listTargets, type TargetRow } from '../../db/outbound.ts';
import { encryptJson } from '../accounts/secrets.ts';
import type { AddressPolicy } from '../outbound/addressPolicy.ts';
import { checkReceiverUrl } from './webhooks.ts';

export const INTEGRATION_KINDS = ['slack'] as const;
/** Kinds GET /v1/integrations lists: email targets are made by POST /v1/integrations/email. */
export const LISTED_KINDS = [...INTEGRATION_KINDS, 'email'] as const;
export type IntegrationKind = (typeof LISTED_KINDS)[number];
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
  deps: { db: Db; encryptionKey: Buffer; policy: AddressPolicy },
  input: { workspaceId: string; kind: (typeof INTEGRATION_KINDS)[number]; url: string; events?: readonly string[] },
): Promise<IntegrationView> {
  await checkReceiverUrl(input.url, deps.policy);
  const row = await deps.db.tenant(input.workspaceId, (sql) =>
    insertTarget(sql, {
      workspaceId: input.workspaceId,
      kind: input.kind,
      url: null,
      events: [...new Set(input.events ?? NOTIFICATION_EVENTS)],
      secret: encryptJson(deps.encryptionKey, { url: input.url }),
    }),
  );
  return view(row);
}

export async function listIntegrations(db: Db, workspaceId: string): Promise<IntegrationView[]> {
  return (await db.tenant(workspaceId, (sql) => listTargets(sql, LISTED_KINDS))).map(view);
}

export async function deleteIntegration(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return db.tenant(workspaceId, async (sql) => {
    const row = await getTarget(sql, id);
    return row !== undefined && row.kind !== 'webhook' && deleteTarget(sql, id);
  });
}
