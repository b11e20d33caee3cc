// The HTTP channel against its local endpoint: idempotency keys, and each answer mapped to a failure.
import { afterAll, beforeAll } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { adapterContract } from './adapterContract.ts';
import { emailMessage } from './messages.ts';

let fake: FakeHttpProvider;
beforeAll(async () => {
  fake = await startFakeHttpProvider();
});
afterAll(() => fake.close());

adapterContract({
  provider: 'http',
  adapter: defaultAdapters().http,
  setup: async () => ({ credentials: { url: fake.url }, accepted: () => fake.deliveries.length }),
  message: emailMessage,
  failures: [
    { kind: 'rate_limited', arrange: () => fake.failNext(429, 1, { 'retry-after': '7' }) },
    { kind: 'provider_down', arrange: () => fake.failNext(503) },
    { kind: 'auth_expired', arrange: () => fake.failNext(401) },
    { kind: 'rejected', arrange: () => fake.failNext(422) },
    { kind: 'provider_down', arrange: () => ({ url: 'http://127.0.0.1:1/messages' }) },
  ],
  lookup: { sent: 'found', unknown: 'not_found' },
});
