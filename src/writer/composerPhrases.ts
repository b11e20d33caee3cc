// Sentences built from shaped facts: the observation that opens on an angle, the one line of
// reasoning that ties it to the offer, and the ask. Every sentence states only what the input says
// (a fact, the offer as the workspace wrote it); nothing names a customer, quotes a number or claims
// a result, and when the offer does not bear on the fact the text says so instead of pretending.
import { agree, upperFirst } from '../core/nlp.ts';
import { companyName, type ComposeContext } from './composerContext.ts';
import type { Angle } from './composerFacts.ts';

/** The sentence that opens on an angle; undefined for the empty angle. */
export function observation(ctx: ComposeContext, angle: Angle): string | undefined {
  const { pain, news, starter, stack, role } = angle;
  const slot = `obs.${angle.kind}`;
  let line: string | undefined;
  if (pain?.clause !== undefined) {
    line = ctx.pick(
      [
        `From what I can tell, ${pain.clause}.`,
        `It looks like ${pain.clause}.`,
        `If I've read things right, ${pain.clause}.`,
        `My understanding is that ${pain.clause}.`,
      ],
      slot,
    );
  } else if (pain?.phrase !== undefined) {
    const is = agree(pain.plural, 'is', 'are');
    line = ctx.pick(
      [
        `It looks like ${pain.phrase} ${is} a headache at ${companyName(ctx)} right now.`,
        `From what I've read, ${pain.phrase} ${is} on your plate at the moment.`,
        `I had a hunch ${pain.phrase} ${is} taking up more time than ${agree(pain.plural, 'it', 'they')} should.`,
      ],
      slot,
    );
  } else if (news !== undefined) {
    line =
      news.congrats === undefined
        ? ctx.pick([`Saw ${news.seen}.`, `I read ${news.seen}.`], slot)
        : ctx.pick(
            [`Congrats on ${news.congrats}.`, `Saw ${news.seen}. Congrats!`, `Congratulations on ${news.congrats}.`],
            slot,
          );
  } else if (starter?.phrase !== undefined) {
    line = ctx.pick([`I came across ${starter.phrase}.`, `${upperFirst(starter.phrase)} caught my eye.`], slot);
  } else if (starter?.clause !== undefined) {
    line = ctx.pick([`I saw ${starter.clause}.`, `Noticed ${starter.clause}.`], slot);
  } else if (stack !== undefined) {
    line = ctx.pick(
      [`I noticed ${companyName(ctx)} runs on ${stack.text}.`, `Saw that your team works in ${stack.text}.`],
      slot,
    );
  } else if (role !== undefined) {
    line =
      role.clause === undefined
        ? `I'm writing to you as ${role.title}${ctx.company === undefined ? '' : ` at ${companyName(ctx)}`}.`
        : ctx.pick(
            [
              `Since ${role.clause}${runsCompany(role.clause, ctx) ? '' : ` at ${companyName(ctx)}`}, I figured you'd be the right person to ask.`,
              `I'm ${ctx.input.channel === 'call' ? 'calling' : 'reaching out'} because ${role.clause}${runsCompany(role.clause, ctx) ? '' : ` at ${companyName(ctx)}`}.`,
            ],
            slot,
          );
  }
  if (line !== undefined) ctx.use(...angle.keys);
  return line;
}

function runsCompany(clause: string, ctx: ComposeContext): boolean {
  return (ctx.company !== undefined && clause.endsWith(ctx.company)) || clause.endsWith('the company');
}

/** "at Ledgerly" after "we work on", or nothing when the workspace has no name yet. */
function atUs(ctx: ComposeContext): string {
  return ctx.workspaceName === undefined ? '' : ` at ${ctx.workspaceName}`;
}

/**
 * The offer in the sender's voice, tied to the angle by one line of reasoning: "That's the problem
 * we work on at Ledgerly: we built an assistant that …". Without a bearing fact it is honest.
 */
export function offerLink(ctx: ComposeContext, angle: Angle): string | undefined {
  const offer = ctx.offer;
  if (offer === undefined) {
    return ctx.workspaceName === undefined
      ? undefined
      : ctx.pick([`I work at ${ctx.workspaceName}.`, `I'm with ${ctx.workspaceName}.`], 'link.bare');
  }
  const line = offer.line;
  // A talk track is spoken: "why I'm calling", not "why I'm writing".
  const writing = ctx.input.channel === 'call' ? 'calling' : 'writing';
  if (angle.relevance === 'strong' && angle.kind !== 'none') {
    return ctx.pick(
      [
        `That's the problem we work on${atUs(ctx)}: ${line}.`,
        `It's the reason I'm ${writing}: ${line}.`,
        `That's why I'm reaching out: ${line}.`,
      ],
      'link.strong',
    );
  }
  if (angle.relevance === 'soft' && angle.kind !== 'none') {
    return ctx.pick(
      [
        `That's close to what we do${atUs(ctx)}: ${line}.`,
        `If that's on your list, this may be worth a look: ${line}.`,
        `It's near what we work on${atUs(ctx)}: ${line}.`,
      ],
      'link.soft',
    );
  }
  const where = ctx.company === undefined || ctx.companyMentions > 0 ? 'for you' : `for ${companyName(ctx)}`;
  return ctx.pick(
    [
      `I don't know yet whether this is a fit ${where}, so I'll keep it short: ${line}.`,
      `I'll keep it short, since I'm not sure yet whether it's a fit ${where}: ${line}.`,
      `Short version of why I'm ${writing}: ${line}.`,
      `Here's the short version: ${line}.`,
    ],
    'link.none',
  );
}

/** What a follow-up question can be about: the angle's topic, else the offer's. */
export function topicOf(ctx: ComposeContext, angle: Angle): string | undefined {
  if (angle.pain !== undefined && angle.relevance !== 'none') return angle.pain.topic;
  return ctx.offer?.topic;
}

const ASKS = {
  topic: [
    'Open to a short call about {topic}?',
    'Would a short call about {topic} be useful?',
    'Worth a quick chat to compare notes on {topic}?',
    'Would it help to compare notes on {topic} for a few minutes?',
  ],
  intro: [
    'Worth a short call to see if it fits?',
    'Open to a quick chat next week?',
    "If it's useful, I can send a short overview. Want me to?",
    'Would it make sense to compare notes for a few minutes?',
    'Is this worth a short conversation?',
  ],
  followup: ['Worth a quick chat?', 'Any interest in a short call?', 'Would a short overview by email help?'],
  soft: [
    "If it's ever useful, just reply and we can talk.",
    "No need to reply, but I'm around if you want to dig in.",
    'Happy to compare notes if that would help.',
  ],
} as const;

/** The ask: about the topic when there is one the offer bears on, otherwise a plain one. */
export function askFor(ctx: ComposeContext, kind: 'intro' | 'followup' | 'soft', topic?: string): string {
  if (kind === 'intro' && topic !== undefined && topic.split(' ').length <= 6)
    return ctx.pick(
      ASKS.topic.map((ask) => ask.replace('{topic}', topic)),
      'ask.topic',
    );
  return ctx.pick(ASKS[kind], `ask.${kind}`);
}
