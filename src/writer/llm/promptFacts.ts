// The model gets the same fact shaping as the offline composer: each fact as language it can use
// (clause, phrase, topic, "congrats on …"), whether the offer bears on it, the offer in the
// sender's voice, and the sender's identity without placeholders.
import { isPlaceholderWorkspaceName } from '../../core/identityGaps.ts';
import { shapeFacts } from '../composerContext.ts';
import type { Angle } from '../composerFacts.ts';
import type { WriterInput } from '../types.ts';

const BEARS: Record<Angle['relevance'], string> = {
  strong: 'the offer bears on this',
  soft: 'close to what the offer does',
  none: 'the offer does not address this',
};

function forms(angle: Angle): string {
  const parts: string[] = [];
  if (angle.pain?.clause !== undefined) parts.push(`as a clause: "${angle.pain.clause}"`);
  if (angle.pain?.phrase !== undefined) parts.push(`as a phrase: "${angle.pain.phrase}"`);
  if (angle.pain !== undefined) parts.push(`topic: "${angle.pain.topic}"`);
  if (angle.news !== undefined) parts.push(`"saw ${angle.news.seen}"`);
  if (angle.news?.congrats !== undefined) parts.push(`"congrats on ${angle.news.congrats}"`);
  if (angle.starter?.phrase !== undefined) parts.push(`"${angle.starter.phrase}"`);
  if (angle.starter?.clause !== undefined) parts.push(`"${angle.starter.clause}"`);
  if (angle.stack !== undefined)
    parts.push(`"${angle.stack.text}" (${angle.stack.plural ? 'plural: "fit"' : 'singular: "fits"'})`);
  if (angle.role?.clause !== undefined) parts.push(`"${angle.role.clause}"`);
  return parts.join('; ');
}

/** "## The facts as language" with one line per fact the composer could read; nothing when none. */
export function shapedFactLines(input: WriterInput): string[] {
  const { angles } = shapeFacts(input);
  if (angles.length === 0) return [];
  return [
    '## The facts as language (use these forms; a fact missing here could not be read cleanly: leave it out)',
    ...angles.map((angle) => `- ${angle.keys.join(', ')} (${angle.kind}, ${BEARS[angle.relevance]}): ${forms(angle)}`),
  ];
}

/** The sender and the company without placeholder names, and the offer in the sender's voice. */
export function voiceLines(input: WriterInput): string[] {
  const { offer } = shapeFacts(input);
  const company = isPlaceholderWorkspaceName(input.workspace.name) ? undefined : input.workspace.name.trim();
  return [
    '## Sender',
    `name: ${input.sender.fromName ?? '(not set: end with a plain sign-off word and no name)'}`,
    '',
    '## Our company and offer',
    `company: ${company ?? '(not set: do not name the company)'}`,
    `offer: ${input.workspace.offer ?? '(not described: do not describe the product)'}`,
    ...(offer === undefined ? [] : [`offer in the sender's voice: "${offer.line}"`]),
    ...(offer !== undefined && offer.proof.length > 0 ? [`results the offer states: ${offer.proof.join(' | ')}`] : []),
  ];
}
