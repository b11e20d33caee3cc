// A local fake of Twilio's REST API (2010-04-01) and of the webhooks Twilio sends, written from
// /work/shared/PROVIDERS.md and Twilio's docs:
//   Messages:   twilio.com/docs/sms/api/message-resource — POST /2010-04-01/Accounts/{AC…}/Messages.json,
//               Basic auth AC…:authToken, form To, From | MessagingServiceSid, Body, StatusCallback
//               → 201 {"sid":"SM…","status":"queued","num_segments":"1","error_code":null,…}
//   Calls:      twilio.com/docs/voice/api/call-resource — POST …/Calls.json, To, From, Twiml | Url,
//               StatusCallback, StatusCallbackEvent (repeated), Timeout (≤ 600), Record → 201 {"sid":"CA…"}
//   Errors:     twilio.com/docs/api/errors — {"code","message","more_info","status"}: 20003 (401),
//               21211 invalid To, 21610 unsubscribed recipient, 20429 (429) too many requests.
//   Webhooks:   twilio.com/docs/usage/webhooks/webhooks-security — X-Twilio-Signature =
//               base64(HMAC-SHA1(authToken, URL + each param name+value sorted by name)).
//   Opt-out:    twilio.com/docs/messaging/tutorials/advanced-opt-out — STOP, STOPALL, UNSUBSCRIBE,
//               END, QUIT, REVOKE, OPTOUT, CANCEL block the pair (sender, number); START, YES,
//               UNSTOP lift it; sends to a blocked pair get 21610. With a Messaging Service the block
//               covers the whole service (PROVIDERS.md: "the sender number or the whole Messaging Service").
//   Advanced Opt-Out: help.twilio.com "Getting Started with Advanced Opt-Out for Messaging Services" and
//               "How to Track Opt-Out, Opt-In and Help Messages Using the OptOutType Parameter" — a
//               service's own keywords (STOP, START and HELP cannot be removed), matched on the whole
//               body in any case; the inbound webhook then carries OptOutType=STOP|START|HELP (◐: the
//               fake can send any spelling, or none) and MessagingServiceSid; a service may be set to
//               drop keyword messages (nothing is posted: tests leave that webhook undelivered).
// Shortcuts (documented here, not in any adapter): no Twilio number ownership check on `From`,
// segments counted roughly (160 / 70 characters), one call per second not enforced unless asked
// (`failNext`), and webhooks are built, not posted: tests deliver them to the app under test.
import { createHmac, randomBytes } from 'node:crypto';
import { applyFault, FaultPlan } from './faults.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeTwilioMessage = {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  numSegments: number;
};

export type FakeTwilioCall = {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  twiml: string | null;
  url: string | null;
  statusCallback: string | null;
  statusCallbackEvents: string[];
  timeout: number;
  record: boolean;
};

/** A webhook as Twilio would send it: where to, its headers (signed) and its form body. */
export type FakeTwilioWebhook = { url: string; headers: Record<string, string>; body: string };

export type FakeTwilioFailure = { status: number; code: number; message: string; retryAfter?: string };

/** A Messaging Service: its sender pool and, when set, its Advanced Opt-Out keywords. */
export type FakeMessagingService = {
  sid: string;
  accountSid: string;
  numbers: string[];
  advancedOptOut: { optOut: string[]; optIn: string[]; help: string[] } | null;
};

const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL'];
const OPT_IN = ['START', 'YES', 'UNSTOP'];

