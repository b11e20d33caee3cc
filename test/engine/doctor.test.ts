// The doctor against a real DNS server on loopback (QUOTAHIT_DNS_SERVERS) and real accounts in a
// fresh workspace: a verdict and a fix for each account, domain and setting.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import { register } from '../../src/channels/register.ts';
import { loadConfig } from '../../src/config.ts';
import { wireEngine } from '../../src/engine/wire.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { defaultAdapters, type AdapterRegistry, type ProviderId } from '../../src/channels/registry.ts';
import { smtpAdapter } from '../../src/channels/smtp/adapter.ts';
import { insertSender } from '../../src/db/senders.ts';
import { updateWorkspace } from '../../src/db/workspaces.ts';
import { runDoctor, type DoctorCheck, type DoctorDeps } from '../../src/engine/commands/doctor.ts';
import { dnsResolver } from '../../src/engine/commands/doctorDns.ts';
import { sealJson, senderSecret } from '../../src/engine/accounts/secrets.ts';
import { startDnsServer } from '../channels/support/dnsServer.ts';
import { bearer, cliEnv, newWorkspace, testApi, testDb } from '../support/harness.ts';
import { runCli } from '../support/processes.ts';

const key = randomBytes(32);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
const dns = await startDnsServer({
  'good.example.com': {
    TXT: [['v=spf1 include:_spf.google.com mx ~all'], ['google-site-verification=x']],
    MX: [{ exchange: 'mx.good.example.com', priority: 10 }],
  },
  // A key longer than one TXT string (255 bytes) arrives in chunks; they are joined.
  'qh1._domainkey.good.example.com': { TXT: [['v=DKIM1; k=rsa; ', `p=${p.slice(0, 100)}`, p.slice(100)]] },
  '_dmarc.good.example.com': { TXT: [['v=DMARC1; p=none; rua=mailto:d@good.example.com']] },
  'go.good.example.com': { A: ['203.0.113.9'], MX: [{ exchange: 'mx.good.example.com', priority: 10 }] },
  'bad.example.com': { TXT: [['v=spf1 +all']], A: ['203.0.113.7'] },
  'qh1._domainkey.bad.example.com': { TXT: [[`v=DKIM1; k=rsa; p=${other.toString('base64')}`]] },
  'app.good.example.com': { A: ['203.0.113.10'] },
  't.good.example.com': { CNAME: 'app.good.example.com' },
  't.bad.example.com': { CNAME: 'elsewhere.example.net' },
});
afterAll(() => dns.close());
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-doctor-'));

const smtp = (fromDomain: string, extra: Record<string, unknown> = {}) => ({
  host: 'smtp.gmail.com',
  port: 587,
  secure: false,
  user: `sam@${fromDomain}`,
  pass: 'app-password',
  dkim: { domainName: fromDomain, keySelector: 'qh1', privateKey: pem },
  imap: { host: 'imap.gmail.com', port: 993, secure: true, user: `sam@${fromDomain}`, pass: 'x' },
  ...extra,
});

/** A value to seal for the account's row, with the key that seals it. */
type Sealable = { key: Buffer; value: unknown };
const sealed = (k: Buffer, value: unknown): Sealable => ({ key: k, value });

async function account(
  workspaceId: string,
  fields: { provider: ProviderId; fromEmail: string; credentials: Sealable | null; name?: string },
) {
  const id = randomUUID();
  await testDb().tenant(workspaceId, (sql) =>
    insertSender(sql, workspaceId, {
      id,
      channel: 'email',
      provider: fields.provider,
      name: fields.name ?? null,
      fromEmail: fields.fromEmail,
      fromName: null,
      fromPhone: null,
      linkedinFree: false,
      credentials: fields.credentials
        ? sealJson(
            { encryptionKey: fields.credentials.key },
            senderSecret({ id, workspaceId }),
            fields.credentials.value,
          )
        : null,
      dailyLimit: 50,
      hourlyLimit: null,
      weeklyLimit: null,
      minGapSeconds: 0,
      warmup: null,
      warmupStartedAt: new Date(),
      timezone: 'UTC',
    }),
  );
}

function deps(adapters: AdapterRegistry, overrides: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    db: testDb(),
    adapters,
    encryptionKey: key,
    keySource: 'environment',
    dataDir,
    publicUrl: 'https://app.good.example.com',
    trackingBaseUrl: 'https://t.good.example.com',
    dkimSelectors: [],
    resolver: dnsResolver([dns.server]),
    ...overrides,
  };
}

