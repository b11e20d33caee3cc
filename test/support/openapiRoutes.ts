// The API as the reliability battery walks it: every operation of the running server's
// /openapi.json (a new route is walked without a new test), the unauthenticated routes the document
// hides (tracking links, provider webhooks, the OAuth callback: found in the router, so a new one is
// walked too), a workspace holding objects of every kind, the ids of every workspace-owned row, and
// row counts that tell whether a refused request wrote anything.
import type { FastifyInstance } from 'fastify';
import { createRecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import type { Db } from '../../src/db/database.ts';
import { startDnsServer } from '../channels/support/dnsServer.ts';
import { instant, type World } from './world.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Schema = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxLength?: number;
  default?: unknown;
};
export type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema };
export type Operation = {
  method: Method;
  /** As the document writes it: /v1/contacts/{id}. */
  path: string;
  pathParams: string[];
  query: Parameter[];
  /** The JSON body's schema, when the operation takes one. */
  body?: Schema;
  contentTypes: string[];
  /** No credentials needed (security: [] in the document). */
  open: boolean;
};

type Document = {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: RequestBody; security?: unknown[] }>>;
};
type RequestBody = { content?: Record<string, { schema?: Schema }> };

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Every operation of GET /openapi.json, as the running server serves it. */
export async function operations(app: FastifyInstance): Promise<Operation[]> {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  const document = res.json<Document>();
  const list: Operation[] = [];
  for (const [path, verbs] of Object.entries(document.paths)) {
    for (const [verb, operation] of Object.entries(verbs)) {
      const method = verb.toUpperCase();
      if (!METHODS.has(method)) continue;
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      list.push({
        method: method as Method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query'),
        ...(content['application/json']?.schema ? { body: content['application/json'].schema } : {}),
        contentTypes: Object.keys(content),
        open: Array.isArray(operation.security) && operation.security.length === 0,
      });
    }
  }
  return list;
}

/**
 * The routes the router has and the document does not show (HEAD, the document itself and the
 * dashboard's catch-all aside), read from the router's own listing: /t/o/:token, /webhooks/:provider…
 */
export function hiddenRoutes(
  app: FastifyInstance,
  documented: readonly Operation[],
): { method: Method; path: string }[] {
  const shown = new Set(documented.map((o) => `${o.method} ${o.path.replace(/\{(\w+)\}/g, ':$1')}`));
  const parents: string[] = [];
  const found: { method: Method; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (parents[depth - 1] ?? '') + (match[2] ?? '');
    parents[depth] = path;
    for (const verb of (match[3] ?? '').split(', ')) {
      if (!METHODS.has(verb) || path === '*' || path === '/openapi.json' || shown.has(`${verb} ${path}`)) continue;
      found.push({ method: verb as Method, path });
    }
  }
  return found;
}

/** The path with each parameter ({id} or :id) replaced by value(name), written in as given. */
export function fillPath(path: string, value: (name: string) => string): string {
  return path.replace(/\{(\w+)\}|:(\w+)/g, (_all, braced?: string, colon?: string) => value(braced ?? colon ?? ''));
}

/** A parameter's or a property's value that passes its schema, when one is easily made. */
export function validValue(schema: Schema, name: string, ids: readonly string[]): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const alternative = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (alternative) return validValue(alternative, name, ids);
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [validValue(schema.items ?? {}, name.replace(/s$/, ''), ids)];
  if (type === 'object') return validObject(schema, ids);
  if (schema.format === 'uuid' || /Id$/.test(name)) return ids[0] ?? '00000000-0000-0000-0000-000000000000';
  if (schema.format === 'email' || /email/i.test(name)) return 'fuzz@example.com';
  if (schema.format === 'uri' || /url$/i.test(name)) return 'https://example.com/';
  if (schema.format === 'date-time') return '2026-03-02T09:00:00.000Z';
  return 'x';
}

/** An object with every required property given a valid value. */
export function validObject(schema: Schema, ids: readonly string[]): Record<string, unknown> {
  const properties = schema.properties ?? schema.anyOf?.[0]?.properties ?? {};
  const required = schema.required ?? schema.anyOf?.[0]?.required ?? [];
  return Object.fromEntries(required.map((name) => [name, validValue(properties[name] ?? {}, name, ids)]));
}

