// R-secrets (issue 16): a sealed secret is bound to its row, workspace and purpose; IVs never
// repeat; the format before associated data and secrets of a previous key still open, and the
// background rotation re-seals every one with the current key while sending goes on (0 failed
// sends); no secret a test set is found in plaintext in any table, log line or API response.
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { rotateSecrets } from '../../src/engine/accounts/rotateSecrets.ts';
import {
  currentHeader,
  openJson,
  openSealed,
  sealJson,
  senderSecret,
  targetSecret,
  type SecretBinding,
} from '../../src/engine/accounts/secrets.ts';
import { FakeResend } from '../fakes/resend.ts';
import { emailSequence, emailWorld, resendAccount, startDnsServer, zone } from './emailSupport.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';

const KEY = { encryptionKey: randomBytes(32) };
/** `npm run battery` (QUOTAHIT_BATTERY=1) seals a million times and prints its figures. */
const BATTERY = process.env.QUOTAHIT_BATTERY === '1';
const SEALS = BATTERY ? 1_000_000 : 20_000;
const figure = (name: string, value: unknown) => {
  if (BATTERY) console.log(`[battery] R-secrets ${name}: ${JSON.stringify(value)}`);
};
const row = (): SecretBinding => senderSecret({ id: randomUUID(), workspaceId: randomUUID() });

/** The format installations sealed with before associated data: 0x01 · IV · tag · ciphertext. */
function sealV1(key: Buffer, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
}

describe('sealed secrets', () => {
  it('open only for the row, workspace and purpose they were sealed for', () => {
    const binding = row();
    const sealed = sealJson(KEY, binding, { apiKey: 're_live_1' });
    expect(openJson(KEY, binding, sealed)).toEqual({ apiKey: 're_live_1' });
    for (const moved of [
      { ...binding, rowId: randomUUID() },
      { ...binding, workspaceId: randomUUID() },
      targetSecret({ id: binding.rowId, workspaceId: binding.workspaceId }),
    ])
      expect(() => openJson(KEY, moved, sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => openJson(KEY, binding, tampered)).toThrow();
  });

  it(`never repeat an IV (${SEALS} seals of the same value with one key)`, () => {
    const binding = row();
    const ivs = new Set<string>();
    for (let i = 0; i < SEALS; i++) ivs.add(sealJson(KEY, binding, { v: 1 }).subarray(9, 21).toString('hex'));
    figure('IV seals / distinct IVs', [SEALS, ivs.size]);
    expect(ivs.size).toBe(SEALS);
  }, 600_000);

  it('open the format before associated data and a previous key’s secrets as stale; refuse an unknown key', () => {
    const old = randomBytes(32);
    const keys = { encryptionKey: KEY.encryptionKey, previousEncryptionKeys: [old] };
    const binding = row();
    expect(openSealed(keys, binding, sealV1(old, { a: 1 }))).toEqual({ value: { a: 1 }, stale: true });
    expect(openSealed(keys, binding, sealV1(KEY.encryptionKey, { a: 2 }))).toEqual({ value: { a: 2 }, stale: true });
    expect(openSealed(keys, binding, sealJson({ encryptionKey: old }, binding, { a: 3 }))).toEqual({
      value: { a: 3 },
      stale: true,
    });
    expect(openSealed(keys, binding, sealJson(keys, binding, { a: 4 }))).toEqual({ value: { a: 4 }, stale: false });
    const stranger = { encryptionKey: randomBytes(32) };
    expect(() => openJson(keys, binding, sealJson(stranger, binding, {}))).toThrow(/no configured key/);
    expect(() => openJson(keys, binding, sealV1(stranger.encryptionKey, {}))).toThrow(/no configured key/);
    expect(() => openJson(keys, binding, Buffer.from([9, 1, 2]))).toThrow(/unknown secret format/);
  });
});

describe('QUOTAHIT_ENCRYPTION_KEY_PREVIOUS', () => {
  it('takes comma-separated 32-byte keys and refuses anything else with the variable named', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const config = loadConfig({
      QUOTAHIT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      QUOTAHIT_ENCRYPTION_KEY_PREVIOUS: `${a.toString('base64')}, ${b.toString('base64')}`,
    });
    expect(config.previousEncryptionKeys).toEqual([a, b]);
    expect(loadConfig({}).previousEncryptionKeys).toEqual([]);
    expect(() => loadConfig({ QUOTAHIT_ENCRYPTION_KEY_PREVIOUS: 'c2hvcnQ=' })).toThrow(
      /QUOTAHIT_ENCRYPTION_KEY_PREVIOUS: must be comma-separated keys of 32 bytes/,
    );
  });
});

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

const CONTACTS = 30;

