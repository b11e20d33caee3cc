// Every provider, by id: the one list. Adding a provider is one folder under src/channels/, its id
// in PROVIDER_IDS and one line in ADAPTERS (a missing or mismatched entry fails to compile). Its
// settings (environment variables) join the configuration from here, its webhooks are served at
// /webhooks/<id>, and its credentials are validated by its own schema.
import type { Channel } from '../core/channels.ts';
import { gallaboxAdapter } from './gallabox/adapter.ts';
import { gmailAdapter } from './gmail/adapter.ts';
import { httpAdapter } from './http/adapter.ts';
import { metaAdapter } from './meta/adapter.ts';
import { phantombusterAdapter } from './phantombuster/adapter.ts';
import { register, type RegisteredAdapter } from './register.ts';
import { resendAdapter } from './resend/adapter.ts';
import { sandboxAdapter } from './sandbox/adapter.ts';
import { smtpAdapter } from './smtp/adapter.ts';
import { twilioAdapter } from './twilio/adapter.ts';
import type { ChannelAdapter } from './types.ts';

export const PROVIDER_IDS = [
  'sandbox',
  'http',
  'smtp',
  'gmail',
  'resend',
  'meta',
  'gallabox',
  'phantombuster',
  'twilio',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Where a step goes when its channel has no account: stored, sent nowhere. */
export const FALLBACK_PROVIDER: ProviderId = 'sandbox';

type Entry<P extends string> = {
  provider: P;
  /** Environment variables this provider reads (merged into the configuration's schema). */
  env: Record<string, unknown>;
  resolve(env: Record<string, unknown>): unknown;
  register(settings: unknown): RegisteredAdapter;
};

function entry<C, S, P extends string>(adapter: ChannelAdapter<C, S, P>): Entry<P> {
  return {
    provider: adapter.provider,
    env: adapter.settings?.env.shape ?? {},
    resolve: (env) => adapter.settings?.resolve(env),
    register: (settings) => register(adapter, settings === undefined ? undefined : (settings as S)),
  };
}

const ADAPTERS: { [P in ProviderId]: Entry<P> } = {
  sandbox: entry(sandboxAdapter),
  http: entry(httpAdapter),
  smtp: entry(smtpAdapter),
  gmail: entry(gmailAdapter),
  resend: entry(resendAdapter),
  meta: entry(metaAdapter),
  gallabox: entry(gallaboxAdapter),
  phantombuster: entry(phantombusterAdapter),
  twilio: entry(twilioAdapter),
};

export type AdapterRegistry = Record<ProviderId, RegisteredAdapter>;
/** Each provider's resolved installation settings (config.ts builds them from the environment). */
export type ProviderSettingsMap = Partial<Record<ProviderId, unknown>>;

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** Every adapter with its settings bound (a provider without settings given uses its defaults). */
export function defaultAdapters(settings: ProviderSettingsMap = {}): AdapterRegistry {
  const registry: Partial<AdapterRegistry> = {};
  for (const id of PROVIDER_IDS) registry[id] = ADAPTERS[id].register(settings[id]);
  return registry as AdapterRegistry;
}

/** The environment variables every provider reads, for config.ts's schema. */
export function providerEnvShape(): Record<string, unknown> {
  return Object.assign({}, ...PROVIDER_IDS.map((id) => ADAPTERS[id].env)) as Record<string, unknown>;
}

/** Each provider's settings from the parsed environment. */
export function resolveProviderSettings(env: Record<string, unknown>): ProviderSettingsMap {
  return Object.fromEntries(PROVIDER_IDS.map((id) => [id, ADAPTERS[id].resolve(env)]));
}

/** The providers that send on a channel (the sandbox sends on every one). */
export function providersFor(channel: Channel): ProviderId[] {
  const all = defaultAdapters();
  return PROVIDER_IDS.filter((id) => all[id].channels.includes(channel));
}
