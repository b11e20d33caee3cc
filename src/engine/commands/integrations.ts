// Notification and CRM targets of a workspace (POST/GET/DELETE /v1/integrations): a
// Slack-compatible incoming webhook (its URL is a secret), HubSpot and Pipedrive (their tokens
// are secrets); secrets are sealed and never echoed back, the CRM's settings are shown.
import type { Cursor } from '../../db/cursor.ts';
import type { Db } from '../../db/database.ts';
import { listDeliveries, retryDelivery } from '../../db/outboundDeliveries.ts';
import { deleteTarget, getTarget, insertTarget, listTargets, type TargetRow } from '../../db/outbound.ts';
import { encryptJson } from '../accounts/secrets.ts';
import type { AddressPolicy } from '../outbound/addressPolicy.ts';
import { HUBSPOT_BASE_URL } from '../outbound/crm/hubspot.ts';
import { CRM_EVENTS, type CrmSettingsInput } from '../outbound/crm/crmSettings.ts';
import { PIPEDRIVE_BASE_URL } from '../outbound/crm/pipedrive.ts';
import { checkReceiverUrl, WebhookInputError } from './webhooks.ts';

export const INTEGRATION_KINDS = ['slack', 'hubspot', 'pipedrive'] as const;
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
  /** A CRM's base URL, pipeline, deal stage, stage mapping and stage property; empty for Slack. */
  settings: Record<string, unknown>;
  createdAt: string;
};

export type IntegrationInput = CrmSettingsInput & {
  workspaceId: string;
  kind: (typeof INTEGRATION_KINDS)[number];
  url?: string;
  token?: string;
  baseUrl?: string;
  events?: readonly string[];
};

const view = (row: TargetRow): IntegrationView => ({
  id: row.id,
  kind: row.kind as IntegrationKind,
  events: row.events,
  status: row.status === 'enabled' ? 'enabled' : 'disabled',
  statusReason: row.statusReason,
  settings: row.settings,
  createdAt: row.createdAt,
});

/** What is sealed (the secret), what is shown (settings), and the default events of a kind. */
function targetParts(input: IntegrationInput): {
  secret: Record<string, string>;
  check: string;
  settings: Record<string, unknown>;
  events: readonly string[];
} {
  if (input.kind === 'slack') {
    if (!input.url) throw new WebhookInputError('url is required for a Slack-compatible webhook');
    return { secret: { url: input.url }, check: input.url, settings: {}, events: NOTIFICATION_EVENTS };
  }
  if (!input.token) throw new WebhookInputError(`token is required for ${input.kind}`);
  if (!input.dealStage)
    throw new WebhookInputError(`dealStage is required for ${input.kind} (the stage of a hand-off's deal)`);
  if (input.kind === 'pipedrive') {
    const ids = { pipeline: input.pipeline, dealStage: input.dealStage, ...input.stages };
    const bad = Object.entries(ids).find(([, id]) => id !== undefined && !/^\d+$/.test(id));
    if (bad) throw new WebhookInputError(`${bad[0]} must be a Pipedrive id (a number), not ${bad[1]}`);
  }
  const baseUrl = input.baseUrl ?? (input.kind === 'hubspot' ? HUBSPOT_BASE_URL : PIPEDRIVE_BASE_URL);
  const { pipeline, dealStage, stages, stageProperty } = input;
  return {
    secret: { token: input.token },
    check: baseUrl,
    settings: {
      baseUrl,
      dealStage,
      ...(pipeline ? { pipeline } : {}),
      ...(stages ? { stages } : {}),
      ...(stageProperty ? { stageProperty } : {}),
    },
    events: CRM_EVENTS,
  };
}

export async function createIntegration(
  deps: { db: Db; encryptionKey: Buffer; policy: AddressPolicy },
  input: IntegrationInput,
): Promise<IntegrationView> {
  const parts = targetParts(input);
  await checkReceiverUrl(parts.check, deps.policy).catch((error: unknown) => {
    if (input.kind !== 'slack' && error instanceof WebhookInputError)
      throw new WebhookInputError(error.message.replace(/^url/, 'baseUrl'));
    throw error;
  });
  const row = await deps.db.tenant(input.workspaceId, (sql) =>
    insertTarget(sql, {
      workspaceId: input.workspaceId,
      kind: input.kind,
      url: null,
      events: [...new Set(input.events ?? parts.events)],
      secret: encryptJson(deps.encryptionKey, parts.secret),
      settings: parts.settings,
    }),
  );
  return view(row);
}

export async function listIntegrations(db: Db, workspaceId: string): Promise<IntegrationView[]> {
  return (await db.tenant(workspaceId, (sql) => listTargets(sql, LISTED_KINDS))).map(view);
}

const isIntegration = (row: TargetRow | undefined) => row !== undefined && row.kind !== 'webhook';

export async function deleteIntegration(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return db.tenant(workspaceId, async (sql) => isIntegration(await getTarget(sql, id)) && deleteTarget(sql, id));
}

/** The delivery log of a notification or CRM target (each event, its attempts, the last answer). */
export async function integrationDeliveries(
  db: Db,
  input: { workspaceId: string; id: string; limit: number; cursor?: Cursor; status?: string },
) {
  return db.tenant(input.workspaceId, async (sql) =>
    isIntegration(await getTarget(sql, input.id)) ? listDeliveries(sql, { ...input, targetId: input.id }) : undefined,
  );
}

export async function retryIntegrationDelivery(
  db: Db,
  input: { workspaceId: string; id: string; deliveryId: string },
): Promise<'retrying' | 'not_found' | 'in_flight'> {
  return db.tenant(input.workspaceId, async (sql) =>
    isIntegration(await getTarget(sql, input.id))
      ? retryDelivery(sql, { targetId: input.id, deliveryId: input.deliveryId })
      : 'not_found',
  );
}
