// quotahit presets [--json]: the ready-made sequences. Needs no database.
import { PRESETS } from '../core/presets.ts';
import { printJson, say } from './args.ts';

export async function listPresets(options: { json?: boolean }): Promise<void> {
  const presets = Object.values(PRESETS);
  if (options.json) return printJson({ data: presets });
  for (const p of presets) {
    say(`${p.id} — ${p.name}`);
    say(`  ${p.description}`);
    say(`  ${p.steps.map((s) => `day ${s.day} ${s.channel}`).join(', ')}`);
  }
}
