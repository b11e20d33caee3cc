// quotahit sequences create [--workspace W] (--preset P [--name N] | --file F) [--json]
// quotahit enroll --sequence S [--workspace W] (--contact-ids ID,ID | --tag T) [--json]
import { readFile } from 'node:fs/promises';
import { isPresetId, PRESET_IDS, presetToSequence } from '../core/presets.ts';
import { validateSequence, type SequenceInput } from '../core/sequence.ts';
import { contactLabels, workspaceOfSequence } from '../db/lookups.ts';
import type { OpenDatabase } from '../db/open.ts';
import { insertSequence } from '../db/sequences.ts';
import { silentLogger } from '../engine/ports.ts';
import { wireEngine } from '../engine/wire.ts';
import { idList, isUuid, printJson, say, UsageError } from './args.ts';
import type { EnrollOptions, SequenceCreateOptions } from './programData.ts';
import { resolveSequence, resolveWorkspace, withDatabase, type Named } from './session.ts';
import { parseJsonInput } from '../core/jsonInput.ts';

export async function createSequenceCommand(options: SequenceCreateOptions): Promise<void> {
  if (!!options.preset === !!options.file) throw new UsageError('give either --preset or --file');
  let input: SequenceInput;
  if (options.preset) {
    if (!isPresetId(options.preset)) throw new UsageError(`--preset must be one of ${PRESET_IDS.join(', ')}`);
    input = presetToSequence(options.preset, options.name);
  } else {
    let raw: unknown;
    const file = options.file as string;
    const text = await readFile(file, 'utf8').catch((error: Error) => {
      throw new UsageError(`cannot read ${file}: ${error.message}`);
    });
    try {
      raw = parseJsonInput(text, file);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const checked = validateSequence(options.name ? { ...(raw as object), name: options.name } : raw);
    if (!checked.ok) throw new UsageError(`invalid sequence:\n  ${checked.errors.map((e) => e.message).join('\n  ')}`);
    input = checked.value;
  }
  const sequence = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return database.db.tenant(workspace.id, (sql) => insertSequence(sql, workspace.id, input, options.preset ?? null));
  });
  if (options.json) return printJson(sequence);
  say(`Sequence "${sequence.name}": ${sequence.steps.length} steps`);
}

/**
 * The sequence and its workspace. An id alone names both (the workspace is looked up, and must
 * match --workspace when that is given too); a name is looked up within the workspace.
 */
export async function sequenceAndWorkspace(
  database: OpenDatabase,
  sequence: string,
  workspace: string | undefined,
): Promise<{ workspaceId: string; sequence: Named }> {
  if (isUuid(sequence)) {
    const workspaceId = await workspaceOfSequence(database.db, sequence);
    const given = workspace === undefined ? undefined : await resolveWorkspace(database, workspace);
    if (!workspaceId || (given && given.id !== workspaceId))
      throw new UsageError(`sequence ${sequence} not found${given ? ` in workspace "${given.name}"` : ''}`);
    return { workspaceId, sequence: await resolveSequence(database, workspaceId, sequence) };
  }
  const { id: workspaceId } = await resolveWorkspace(database, workspace);
  return { workspaceId, sequence: await resolveSequence(database, workspaceId, sequence) };
}

export async function enrollCommand(options: EnrollOptions): Promise<void> {
  const ids = options.contactIds ?? options.contacts;
  if ((ids === undefined) === (options.tag === undefined)) throw new UsageError('give either --contact-ids or --tag');
  const contactIds = ids === undefined ? undefined : idList(ids, 'contact-ids', 'contact');
  const { result, labels } = await withDatabase(async (database) => {
    const { workspaceId, sequence } = await sequenceAndWorkspace(database, options.sequence, options.workspace);
    const { engine, queue } = await wireEngine(database, { log: silentLogger, queue: true });
    try {
      const enrolled = await engine.enroll({
        workspaceId,
        sequenceId: sequence.id,
        ...(contactIds ? { contactIds } : { tag: options.tag as string }),
      });
      const skippedIds = enrolled.skipped.slice(0, 20).map((s) => s.contactId);
      const names = options.json
        ? new Map<string, string>()
        : await database.db.tenant(workspaceId, (sql) => contactLabels(sql, skippedIds));
      return { result: enrolled, labels: names };
    } finally {
      await queue?.stop();
    }
  });
  if (options.json) return printJson(result);
  say(`${result.enrolled.length} enrolled, ${result.skipped.length} skipped`);
  for (const s of result.skipped.slice(0, 20)) say(`  ${labels.get(s.contactId) ?? s.contactId}: ${s.reason}`);
  if (result.skipped.length > 20) say(`  … and ${result.skipped.length - 20} more (use --json for all)`);
}
