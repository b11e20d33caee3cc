// Click-to-call through Twilio's Calls API (twilio.com/docs/voice/api/call-resource): Twilio rings
// the rep's phone (`To`) from the account's number (`From`) and, once the rep answers, the TwiML
// bridges the prospect with the account's number as caller id. Statuses (initiated, ringing,
// answered, completed; busy, no-answer, failed) come to /webhooks/twilio. Recording is off unless
// the account turns it on; then a consent notice plays first (docs/calls.md says where every
// party's consent is required).
import type { AdapterContext, DialRequest, DialResult } from '../types.ts';
import { accountPath, twilioCall } from './api.ts';
import type { TwilioCredentials } from './credentials.ts';
import type { FormParams } from './signature.ts';

export const RING_TIMEOUT_SECONDS = 60;

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function bridgeTwiml(
  request: Pick<DialRequest, 'prospectPhone' | 'callerId' | 'consentNotice'>,
  record: boolean,
): string {
  const notice = record && request.consentNotice ? `<Say>${xml(request.consentNotice)}</Say>` : '';
  const recording = record ? ' record="record-from-answer-dual"' : '';
  return `<Response>${notice}<Dial callerId="${xml(request.callerId)}"${recording}><Number>${xml(request.prospectPhone)}</Number></Dial></Response>`;
}

export async function dialThroughTwilio(
  request: DialRequest,
  credentials: TwilioCredentials,
  context: AdapterContext,
): Promise<DialResult> {
  const record = request.record && credentials.recordCalls;
  const form: FormParams = [
    ['To', request.repPhone],
    ['From', request.callerId],
    ['Twiml', bridgeTwiml(request, record)],
    ['StatusCallback', request.statusCallbackUrl],
    ['StatusCallbackMethod', 'POST'],
    ...['initiated', 'ringing', 'answered', 'completed'].map((e): [string, string] => ['StatusCallbackEvent', e]),
    ['Timeout', String(RING_TIMEOUT_SECONDS)],
  ];
  const answer = await twilioCall(credentials, {
    method: 'POST',
    url: accountPath(credentials, '/Calls.json'),
    form,
    signal: context.signal,
  });
  if (!answer.ok) return answer;
  const sid = answer.body.sid;
  if (typeof sid !== 'string' || sid === '')
    return { ok: false, failure: { kind: 'provider_down', message: 'Twilio accepted the call without a sid' } };
  return { ok: true, callId: sid };
}
