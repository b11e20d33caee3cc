// The only module that reads process.env. Everything else receives a typed Config.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { ClickPolicy } from './core/tracking.ts';
import { createAddressPolicy } from './engine/outbound/addressPolicy.ts';
import { providerEnvShape, resolveProviderSettings, type ProviderSettingsMap } from './channels/registry.ts';
import { MODEL_PROVIDERS, parseModelConfig, type ModelConfig } from './writer/llm/modelConfig.ts';

const Port = z.coerce.number().int().min(1).max(65535);
const Bytes = z.coerce.number().int().min(1024);

const BaseEnv = z.object({
  PORT: Port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  QUOTAHIT_DATA_DIR: z.string().min(1).default('./.quotahit'),
  QUOTAHIT_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  // Key rotation (docs/security.md): the keys used before, comma-separated; they open what they
  // sealed until the worker has re-sealed it with QUOTAHIT_ENCRYPTION_KEY.
  QUOTAHIT_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .refine(
      (v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32),
      'must be comma-separated keys of 32 bytes, base64-encoded',
    )
    .optional(),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: Bytes.default(10 * 1024 * 1024),
  CSV_BODY_LIMIT_BYTES: Bytes.default(512 * 1024 * 1024),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Operations (docs/operations.md, docs/scaling.md): a pooler in front of PostgreSQL, DNS servers.
  QUOTAHIT_DATABASE_POOLING: z
    .enum(['auto', 'session', 'transaction'], { error: 'must be auto, session or transaction' })
    .default('auto'),
  QUOTAHIT_DNS_SERVERS: z
    .string()
    .transform((v, ctx) => {
      const servers = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = servers.find((s) => !isDnsServer(s));
      if (bad) ctx.addIssue({ code: 'custom', message: `"${bad}" is not an IP address (with an optional :port)` });
      return servers;
    })
    .optional(),
  // Outbound webhooks, notifications and CRMs (docs/integrations.md): internal receivers allowed.
  QUOTAHIT_OUTBOUND_ALLOW_HOSTS: z
    .string()
    .transform((v, ctx) => {
      const entries = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      try {
        createAddressPolicy(entries);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
      return entries;
    })
    .optional(),
  QUOTAHIT_DKIM_SELECTOR: z
    .string()
    .regex(/^[a-z0-9._-]+(,[a-z0-9._-]+)*$/i, 'must be a DKIM selector or several separated by commas')
    .optional(),
  // Public links (docs/email.md): tracking and unsubscribe tokens, the tracking domain; polling.
  QUOTAHIT_TRACKING_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').optional(),
  TRACKING_BASE_URL: z.url().optional(),
  QUOTAHIT_CLICK_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  QUOTAHIT_CLICK_UNLISTED: z
    .enum(['interstitial', 'redirect'], { error: 'must be interstitial or redirect' })
    .default('interstitial'),
  REPLY_POLL_SECONDS: z.coerce.number().min(5).default(60),
  // LinkedIn (docs/linkedin.md): days after which a connection request nobody answered counts as declined.
  LINKEDIN_PENDING_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).default(21),
  // Phantombuster can fetch PUBLIC_URL: LinkedIn sends go in batched launches through a spreadsheet URL.
  LINKEDIN_BATCH_LAUNCHES: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  QUOTAHIT_LEASE_MS: z.coerce.number().int().min(100).default(120_000),
  QUOTAHIT_SEND_TIMEOUT_MS: z.coerce.number().int().min(50).default(30_000),
  QUOTAHIT_SWEEP_SECONDS: z.coerce.number().min(0.5).default(30),
  QUOTAHIT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  // The writer's model (docs/writer.md); none configured = the offline composer.
  QUOTAHIT_MODEL_PROVIDER: z
    .enum(MODEL_PROVIDERS, { error: `must be one of ${MODEL_PROVIDERS.join(', ')}` })
    .optional(),
  QUOTAHIT_MODEL: z.string().trim().min(1).optional(),
  QUOTAHIT_MODEL_BASE_URL: z.url('must be a URL including the version path, e.g. http://localhost:11434/v1').optional(),
  QUOTAHIT_MODEL_API_KEY: z.string().trim().min(1).optional(),
  ANTHROPIC_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
});
// Each provider adds the variables it reads (its adapter's `settings`, src/channels/<provider>/).
const EnvSchema = BaseEnv.extend(providerEnvShape() as z.ZodRawShape);
type Env = z.infer<typeof BaseEnv>;

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** 32-byte key for AES-256-GCM; undefined until resolved from the data directory (embedded mode). */
  encryptionKey: Buffer | undefined;
  /** Keys used before the current one (rotation): they open secrets until these are re-sealed. */
  previousEncryptionKeys: Buffer[];
  publicUrl: string;
  logLevel: Env['LOG_LEVEL'];
  bodyLimitBytes: number;
  csvBodyLimitBytes: number;
  poolSize: number;
  /** `auto`: detected at start (src/db/pooling.ts); `transaction`: PgBouncer in transaction mode. */
  databasePooling: 'auto' | 'session' | 'transaction';
  /** DNS servers for the doctor's checks and the recipients' MX lookups; undefined: the system's. */
  dnsServers: string[] | undefined;
  /** DKIM selectors to check for accounts that do not name their own (doctor). */
  dkimSelectors: string[];
  /** Internal hosts, addresses and CIDRs outbound webhooks and integrations may reach. */
  outboundAllowHosts: string[];
  /** Tracking links and how often accounts are polled (src/engine/links.ts). */
  email: EmailConfig;
  /** Each provider's installation settings, from its own variables (src/channels/registry.ts). */
  providers: ProviderSettingsMap;
  /** How long a reserved send may stay unconfirmed before another worker reconciles it. */
  leaseMs: number;
  /** How long one provider call may take; always shorter than the lease. */
  sendTimeoutMs: number;
  /** How often a worker sweeps for overdue enrollments (a lost wake-up, a crashed worker's lease). */
  sweepSeconds: number;
  /** How many enrollments one worker process runs at once. */
  workerConcurrency: number;
  /** The model that writes messages and classifies replies; undefined = the offline composer and heuristics. */
  model: ModelConfig | undefined;
  /** Days after which a pending LinkedIn connection request counts as declined (LINKEDIN_PENDING_EXPIRY_DAYS). */
  linkedinPendingExpiryDays: number;
  /** LINKEDIN_BATCH_LAUNCHES: up to 10 LinkedIn sends of an account per launch, read from PUBLIC_URL. */
  linkedinBatchLaunches: boolean;
};

