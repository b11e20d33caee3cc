// WhatsApp message templates: choosing the approved one a step uses and filling its variables.
// A step uses the approved template named like its purpose (`casual_checkin`) when the account has
// one, else the account's `defaultTemplate`. Variables are positional ({{1}} …) or named
// ({{first_name}} …) and are filled from what the message knows: {{1}} the person's first name,
// {{2}} the writer's message, {{3}} the sender's name; named ones by their meaning (below). Each
// value is flattened to one line (Meta refuses newlines, tabs and runs of spaces in parameters) and
// the filled body is kept within 1,024 characters by shortening the writer's message.
import type { ChannelTemplate, OutboundMessage, TemplateSend } from '../types.ts';

export const TEMPLATE_BODY_MAX = 1024;

type Fact = 'first_name' | 'last_name' | 'message' | 'sender_name';

const POSITIONAL: readonly Fact[] = ['first_name', 'message', 'sender_name'];

const NAMED: Readonly<Record<string, Fact>> = {
  first_name: 'first_name',
  firstname: 'first_name',
  name: 'first_name',
  customer_name: 'first_name',
  last_name: 'last_name',
  lastname: 'last_name',
  message: 'message',
  body: 'message',
  text: 'message',
  note: 'message',
  sender_name: 'sender_name',
  sender: 'sender_name',
  agent_name: 'sender_name',
};

/** The approved template a step uses, or why there is none. */
export function chooseTemplate(
  templates: readonly ChannelTemplate[],
  input: { purpose: string; defaultTemplate?: string | undefined },
): { ok: true; template: ChannelTemplate } | { ok: false; reason: string } {
  const approved = (name: string) => templates.find((t) => t.name === name && t.status.toUpperCase() === 'APPROVED');
  const byPurpose = approved(input.purpose);
  if (byPurpose) return { ok: true, template: byPurpose };
  if (input.defaultTemplate) {
    const fallback = approved(input.defaultTemplate);
    if (fallback) return { ok: true, template: fallback };
    return {
      ok: false,
      reason: `no approved template "${input.purpose}" and the default template "${input.defaultTemplate}" is not approved`,
    };
  }
  return { ok: false, reason: `no approved template "${input.purpose}" and no defaultTemplate for the account` };
}

/** The variables of a template body, in order of appearance (each once). */
export function templateVariables(body: string): string[] {
  const names = [...body.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1] ?? '');
  return [...new Set(names)];
}

/** One line: newlines and tabs become spaces, runs of spaces one space. */
export function flatten(text: string): string {
  return text
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function factOf(variable: string): Fact | undefined {
  if (/^\d+$/.test(variable)) return POSITIONAL[Number(variable) - 1];
  return NAMED[variable.toLowerCase()];
}

/** Fills a template from the message; the filled text is what the person reads (stored on our row). */
export function fillTemplate(
  template: ChannelTemplate,
  message: Pick<OutboundMessage, 'to' | 'from' | 'text'>,
): { ok: true; send: TemplateSend; text: string } | { ok: false; reason: string } {
  const variables = templateVariables(template.body);
  const [first, ...rest] = flatten(message.to.name ?? '').split(' ');
  const facts: Record<Fact, string> = {
    first_name: first || 'there',
    last_name: rest.join(' '),
    sender_name: flatten(message.from.name ?? '') || 'our team',
    message: flatten(message.text),
  };
  for (const variable of variables) {
    const fact = factOf(variable);
    if (!fact)
      return { ok: false, reason: `template "${template.name}" has a variable {{${variable}}} we cannot fill` };
    if (facts[fact] === '')
      return { ok: false, reason: `template "${template.name}": nothing to fill {{${variable}}}` };
  }
  const render = (values: Record<Fact, string>) =>
    template.body.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, v: string) => values[factOf(v) ?? 'message']);
  let text = render(facts);
  if (text.length > TEMPLATE_BODY_MAX) {
    const uses = variables.filter((v) => factOf(v) === 'message').length;
    const over = text.length - TEMPLATE_BODY_MAX;
    const room = uses > 0 ? facts.message.length - Math.ceil(over / uses) - 1 : -1;
    if (room < 1)
      return { ok: false, reason: `template "${template.name}" filled is over ${TEMPLATE_BODY_MAX} characters` };
    facts.message = `${facts.message.slice(0, room).replace(/\s+\S*$/, '')}…`;
    text = render(facts);
  }
  const parameters = variables.map((v) => ({
    ...(/^\d+$/.test(v) ? {} : { name: v }),
    text: facts[factOf(v) ?? 'message'],
  }));
  return { ok: true, send: { name: template.name, language: template.language, parameters }, text };
}
