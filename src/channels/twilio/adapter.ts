// Twilio accounts: SMS through the Messages API (form-encoded, Basic auth, `From` the account's
// number or its Messaging Service), and click-to-call through the Calls API (calls.ts; call steps
// become tasks for a person, see docs/calls.md). Twilio has no idempotency key and no way to find
// a message by our id, so it is not idempotent and lookup is unsupported: a send whose outcome is
// unknown after a crash is marked `unknown`, never resent blindly. Statuses, inbound SMS, STOP
// words and call statuses arrive signed at /webhooks/twilio (webhook.ts).
import { fail, ok, type ChannelAdapter, type ConnectionCheck, type SendResult } from '../types.ts';
import { accountPath, twilioCall } from './api.ts';
import { dialThroughTwilio } from './calls.ts';
import { twilioPace } from './pacing.ts';
import { TwilioCredentials } from './credentials.ts';
import { prepareSms, STATUS_CALLBACK_HEADER } from './prepare.ts';
import type { FormParams } from './signature.ts';
import { twilioWebhook } from './webhook.ts';

export const E164 = /^\+[1-9]\d{6,14}$/;

export const twilioAdapter: ChannelAdapter<TwilioCredentials, undefined, 'twilio'> = {
  provider: 'twilio',
  label: 'Twilio',
  channels: ['sms', 'call'],
  credentials: TwilioCredentials,
  idempotent: false,
  screens: ['health'],
  prepare: (message, conversation, context) => prepareSms(message, conversation, context),
  async send(message, credentials, context): Promise<SendResult> {
    if (message.channel !== 'sms')
      return fail({ kind: 'rejected', message: 'a call step is a task for a person (click-to-call), not a send' });
    const to = message.to.phone;
    if (!to || !E164.test(to))
      return fail({ kind: 'invalid_recipient', message: `not an E.164 phone number: ${to ?? '(none)'}` });
    const sender: FormParams = credentials.messagingServiceSid
      ? [['MessagingServiceSid', credentials.messagingServiceSid]]
      : message.from.phone
        ? [['From', message.from.phone]]
        : [];
    if (sender.length === 0)
      return fail({
        kind: 'rejected',
        message: 'the account has no fromPhone and no messagingServiceSid to send from',
      });
    const callback = message.headers?.[STATUS_CALLBACK_HEADER];
    const form: FormParams = [
      ['To', to],
      ...sender,
      ['Body', message.text],
      ...(callback ? [['StatusCallback', callback] as [string, string]] : []),
    ];
    const answer = await twilioCall(credentials, {
      method: 'POST',
      url: accountPath(credentials, '/Messages.json'),
      form,
      signal: context.signal,
    });
    if (!answer.ok) return fail(answer.failure);
    const sid = answer.body.sid;
    if (typeof sid !== 'string' || sid === '')
      return fail({ kind: 'provider_down', message: 'Twilio accepted the message without a sid' });
    return ok({ providerMessageId: sid });
  },
  // Twilio cannot find a message by our id (no idempotency key, no client reference).
  lookup: async () => ({ unsupported: true }),
  webhook: twilioWebhook,
  dial: (request, credentials, context) => dialThroughTwilio(request, credentials, context),
  pace: (work, credentials, account) => twilioPace(work, credentials, account),
  async checkConnection(credentials, context): Promise<ConnectionCheck[]> {
    const answer = await twilioCall(credentials, {
      method: 'GET',
      url: accountPath(credentials, '.json'),
      signal: context.signal,
    });
    if (!answer.ok)
      return [
        {
          name: 'credentials',
          verdict: 'failed',
          detail: answer.failure.message,
          fix: 'copy the Account SID and Auth Token from the Twilio Console (Account Info) into the account',
        },
      ];
    const status = typeof answer.body.status === 'string' ? answer.body.status : 'unknown';
    const checks: ConnectionCheck[] = [
      status === 'active'
        ? { name: 'credentials', verdict: 'ok', detail: 'Twilio accepts the Account SID and Auth Token' }
        : {
            name: 'credentials',
            verdict: 'failed',
            detail: `the Twilio account is ${status}`,
            fix: 'reactivate the account in the Twilio Console',
          },
    ];
    const phone = context.account?.fromPhone;
    if (!phone && !credentials.messagingServiceSid)
      checks.push({
        name: 'sender',
        verdict: 'failed',
        detail: 'no fromPhone and no messagingServiceSid: nothing to send from',
        fix: 'set the account\'s "fromPhone" to a Twilio number (E.164) or its credentials\' "messagingServiceSid"',
      });
    return checks;
  },
};
