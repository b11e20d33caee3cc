// Gmail against its local fake of the Gmail REST API and Google's token endpoint: sends, quota and
// authorization failures, lookup by our Message-ID after a crash, and history polling page by page.
import { afterAll, beforeAll } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { FakeGmail } from '../fakes/gmail.ts';
import { adapterContract, type ContractWorld } from './adapterContract.ts';
import { emailMessage } from './messages.ts';

let google: FakeGmail;
beforeAll(async () => {
  google = await new FakeGmail('sam@acme.example').start();
});
afterAll(() => google.close());

const sent = () => google.messages.filter((m) => m.labelIds.includes('SENT')).length;

function credentials(): Record<string, unknown> {
  return {
    ...google.connect(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    apiBaseUrl: google.url,
    tokenUrl: `${google.url}/token`,
    emailAddress: 'sam@acme.example',
    scopes: ['https://www.googleapis.com/auth/gmail.send', 'https://www.googleapis.com/auth/gmail.readonly'],
  };
}

const reply = (n: number) =>
  Buffer.from(
    `From: Dana <dana@globex.example>\r\nTo: sam@acme.example\r\nSubject: Re: Hello Dana\r\n` +
      `Message-ID: <reply-${n}-${Date.now()}@globex.example>\r\nIn-Reply-To: <x@acme.example>\r\n\r\nSounds good (${n}).\r\n`,
  );

adapterContract({
  provider: 'gmail',
  adapter: defaultAdapters().gmail,
  setup: async (): Promise<ContractWorld> => {
    google.sendFailures.length = 0;
    return { credentials: credentials(), accepted: sent };
  },
  message: emailMessage,
  failures: [
    { kind: 'rate_limited', arrange: () => void google.sendFailures.push('429') },
    { kind: 'rate_limited', arrange: () => void google.sendFailures.push('userRateLimitExceeded') },
    { kind: 'provider_down', arrange: () => void google.sendFailures.push('500') },
    {
      kind: 'auth_expired',
      arrange: (world) => {
        const revoked: Record<string, unknown> = {
          ...(world.credentials as Record<string, unknown>),
          expiresAt: new Date(0).toISOString(),
        };
        google.revoke(String(revoked.refreshToken));
        return revoked;
      },
    },
    {
      kind: 'invalid_recipient',
      arrange: () => undefined,
      message: (base) => ({ ...base, to: { email: 'not an address' } }),
    },
  ],
  // Finding our Message-ID proves the send; not finding it proves nothing (see the adapter).
  lookup: { sent: 'found', unknown: 'unsupported' },
  poll: {
    // The fake answers history two records a page, as Gmail pages at maxResults.
    count: 5,
    seed: async (_world, count) => {
      for (let n = 0; n < count; n++) google.deliver(reply(n));
    },
  },
});
