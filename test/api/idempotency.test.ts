// Idempotency-Key (issue 16): the same key and request replay the first answer (Idempotent-Replayed),
// a key whose first request is still running answers 409 with Retry-After, the same key with another
// body 422; keys are per workspace and kept 24 hours.
import { describe, expect, it } from 'vitest';
import { IDEMPOTENT_ROUTES } from '../../src/api/idempotency.ts';
import { instant, world } from '../support/world.ts';
import { DANA, writerWorld } from './writerFixtures.ts';

type World = Awaited<ReturnType<typeof world>>;

const sequenceBody = (name: string) => ({ ...instant([{ channel: 'email', template: 'intro' }]), name });

async function post(w: Pick<World, 'app' | 'apiKey'>, url: string, body: unknown, key?: string) {
  const res = await w.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${w.apiKey}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body as object,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

const count = async (w: Pick<World, 'row'>, table: string) =>
  Number((await w.row<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

describe('Idempotency-Key', () => {
  it('replays the first answer to the same key and body, on every route that creates or starts', async () => {
    const w = await world();
    const first = await post(w, '/v1/sequences', sequenceBody('Q1'), 'seq-1');
    const again = await post(w, '/v1/sequences', sequenceBody('Q1'), 'seq-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count(w, 'sequences')).toBe(1);

    const contacts = { contacts: [{ email: 'ana@globex.example', firstName: 'Ana' }] };
    const imported = await post(w, '/v1/contacts', contacts, 'import-1');
    expect((await post(w, '/v1/contacts', contacts, 'import-1')).headers['idempotent-replayed']).toBe('true');
    const contactIds = (await w.row<{ id: string }>('SELECT id FROM contacts')).map((r) => r.id);
    const sequenceId = (JSON.parse(first.body) as { id: string }).id;
    const enroll = { contactIds };
    const enrolled = await post(w, `/v1/sequences/${sequenceId}/enrollments`, enroll, 'enroll-1');
    const replayed = await post(w, `/v1/sequences/${sequenceId}/enrollments`, enroll, 'enroll-1');
    expect(replayed).toMatchObject({ status: enrolled.status, body: enrolled.body });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const sender = { channel: 'email', provider: 'sandbox', fromEmail: 'sam@acme.example' };
    const created = await post(w, '/v1/senders', sender, 'sender-1');
    expect((await post(w, '/v1/senders', sender, 'sender-1')).body).toBe(created.body);
    expect([imported.status, created.status]).toEqual([200, 201]);
    expect(await count(w, 'senders')).toBe(1);
    // Without the header nothing changes: two requests, two sequences.
    await post(w, '/v1/sequences', sequenceBody('Q2'));
    await post(w, '/v1/sequences', sequenceBody('Q2'));
    expect(await count(w, 'sequences')).toBe(3);
  });

  it('answers 422 to the same key with another body, 409 with Retry-After while the first runs, 400 to a bad key', async () => {
    const w = await world();
    await post(w, '/v1/sequences', sequenceBody('A'), 'k');
    const other = await post(w, '/v1/sequences', sequenceBody('B'), 'k');
    expect(other.status).toBe(422);
    expect(JSON.parse(other.body)).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    // A first request still being answered (its row claimed, no answer yet).
    await w.row(
      `INSERT INTO idempotency_keys (workspace_id, key, fingerprint, started_at, expires_at)
       SELECT workspace_id, 'busy', fingerprint, $1, $2 FROM idempotency_keys WHERE key = 'k'`,
      [w.clock.now(), new Date(w.clock.now().getTime() + 86_400_000)],
    );
    const busy = await post(w, '/v1/sequences', sequenceBody('A'), 'busy');
    expect(busy.status).toBe(409);
    expect(busy.headers['retry-after']).toBe('1');
    expect(JSON.parse(busy.body)).toMatchObject({ error: { code: 'idempotency_key_in_use' } });
    // Concurrent requests with one key: one sequence, every answer a success or that 409.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => post(w, '/v1/sequences', sequenceBody('C'), 'race')),
    );
    expect(answers.every((a) => a.status === 201 || (a.status === 409 && a.headers['retry-after'] === '1'))).toBe(true);
    expect(await count(w, `sequences WHERE name = 'C'`)).toBe(1);
    for (const bad of ['', 'a b', 'é', 'x'.repeat(256)]) {
      const res = await post(w, '/v1/sequences', sequenceBody('D'), bad);
      expect(res.status, bad).toBe(400);
    }
    expect(await count(w, `sequences WHERE name = 'D'`)).toBe(0);
  });

  it('keeps keys apart per workspace and for 24 hours', async () => {
    const w = await world();
    const other = await w.workspace('Other');
    const mine = await post(w, '/v1/sequences', sequenceBody('S'), 'same');
    const theirs = await post(other, '/v1/sequences', sequenceBody('S'), 'same');
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body).not.toBe(mine.body);
    w.clock.advance(24 * 3_600_000 - 1000);
    expect((await post(w, '/v1/sequences', sequenceBody('S'), 'same')).headers['idempotent-replayed']).toBe('true');
    w.clock.advance(1000);
    const later = await post(w, '/v1/sequences', sequenceBody('S'), 'same');
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(await count(w, 'sequences')).toBe(2);
  });

  it('executes a plan once per key: replayed, 409 with Retry-After while running, 422 on another plan', async () => {
    const w = await writerWorld();
    const sequenceId = (await w.ok('POST', '/v1/sequences', sequenceBody('Plan'))).id as string;
    const [dana] = await w.contacts([DANA]);
    const leads = [0, 1].map((i) => ({ ...DANA, email: `lead${i}@northwind.example.com`, firstName: `Lead${i}` }));
    const others = await w.contacts(leads);
    const plan = async (contactId: string) =>
      (await w.ok('POST', '/v1/plans', { contactIds: [contactId], sequenceId })).id as string;
    const [first, second, raced] = [
      await plan(dana as string),
      await plan(others[0] as string),
      await plan(others[1] as string),
    ];
    const sentTo = async (contactId: string) => count(w, `messages WHERE contact_id = '${contactId}'`);

    const executed = await post(w, `/v1/plans/${first}/execute`, undefined, 'exec-1');
    expect(executed.status, executed.body).toBe(200);
    expect(executed.headers['idempotent-replayed']).toBeUndefined();
    expect(JSON.parse(executed.body)).toMatchObject({ enrolled: 1, messages_sent: 1 });
    const again = await post(w, `/v1/plans/${first}/execute`, undefined, 'exec-1');
    expect(again).toMatchObject({ status: 200, body: executed.body });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await sentTo(dana as string)).toBe(1);
    expect(await count(w, 'enrollments')).toBe(1);

    // The key on another plan is another request: 422, and that plan stays a draft.
    const reused = await post(w, `/v1/plans/${second}/execute`, undefined, 'exec-1');
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.body)).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(await w.ok('GET', `/v1/plans/${second}`)).toMatchObject({ status: 'draft', result: null });
    expect(await sentTo(others[0] as string)).toBe(0);

    // A first execution still being answered (its row claimed, no answer yet): 409 with Retry-After.
    await w.row(
      `INSERT INTO idempotency_keys (workspace_id, key, fingerprint, started_at, expires_at)
       SELECT workspace_id, 'exec-busy', fingerprint, $1, $2 FROM idempotency_keys WHERE key = 'exec-1'`,
      [w.clock.now(), new Date(w.clock.now().getTime() + 86_400_000)],
    );
    const busy = await post(w, `/v1/plans/${first}/execute`, undefined, 'exec-busy');
    expect(busy.status).toBe(409);
    expect(busy.headers['retry-after']).toBe('1');
    expect(JSON.parse(busy.body)).toMatchObject({ error: { code: 'idempotency_key_in_use' } });

    // Concurrent executions with one key: one execution; every other answer its replay or that 409.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => post(w, `/v1/plans/${raced}/execute`, undefined, 'exec-race')),
    );
    const fresh = answers.filter((a) => a.status === 200 && a.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    for (const a of answers)
      if (a.status === 200) expect(a.body).toBe(fresh[0]?.body);
      else {
        expect(a.status, a.body).toBe(409);
        expect(a.headers['retry-after']).toBe('1');
        expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'idempotency_key_in_use' } });
      }
    expect(await sentTo(others[1] as string)).toBe(1);
    expect(await count(w, 'enrollments')).toBe(2);
  });

  it('is documented in /openapi.json on each of those routes', async () => {
    const w = await world();
    const doc = (await w.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    for (const route of IDEMPOTENT_ROUTES) {
      const [, path = ''] = route.split(' ');
      expect(doc.paths[path]?.post?.parameters, route).toContainEqual(
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
      );
    }
  });
});
