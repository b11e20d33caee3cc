// Batched LinkedIn launches (LINKEDIN_BATCH_LAUNCHES) end to end against the Phantombuster fake:
// a launch that ends with no result row at all (an exit code, no result object, an empty one, a
// spreadsheet the phantom could not fetch) fails every message it carried, a dead session cookie
// pauses the account and holds the batch's steps, Message Sender batches go to accepted connections
// in one launch with one outcome per message, and launches are spaced by the account's gap plus a
// seeded random share of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextLaunchAt } from '../../src/core/launchSpacing.ts';
import { FakePhantombuster } from '../fakes/phantombuster.ts';
import { COOKIE, DAY, batchWorld, linkedinWorld, profile, run } from '../support/linkedinSupport.ts';
import { instant, type World } from '../support/world.ts';

let pb: FakePhantombuster;
beforeAll(async () => {
  pb = await new FakePhantombuster().start();
});
afterAll(() => pb.close());

const slugs = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Contacts with these LinkedIn slugs, enrolled in a one-step sequence of `template`. */
async function enrolled(w: World, names: string[], template = 'connection_request') {
  const ids = await w.contacts(
    names.map((slug) => ({ linkedinUrl: `linkedin.com/in/${slug}`, firstName: slug.toUpperCase(), timezone: 'UTC' })),
  );
  const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template }]));
  await w.enroll(sequenceId, ids);
  return ids;
}

