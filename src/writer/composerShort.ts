// Short formats: LinkedIn connection notes (300/200 characters), SMS (one GSM-7 segment of 160
// characters, the opt-out line included) and WhatsApp (two or three short lines that say who is
// writing). Each builds candidates from richest to plainest and keeps the first that fits.
import { toGsm7 } from '../core/gsmText.ts';
import { smsSegments } from '../core/smsSegments.ts';
import { upperFirst } from '../core/nlp.ts';
import { atCompany, whoIsWriting, type ComposeContext } from './composerContext.ts';
import type { Angle } from './composerFacts.ts';
import { checkinNews, newThing } from './composerBody.ts';
import { observation, topicOf } from './composerPhrases.ts';

export const SMS_OPT_OUT = 'Reply STOP to opt out.';
/** One segment by default; the guardrail's hard limit (three) is for texts written elsewhere. */
export const SMS_TARGET_SEGMENTS = 1;

type Candidate = { text: string; keys: string[] };

function first(ctx: ComposeContext, candidates: readonly Candidate[], fits: (text: string) => boolean): string {
  const fitting = candidates.find((candidate) => fits(candidate.text)) ?? candidates[candidates.length - 1];
  ctx.use(...(fitting?.keys ?? []));
  if (fitting?.text.includes(ctx.firstName ?? '\u0000')) ctx.use('firstName');
  return fitting?.text ?? '';
}

/** One short line on an angle for notes and texts, or undefined. */
function shortLine(ctx: ComposeContext, angle: Angle): string | undefined {
  const { news, starter, pain, role } = angle;
  if (news?.congrats !== undefined) return `congrats on ${news.congrats}`;
  if (starter?.phrase !== undefined) return `I came across ${starter.phrase}`;
  if (starter?.clause !== undefined) return `I saw ${starter.clause}`;
  if (pain !== undefined && angle.relevance !== 'none') return `I'd like to hear how you handle ${pain.topic}`;
  if (role?.clause !== undefined)
    return `I see ${role.clause}${role.clause.endsWith(ctx.company ?? '\u0000') ? '' : atCompany(ctx)}`;
  return undefined;
}

/** A LinkedIn connection note within `max` characters: a person's reason to connect, no pitch. */
export function composeConnectionNote(ctx: ComposeContext, max: number): string {
  const hello = ctx.firstName === undefined ? 'Hi' : `Hi ${ctx.firstName}`;
  const connect = ctx.pick(
    ['Would be glad to connect.', "Happy to connect if you're open to it.", 'Would be good to connect here.'],
    'note.connect',
  );
  const signature = ctx.senderFirst === undefined ? '' : `\n${ctx.senderFirst}`;
  const angle = [ctx.lead, ...ctx.ranked].find((candidate) => shortLine(ctx, candidate) !== undefined);
  const line = angle === undefined ? undefined : shortLine(ctx, angle);
  const keys = angle?.keys ?? [];
  const context = ctx.workspaceName === undefined ? '' : ` I'm with ${ctx.workspaceName}.`;
  const candidates: Candidate[] = [];
  if (line !== undefined) {
    candidates.push({ text: `${hello}, ${line}.${context} ${connect}${signature}`, keys });
    candidates.push({ text: `${hello}, ${line}. ${connect}${signature}`, keys });
    candidates.push({ text: `${hello}, ${line}. ${connect}`, keys });
  }
  const lowered = (connect[0]?.toLowerCase() ?? '') + connect.slice(1);
  candidates.push({
    text: context === '' ? `${hello}, ${lowered}${signature}` : `${hello},${context} ${connect}${signature}`,
    keys: [],
  });
  candidates.push({ text: `${hello}, ${lowered}`, keys: [] });
  return first(ctx, candidates, (text) => [...text].length <= max);
}

