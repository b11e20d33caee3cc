// What the engine needs from the outside, wired once in createEngine().
import type { AdapterRegistry } from '../channels/registry.ts';
import type { RecipientChecker } from '../channels/email/recipientCheck.ts';
import type { Db, Sql } from '../db/database.ts';
import type { WriterInput } from '../writer/types.ts';
import type { WriteCache, WriteOutcome } from '../writer/writer.ts';
import type { Clock } from './clock.ts';
import type { PublicLinks } from './links.ts';

export type { WriteOutcome } from '../writer/writer.ts';

/** The writer as the engine uses it (createStepWriter in stepWriter.ts). */
export type StepWriter = {
  /** Writes inside the caller's tenant transaction, where the writer's cache is read and written. */
  write(sql: Sql, input: WriterInput): Promise<WriteOutcome>;
  /** Writes outside any transaction (previews), caching through `cache`. */
  writeWithCache(cache: WriteCache, input: WriterInput): Promise<WriteOutcome>;
};

export type Logger = {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
};

export type EnrollmentRef = { workspaceId: string; enrollmentId: string };

export type EngineDeps = {
  db: Db;
  clock: Clock;
  adapters: AdapterRegistry;
  writer: StepWriter;
  encryptionKey: Buffer;
  /** Keys that sealed secrets before the current one: they still open them until rotation re-seals. */
  previousEncryptionKeys: readonly Buffer[];
  log: Logger;
  /** Wakes the enrollment at `at` (a queue job); the enrollment row stays the source of truth. */
  schedule(jobs: { ref: EnrollmentRef; at: Date }[]): Promise<void>;
  /** Announces a finished enrollment (outreach/sequence.completed). */
  completed(job: EnrollmentRef): Promise<void>;
  /** How long a provider call may take; a reservation's lease is longer than this. */
  sendTimeoutMs: number;
  leaseMs: number;
  /** Days after which a pending LinkedIn connection request counts as declined (default 21). */
  linkedinRequestExpiryDays: number;
  /**
   * The provider can fetch PUBLIC_URL (LINKEDIN_BATCH_LAUNCHES): accounts whose adapter has `sendBatch`
   * send in batches (accounts/batchedSends.ts).
   */
  batchLaunches: boolean;
  /** Public links and the secret that signs tracking, unsubscribe and OAuth state tokens. */
  links: PublicLinks;
  /** Syntax, disposable-domain and MX checks of email recipients (cached). */
  recipients: RecipientChecker;
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
