// An adapter as the engine holds it: its installation settings bound, its credential type erased.
// Credentials arrive as stored (unknown) and are parsed by the adapter's own schema at each call,
// so the engine never needs to know a provider's credential shape.
import type { z } from 'zod';
import type {
  AccountAddress,
  AdapterContext,
  ChannelAdapter,
  ConnectionCheck,
  ConnectionContext,
  Conversation,
  DialRequest,
  DialResult,
  LookupContext,
  LookupResult,
  OAuthExchange,
  OutboundMessage,
  Pace,
  PacedWork,
  ParsedWebhook,
  PollResult,
  PrepareContext,
  PreparedMessage,
  TemplateList,
  Screen,
  SenderDns,
  SendResult,
  WebhookRequest,
  WebhookVerdict,
} from './types.ts';
import type { Channel } from '../core/channels.ts';

type BatchContext = AdapterContext & { spreadsheetUrl: string };

export type CredentialCheck = { ok: true } | { ok: false; message: string };

export type RegisteredAdapter = {
  provider: string;
  label?: string;
  channels: readonly Channel[];
  idempotent: boolean;
  idempotencyWindowMs?: number;
  senderDns?: SenderDns;
  screens?: readonly Screen[];
  credentialParts?: readonly string[];
  credentialAliases?: Readonly<Record<string, string>>;
  /** Validates stored or submitted credentials; the message names the bad field. */
  checkCredentials(raw: unknown): CredentialCheck;
  send(message: OutboundMessage, credentials: unknown, context: AdapterContext): Promise<SendResult>;
  sendBatch?(messages: readonly OutboundMessage[], credentials: unknown, context: BatchContext): Promise<SendResult>;
  /** Most messages one sendBatch carries. */
  batchMax?: number;
  lookup(messageId: string, credentials: unknown, context: LookupContext): Promise<LookupResult>;
  prepare?(
    message: OutboundMessage,
    conversation: Conversation,
    context: PrepareContext & { credentials: unknown },
  ): Promise<PreparedMessage>;
  webhook?: {
    /** Verifies with one account's credentials, or with the installation's settings (undefined). */
    verify(request: WebhookRequest, credentials: unknown, now: Date): WebhookVerdict;
    verifiesWithSettings: boolean;
    accountKey?(request: WebhookRequest): string | readonly string[] | undefined;
    accountKeyOf?(credentials: unknown, account?: AccountAddress): string | undefined;
    parse(request: WebhookRequest, verdict: { eventId?: string }): ParsedWebhook;
    handshake?(request: WebhookRequest, accounts: readonly unknown[]): { status: number; body: string };
    secretHint?: string;
    acknowledge?: { contentType: string; body: string };
    refusalStatus?: 401 | 403;
  };
  poll?: {
    pollable(credentials: unknown): boolean;
    poll(
      credentials: unknown,
      cursor: Record<string, unknown>,
      context: AdapterContext & { now: Date },
    ): Promise<PollResult<unknown>>;
  };
  checkConnection?(credentials: unknown, context: ConnectionContext): Promise<ConnectionCheck[]>;
  listTemplates?(credentials: unknown, context: AdapterContext): Promise<TemplateList>;
  dial?(request: DialRequest, credentials: unknown, context: AdapterContext): Promise<DialResult>;
  pace?(work: PacedWork, credentials: unknown, account: AccountAddress): Pace | undefined;
  oauth?: {
    name: string;
    label: string;
    notConfigured(): string | undefined;
    authorizeUrl(input: { state: string; redirectUri: string; loginHint?: string }): string;
    exchange(
      input: { code: string; redirectUri: string },
      context: AdapterContext & { now: Date },
    ): Promise<OAuthExchange<unknown>>;
  };
};

/** The settings of a provider with none configured (its variables' defaults). */
export function defaultSettings<C, S, P extends string>(adapter: ChannelAdapter<C, S, P>): S {
  return (adapter.settings ? adapter.settings.resolve(adapter.settings.env.parse({})) : undefined) as S;
}