describe('batched LinkedIn launches', () => {
  for (const ending of [
    { name: 'exit code 1 and no result object', set: { exitCode: 1, rows: null }, reason: /exit code 1/ },
    { name: 'an empty result array', set: { exitCode: 0, rows: [] as [] }, reason: /finished without any result/ },
  ])
    it(`a launch that ends with ${ending.name} fails every message it carried`, async () => {
      const { w } = await batchWorld(pb);
      pb.finishAfterMs = 0;
      pb.endings.push(ending.set);
      await enrolled(w, slugs('e', 3));
      await run(w, 20 * 60_000);
      expect(pb.launches('connect').map((c) => c.argument.numberOfAddsPerLaunch)).toEqual([3]);
      const messages = await w.messages('&channel=linkedin');
      expect(messages).toHaveLength(3);
      for (const m of messages) {
        expect(m.status).toBe('failed');
        expect(String(m.error)).toMatch(ending.reason);
      }
      // Settled once: later polls find nothing more to do, and nothing is launched again.
      await run(w, 20 * 60_000);
      expect(pb.launches('connect')).toHaveLength(1);
    });

  it('a single launch (no batches) that ends with no result row fails its message too', async () => {
    const { w } = await linkedinWorld(pb);
    pb.finishAfterMs = 0;
    pb.endings.push({ exitCode: 1, rows: null });
    await enrolled(w, ['solo']);
    await run(w, 20 * 60_000);
    expect(pb.launches('connect').map((c) => c.argument.profileUrl)).toEqual([profile('solo')]);
    expect(await w.messages('&channel=linkedin')).toMatchObject([
      { status: 'failed', error: expect.stringMatching(/exit code 1/) },
    ]);
  });

  it('a launch whose spreadsheet the phantom could not fetch fails its messages (exit code 1, no rows)', async () => {
    // PUBLIC_URL names a port nothing listens on: the phantom cannot read the batch.
    const { w } = await linkedinWorld(
      pb,
      {},
      { publicUrl: 'http://127.0.0.1:1', env: { LINKEDIN_BATCH_LAUNCHES: 'true' } },
    );
    pb.finishAfterMs = 0;
    await enrolled(w, slugs('f', 2));
    await run(w, 20 * 60_000);
    expect(pb.fetched.map((f) => f.status)).toEqual([0]);
    const messages = await w.messages('&channel=linkedin');
    expect(messages.map((m) => m.status)).toEqual(['failed', 'failed']);
    expect(String(messages[0]?.error)).toMatch(/exit code 1.*without any result row/);
  });

  it('a dead session cookie in a batched launch pauses the account and holds every step of the batch', async () => {
    const { w, senderId } = await batchWorld(pb);
    pb.finishAfterMs = 0;
    pb.deadCookies.set(COOKIE, 84);
    const ids = await enrolled(w, slugs('c', 3));
    await run(w, 20 * 60_000);
    expect(pb.launches('connect')).toHaveLength(1);
    const account = (await w.ok('GET', '/v1/senders')).data?.find((s) => (s as { id: string }).id === senderId);
    expect(account).toMatchObject({ status: 'paused', statusReason: expect.stringMatching(/reconnect LinkedIn/) });
    const messages = await w.messages('&channel=linkedin');
    expect(messages.map((m) => m.status)).toEqual(['deferred', 'deferred', 'deferred']);
    for (const id of ids)
      expect((await w.timeline(id)).some((t) => /waits for the account/.test(t.summary))).toBe(true);
  });

  it('Message Sender: messages to accepted connections go in one launch; rows settle each, a missing row fails its message', async () => {
    const { w } = await batchWorld(pb);
    pb.finishAfterMs = 60_000;
    const names = slugs('m', 4);
    const ids = await w.contacts(
      names.map((slug) => ({ linkedinUrl: `linkedin.com/in/${slug}`, firstName: slug.toUpperCase(), timezone: 'UTC' })),
    );
    // Already connected: the requests' rows say so, and the messages a day later go to all four.
    for (const slug of names) pb.network.add(profile(slug));
    const sequenceId = await w.sequence(
      instant([
        { channel: 'linkedin', template: 'connection_request' },
        { channel: 'linkedin', template: 'linkedin_dm', day: 1 },
      ]),
    );
    await w.enroll(sequenceId, ids);
    await run(w, 30 * 60_000);
    expect(pb.launches('connect').map((c) => c.argument.numberOfAddsPerLaunch)).toEqual([4]);
    for (const id of ids)
      expect((await w.ok('GET', `/v1/contacts/${id}`)).linkedinConnection).toMatchObject({ state: 'accepted' });
    pb.unreachable.add(profile('m1'));
    pb.skipRows.add(profile('m3'));
    await run(w, DAY + 60 * 60_000, 30 * 60_000);
    expect(pb.launches('connect')).toHaveLength(1);
    const launches = pb.launches('message');
    expect(launches).toHaveLength(1);
    expect(launches[0]?.argument).toMatchObject({
      profilesPerLaunch: 4,
      message: '#message#',
      columnName: 'profileUrl',
    });
    expect(launches[0]?.argument).not.toHaveProperty('profileUrl');
    const messages = await w.messages('&channel=linkedin');
    const byContact = (i: number) => messages.find((m) => m.contactId === ids[i] && m.step === 1);
    // Each profile got its own message, read from the spreadsheet.
    for (const row of launches[0]?.rows ?? []) {
      const i = names.indexOf(row.profileUrl.split('/').pop() ?? '');
      if (!row.error) expect(row.message).toBe(byContact(i)?.body);
    }
    expect(byContact(0)).toMatchObject({ status: 'delivered', purpose: 'linkedin_dm' });
    expect(byContact(2)).toMatchObject({ status: 'delivered' });
    expect(byContact(1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Couldn't open profile/) });
    expect(byContact(3)).toMatchObject({ status: 'failed', error: expect.stringMatching(/without a result row/) });
  });

  it('launches are spaced by the gap plus a seeded random share of it, on the injected clock', async () => {
    const gap = 600;
    const { w, senderId } = await batchWorld(pb, { minGapSeconds: gap, dailyLimit: 30 });
    pb.finishAfterMs = 0;
    await enrolled(w, slugs('s', 25));
    await run(w, 90 * 60_000, 60_000);
    const launches = pb.launches('connect');
    expect(launches.map((c) => c.argument.numberOfAddsPerLaunch)).toEqual([10, 10, 5]);
    for (const [i, c] of launches.entries()) {
      const previous = launches[i - 1];
      if (!previous) continue;
      const allowed = nextLaunchAt({ senderId, lastLaunchAt: new Date(previous.createdAt), minGapSeconds: gap });
      const spacing = allowed.getTime() - previous.createdAt;
      expect(spacing).toBeGreaterThanOrEqual(gap * 1000);
      expect(spacing).toBeLessThanOrEqual(2 * gap * 1000);
      // The first poll at or after the allowed instant (the poll runs every minute here).
      expect(c.createdAt).toBeGreaterThanOrEqual(allowed.getTime());
      expect(c.createdAt).toBeLessThan(allowed.getTime() + 60_000);
    }
    // Seeded, not even: the same history gives the same spacing; other launches other spacings.
    const at = (ms: number) => nextLaunchAt({ senderId, lastLaunchAt: new Date(ms), minGapSeconds: gap });
    expect(at(1_000_000).getTime()).toBe(at(1_000_000).getTime());
    const spacings = new Set(Array.from({ length: 20 }, (_, i) => at(i * 3_600_000).getTime() - i * 3_600_000));
    expect(spacings.size).toBeGreaterThan(10);
    for (const s of spacings) expect(s).toBeGreaterThanOrEqual(gap * 1000);
  });
});
