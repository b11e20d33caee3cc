// Twilio on the local fake for engine and API tests: one fake per test file, our webhook URL on a
// known public URL, an account registered through the API with caps out of the way, and the fake's
// signed webhooks posted to our app.
import { afterAll, beforeAll } from 'vitest';
import { FakeTwilio, type FakeTwilioWebhook } from '../fakes/twilio.ts';
import { NO_CAPS, type World } from '../support/world.ts';

export const PUBLIC_URL = 'https://quotahit.example';
export const HOOK = `${PUBLIC_URL}/webhooks/twilio`;
/** A US long code: 1 SMS segment a second. */
export const NUMBER = '+15005550006';
export const DAY = 86_400_000;

/** The file's fake Twilio: started before its tests, closed after them. */
export function fakeTwilio(): FakeTwilio {
  const twilio = new FakeTwilio();
  beforeAll(async () => {
    await twilio.start();
  });
  afterAll(() => twilio.close());
  return twilio;
}

/** POST /v1/senders: a Twilio account on the fake (`credentials` as the account and any extras), caps out of the way. */
export function twilioSender(
  w: Pick<World, 'ok'>,
  twilio: FakeTwilio,
  input: { credentials: Record<string, unknown>; fromPhone?: string; channel?: 'sms' | 'call' },
) {
  return w.ok('POST', '/v1/senders', {
    channel: input.channel ?? 'sms',
    provider: 'twilio',
    ...(input.fromPhone ? { fromPhone: input.fromPhone } : {}),
    credentials: { ...input.credentials, baseUrl: twilio.url },
    ...NO_CAPS,
  });
}

/** Posts one of the fake's signed webhooks to our app. */
export const deliver = (w: Pick<World, 'app'>, hook: FakeTwilioWebhook) =>
  w.app.inject({ method: 'POST', url: new URL(hook.url).pathname, headers: hook.headers, payload: hook.body });

/** Ticks, then once a second for a while: a number takes 1 SMS segment a second (pacing), so texts due together go one by one. */
export const tickPaced = async (w: Pick<World, 'engine' | 'clock'>, seconds = 6) => {
  await w.engine.tick();
  for (let i = 0; i < seconds; i++) {
    w.clock.advance(1000);
    await w.engine.tick();
  }
};

/** The enrollment a contact is in: its status and why it stopped. */
export const enrollmentOf = async (w: Pick<World, 'row'>, contactId: string) =>
  (
    await w.row<{ status: string; stopReason: string | null }>(
      'SELECT status, stop_reason AS "stopReason" FROM enrollments WHERE contact_id = $1',
      [contactId],
    )
  )[0];
