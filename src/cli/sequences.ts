// quotahit sequences create --workspace ID (--preset P [--name N] | --file sequence.json) [--json]
// quotahit enroll --sequence ID (--contacts id,id | --tag T) [--json]
import { readFile } from 'node:fs/promises';
import { isPresetId, PRESET_IDS, presetToSequence } from '../core/presets.ts';
import { validateSequence, type SequenceInput } from '../core/sequence.ts';
import { isUuid } from '../db/cursor.ts';
import { openDatabase } from '../db/open.ts';
import { insertSequence } from '../db/sequences.ts';
import { getWorkspace } from '../db/workspaces.ts';
import { wireEngine } from '../engine/wire.ts';
import { silentLogger } from '../engine/ports.ts';
import { config, parse, printJson, requireId, UsageError } from './args.ts';
import { workspaceOfSequence } from './lookup.ts';

const CREATE_USAGE =
  'usage: quotahit sequences create --workspace ID (--preset NAME [--name N] | --file FILE) [--json]';

export async function sequencesCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') throw new UsageError(CREATE_USAGE);
  const { values } = parse(rest, {
    workspace: { type: 'string' },
    preset: { type: 'string' },
    name: { type: 'string' },
    file: { type: 'string' },
    json: { type: 'boolean' },
  });
  const workspaceId = requireId(values.workspace, 'workspace', 'workspace', CREATE_USAGE);
  if (!!values.preset === !!values.file) throw new UsageError(`give either --preset or --file\n${CREATE_USAGE}`);
  let input: SequenceInput;
  if (values.preset) {
    if (!isPresetId(values.preset)) throw new UsageError(`--preset must be one of ${PRESET_IDS.join(', ')}`);
    input = presetToSequence(values.preset, values.name);
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(values.file as string, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `cannot read ${values.file} as JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const checked = validateSequence(values.name ? { ...(raw as object), name: values.name } : raw);
    if (!checked.ok) throw new UsageError(`invalid sequence:\n  ${checked.errors.map((e) => e.message).join('\n  ')}`);
    input = checked.value;
  }
  const database = await openDatabase(config());
  try {
    const sequence = await database.db.tenant(workspaceId, async (sql) => {
      if (!(await getWorkspace(sql))) throw new UsageError(`workspace ${workspaceId} not found`);
      return insertSequence(sql, workspaceId, input, values.preset ?? null);
    });
    if (values.json) printJson(sequence);
    else process.stdout.write(`Sequence "${sequence.name}" (${sequence.id}): ${sequence.steps.length} steps\n`);
  } finally {
    await database.close();
  }
}

const ENROLL_USAGE = 'usage: quotahit enroll --sequence ID (--contacts ID,ID,… | --tag T) [--json]';

export async function enrollCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    sequence: { type: 'string' },
    contacts: { type: 'string' },
    tag: { type: 'string' },
    json: { type: 'boolean' },
  });
  const sequenceId = requireId(values.sequence, 'sequence', 'sequence', ENROLL_USAGE);
  if (!!values.contacts === !!values.tag) throw new UsageError(`give either --contacts or --tag\n${ENROLL_USAGE}`);
  const contactIds = values.contacts
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = contactIds?.find((id) => !isUuid(id));
  if (bad) throw new UsageError(`--contacts: "${bad}" is not a contact id (UUID)`);
  const database = await openDatabase(config());
  try {
    const workspaceId = await workspaceOfSequence(database.db, sequenceId);
    if (!workspaceId) throw new UsageError(`sequence ${sequenceId} not found`);
    const { engine, queue } = await wireEngine(database, { log: silentLogger, queue: true });
    try {
      const result = await engine.enroll({
        workspaceId,
        sequenceId,
        ...(contactIds ? { contactIds } : { tag: values.tag as string }),
      });
      if (values.json) printJson(result);
      else {
        process.stdout.write(`${result.enrolled.length} enrolled, ${result.skipped.length} skipped\n`);
        for (const s of result.skipped.slice(0, 20)) process.stdout.write(`  ${s.contactId}: ${s.reason}\n`);
      }
    } finally {
      await queue?.stop();
    }
  } finally {
    await database.close();
  }
}
