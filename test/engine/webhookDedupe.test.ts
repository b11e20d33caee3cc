// Webhook deduplication is scoped to who verified the request: a workspace that signs an event id
// with its own Resend secret first cannot make another workspace's genuine event a "duplicate".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeResend, signSvix } from '../fakes/resend.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import {
  emailSequence,
  emailWorld,
  resendAccount,
  resendIdOf,
  RESEND_WEBHOOK_SECRET,
  startDnsServer,
  zone,
} from './emailSupport.ts';

const ATTACKER_SECRET = `whsec_${Buffer.from('attacker-own-secret-32-bytes!!!!').toString('base64')}`;

let dns: LocalDns;
let resend: FakeResend;
beforeAll(async () => {
  dns = await startDnsServer(zone());
  resend = await new FakeResend().start();
});
afterAll(async () => {
  await dns.close();
  await resend.close();
});

describe('webhook deduplication per verified workspace', () => {
  it("another workspace's event id, posted first with its own secret, does not swallow ours", async () => {
    const victim = await emailWorld(dns);
    const attacker = await victim.workspace('attacker');
    await resendAccount(victim, resend);
    await resendAccount(attacker, resend, 'eve@acme.example', { webhookSecret: ATTACKER_SECRET });
    const [dana] = await victim.contacts([{ email: 'dana@globex.example', firstName: 'Dana', timezone: 'UTC' }]);
    await victim.enroll(await victim.sequence(emailSequence(1)), [dana as string]);
    await victim.engine.tick();
    const [message] = await victim.messages('&status=sent');
    const emailId = resendIdOf(resend, message?.id as string);

    const post = (svixId: string, secret: string) => {
      const body = JSON.stringify({
        type: 'email.delivered',
        created_at: victim.clock.now().toISOString(),
        data: { email_id: emailId, to: ['dana@globex.example'] },
      });
      const timestamp = Math.floor(victim.clock.now().getTime() / 1000);
      return victim.app.inject({
        method: 'POST',
        url: '/webhooks/resend',
        headers: {
          'content-type': 'application/json',
          ...signSvix({ secrets: [secret], id: svixId, timestamp, body }),
        },
        payload: body,
      });
    };
    // The attacker knows (or guesses) the next event id and posts it first, signed with its own secret.
    const planted = await post('msg_genuine_1', ATTACKER_SECRET);
    expect(planted.statusCode).toBe(200);
    expect(await victim.messages()).toMatchObject([{ status: 'sent' }]);

    const genuine = await post('msg_genuine_1', RESEND_WEBHOOK_SECRET);
    expect(genuine.statusCode).toBe(200);
    expect(genuine.json()).toMatchObject({ duplicate: false });
    expect(await victim.messages()).toMatchObject([{ status: 'delivered' }]);
    // A true redelivery within the workspace is still a duplicate.
    expect((await post('msg_genuine_1', RESEND_WEBHOOK_SECRET)).json()).toMatchObject({ duplicate: true });
    expect((await post('msg_genuine_1', ATTACKER_SECRET)).json()).toMatchObject({ duplicate: true });
  });
});
