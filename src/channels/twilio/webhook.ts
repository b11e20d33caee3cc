// Twilio's webhooks at /webhooks/twilio: one URL for message status callbacks, inbound SMS and call
// status callbacks (twilio.com/docs/messaging/guides/track-outbound-message-status,
// twilio.com/docs/messaging/guides/webhook-request, twilio.com/docs/voice/api/call-resource#statuscallback).
// Verified with the account's Auth Token (signature.ts); routed by AccountSid and our side of the
// conversation (accountKeys): several numbers may share one Account SID, each registered as its own
// account, maybe in different workspaces, so AccountSid alone cannot say whose reply it is.
// Deduplicated by the message's (or call's) sid and status. Twilio wants TwiML back: an empty
// <Response> sends nothing. Advanced Opt-Out (a Messaging Service's own keywords) adds
// `OptOutType` (STOP, START, HELP) to inbound messages: it wins over our reading of the body.
import { smsKeyword, type SmsKeyword } from '../../core/smsKeywords.ts';
import type { InboundEvent, KeyedEvent } from '../../core/events.ts';
import type { HeaderBag, ParsedWebhook, ProviderWebhook, WebhookRequest } from '../types.ts';
import type { TwilioCredentials } from './credentials.ts';
import { formParams, verifyTwilioSignature } from './signature.ts';

export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const;
export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'answered',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;

const ERRORS: Record<string, string> = {
  '30003': 'unreachable destination handset',
  '30004': 'message blocked',
  '30005': 'unknown destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'message filtered by the carrier',
  '30008': 'unknown error',
};

type Params = Map<string, string>;

