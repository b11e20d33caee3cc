// How a server process ends: when `npm start` is killed (npm does not pass SIGTERM on) the server
// notices its parent is gone and stops, embedded PostgreSQL included; a drain that runs past the
// lease gives up; a second signal stops at once. Output is JSON lines (not a terminal), and
// /healthz is not logged at info level.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { isAlive } from '../../src/db/postgresProcess.ts';
import { cliEnv, newWorkspace } from '../support/harness.ts';
import { startCli } from '../support/processes.ts';

const READY = /QuotaHit is listening on/;

type Line = { level: number; msg: string; pid: number; [key: string]: unknown };
const lines = (output: string): Line[] =>
  output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A request whose body never ends: the server is busy with it until the client gives up. */
function hangingUpload(port: number, apiKey: string): http.ClientRequest {
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/contacts',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' },
  });
  request.on('error', () => {});
  request.write('email\n');
  return request;
}

describe('process life', () => {
  it('`npm start` killed with SIGTERM: the server and embedded PostgreSQL stop, no orphans', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-npm-'));
    const port = await freePort();
    const { DATABASE_URL: _u, QUOTAHIT_ENCRYPTION_KEY: _k, ...base } = cliEnv();
    const npm: ChildProcess = spawn('npm', ['start', '--silent'], {
      env: { ...base, QUOTAHIT_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await until(() => READY.test(output), 'the server to listen', 90_000);
      const serverPid = lines(output)[0]?.pid as number;
      const cluster = await readlink(path.join(dataDir, 'pg')).catch(() => path.join(dataDir, 'pg'));
      expect(existsSync(path.join(cluster, 'postmaster.pid'))).toBe(true);

      npm.kill('SIGTERM'); // npm alone, as `kill <pid of npm>` does
      await until(() => !isAlive(serverPid), 'the server to exit');
      await until(() => !existsSync(path.join(cluster, 'postmaster.pid')), 'PostgreSQL to stop');
      const said = lines(output.slice(output.indexOf('{')));
      expect(said.map((l) => l.msg)).toContainEqual(
        expect.stringMatching(/^Stopping \(parent process \d+ went away\)/),
      );
      expect(said.at(-1)?.msg).toMatch(/^Stopped cleanly in \d+\.\d s$/);
      expect(said.at(-1)).toMatchObject({ level: 30, drainMs: expect.any(Number) });
      await rm(cluster, { recursive: true, force: true });
    } finally {
      npm.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('logs JSON lines only, keeps /healthz out of info, and gives up a drain at the lease', async () => {
    const port = await freePort();
    const env = cliEnv({
      PORT: String(port),
      LOG_LEVEL: 'info',
      QUOTAHIT_LEASE_MS: '1500',
      QUOTAHIT_SEND_TIMEOUT_MS: '500',
    });
    const server = await startCli(['serve'], env, READY);
    for (let i = 0; i < 3; i++) expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/v1/workspace`)).status).toBe(401);
    const { apiKey } = await newWorkspace('Draining');
    const upload = hangingUpload(port, apiKey);
    await until(() => server.output().includes('"url":"/v1/contacts"'), 'the upload to be logged');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    upload.destroy();
    const said = lines(server.output());
    const urls = said.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toContain('/v1/workspace');
    expect(urls).not.toContain('/healthz');
    expect(said.at(-1)).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/^Stopped after \d+\.\d s without finishing \(deadline of 1\.5 s reached\)/),
    });
    expect(JSON.stringify(said)).not.toContain(apiKey); // the Authorization header is redacted
  });

  it('stops at once on a second signal during the drain', async () => {
    const port = await freePort();
    const server = await startCli(['serve'], cliEnv({ PORT: String(port), LOG_LEVEL: 'info' }), READY);
    const { apiKey } = await newWorkspace('Forced');
    const upload = hangingUpload(port, apiKey);
    await until(() => server.output().includes('"url":"/v1/contacts"'), 'the upload to be logged');
    server.child.kill('SIGTERM');
    await until(() => server.output().includes('Stopping (SIGTERM)'), 'the drain to start');
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(1);
    upload.destroy();
    expect(lines(server.output()).at(-1)?.msg).toMatch(/without finishing \(SIGINT again\)/);
  });
});
