// Email subjects: short, lower-key, about the lead's topic. Follow-ups keep the earlier subject so
// the email channel can thread them ("Re:" is added by the channel, not here).
import { upperFirst } from '../core/nlp.ts';
import { companyName, type ComposeContext } from './composerContext.ts';

const THREADED = new Set(['followup_1', 'followup_2', 'followup_3', 'breakup']);

function byAngle(ctx: ComposeContext): string[] {
  const lead = ctx.lead;
  const name = ctx.firstName;
  const options: (string | undefined | false)[] = [];
  switch (lead.kind) {
    case 'pain': {
      const topic = lead.pain?.topic;
      if (topic !== undefined && topic.split(' ').length <= 5) {
        options.push(upperFirst(topic), `Question about ${topic}`);
        if (ctx.company !== undefined) options.push(`${upperFirst(topic)} at ${companyName(ctx)}`);
      }
      break;
    }
    case 'news':
      if (lead.news?.topic !== undefined && lead.news.topic.split(' ').length <= 4)
        options.push(`Congrats on ${lead.news.topic}`);
      options.push(name !== undefined && `Congrats, ${name}`, 'Quick note after the news');
      break;
    case 'starter':
      options.push(name !== undefined && `Quick thought, ${name}`, 'Something I came across');
      break;
    case 'tech': {
      const tool = lead.stack?.tools[0];
      if (tool !== undefined) options.push(`Question about ${tool}`, `Your ${tool} setup`);
      break;
    }
    default:
      break;
  }
  const specific = options.filter((option): option is string => typeof option === 'string' && option.length > 0);
  if (specific.length > 0) {
    ctx.use(...lead.keys);
    return specific;
  }
  const topic = ctx.offer?.topic;
  const generic: (string | undefined | false)[] = [
    name !== undefined && `Quick question, ${name}`,
    topic !== undefined && topic.split(' ').length <= 4 && upperFirst(topic),
    ctx.company !== undefined && `Idea for ${companyName(ctx)}`,
    'A short question',
  ];
  return generic.filter((option): option is string => typeof option === 'string' && option.length > 0);
}

function byPurpose(ctx: ComposeContext): string[] | undefined {
  const name = ctx.firstName;
  const options: (string | undefined | false)[] = [];
  switch (ctx.purpose) {
    case 'value_add':
      options.push('An idea, no pitch', 'Something that might help', name !== undefined && `An idea for you, ${name}`);
      break;
    case 'case_study':
      options.push(
        ...(ctx.offer !== undefined && ctx.offer.proof.length > 0
          ? ['How a team like yours approached it', 'A result worth a look']
          : ['One more idea', 'Another thought, no pitch']),
      );
      break;
    case 'discovery_call':
      options.push('A short call?', name !== undefined && `Time for a quick call, ${name}?`);
      break;
    case 'casual_checkin':
      options.push('Checking in', 'Quick hello', name !== undefined && `How are things, ${name}?`);
      break;
    case 'reengage':
      options.push('Picking this back up', name !== undefined && `Been a while, ${name}`);
      break;
    case 'followup_1':
    case 'followup_2':
    case 'followup_3':
      options.push('Following up', 'One more thought', 'Quick follow-up');
      break;
    case 'breakup':
      options.push('Closing the loop', 'Last note from me');
      break;
    default:
      return undefined;
  }
  return options.filter((option): option is string => typeof option === 'string' && option.length > 0);
}

/** The subject of the latest earlier email, without any "Re:" prefixes. */
export function previousSubject(ctx: ComposeContext): string | undefined {
  const emails = ctx.input.previous.filter(
    (message) => message.channel === 'email' && (message.subject ?? '').trim().length > 0,
  );
  // Follow-ups answer the conversation the intro started, not a value-add that went in between.
  const thread = emails.filter((message) => /^(intro|reengage|followup_\d|linkedin_dm)$/.test(message.purpose));
  return (thread.at(-1) ?? emails.at(-1))?.subject?.replace(/^(\s*(re|fw|fwd)\s*:\s*)+/i, '').trim();
}

export function composeSubject(ctx: ComposeContext, reusePrevious: boolean): string {
  if (reusePrevious && THREADED.has(ctx.purpose)) {
    const previous = previousSubject(ctx);
    if (previous !== undefined && previous.length > 0) return previous;
  }
  const options = byPurpose(ctx) ?? byAngle(ctx);
  return upperFirst(ctx.pick(options, 'subject'));
}
