// A local fake of the Phantombuster API v2 and of three LinkedIn phantoms, written from
// PROVIDERS.md and Phantombuster's API reference (hub.phantombuster.com/reference):
//   auth:     header X-Phantombuster-Key (the v1 name X-Phantombuster-Key-1 is accepted too) ✔
//   launch:   POST /agents/launch {"id","argument":{}|"<json>","bonusArgument"?,"saveArgument"?,
//             "manualLaunch"?}; other fields → 400 "parameter duplicated or argument too big" ◐;
//             → {"containerId"} ◐ (or JSend {"status":"success","data":{"containerId"}}: `launchShape`)
//   output:   GET /agents/fetch-output?id= → {containerId, status, output, progress, isAgentRunning}
//   list:     GET /containers/fetch-all?agentId= → {"containers":[{id,status,createdAt,endedAt?}]}
//             (or a bare array: `listShape`) — the reference lists the route; its shape is ◐
//   one:      GET /containers/fetch?id= → {id, status, createdAt, endType, exitCode}
//   results:  GET /containers/fetch-result-object?id= → {"resultObject":"<JSON string>"|null} (404 unknown);
//             `resultShape: 'json'` answers the rows as JSON instead of a string (◐)
//   phantoms: Auto Connect {sessionCookie, userAgent?, profileUrl|spreadsheetUrl, numberOfAddsPerLaunch,
//             message?}; Message Sender {sessionCookie, spreadsheetUrl, profilesPerLaunch, message};
//             Connections Export {sessionCookie}. Rows {profileUrl, firstName?, message?, timestamp,
//             error?}; errors "Invitation already sent", "Already in network", "Couldn't open
//             profile", "Message too long"; exit codes 83/84/87 for a bad/expired/empty cookie ◐
//             (`cookieFailure: 'text'` instead ends with code 1 and a "session cookie not valid" row).
//   parallelism: one running container per agent; another launch answers `parallelismStatus`
//             (400 default, 429 variant ✘) with "maxParallelismReached".
//   batches: a spreadsheetUrl that is not a LinkedIn profile is fetched (as the phantom does) as a CSV
//             with a header row; `columnName` names the profile column, and `#column#` tags in the
//             argument's `message` are replaced by each row's cells. One result row per CSV row, at
//             most numberOfAddsPerLaunch / profilesPerLaunch; a URL that does not answer 200 ends the
//             container with exit code 1 and no rows.
// Shortcuts: containers finish `finishAfterMs` after launch on the fake's own clock (`now`), not
// by running anything; a spreadsheetUrl naming a profile is read as that one profile (the
// phantoms accept a profile URL there); a batch's CSV is fetched at launch, not when the container runs.
// `skipRows` leaves the named profiles out of a batch's results (a phantom that stopped early);
// `endings` makes the next launches end with an exit code and no result object or an empty one.
import { applyFault, FaultPlan } from './faults.ts';
import { randomInt } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeScript = 'connect' | 'message' | 'network';
export type FakeRow = Record<string, unknown> & { profileUrl: string; error?: string; timestamp: string };
export type FakeContainer = {
  id: string;
  agentId: string;
  argument: Record<string, unknown>;
  createdAt: number;
  finishAt: number;
  exitCode: number;
  rows: FakeRow[] | null;
};

const LAUNCH_FIELDS = new Set(['id', 'argument', 'bonusArgument', 'saveArgument', 'manualLaunch']);

