// A sequence's results per step, channel and variant, and each step's variant verdict.
import { chooseVariantWinner } from '../../core/variantWinner.ts';
import { sequenceStats } from '../../db/analytics.ts';
import { getSequence } from '../../db/sequences.ts';
import { callOutcomeCounts } from '../../db/tasks.ts';
import type { EngineDeps } from '../ports.ts';

export async function sequenceAnalytics(deps: Pick<EngineDeps, 'db'>, workspaceId: string, sequenceId: string) {
  const found = await deps.db.tenant(workspaceId, async (sql) =>
    (await getSequence(sql, sequenceId))
      ? { steps: await sequenceStats(sql, sequenceId), calls: await callOutcomeCounts(sql, sequenceId) }
      : undefined,
  );
  if (!found) return undefined;
  const { steps, calls } = found;
  const groups = new Map<string, typeof steps>();
  for (const row of steps)
    groups.set(`${row.step}|${row.channel}`, [...(groups.get(`${row.step}|${row.channel}`) ?? []), row]);
  const winners = [...groups.values()].map((rows) => {
    const verdict = chooseVariantWinner(rows);
    return {
      step: rows[0]?.step ?? 0,
      channel: rows[0]?.channel ?? '',
      winner: verdict.winner,
      reason: verdict.reason,
    };
  });
  /** Call tasks by outcome (`open` for those not logged yet). */
  return { sequenceId, steps, winners, calls };
}
