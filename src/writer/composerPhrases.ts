// Phrase banks: several ways to open on each kind of fact, to tie in a second fact and to ask
// for the next step. Every sentence only states what the input says; nothing here names a
// customer, quotes a number or claims a result.
import { upperFirst } from './composerFacts.ts';
import type { Angle } from './composerFacts.ts';
import type { ComposeContext } from './composerContext.ts';

/** The sentence that opens on an angle's fact, for intros and first touches. */
export function openerFor(ctx: ComposeContext, angle: Angle): string {
  const c = ctx.companyOr;
  const t = angle.text;
  ctx.use(...angle.keys);
  switch (angle.kind) {
    case 'news':
      return ctx.pick(
        [
          `Saw the recent news: ${t}. Congrats to the team.`,
          `Congrats on the news (${t}).`,
          `I came across this: ${t}. Sounds like a busy stretch for ${c}.`,
          `${upperFirst(t)} caught my eye, so I wanted to reach out.`,
        ],
        'opener.news',
      );
    case 'starter':
      return ctx.pick(
        [
          `${upperFirst(t)} caught my attention.`,
          `Something I noticed while reading about ${c}: ${t}.`,
          `I wanted to reach out after seeing this: ${t}.`,
          `Noticed this and it stuck with me: ${t}.`,
        ],
        'opener.starter',
      );
    case 'pain':
      // Pain points arrive as noun phrases or whole clauses; a colon reads well with both.
      return ctx.pick(
        [
          `Curious how ${c} is dealing with this one: ${t}.`,
          `Is this still on your plate at ${c}: ${t}?`,
          `One thing I'd guess is on your list right now: ${t}.`,
          `Reaching out about something that's hard to fix without extra headcount: ${t}.`,
          `A question about something that seems to matter at ${c}: ${t}.`,
        ],
        'opener.pain',
      );
    case 'tech':
      return ctx.pick(
        [
          `Noticed ${c} works with ${t}.`,
          `Saw that your team runs on ${t}.`,
          `I saw ${t} in your stack and had a thought.`,
        ],
        'opener.tech',
      );
    case 'industry':
      return ctx.pick(
        [
          `Reaching out since ${c} works in ${t}.`,
          `Teams in ${t} tend to have a specific set of problems, so I'll keep this focused.`,
          `Since ${c} is in ${t}, I had a specific idea I wanted to run by you.`,
        ],
        'opener.industry',
      );
    case 'role':
      return ctx.pick(
        [
          `Since you're ${t} at ${c}, I figured you'd be the right person to ask.`,
          `Reaching out to you as ${t}, since this usually lands on your desk.`,
          `I'm writing to you because you're ${t} at ${c}.`,
        ],
        'opener.role',
      );
    case 'none':
      return ctx.pick(
        [
          `I'll keep this short.`,
          `Hope the week is going well.`,
          `Quick note, and I'll keep it brief.`,
          `I'm reaching out with a short question.`,
          `I've been meaning to write to you.`,
        ],
        'opener.none',
      );
  }
}

/** A second fact after the opener (pain point or tools), for longer messages. */
export function tieInFor(ctx: ComposeContext, angle: Angle): string {
  ctx.use(...angle.keys);
  if (angle.kind === 'tech') {
    return ctx.pick(
      [
        `I also noticed ${angle.text} in your stack and was curious how that's working for you.`,
        `Since you work with ${angle.text}, I'd be curious how you use it today.`,
      ],
      'tiein.tech',
    );
  }
  return ctx.pick(
    [
      `One more thing that seems to be on your list: ${angle.text}. That's the part I'd want to talk about.`,
      `I also thought of you because of this: ${angle.text}.`,
      `Happy to walk through how we'd approach this one: ${angle.text}.`,
      `I'd be curious whether this is still a priority: ${angle.text}.`,
    ],
    'tiein.pain',
  );
}

const ASKS: Record<string, readonly string[]> = {
  intro: [
    'Worth a short call to see if it fits?',
    'Open to a quick chat next week?',
    'Would it make sense to compare notes for a few minutes?',
    "If it's useful, I can send over a short overview. Want me to?",
    'Is this on your radar at all right now?',
    'Would you be the right person to talk to about this?',
  ],
  followup: [
    'Worth a quick chat?',
    'Any interest in a short call?',
    'Should I send a short overview instead?',
    'Is this worth a conversation?',
    'Would next week work for a few minutes, or is this not a priority?',
  ],
  soft: [
    "If it's ever useful, just reply and we can talk.",
    "No need to reply, but I'm around if you want to dig in.",
    "Happy to share more if you're curious.",
    'Let me know if that sparks anything.',
  ],
  checkin: [
    "How's everything going on your end?",
    'How are things going this quarter?',
    "What's keeping the team busy these days?",
    'Anything new on your side?',
  ],
};

export function askFor(ctx: ComposeContext, kind: keyof typeof ASKS & string): string {
  return ctx.pick(ASKS[kind] ?? ASKS['intro'] ?? [''], `ask.${kind}`);
}

/** Generic, fact-free advice for value-add messages. */
export const TIPS: readonly string[] = [
  'write down the steps your team repeats every week and pick the one that takes longest. That is usually the best place to start.',
  'look at where work gets handed from one person to the next. Most of the delay tends to hide there.',
  'ask the people closest to the problem what they would remove first. Their answer is often simpler than the project plan.',
  'measure one thing for a couple of weeks before changing anything, so you can tell whether the fix worked.',
  'fix the input before the process: most slow workflows start with data nobody trusts.',
];
