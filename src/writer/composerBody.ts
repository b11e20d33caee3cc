// The paragraphs of an email or LinkedIn message for each purpose. Optional paragraphs are dropped
// first when a channel's length limit is tight. Follow-ups each bring something new: a fact not used
// yet, a result the offer states, or a sharper question.
import { atCompany, companyName, greeting, signOff, type ComposeContext } from './composerContext.ts';
import { NO_ANGLE, type Angle } from './composerFacts.ts';
import { askFor, observation, offerLink, topicOf } from './composerPhrases.ts';
import { tipFor } from './composerTips.ts';

export type Paragraph = { text: string; optional?: boolean };
export type BodyStyle = 'email' | 'chat';

/** Observation and the offer tied to it, as one paragraph. */
export function pitch(ctx: ComposeContext, angle: Angle): string {
  return [observation(ctx, angle), offerLink(ctx, angle)].filter((part) => part !== undefined).join(' ');
}

/** A congratulation to open with before a different, relevant angle (intro, variant 0 only). */
function warmOpener(ctx: ComposeContext): string | undefined {
  if ((ctx.input.variant ?? 0) !== 0 || ctx.lead.kind !== 'pain') return undefined;
  const news = ctx.ranked.find((angle) => angle.kind === 'news' && angle.news?.congrats !== undefined);
  if (news?.news?.congrats === undefined) return undefined;
  ctx.use(...news.keys);
  return `Congrats on ${news.news.congrats}.`;
}

/** Something new for a follow-up: a fact not used yet, a stated result, or a sharper question. */
export function newThing(ctx: ComposeContext, nth: number): { text: string; topic?: string } {
  const fresh = ctx.ranked.find((angle) => angle.relevance !== 'none' && angle.kind !== 'role');
  const proof = ctx.offer?.proof[nth % Math.max(1, ctx.offer.proof.length)];
  const topic = topicOf(ctx, ctx.used.find((angle) => angle.relevance !== 'none') ?? ctx.lead);
  const options: { text: string; topic?: string }[] = [];
  if (fresh !== undefined) {
    const seen = observation(ctx, fresh);
    if (seen !== undefined)
      options.push({ text: `${seen} ${relevantBecause(ctx, fresh)}`, topic: topicOf(ctx, fresh) });
  }
  if (proof !== undefined) options.push({ text: `One thing I left out last time: ${proof}.`, topic });
  if (topic !== undefined)
    options.push({
      text: ctx.pick(
        [
          `A more direct question: how much of the team's week goes into ${topic} today?`,
          `One question that would tell me whether this is worth your time: who owns ${topic}${atCompany(ctx)} today?`,
        ],
        'new.question',
      ),
      topic,
    });
  const pickIndex = options.length === 0 ? 0 : nth % options.length;
  return options[pickIndex] ?? { text: "I know inboxes are busy, so I'll keep this to one line." };
}

function relevantBecause(ctx: ComposeContext, angle: Angle): string {
  if (ctx.offer === undefined) return '';
  return angle.relevance === 'strong'
    ? ctx.pick(["That's the same kind of work we take on.", "That's squarely what we work on."], 'because.strong')
    : ctx.pick(["That's close to what we do.", 'It sits close to what we work on.'], 'because.soft');
}

function intro(ctx: ComposeContext, style: BodyStyle): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  const body = pitch(ctx, ctx.lead);
  const warm = style === 'email' ? warmOpener(ctx) : undefined;
  if (ctx.purpose === 'linkedin_dm' && ctx.input.previous.some((m) => m.purpose === 'connection_request'))
    paragraphs.push({ text: ctx.pick(['Thanks for connecting.', 'Thanks for accepting my invitation.'], 'dm.thanks') });
  if (ctx.purpose === 'reengage')
    paragraphs.push({
      text: ctx.pick(
        ["It's been a while since I last wrote.", 'Picking this back up after a quiet stretch.'],
        're.open',
      ),
    });
  paragraphs.push({ text: warm === undefined ? body : `${warm} ${body}` });
  paragraphs.push({ text: askFor(ctx, 'intro', topicOf(ctx, ctx.lead)) });
  return paragraphs;
}

function followUp(ctx: ComposeContext, nth: number): Paragraph[] {
  const extra = newThing(ctx, nth);
  const topic = extra.topic;
  const open = ctx.pick(
    topic === undefined
      ? [
          'Following up on my last note.',
          'A quick follow-up to my earlier email.',
          'Bumping this in case it got buried.',
        ]
      : [
          `Following up on my note about ${topic}.`,
          `A quick follow-up on ${topic}.`,
          `Bumping my note about ${topic}.`,
        ],
    `fu${nth}.open`,
  );
  const close =
    nth >= 1
      ? ctx.pick(
          [
            "If the timing is off, just say so and I'll step back.",
            'If this is not a priority, a one-word reply is plenty.',
          ],
          'fu.close',
        )
      : askFor(ctx, 'followup');
  return [{ text: `${open} ${extra.text}` }, { text: close }];
}