const find = (checks: DoctorCheck[], subject: string | RegExp, name: string) =>
  checks.find(
    (c) => (typeof subject === 'string' ? c.subject === subject : subject.test(c.subject)) && c.name === name,
  );

describe('doctor', () => {
  it('passes a domain with SPF, the DKIM key QuotaHit signs with, DMARC and MX, and calls the adapter check', async () => {
    const { workspaceId } = await newWorkspace('Doctor good');
    await testDb().tenant(workspaceId, (sql) => updateWorkspace(sql, { postalAddress: '1 Main St', offer: 'Widgets' }));
    await account(workspaceId, {
      provider: 'smtp',
      fromEmail: 'sam@good.example.com',
      credentials: sealed(key, smtp('good.example.com')),
      name: 'Sam',
    });
    const seen: unknown[] = [];
    const adapters = {
      ...defaultAdapters(),
      // The contract's optional checkConnection: it receives the account's credentials and addresses.
      smtp: Object.assign(register(smtpAdapter), {
        checkConnection: async (
          credentials: unknown,
          context: { signal?: AbortSignal; account?: { fromEmail?: string | null } },
        ) => {
          seen.push({ credentials, aborted: context.signal?.aborted, fromEmail: context.account?.fromEmail });
          return [{ name: 'SMTP login', verdict: 'ok' as const, detail: 'logged in as sam@good.example.com' }];
        },
      }),
    };
    const result = await runDoctor(deps(adapters), { workspaceIds: [workspaceId] });
    expect(result.checks.filter((c) => c.verdict !== 'ok')).toEqual([]);
    expect(result).toMatchObject({ verdict: 'ok', summary: { warning: 0, failed: 0 } });
    expect(find(result.checks, 'Sam (smtp, Doctor good)', 'SMTP login')).toMatchObject({
      verdict: 'ok',
      area: 'account',
    });
    expect(seen).toEqual([{ credentials: expect.any(Object), aborted: false, fromEmail: 'sam@good.example.com' }]);
    expect(seen[0]).toMatchObject({ credentials: { host: 'smtp.gmail.com', user: 'sam@good.example.com' } });
    expect(find(result.checks, 'good.example.com', 'SPF')?.detail).toBe('v=spf1 include:_spf.google.com mx ~all');
    expect(find(result.checks, 'good.example.com', 'DKIM qh1')?.detail).toBe(
      'key published at qh1._domainkey.good.example.com',
    );
    expect(find(result.checks, 'good.example.com', 'DMARC')?.detail).toMatch(/monitoring only; move to p=quarantine/);
    expect(find(result.checks, 'good.example.com', 'MX')?.detail).toBe(
      'mail for good.example.com goes to mx.good.example.com',
    );
    expect(find(result.checks, 't.good.example.com', 'tracking domain')?.detail).toBe(
      't.good.example.com is a CNAME of app.good.example.com',
    );
    expect(find(result.checks, 'https://app.good.example.com', 'PUBLIC_URL')?.verdict).toBe('ok');
    // Every name the checks asked about went to the configured server.
    expect(dns.queries.map((q) => q.name)).toContain('qh1._domainkey.good.example.com');
  });

  it('fails what is wrong with the record to add, and says what it could not check', async () => {
    const { workspaceId } = await newWorkspace('Doctor bad');
    await account(workspaceId, {
      provider: 'smtp',
      fromEmail: 'sam@bad.example.com',
      credentials: sealed(key, smtp('bad.example.com')),
    });
    await account(workspaceId, {
      provider: 'smtp',
      fromEmail: 'old@bad.example.com',
      credentials: sealed(randomBytes(32), smtp('bad.example.com')),
      name: 'Old key',
    });
    await account(workspaceId, {
      provider: 'http',
      fromEmail: 'api@go.good.example.com',
      credentials: sealed(key, { url: 'https://x.example.com' }),
      name: 'Hook',
    });
    const result = await runDoctor(
      deps(defaultAdapters(), {
        keySource: 'data directory',
        publicUrl: 'http://localhost:3000',
        trackingBaseUrl: 'https://t.bad.example.com',
      }),
      { workspaceIds: [workspaceId] },
    );
    expect(result.verdict).toBe('failed');
    const bad = (name: string) => find(result.checks, 'bad.example.com', name);
    expect(bad('SPF')).toMatchObject({
      verdict: 'failed',
      detail: '"v=spf1 +all" lets anyone send as bad.example.com',
      fix: 'end it with ~all or -all',
    });
    expect(bad('DKIM qh1')).toMatchObject({
      verdict: 'failed',
      detail: 'the key at qh1._domainkey.bad.example.com is not the public half of the key QuotaHit signs with',
      fix: `replace it with qh1._domainkey.bad.example.com TXT "v=DKIM1; k=rsa; p=${p}"`,
    });
    expect(bad('DMARC')).toMatchObject({
      verdict: 'failed',
      fix: 'add _dmarc.bad.example.com TXT "v=DMARC1; p=none; rua=mailto:dmarc@bad.example.com"',
    });
    expect(bad('MX')).toMatchObject({
      verdict: 'failed',
      fix: 'add the MX records your mail provider gives for bad.example.com',
    });
    // A subdomain inherits the organizational domain's DMARC; no DKIM selector known: the usual ones are tried.
    expect(find(result.checks, 'go.good.example.com', 'DMARC')?.detail).toMatch(
      /from good\.example\.com, which covers go\.good\.example\.com/,
    );
    expect(find(result.checks, 'go.good.example.com', 'DKIM')).toMatchObject({
      verdict: 'warning',
      fix: expect.stringMatching(/^set QUOTAHIT_DKIM_SELECTOR/),
    });
    expect(find(result.checks, 'go.good.example.com', 'SPF')).toMatchObject({
      verdict: 'failed',
      fix: 'add go.good.example.com TXT "v=spf1 mx ~all"',
    });
    expect(find(result.checks, 'Old key (smtp, Doctor bad)', 'credentials')).toMatchObject({
      verdict: 'failed',
      detail: 'the stored credentials cannot be decrypted with the current encryption key',
    });
    expect(find(result.checks, 'Hook (http, Doctor bad)', 'connection')).toMatchObject({
      verdict: 'warning',
      detail: 'no connection check for this provider yet: its login was not tried',
    });
    expect(find(result.checks, 't.bad.example.com', 'tracking domain')).toMatchObject({
      verdict: 'failed',
      detail: 't.bad.example.com is a CNAME of elsewhere.example.net, not of localhost',
      fix: 'add t.bad.example.com CNAME localhost (and serve it over TLS)',
    });
    expect(find(result.checks, 'http://localhost:3000', 'PUBLIC_URL')).toMatchObject({ verdict: 'failed' });
    expect(find(result.checks, 'encryption key', 'encryption key')).toMatchObject({
      verdict: 'warning',
      detail: `the key exists only in ${path.join(dataDir, 'encryption.key')}`,
    });
    expect(find(result.checks, 'Doctor bad', 'postal address')).toMatchObject({
      verdict: 'warning',
      area: 'workspace',
    });
    expect(result.summary.failed).toBe(result.checks.filter((c) => c.verdict === 'failed').length);
  });

  it('checks QUOTAHIT_DKIM_SELECTOR for accounts without their own key, a readable key file, and a dead DNS server', async () => {
    const { workspaceId } = await newWorkspace('Doctor selector');
    await account(workspaceId, {
      provider: 'gmail',
      fromEmail: 'me@good.example.com',
      credentials: null,
      name: 'Gmail',
    });
    await writeFile(path.join(dataDir, 'encryption.key'), 'x', { mode: 0o644 });
    const result = await runDoctor(deps(defaultAdapters(), { dkimSelectors: ['s2024'], keySource: 'data directory' }), {
      workspaceIds: [workspaceId],
    });
    expect(find(result.checks, 'good.example.com', 'DKIM s2024')).toMatchObject({
      verdict: 'failed',
      fix: 'publish the DKIM record your mail provider gives for selector s2024',
    });
    expect(find(result.checks, 'encryption key', 'encryption key')).toMatchObject({
      verdict: 'failed',
      fix: expect.stringMatching(/^chmod 600 /),
    });

    const dead = await runDoctor(deps(defaultAdapters(), { resolver: dnsResolver(['127.0.0.1:9']) }), {
      workspaceIds: [workspaceId],
    });
    expect(find(dead.checks, 'good.example.com', 'SPF')).toMatchObject({
      verdict: 'warning',
      detail: expect.stringMatching(/^could not look up TXT good\.example\.com \(E[A-Z]+\)$/),
    });
  });
});

