// The contract every provider adapter keeps, as one suite each provider runs against its local fake
// (test/fakes/): sending, an idempotent resend, each failure kind the provider documents (with what
// the engine does with it), lookup after a crash, webhook verification with good, tampered, stale and
// replayed signatures, parsing of every event type the provider documents, polling page after
// page, and for an adapter with sendBatch: a batch in one call with one outcome per message read
// by the poll, a partial failure, a batch that ended with no result, oversized or mixed batches
// refused, and an unreachable provider. A provider passes the parts it has; the parts it lacks are stated, not skipped silently.
import { describe, expect, it } from 'vitest';
import type { RegisteredAdapter } from '../../src/channels/register.ts';
import {
  failureAction,
  type FailureAction,
  type InboundEvent,
  type OutboundMessage,
  type SendFailureKind,
  type WebhookRequest,
} from '../../src/channels/types.ts';

export type ContractWorld = {
  credentials: unknown;
  /** How many messages the provider has accepted so far (the fake's own count); none for the sandbox, which keeps nothing. */
  accepted?(): number | Promise<number>;
};

export type FailureCase = {
  kind: SendFailureKind;
  /** Makes the fake answer the next send this way (or returns credentials that provoke it). */
  arrange(world: ContractWorld): unknown;
  /** A message that provokes it, when the message itself is the cause (a bad address). */
  message?: (base: OutboundMessage) => OutboundMessage;
};

export type WebhookCase = {
  /** A request the provider would send, signed with the account's credentials (or the settings). */
  signed(body: string, options: { now: Date; id: string }): WebhookRequest;
  /** Credentials the request verifies with (undefined: the installation's settings). */
  credentials: unknown;
  /** How long a signature stays valid (none: the provider signs no time). */
  toleranceSeconds?: number;
  /** One body per event type the provider documents, with the events each must parse to. */
  events: { name: string; body: string; expect: Partial<InboundEvent>[] }[];
  /** Bodies the provider sends that are not ours to act on: acknowledged, ignored. */
  ignored?: string[];
};

export type PollCase = {
  /** Puts `count` new inbound messages where the next poll finds them; returns nothing. */
  seed(world: ContractWorld, count: number): Promise<void>;
  /** More than one page's worth, so the poll has to page. */
  count: number;
};

export type BatchCase = {
  /** Serves these messages where the provider reads a batch; returns that URL (the spreadsheet URL). */
  publish(messages: readonly OutboundMessage[]): Promise<string> | string;
  /** Makes the provider fail this message of the next batch (a recipient it cannot reach). */
  failFor(message: OutboundMessage): void;
  /** Makes the provider leave this message of the next batch out of its results (it stopped early). */
  leaveOut(message: OutboundMessage): void;
  /** Makes the next batch end with no result at all (an exit code, no result object). */
  endEmpty(): void;
  /** Credentials whose provider cannot be reached. */
  unreachable(world: ContractWorld): unknown;
};

export type ContractFixture = {
  provider: string;
  adapter: RegisteredAdapter;
  /** A fresh account on the fake (and the fake itself). */
  setup(): Promise<ContractWorld>;
  message(id: string): OutboundMessage;
  failures: FailureCase[];
  /** What lookup says of a message it sent and of one it never saw. */
  lookup: { sent: 'found' | 'unsupported'; unknown: 'not_found' | 'unsupported' | 'found' };
  webhook?: WebhookCase;
  poll?: PollCase;
  /** For an adapter with sendBatch: how to serve a batch and make its messages fail. */
  batch?: BatchCase;
};

let ids = 0;
const nextId = () =>
  `0190c0de-${String(++ids).padStart(4, '0')}-7000-8000-${Date.now().toString(16).padStart(12, '0')}`;

