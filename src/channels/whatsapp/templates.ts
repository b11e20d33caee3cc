// WhatsApp message templates: choosing the approved one a step uses and filling its variables.
// A step uses the approved template named like its purpose (`casual_checkin`) when the account has
// one, else the account's `defaultTemplate`. Variables are positional ({{1}} …) or named
// ({{first_name}} …) and are filled from the writer's message and the person's facts: {{1}} the
// person's first name, {{2}} the writer's message, {{3}} the sender's name; named ones by their
// meaning (below) or by the contact fact of that name ({{company}}, {{title}}, {{city}}, a custom
// field). Positional variables must be {{1}}…{{n}}, sent in that order (Meta counts them); a
// variable with nothing to fill holds the step with the reason, never sent half-filled. Each value
// is flattened to one line (Meta refuses newlines, tabs and runs of spaces in parameters) and the
// filled body is kept within 1,024 characters by shortening the writer's message.
import type { ChannelTemplate, OutboundMessage, TemplateSend } from '../types.ts';

export const TEMPLATE_BODY_MAX = 1024;

type Known = 'first_name' | 'last_name' | 'message' | 'sender_name';

const POSITIONAL: readonly Known[] = ['first_name', 'message', 'sender_name'];

/** Named variables by meaning, keyed as `key()` spells them (Gallabox writes {{ContactName}}, Meta {{first_name}}). */
const NAMED: Readonly<Record<string, Known>> = {
  firstname: 'first_name',
  name: 'first_name',
  customername: 'first_name',
  contactname: 'first_name',
  lastname: 'last_name',
  message: 'message',
  body: 'message',
  text: 'message',
  note: 'message',
  sendername: 'sender_name',
  sender: 'sender_name',
  agentname: 'sender_name',
};

/** Other names a contact fact goes by in templates (keyed as `key()` spells them). */
const FACT_ALIASES: Readonly<Record<string, string>> = {
  companyname: 'company',
  organization: 'company',
  jobtitle: 'title',
  role: 'title',
};

/** A variable's name without case or separators: {{First_Name}}, {{firstName}} and {{first-name}} are one. */
function key(variable: string): string {
  return variable.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

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

/** Positional variables must be {{1}}…{{n}}: the reason they are not, or undefined. */
function countProblem(template: ChannelTemplate, variables: readonly string[]): string | undefined {
  const numbers = variables.filter((v) => /^\d+$/.test(v)).map(Number);
  if (numbers.length === 0) return undefined;
  if (numbers.length !== variables.length)
    return `template "${template.name}" mixes positional and named variables (Meta takes one kind)`;
  const sorted = [...numbers].sort((a, b) => a - b);
  if (sorted.some((n, i) => n !== i + 1))
    return `template "${template.name}" has variables {{${sorted.join('}}, {{')}}}: they must be {{1}} to {{${sorted.length}}}`;
  if (sorted.length > POSITIONAL.length)
    return `template "${template.name}" has ${sorted.length} parameters; positional ones are filled as {{1}} first name, {{2}} the message, {{3}} the sender's name: name the others ({{company}} …)`;
  return undefined;
}

type Values = { known: Record<Known, string>; facts: Readonly<Record<string, string>> };

/** What fills a variable (undefined: nothing we know of), and what it is called in a reason. */
function valueOf(variable: string, values: Values): { value: string; what: string } | undefined {
  if (/^\d+$/.test(variable)) {
    const known = POSITIONAL[Number(variable) - 1];
    return known ? { value: values.known[known], what: known.replace('_', ' ') } : undefined;
  }
  const known = NAMED[key(variable)];
  if (known) return { value: values.known[known], what: known.replace('_', ' ') };
  const fact = FACT_ALIASES[key(variable)] ?? variable.toLowerCase();
  const value = values.facts[fact] ?? values.facts[variable];
  return { value: flatten(value ?? ''), what: `${fact.replace('_', ' ')} (a contact fact)` };
}

/** Fills a template from the message; the filled text is what the person reads (stored on our row). */
export function fillTemplate(
  template: ChannelTemplate,
  message: Pick<OutboundMessage, 'to' | 'from' | 'text'>,
): { ok: true; send: TemplateSend; text: string } | { ok: false; reason: string } {
  const variables = templateVariables(template.body);
  const problem = countProblem(template, variables);
  if (problem) return { ok: false, reason: problem };
  const [first, ...rest] = flatten(message.to.name ?? '').split(' ');
  const values: Values = {
    known: {
      first_name: first || 'there',
      last_name: rest.join(' '),
      sender_name: flatten(message.from.name ?? '') || 'our team',
      message: flatten(message.text),
    },
    facts: message.to.facts ?? {},
  };
  for (const variable of variables) {
    const found = valueOf(variable, values);
    if (!found)
      return { ok: false, reason: `template "${template.name}" has a variable {{${variable}}} we cannot fill` };
    if (found.value === '')
      return {
        ok: false,
        reason: `template "${template.name}" needs {{${variable}}}: the contact has no ${found.what}`,
      };
  }
  const render = () =>
    template.body.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, v: string) => valueOf(v, values)?.value ?? '');
  let text = render();
  if (text.length > TEMPLATE_BODY_MAX) {
    const uses = [...template.body.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].filter(
      (m) => valueOf(m[1] ?? '', values)?.what === 'message',
    ).length;
    const over = text.length - TEMPLATE_BODY_MAX;
    const room = uses > 0 ? values.known.message.length - Math.ceil(over / uses) - 1 : -1;
    if (room < 1)
      return { ok: false, reason: `template "${template.name}" filled is over ${TEMPLATE_BODY_MAX} characters` };
    values.known.message = `${values.known.message.slice(0, room).replace(/\s+\S*$/, '')}…`;
    text = render();
  }
  // Positional parameters go in their number's order, named ones in order of appearance.
  const ordered = [...variables].sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : 0));
  const parameters = ordered.map((v) => ({
    ...(/^\d+$/.test(v) ? {} : { name: v }),
    text: valueOf(v, values)?.value ?? '',
  }));
  return { ok: true, send: { name: template.name, language: template.language, parameters }, text };
}