/** What an SMS or WhatsApp line says for the purpose: a reason, a follow-up, or a goodbye. */
function purposeLine(ctx: ComposeContext): { text: string; keys: string[] }[] {
  const lead = ctx.lead;
  const offer = ctx.offer?.line;
  const seen = observation(ctx, lead);
  const out: { text: string; keys: string[] }[] = [];
  switch (ctx.purpose) {
    case 'breakup': {
      const topic = topicOf(ctx, ctx.used[0] ?? lead);
      out.push({
        text:
          topic === undefined
            ? 'Last note from me: if the timing changes, just reply here.'
            : `Last note from me: if things change on ${topic}, just reply here.`,
        keys: [],
      });
      break;
    }
    case 'followup_1':
    case 'followup_2':
    case 'followup_3': {
      const extra = newThing(ctx, ctx.purpose === 'followup_1' ? 0 : 1);
      out.push({ text: extra.text, keys: [] });
      break;
    }
    case 'casual_checkin': {
      const news = checkinNews(ctx);
      if (news?.news?.congrats !== undefined)
        out.push({ text: `How are things going since ${news.news.congrats}?`, keys: news.keys });
      out.push({
        text: ctx.pick(
          ["How's the quarter going on your side?", "What's keeping the team busy these days?"],
          'short.checkin',
        ),
        keys: [],
      });
      break;
    }
    default:
      if (seen !== undefined && offer !== undefined && lead.relevance !== 'none')
        out.push({ text: `${seen} ${upperFirst(offer)}.`, keys: lead.keys });
      if (offer !== undefined) out.push({ text: `${upperFirst(offer)}.`, keys: [] });
  }
  return out;
}

/** An SMS in one GSM-7 segment when possible (the first SMS ends with the opt-out line). */
export function composeSms(ctx: ComposeContext, maxSegments: number): string {
  const hello = ctx.firstName === undefined ? 'Hi' : `Hi ${ctx.firstName}`;
  const who = whoIsWriting(ctx);
  const intro = who === undefined ? `${hello}.` : `${hello}, ${who} here.`;
  const firstSms = !ctx.input.previous.some((message) => message.channel === 'sms');
  const optOut = firstSms ? ` ${SMS_OPT_OUT}` : '';
  const ask =
    ctx.purpose === 'breakup' || ctx.purpose === 'casual_checkin'
      ? ''
      : ` ${ctx.pick(['Open to a quick call?', 'Worth a short chat?', 'Any interest in a quick call?'], 'sms.ask')}`;
  const candidates: Candidate[] = [];
  for (const line of purposeLine(ctx)) {
    candidates.push({ text: `${intro} ${line.text}${ask}${optOut}`, keys: line.keys });
    candidates.push({ text: `${intro} ${line.text}${optOut}`, keys: line.keys });
  }
  candidates.push({ text: `${intro}${ask || ' Quick question for you when you have a minute.'}${optOut}`, keys: [] });
  const gsm = candidates.map((candidate) => ({ ...candidate, text: toGsm7(candidate.text) }));
  const target = Math.min(SMS_TARGET_SEGMENTS, maxSegments);
  return first(ctx, gsm, (text) => smsSegments(text).segments <= target);
}

/** WhatsApp: who is writing, one line on the purpose, one question; a line break between each. */
export function composeWhatsApp(ctx: ComposeContext, max: number): string {
  const name = ctx.firstName;
  const hello = ctx.pick(
    name === undefined ? ['Hi', 'Hello'] : [`Hi ${name}`, `Hello ${name}`, `Hey ${name}`],
    'wa.hello',
  );
  const who = whoIsWriting(ctx);
  const intro =
    who === undefined
      ? `${hello},`
      : ctx.pick([`${hello}, it's ${who}.`, `${hello}, ${who} here.`, `${hello}, this is ${who}.`], 'wa.who');
  const ask =
    ctx.purpose === 'breakup' || ctx.purpose === 'casual_checkin'
      ? undefined
      : ctx.pick(
          [
            'Open to a short call this week?',
            'Would a quick call be useful?',
            'Worth a short chat?',
            'Any interest in a quick call?',
            'Could we talk for a few minutes this week?',
          ],
          'wa.ask',
        );
  const lead = ctx.pick(['', 'Quick one: ', 'In short: '], 'wa.lead');
  const candidates: Candidate[] = purposeLine(ctx).map((line) => ({
    text: [
      intro,
      line.keys.length === 0 && /^We /.test(line.text)
        ? `${lead}${lead === '' ? line.text : lowerFirstWe(line.text)}`
        : line.text,
      ask,
    ]
      .filter((part) => part !== undefined)
      .join('\n'),
    keys: line.keys,
  }));
  candidates.push({ text: [intro, ask ?? 'Hope all is well on your side.'].join('\n'), keys: [] });
  return first(ctx, candidates, (text) => [...text].length <= max);
}

/** "We build …" → "we build …" after a lead-in. */
function lowerFirstWe(text: string): string {
  return text.replace(/^We\b/, 'we');
}