export function adapterContract(fixture: ContractFixture): void {
  const { adapter } = fixture;
  describe(`${fixture.provider}: the adapter contract`, () => {
    it('sends: the provider accepts the message and answers its id', async () => {
      const world = await fixture.setup();
      const before = await world.accepted?.();
      const result = await adapter.send(fixture.message(nextId()), world.credentials, {});
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
      if (result.ok) expect(result.value.providerMessageId).toEqual(expect.any(String));
      if (before !== undefined) expect(await world.accepted?.()).toBe(before + 1);
    });

    it(`resends with the same id: ${adapter.idempotent ? 'delivered once (idempotency key)' : 'not idempotent, so the engine never resends blindly'}`, async () => {
      const world = await fixture.setup();
      const message = fixture.message(nextId());
      const first = await adapter.send(message, world.credentials, {});
      const afterFirst = await world.accepted?.();
      const second = await adapter.send(message, world.credentials, {});
      expect(second.ok).toBe(true);
      if (first.ok && second.ok && adapter.idempotent)
        expect(second.value.providerMessageId).toBe(first.value.providerMessageId);
      if (afterFirst === undefined) return;
      // Without a key the provider takes it twice: which is why the engine marks an unknown fate
      // `unknown` instead of resending (test/engine/recovery.test.ts).
      expect(await world.accepted?.()).toBe(adapter.idempotent ? afterFirst : afterFirst + 1);
    });

    for (const failure of fixture.failures)
      it(`fails as ${failure.kind} (the engine will ${failureAction({ kind: failure.kind, message: '' } as never)})`, async () => {
        const world = await fixture.setup();
        const arranged = await failure.arrange(world);
        const credentials = arranged === undefined ? world.credentials : arranged;
        const base = fixture.message(nextId());
        const result = await adapter.send(failure.message ? failure.message(base) : base, credentials, {});
        expect(result, JSON.stringify(result)).toMatchObject({ ok: false, failure: { kind: failure.kind } });
        if (!result.ok) {
          expect(result.failure.message.length).toBeGreaterThan(0);
          const action: FailureAction = failureAction(result.failure);
          expect(['retry', 'hold', 'bounce', 'suppress', 'fail']).toContain(action);
        }
      });

    it(`looks a message up after a crash: sent → ${fixture.lookup.sent}, never sent → ${fixture.lookup.unknown}`, async () => {
      const world = await fixture.setup();
      const message = fixture.message(nextId());
      const sent = await adapter.send(message, world.credentials, {});
      expect(sent.ok).toBe(true);
      const found = await adapter.lookup(message.id, world.credentials, {});
      if (fixture.lookup.sent === 'found') expect(found).toMatchObject({ found: true });
      else expect(found).toMatchObject({ unsupported: true });
      const missing = await adapter.lookup(nextId(), world.credentials, {});
      if (fixture.lookup.unknown === 'found') expect(missing).toMatchObject({ found: true });
      else if (fixture.lookup.unknown === 'not_found') expect(missing).toEqual({ found: false });
      else expect(missing).toMatchObject({ unsupported: true });
    });

    if (fixture.webhook) webhookContract(adapter, fixture.webhook);
    else
      it('receives no webhooks (nothing to verify or parse)', () => {
        expect(adapter.webhook).toBeUndefined();
      });

    if (fixture.poll) pollContract(fixture, fixture.poll);
    if (adapter.sendBatch) batchContract(fixture);
    else
      it('sends no batches (each message is a call of its own)', () => {
        expect(adapter.batchMax).toBeUndefined();
      });
  });
}

