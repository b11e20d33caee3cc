// The Phantombuster adapter's reading of what comes back, against the fake in each documented
// variant: launch answers ({containerId} and JSend), container lists (object and bare array),
// result objects (JSON string and JSON), every result row the phantoms write, the session cookie
// failures (exit codes 83/84/87 and the text), the daily Connections Export, and the launch
// arguments (profile and text of that launch, never a saved spreadsheet).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { OutboundMessage } from '../../src/channels/types.ts';
import { containerOutcome } from '../../src/channels/phantombuster/results.ts';
import { FakePhantombuster } from '../fakes/phantombuster.ts';

const adapter = defaultAdapters().phantombuster;
const NOW = new Date('2026-03-02T09:00:00Z');
let pb: FakePhantombuster;
beforeAll(async () => {
  pb = await new FakePhantombuster().start();
});
afterAll(() => pb.close());
beforeEach(() => {
  pb.containers.length = 0;
  pb.network.clear();
  pb.invited.clear();
  pb.unreachable.clear();
  pb.replies.clear();
  pb.deadCookies.clear();
  pb.finishAfterMs = 0;
  pb.launchShape = 'containerId';
  pb.listShape = 'object';
  pb.resultShape = 'string';
  pb.cookieFailure = 'exit_code';
});

const COOKIE = 'AQEDAR-test-li-at-cookie';
const credentials = (extra: Record<string, unknown> = {}) => ({
  apiKey: pb.apiKey,
  sessionCookie: COOKIE,
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0',
  connectAgentId: '1001',
  messageAgentId: '1002',
  baseUrl: pb.url,
  ...extra,
});
const profile = (slug: string) => `https://www.linkedin.com/in/${slug}`;
const message = (
  slug: string,
  purpose = 'connection_request',
  text = 'Hi Dana, glad to connect.',
): OutboundMessage => ({
  id: `m-${slug}-${purpose}`,
  channel: 'linkedin',
  purpose,
  to: { linkedinUrl: `linkedin.com/in/${slug}/` },
  from: {},
  text,
});

async function sendAndPoll(msgs: OutboundMessage[], cursor: Record<string, unknown> = {}, creds = credentials()) {
  for (const m of msgs) expect((await adapter.send(m, creds, {})).ok).toBe(true);
  const poll = adapter.poll;
  if (!poll) throw new Error('no poll');
  return poll.poll(creds, cursor, { now: NOW });
}

