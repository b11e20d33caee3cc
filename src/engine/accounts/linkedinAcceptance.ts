// Re-judges a LinkedIn account's acceptance health (core/linkedinAcceptance.ts) from its requests
// and its contacts' connections, at each of its polls: the halved cap takes effect at the next
// send and lifts as soon as enough requests are accepted.
import {
  ACCEPTANCE_SAMPLE,
  acceptanceSampleBefore,
  judgeAcceptance,
  type LinkedinAcceptance,
} from '../../core/linkedinAcceptance.ts';
import type { Sql } from '../../db/database.ts';
import { linkedinAcceptanceSample, setLinkedinAcceptance } from '../../db/senders.ts';

export async function judgeLinkedinAcceptance(sql: Sql, senderId: string, now: Date): Promise<LinkedinAcceptance> {
  const sample = await linkedinAcceptanceSample(sql, {
    senderId,
    before: acceptanceSampleBefore(now),
    limit: ACCEPTANCE_SAMPLE,
  });
  const judged = judgeAcceptance(sample, now);
  await setLinkedinAcceptance(sql, senderId, judged);
  return judged;
}