function webhookContract(adapter: RegisteredAdapter, webhook: WebhookCase): void {
  const hook = () => {
    if (!adapter.webhook) throw new Error('the adapter declares no webhook');
    return adapter.webhook;
  };
  const now = new Date('2026-03-02T09:00:00Z');

  it('verifies a good signature, refuses a tampered body, a stale timestamp and a missing signature', () => {
    const body = webhook.events[0]?.body ?? '{}';
    const good = webhook.signed(body, { now, id: 'evt_good' });
    expect(hook().verify(good, webhook.credentials, now)).toMatchObject({ ok: true });
    const tampered = { ...good, rawBody: Buffer.from(body.replace(/.$/, ' ')) };
    expect(hook().verify(tampered, webhook.credentials, now)).toMatchObject({ ok: false });
    const unsigned = { ...good, headers: {} };
    expect(hook().verify(unsigned, webhook.credentials, now)).toMatchObject({ ok: false });
    if (webhook.toleranceSeconds !== undefined) {
      const later = new Date(now.getTime() + (webhook.toleranceSeconds + 60) * 1000);
      expect(hook().verify(good, webhook.credentials, later)).toMatchObject({ ok: false });
    }
  });

  it('a replayed delivery verifies to the same delivery id, so storing it twice is a duplicate', () => {
    const body = webhook.events[0]?.body ?? '{}';
    const request = webhook.signed(body, { now, id: 'evt_replayed' });
    const first = hook().verify(request, webhook.credentials, now);
    const again = hook().verify(request, webhook.credentials, new Date(now.getTime() + 1000));
    expect(first.ok && again.ok).toBe(true);
    const a = hook().parse(request, first.ok ? first : {});
    const b = hook().parse(request, again.ok ? again : {});
    expect(a.kind).toBe('events');
    if (a.kind === 'events' && b.kind === 'events') expect(b.deliveryId).toBe(a.deliveryId);
  });

  for (const event of webhook.events)
    it(`parses ${event.name}`, () => {
      const request = webhook.signed(event.body, { now, id: `evt_${event.name}` });
      const verdict = hook().verify(request, webhook.credentials, now);
      expect(verdict.ok).toBe(true);
      const parsed = hook().parse(request, verdict.ok ? verdict : {});
      expect(parsed.kind).toBe('events');
      if (parsed.kind !== 'events') return;
      expect(parsed.events.map((e) => e.event)).toMatchObject(event.expect);
      for (const keyed of parsed.events) expect(keyed.key.length).toBeGreaterThan(0);
    });

  for (const [i, body] of (webhook.ignored ?? []).entries())
    it(`acknowledges and ignores what is not ours (${i + 1})`, () => {
      const request = webhook.signed(body, { now, id: `evt_ignored_${i}` });
      const verdict = hook().verify(request, webhook.credentials, now);
      expect(verdict.ok).toBe(true);
      expect(hook().parse(request, verdict.ok ? verdict : {})).toMatchObject({ kind: 'ignored' });
    });

  it('refuses a malformed body it verified', () => {
    const request = webhook.signed('{"not json', { now, id: 'evt_malformed' });
    const verdict = hook().verify(request, webhook.credentials, now);
    expect(hook().parse(request, verdict.ok ? verdict : {})).toMatchObject({ kind: 'invalid' });
  });
}

function pollContract(fixture: ContractFixture, poll: PollCase): void {
  it(`polls page after page: ${poll.count} new messages arrive once each, and a repeat finds nothing new`, async () => {
    const world = await fixture.setup();
    const polling = fixture.adapter.poll;
    if (!polling) throw new Error('the adapter declares no poll');
    expect(polling.pollable(world.credentials)).toBe(true);
    const now = new Date();
    // The first poll may only mark where "now" is (Gmail); it must end with a cursor.
    const first = await polling.poll(world.credentials, {}, { now });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const credentials = first.refreshedCredentials ?? world.credentials;
    await poll.seed(world, poll.count);
    const second = await polling.poll(credentials, first.cursor, { now });
    expect(second, JSON.stringify(second)).toMatchObject({ ok: true });
    if (!second.ok) return;
    const keys = [...first.events, ...second.events].map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(poll.count);
    const third = await polling.poll(second.refreshedCredentials ?? credentials, second.cursor, { now });
    expect(third).toMatchObject({ ok: true, events: [] });
  });
}

const sameRecipient = (from: InboundEvent['ref']['from'], to: OutboundMessage['to']) =>
  from !== undefined &&
  ((from.linkedinUrl !== undefined && from.linkedinUrl === to.linkedinUrl) ||
    (from.email !== undefined && from.email === to.email) ||
    (from.phone !== undefined && from.phone === to.phone));

