// Short formats: LinkedIn connection notes (300/200 characters) and SMS (segment-aware, GSM-7
// friendly). Each builds candidates from richest to plainest and keeps the first that fits.
import { smsSegments, toGsmFriendly } from '../core/smsSegments.ts';
import type { Angle } from './composerFacts.ts';
import type { ComposeContext } from './composerContext.ts';

function noteLine(ctx: ComposeContext, angle: Angle): string | undefined {
  const t = angle.text;
  if (t.length > 110) return undefined;
  switch (angle.kind) {
    case 'news':
      return ctx.pick([`congrats on the news (${t}).`, `saw the news: ${t}. Congrats.`], 'note.news');
    case 'starter':
      return ctx.pick([`${t} caught my eye.`, `I noticed this: ${t}.`], 'note.starter');
    case 'pain':
      return ctx.pick(
        [`curious how you're handling this: ${t}.`, `I'd like to hear how you approach this: ${t}.`],
        'note.pain',
      );
    case 'tech':
      return ctx.pick([`noticed you work with ${t}.`, `saw ${t} in your stack.`], 'note.tech');
    case 'industry':
      return `I'm connecting with more people in ${t}.`;
    case 'role':
      return ctx.company === undefined ? `I see you're ${t}.` : `I see you're ${t} at ${ctx.company}.`;
    case 'none':
      return undefined;
  }
}

/** A LinkedIn connection note within `max` characters. */
export function composeConnectionNote(ctx: ComposeContext, max: number): string {
  const hello = ctx.firstName === undefined ? 'Hi' : `Hi ${ctx.firstName}`;
  const connect = ctx.pick(
    [
      'Would be glad to connect.',
      "Happy to connect if you're open to it.",
      'Would be good to connect here.',
      'Mind if I connect?',
    ],
    'note.connect',
  );
  const signature = ctx.senderName === undefined ? '' : ` - ${ctx.senderName}`;
  const line = noteLine(ctx, ctx.lead);
  const candidates: { text: string; keys: string[] }[] = [];
  if (line !== undefined) {
    candidates.push({ text: `${hello}, ${line} ${connect}${signature}`, keys: ctx.lead.keys });
    candidates.push({ text: `${hello}, ${line} ${connect}`, keys: ctx.lead.keys });
  }
  const plain = connect.startsWith('I ') ? connect : (connect[0]?.toLowerCase() ?? '') + connect.slice(1);
  candidates.push({ text: `${hello}, ${plain}${signature}`, keys: [] });
  candidates.push({ text: `${hello}, ${plain}`, keys: [] });
  const fitting =
    candidates.find((candidate) => [...candidate.text].length <= max) ?? candidates[candidates.length - 1];
  ctx.use(...(fitting?.keys ?? []));
  return (fitting?.text ?? '').slice(0, max);
}

function smsLine(ctx: ComposeContext, angle: Angle): string | undefined {
  const t = angle.text;
  if (t.length > 70) return undefined;
  switch (angle.kind) {
    case 'news':
      return ctx.pick(
        [`Congrats on the news (${t}).`, `Saw the news: ${t}. Congrats!`, `Just read about ${t}. Nice.`],
        'sms.news',
      );
    case 'starter':
      return ctx.pick([`Saw this: ${t}.`, `${t} caught my eye.`, `Noticed ${t}.`], 'sms.starter');
    case 'pain':
      return ctx.pick(
        [
          `Curious how you're handling this: ${t}.`,
          `Is this still a priority: ${t}?`,
          `Quick one on ${t}.`,
          `Wondering if ${t} is still on your plate.`,
        ],
        'sms.pain',
      );
    case 'tech':
      return ctx.pick([`Noticed you use ${t}.`, `Saw ${t} in your stack.`, `You run ${t}, right?`], 'sms.tech');
    default:
      return undefined;
  }
}

/** An SMS that fits in two segments when possible and never more than `maxSegments`. */
export function composeSms(ctx: ComposeContext, maxSegments: number): string {
  const hello = ctx.firstName === undefined ? 'Hi' : `Hi ${ctx.firstName}`;
  const who =
    ctx.senderName === undefined
      ? ctx.pick([`it's ${ctx.workspaceName}`, `${ctx.workspaceName} here`], 'sms.who')
      : ctx.pick(
          [
            `it's ${ctx.senderName} from ${ctx.workspaceName}`,
            `${ctx.senderName} here, from ${ctx.workspaceName}`,
            `${ctx.senderName} at ${ctx.workspaceName}`,
          ],
          'sms.who',
        );
  const ask =
    ctx.purpose === 'breakup'
      ? "I'll stop here. Reply anytime if it becomes relevant."
      : ctx.pick(
          [
            'Open to a quick call?',
            'Worth a short chat?',
            'Any interest in a quick call?',
            'Could we talk for 10 minutes this week?',
            'Is a quick call worth it?',
            'Would a short call help?',
          ],
          'sms.ask',
        );
  const firstSms = !ctx.input.previous.some((message) => message.channel === 'sms');
  const optOut = firstSms ? ' Reply STOP to opt out.' : '';
  const line = smsLine(ctx, ctx.lead);
  const offer = ctx.offer !== undefined && ctx.offer.length <= 110 ? ` ${ctx.offer}` : '';
  const candidates: { text: string; keys: string[] }[] = [];
  if (line !== undefined) {
    candidates.push({ text: `${hello}, ${who}. ${line}${offer} ${ask}${optOut}`, keys: ctx.lead.keys });
    candidates.push({ text: `${hello}, ${who}. ${line} ${ask}${optOut}`, keys: ctx.lead.keys });
  }
  candidates.push({ text: `${hello}, ${who}.${offer} ${ask}${optOut}`, keys: [] });
  candidates.push({ text: `${hello}, ${who}. ${ask}${optOut}`, keys: [] });
  const gsm = candidates.map((candidate) => ({ ...candidate, text: toGsmFriendly(candidate.text) }));
  const fitting =
    gsm.find((candidate) => smsSegments(candidate.text).segments <= Math.min(2, maxSegments)) ??
    gsm.find((candidate) => smsSegments(candidate.text).segments <= maxSegments) ??
    gsm[gsm.length - 1];
  ctx.use(...(fitting?.keys ?? []));
  return fitting?.text ?? '';
}