export function requestParams(request: WebhookRequest): Params | undefined {
  const type = header(request.headers, 'content-type')?.toLowerCase() ?? '';
  if (!type.startsWith('application/json')) return new Map(formParams(request.rawBody));
  try {
    const value: unknown = JSON.parse(request.rawBody.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return new Map(
      Object.entries(value).flatMap(([k, v]) =>
        typeof v === 'string' || typeof v === 'number' ? [[k, String(v)] as [string, string]] : [],
      ),
    );
  } catch {
    return undefined;
  }
}

function header(headers: HeaderBag, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export const twilioWebhook: ProviderWebhook<TwilioCredentials, undefined> = {
  verify(request, secrets) {
    const token = secrets.credentials?.authToken;
    if (!token) return { ok: false, reason: 'no Auth Token', unconfigured: true };
    const verdict = verifyTwilioSignature({
      authToken: token,
      url: request.url,
      signature: header(request.headers, 'x-twilio-signature'),
      rawBody: request.rawBody,
      contentType: header(request.headers, 'content-type'),
    });
    return verdict.ok ? { ok: true } : verdict;
  },
  accountKey: (request) => {
    const params = requestParams(request);
    return params ? accountKeys(params) : undefined;
  },
  accountKeyOf: (credentials, account) => accountKeyOf(credentials, account),
  secretHint: 'register the Twilio account (its Auth Token signs the webhooks) with POST /v1/senders',
  refusalStatus: 403,
  acknowledge: { contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' },
  parse(request) {
    const params = requestParams(request);
    if (!params) return { kind: 'invalid', reason: 'the Twilio webhook body is not a form (or a JSON object)' };
    if (params.has('CallSid') && params.has('CallStatus') && !params.has('MessageSid')) return parseCall(params);
    return parseMessage(params);
  },
};

/**
 * The key an account answers to: its Account SID with the Messaging Service it sends through (SMS),
 * else with its number. A call account is keyed by its number: call statuses name no service.
 */
export function accountKeyOf(
  credentials: Pick<TwilioCredentials, 'accountSid' | 'messagingServiceSid'>,
  account?: { channel?: string; fromPhone?: string | null },
): string {
  const { accountSid, messagingServiceSid } = credentials;
  if (messagingServiceSid && account?.channel !== 'call') return `${accountSid}:${messagingServiceSid}`;
  return account?.fromPhone ? `${accountSid}:${account.fromPhone}` : accountSid;
}

/**
 * The keys of the accounts a request may belong to: our number (`To` of an inbound message, `From`
 * of a status callback or a call status), the Messaging Service it came through, and the bare
 * Account SID (accounts registered before numbers were told apart; re-saving one keys it anew).
 */
export function accountKeys(params: Params): string[] | undefined {
  const accountSid = params.get('AccountSid');
  const ours = isInboundMessage(params) ? params.get('To') : params.get('From');
  // Without either it names no account: every account tries it, and parse says what is wrong (400).
  if (!accountSid || !ours) return undefined;
  const service = params.get('MessagingServiceSid');
  return [...(ours ? [`${accountSid}:${ours}`] : []), ...(service ? [`${accountSid}:${service}`] : []), accountSid];
}

const messageStatusOf = (params: Params) => params.get('MessageStatus') ?? params.get('SmsStatus');

function isInboundMessage(params: Params): boolean {
  if (params.has('CallSid') && !params.has('MessageSid')) return false;
  const status = messageStatusOf(params);
  return status === 'received' || (status === undefined && params.has('Body'));
}

function parseMessage(params: Params): ParsedWebhook {
  const sid = params.get('MessageSid') ?? params.get('SmsSid');
  if (!sid || !/^(SM|MM)[0-9a-f]{32}$/i.test(sid))
    return { kind: 'invalid', reason: 'MessageSid is missing or not an SM…/MM… sid' };
  if (!params.get('AccountSid')) return { kind: 'invalid', reason: 'AccountSid is missing' };
  const status = messageStatusOf(params);
  if (isInboundMessage(params)) return parseInbound(sid, params);
  if (!status) return { kind: 'invalid', reason: 'neither MessageStatus nor Body: not a Twilio message webhook' };
  if (!(MESSAGE_STATUSES as readonly string[]).includes(status))
    return { kind: 'invalid', reason: `unknown MessageStatus "${status}"` };
  const ref = { providerMessageId: sid, channel: 'sms' as const };
  const event = statusEvent(status, params.get('ErrorCode') || undefined, ref);
  return {
    kind: 'events',
    deliveryId: `${sid}:${status}`,
    events: event ? [{ key: `twilio:${sid}:${status}`, event }] : [],
  };
}

function statusEvent(status: string, code: string | undefined, ref: InboundEvent['ref']): InboundEvent | undefined {
  const via = 'twilio';
  switch (status) {
    case 'delivered':
      return { type: 'delivered', ref, via };
    case 'read':
      return { type: 'read', ref, via };
    case 'failed':
    case 'undelivered': {
      const what = code ? ` (error ${code}${ERRORS[code] ? `: ${ERRORS[code]}` : ''})` : '';
      return { type: 'failed', ref, via, reason: `${status}${what}`, ...(code ? { code } : {}) };
    }
    default:
      return undefined;
  }
}

function parseInbound(sid: string, params: Params): ParsedWebhook {
  const from = params.get('From');
  if (!from) return { kind: 'invalid', reason: 'an inbound message without From' };
  const body = params.get('Body') ?? '';
  const to = params.get('To');
  const ref = { from: { phone: from }, ...(to ? { to: { phone: to } } : {}), channel: 'sms' as const };
  const base = { ref, via: 'twilio' };
  const keyword = keywordOf(body, params.get('OptOutType'));
  const events: KeyedEvent[] = [];
  const key = (suffix: string) => `twilio:${sid}:received:${suffix}`;
  if (keyword === 'opt_out')
    events.push({ key: key('opt_out'), event: { type: 'opted_out', everywhere: false, ...base } });
  if (keyword === 'opt_in') events.push({ key: key('opt_in'), event: { type: 'opted_in', ...base } });
  // YES is also an answer to the message (a "reply YES if…" question); START and UNSTOP only opt in.
  const answer = keyword === undefined || (keyword === 'opt_in' && body.trim().toUpperCase().startsWith('YES'));
  if (answer && (body.trim() !== '' || Number(params.get('NumMedia') ?? 0) > 0))
    events.push({ key: key('reply'), event: { type: 'replied', text: body, ...base } });
  return { kind: 'events', deliveryId: `${sid}:received`, events };
}

const OPT_OUT_TYPES: Record<string, SmsKeyword> = { STOP: 'opt_out', START: 'opt_in', HELP: 'help' };

/**
 * What an inbound message asks: Twilio's `OptOutType` when Advanced Opt-Out sent one (the
 * service's own keywords, "ARRET" say, arrive with OptOutType=STOP; any case accepted), else the
 * carrier-standard words in the body. A standard opt-out word still opts out when the service has
 * removed it from its list: suppression errs on the side of the person.
 */
export function keywordOf(body: string, optOutType: string | undefined): SmsKeyword | undefined {
  const byType = optOutType ? OPT_OUT_TYPES[optOutType.trim().toUpperCase()] : undefined;
  const byBody = smsKeyword(body);
  if (byBody === 'opt_out') return 'opt_out';
  return byType ?? byBody;
}

function parseCall(params: Params): ParsedWebhook {
  const sid = params.get('CallSid') ?? '';
  const status = params.get('CallStatus') ?? '';
  if (!/^CA[0-9a-f]{32}$/i.test(sid)) return { kind: 'invalid', reason: 'CallSid is not a CA… sid' };
  if (!(CALL_STATUSES as readonly string[]).includes(status))
    return { kind: 'invalid', reason: `unknown CallStatus "${status}"` };
  const duration = params.get('CallDuration');
  const event: InboundEvent = {
    type: 'call',
    outcome: status,
    ref: { providerMessageId: sid, channel: 'call' },
    via: 'twilio',
    ...(duration ? { note: `${duration} s` } : {}),
  };
  return { kind: 'events', deliveryId: `${sid}:${status}`, events: [{ key: `twilio:${sid}:${status}`, event }] };
}
