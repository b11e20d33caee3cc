// Reading what the account's launches came to. Launches are asynchronous: a send returns the
// container, and this poll reads each agent's containers (`containers/fetch-all`), and for every
// finished one not read before, its exit code (`containers/fetch`) and its rows
// (`containers/fetch-result-object`), mapped to events by results.ts. The optional Connections
// Export agent is launched once a day and its rows report who accepted. A container that died on
// the session cookie fails the poll as `auth_expired` with `pauseAccount` (the account is paused
// until LinkedIn is reconnected; an API key Phantombuster refuses disconnects it) and names the
// sends that never went out, so the engine holds their steps instead of losing them.
import type { KeyedEvent, PollResult, ProviderPoll } from '../types.ts';
import { fetchContainer, fetchResultObject, launchAgent, listContainers, type ContainerSummary } from './api.ts';
import type { PhantombusterCredentials } from './credentials.ts';
import { containerOutcome, type Phantom } from './results.ts';

/** Containers remembered as read (per account); older ones fall out of the agent's list long before. */
const SEEN_LIMIT = 500;
/** The Connections Export agent runs at most once a day per account. */
export const NETWORK_EVERY_MS = 24 * 3600 * 1000;
const UNFINISHED = new Set(['starting', 'running', 'queued', 'launching']);

type Cursor = { seen: string[]; networkLaunchedAt?: number };

function readCursor(raw: Record<string, unknown>): Cursor {
  const seen = Array.isArray(raw.seen) ? raw.seen.filter((v): v is string => typeof v === 'string') : [];
  const at = typeof raw.networkLaunchedAt === 'number' ? raw.networkLaunchedAt : undefined;
  return { seen, ...(at !== undefined ? { networkLaunchedAt: at } : {}) };
}

export function isFinished(container: ContainerSummary): boolean {
  if (container.status !== undefined) return !UNFINISHED.has(container.status);
  return container.endedAt !== undefined || container.endType !== undefined;
}

function agents(credentials: PhantombusterCredentials): [Phantom, string][] {
  return [
    ['connect', credentials.connectAgentId],
    ['message', credentials.messageAgentId],
    ...(credentials.networkAgentId ? [['network', credentials.networkAgentId] as [Phantom, string]] : []),
  ];
}

type Reading = { events: KeyedEvent[]; seen: Set<string>; expired?: string; unsent: string[] };

async function readAgent(
  credentials: PhantombusterCredentials,
  [phantom, agentId]: [Phantom, string],
  reading: Reading,
  signal?: AbortSignal,
): Promise<PollResult<PhantombusterCredentials> | undefined> {
  const list = await listContainers(credentials, agentId, signal);
  if (!list.ok) return list;
  const finished = list.value.filter((c) => isFinished(c) && !reading.seen.has(c.id));
  for (const summary of finished.reverse()) {
    let container = summary;
    if (container.exitCode === undefined) {
      const full = await fetchContainer(credentials, summary.id, signal);
      if (!full.ok) return full;
      container = { ...summary, ...full.value };
    }
    const rows = await fetchResultObject(credentials, container.id, signal);
    if (!rows.ok) return rows;
    const outcome = containerOutcome(phantom, container, rows.value);
    reading.seen.add(container.id);
    if (outcome.kind === 'events') reading.events.push(...outcome.events);
    else {
      reading.expired = outcome.reason;
      if (phantom !== 'network') reading.unsent.push(container.id);
    }
  }
  return undefined;
}

export const phantombusterPoll: ProviderPoll<PhantombusterCredentials> = {
  pollable: () => true,
  async poll(credentials, raw, context) {
    const cursor = readCursor(raw);
    const reading: Reading = { events: [], seen: new Set(cursor.seen), unsent: [] };
    for (const agent of agents(credentials)) {
      const failed = await readAgent(credentials, agent, reading, context.signal);
      if (failed) return failed;
    }
    const next: Cursor = { seen: [...reading.seen].slice(-SEEN_LIMIT) };
    if (cursor.networkLaunchedAt !== undefined) next.networkLaunchedAt = cursor.networkLaunchedAt;
    if (reading.expired)
      return {
        ok: false,
        failure: { kind: 'auth_expired', message: reading.expired },
        cursor: next,
        unsent: reading.unsent,
        pauseAccount: true,
      };
    const now = context.now.getTime();
    if (credentials.networkAgentId && now - (cursor.networkLaunchedAt ?? 0) >= NETWORK_EVERY_MS) {
      const argument = { sessionCookie: credentials.sessionCookie, userAgent: credentials.userAgent };
      // A refusal (the agent still running) is simply tried again at the next poll.
      const launched = await launchAgent(credentials, credentials.networkAgentId, argument, context.signal);
      if (launched.ok) next.networkLaunchedAt = now;
    }
    return { ok: true, events: reading.events, cursor: next };
  },
};
