// Fact-free advice for value-add messages, picked by the kind of problem a pain point describes.
// Plain process advice: no numbers, no customers, no claims about the offer.
import type { ComposeContext } from './composerContext.ts';

const TIPS: readonly { when: RegExp; tips: readonly string[] }[] = [
  {
    when: /\b(manual\w*|by hand|spreadsheets?|excel|paper|re-?key\w*|copy)\b/i,
    tips: [
      'Time one full round of it for a week and write down every copy-and-paste step. That list is usually the whole business case.',
      'Find the one field people retype most often and fix where it comes from first; the rest of the process tends to follow.',
    ],
  },
  {
    when: /\b(slow\w*|too long|takes?|drag\w*|delay\w*|weeks?|backlog|wait\w*)\b/i,
    tips: [
      'Map where the work waits rather than where it gets done. Most of the delay tends to sit in hand-offs between people.',
      'Pick the last few cases that took longest and ask what they were waiting on. The answer is rarely the step everyone blames.',
    ],
  },
  {
    when: /\b(late|surface|visibility|forecast\w*|miss\w*|track\w*|share|data)\b/i,
    tips: [
      'Decide on the one number you would want to see every morning and get it into one place before building any dashboard.',
      'Write down who finds out first when something goes wrong today. Moving that moment earlier usually matters more than any report.',
    ],
  },
  {
    when: /\b(repl\w*|leads?|outbound|outreach|cold|prospect\w*|pipeline|sdrs?|meetings?)\b/i,
    tips: [
      'Cut the first message to three sentences about them and one question. Long first touches rarely get an answer.',
      'Look at the last ten replies you got and note which opening line they answered. It is usually the most specific one.',
    ],
  },
  {
    when: /\b(churn\w*|onboard\w*|no-shows?|abandon\w*|returns?)\b/i,
    tips: [
      'Ask the last few people who dropped off when they first felt stuck. The answers tend to cluster around one step.',
      'Look at the first week of the journey on its own. Most of the drop-off is decided there.',
    ],
  },
];

const GENERIC: readonly string[] = [
  'Write down the steps your team repeats every week and pick the one that takes longest. That is usually the best place to start.',
  'Ask the people closest to the problem what they would remove first. Their answer is often simpler than the project plan.',
  'Measure one thing for a couple of weeks before changing anything, so you can tell whether the fix worked.',
];

/** One tip for a pain point (or topic); a general one when nothing matches. */
export function tipFor(ctx: ComposeContext, about: string): string {
  const match = TIPS.find((entry) => entry.when.test(about));
  const lead = ctx.pick(
    ['One thing that tends to help:', 'Something that usually works:', 'What I would try first:'],
    'tip.lead',
  );
  const tip = ctx.pick(match?.tips ?? GENERIC, 'tip');
  return `${lead} ${(tip[0] ?? '').toLowerCase()}${tip.slice(1)}`;
}
