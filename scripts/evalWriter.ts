// npm run eval:writer — writes every preset step (and the SMS fallback of each WhatsApp step) for
// 200 generated leads and prints: the share passing every guardrail, the share of clean messages
// (no grammar-checker finding and no template seam, see evalWriterChecks.ts) per channel and for
// first touches, the average number of enrichment facts used, the near-duplicate rate across
// contacts, and two samples per channel.
// Offline composer by default; set QUOTAHIT_EVAL_MODEL to a JSON ModelConfig (e.g.
// '{"provider":"anthropic","apiKey":"sk-ant-…"}') to evaluate a model instead (fewer leads:
// QUOTAHIT_EVAL_LEADS, default 10 with a model). Leads come from a fixed seed: same numbers every run.
import { PRESETS, PRESET_IDS } from '../src/core/presets.ts';
import { generateLeads, type Lead } from './evalWriterLeads.ts';
import { createGrammarChecker, seamProblems, type Problem } from './evalWriterChecks.ts';
import { createWriter, type WriteOutcome } from '../src/writer/writer.ts';
import { parseModelConfig } from '../src/writer/llm/modelConfig.ts';
import type { PreviousMessage, WriterChannel, WriterInput } from '../src/writer/types.ts';
import { smsSegments } from '../src/core/smsSegments.ts';

type Written = {
  lead: Lead;
  group: string;
  channel: WriterChannel;
  purpose: string;
  outcome: WriteOutcome;
  input: WriterInput;
  problems: Problem[];
};

/** Offers of four made-up workspaces: some bear on the leads' pain points, some do not. */
const WORKSPACES = [
  { name: 'QuotaHit', offer: 'We write and send multi-channel outreach from your own accounts.' },
  { name: 'Ledgerly', offer: 'An AI assistant that reconciles invoices and reports automatically.' },
  { name: 'Routewise', offer: 'Route planning software that builds delivery routes automatically.' },
  { name: 'Intakely', offer: 'Helping clinics replace paper intake forms with a two-minute online check-in.' },
] as const;
const SENDERS = ['Sam Rivera', 'Alex Chen', 'Maya Patel', 'Jordan Lee'] as const;

/** Every preset step in order (previous messages accumulate), plus SMS for each WhatsApp step. */
async function writeAll(leads: Lead[], write: (input: WriterInput) => Promise<WriteOutcome>): Promise<Written[]> {
  const written: Written[] = [];
  for (const [leadIndex, lead] of leads.entries()) {
    for (const presetId of PRESET_IDS) {
      const previous: PreviousMessage[] = [];
      for (const [stepIndex, step] of PRESETS[presetId].steps.entries()) {
        const channels: WriterChannel[] = step.channel === 'whatsapp' ? ['whatsapp', 'sms'] : [step.channel];
        // The SMS is written instead of the WhatsApp message (its fallback): both see the same history.
        const before = [...previous];
        for (const channel of channels) {
          const input: WriterInput = {
            contact: lead.contact,
            channel,
            purpose: step.template,
            sender: {
              fromName: SENDERS[leadIndex % SENDERS.length],
              fromEmail: 'rep@quotahit.dev',
              linkedinFree: leadIndex % 3 === 0,
            },
            workspace: { ...WORKSPACES[leadIndex % WORKSPACES.length]!, postalAddress: '1 Main St, Springfield' },
            previous: before,
            seed: `${lead.contact.id}:${presetId}:${stepIndex}`,
          };
          const outcome = await write(input);
          written.push({
            lead,
            group: `${presetId}#${stepIndex}:${channel}:${step.template}`,
            channel,
            purpose: step.template,
            outcome,
            input,
            problems: [],
          });
          if (outcome.ok && channel === step.channel)
            previous.push({ channel, purpose: step.template, subject: outcome.subject, body: outcome.body });
        }
      }
    }
  }
  return written;
}