describe('phantombuster: launches', () => {
  it('launches Auto Connect with the profile and the note of that launch, Message Sender with the message', async () => {
    await sendAndPoll([message('dana'), message('lee', 'linkedin_dm', 'Thanks for connecting, Lee.')]);
    expect(pb.launches('connect')[0]?.argument).toEqual({
      sessionCookie: COOKIE,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0',
      profileUrl: profile('dana'),
      numberOfAddsPerLaunch: 1,
      message: 'Hi Dana, glad to connect.',
    });
    expect(pb.launches('message')[0]?.argument).toMatchObject({
      spreadsheetUrl: profile('lee'),
      profilesPerLaunch: 1,
      message: 'Thanks for connecting, Lee.',
    });
  });

  it('a request without a note goes without the message field', async () => {
    await sendAndPoll([message('dana', 'connection_request', '')]);
    expect(pb.launches('connect')[0]?.argument).not.toHaveProperty('message');
  });

  it('reads the JSend launch answer too', async () => {
    pb.launchShape = 'jsend';
    const sent = await adapter.send(message('dana'), credentials(), {});
    expect(sent).toMatchObject({ ok: true, value: { providerMessageId: pb.containers[0]?.id } });
  });

  it('rejects stored credentials that are not a li_at value or lack an agent', () => {
    expect(adapter.checkCredentials({ ...credentials(), sessionCookie: 'li_at=abc; path=/' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('sessionCookie'),
    });
    const { connectAgentId: _gone, ...rest } = credentials();
    expect(adapter.checkCredentials(rest)).toMatchObject({
      ok: false,
      message: expect.stringContaining('connectAgentId'),
    });
  });
});

describe('phantombuster: results come back through the poll', () => {
  for (const variant of [
    { listShape: 'object', resultShape: 'string' },
    { listShape: 'array', resultShape: 'json' },
  ] as const)
    it(`maps each result row (${variant.listShape} list, ${variant.resultShape} result)`, async () => {
      Object.assign(pb, variant);
      pb.network.add(profile('known'));
      pb.invited.add(profile('pending'));
      pb.unreachable.add(profile('gone'));
      const result = await sendAndPoll([
        message('fresh'),
        message('known'),
        message('pending'),
        message('gone'),
        message('long', 'connection_request', 'x'.repeat(300)),
      ]);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const byProfile = (slug: string) =>
        result.events.filter((e) => e.event.ref.from?.linkedinUrl === profile(slug)).map((e) => e.event);
      expect(byProfile('fresh')).toMatchObject([{ type: 'delivered' }, { type: 'connection', state: 'pending' }]);
      expect(byProfile('known')).toMatchObject([{ type: 'connection', state: 'accepted' }]);
      expect(byProfile('pending')).toMatchObject([{ type: 'connection', state: 'pending' }]);
      expect(byProfile('gone')).toMatchObject([
        { type: 'failed', reason: "Couldn't open profile", code: 'profile_error' },
      ]);
      const fresh = byProfile('fresh')[0];
      expect(fresh?.ref.providerMessageId).toBe(pb.launches('connect')[0]?.id);
    });

  it('"Message too long" is a refusal of our text', () => {
    const outcome = containerOutcome('connect', { id: 'c1', exitCode: 0 }, [
      { profileUrl: profile('a'), error: 'Message too long', timestamp: NOW.toISOString() },
    ]);
    expect(outcome).toMatchObject({ kind: 'events', events: [{ event: { type: 'failed', code: 'rejected' } }] });
  });

  it('a launch that ended with no result row is one failure about every message it carried (wholeBatch)', () => {
    const whole = { type: 'failed', code: 'no_result', ref: { providerMessageId: 'c2', wholeBatch: true } };
    for (const phantom of ['connect', 'message'] as const) {
      expect(containerOutcome(phantom, { id: 'c2', exitCode: 1, endType: 'error' }, null)).toMatchObject({
        kind: 'events',
        events: [{ key: 'c2:ended', event: { ...whole, reason: expect.stringMatching(/exit code 1 \(error\)/) } }],
      });
      expect(containerOutcome(phantom, { id: 'c2', exitCode: 0 }, [])).toMatchObject({
        events: [{ event: { ...whole, reason: expect.stringMatching(/finished without any result row/) } }],
      });
      // Rows about nothing we can read (no profile URL) are no result either.
      expect(containerOutcome(phantom, { id: 'c2', exitCode: 0 }, [{ error: 'oops' }])).toMatchObject({
        events: [{ event: whole }],
      });
    }
    // Nobody in the network is not a failure of anything we sent.
    expect(containerOutcome('network', { id: 'c3', exitCode: 0 }, [])).toEqual({ kind: 'events', events: [] });
    // A dead cookie is the account's, not the messages': no failure, the steps are held.
    expect(containerOutcome('connect', { id: 'c4', exitCode: 84 }, null)).toMatchObject({ kind: 'session_expired' });
  });

  it('a message that went out proves the connection; a reply it found stops the enrollment like any reply', async () => {
    pb.network.add(profile('lee'));
    pb.replies.set(profile('lee'), 'Sure, send me the deck.');
    const result = await sendAndPoll([
      message('lee', 'linkedin_dm', 'Thanks for connecting.'),
      message('stranger', 'linkedin_dm', 'Hi'),
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.events.map((e) => e.event)).toMatchObject([
      { type: 'delivered' },
      { type: 'connection', state: 'accepted' },
      { type: 'replied', text: 'Sure, send me the deck.' },
      { type: 'failed', reason: 'Not a 1st degree connection' },
    ]);
  });

  it('reads a running container only once it finished, and each finished one once', async () => {
    pb.finishAfterMs = 60_000;
    const first = await sendAndPoll([message('slow')]);
    expect(first).toMatchObject({ ok: true, events: [] });
    if (!first.ok) return;
    pb.finishAll();
    const second = await adapter.poll?.poll(credentials(), first.cursor, { now: NOW });
    expect(second).toMatchObject({
      ok: true,
      events: [{ event: { type: 'delivered' } }, { event: { type: 'connection' } }],
    });
    if (!second?.ok) return;
    expect(await adapter.poll?.poll(credentials(), second.cursor, { now: NOW })).toMatchObject({
      ok: true,
      events: [],
    });
  });

  for (const [style, code] of [
    ['exit_code', 83],
    ['exit_code', 84],
    ['exit_code', 87],
    ['text', 84],
  ] as const)
    it(`a dead session cookie (${style} ${code}) fails the poll as auth_expired, names the unsent launches, and moves on`, async () => {
      pb.cookieFailure = style;
      pb.deadCookies.set(COOKIE, code);
      const result = await sendAndPoll([message('dana')]);
      expect(result).toMatchObject({
        ok: false,
        failure: { kind: 'auth_expired', message: expect.stringContaining('reconnect LinkedIn') },
        unsent: [pb.containers[0]?.id],
        pauseAccount: true,
      });
      if (result.ok || !result.cursor) return;
      pb.deadCookies.clear();
      expect(await adapter.poll?.poll(credentials(), result.cursor, { now: NOW })).toMatchObject({
        ok: true,
        events: [],
      });
    });

  it('an API key Phantombuster refuses fails the poll as auth_expired without pausing (the account is disconnected)', async () => {
    pb.failNext.push(401);
    const result = await adapter.poll?.poll(credentials(), {}, { now: NOW });
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'auth_expired', message: expect.stringMatching(/API key/) },
    });
    expect(result && !result.ok && result.pauseAccount).toBeFalsy();
  });

  it('launches the Connections Export once a day and reports its rows as accepted connections', async () => {
    pb.network.add(profile('dana'));
    const creds = credentials({ networkAgentId: '1003' });
    const poll = adapter.poll;
    if (!poll) throw new Error('no poll');
    const first = await poll.poll(creds, {}, { now: NOW });
    expect(pb.launches('network')).toHaveLength(1);
    if (!first.ok) throw new Error(JSON.stringify(first));
    const second = await poll.poll(creds, first.cursor, { now: new Date(NOW.getTime() + 3600_000) });
    expect(pb.launches('network')).toHaveLength(1);
    expect(second).toMatchObject({
      ok: true,
      events: [{ key: `network:${profile('dana')}`, event: { type: 'connection', state: 'accepted' } }],
    });
    if (!second.ok) return;
    await poll.poll(creds, second.cursor, { now: new Date(NOW.getTime() + 25 * 3600_000) });
    expect(pb.launches('network')).toHaveLength(2);
  });

  it('checks the connection: every agent reachable, or which one is not', async () => {
    expect(await adapter.checkConnection?.(credentials(), {})).toMatchObject([{ verdict: 'ok' }, { verdict: 'ok' }]);
    expect(await adapter.checkConnection?.(credentials({ messageAgentId: '4040' }), {})).toMatchObject([
      { verdict: 'ok' },
      { name: 'message_agent', verdict: 'failed' },
    ]);
  });
});
