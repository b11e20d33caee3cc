// Email notification targets (POST /v1/integrations/email): hand-offs and their reminders mailed to
// the assignee through one of the workspace's email accounts, or through an SMTP account given
// here (sealed like every credential, never echoed back).
import validator from 'validator';
import type { AdapterRegistry } from '../../channels/registry.ts';
import type { Db } from '../../db/database.ts';
import { insertTarget } from '../../db/outbound.ts';
import { getSenderRow } from '../../db/senders.ts';
import { encryptJson } from '../accounts/secrets.ts';
import type { EmailTargetSettings } from '../outbound/emailTarget.ts';
import { WebhookInputError } from './webhooks.ts';
import { NOTIFICATION_EVENTS, type IntegrationView } from './integrations.ts';

export type EmailNotificationInput = {
  workspaceId: string;
  /** One of the workspace's email accounts (POST /v1/senders). */
  senderId?: string;
  /** Or an SMTP account of its own (the SMTP provider's credentials), with the address it sends from. */
  smtp?: Record<string, unknown>;
  fromEmail?: string;
  fromName?: string;
  /** Where hand-offs nobody is assigned to go. */
  to?: string;
  events?: readonly string[];
};

export type EmailNotificationView = IntegrationView & { senderId: string | null; fromEmail: string; to: string | null };

const refuse = (message: string): never => {
  throw new WebhookInputError(message);
};

async function settingsOf(
  deps: { db: Db; adapters: AdapterRegistry },
  input: EmailNotificationInput,
): Promise<EmailTargetSettings & { fromEmail: string }> {
  if (input.to !== undefined && !validator.isEmail(input.to)) refuse('to: not an email address');
  const to = input.to ? { to: input.to } : {};
  if ((input.senderId === undefined) === (input.smtp === undefined))
    refuse('give either senderId (one of your email accounts) or smtp (an SMTP account), not both or neither');
  if (input.senderId !== undefined) {
    if (input.fromEmail !== undefined || input.fromName !== undefined)
      refuse('fromEmail and fromName come from the sending account when senderId is given');
    const senderId = input.senderId;
    const sender = await deps.db.tenant(input.workspaceId, (sql) => getSenderRow(sql, senderId));
    if (!sender) refuse('senderId: no sending account with this id in the workspace');
    if (sender?.channel !== 'email' || !sender.fromEmail)
      refuse('senderId: not an email account (its channel must be email, with a fromEmail)');
    return { senderId, fromEmail: sender?.fromEmail ?? '', ...to };
  }
  const checked = deps.adapters.smtp.checkCredentials(input.smtp);
  if (!checked.ok) refuse(`smtp: ${checked.message}`);
  if (!input.fromEmail || !validator.isEmail(input.fromEmail))
    refuse('fromEmail: the address the SMTP account sends from is required');
  return {
    fromEmail: input.fromEmail ?? '',
    ...(input.fromName ? { fromName: input.fromName } : {}),
    ...to,
  };
}

export async function createEmailNotification(
  deps: { db: Db; encryptionKey: Buffer; adapters: AdapterRegistry },
  input: EmailNotificationInput,
): Promise<EmailNotificationView> {
  const settings = await settingsOf(deps, input);
  const row = await deps.db.tenant(input.workspaceId, (sql) =>
    insertTarget(sql, {
      workspaceId: input.workspaceId,
      kind: 'email',
      url: null,
      events: [...new Set(input.events ?? NOTIFICATION_EVENTS)],
      secret: encryptJson(deps.encryptionKey, input.smtp ? { smtp: input.smtp } : {}),
      settings,
    }),
  );
  return {
    id: row.id,
    kind: 'email',
    events: row.events,
    status: 'enabled',
    statusReason: null,
    settings: row.settings,
    createdAt: row.createdAt,
    senderId: settings.senderId ?? null,
    fromEmail: settings.fromEmail,
    to: settings.to ?? null,
  };
}
