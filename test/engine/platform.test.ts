// The channel platform's seams, through the API and tick(): holds are data (a resume releases what
// its account or sequence holds, whatever the timeline says, and never a step that moved on), one
// credentials object validated by the provider (older keys as the provider's own aliases), one
// webhook path for every provider, and one quota-class rule for TypeScript and SQL.
import { describe, expect, it } from 'vitest';
import { CHANNELS, KNOWN_TEMPLATES } from '../../src/core/channels.ts';
import { quotaClassFor } from '../../src/core/quota.ts';
import { startFakeHttpProvider } from '../fakes/httpProvider.ts';
import { instant, world } from '../support/world.ts';

const httpAccount = {
  channel: 'email',
  provider: 'http',
  fromEmail: 'sam@ours.example.com',
  fromName: 'Sam Rivera',
  credentials: { url: 'http://127.0.0.1:9/messages' },
  dailyLimit: 1000,
  hourlyLimit: null,
  minGapSeconds: 0,
  warmup: null,
};

describe('holds are data', () => {
  it('a resume releases the steps its account holds, even when the deferral was worded otherwise', async () => {
    const w = await world();
    const sender = await w.ok('POST', '/v1/senders', httpAccount);
    await w.ok('PATCH', `/v1/senders/${String(sender.id)}`, { status: 'paused' });
    const [ana] = await w.contacts([{ email: 'ana@acme.example.com', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, [ana as string]);
    await w.engine.tick();
    const [held] = await w.row<{ by: string; ref: string; until: Date; next: Date }>(
      'SELECT held_by AS by, held_ref AS ref, held_until AS until, next_run_at AS next FROM enrollments',
    );
    expect(held).toMatchObject({ by: 'accounts', ref: 'email' });
    expect(held?.until.getTime()).toBe(held?.next.getTime());
    // The words of the timeline are for people: rewording them changes nothing.
    await w.row(
      `UPDATE activities SET summary = 'reworded', data = data || '{"reason":"reworded"}' WHERE type = 'deferred'`,
    );
    const resumed = await w.ok('POST', `/v1/senders/${String(sender.id)}/resume`);
    expect(resumed.releasedSteps).toBe(1);
    const [released] = await w.row<{ by: string | null; next: Date }>(
      'SELECT held_by AS by, next_run_at AS next FROM enrollments WHERE id = $1',
      [enrolled[0]?.enrollmentId],
    );
    expect(released).toMatchObject({ by: null, next: w.clock.now() });
  });

  it('a hold that ended is never released: a step waiting for its day stays waiting', async () => {
    const fake = await startFakeHttpProvider();
    try {
      const w = await world();
      const sender = await w.ok('POST', '/v1/senders', { ...httpAccount, credentials: { url: fake.url } });
      const id = String(sender.id);
      await w.ok('PATCH', `/v1/senders/${id}`, { status: 'paused' });
      const [ana] = await w.contacts([{ email: 'ana@acme.example.com', timezone: 'UTC' }]);
      const sequenceId = await w.sequence(
        instant([
          { channel: 'email', template: 'intro', day: 0 },
          { channel: 'email', template: 'followup_1', day: 3 },
        ]),
      );
      await w.enroll(sequenceId, [ana as string]);
      await w.engine.tick();
      // Held by "no usable email account"; a second account arrives and the held step goes out on
      // it at its retry, without anyone resuming the first.
      await w.ok('POST', '/v1/senders', {
        ...httpAccount,
        fromEmail: 'kim@ours.example.com',
        credentials: { url: fake.url },
      });
      w.clock.advance(2 * 3600_000);
      await w.engine.tick();
      expect(fake.deliveries).toHaveLength(1);
      // Step 1 waits for day 3; the old hold is still on the row, but no longer current.
      const [waiting] = await w.row<{ next: Date; by: string | null; until: Date }>(
        'SELECT next_run_at AS next, held_by AS by, held_until AS until FROM enrollments',
      );
      expect(waiting?.by).toBe('accounts');
      expect(waiting?.next.toISOString()).toBe('2026-03-05T09:00:00.000Z');
      expect(waiting?.until.getTime()).not.toBe(waiting?.next.getTime());
      expect((await w.ok('POST', `/v1/senders/${id}/resume`)).releasedSteps).toBe(0);
      const [after] = await w.row<{ next: Date }>('SELECT next_run_at AS next FROM enrollments');
      expect(after?.next.toISOString()).toBe('2026-03-05T09:00:00.000Z');
      await w.engine.tick();
      expect(fake.deliveries).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});

describe('credentials: one object, validated by the provider', () => {
  const smtp = { host: 'smtp.acme.example', port: 587, secure: false, user: 'sam@acme.example', pass: 'smtp-secret' };
  const imap = { host: 'imap.acme.example', port: 993, secure: true, user: 'sam@acme.example', pass: 'imap-secret' };

  it('takes the whole credentials in `credentials`, the provider declaring its own parts', async () => {
    const w = await world();
    const created = await w.call('POST', '/v1/senders', {
      channel: 'email',
      provider: 'smtp',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      credentials: { ...smtp, imap },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(/secret/);
    // An IMAP part alone replaces only itself.
    const id = String(created.body.id);
    const patched = await w.call('PATCH', `/v1/senders/${id}`, { credentials: { imap: { ...imap, pass: 'imap-2' } } });
    expect(patched.status).toBe(200);
    // A relay that authenticates by IP address needs no user and password.
    const relay = await w.call('POST', '/v1/senders', {
      channel: 'email',
      provider: 'smtp',
      fromEmail: 'relay@acme.example',
      fromName: 'Sam Rivera',
      credentials: { host: 'relay.acme.example', port: 25, secure: false },
    });
    expect(relay.status).toBe(201);
  });

  it('refuses a request key another provider declares, and half a login', async () => {
    const w = await world();
    const foreign = await w.call('POST', '/v1/senders', {
      channel: 'email',
      provider: 'smtp',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      credentials: smtp,
      resend: { apiKey: 're_x' },
    });
    expect(foreign.status).toBe(400);
    expect((foreign.body.error as { message: string }).message).toBe('body.resend: smtp accounts take no "resend"');
    const half = await w.call('POST', '/v1/senders', {
      channel: 'email',
      provider: 'smtp',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      credentials: { host: 'smtp.acme.example', port: 587, secure: false, user: 'sam@acme.example' },
    });
    expect(half.status).toBe(400);
    expect((half.body.error as { message: string }).message).toMatch(
      /credentials for smtp: pass: give both user and pass/,
    );
    expect((await w.ok('GET', '/v1/senders')).data).toEqual([]);
  });

  it('shows where a provider that sends webhooks should send them', async () => {
    const w = await world({ publicUrl: 'https://quotahit.acme.example' });
    const resend = await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'resend',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      credentials: { apiKey: 're_key' },
    });
    expect(resend.webhookUrl).toBe('https://quotahit.acme.example/webhooks/resend');
    const http = await w.ok('POST', '/v1/senders', httpAccount);
    expect(http.webhookUrl).toBeNull();
  });
});

describe('one webhook path for every provider', () => {
  it('answers 404 for a provider that does not exist or receives no webhooks, 405 for a GET without handshake', async () => {
    const w = await world();
    const post = (url: string) =>
      w.app.inject({ method: 'POST', url, payload: '{}', headers: { 'content-type': 'application/json' } });
    const unknown = await post('/webhooks/carrier-pigeon');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await post('/webhooks/sandbox')).statusCode).toBe(404);
    const get = await w.app.inject({ method: 'GET', url: '/webhooks/resend?hub.challenge=1' });
    expect(get.statusCode).toBe(405);
    // Stored provider requests are the system's (no workspace can read them): nothing was stored.
    const stored = await w.db.system((sql) => sql.query('SELECT 1 FROM inbound_events'));
    expect(stored.rows).toEqual([]);
  });
});

describe('one quota-class rule', () => {
  it('the counters SQL (qh_quota_class) and core/quota.ts agree on every channel and purpose', async () => {
    const w = await world();
    for (const channel of CHANNELS)
      for (const template of [...KNOWN_TEMPLATES, 'free_form_purpose']) {
        const [row] = await w.row<{ c: string }>('SELECT qh_quota_class($1, $2) AS c', [channel, template]);
        expect(row?.c, `${channel} ${template}`).toBe(quotaClassFor(channel, template));
      }
  });
});
