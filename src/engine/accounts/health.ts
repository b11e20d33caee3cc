// Account and sequence health. Over the last sends (at least MIN_SENDS, at most WINDOW) of an account
// whose provider asks for the health screen (those that deliver email), or of a sequence across
// them, a hard-bounce rate ≥ 5 % or a complaint rate ≥ 0.1 % pauses the account (senders.status = 'paused') or the sequence (sequences.status =
// 'paused': none of its email steps goes out until someone resumes it, see resume.ts).
// Mailbox providers judge a domain by exactly these two numbers; pausing early protects every other
// account on the domain. Within the 200-send window one complaint is already 0.5 %: in practice any
// complaint among an account's last 200 sends (once it has 50) pauses it.
//
// Only the sends reserved at or after the account's (sequence's) health_since count: resuming sets it
// (resume.ts), so the sends that caused a pause are not judged again and one late bounce of
// an old message cannot pause it at once; the window restarts, and 50 new sends are needed to judge.
import { defaultAdapters, PROVIDER_IDS } from '../../channels/registry.ts';
import { addActivity } from '../../db/activities.ts';
import type { Sql } from '../../db/database.ts';
import { healthRates, pauseSenderForHealth, pauseSequenceForHealth } from '../../db/health.ts';

export const HEALTH = { minSends: 50, window: 200, maxBounceRate: 0.05, maxComplaintRate: 0.001 } as const;

export type Health = {
  sends: number;
  bounceRate: number;
  complaintRate: number;
  /** The sends judged are those made since this time (the last resume); null: all of them. */
  since: string | null;
};

let screened: string[] | undefined;

/** The providers the health screen applies to (their adapters ask for it: those that deliver email). */
export function healthProviders(): readonly string[] {
  if (!screened) {
    const adapters = defaultAdapters();
    screened = PROVIDER_IDS.filter((id) => (adapters[id].screens ?? []).includes('health'));
  }
  return screened;
}

async function rates(sql: Sql, owner: 'senders' | 'sequences', id: string): Promise<Health> {
  const row = await healthRates(sql, { owner, id, window: HEALTH.window, providers: healthProviders() });
  return {
    sends: row.sends,
    bounceRate: row.sends ? row.bounces / row.sends : 0,
    complaintRate: row.sends ? row.complaints / row.sends : 0,
    since: row.since ? row.since.toISOString() : null,
  };
}

export const senderHealth = (sql: Sql, senderId: string) => rates(sql, 'senders', senderId);
export const sequenceHealth = (sql: Sql, sequenceId: string) => rates(sql, 'sequences', sequenceId);

/** Why these numbers call for a pause, or undefined while healthy (or too few sends to judge). */
export function unhealthyReason(health: Omit<Health, 'since'>): string | undefined {
  if (health.sends < HEALTH.minSends) return undefined;
  const percent = (rate: number) => `${(rate * 100).toFixed(rate < 0.01 ? 2 : 1)} %`;
  if (health.bounceRate >= HEALTH.maxBounceRate)
    return `bounce rate ${percent(health.bounceRate)} over the last ${health.sends} sends (limit 5 %)`;
  if (health.complaintRate >= HEALTH.maxComplaintRate)
    return `complaint rate ${percent(health.complaintRate)} over the last ${health.sends} sends (limit 0.1 %)`;
  return undefined;
}

/** After a bounce or a complaint: pauses the account and the sequence when their rates demand it. */
export async function checkSenderHealth(
  sql: Sql,
  input: {
    message: { workspaceId: string; senderId: string | null; sequenceId: string; enrollmentId: string };
    contactId: string;
    now: Date;
  },
): Promise<void> {
  const { message, contactId, now } = input;
  const note = (summary: string, data: Record<string, unknown>) =>
    addActivity(sql, {
      workspaceId: message.workspaceId,
      contactId,
      type: 'paused',
      summary,
      data: { enrollmentId: message.enrollmentId, sequenceId: message.sequenceId, ...data },
      occurredAt: now,
    });
  if (message.senderId) {
    const reason = unhealthyReason(await senderHealth(sql, message.senderId));
    if (reason) {
      const name = await pauseSenderForHealth(sql, message.senderId, `health: ${reason}`);
      if (name) await note(`Account ${name} paused: ${reason}`, { senderId: message.senderId, reason });
    }
  }
  const reason = unhealthyReason(await sequenceHealth(sql, message.sequenceId));
  if (reason && (await pauseSequenceForHealth(sql, message.sequenceId, `health: ${reason}`)))
    await note(`Sequence paused: ${reason}`, { reason });
}