describe('key rotation', () => {
  it('re-seals every secret with the new key in the background while sending goes on: 0 failed sends', async () => {
    const old = randomBytes(32);
    const w = await emailWorld(dns, { previousEncryptionKeys: [old], outbound: { allowHosts: ['127.0.0.1'] } });
    resend.now = w.clock.now();
    const senders = [await resendAccount(w, resend), await resendAccount(w, resend, 'kim@acme.example')];
    const webhook = await w.ok('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['contact.replied'] });
    // What an installation stored before: one account sealed by the old key, one in the old format.
    const own = await w.credentialsOf(senders[0] as string);
    const bindings = senders.map((id) => senderSecret({ id, workspaceId: w.workspaceId }));
    await w.row('UPDATE senders SET credentials = $2 WHERE id = $1', [
      senders[0],
      sealJson({ encryptionKey: old }, bindings[0] as SecretBinding, own),
    ]);
    await w.row('UPDATE senders SET credentials = $2 WHERE id = $1', [senders[1], sealV1(old, own)]);
    const hook = targetSecret({ id: webhook.id as string, workspaceId: w.workspaceId });
    await w.row('UPDATE outbound_targets SET secret = $2 WHERE id = $1', [webhook.id, sealV1(old, { secret: 'x' })]);

    const contacts = await w.contacts(
      Array.from({ length: CONTACTS }, (_, i) => ({
        email: `p${i}@globex.example`,
        firstName: `P${i}`,
        company: 'Globex',
        timezone: 'UTC',
      })),
    );
    await w.enroll(await w.sequence(emailSequence(1)), contacts);
    const keys = { encryptionKey: w.key, previousEncryptionKeys: [old] };
    // One row per round: the rotation interleaves with the sends of the same tick.
    const [, rotated] = await Promise.all([w.engine.tick(), rotateSecrets({ db: w.db, ...keys }, { batch: 1 })]);
    await w.engine.tick();

    figure('rotation during sends (resealed, failed sends)', [
      rotated.resealed,
      (await w.messages('&status=failed')).length,
    ]);
    expect(rotated).toEqual({ resealed: 3, unreadable: 0 });
    expect(await w.messages('&status=failed')).toEqual([]);
    expect(await w.messages('&status=sent')).toHaveLength(CONTACTS);
    expect(resend.emails).toHaveLength(CONTACTS);
    // Every secret is now the new key's, bound to its row: the old key is no longer needed.
    const current = { encryptionKey: w.key };
    const rows = await w.row<{ id: string; credentials: Buffer }>('SELECT id, credentials FROM senders');
    for (const r of rows) {
      expect(r.credentials.subarray(0, 9).equals(currentHeader(current))).toBe(true);
      expect(openJson(current, senderSecret({ id: r.id, workspaceId: w.workspaceId }), r.credentials)).toEqual(own);
    }
    const [target] = await w.row<{ secret: Buffer }>('SELECT secret FROM outbound_targets');
    expect(openJson(current, hook, target?.secret ?? Buffer.alloc(0))).toEqual({ secret: 'x' });
    // A second run finds nothing to do; a secret no configured key opens is counted, not lost.
    await w.row('UPDATE senders SET credentials = $2 WHERE id = $1', [senders[0], sealV1(randomBytes(32), own)]);
    expect(await rotateSecrets({ db: w.db, ...keys })).toEqual({ resealed: 0, unreadable: 1 });
  });
});

describe('no plaintext secret anywhere', () => {
  it('finds none of the secrets a test set in any table, log line or API response', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = pino({ level: 'trace' }, sink);
    const w = await emailWorld(dns, { log, logger: log, outbound: { allowHosts: ['127.0.0.1'] } });
    resend.now = w.clock.now();
    const secrets = {
      smtp: `smtp-pass-${randomUUID()}`,
      resend: `re_${randomUUID().replaceAll('-', '')}`,
      webhook: `whsec_${Buffer.from(randomUUID().slice(0, 32)).toString('base64')}`,
      slack: `https://127.0.0.1:9/services/T0/B0/${randomUUID()}`,
      http: `tok-${randomUUID()}`,
    };
    const responses: unknown[] = [];
    const ok = async (method: 'POST' | 'PATCH' | 'GET', url: string, body?: unknown) => {
      const res = await w.call(method, url, body);
      responses.push(res.body);
      return res.body as Record<string, unknown>;
    };
    const smtp = await ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'smtp',
      fromEmail: 'sam@acme.example',
      smtp: { host: '127.0.0.1', port: 9, secure: false, user: 'sam', pass: secrets.smtp },
    });
    const viaResend = await resendAccount({ ok }, resend, 'kim@acme.example', {
      apiKey: secrets.resend,
      webhookSecret: secrets.webhook,
    });
    await ok('PATCH', `/v1/senders/${String(smtp.id)}`, {
      smtp: { host: '127.0.0.1', port: 9, secure: false, user: 'sam', pass: secrets.smtp },
    });
    await ok('POST', '/v1/integrations', { kind: 'slack', url: secrets.slack });
    await ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'http',
      fromEmail: 'api@acme.example',
      credentials: { url: `http://user:${secrets.http}@127.0.0.1:9/send`, token: secrets.http },
    });
    for (const url of ['/v1/senders', `/v1/senders/${viaResend}`, '/v1/integrations']) await ok('GET', url);
    const [contact] = await w.contacts([{ email: 'p@globex.example', firstName: 'P', company: 'G', timezone: 'UTC' }]);
    await w.enroll(await w.sequence(emailSequence(1)), [contact as string]);
    await w.engine.tick();
    await ok('GET', '/v1/messages');

    const tables = await w.db.system(async (sql) => {
      const names = await sql.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      );
      const dumps: string[] = [];
      for (const { name } of names.rows)
        dumps.push(...(await sql.query<{ t: string }>(`SELECT t::text AS t FROM ${name} t`)).rows.map((r) => r.t));
      return { count: names.rows.length, text: dumps.join('\n') };
    });
    expect(tables.count).toBeGreaterThan(20);
    expect(lines.length).toBeGreaterThan(0);
    const places = { tables: tables.text, logs: lines.join(''), responses: JSON.stringify(responses) };
    const found = Object.values(secrets).filter((v) => Object.values(places).some((t) => t.includes(v)));
    figure('plaintext scan (tables, log lines, responses, secrets found)', [
      tables.count,
      lines.length,
      responses.length,
      found.length,
    ]);
    for (const [what, value] of Object.entries(secrets))
      for (const [where, text] of Object.entries(places)) {
        const forms = [value, Buffer.from(value).toString('hex'), Buffer.from(value).toString('base64')];
        expect(
          forms.some((form) => text.includes(form)),
          `${what} found in ${where}`,
        ).toBe(false);
      }
  });
});
