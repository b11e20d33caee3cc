// The paragraphs of a message for each purpose. Email, LinkedIn DMs and WhatsApp share them;
// optional paragraphs are dropped first when a channel's length limit is tight.
import { greeting, offerLine, signOff } from './composerContext.ts';
import type { ComposeContext } from './composerContext.ts';
import { askFor, openerFor, tieInFor, TIPS } from './composerPhrases.ts';
import type { Angle } from './composerFacts.ts';

export type Paragraph = { text: string; optional?: boolean };
export type BodyStyle = 'email' | 'chat';

/** One sentence on an angle for follow-ups: a second-fact phrasing, or a fresh opener. */
function angleLine(ctx: ComposeContext, angle: Angle): string {
  if (angle.kind === 'pain' || angle.kind === 'tech') return tieInFor(ctx, angle);
  if (angle.kind === 'none') {
    return ctx.pick(
      [
        "I know inboxes are busy, so I'll keep it short.",
        'No pressure either way.',
        'I figured it was worth one more try.',
      ],
      'angle.none',
    );
  }
  return openerFor(ctx, angle);
}

function painOrDefault(ctx: ComposeContext, fallback: string): string {
  const pain = ctx.lead.kind === 'pain' ? ctx.lead : ctx.ranked.find((angle) => angle.kind === 'pain');
  if (pain === undefined) return fallback;
  ctx.use(...pain.keys);
  return pain.text;
}

function purposeParagraphs(ctx: ComposeContext, style: BodyStyle): Paragraph[] {
  const lead = ctx.lead;
  switch (ctx.purpose) {
    case 'followup_1':
      return [
        {
          text: ctx.pick(
            [
              'Following up on my last note.',
              'Circling back on my earlier message.',
              'Bumping this up in case it got buried.',
              'A quick follow-up to my earlier message.',
            ],
            'fu1.open',
          ),
        },
        { text: angleLine(ctx, lead) },
        { text: offerLine(ctx), optional: true },
        { text: askFor(ctx, 'followup') },
      ];
    case 'followup_2':
      return [
        {
          text: ctx.pick(
            ['Trying a different angle this time.', 'A different thought this time.', 'One more note from me.'],
            'fu2.open',
          ),
        },
        { text: angleLine(ctx, lead) },
        { text: askFor(ctx, 'followup') },
      ];
    case 'casual_checkin':
      return [
        {
          text: ctx.pick(
            [
              'No agenda here, just checking in.',
              `Hope things are going well at ${ctx.companyOr}.`,
              'Just a quick hello.',
            ],
            'checkin.open',
          ),
        },
        { text: lead.kind === 'pain' || lead.kind === 'role' ? '' : angleLine(ctx, lead), optional: true },
        { text: askFor(ctx, 'checkin') },
      ];
    case 'value_add': {
      const pain = painOrDefault(ctx, '');
      const intro =
        pain.length > 0
          ? ctx.pick(
              [
                `Sharing an idea related to this: ${pain}.`,
                `One thought on something you're likely dealing with: ${pain}.`,
                `Something that might help here: ${pain}.`,
              ],
              'value.open',
            )
          : ctx.pick(
              [
                `Sharing an idea that might be useful for ${ctx.companyOr}.`,
                'One thought that might be useful, no pitch.',
              ],
              'value.open',
            );
      const tip = ctx.pick(TIPS, 'value.tip');
      return [
        { text: intro },
        {
          text: `${ctx.pick(['One approach:', 'Something that tends to work:', 'What I would try first:'], 'value.lead')} ${tip}`,
        },
        { text: `If you want to see how ${ctx.workspaceName} approaches it, happy to share.`, optional: true },
        { text: askFor(ctx, 'soft') },
      ];
    }
    case 'discovery_call': {
      const topics = ctx.ranked.filter((angle) => angle.kind === 'pain' || angle.kind === 'tech').slice(0, 2);
      const bullets = topics.map((angle) => {
        ctx.use(...angle.keys);
        return angle.kind === 'tech'
          ? `- how ${angle.text} fits into the way your team works`
          : `- ${angle.text}: how your team handles it today`;
      });
      bullets.push(`- whether ${ctx.workspaceName} is a fit for ${ctx.companyOr}`);
      return [
        {
          text: ctx.pick(
            [
              'Would you be open to a short call?',
              'Could we find a few minutes for a call?',
              'Would a short call be useful?',
            ],
            'call.open',
          ),
        },
        {
          text: `${ctx.pick(["Here's what I'd want to cover:", 'What I would cover:', 'A rough agenda:'], 'call.agenda')}\n${bullets.join('\n')}`,
        },
        {
          text: ctx.pick(
            [
              'If that sounds useful, reply with a time that works for you.',
              'If yes, send me a couple of times that suit you.',
              "If it's not a priority, no problem at all.",
            ],
            'call.close',
          ),
        },
      ];
    }
    case 'breakup': {
      const pain = painOrDefault(ctx, '');
      return [
        {
          text: ctx.pick(
            [
              "I haven't heard back, so I'll assume the timing isn't right.",
              "I'll stop reaching out after this one.",
              'This is my last note on this, I promise.',
            ],
            'break.open',
          ),
        },
        {
          text:
            pain.length > 0
              ? `If this becomes a priority later (${pain}), just reply and I'll pick it up from there.`
              : 'If the timing changes, just reply and I will pick it up from there.',
        },
        {
          text: ctx.pick(
            [
              'Thanks for reading either way.',
              'Wishing you and the team a good quarter.',
              'All the best with everything.',
            ],
            'break.close',
          ),
          optional: true,
        },
      ];
    }
    case 'reengage':
      return [
        {
          text: ctx.pick(
            [
              "It's been a while since my last note.",
              'Picking this back up after some time.',
              'Reaching out again after a quiet stretch.',
            ],
            're.open',
          ),
        },
        { text: openerFor(ctx, lead) },
        { text: offerLine(ctx), optional: true },
        { text: askFor(ctx, 'intro') },
      ];
    default: {
      const support = ctx.support;
      const paragraphs: Paragraph[] = [{ text: openerFor(ctx, lead) }];
      if (support !== undefined && style === 'email') paragraphs.push({ text: tieInFor(ctx, support), optional: true });
      paragraphs.push({ text: offerLine(ctx), optional: style === 'chat' });
      paragraphs.push({ text: askFor(ctx, 'intro') });
      return paragraphs;
    }
  }
}

/** Full paragraph list: greeting, purpose paragraphs, sign-off. */
export function bodyParagraphs(ctx: ComposeContext, style: BodyStyle): Paragraph[] {
  const middle = purposeParagraphs(ctx, style).filter((paragraph) => paragraph.text.trim().length > 0);
  const closing = signOff(ctx, style);
  return [{ text: greeting(ctx) }, ...middle, ...(closing.length > 0 ? [{ text: closing }] : [])];
}

/** Joins paragraphs, dropping optional ones from the end until the text fits. */
export function fitParagraphs(paragraphs: readonly Paragraph[], maxLength: number): string {
  let kept = [...paragraphs];
  let text = kept.map((paragraph) => paragraph.text).join('\n\n');
  while ([...text].length > maxLength) {
    const index = kept.map((paragraph) => paragraph.optional === true).lastIndexOf(true);
    if (index === -1) break;
    kept = kept.filter((_, position) => position !== index);
    text = kept.map((paragraph) => paragraph.text).join('\n\n');
  }
  return text;
}
