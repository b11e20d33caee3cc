// The only module that reads process.env. Everything else receives a typed Config.
import path from 'node:path';
import { z } from 'zod';

const Port = z.coerce.number().int().min(1).max(65535);
const Bytes = z.coerce.number().int().min(1024);

const EnvSchema = z.object({
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
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: Bytes.default(10 * 1024 * 1024),
  CSV_BODY_LIMIT_BYTES: Bytes.default(512 * 1024 * 1024),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** 32-byte key for AES-256-GCM; undefined until resolved from the data directory (embedded mode). */
  encryptionKey: Buffer | undefined;
  publicUrl: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  bodyLimitBytes: number;
  csvBodyLimitBytes: number;
  poolSize: number;
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
  const e = parsed.data;
  if (e.DATABASE_URL && !e.QUOTAHIT_ENCRYPTION_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  QUOTAHIT_ENCRYPTION_KEY: required when DATABASE_URL is set (32 bytes, base64: openssl rand -base64 32)',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.QUOTAHIT_DATA_DIR),
    encryptionKey: e.QUOTAHIT_ENCRYPTION_KEY ? Buffer.from(e.QUOTAHIT_ENCRYPTION_KEY, 'base64') : undefined,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    csvBodyLimitBytes: e.CSV_BODY_LIMIT_BYTES,
    poolSize: e.DATABASE_POOL_SIZE,
  };
}