export function describeIssues(error: z.ZodError, root = 'credentials'): string {
  return error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`).join('; ');
}

export function register<C, S, P extends string>(
  adapter: ChannelAdapter<C, S, P>,
  settings: S = defaultSettings(adapter),
): RegisteredAdapter {
  const parse = (raw: unknown): C => adapter.credentials.parse(raw);
  const withSettings = <X extends AdapterContext>(context: X): X => ({ ...context, settings });
  const batch = adapter.sendBatch;
  const registered: RegisteredAdapter = {
    provider: adapter.provider,
    label: adapter.label,
    channels: adapter.channels,
    idempotent: adapter.idempotent,
    ...(adapter.idempotencyWindowMs === undefined ? {} : { idempotencyWindowMs: adapter.idempotencyWindowMs }),
    ...(adapter.senderDns === undefined ? {} : { senderDns: adapter.senderDns }),
    screens: adapter.screens ?? [],
    credentialParts: adapter.credentialParts ?? [],
    credentialAliases: adapter.credentialAliases ?? {},
    checkCredentials(raw) {
      const parsed = adapter.credentials.safeParse(raw);
      return parsed.success ? { ok: true } : { ok: false, message: describeIssues(parsed.error) };
    },
    send: (message, raw, context) => adapter.send(message, parse(raw), withSettings(context)),
    ...(batch
      ? {
          batchMax: adapter.batchMax ?? 1,
          sendBatch: (messages: readonly OutboundMessage[], raw: unknown, context: BatchContext) =>
            batch.call(adapter, messages, parse(raw), withSettings(context)),
        }
      : {}),
    lookup: (messageId, raw, context) => adapter.lookup(messageId, parse(raw), withSettings(context)),
  };
  const { prepare, webhook, poll, checkConnection, listTemplates, oauth, dial, pace } = adapter;
  if (dial) registered.dial = (request, raw, context) => dial(request, parse(raw), withSettings(context));
  if (pace) registered.pace = (work, raw, account) => pace(work, parse(raw), account);
  if (prepare)
    registered.prepare = async (message, conversation, context) =>
      prepare(message, conversation, { ...context, credentials: parse(context.credentials) });
  if (webhook)
    registered.webhook = {
      verify: (request, raw, now) =>
        webhook.verify(request, { ...(raw === undefined ? {} : { credentials: parse(raw) }), settings }, now),
      verifiesWithSettings: webhook.verifiesWithSettings?.(settings) ?? false,
      ...(webhook.accountKey ? { accountKey: (request: WebhookRequest) => webhook.accountKey?.(request) } : {}),
      ...(webhook.accountKeyOf
        ? {
            accountKeyOf: (raw: unknown, account?: AccountAddress) => {
              const parsed = adapter.credentials.safeParse(raw);
              return parsed.success ? webhook.accountKeyOf?.(parsed.data, account) : undefined;
            },
          }
        : {}),
      parse: (request, verdict) => webhook.parse(request, verdict),
      ...(webhook.handshake
        ? {
            handshake: (request: WebhookRequest, accounts: readonly unknown[]) =>
              webhook.handshake?.(
                request,
                accounts.flatMap((raw) => {
                  const parsed = adapter.credentials.safeParse(raw);
                  return parsed.success ? [parsed.data] : [];
                }),
              ) ?? { status: 404, body: '' },
          }
        : {}),
      ...(webhook.secretHint ? { secretHint: webhook.secretHint } : {}),
      ...(webhook.acknowledge ? { acknowledge: webhook.acknowledge } : {}),
      ...(webhook.refusalStatus ? { refusalStatus: webhook.refusalStatus } : {}),
    };
  if (poll)
    registered.poll = {
      pollable: (raw) => {
        const parsed = adapter.credentials.safeParse(raw);
        return parsed.success && poll.pollable(parsed.data);
      },
      poll: (raw, cursor, context) => poll.poll(parse(raw), cursor, withSettings(context)),
    };
  if (checkConnection)
    registered.checkConnection = (raw, context) => checkConnection(parse(raw), withSettings(context));
  if (listTemplates) registered.listTemplates = (raw, context) => listTemplates(parse(raw), withSettings(context));
  if (oauth)
    registered.oauth = {
      name: oauth.name,
      label: oauth.label,
      notConfigured: () => oauth.notConfigured(settings),
      authorizeUrl: (input) => oauth.authorizeUrl(settings, input),
      exchange: (input, context) => oauth.exchange(settings, input, withSettings(context)),
    };
  return registered;
}
