// Talk track for a discovery-call task: opener, reason for calling, discovery questions built from
// the pain points and tools we know, common objections with answers, and a close. Plain text.
import type { ComposeContext } from './composerContext.ts';
import { openerFor } from './composerPhrases.ts';

function discoveryQuestions(ctx: ComposeContext): string[] {
  const questions: string[] = [];
  const pains = ctx.ranked.filter((angle) => angle.kind === 'pain').slice(0, 3);
  pains.forEach((pain, index) => {
    ctx.use(...pain.keys);
    questions.push(
      index === 0
        ? `How are you handling this today: ${pain.text}?`
        : ctx.pick(
            [
              `What have you tried so far for this: ${pain.text}?`,
              `Where does this hurt most right now: ${pain.text}?`,
            ],
            `call.q${index}`,
          ),
    );
  });
  const tech = ctx.ranked.find((angle) => angle.kind === 'tech');
  if (tech !== undefined) {
    ctx.use(...tech.keys);
    questions.push(`How does ${tech.text} fit into that workflow?`);
  }
  if (questions.length === 0) {
    questions.push(
      `What does your team spend the most time on that you wish it didn't?`,
      `How is ${ctx.companyOr} handling this today?`,
    );
  }
  questions.push('Who else would be involved in looking at something like this?');
  questions.push('What would need to be true for this to be worth fixing this quarter?');
  return questions;
}

function objections(ctx: ComposeContext): string[] {
  const tech = ctx.ranked.find((angle) => angle.kind === 'tech');
  const lines = [
    `- "Not interested": "Understood. Is that because it's not a priority, or because you already have something in place?"`,
    `- "Send me an email": "Happy to. What should I put in it so it's actually useful to you?"`,
    `- "No time right now": "No problem. When would be a better time for a two-minute call back?"`,
    `- "What does it cost?": "It depends on the setup, so I'd rather not guess. A short call would let me give you a real answer."`,
  ];
  const first = tech?.items[0];
  if (tech !== undefined && first !== undefined) {
    ctx.use(...tech.keys);
    lines.splice(
      2,
      0,
      `- "We already use ${first}": "Good to know. What's the part of it that works least well for you today?"`,
    );
  } else {
    lines.splice(
      2,
      0,
      `- "We already have a tool for this": "Good to know. What's the part of it that works least well for you today?"`,
    );
  }
  return lines;
}

export function composeCallScript(ctx: ComposeContext): string {
  const contact = ctx.input.contact;
  const fullName = [ctx.firstName, contact.lastName?.trim()]
    .filter((part) => part !== undefined && part.length > 0)
    .join(' ');
  const role = [ctx.title, ctx.company].filter((part) => part !== undefined).join(', ');
  const header = `Call script${fullName.length > 0 ? ` for ${fullName}` : ''}${role.length > 0 ? ` (${role})` : ''}`;
  const me =
    ctx.senderName === undefined
      ? `calling from ${ctx.workspaceName}`
      : `this is ${ctx.senderName} from ${ctx.workspaceName}`;
  const hello = ctx.firstName === undefined ? 'Hi' : `Hi ${ctx.firstName}`;
  const opener = ctx.pick(
    [
      `"${hello}, ${me}. I know I'm calling out of the blue. Do you have a minute for why I'm calling?"`,
      `"${hello}, ${me}. Did I catch you at an okay time? I'll be brief."`,
      `"${hello}, ${me}. This is a cold call, so feel free to tell me to go away. Mind if I take thirty seconds?"`,
    ],
    'call.opener',
  );
  const reasonParts = [openerFor(ctx, ctx.lead)];
  if (ctx.offer !== undefined) reasonParts.push(ctx.offer);
  const close = ctx.pick(
    [
      '"Would it make sense to put a short call on the calendar this week to go deeper?"',
      '"If I send a calendar invite for later this week, would you take a look?"',
      '"What would be a good next step from your side?"',
    ],
    'call.close',
  );
  return [
    header,
    `Opener:\n${opener}`,
    `Reason for calling:\n"${reasonParts.join(' ')}"`,
    `Discovery questions:\n${discoveryQuestions(ctx)
      .map((question) => `- ${question}`)
      .join('\n')}`,
    `Objection handling:\n${objections(ctx).join('\n')}`,
    `Close:\n${close}`,
  ].join('\n\n');
}