function batchContract(fixture: ContractFixture): void {
  const { adapter } = fixture;
  const batch = () => {
    if (!fixture.batch) throw new Error('an adapter with sendBatch needs a batch case in its contract');
    return fixture.batch;
  };
  const max = adapter.batchMax ?? 1;
  const messages = (n: number) => Array.from({ length: n }, () => fixture.message(nextId()));
  /** Sends a batch and reads what the poll reports about its provider id. */
  async function sendAndRead(world: ContractWorld, sent: OutboundMessage[]) {
    const polling = adapter.poll;
    if (!polling || !adapter.sendBatch) throw new Error('an adapter with sendBatch reports outcomes by its poll');
    const now = new Date();
    const first = await polling.poll(world.credentials, {}, { now });
    if (!first.ok) throw new Error(JSON.stringify(first));
    const spreadsheetUrl = await batch().publish(sent);
    const result = await adapter.sendBatch(sent, world.credentials, { spreadsheetUrl, now });
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    if (!result.ok) return [];
    const read = await polling.poll(world.credentials, first.cursor, { now });
    expect(read, JSON.stringify(read)).toMatchObject({ ok: true });
    if (!read.ok) return [];
    const id = result.value.providerMessageId;
    return read.events.map((e) => e.event).filter((e) => e.ref.providerMessageId === id);
  }

  it(`sends a batch of up to ${max} in one call with one provider id; the poll reports each message's outcome`, async () => {
    const world = await fixture.setup();
    const sent = messages(Math.min(3, max));
    const events = await sendAndRead(world, sent);
    for (const message of sent) {
      const own = events.filter((e) => sameRecipient(e.ref.from, message.to));
      expect(own.length, message.to.linkedinUrl ?? message.to.email ?? message.to.phone).toBeGreaterThan(0);
      expect(own.some((e) => e.type === 'failed')).toBe(false);
    }
  });

  it('a partial failure: one message fails, one is left out, the others have their outcomes', async () => {
    const world = await fixture.setup();
    const sent = messages(Math.min(4, max));
    const [failing, missing] = sent;
    if (!failing || !missing || sent.length < 3) return;
    batch().failFor(failing);
    batch().leaveOut(missing);
    const events = await sendAndRead(world, sent);
    const of = (message: OutboundMessage) => events.filter((e) => sameRecipient(e.ref.from, message.to));
    expect(of(failing)).toMatchObject([{ type: 'failed', reason: expect.any(String) }]);
    // Left out: nothing about it (the engine fails it once the others are in: accounts/batchedSends.ts).
    expect(of(missing)).toEqual([]);
    for (const message of sent.slice(2)) expect(of(message).length).toBeGreaterThan(0);
    expect(events.some((e) => e.ref.wholeBatch)).toBe(false);
  });

  it('a batch that ends with no result at all is one failure about the whole batch', async () => {
    const world = await fixture.setup();
    batch().endEmpty();
    const events = await sendAndRead(world, messages(Math.min(2, max)));
    expect(events).toMatchObject([{ type: 'failed', reason: expect.any(String), ref: { wholeBatch: true } }]);
  });

  it(`refuses a batch of more than ${max} or of mixed purposes (rejected), and an unreachable provider is provider_down`, async () => {
    const world = await fixture.setup();
    const send = (sent: OutboundMessage[], credentials: unknown) =>
      adapter.sendBatch?.(sent, credentials, { spreadsheetUrl: 'http://127.0.0.1:1/batch.csv' });
    expect(await send(messages(max + 1), world.credentials)).toMatchObject({
      ok: false,
      failure: { kind: 'rejected' },
    });
    const [a, b] = messages(2);
    if (a && b && max > 1)
      expect(await send([a, { ...b, purpose: `${b.purpose}_other` }], world.credentials)).toMatchObject({
        ok: false,
        failure: { kind: 'rejected' },
      });
    const down = await send(messages(1), batch().unreachable(world));
    expect(down).toMatchObject({ ok: false, failure: { kind: 'provider_down', message: expect.any(String) } });
  });
}