function shingles(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
  const set = new Set<string>();
  for (let i = 0; i + 2 < words.length; i++) set.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return set;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Pairs of bodies from different contacts, same step and channel, with Jaccard(3-shingles) above
 * the threshold; `twins` holds every message that has at least one such pair.
 */
export function nearDuplicates(written: Written[], threshold = 0.8) {
  const groups = new Map<string, { item: Written; shingles: Set<string> }[]>();
  for (const item of written) {
    if (!item.outcome.ok) continue;
    const list = groups.get(item.group) ?? [];
    list.push({ item, shingles: shingles(item.outcome.body) });
    groups.set(item.group, list);
  }
  let pairs = 0;
  let duplicates = 0;
  const twins = new Set<Written>();
  for (const bodies of groups.values()) {
    for (const [i, a] of bodies.entries()) {
      for (const b of bodies.slice(i + 1)) {
        pairs++;
        if (jaccard(a.shingles, b.shingles) <= threshold) continue;
        duplicates++;
        twins.add(a.item).add(b.item);
      }
    }
  }
  return { pairs, duplicates, twins };
}

const CHANNELS = ['email', 'linkedin', 'whatsapp', 'sms', 'call'] as const;
const FIRST_TOUCH = new Set(['intro', 'connection_request', 'reengage']);
const KINDS = ['rich', 'partial', 'sparse'] as const;
const pct = (part: number, whole: number): string => `${whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1)}%`;

function report(written: Written[], label: string): void {
  const passing = written.filter((item) => item.outcome.ok && item.outcome.checks.passed);
  const ok = written.flatMap((item) => (item.outcome.ok ? [{ ...item, outcome: item.outcome, source: item }] : []));
  const enrichmentFacts = (item: (typeof ok)[number]) =>
    item.outcome.factsUsed.filter((key) => key.startsWith('enrichment.')).length;
  const average = (items: typeof ok) =>
    items.length === 0 ? 0 : items.reduce((sum, item) => sum + enrichmentFacts(item), 0) / items.length;
  const failures = new Map<string, number>();
  for (const item of written)
    for (const failure of item.outcome.checks.failures)
      failures.set(failure.rule, (failures.get(failure.rule) ?? 0) + 1);
  const dup = nearDuplicates(written);
  const fallbacks = ok.filter((item) => item.outcome.fallback !== undefined).length;
  const leads = new Set(written.map((item) => item.lead.contact.id)).size;

  console.log(`writer eval (${label}): ${leads} leads, ${written.length} messages`);
  console.log(`passing every guardrail: ${pct(passing.length, written.length)} (${passing.length}/${written.length})`);
  console.log(
    `guardrail failures by rule: ${failures.size === 0 ? 'none' : [...failures].map(([rule, n]) => `${rule} ${n}`).join(', ')}`,
  );
  const cause = ok.find((item) => item.outcome.fallback !== undefined)?.outcome.fallback?.cause;
  if (fallbacks > 0) console.log(`model fallbacks to the composer: ${fallbacks} (first cause: ${cause})`);
  console.log(`enrichment facts used per message: ${average(ok).toFixed(2)} overall`);
  for (const kind of KINDS) {
    console.log(`  ${kind}: ${average(ok.filter((item) => item.lead.kind === kind)).toFixed(2)}`);
  }
  console.log(`near-duplicates (Jaccard of word 3-shingles > 0.8, same step and channel, different contacts):`);
  console.log(`  pairs: ${pct(dup.duplicates, dup.pairs)} (${dup.duplicates}/${dup.pairs})`);
  console.log(`  messages with a near-twin: ${pct(dup.twins.size, ok.length)}`);
  const twinShare = (items: typeof ok) => pct(items.filter((item) => dup.twins.has(item.source)).length, items.length);
  console.log(
    `    by channel: ${CHANNELS.map((c) => `${c} ${twinShare(ok.filter((item) => item.channel === c))}`).join(', ')}`,
  );
  console.log(
    `    by lead: ${KINDS.map((k) => `${k} ${twinShare(ok.filter((item) => item.lead.kind === k))}`).join(', ')}`,
  );
  const clean = (items: Written[]) => items.filter((item) => item.outcome.ok && item.problems.length === 0).length;
  const share = (items: Written[]) => `${pct(clean(items), items.length)} (${clean(items)}/${items.length})`;
  const firstTouches = written.filter((item) => FIRST_TOUCH.has(item.purpose));
  console.log(`clean messages (no grammar-checker finding, no template seam): ${share(written)}`);
  console.log(`  first touches (intro, connection_request, reengage): ${share(firstTouches)}`);
  console.log(
    `  by channel: ${CHANNELS.map((c) => `${c} ${pct(clean(written.filter((i) => i.channel === c)), written.filter((i) => i.channel === c).length)}`).join(', ')}`,
  );
  const byCheck = new Map<string, number>();
  for (const item of written)
    for (const check of new Set(item.problems.map((p) => p.check))) byCheck.set(check, (byCheck.get(check) ?? 0) + 1);
  console.log(
    `  messages with each finding: ${
      byCheck.size === 0
        ? 'none'
        : [...byCheck]
            .sort((a, b) => b[1] - a[1])
            .map(([check, n]) => `${check} ${n}`)
            .join(', ')
    }`,
  );
  const smsOver = ok.filter((item) => item.channel === 'sms' && smsSegments(item.outcome.body).segments > 1).length;
  console.log(`  SMS over one segment: ${smsOver}`);
  if (process.env.QUOTAHIT_EVAL_SHOW_PROBLEMS !== undefined) {
    for (const item of written
      .filter((i) => i.problems.length > 0)
      .slice(0, Number(process.env.QUOTAHIT_EVAL_SHOW_PROBLEMS) || 20)) {
      console.log(`\n!!! ${item.group} · ${item.problems.map((p) => `${p.check}: ${p.detail}`).join(' | ')}`);
      console.log(
        item.outcome.ok
          ? `${item.outcome.subject ? `Subject: ${item.outcome.subject}\n` : ''}${item.outcome.body}`
          : item.outcome.reason,
      );
    }
  }
  for (const channel of CHANNELS) {
    const samples = ok.filter((item) => item.channel === channel && item.lead.kind !== 'sparse');
    for (const sample of [samples[0], samples[Math.floor(samples.length / 2)]]) {
      if (sample === undefined) continue;
      console.log(
        `\n--- ${channel} · ${sample.group.split(':').slice(2).join(':')} · ${sample.lead.contact.firstName} (${sample.lead.kind}) ---`,
      );
      if (sample.outcome.subject !== undefined) console.log(`Subject: ${sample.outcome.subject}`);
      console.log(sample.outcome.body);
    }
  }
}

async function main(): Promise<void> {
  const modelJson = process.env.QUOTAHIT_EVAL_MODEL;
  const model = modelJson ? parseModelConfig(JSON.parse(modelJson)) : undefined;
  const count = Number(process.env.QUOTAHIT_EVAL_LEADS ?? (model === undefined ? 200 : 10));
  const writer = createWriter(model === undefined ? {} : { model });
  const written = await writeAll(generateLeads(count), (input) => writer.write(input));
  const grammar = await createGrammarChecker();
  for (const item of written) {
    if (!item.outcome.ok) continue;
    const { contact } = item.input;
    const names = [
      ...[contact.firstName, contact.lastName, contact.company, contact.city, contact.title].filter(
        (n): n is string => typeof n === 'string',
      ),
      ...(contact.enrichment.techStack ?? []),
      item.input.workspace.name,
      item.input.sender.fromName ?? '',
    ];
    const text = `${item.outcome.subject === undefined ? '' : `${item.outcome.subject}\n\n`}${item.outcome.body}`;
    item.problems = [
      ...(await grammar(text, names)),
      ...seamProblems({
        body: item.outcome.body,
        subject: item.outcome.subject,
        channel: item.channel,
        contact,
        senderName: item.input.sender.fromName,
        previous: item.input.previous,
      }),
    ];
  }
  report(written, model === undefined ? 'offline composer' : `${model.provider} ${model.model}`);
}

await main();
