// Pacing per account: a provider that takes only so many units a second from one sender (Twilio:
// SMS segments per number, new calls per account) is paced here, before the provider is called.
// The account's next free instant is taken under the account's row lock (db/senderUsage.ts takePace);
// when it is not free yet, the answer is a rate limit with the wait, which defers the step to a slot
// reserved for it (record.ts) or answers a click-to-call with 429. Nothing is sent early and nothing
// is dropped.
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { PacedWork, SendFailure } from '../../channels/types.ts';
import type { SenderRow } from '../../db/senders.ts';
import { takePace } from '../../db/senderUsage.ts';
import type { EngineDeps } from '../ports.ts';

export type PaceRefusal = Extract<SendFailure, { kind: 'rate_limited' }> & { retryAt: Date };

export async function paceAccount(
  deps: EngineDeps,
  input: {
    adapter: RegisteredAdapter;
    sender: Pick<SenderRow, 'id' | 'workspaceId' | 'channel' | 'fromPhone'> | null;
    credentials: unknown;
    work: PacedWork;
    /** A step that will come back when told (deferred): it reserves a slot of its own (db/senderUsage.ts takePace). */
    reserve?: boolean;
  },
): Promise<PaceRefusal | undefined> {
  const { adapter, sender, work } = input;
  if (!adapter.pace || !sender) return undefined;
  const pace = adapter.pace(work, input.credentials, { channel: sender.channel, fromPhone: sender.fromPhone });
  if (!pace || pace.units <= 0) return undefined;
  const now = deps.clock.now();
  const costMs = (pace.units / pace.perSecond) * 1000;
  const taken = await deps.db.tenant(sender.workspaceId, (sql) =>
    takePace(sql, sender.id, { now, costMs, reserve: input.reserve }),
  );
  if (taken.ok) return undefined;
  const unit = (n: number) => `${n} ${work.kind === 'dial' ? 'call' : 'segment'}${n === 1 ? '' : 's'}`;
  const what = work.kind === 'dial' ? 'a new call' : unit(pace.units);
  return {
    kind: 'rate_limited',
    message: `pacing: the account takes ${unit(pace.perSecond)} a second; ${what} waits until ${taken.retryAt.toISOString()}`,
    retryAfterSeconds: Math.max(0.001, (taken.retryAt.getTime() - now.getTime()) / 1000),
    retryAt: taken.retryAt,
  };
}