export type EmailConfig = {
  /** HMAC secret of tracking and unsubscribe tokens; undefined: derived from the encryption key (HKDF). */
  trackingSecret: string | undefined;
  /** Base of open/click links (a custom tracking domain); defaults to publicUrl. */
  trackingBaseUrl: string | undefined;
  /** Click tokens: their lifetime and what a destination outside the workspace's domains gets. */
  clicks: ClickPolicy;
  replyPollSeconds: number;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in EnvSchema.shape && value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data as Env & Record<string, unknown>;
  if (e.DATABASE_URL && !e.QUOTAHIT_ENCRYPTION_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  QUOTAHIT_ENCRYPTION_KEY: required when DATABASE_URL is set (32 bytes, base64: openssl rand -base64 32)',
    );
  }
  if (e.LINKEDIN_BATCH_LAUNCHES === 'true' && !e.PUBLIC_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  LINKEDIN_BATCH_LAUNCHES: needs PUBLIC_URL (the address Phantombuster fetches each batch from)',
    );
  }
  if (e.QUOTAHIT_SEND_TIMEOUT_MS >= e.QUOTAHIT_LEASE_MS) {
    throw new ConfigError(
      'Invalid configuration:\n  QUOTAHIT_SEND_TIMEOUT_MS: must be shorter than QUOTAHIT_LEASE_MS (a send still under way must never be reconciled)',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.QUOTAHIT_DATA_DIR),
    encryptionKey: e.QUOTAHIT_ENCRYPTION_KEY ? Buffer.from(e.QUOTAHIT_ENCRYPTION_KEY, 'base64') : undefined,
    previousEncryptionKeys: (e.QUOTAHIT_ENCRYPTION_KEY_PREVIOUS ?? '')
      .split(',')
      .filter((k) => k.trim() !== '')
      .map((k) => Buffer.from(k.trim(), 'base64')),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    csvBodyLimitBytes: e.CSV_BODY_LIMIT_BYTES,
    poolSize: e.DATABASE_POOL_SIZE,
    databasePooling: e.QUOTAHIT_DATABASE_POOLING,
    dnsServers: e.QUOTAHIT_DNS_SERVERS,
    dkimSelectors: e.QUOTAHIT_DKIM_SELECTOR?.split(',') ?? [],
    outboundAllowHosts: e.QUOTAHIT_OUTBOUND_ALLOW_HOSTS ?? [],
    email: {
      trackingSecret: e.QUOTAHIT_TRACKING_SECRET,
      trackingBaseUrl: e.TRACKING_BASE_URL?.replace(/\/+$/, ''),
      clicks: { ttlDays: e.QUOTAHIT_CLICK_TTL_DAYS, unlisted: e.QUOTAHIT_CLICK_UNLISTED },
      replyPollSeconds: e.REPLY_POLL_SECONDS,
    },
    providers: resolveProviderSettings(e),
    leaseMs: e.QUOTAHIT_LEASE_MS,
    sendTimeoutMs: e.QUOTAHIT_SEND_TIMEOUT_MS,
    sweepSeconds: e.QUOTAHIT_SWEEP_SECONDS,
    workerConcurrency: e.QUOTAHIT_WORKER_CONCURRENCY,
    model: modelFromEnv(e),
    linkedinPendingExpiryDays: e.LINKEDIN_PENDING_EXPIRY_DAYS,
    linkedinBatchLaunches: e.LINKEDIN_BATCH_LAUNCHES === 'true',
  };
}

