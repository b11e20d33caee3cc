// quotahit handoffs list|ack: the hand-offs of a workspace from the command line (who, assignee,
// status, due time, the link to the contact) and their acknowledgement, which stops the SLA
// reminder — the same records and rules as GET /v1/handoffs and POST /v1/handoffs/:id/acknowledge.
import { listHandoffs, type HandoffRow } from '../db/handoffs.ts';
import { acknowledge } from '../engine/handoffs.ts';
import { isUuid, printJson, say, UsageError, wholeNumber } from './args.ts';
import { resolveWorkspace, withDatabase } from './session.ts';
import { printTable, shortTime } from './table.ts';

export type HandoffListOptions = { workspace?: string; status?: string; limit?: string; json?: boolean };

const STATUSES = ['open', 'acknowledged'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: string): value is Status => (STATUSES as readonly string[]).includes(value);

const who = (h: HandoffRow): string => {
  const person = h.summary.who as { name?: string | null; email?: string | null } | undefined;
  const company = (h.summary.company as { name?: string | null } | undefined)?.name;
  const name = person?.name || person?.email || h.contactId;
  return company ? `${name} (${company})` : name;
};

export async function listHandoffsCommand(options: HandoffListOptions): Promise<void> {
  const status = options.status;
  if (status !== undefined && !isStatus(status))
    throw new UsageError(`handoffs list: --status must be one of ${STATUSES.join(', ')} (got "${status}")`);
  const limit = options.limit === undefined ? 50 : wholeNumber(options.limit, 'limit', 1, 500);
  const { workspace, page } = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    const page = await database.db.tenant(workspace.id, (sql) =>
      listHandoffs(sql, { limit, ...(status ? { status } : {}) }),
    );
    return { workspace, page };
  });
  if (options.json) return printJson(page);
  printTable(
    page.data,
    [
      { title: 'id', value: (h) => h.id, max: 36 },
      { title: 'contact', value: who, max: 40 },
      { title: 'source', value: (h) => h.source },
      { title: 'intent', value: (h) => h.intent },
      { title: 'assignee', value: (h) => h.assignee?.name || h.assignee?.email || '—', max: 30 },
      { title: 'status', value: (h) => h.status },
      { title: 'due', value: (h) => shortTime(h.dueAt) },
      { title: 'link', value: (h) => h.contactUrl, max: 80 },
    ],
    `Workspace "${workspace.name}" has no ${status ?? ''}${status ? ' ' : ''}hand-offs.`,
  );
}

export async function ackHandoffCommand(id: string, options: { workspace?: string; json?: boolean }): Promise<void> {
  if (!isUuid(id))
    throw new UsageError(`handoffs ack: "${id}" is not a hand-off id (UUID; \`quotahit handoffs list\` shows them)`);
  const { workspace, result } = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    const result = await database.db.tenant(workspace.id, (sql) =>
      acknowledge(sql, { id, memberId: null, now: new Date() }),
    );
    return { workspace, result };
  });
  if (!result)
    throw new UsageError(
      `handoffs ack: no hand-off ${id} in workspace "${workspace.name}" (\`quotahit handoffs list\`)`,
    );
  if (result.already)
    throw new UsageError(
      `handoffs ack: hand-off ${id} was acknowledged already (at ${shortTime(result.handoff.acknowledgedAt)})`,
    );
  if (options.json) return printJson(result.handoff);
  say(`Hand-off ${id} (${who(result.handoff)}) acknowledged: no SLA reminder will follow.`);
}