function valueAdd(ctx: ComposeContext): Paragraph[] {
  // Advice on what the sender's offer is about: a pain it bears on, else the offer's own topic.
  // Tips on a problem the sender does not work on would read as filler.
  const relevant = (angle: Angle) => angle.kind === 'pain' && angle.relevance !== 'none';
  const pain = ctx.ranked.find(relevant) ?? ctx.used.find(relevant);
  const topic = pain?.pain?.topic ?? ctx.offer?.topic;
  if (pain !== undefined) ctx.use(...pain.keys);
  const open =
    topic === undefined
      ? ctx.pick(
          ['No pitch in this one, just an idea that might be useful.', 'One idea that might be useful, no pitch.'],
          'value.open',
        )
      : ctx.pick(
          [`No pitch in this one, just an idea on ${topic}.`, `One idea on ${topic}, no pitch attached.`],
          'value.open',
        );
  return [
    { text: `${open} ${tipFor(ctx, pain?.pain?.source ?? ctx.offer?.source ?? topic ?? '')}` },
    { text: askFor(ctx, 'soft') },
  ];
}

function caseStudy(ctx: ComposeContext): Paragraph[] {
  const proof = ctx.offer?.proof[0];
  if (proof === undefined) return valueAdd(ctx);
  const topic = topicOf(ctx, ctx.lead);
  return [
    { text: `Thought this might be relevant${atCompany(ctx)}: ${proof}.` },
    {
      text:
        topic === undefined
          ? askFor(ctx, 'followup')
          : `If it looks similar on your side with ${topic}, happy to walk you through how it works.`,
    },
  ];
}

/** A check-in may come back to news an earlier message congratulated on: that is what friends do. */
export function checkinNews(ctx: ComposeContext): Angle | undefined {
  return [...ctx.ranked, ...ctx.used].find((angle) => angle.news?.congrats !== undefined);
}

function checkin(ctx: ComposeContext): Paragraph[] {
  const angle = checkinNews(ctx) ?? ctx.lead;
  const question =
    angle.news?.congrats !== undefined
      ? `How are things going since ${angle.news.congrats}?`
      : ctx.pick(["How's the quarter going on your side?", "What's keeping the team busy these days?"], 'checkin.q');
  if (angle.kind === 'news') ctx.use(...angle.keys);
  const opener = `Hope things are going well${atCompany(ctx)}.`;
  return [{ text: [opener, question].filter(Boolean).join(' ') }];
}

function discovery(ctx: ComposeContext): Paragraph[] {
  const pain = [...ctx.ranked, ...ctx.used].find((angle) => angle.kind === 'pain' && angle.relevance !== 'none');
  const tech = [...ctx.ranked, ...ctx.used].find((angle) => angle.kind === 'tech');
  const bullets: string[] = [];
  if (pain?.pain !== undefined) {
    ctx.use(...pain.keys);
    bullets.push(`- how ${companyName(ctx)} handles ${pain.pain.topic} today`);
  }
  if (tech?.stack !== undefined) {
    ctx.use(...tech.keys);
    bullets.push(`- how ${tech.stack.text} ${tech.stack.plural ? 'fit' : 'fits'} into that`);
  }
  if (ctx.offer?.topic !== undefined)
    bullets.push(`- whether a different approach to ${ctx.offer.topic} is worth a look`);
  bullets.push('- what a good outcome would look like for you');
  return [
    { text: ctx.pick(['Would you be open to a short call?', 'Could we find a few minutes for a call?'], 'call.open') },
    {
      text: `${ctx.pick(["Here's what I'd want to cover:", 'What I would cover:'], 'call.agenda')}\n${bullets.join('\n')}`,
    },
    {
      text: ctx.pick(
        [
          'If that sounds useful, reply with a time that works for you.',
          'If yes, send me a couple of times that suit you.',
        ],
        'call.close',
      ),
    },
  ];
}

function breakup(ctx: ComposeContext): Paragraph[] {
  const topic = topicOf(ctx, ctx.used.find((angle) => angle.relevance !== 'none') ?? NO_ANGLE);
  return [
    {
      text: ctx.pick(
        [
          "I haven't heard back, so I'll assume the timing isn't right.",
          "I'll close the loop here and stop writing.",
          'This is my last note on this.',
        ],
        'break.open',
      ),
    },
    {
      text:
        topic === undefined
          ? 'If anything changes, just reply to this email and I will pick it up from there.'
          : `If things change on ${topic}, just reply and I'll pick it up from there.`,
    },
    {
      text: ctx.pick(['Thanks for reading either way.', 'Wishing you and the team a good quarter.'], 'break.close'),
      optional: true,
    },
  ];
}

function purposeParagraphs(ctx: ComposeContext, style: BodyStyle): Paragraph[] {
  switch (ctx.purpose) {
    case 'followup_1':
      return followUp(ctx, 0);
    case 'followup_2':
      return followUp(ctx, 1);
    case 'followup_3':
      return followUp(ctx, 2);
    case 'value_add':
      return valueAdd(ctx);
    case 'case_study':
      return caseStudy(ctx);
    case 'casual_checkin':
      return checkin(ctx);
    case 'discovery_call':
      return discovery(ctx);
    case 'breakup':
      return breakup(ctx);
    default:
      return intro(ctx, style);
  }
}

/** Full paragraph list: greeting, purpose paragraphs, sign-off (email) or first name (chat). */
export function bodyParagraphs(ctx: ComposeContext, style: BodyStyle): Paragraph[] {
  const middle = purposeParagraphs(ctx, style).filter((paragraph) => paragraph.text.trim().length > 0);
  const closing =
    style === 'email' ? signOff(ctx) : ctx.pick([ctx.senderName ?? '', ctx.senderFirst ?? ''], 'chat.signoff');
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