export const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export class FakeTwilio {
  url = '';
  readonly accounts = new Map<string, string>();
  readonly messages: FakeTwilioMessage[] = [];
  readonly calls: FakeTwilioCall[] = [];
  /** The next POSTs (messages or calls) answer with these errors, in order. */
  readonly failNext: FakeTwilioFailure[] = [];
  /** Faults injected into sends and calls (R-provider), keyed by the `To` number. */
  faults = new FaultPlan();
  /** Blocked pairs `${sender}|${number}` (sender: the From number or the Messaging Service). */
  readonly optedOut = new Set<string>();
  readonly services = new Map<string, FakeMessagingService>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  /** A new account on the fake: its Account SID and Auth Token. */
  account(): { accountSid: string; authToken: string } {
    const accountSid = sid('AC');
    const authToken = randomBytes(16).toString('hex');
    this.accounts.set(accountSid, authToken);
    return { accountSid, authToken };
  }

  /**
   * A Messaging Service of an account with these numbers. `advancedOptOut` replaces the keyword
   * lists (STOP, START and HELP stay whatever is given, as in Twilio's console).
   */
  messagingService(input: {
    accountSid: string;
    numbers: string[];
    advancedOptOut?: { optOut?: string[]; optIn?: string[]; help?: string[] };
  }): string {
    const aoo = input.advancedOptOut;
    const list = (given: string[] | undefined, fixed: string, standard: string[]) => [
      ...new Set([fixed, ...(given ?? standard)].map((w) => w.toUpperCase())),
    ];
    const service: FakeMessagingService = {
      sid: sid('MG'),
      accountSid: input.accountSid,
      numbers: input.numbers,
      advancedOptOut: aoo
        ? {
            optOut: list(aoo.optOut, 'STOP', OPT_OUT),
            optIn: list(aoo.optIn, 'START', OPT_IN),
            help: list(aoo.help, 'HELP', ['HELP', 'INFO']),
          }
        : null,
    };
    this.services.set(service.sid, service);
    return service.sid;
  }

  private serviceOf(number: string): FakeMessagingService | undefined {
    return [...this.services.values()].find((s) => s.numbers.includes(number));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake Twilio has no TCP address');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const match =
      /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/Messages\.json|\/Calls\.json|\/Messages\/(SM[0-9a-f]+)\.json)$/.exec(
        path,
      );
    if (!match) return error(res, 404, 20404, `The requested resource ${path} was not found`);
    const [, accountSid = '', resource = ''] = match;
    if (!this.authorized(req, accountSid)) return error(res, 401, 20003, 'Authentication Error - invalid username');
    const form = new URLSearchParams(text);
    if (req.method === 'GET' && resource === '.json')
      return json(res, 200, { sid: accountSid, status: 'active', friendly_name: 'Fake account', type: 'Full' });
    if (req.method === 'GET' && match[3]) {
      const found = this.messages.find((m) => m.sid === match[3]);
      return found ? json(res, 200, messageResource(found, 'sent')) : error(res, 404, 20404, 'Not found');
    }
    if (req.method !== 'POST') return error(res, 405, 20004, 'Method not allowed');
    const faulted = applyFault(this.faults.take(form.get('To') ?? ''), res, (status, headers) =>
      error(
        res,
        status,
        status === 429 ? 20429 : 20500,
        status === 429 ? 'Too Many Requests' : 'Internal error',
        headers,
      ),
    );
    if (faulted === 'answered') return;
    const failure = this.failNext.shift();
    if (failure)
      return error(
        res,
        failure.status,
        failure.code,
        failure.message,
        failure.retryAfter ? { 'retry-after': failure.retryAfter } : {},
      );
    if (resource === '/Messages.json') return this.createMessage(res, accountSid, form);
    if (resource === '/Calls.json') return this.createCall(res, accountSid, form);
    return error(res, 405, 20004, 'Method not allowed');
  }

  private authorized(req: IncomingMessage, accountSid: string): boolean {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Basic ')) return false;
    const [user, password] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    return user === accountSid && this.accounts.get(accountSid) === password;
  }

  private createMessage(res: ServerResponse, accountSid: string, form: URLSearchParams): void {
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body');
    if (!to) return error(res, 400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !service) return error(res, 400, 21603, "A 'From' phone number is required.");
    if (!body) return error(res, 400, 21602, 'Message body is required.');
    const pool = service ? this.services.get(service) : from ? this.serviceOf(from) : undefined;
    if (service && pool?.accountSid !== accountSid)
      return error(res, 400, 21701, `The Messaging Service Sid ${service} is invalid.`);
    const blocked = [from, pool?.sid].some((s) => s && this.optedOut.has(`${s}|${to}`));
    if (blocked) return error(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
    const message: FakeTwilioMessage = {
      sid: sid('SM'),
      accountSid,
      to,
      from: from ?? pool?.numbers[0] ?? null,
      messagingServiceSid: service,
      body,
      statusCallback: form.get('StatusCallback'),
      numSegments: Math.ceil(body.length / (/^[\x20-\x7e\n]*$/.test(body) ? 160 : 70)),
    };
    this.messages.push(message);
    json(res, 201, messageResource(message, 'queued'));
  }

  private createCall(res: ServerResponse, accountSid: string, form: URLSearchParams): void {
    const to = form.get('To');
    const from = form.get('From');
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to))
      return error(res, 400, 21211, `The 'To' number ${to ?? ''} is not a valid phone number.`);
    if (!from) return error(res, 400, 21603, "A 'From' phone number is required.");
    if (!form.get('Twiml') && !form.get('Url')) return error(res, 400, 21205, 'Url parameter is required.');
    const timeout = Number(form.get('Timeout') ?? 60);
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600)
      return error(res, 400, 21216, 'Timeout must be between 1 and 600');
    const call: FakeTwilioCall = {
      sid: sid('CA'),
      accountSid,
      to,
      from,
      twiml: form.get('Twiml'),
      url: form.get('Url'),
      statusCallback: form.get('StatusCallback'),
      statusCallbackEvents: form.getAll('StatusCallbackEvent'),
      timeout,
      record: form.get('Record') === 'true',
    };
    this.calls.push(call);
    json(res, 201, { sid: call.sid, account_sid: accountSid, to, from, status: 'queued', direction: 'outbound-api' });
  }

  /** Signs a form for an account the way Twilio does. */
  sign(accountSid: string, url: string, params: Record<string, string>): FakeTwilioWebhook {
    const token = this.accounts.get(accountSid);
    if (!token) throw new Error(`no fake account ${accountSid}`);
    const body = new URLSearchParams(params).toString();
    return {
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio(token, url, Object.entries(params)),
      },
      body,
    };
  }

  /** The status callback Twilio would send for one of the messages it took. */
  statusCallback(messageSid: string, status: string, errorCode?: number): FakeTwilioWebhook {
    const message = this.messages.find((m) => m.sid === messageSid);
    if (!message?.statusCallback) throw new Error(`message ${messageSid} has no StatusCallback`);
    return this.sign(message.accountSid, message.statusCallback, {
      MessageSid: message.sid,
      SmsSid: message.sid,
      AccountSid: message.accountSid,
      From: message.from ?? '',
      To: message.to,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: '2010-04-01',
      ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
      ...(errorCode !== undefined ? { ErrorCode: String(errorCode) } : {}),
    });
  }

  /**
   * An SMS a person sends to one of the account's numbers, to the number's webhook URL. Twilio acts
   * on opt-out words itself: the pair is blocked (later sends get 21610) or unblocked; for a number
   * in a Messaging Service, the whole service. With Advanced Opt-Out the service's keywords decide
   * and the webhook says which in OptOutType (`optOutType` overrides its spelling; null leaves it out).
   */
  inbound(input: {
    accountSid: string;
    url: string;
    from: string;
    to: string;
    body: string;
    optOutType?: string | null;
  }): FakeTwilioWebhook {
    const word = input.body.trim().toUpperCase();
    const service = this.serviceOf(input.to);
    const words = service?.advancedOptOut ?? { optOut: OPT_OUT, optIn: OPT_IN, help: ['HELP', 'INFO'] };
    const blockKey = `${service?.sid ?? input.to}|${input.from}`;
    const type = words.optOut.includes(word)
      ? 'STOP'
      : words.optIn.includes(word)
        ? 'START'
        : words.help.includes(word)
          ? 'HELP'
          : undefined;
    if (type === 'STOP') this.optedOut.add(blockKey);
    if (type === 'START') this.optedOut.delete(blockKey);
    const optOutType = input.optOutType === undefined ? (service?.advancedOptOut ? type : undefined) : input.optOutType;
    const messageSid = sid('SM');
    return this.sign(input.accountSid, input.url, {
      MessageSid: messageSid,
      SmsSid: messageSid,
      SmsMessageSid: messageSid,
      AccountSid: input.accountSid,
      From: input.from,
      To: input.to,
      Body: input.body,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      ...(service ? { MessagingServiceSid: service.sid } : {}),
      ...(optOutType ? { OptOutType: optOutType } : {}),
    });
  }

  /** A call status callback (initiated, ringing, answered, completed; busy, no-answer, failed). */
  callStatus(callSid: string, status: string, duration?: number): FakeTwilioWebhook {
    const call = this.calls.find((c) => c.sid === callSid);
    if (!call?.statusCallback) throw new Error(`call ${callSid} has no StatusCallback`);
    return this.sign(call.accountSid, call.statusCallback, {
      CallSid: call.sid,
      AccountSid: call.accountSid,
      From: call.from,
      To: call.to,
      CallStatus: status,
      Direction: 'outbound-api',
      ApiVersion: '2010-04-01',
      ...(duration !== undefined ? { CallDuration: String(duration) } : {}),
    });
  }
}

/** X-Twilio-Signature for a URL and form parameters (repeated names each appended, sorted). */
export function signTwilio(authToken: string, url: string, params: [string, string][]): string {
  const data = [...params]
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .reduce((text, [name, value]) => text + name + value, url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

function messageResource(message: FakeTwilioMessage, status: string): Record<string, unknown> {
  return {
    sid: message.sid,
    account_sid: message.accountSid,
    to: message.to,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    body: message.body,
    status,
    num_segments: String(message.numSegments),
    direction: 'outbound-api',
    api_version: '2010-04-01',
    error_code: null,
    error_message: null,
    uri: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}.json`,
  };
}

function error(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
