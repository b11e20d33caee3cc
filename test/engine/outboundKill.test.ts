// Exactly once through SIGKILL: a real `quotahit worker` process is killed while it delivers a
// hand-off to a signed webhook (the receiver, written from the Standard Webhooks spec, has the
// request and processed it; the answer never came), to a Slack-compatible webhook and by email
// through SMTP (both requests held on the network, never reaching the receiver). Once the killed
// worker's lease ends, the next worker delivers each of the three, and each arrives once.
import { afterAll, describe, expect, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import { seededRandom } from '../../src/core/random.ts';
import { manualClock } from '../../src/engine/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { createStepWriter } from '../../src/engine/stepWriter.ts';
import { startSmtpServer } from '../channels/support/smtpServer.ts';
import { startSlackWebhook } from '../fakes/slackWebhook.ts';
import { startWebhookReceiver } from '../fakes/webhookReceiver.ts';
import { bearer, cliEnv, newWorkspace, TEST_ENCRYPTION_KEY, testApi, testDb } from '../support/harness.ts';
import { startCli } from '../support/processes.ts';
import { startTcpGate } from '../support/tcpGate.ts';

/** The outbox's lease (outbound/outbound.ts): a killed worker's deliveries are claimed again after it. */
const LEASE_MS = 120_000;

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('outbound deliveries through a killed worker', () => {
  it('a signed webhook, a Slack post and an email arrive exactly once', { timeout: 180_000 }, async () => {
    const clock = manualClock(new Date());
    const adapters = defaultAdapters();
    const engine = createEngine({
      db: testDb(),
      clock,
      adapters,
      writer: createStepWriter(),
      encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, 'base64'),
      log: silentLogger,
      outbound: { allowHosts: ['127.0.0.1'], random: seededRandom('outbound-kill') },
    });
    const app = await testApi({}, { engine, adapters });
    const { workspaceId, apiKey } = await newWorkspace('outbound kill test');
    const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await app.inject({ method, url, headers: bearer(apiKey), ...(payload ? { payload } : {}) });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json() as Record<string, unknown>;
    };

    const receiver = await startWebhookReceiver({ now: () => clock.now() });
    const slack = await startSlackWebhook();
    const smtp = await startSmtpServer({ users: { 'alerts@acme.example': 'alerts-pw' } });
    const slackGate = await startTcpGate(Number(new URL(slack.url).port));
    const smtpGate = await startTcpGate(smtp.port);
    afterAll(async () => {
      closeSmtpTransports();
      for (const closing of [receiver, slack, smtp, slackGate, smtpGate]) await closing.close();
    });

    const hook = await api('POST', '/v1/webhooks', { url: receiver.url, events: ['contact.handed_off'] });
    receiver.state.secrets.push(hook.secret as string);
    await api('POST', '/v1/integrations', {
      kind: 'slack',
      url: `http://127.0.0.1:${slackGate.port}${new URL(slack.url).pathname}`,
      events: ['contact.handed_off'],
    });
    await api('POST', '/v1/integrations/email', {
      smtp: {
        host: '127.0.0.1',
        port: smtpGate.port,
        secure: false,
        user: 'alerts@acme.example',
        pass: 'alerts-pw',
        allowSelfSigned: true,
      },
      fromEmail: 'alerts@acme.example',
      to: 'sales@team.example',
      events: ['contact.handed_off'],
    });
    await api('POST', '/v1/contacts', {
      contacts: [{ email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme' }],
    });
    const [contact] = (await api('GET', '/v1/contacts')).data as { id: string }[];
    await api('POST', '/v1/handoffs', { contactId: contact?.id });

    // The worker takes all three; the receiver keeps the webhook unanswered, the gates hold the rest.
    receiver.state.answers.push('hang');
    const worker = await startCli(
      ['worker'],
      cliEnv({ QUOTAHIT_OUTBOUND_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'error' }),
      /worker is running/,
    );
    await until(
      'the worker mid-delivery',
      () => receiver.state.requests.length === 1 && slackGate.waiting() === 1 && smtpGate.waiting() === 1,
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    await until('the killed connections to close', () => slackGate.waiting() === 0 && smtpGate.waiting() === 0);
    const rows = async () =>
      (
        await testDb().pool.query<{ status: string; attempts: number }>(
          'SELECT status, attempts FROM outbound_deliveries WHERE workspace_id = $1',
          [workspaceId],
        )
      ).rows;
    expect(await rows()).toEqual(Array.from({ length: 3 }, () => ({ status: 'pending', attempts: 1 })));

    // The next worker, once the lease has ended, delivers each once more.
    slackGate.open();
    smtpGate.open();
    expect(await engine.outbound.deliverDue()).toBe(0);
    // The worker claimed on the wall clock; the next worker's clock is past that claim's lease.
    clock.advance(Date.now() - clock.now().getTime() + LEASE_MS + 1000);
    expect(await engine.outbound.deliverDue()).toBe(3);
    expect(await rows()).toEqual(Array.from({ length: 3 }, () => ({ status: 'succeeded', attempts: 2 })));

    // The webhook: sent twice under one webhook-id, both verified; the receiver has the event once.
    expect(receiver.state.requests).toHaveLength(2);
    expect(receiver.state.requests.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.state.requests.map((r) => r.id)).size).toBe(1);
    expect(receiver.state.accepted.map((a) => a.payload.type)).toEqual(['contact.handed_off']);
    // Slack and email: the killed attempt never reached them; the next one did, once.
    expect(slack.state.messages).toHaveLength(1);
    expect(slack.state.messages[0]?.text).toContain('Ana (Acme)');
    expect(smtp.messages.map((m) => m.to)).toEqual([['sales@team.example']]);
    expect(slackGate.state.connections).toBeGreaterThanOrEqual(2);
    expect(smtpGate.state.connections).toBeGreaterThanOrEqual(2);
    expect(await engine.outbound.deliverDue()).toBe(0);
  });
});
