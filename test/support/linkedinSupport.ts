// LinkedIn worlds against the local Phantombuster fake: an account on the fake, the engine and the
// poll run on the engine's clock, and (for batched launches) an API listening on PUBLIC_URL so the
// fake can fetch the batches' spreadsheets.
import { createServer } from 'node:net';
import type { FakePhantombuster } from '../fakes/phantombuster.ts';
import { instant, world, type World, type WorldOptions } from './world.ts';

export const DAY = 86_400_000;
export const COOKIE = 'AQEDAR-e2e-li-at-cookie';

export const profile = (slug: string) => `https://www.linkedin.com/in/${slug}`;

export const linkedinCredentials = (pb: FakePhantombuster) => ({
  apiKey: pb.apiKey,
  sessionCookie: COOKIE,
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/120.0',
  connectAgentId: '1001',
  messageAgentId: '1002',
  networkAgentId: '1003',
  baseUrl: pb.url,
});

/** A world with a LinkedIn account on a fake reset for it (its clock is the engine's). */
export async function linkedinWorld(
  pb: FakePhantombuster,
  extra: Record<string, unknown> = {},
  options: WorldOptions = {},
) {
  const w = await world(options);
  pb.reset();
  pb.now = () => w.clock.now().getTime();
  pb.finishAfterMs = 60_000;
  const sender = await w.ok('POST', '/v1/senders', {
    channel: 'linkedin',
    provider: 'phantombuster',
    name: 'Sam on LinkedIn',
    linkedinFree: false,
    minGapSeconds: 0,
    credentials: linkedinCredentials(pb),
    ...extra,
  });
  return { w, senderId: String(sender.id) };
}

/** Runs the engine and the poll every few minutes for `ms` of the engine's clock. */
export async function run(w: World, ms: number, stepMs = 5 * 60_000) {
  for (let t = 0; t < ms; t += stepMs) {
    await w.engine.tick();
    await w.engine.pollMailboxes();
    await w.engine.tick();
    w.clock.advance(stepMs);
  }
}

/** A free loopback port, so PUBLIC_URL is known before the world's API listens on it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A world whose API listens on PUBLIC_URL, with LINKEDIN_BATCH_LAUNCHES on: the fake fetches batches from it. */
export async function batchWorld(pb: FakePhantombuster, extra: Record<string, unknown> = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const made = await linkedinWorld(pb, extra, { publicUrl, env: { LINKEDIN_BATCH_LAUNCHES: 'true' } });
  await made.w.app.listen({ port, host: '127.0.0.1' });
  return { ...made, publicUrl };
}

/**
 * One contact (Ana) enrolled in a connection request then a message that waits up to 30 days for
 * the acceptance; the request goes out at once. Returns when it was launched.
 */
export async function pendingRequest(pb: FakePhantombuster, w: World) {
  pb.finishAfterMs = 0;
  const [ana] = await w.contacts([
    { email: 'ana@acme.example.com', linkedinUrl: 'linkedin.com/in/ana', firstName: 'Ana', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(
    instant([
      { channel: 'linkedin', template: 'connection_request' },
      { channel: 'linkedin', template: 'linkedin_dm', day: 1, acceptanceTimeoutDays: 30 },
    ]),
  );
  await w.enroll(sequenceId, [ana as string]);
  await run(w, 30 * 60_000);
  return { ana: ana as string, sentAt: pb.launches('connect')[0]?.createdAt ?? 0 };
}
