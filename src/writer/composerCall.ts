// Talk track for a discovery-call task: opener, reason for calling, discovery questions built from
// the pain points and tools we know, common objections with answers, and a close. Plain text for
// the person making the call.
import { agree } from '../core/nlp.ts';
import { companyName, type ComposeContext } from './composerContext.ts';
import { pitch } from './composerBody.ts';

function discoveryQuestions(ctx: ComposeContext): string[] {
  const questions: string[] = [];
  const all = [...ctx.ranked, ...ctx.used];
  const pains = all.filter((angle) => angle.kind === 'pain').slice(0, 3);
  pains.forEach((angle, index) => {
    const pain = angle.pain;
    if (pain === undefined) return;
    ctx.use(...angle.keys);
    const topic = pain.topic;
    questions.push(
      index === 0
        ? `How does your team handle ${topic} today?`
        : ctx.pick(
            [`What have you tried so far on ${topic}?`, `What's the hardest part of ${topic} right now?`],
            `call.q${index}`,
          ),
    );
  });
  const tech = all.find((angle) => angle.kind === 'tech');
  if (tech?.stack !== undefined) {
    ctx.use(...tech.keys);
    const { text, plural } = tech.stack;
    questions.push(`How ${agree(plural, 'does', 'do')} ${text} fit into that workflow?`);
  }
  if (questions.length === 0) {
    const topic = ctx.offer?.topic;
    questions.push(
      'What does your team spend the most time on that you wish it did not?',
      topic === undefined ? `How is ${companyName(ctx)} set up for this today?` : `How do you handle ${topic} today?`,
    );
  }
  questions.push('Who else would be involved in looking at something like this?');
  questions.push('What would need to be true for this to be worth fixing this quarter?');
  return questions;
}

function objections(ctx: ComposeContext): string[] {
  const tech = [...ctx.ranked, ...ctx.used].find((angle) => angle.kind === 'tech');
  const tool = tech?.stack?.tools[0];
  if (tech !== undefined && tool !== undefined) ctx.use(...tech.keys);
  return [
    `- "Not interested": "Understood. Is that because it's not a priority, or because you already have something in place?"`,
    `- "Send me an email": "Happy to. What should I put in it so it's actually useful to you?"`,
    tool === undefined
      ? `- "We already have a tool for this": "Good to know. What's the part of it that works least well for you today?"`
      : `- "We already use ${tool}": "Good to know. What's the part of it that works least well for you today?"`,
    `- "No time right now": "No problem. When would be a better time for a two-minute call back?"`,
    `- "What does it cost?": "It depends on the setup, so I'd rather not guess. A short call would let me give you a real answer."`,
  ];
}

export function composeCallScript(ctx: ComposeContext): string {
  const contact = ctx.input.contact;
  const lastName = contact.lastName?.trim();
  if (lastName !== undefined && lastName.length > 0) ctx.use('lastName');
  const fullName = [ctx.firstName, lastName].filter((part) => part !== undefined && part.length > 0).join(' ');
  const title = contact.title?.trim();
  if (title !== undefined && title.length > 0) ctx.use('title');
  const role = [title, ctx.company === undefined ? undefined : companyName(ctx)]
    .filter((part) => part !== undefined && part.length > 0)
    .join(', ');
  const header = `Call script${fullName.length > 0 ? ` for ${fullName}` : ''}${role.length > 0 ? ` (${role})` : ''}`;
  const from = ctx.workspaceName === undefined ? '' : ` from ${ctx.workspaceName}`;
  const me = ctx.senderName === undefined ? `I'm calling${from}` : `this is ${ctx.senderName}${from}`;
  const hello = ctx.firstName === undefined ? 'Hi' : `Hi ${ctx.firstName}`;
  const opener = ctx.pick(
    [
      `"${hello}, ${me}. I know I'm calling out of the blue. Do you have a minute for why I'm calling?"`,
      `"${hello}, ${me}. Did I catch you at an okay time? I'll be brief."`,
      `"${hello}, ${me}. This is a cold call, so feel free to tell me to go away. Mind if I take thirty seconds?"`,
    ],
    'call.opener',
  );
  const reason = pitch(ctx, ctx.lead);
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
    ...(reason.length > 0 ? [`Reason for calling:\n"${reason}"`] : []),
    `Discovery questions:\n${discoveryQuestions(ctx)
      .map((question) => `- ${question}`)
      .join('\n')}`,
    `Objection handling:\n${objections(ctx).join('\n')}`,
    `Close:\n${close}`,
    `If it goes to voicemail (keep it short):\n"${hello}, ${me}.${reason.length > 0 ? ` ${reason}` : ''} I'll follow up in writing so you have my details. Thanks."`,
  ].join('\n\n');
}