describe('GET /v1/doctor and quotahit doctor', () => {
  it("answers the key's workspace only, through QUOTAHIT_DNS_SERVERS, and the CLI exits 1 when a check failed", async () => {
    const app = await testApi({ QUOTAHIT_DNS_SERVERS: dns.server });
    const mine = await newWorkspace('Doctor API');
    const theirs = await newWorkspace('Doctor other');
    await account(mine.workspaceId, {
      provider: 'sandbox',
      fromEmail: 'me@bad.example.com',
      credentials: null,
      name: 'Box',
    });
    await account(theirs.workspaceId, {
      provider: 'sandbox',
      fromEmail: 'x@good.example.com',
      credentials: null,
      name: 'Theirs',
    });
    const res = await app.inject({ method: 'GET', url: '/v1/doctor', headers: bearer(mine.apiKey) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { verdict: string; checks: DoctorCheck[] };
    expect(body.verdict).toBe('failed');
    expect(find(body.checks, 'Box (sandbox, Doctor API)', 'connection')).toMatchObject({ verdict: 'ok' });
    expect(find(body.checks, 'bad.example.com', 'SPF')).toMatchObject({ verdict: 'failed' });
    expect(body.checks.some((c) => c.subject.includes('Theirs') || c.subject === 'good.example.com')).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/v1/doctor' })).statusCode).toBe(401);
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(spec.paths).toHaveProperty('/v1/doctor');

    const env = cliEnv({ QUOTAHIT_DNS_SERVERS: dns.server, PUBLIC_URL: 'https://app.good.example.com' });
    const text = await runCli(['doctor', '--workspace', mine.workspaceId], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'Domain bad.example.com\n  [FAILED]  SPF: "v=spf1 +all" lets anyone send as bad.example.com\n            → end it with ~all or -all',
    );
    expect(text.stdout).toMatch(/\n\d+ ok, \d+ warnings?, \d+ failed\n$/);
    const json = await runCli(['doctor', '--workspace', 'Doctor other', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: expect.stringMatching(/^(ok|warning|failed)$/) });
    expect(JSON.parse(json.stdout).checks.some((c: DoctorCheck) => c.subject === 'good.example.com')).toBe(true);
  });
});

describe('QUOTAHIT_DNS_SERVERS', () => {
  it("is parsed once and sends the recipients' MX lookups to those servers too", async () => {
    const base = { DATABASE_URL: 'postgres://x@localhost/db', QUOTAHIT_ENCRYPTION_KEY: key.toString('base64') };
    expect(loadConfig({ ...base, QUOTAHIT_DNS_SERVERS: ` ${dns.server}, 10.0.0.2 ,[::1]:53` }).dnsServers).toEqual([
      dns.server,
      '10.0.0.2',
      '[::1]:53',
    ]);
    expect(loadConfig(base).dnsServers).toBeUndefined();
    expect(() => loadConfig({ ...base, QUOTAHIT_DNS_SERVERS: 'dns.example.com' })).toThrow(
      'QUOTAHIT_DNS_SERVERS: "dns.example.com" is not an IP address (with an optional :port)',
    );
    expect(() => loadConfig({ ...base, QUOTAHIT_DNS_SERVERS: '10.0.0.1:99999' })).toThrow(/QUOTAHIT_DNS_SERVERS/);

    const checker = createRecipientChecker({ servers: [dns.server] });
    expect(await checker.lookupDomain('good.example.com')).toEqual({
      accepts: true,
      via: 'mx',
      hosts: ['mx.good.example.com'],
    });
    expect(await checker.lookupDomain('nowhere.example.com')).toEqual({
      accepts: false,
      reason: 'nowhere.example.com does not exist',
    });

    const database = {
      db: testDb(),
      url: 'unused',
      embedded: false,
      encryptionKey: key,
      encryptionKeySource: 'environment' as const,
      previousEncryptionKeys: [],
      close: async () => {},
    };
    const { engine } = await wireEngine(database, { log: silentLogger, queue: false, dnsServers: [dns.server] });
    const before = dns.queries.length;
    expect(await engine.deps.recipients.lookupDomain('go.good.example.com')).toMatchObject({ accepts: true });
    expect(dns.queries.slice(before).map((q) => q.name)).toContain('go.good.example.com');
  });
});
