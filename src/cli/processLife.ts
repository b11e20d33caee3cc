// How a long-running process ends. It stops when asked (SIGTERM from a service manager or `kill`,
// SIGINT from Ctrl-C, SIGHUP when its terminal closes) or when its parent goes away: `npm start`
// killed with SIGTERM dies without passing the signal on, and the server must not live on as an
// orphan holding the port and the embedded database. Stopping drains first — the HTTP requests and
// sends in flight finish — within a deadline (the send lease: a send still running after it is
// reconciled by the next worker anyway), then the database closes and an embedded server stops.
import type { OpenDatabase } from '../db/open.ts';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const PARENT_CHECK_MS = 1000;

export type StopRequest = {
  /** Why the process is stopping: the signal, or that its parent went away. */
  reason: Promise<string>;
  /** Resolves on a second signal while stopping: the user wants out now. */
  forced: Promise<string>;
  dispose(): void;
};

export function stopRequested(options: { parentCheckMs?: number } = {}): StopRequest {
  let asked: (reason: string) => void = () => {};
  let force: (reason: string) => void = () => {};
  let stopping = false;
  const reason = new Promise<string>((resolve) => (asked = resolve));
  const forced = new Promise<string>((resolve) => (force = resolve));
  const onSignal = (signal: string) => {
    if (stopping) return force(signal);
    stopping = true;
    asked(signal);
  };
  const handlers = SIGNALS.map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  // Orphaned processes are adopted by init or a subreaper: the parent pid changes. A process that
  // starts as pid 1's child (systemd, a container's init) keeps that parent and never sees a change.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent && !stopping) {
      stopping = true;
      asked(`parent process ${parent} went away`);
    }
  }, options.parentCheckMs ?? PARENT_CHECK_MS);
  watch.unref();
  return {
    reason,
    forced,
    dispose() {
      clearInterval(watch);
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

export type DrainOutcome = { clean: boolean; ms: number; why?: string };

/**
 * Runs `work` (closing the API, stopping the worker's jobs), then closes the database. Gives up on
 * the work at the deadline or on a second signal, and then closes the database without waiting for
 * its connections (an embedded server is still stopped, cleanly, by PostgreSQL's fast shutdown).
 */
export async function drain(options: {
  work: () => Promise<void>;
  database: OpenDatabase;
  deadlineMs: number;
  forced: Promise<string>;
}): Promise<DrainOutcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`deadline of ${options.deadlineMs / 1000} s reached`), options.deadlineMs);
  });
  const finished = options.work().then(
    () => undefined,
    (error: unknown) => `stopping failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  const why = await Promise.race([finished, deadline, options.forced.then((signal) => `${signal} again`)]);
  clearTimeout(timer);
  await options.database.close({ force: why !== undefined });
  return { clean: why === undefined, ms: performance.now() - started, ...(why === undefined ? {} : { why }) };
}