/** `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:53`, as node:dns setServers takes them. */
function isDnsServer(value: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed) return isIP(bracketed[1] ?? '') === 6 && Number(bracketed[2] ?? 53) <= 65535;
  const [host = '', port, ...rest] = value.split(':');
  if (isIP(value) === 6) return true;
  return (
    rest.length === 0 && isIP(host) === 4 && (port === undefined || (/^\d{1,5}$/.test(port) && Number(port) <= 65535))
  );
}

// Which variable a ModelConfig field comes from, so a bad value names what to fix.
const MODEL_VARIABLES: Record<string, string> = {
  provider: 'QUOTAHIT_MODEL_PROVIDER',
  model: 'QUOTAHIT_MODEL',
  baseUrl: 'QUOTAHIT_MODEL_BASE_URL',
};

/**
 * A model is used only when QUOTAHIT_MODEL_PROVIDER says so: an ANTHROPIC_API_KEY that happens to be
 * in the environment for another tool never starts paid generation by itself. The key comes from
 * QUOTAHIT_MODEL_API_KEY, else the provider's own variable (an OpenAI-compatible server takes only
 * QUOTAHIT_MODEL_API_KEY, so a real OpenAI key is never sent to a local server).
 */
function modelFromEnv(e: Env): ModelConfig | undefined {
  const provider = e.QUOTAHIT_MODEL_PROVIDER;
  const invalid = (lines: string[]) => new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  if (provider === undefined) {
    const stray = (['QUOTAHIT_MODEL', 'QUOTAHIT_MODEL_BASE_URL', 'QUOTAHIT_MODEL_API_KEY'] as const).filter(
      (name) => e[name] !== undefined,
    );
    if (stray.length === 0) return undefined;
    const verb = stray.length === 1 ? 'is' : 'are';
    throw invalid([
      `QUOTAHIT_MODEL_PROVIDER: required when ${stray.join(', ')} ${verb} set (${MODEL_PROVIDERS.join(', ')})`,
    ]);
  }
  if (provider === 'openai_compatible' && e.QUOTAHIT_MODEL === undefined) {
    throw invalid([
      'QUOTAHIT_MODEL: required for openai_compatible (the model name your server serves, e.g. llama3.1:8b)',
    ]);
  }
  const keyVariable =
    provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : provider === 'openai' ? 'OPENAI_API_KEY' : undefined;
  const apiKey = e.QUOTAHIT_MODEL_API_KEY ?? (keyVariable === undefined ? undefined : e[keyVariable]);
  try {
    return parseModelConfig({
      provider,
      ...(e.QUOTAHIT_MODEL === undefined ? {} : { model: e.QUOTAHIT_MODEL }),
      ...(e.QUOTAHIT_MODEL_BASE_URL === undefined ? {} : { baseUrl: e.QUOTAHIT_MODEL_BASE_URL }),
      ...(apiKey === undefined ? {} : { apiKey }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const keyNames = keyVariable === undefined ? 'QUOTAHIT_MODEL_API_KEY' : `QUOTAHIT_MODEL_API_KEY or ${keyVariable}`;
    throw invalid(
      message
        .replace(/^invalid model config: /, '')
        .split('; ')
        .map((issue) => {
          const [field = '', ...rest] = issue.split(': ');
          const variable = field === 'apiKey' ? keyNames : (MODEL_VARIABLES[field] ?? 'QUOTAHIT_MODEL_PROVIDER');
          return `${variable}: ${rest.join(': ')}`;
        }),
    );
  }
}
