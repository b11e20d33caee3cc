// Email subjects. Follow-ups keep the earlier subject so the email channel can thread them
// ("Re:" is added by the channel, not here); first touches get a subject from the lead angle.
import { upperFirst } from './composerFacts.ts';
import type { ComposeContext } from './composerContext.ts';

const THREADED = new Set(['followup_1', 'followup_2', 'breakup']);

function short(text: string, max: number): string | undefined {
  return text.length <= max ? text : undefined;
}

function byAngle(ctx: ComposeContext): string[] {
  const name = ctx.firstName;
  const company = ctx.company;
  const lead = ctx.lead;
  const options: (string | undefined)[] = [];
  switch (lead.kind) {
    case 'news':
      options.push(
        name && `Congrats on the news, ${name}`,
        company && `Saw the news about ${company}`,
        'Congrats on the news',
      );
      break;
    case 'starter':
      options.push(name && `Quick thought, ${name}`, 'Something I noticed', `A thought for ${ctx.companyOr}`);
      break;
    case 'pain': {
      const pain = short(lead.text, 50);
      options.push(
        pain && upperFirst(pain),
        pain && company && `${company}: ${pain}`,
        `About ${ctx.companyOr}'s priorities`,
      );
      break;
    }
    case 'tech': {
      const tool = lead.items[0];
      options.push(
        tool && company && `${tool} at ${company}`,
        tool && `Your ${tool} setup`,
        tool && `Question about ${tool}`,
      );
      break;
    }
    default:
      break;
  }
  const specific = options.filter((option): option is string => typeof option === 'string' && option.length > 0);
  if (specific.length > 0) return specific;
  const generic = [
    name && `Quick question, ${name}`,
    `Idea for ${ctx.companyOr}`,
    company && `${ctx.workspaceName} and ${company}`,
    'A short question',
  ];
  return generic.filter((option): option is string => typeof option === 'string' && option.length > 0);
}

function byPurpose(ctx: ComposeContext): string[] | undefined {
  const name = ctx.firstName;
  const options: (string | undefined)[] = [];
  switch (ctx.purpose) {
    case 'value_add':
      options.push(`An idea for ${ctx.companyOr}`, 'Something that might help', name && `An idea for you, ${name}`);
      break;
    case 'discovery_call':
      options.push('A short call?', name && `Time for a quick call, ${name}?`, `Call about ${ctx.companyOr}?`);
      break;
    case 'casual_checkin':
      options.push('Checking in', 'Quick hello', name && `How are things, ${name}?`);
      break;
    case 'reengage':
      options.push('Picking this back up', name && `Been a while, ${name}`, `Still relevant for ${ctx.companyOr}?`);
      break;
    case 'followup_1':
    case 'followup_2':
      options.push('Following up', 'One more thought', 'Quick follow-up');
      break;
    case 'breakup':
      options.push('Closing the loop', 'Should I stop here?', 'Last note from me');
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
  const last = emails[emails.length - 1];
  return last?.subject?.replace(/^(\s*(re|fw|fwd)\s*:\s*)+/i, '').trim();
}

export function composeSubject(ctx: ComposeContext, reusePrevious: boolean): string {
  if (reusePrevious && THREADED.has(ctx.purpose)) {
    const previous = previousSubject(ctx);
    if (previous !== undefined && previous.length > 0) return previous;
  }
  const options = byPurpose(ctx) ?? byAngle(ctx);
  return upperFirst(ctx.pick(options, 'subject'));
}
