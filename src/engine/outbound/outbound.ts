// The outbound part of the engine, wired once: the address policy, the guarded HTTP client, each
// target kind's sender, and the outbox worker's one entry point.
import type { AdapterRegistry } from '../../channels/registry.ts';
import type { Db } from '../../db/database.ts';
import { remindOverdueHandoffs } from '../../db/handoffs.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../ports.ts';
import { createAddressPolicy, type AddressPolicy } from './addressPolicy.ts';
import { deliverDue, type OutboundDeps } from './deliver.ts';
import { createEmailSender } from './emailTarget.ts';
import { createOutboundHttp, type OutboundHttp } from './http.ts';
import type { TargetSenders } from './targets.ts';
import { crmSender } from './crm/crmTarget.ts';
import { hubspotClient } from './crm/hubspot.ts';
import { pipedriveClient } from './crm/pipedrive.ts';
import { sendSlack } from './slackTarget.ts';
import { sendWebhook } from './webhookTarget.ts';

export type OutboundOptions = {
  /** QUOTAHIT_OUTBOUND_ALLOW_HOSTS: internal receivers outbound requests may reach. */
  allowHosts?: readonly string[];
  /** Jitter of the back-off; Math.random when absent. */
  random?: () => number;
  /** Senders to use instead of the defaults, by target kind. */
  senders?: TargetSenders;
  /** The HTTP client's time limit (15 s). */
  timeoutMs?: number;
};

export type Outbound = {
  policy: AddressPolicy;
  http: OutboundHttp;
  /**
   * Marks hand-offs past their SLA as reminded, then delivers everything due now (the worker calls
   * it every second; tests call it on their clock).
   */
  deliverDue(input?: { limit?: number; maxRounds?: number }): Promise<number>;
};

export function createOutbound(
  base: { db: Db; clock: Clock; log: Logger; encryptionKey: Buffer; adapters: AdapterRegistry },
  options: OutboundOptions = {},
): Outbound {
  const policy = createAddressPolicy(options.allowHosts ?? []);
  const http = createOutboundHttp({ policy, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const deps: OutboundDeps = {
    ...base,
    http,
    random: options.random ?? Math.random,
    senders: {
      webhook: sendWebhook,
      slack: sendSlack,
      hubspot: crmSender(hubspotClient),
      pipedrive: crmSender(pipedriveClient),
      email: createEmailSender({ adapters: base.adapters, encryptionKey: base.encryptionKey }),
      ...options.senders,
    },
    leaseMs: 120_000,
  };
  return {
    policy,
    http,
    async deliverDue(input) {
      // Hand-offs past their SLA become handoff.reminder events first, delivered in this round.
      await base.db.system((sql) => remindOverdueHandoffs(sql, base.clock.now()));
      return deliverDue(deps, input ?? {});
    },
  };
}
