// The writer by purpose, as the spec names it (generateEmail, generateLinkedInNote, …): thin
// entry points over one Writer (offline composer or model, same guardrails) that fix the channel
// and a default purpose.
import type { WriterInput } from './types.ts';
import type { WriteOutcome, Writer } from './writer.ts';

export type GenerateInput = Omit<WriterInput, 'channel' | 'purpose'> & { purpose?: string };

const on = (channel: WriterInput['channel'], defaultPurpose: string) => (writer: Writer, input: GenerateInput) =>
  writer.write({ ...input, channel, purpose: input.purpose ?? defaultPurpose });

/** Subject and body; `purpose` intro, followup_1, value_add, breakup … (default intro). */
export const generateEmail = on('email', 'intro');
/** A connection note: ≤ 300 characters, ≤ 200 for senders marked `linkedinFree`. */
export const generateLinkedInNote = (writer: Writer, input: Omit<GenerateInput, 'purpose'>) =>
  writer.write({ ...input, channel: 'linkedin', purpose: 'connection_request' });
export const generateLinkedInDM = on('linkedin', 'linkedin_dm');
export const generateWhatsApp = on('whatsapp', 'casual_checkin');
/** Segment-aware: fits two SMS segments when it can, never more than three. */
export const generateSms = on('sms', 'intro');
/** The talk track for a discovery-call task. */
export const generateCallScript = on('call', 'discovery_call');

/** `count` variants of a cold email (A/B/C…): each leads with a different angle. */
export async function generateColdEmailVariants(
  writer: Writer,
  input: GenerateInput,
  count = 3,
): Promise<WriteOutcome[]> {
  if (!Number.isInteger(count) || count < 1 || count > 10)
    throw new RangeError('count must be a whole number from 1 to 10');
  const outcomes: WriteOutcome[] = [];
  for (let variant = 0; variant < count; variant++) {
    outcomes.push(await writer.write({ ...input, channel: 'email', purpose: input.purpose ?? 'intro', variant }));
  }
  return outcomes;
}
