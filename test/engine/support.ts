// A workspace with the API and a direct-mode engine on a manual clock.
import { expect } from 'vitest';
import { bearer, newWorkspace, testApi, testDb, testEngine } from '../support/harness.ts';
import type { AdapterRegistry } from '../../src/channels/registry.ts';
import { pollableSenders } from '../../src/engine/replyPolling.ts';

export const MONDAY_9AM = new Date('2026-03-02T09:00:00Z');

export async function world(options: { start?: Date; adapters?: Partial<AdapterRegistry>; leaseMs?: number } = {}) {
  const wired = testEngine({ start: options.start ?? MONDAY_9AM, ...options });
  const app = await testApi({}, wired);
  const { workspaceId, apiKey } = await newWorkspace();
  const headers = bearer(apiKey);
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return {
      status: res.statusCode,
      body: res.body ? (res.json() as Record<string, unknown> & { data?: unknown[] }) : {},
    };
  };
  const ok = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await call(method, url, payload);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  };
  // Real sends are held until the workspace says what it offers (issue 18): every world has an offer.
  await ok('PATCH', '/v1/workspace', { offer: 'We help teams send outreach.' });
  // tick() and pollMailboxes() are scoped to this test's workspace: test files run in parallel on one
  // database, and an engine must not run another test's enrollments or read another test's mailboxes
  // with its own clock, adapters and encryption key.
  const engine: typeof wired.engine = {
    ...wired.engine,
    tick: (input = {}) => wired.engine.tick({ ...input, workspaceId }),
    // The same for mailboxes: only this workspace's accounts (direct mode, as the engine's own).
    async pollMailboxes() {
      const refs = await pollableSenders(wired.engine.deps);
      for (const ref of refs.filter((r) => r.workspaceId === workspaceId))
        await wired.engine.handlers['inbound/mailbox.poll'](ref);
    },
  };
  return {
    ...wired,
    engine,
    app,
    workspaceId,
    call,
    ok,
    async contacts(list: Record<string, unknown>[]): Promise<string[]> {
      await ok('POST', '/v1/contacts', { contacts: list });
      const { rows } = await testDb().pool.query<{ id: string; email: string | null; phone: string | null }>(
        'SELECT id, email, phone FROM contacts WHERE workspace_id = $1 ORDER BY id',
        [workspaceId],
      );
      return rows.map((r) => r.id);
    },
    async sequence(definition: Record<string, unknown>): Promise<string> {
      return (await ok('POST', '/v1/sequences', definition)).id as string;
    },
    async enroll(sequenceId: string, contactIds: string[]) {
      return (await ok('POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds })) as {
        enrolled: { contactId: string; enrollmentId: string }[];
        skipped: { contactId: string; reason: string }[];
      };
    },
    async messages(query = ''): Promise<Record<string, unknown>[]> {
      return (await ok('GET', `/v1/messages?limit=500${query}`)).data as Record<string, unknown>[];
    },
    async timeline(contactId: string): Promise<{ type: string; summary: string; data: Record<string, unknown> }[]> {
      return (await ok('GET', `/v1/contacts/${contactId}/timeline?limit=500`)).data as never;
    },
    async enrollment(id: string) {
      return ok('GET', `/v1/enrollments/${id}`);
    },
  };
}

/** A sending window that is always open, with no jitter: steps go out the moment they are due. */
export const ALWAYS_OPEN = {
  timezone: 'UTC',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  start: '00:00',
  end: '24:00',
  jitterSeconds: 0,
};

/** A sequence with every step on day 0 and an always-open window, so tests need no clock moves. */
export function instant(
  steps: { channel: string; template: string; day?: number }[],
  extra: Record<string, unknown> = {},
) {
  return {
    name: 'instant',
    steps: steps.map((s) => ({ day: 0, ...s })),
    schedule: ALWAYS_OPEN,
    ...extra,
  };
}
