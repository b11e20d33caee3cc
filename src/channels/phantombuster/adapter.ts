// LinkedIn accounts driven through Phantombuster (API v2). A connection request launches the
// account's LinkedIn Auto Connect agent and a message its LinkedIn Message Sender agent, each with
// the `argument` of that launch (the profile URL and our text), never a saved spreadsheet. A
// launch answers a container, not an outcome: the send is accepted with the container id as the
// provider's id, and the poll (poll.ts) reads the finished container's rows later. Phantombuster
// has no idempotency key and no way to find a launch by our id: a send whose fate a crash hid is
// marked unknown, never launched again.
import { CONNECTION_REQUEST } from '../../core/channels.ts';
import { normalizeLinkedInUrl } from '../../core/linkedin.ts';
import {
  fail,
  ok,
  type ChannelAdapter,
  type ConnectionCheck,
  type PreparedMessage,
  type SendResult,
} from '../types.ts';
import { fetchAgentOutput, launchAgent } from './api.ts';
import { PhantombusterCredentials } from './credentials.ts';
import { phantombusterPoll } from './poll.ts';

/** Phantombuster's recommendation and the phantoms' maximum: 10 profiles per launch. */
export const BATCH_MAX = 10;
/** LinkedIn's longest connection note (Premium; free accounts get 200, which the writer keeps to). */
export const NOTE_LIMIT = 300;
/** Phantombuster replaces `#firstName#`-style tags in a phantom's message: our text must hold none. */
const PHANTOM_TAG = /#[A-Za-z][A-Za-z0-9 _-]{0,40}#/;

export function isConnectionRequest(purpose: string): boolean {
  return purpose === CONNECTION_REQUEST;
}

/** The launch argument of a connection request or a message for one profile. */
export function launchArgument(
  credentials: PhantombusterCredentials,
  input: { purpose: string; profileUrl: string; text: string },
): Record<string, unknown> {
  const session = { sessionCookie: credentials.sessionCookie, userAgent: credentials.userAgent };
  const text = input.text.trim();
  if (isConnectionRequest(input.purpose))
    return {
      ...session,
      profileUrl: input.profileUrl,
      numberOfAddsPerLaunch: 1,
      // No text: the request goes without a note (a free account past its monthly note budget).
      ...(text ? { message: text } : {}),
    };
  return { ...session, spreadsheetUrl: input.profileUrl, profilesPerLaunch: 1, message: text };
}

/**
 * The launch argument of a batch: the phantom reads the profiles from the CSV at `spreadsheetUrl`
 * (column profileUrl) and replaces the `#message#` tag with each row's own text (column message),
 * the phantoms' documented way to give each profile its own text. Our texts never hold a #tag#.
 */
export function batchArgument(
  credentials: PhantombusterCredentials,
  input: { purpose: string; spreadsheetUrl: string; count: number },
): Record<string, unknown> {
  const session = { sessionCookie: credentials.sessionCookie, userAgent: credentials.userAgent };
  const sheet = { spreadsheetUrl: input.spreadsheetUrl, columnName: 'profileUrl', message: '#message#' };
  if (isConnectionRequest(input.purpose)) return { ...session, ...sheet, numberOfAddsPerLaunch: input.count };
  return { ...session, ...sheet, profilesPerLaunch: input.count };
}

export function checkLinkedInText(purpose: string, text: string): string | undefined {
  if (PHANTOM_TAG.test(text)) return 'the text holds a #tag# Phantombuster would replace; it must be written out';
  if (isConnectionRequest(purpose) && text.trim().length > NOTE_LIMIT)
    return `a connection note is at most ${NOTE_LIMIT} characters (this one has ${text.trim().length})`;
  if (!isConnectionRequest(purpose) && text.trim().length === 0) return 'a LinkedIn message needs a text';
  return undefined;
}

export const phantombusterAdapter: ChannelAdapter<PhantombusterCredentials, undefined, 'phantombuster'> = {
  provider: 'phantombuster',
  label: 'Phantombuster',
  channels: ['linkedin'],
  credentials: PhantombusterCredentials,
  // Reconnecting LinkedIn is `{"credentials":{"sessionCookie","userAgent"}}` alone: the rest stays.
  credentialParts: ['sessionCookie', 'userAgent', 'networkAgentId'],
  idempotent: false,
  batchMax: BATCH_MAX,
  screens: ['content'],
  prepare(message): PreparedMessage {
    const profileUrl = message.to.linkedinUrl ? normalizeLinkedInUrl(message.to.linkedinUrl) : null;
    if (!profileUrl) return { ok: false, failure: { kind: 'invalid_recipient', message: 'no LinkedIn profile URL' } };
    const problem = checkLinkedInText(message.purpose, message.text);
    if (problem) return { ok: false, failure: { kind: 'rejected', message: problem } };
    return { ok: true, message: { ...message, to: { ...message.to, linkedinUrl: profileUrl } } };
  },
  async send(message, credentials, context): Promise<SendResult> {
    const profileUrl = message.to.linkedinUrl ? normalizeLinkedInUrl(message.to.linkedinUrl) : null;
    if (!profileUrl) return fail({ kind: 'invalid_recipient', message: 'no LinkedIn profile URL' });
    const problem = checkLinkedInText(message.purpose, message.text);
    if (problem) return fail({ kind: 'rejected', message: problem });
    const agentId = isConnectionRequest(message.purpose) ? credentials.connectAgentId : credentials.messageAgentId;
    const argument = launchArgument(credentials, { purpose: message.purpose, profileUrl, text: message.text });
    const launched = await launchAgent(credentials, agentId, argument, context.signal);
    if (!launched.ok) return fail(launched.failure);
    return ok({ providerMessageId: launched.value });
  },
  async sendBatch(messages, credentials, context): Promise<SendResult> {
    const first = messages[0];
    if (!first || messages.length > BATCH_MAX || messages.some((m) => m.purpose !== first.purpose))
      return fail({ kind: 'rejected', message: `a batch is 1 to ${BATCH_MAX} messages of one purpose` });
    const agentId = isConnectionRequest(first.purpose) ? credentials.connectAgentId : credentials.messageAgentId;
    const argument = batchArgument(credentials, {
      purpose: first.purpose,
      spreadsheetUrl: context.spreadsheetUrl,
      count: messages.length,
    });
    const launched = await launchAgent(credentials, agentId, argument, context.signal);
    if (!launched.ok) return fail(launched.failure);
    return ok({ providerMessageId: launched.value });
  },
  lookup: async () => ({ unsupported: true }),
  poll: phantombusterPoll,
  async checkConnection(credentials, context): Promise<ConnectionCheck[]> {
    const named: [string, string | undefined][] = [
      ['connect_agent', credentials.connectAgentId],
      ['message_agent', credentials.messageAgentId],
      ['network_agent', credentials.networkAgentId],
    ];
    const checks: ConnectionCheck[] = [];
    for (const [name, agentId] of named) {
      if (!agentId) continue;
      const answer = await fetchAgentOutput(credentials, agentId, context.signal);
      checks.push(
        answer.ok
          ? {
              name,
              verdict: 'ok',
              detail: `Phantombuster agent ${agentId} is reachable (${answer.value.status ?? 'idle'})`,
            }
          : {
              name,
              verdict: 'failed',
              detail: answer.failure.message,
              fix: 'check the Phantombuster API key and the agent ids in the account',
            },
      );
    }
    return checks;
  },
};
