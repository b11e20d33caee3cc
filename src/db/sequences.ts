// Sequences of one workspace.
import type { FallbackPolicy, Schedule, SequenceInput, Step } from '../core/sequence.ts';
import type { Sql } from './database.ts';

export type Sequence = {
  id: string;
  name: string;
  preset: string | null;
  steps: Step[];
  schedule: Schedule;
  fallback: FallbackPolicy;
  settings: {
    stopOnReply: boolean;
    pauseColleaguesOnReply: boolean;
    variants: number;
    /** Absent on sequences created before these settings existed: tracking on, HTML first touch. */
    tracking?: boolean;
    plainTextFirstTouch?: boolean;
    /** Absent on sequences created before SMS went through Twilio: 1. */
    smsMaxSegments?: number;
    callOwner?: { userId?: string; phone?: string; name?: string };
    callTaskDueHours?: number;
  };
  /** 'paused' by its health (bounces, complaints): its email steps wait until someone resumes it. */
  status: 'active' | 'paused';
  statusReason: string | null;
  createdAt: string;
};

export const SEQUENCE_COLUMNS = `id, name, preset, steps, schedule, fallback, settings, status, status_reason AS "statusReason",
  to_json(created_at) #>> '{}' AS "createdAt"`;

export async function insertSequence(
  sql: Sql,
  workspaceId: string,
  input: SequenceInput,
  preset: string | null,
): Promise<Sequence> {
  const { rows } = await sql.query<Sequence>(
    `INSERT INTO sequences (workspace_id, name, preset, steps, schedule, fallback, settings)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SEQUENCE_COLUMNS}`,
    [
      workspaceId,
      input.name,
      preset,
      JSON.stringify(input.steps),
      JSON.stringify(input.schedule),
      JSON.stringify(input.fallback),
      JSON.stringify({
        stopOnReply: input.stopOnReply,
        pauseColleaguesOnReply: input.pauseColleaguesOnReply,
        variants: input.variants,
        tracking: input.tracking,
        plainTextFirstTouch: input.plainTextFirstTouch,
        smsMaxSegments: input.smsMaxSegments,
        ...(input.callOwner ? { callOwner: input.callOwner } : {}),
        ...(input.callTaskDueHours ? { callTaskDueHours: input.callTaskDueHours } : {}),
      }),
    ],
  );
  return rows[0] as Sequence;
}

export async function getSequence(sql: Sql, id: string): Promise<Sequence | undefined> {
  const { rows } = await sql.query<Sequence>(`SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = $1`, [id]);
  return rows[0];
}

export async function listSequences(sql: Sql): Promise<Sequence[]> {
  const { rows } = await sql.query<Sequence>(`SELECT ${SEQUENCE_COLUMNS} FROM sequences ORDER BY created_at, id`);
  return rows;
}

/** A sequence's status and its reason, locked (a resume). */
export async function lockSequenceStatus(
  sql: Sql,
  id: string,
): Promise<{ status: string; reason: string | null } | undefined> {
  const { rows } = await sql.query<{ status: string; reason: string | null }>(
    'SELECT status, status_reason AS reason FROM sequences WHERE id = $1 FOR UPDATE',
    [id],
  );
  return rows[0];
}

export async function activateSequence(sql: Sql, id: string): Promise<void> {
  await sql.query(`UPDATE sequences SET status = 'active', status_reason = NULL WHERE id = $1`, [id]);
}
