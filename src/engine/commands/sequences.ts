// Sequences as the API and CLI create and read them, and their dry run.
import type { SequenceInput } from '../../core/sequence.ts';
import { getSequence, insertSequence, listSequences } from '../../db/sequences.ts';
import type { EngineDeps } from '../ports.ts';
import { simulateSequence } from './simulate.ts';

type Deps = Pick<EngineDeps, 'db' | 'clock'>;

export const createSequence = (deps: Deps, workspaceId: string, input: SequenceInput, preset: string | null) =>
  deps.db.tenant(workspaceId, (sql) => insertSequence(sql, workspaceId, input, preset));

export const sequencesOf = (deps: Deps, workspaceId: string) => deps.db.tenant(workspaceId, listSequences);

export const sequenceById = (deps: Deps, workspaceId: string, id: string) =>
  deps.db.tenant(workspaceId, (sql) => getSequence(sql, id));

/** What would go out when, on a virtual clock starting at `start` (now by default); nothing is written. */
export const simulate = (
  deps: Deps,
  workspaceId: string,
  input: { sequenceId: string; contactIds?: string[]; tag?: string; days: number; start?: Date },
) =>
  deps.db.tenant(workspaceId, (sql) =>
    simulateSequence(sql, {
      sequenceId: input.sequenceId,
      ...(input.contactIds ? { contactIds: input.contactIds } : {}),
      ...(input.tag !== undefined ? { tag: input.tag } : {}),
      days: input.days,
      start: input.start ?? deps.clock.now(),
    }),
  );
