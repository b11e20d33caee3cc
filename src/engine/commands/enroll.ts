// Enrolling contacts into a sequence: by ids or by tag. Each contact is judged on its own; the ones
// that cannot be enrolled come back with the reason. Enrolled contacts run from now.
import { analyzeTables } from '../../db/statistics.ts';
import { placeholderReason } from '../../core/leadQuality.ts';
import { hashString } from '../../core/random.ts';
import type { Db } from '../../db/database.ts';
import { enrollmentCandidates, insertEnrollments } from '../../db/enrollments.ts';
import { getSequence } from '../../db/sequences.ts';
import type { EnrollmentRef } from '../ports.ts';

export type EnrollResult = {
  enrolled: { contactId: string; enrollmentId: string }[];
  skipped: { contactId: string; reason: string }[];
};

export class SequenceNotFound extends Error {}

/** Enrolling by a tag no contact has: there is nobody to enroll (spec 000: "no leads" is an error). */
export class NoLeads extends Error {}

export async function enrollContacts(
  deps: { db: Db; schedule(jobs: { ref: EnrollmentRef; at: Date }[]): Promise<void> },
  input: { workspaceId: string; sequenceId: string; contactIds?: string[]; tag?: string; now: Date },
): Promise<EnrollResult> {
  const result = await deps.db.tenant(input.workspaceId, async (sql) => {
    const sequence = await getSequence(sql, input.sequenceId);
    if (!sequence) throw new SequenceNotFound(`sequence ${input.sequenceId} not found`);
    const requested = input.contactIds ? [...new Set(input.contactIds)] : [];
    const rows = await enrollmentCandidates(sql, {
      sequenceId: input.sequenceId,
      ...(input.contactIds ? { contactIds: requested } : {}),
      ...(input.tag !== undefined ? { tag: input.tag } : {}),
    });
    if (input.tag !== undefined && rows.length === 0) throw new NoLeads(`no contact has the tag "${input.tag}"`);
    const found = new Map(rows.map((r) => [r.id, r]));
    const skipped: EnrollResult['skipped'] = [];
    for (const id of requested) if (!found.has(id)) skipped.push({ contactId: id, reason: 'contact not found' });
    const eligible: string[] = [];
    for (const row of rows) {
      if (row.enrolled) skipped.push({ contactId: row.id, reason: 'already enrolled in this sequence' });
      else if (row.status === 'unsubscribed' || row.status === 'bounced')
        skipped.push({ contactId: row.id, reason: `contact is ${row.status}` });
      else if (placeholderReason(row) !== undefined)
        skipped.push({ contactId: row.id, reason: placeholderReason(row) ?? '' });
      else eligible.push(row.id);
    }
    const variants = new Map(
      eligible.map((id) => [id, hashString(`${input.sequenceId}:${id}`) % sequence.settings.variants]),
    );
    const enrolled = await insertEnrollments(sql, {
      workspaceId: input.workspaceId,
      sequenceId: input.sequenceId,
      contactIds: eligible,
      enrolledAt: input.now,
      variants,
    });
    const done = new Set(enrolled.map((e) => e.contactId));
    for (const id of eligible)
      if (!done.has(id)) skipped.push({ contactId: id, reason: 'already enrolled in this sequence' });
    return { enrolled, skipped };
  });
  // Before the first step runs: a large enrollment would otherwise be planned as an empty table.
  if (result.enrolled.length >= 1000) await analyzeTables(deps.db, ['contacts', 'enrollments']);
  await deps.schedule(
    result.enrolled.map((e) => ({
      ref: { workspaceId: input.workspaceId, enrollmentId: e.enrollmentId },
      at: input.now,
    })),
  );
  return result;
}
