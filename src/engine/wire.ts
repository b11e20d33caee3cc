// The running program's engine: real clock, every adapter with its installation settings, the
// writer (offline composer unless a model is configured) and, for workers, the pg-boss queue.
import { createRecipientChecker } from '../channels/email/recipientCheck.ts';
import { defaultAdapters, type AdapterRegistry, type ProviderSettingsMap } from '../channels/registry.ts';
import type { EmailConfig } from '../config.ts';
import type { OpenDatabase } from '../db/open.ts';
import type { ModelConfig } from '../writer/llm/modelConfig.ts';
import { systemClock } from './clock.ts';
import { createEngine, type Engine } from './engine.ts';
import { resolvePublicLinks } from './links.ts';
import type { Logger } from './ports.ts';
import { startQueue, type Queue } from './queue.ts';
import { createWriting } from './stepWriter.ts';

export async function wireEngine(
  database: OpenDatabase,
  options: {
    log: Logger;
    queue: boolean;
    leaseMs?: number;
    sendTimeoutMs?: number;
    /** PUBLIC_URL, the tracking settings and the polling period of Config. */
    publicUrl?: string;
    email?: EmailConfig;
    /** Each provider's installation settings (Config.providers). */
    providers?: ProviderSettingsMap;
    /** The model that writes messages and classifies replies; none = offline composer and heuristics. */
    model?: ModelConfig;
    /** QUOTAHIT_DNS_SERVERS: where the recipients' MX lookups go (the system's resolver when absent). */
    dnsServers?: readonly string[];
    /** QUOTAHIT_OUTBOUND_ALLOW_HOSTS: internal receivers of webhooks and integrations. */
    outboundAllowHosts?: readonly string[];
    /** LINKEDIN_PENDING_EXPIRY_DAYS: when a pending connection request counts as declined. */
    linkedinPendingExpiryDays?: number;
    /** LINKEDIN_BATCH_LAUNCHES: batched LinkedIn launches through a spreadsheet URL on PUBLIC_URL. */
    linkedinBatchLaunches?: boolean;
  },
): Promise<{ engine: Engine; adapters: AdapterRegistry; queue?: Queue }> {
  const adapters = defaultAdapters(options.providers ?? {});
  const writing = createWriting(options.model ? { model: options.model } : {});
  const queue = options.queue ? await startQueue({ url: database.url, log: options.log }) : undefined;
  const engine = createEngine({
    db: database.db,
    clock: systemClock,
    adapters,
    writer: writing.writer,
    classify: writing.classify,
    encryptionKey: database.encryptionKey,
    previousEncryptionKeys: database.previousEncryptionKeys,
    log: options.log,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.sendTimeoutMs ? { sendTimeoutMs: options.sendTimeoutMs } : {}),
    ...(queue ? { queue } : {}),
    links: resolvePublicLinks({
      // The oldest key listed: links already sent stay valid across a rotation (docs/security.md).
      encryptionKey: database.previousEncryptionKeys.at(-1) ?? database.encryptionKey,
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.email?.trackingBaseUrl ? { trackingBaseUrl: options.email.trackingBaseUrl } : {}),
      ...(options.email?.trackingSecret ? { trackingSecret: options.email.trackingSecret } : {}),
      ...(options.email?.clicks ? { clicks: options.email.clicks } : {}),
    }),
    ...(options.email ? { replyPollSeconds: options.email.replyPollSeconds } : {}),
    ...(options.dnsServers ? { recipients: createRecipientChecker({ servers: options.dnsServers }) } : {}),
    outbound: { allowHosts: options.outboundAllowHosts ?? [] },
    ...(options.linkedinPendingExpiryDays ? { linkedinRequestExpiryDays: options.linkedinPendingExpiryDays } : {}),
    linkedinBatchLaunches: options.linkedinBatchLaunches === true,
  });
  return { engine, adapters, ...(queue ? { queue } : {}) };
}
