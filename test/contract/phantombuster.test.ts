// Phantombuster against its local fake (API v2 and the LinkedIn phantoms): a launch per message,
// each failure kind (the agent still running, a bad key, a missing agent, Phantombuster down, no
// profile, a note too long, a #tag# in our text), no lookup (launches carry no key of ours), the
// poll reading finished containers once each, and batched launches reading a spreadsheet this
// test serves (one row per profile, a profile failed or left out, a launch with no result at all).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { OutboundMessage } from '../../src/channels/types.ts';
import { batchCsv } from '../../src/core/batchSheet.ts';
import { FakePhantombuster } from '../fakes/phantombuster.ts';
import { adapterContract } from './adapterContract.ts';

let pb: FakePhantombuster;
/** The spreadsheets of batches, as QuotaHit's batch route would serve them. */
const sheets = new Map<string, string>();
const sheetServer = createServer((req, res) => {
  const csv = sheets.get(req.url ?? '');
  res.writeHead(csv === undefined ? 404 : 200, { 'content-type': 'text/csv' });
  res.end(csv ?? '');
});
let sheetBase = '';
beforeAll(async () => {
  pb = await new FakePhantombuster().start();
  await new Promise<void>((resolve) => sheetServer.listen(0, '127.0.0.1', resolve));
  sheetBase = `http://127.0.0.1:${(sheetServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await pb.close();
  await new Promise<void>((resolve) => sheetServer.close(() => resolve()));
});

const credentials = () => ({
  apiKey: pb.apiKey,
  sessionCookie: 'AQEDAR-contract-li-at-cookie',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/120.0',
  connectAgentId: '1001',
  messageAgentId: '1002',
  baseUrl: pb.url,
});

let profiles = 0;
function note(id: string): OutboundMessage {
  return {
    id,
    channel: 'linkedin',
    purpose: 'connection_request',
    to: { linkedinUrl: `https://www.linkedin.com/in/dana-${++profiles}`, name: 'Dana' },
    from: { name: 'Sam' },
    text: 'Hi Dana, we both work on outbound at B2B SaaS companies; glad to connect.',
  };
}

adapterContract({
  provider: 'phantombuster',
  adapter: defaultAdapters().phantombuster,
  setup: async () => {
    pb.reset();
    pb.finishAfterMs = 0;
    return { credentials: credentials(), accepted: () => pb.containers.length };
  },
  message: note,
  failures: [
    { kind: 'rate_limited', arrange: () => void pb.failNext.push(429) },
    {
      kind: 'rate_limited',
      // One launch per agent at a time: the agent is still running the previous one.
      arrange: () => {
        pb.containers.push({
          id: 'running-1',
          agentId: '1001',
          argument: {},
          createdAt: pb.now(),
          finishAt: Number.POSITIVE_INFINITY,
          exitCode: 0,
          rows: [],
        });
      },
    },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), apiKey: 'pb_revoked' }) },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), connectAgentId: '9999' }) },
    { kind: 'provider_down', arrange: () => void pb.failNext.push(500) },
    { kind: 'provider_down', arrange: () => ({ ...credentials(), baseUrl: 'http://127.0.0.1:1/api/v2' }) },
    { kind: 'invalid_recipient', arrange: () => undefined, message: (base) => ({ ...base, to: { name: 'Dana' } }) },
    { kind: 'rejected', arrange: () => undefined, message: (base) => ({ ...base, text: 'x'.repeat(301) }) },
    { kind: 'rejected', arrange: () => undefined, message: (base) => ({ ...base, text: 'Hi #firstName#, hello' }) },
  ],
  lookup: { sent: 'unsupported', unknown: 'unsupported' },
  batch: {
    publish: (messages) => {
      const path = `/batches/${sheets.size + 1}.csv`;
      sheets.set(path, batchCsv(messages.map((m) => ({ profileUrl: m.to.linkedinUrl ?? '', message: m.text }))));
      return `${sheetBase}${path}`;
    },
    failFor: (message) => void pb.unreachable.add(message.to.linkedinUrl ?? ''),
    leaveOut: (message) => void pb.skipRows.add(message.to.linkedinUrl ?? ''),
    endEmpty: () => void pb.endings.push({ exitCode: 1, rows: null }),
    unreachable: () => ({ ...credentials(), baseUrl: 'http://127.0.0.1:1/api/v2' }),
  },
  poll: {
    count: 4,
    seed: async (world, count) => {
      const adapter = defaultAdapters().phantombuster;
      for (let n = 0; n < count; n++) {
        const sent = await adapter.send(note(`seed-${n}-${Date.now()}`), world.credentials, {});
        if (!sent.ok) throw new Error(JSON.stringify(sent));
      }
    },
  },
});
