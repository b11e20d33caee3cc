// Gmail as the real service behaves, through the API and tick(): a Message-ID Gmail replaced is
// stored, so the follow-up threads on it and a bounce naming it finds our message; an account
// whose consent left out a Gmail scope is refused at connection, naming the scope.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeGmail } from '../fakes/gmail.ts';
import {
  emailSequence,
  emailWorld,
  gmailCredentials,
  NO_CAPS,
  PUBLIC_URL,
  startDnsServer,
  zone,
} from './emailSupport.ts';

let dns: LocalDns;
let google: FakeGmail;
beforeAll(async () => {
  dns = await startDnsServer(zone());
  google = await new FakeGmail('sam@acme.example').start();
});
afterAll(async () => {
  await dns.close();
  await google.close();
});

describe('Gmail Message-IDs', () => {
  it('keeps the Message-ID Gmail stored: the follow-up answers it', async () => {
    const w = await emailWorld(dns);
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'gmail',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      credentials: gmailCredentials(google, new Date(w.clock.now().getTime() + 86_400_000)),
      ...NO_CAPS,
    });
    const [dana] = await w.contacts([{ email: 'dana@globex.example', firstName: 'Dana', timezone: 'UTC' }]);
    await w.enroll(await w.sequence(emailSequence(2, {}, 1)), [dana as string]);
    google.rewriteMessageIds = true;
    await w.engine.tick();
    google.rewriteMessageIds = false;
    const first = google.messages.at(-1);
    expect(first?.messageIdHeader).toMatch(/@mail\.gmail\.com>$/);
    const [row] = await w.row<{ rfc: string }>(
      'SELECT rfc_message_id AS rfc FROM messages WHERE step = 0 AND contact_id = $1',
      [dana],
    );
    expect(row?.rfc).toBe(first?.messageIdHeader);
    w.clock.advance(2 * 86_400_000);
    await w.engine.tick();
    const followUp = await simpleParser(google.messages.at(-1)?.raw ?? Buffer.alloc(0));
    expect(followUp.inReplyTo).toBe(first?.messageIdHeader);
  });
});

describe('Gmail consent', () => {
  it('refuses an account granted reading but not sending, and says which scope is missing', async () => {
    const w = await emailWorld(dns, {
      providers: {
        gmail: {
          clientId: google.clientId,
          clientSecret: google.clientSecret,
          authUrl: `${google.url}/auth`,
          tokenUrl: `${google.url}/token`,
          apiBaseUrl: google.url,
        },
      },
    });
    const start = await w.ok('GET', '/v1/oauth/google/start');
    const state = new URL(start.url as string).searchParams.get('state') as string;
    const code = google.issueCode(`${PUBLIC_URL}/oauth/google/callback`, [
      'https://www.googleapis.com/auth/gmail.readonly',
    ]);
    const callback = await w.app.inject({ method: 'GET', url: `/oauth/google/callback?code=${code}&state=${state}` });
    expect(callback.statusCode).toBe(400);
    expect(callback.body).toContain('gmail.send (to send mail)');
    expect((await w.ok('GET', '/v1/senders')).data).toEqual([]);
  });
});