export class FakePhantombuster {
  url = '';
  readonly apiKey = 'pb_test_key_0123456789';
  readonly agents = new Map<string, FakeScript>([
    ['1001', 'connect'],
    ['1002', 'message'],
    ['1003', 'network'],
  ]);
  readonly containers: FakeContainer[] = [];
  /** Profiles connected to the account (1st degree) and those with an invitation pending. */
  readonly network = new Set<string>();
  readonly invited = new Set<string>();
  /** Profiles the phantom cannot open; replies a Message Sender run finds, by profile. */
  readonly unreachable = new Set<string>();
  readonly replies = new Map<string, string>();
  /** Cookies LinkedIn no longer takes (83 bad, 84 expired, 87 empty). */
  readonly deadCookies = new Map<string, 83 | 84 | 87>();
  /** Profiles a batch's results leave out; the spreadsheets fetched (URL and status). */
  readonly skipRows = new Set<string>();
  readonly fetched: { url: string; status: number }[] = [];
  now: () => number = () => Date.now();
  finishAfterMs = 0;
  launchShape: 'containerId' | 'jsend' = 'containerId';
  listShape: 'object' | 'array' = 'object';
  resultShape: 'string' | 'json' = 'string';
  cookieFailure: 'exit_code' | 'text' = 'exit_code';
  parallelismStatus = 400;
  /** Answer the next requests with these statuses (500, 429 …). */
  readonly failNext: number[] = [];
  /**
   * The next launches end this way instead of with their rows, one each: an exit code and no
   * result object (`null`) or an empty array (`[]`).
   */
  readonly endings: { exitCode: number; rows: null | [] }[] = [];
  /** Faults injected into launches (R-provider), keyed by the agent id. */
  faults = new FaultPlan();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake Phantombuster has no TCP address');
    this.url = `http://127.0.0.1:${address.port}/api/v2`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets every container, profile state, planned failure and fetch (a fresh account's fake). */
  reset(): void {
    this.containers.length = 0;
    for (const set of [this.network, this.invited, this.unreachable, this.skipRows]) set.clear();
    this.replies.clear();
    this.deadCookies.clear();
    this.fetched.length = 0;
    this.failNext.length = 0;
    this.endings.length = 0;
  }

  /** Launches of an agent script, oldest first. */
  launches(script: FakeScript): FakeContainer[] {
    return this.containers.filter((c) => this.agents.get(c.agentId) === script);
  }
  /** Every container finishes now (whatever finishAfterMs says). */
  finishAll(): void {
    for (const c of this.containers) c.finishAt = Math.min(c.finishAt, this.now());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const key = header(req, 'x-phantombuster-key') ?? header(req, 'x-phantombuster-key-1');
    if (!key) return send(res, 401, { status: 'error', error: 'Missing API key' });
    if (key !== this.apiKey) return send(res, 401, { status: 'error', error: 'Invalid API key' });
    const forced = this.failNext.shift();
    if (forced) return send(res, forced, { status: 'error', error: `forced ${forced}` });
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/api\/v2/, '');
    const id = url.searchParams.get('id') ?? '';
    if (req.method === 'POST' && path === '/agents/launch') {
      const faulted = applyFault(this.faults.take(id), res, (status, headers) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ status: 'error', error: status === 429 ? 'Too many requests' : 'Internal error' }));
      });
      if (faulted === 'answered') return;
      return await this.launch(res, text);
    }
    if (req.method !== 'GET') return send(res, 405, { status: 'error', error: 'Method not allowed' });
    if (path === '/agents/fetch-output') return this.agentOutput(res, id);
    if (path === '/containers/fetch-all') return this.list(res, url.searchParams.get('agentId') ?? '');
    const container = this.containers.find((c) => c.id === id);
    if (path === '/containers/fetch' || path === '/containers/fetch-result-object') {
      if (!container) return send(res, 404, { status: 'error', error: 'Container not found' });
      if (path === '/containers/fetch') return send(res, 200, this.describe(container));
      const rows = this.finished(container) ? container.rows : null;
      const resultObject = rows === null ? null : this.resultShape === 'json' ? rows : JSON.stringify(rows);
      return send(res, 200, { resultObject });
    }
    return send(res, 404, { status: 'error', error: 'Not found' });
  }

  private async launch(res: ServerResponse, text: string): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return send(res, 400, { status: 'error', error: 'Invalid JSON body' });
    }
    if (Object.keys(body).some((k) => !LAUNCH_FIELDS.has(k)) || text.length > 100_000)
      return send(res, 400, { status: 'error', error: 'parameter duplicated or argument too big' });
    const agentId = String(body.id ?? '');
    const script = this.agents.get(agentId);
    if (!script) return send(res, 404, { status: 'error', error: 'Agent not found' });
    const argument =
      typeof body.argument === 'string' ? (JSON.parse(body.argument) as Record<string, unknown>) : body.argument;
    if (!argument || typeof argument !== 'object')
      return send(res, 400, { status: 'error', error: 'argument must be an object' });
    if (this.containers.some((c) => c.agentId === agentId && !this.finished(c)))
      return send(res, this.parallelismStatus, { status: 'error', error: 'maxParallelismReached' });
    const sheet = await this.spreadsheet(argument as Record<string, unknown>);
    const ran =
      sheet !== undefined
        ? this.runBatch(agentId, script, argument as Record<string, unknown>, sheet)
        : this.run(agentId, script, argument as Record<string, unknown>);
    const ending = this.endings.shift();
    const container = ending ? { ...ran, ...ending } : ran;
    this.containers.push(container);
    return send(
      res,
      200,
      this.launchShape === 'jsend'
        ? { status: 'success', data: { containerId: container.id } }
        : { containerId: container.id },
    );
  }

  /** What the phantom will have done when its container finishes (decided at launch). */
  private run(agentId: string, script: FakeScript, argument: Record<string, unknown>): FakeContainer {
    const now = this.now();
    const base = {
      id: String(randomInt(1e12, 9e12)),
      agentId,
      argument,
      createdAt: now,
      finishAt: now + this.finishAfterMs,
    };
    const cookie = typeof argument.sessionCookie === 'string' ? argument.sessionCookie : '';
    const dead = cookie === '' ? 87 : this.deadCookies.get(cookie);
    if (dead) {
      if (this.cookieFailure === 'exit_code') return { ...base, exitCode: dead, rows: null };
      const profile = String(argument.profileUrl ?? argument.spreadsheetUrl ?? '');
      return {
        ...base,
        exitCode: 1,
        rows: [
          {
            profileUrl: profile,
            error: 'Session cookie not valid anymore. Please log in to LinkedIn to get a new one.',
            timestamp: new Date(now).toISOString(),
          },
        ],
      };
    }
    const timestamp = new Date(now).toISOString();
    if (script === 'network')
      return { ...base, exitCode: 0, rows: [...this.network].map((profileUrl) => ({ profileUrl, timestamp })) };
    const profileUrl = String(argument.profileUrl ?? argument.spreadsheetUrl ?? '');
    const message = typeof argument.message === 'string' ? argument.message : '';
    return {
      ...base,
      exitCode: 0,
      rows: [
        script === 'connect'
          ? this.connect(profileUrl, message, timestamp)
          : this.message(profileUrl, message, timestamp),
      ],
    };
  }

  /** A batch's rows read from its spreadsheet URL (undefined: not a batch); null when it cannot be read. */
  private async spreadsheet(argument: Record<string, unknown>): Promise<Record<string, string>[] | null | undefined> {
    const url = typeof argument.spreadsheetUrl === 'string' ? argument.spreadsheetUrl : '';
    if (!/^https?:\/\//.test(url) || /linkedin\.com\/in\//.test(url)) return undefined;
    try {
      const res = await fetch(url);
      this.fetched.push({ url, status: res.status });
      if (res.status !== 200) return null;
      return parseCsv(await res.text(), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    } catch {
      this.fetched.push({ url, status: 0 });
      return null;
    }
  }

  /** A batch: one result row per spreadsheet row, with the message's #column# tags filled from the row. */
  private runBatch(
    agentId: string,
    script: FakeScript,
    argument: Record<string, unknown>,
    sheet: Record<string, string>[] | null,
  ): FakeContainer {
    // The session first (as a single launch), with no profile touched.
    const single = { ...this.run(agentId, 'network', argument), argument };
    if (single.exitCode !== 0) return single;
    if (sheet === null || script === 'network') return { ...single, exitCode: 1, rows: null };
    const column = typeof argument.columnName === 'string' ? argument.columnName : 'profileUrl';
    const max = Number(argument.numberOfAddsPerLaunch ?? argument.profilesPerLaunch ?? 10);
    const template = typeof argument.message === 'string' ? argument.message : '';
    const timestamp = new Date(this.now()).toISOString();
    const rows = sheet.slice(0, max).flatMap((row) => {
      const profileUrl = row[column] ?? '';
      if (this.skipRows.has(profileUrl)) return [];
      const message = template.replace(/#([A-Za-z][A-Za-z0-9_]*)#/g, (tag, name: string) => row[name] ?? tag);
      return [
        script === 'connect'
          ? this.connect(profileUrl, message, timestamp)
          : this.message(profileUrl, message, timestamp),
      ];
    });
    return { ...single, rows };
  }

  private connect(profileUrl: string, message: string, timestamp: string): FakeRow {
    if (this.unreachable.has(profileUrl)) return { profileUrl, timestamp, error: "Couldn't open profile" };
    if (this.network.has(profileUrl)) return { profileUrl, timestamp, error: 'Already in network' };
    if (this.invited.has(profileUrl)) return { profileUrl, timestamp, error: 'Invitation already sent' };
    if (message.length > 300) return { profileUrl, timestamp, error: 'Message too long' };
    this.invited.add(profileUrl);
    return { profileUrl, timestamp, message, firstName: 'Dana' };
  }

  private message(profileUrl: string, message: string, timestamp: string): FakeRow {
    if (this.unreachable.has(profileUrl)) return { profileUrl, timestamp, error: "Couldn't open profile" };
    if (!this.network.has(profileUrl)) return { profileUrl, timestamp, error: 'Not a 1st degree connection' };
    const reply = this.replies.get(profileUrl);
    return { profileUrl, timestamp, message, ...(reply ? { reply } : {}) };
  }

  private finished(c: FakeContainer): boolean {
    return c.finishAt <= this.now();
  }
  private describe(c: FakeContainer): Record<string, unknown> {
    const done = this.finished(c);
    return {
      id: c.id,
      status: done ? 'finished' : 'running',
      createdAt: c.createdAt,
      ...(done ? { endedAt: c.finishAt, endType: c.exitCode === 0 ? 'finished' : 'error', exitCode: c.exitCode } : {}),
    };
  }
  private list(res: ServerResponse, agentId: string): void {
    if (!this.agents.has(agentId)) return send(res, 404, { status: 'error', error: 'Agent not found' });
    // The list leaves the exit code out: the adapter reads it from containers/fetch.
    const containers = this.containers
      .filter((c) => c.agentId === agentId)
      .reverse()
      .map((c) => {
        const { exitCode: _exit, ...rest } = this.describe(c);
        return rest;
      });
    return send(res, 200, this.listShape === 'array' ? containers : { containers });
  }
  private agentOutput(res: ServerResponse, agentId: string): void {
    if (!this.agents.has(agentId)) return send(res, 404, { status: 'error', error: 'Agent not found' });
    const last = this.containers.filter((c) => c.agentId === agentId).at(-1);
    const running = last !== undefined && !this.finished(last);
    return send(res, 200, {
      containerId: last?.id ?? null,
      status: last ? (running ? 'running' : 'finished') : 'never launched',
      output: '',
      progress: null,
      isAgentRunning: running,
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