/** Every table with a workspace_id and an id: each is one kind of object a workspace owns. */
export async function workspaceTables(db: Db): Promise<string[]> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.columns i ON i.table_schema = c.table_schema AND i.table_name = c.table_name AND i.column_name = 'id'
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
       WHERE c.table_schema = 'public' AND c.column_name = 'workspace_id' ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  });
}

/** The ids of one workspace's rows, by table (read as the owner: every row, whatever RLS says). */
export async function idsByTable(
  db: Db,
  workspaceId: string,
  tables: readonly string[],
): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  await db.system(async (sql) => {
    for (const table of tables) {
      const { rows } = await sql.query<{ id: string }>(
        `SELECT id::text AS id FROM ${table} WHERE workspace_id = $1 ORDER BY id LIMIT 20`,
        [workspaceId],
      );
      if (rows.length > 0)
        ids.set(
          table,
          rows.map((r) => r.id),
        );
    }
  });
  return ids;
}

/** A counter of the rows in every table of the public schema, in one statement. */
export async function rowCounter(db: Db): Promise<() => Promise<Map<string, number>>> {
  const tables = await db.system(
    async (sql) =>
      (
        await sql.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
        )
      ).rows,
  );
  const counter = tables
    .map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`)
    .join(' UNION ALL ');
  return async () =>
    new Map((await db.system((sql) => sql.query<{ name: string; n: number }>(counter))).rows.map((r) => [r.name, r.n]));
}

/** The domains populate() writes to. */
const POPULATED_DOMAINS = ['acme.example.com', 'beta.example.com'];

/**
 * A recipient check for the world populate() fills, on a local DNS server where its contacts'
 * domains accept mail: an account of a real provider screens recipients, and this machine's
 * resolver says no such domain (the email went to the sandbox account or was skipped, by the order
 * of the accounts' random ids).
 */
export async function populatedRecipients() {
  const dns = await startDnsServer(
    Object.fromEntries(
      POPULATED_DOMAINS.map((domain) => [domain, { MX: [{ exchange: `mx.${domain}`, priority: 10 }] }]),
    ),
  );
  return { recipients: createRecipientChecker({ resolver: dns.resolver }), close: () => dns.close() };
}

/**
 * A workspace with objects of every kind the API makes: contacts, a sequence with email and call
 * steps, enrollments, sent messages, a reply, a hand-off, a call task, an account, an outbound
 * webhook, an integration, a second API key, an invite, a plan. Strings carry `marker`.
 */
export async function populate(w: World, marker: string): Promise<void> {
  await w.ok('POST', '/v1/senders', { channel: 'email', provider: 'sandbox', fromEmail: `${marker}@ours.example.com` });
  const [ana, ben] = await w.contacts([
    { email: `ana.${marker}@acme.example.com`, firstName: `Ana${marker}`, phone: '+4915112345678', timezone: 'UTC' },
    { email: `ben.${marker}@beta.example.com`, firstName: `Ben${marker}`, timezone: 'UTC' },
  ]);
  const steps = [
    { channel: 'email', template: 'intro' },
    { channel: 'call', template: 'discovery_call' },
  ];
  const sequenceId = await w.sequence(instant(steps, { name: `Seq ${marker}` }));
  await w.enroll(sequenceId, [ana as string, ben as string]);
  await w.engine.tick();
  await w.engine.tick();
  const [message] = await w.messages('&channel=email');
  if (!message) {
    const timelines = await Promise.all([ana, ben].map((id) => w.timeline(String(id))));
    throw new Error(`populate: no email message after two ticks: ${JSON.stringify(timelines)}`);
  }
  await w.ok('POST', `/v1/messages/${String(message.id)}/replies`, { body: `Yes, interested ${marker}` });
  await w.ok('POST', '/v1/handoffs', { contactId: ben, note: `note ${marker}` });
  await w.ok('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['contact.replied'] });
  await w.ok('POST', '/v1/integrations', { kind: 'slack', url: `https://127.0.0.1:9/services/T0/B0/${marker}` });
  await w.ok('POST', '/v1/keys', { name: `key ${marker}` });
  await w.call('POST', '/v1/members/invites', { email: `invitee.${marker}@acme.example.com` });
  await w.call('POST', '/v1/plans', { contactIds: [ana], sequenceId });
}
