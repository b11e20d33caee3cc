// The browser tests' world: the real server (in-process, on real PostgreSQL, a manual clock and a
// direct-mode engine the test ticks), Debian's chromium driven by playwright-core, a check that
// the page never asks another host and logs no error, and axe-core for accessibility.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { ensureWebBuild } from '../../src/api/webBuilder.ts';
import { loadConfig } from '../../src/config.ts';
import { freePort } from '../../src/db/embedded.ts';
import { MONDAY_9AM, world } from '../support/world.ts';
import { bearer, databaseUrl, TEST_ENCRYPTION_KEY } from '../support/harness.ts';
import { ownerLink } from '../support/members.ts';

export const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = process.env.QUOTAHIT_SCREENSHOTS;

export type Site = Awaited<ReturnType<typeof startSite>>;

/** The server on a real port, serving the dashboard build of this checkout (rebuilt if stale). */
export async function startSite() {
  // A world of its own: the engine ticks only this test's work.
  const w = await world({ start: MONDAY_9AM });
  const wired = { engine: w.engine, adapters: w.adapters, clock: w.clock };
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATABASE_URL: databaseUrl(),
    QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    PUBLIC_URL: origin,
    PORT: String(port),
  });
  const build = () => buildServer({ db: w.db, config, logger: false, engine: w.engine, adapters: w.adapters });
  let app: FastifyInstance = await build();
  await app.ready();
  if (
    (await ensureWebBuild({ openapi: app.swagger(), say: (l) => process.stdout.write(`[e2e] ${l}\n`) })) === 'rebuilt'
  ) {
    await app.close();
    app = await build();
  }
  await app.listen({ port, host: '127.0.0.1' });
  afterAll(() => app.close());
  return {
    app,
    origin,
    ...wired,
    /** A workspace whose owner link is ready to open. */
    async workspace(name: string) {
      const ws = await w.workspace(name);
      const token = await ownerLink(ws.workspaceId, MONDAY_9AM, w.db);
      return { workspaceId: ws.workspaceId, apiKey: ws.apiKey, setupUrl: `${origin}/setup?token=${token}` };
    },
    /** Runs the due steps (the worker's job in production); the world's database holds only this test's work. */
    tick: (_workspaceId: string) => wired.engine.tick(),
    /** The world's database (seeding what a provider would have made the engine write). */
    db: w.db,
    api: (apiKey: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      app.inject({ method, url, headers: bearer(apiKey), ...(payload ? { payload } : {}) }),
  };
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  afterAll(() => browser.close());
  return browser;
}

/** A page that records every console error and every request to another origin. */
export async function openPage(browser: Browser, site: Site, viewport = { width: 1280, height: 900 }) {
  const context: BrowserContext = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  const failed: string[] = [];
  page.on('console', (m) => {
    // The browser logs every 4xx/5xx response as an error; those are checked one by one below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(site.origin) && !url.startsWith('data:')) problems.push(`request to another host: ${url}`);
  });
  return {
    page,
    context,
    /** No console error, no foreign request and no failed request but the expected ones so far. */
    clean: (expectedFailures: string[] = []) => {
      expect(problems).toEqual([]);
      expect(failed).toEqual(expectedFailures);
    },
  };
}

let axeSource: string | undefined;

/** axe-core on the current view: no serious or critical violation. */
export async function checkAccessibility(page: Page, view: string): Promise<void> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `accessibility of ${view}`).toEqual([]);
}
type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** With QUOTAHIT_SCREENSHOTS=dir (npm run screenshots), each view is saved for docs/dashboard.md. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Opens a workspace's first-run link and sets the owner's name, email and password: signed in on Home. */
export async function signUp(page: Page, setupUrl: string, owner: { name: string; email: string; password: string }) {
  await page.goto(setupUrl);
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByLabel('Repeat the password').fill(owner.password);
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
}
