import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicFake, type ModelFake } from '../fakes/anthropic.ts';
import { DANA, DANA_DRAFT, fakeModel, writerWorkspace, writerWorld } from './writerFixtures.ts';
import { ALWAYS_OPEN } from '../support/world.ts';

let fake: ModelFake;
beforeAll(async () => {
  fake = await startAnthropicFake({ apiKey: 'sk-ant-writer-api-test' });
});
afterAll(() => fake.close());

const composerWorld = await writerWorld();

/** Dana enrolled in a one-step email sequence that is due at once; returns her contact id. */
async function enrollDanaInOneStep(w: Awaited<ReturnType<typeof writerWorld>>) {
  const [dana] = await w.contacts([DANA]);
  const sequence = await w.ok('POST', '/v1/sequences', {
    name: 'one step',
    steps: [{ day: 0, channel: 'email', template: 'intro' }],
    schedule: ALWAYS_OPEN,
  });
  await w.ok('POST', `/v1/sequences/${String(sequence.id)}/enrollments`, { contactIds: [dana] });
  return dana;
}

describe('POST /v1/writer/generate without a model (offline composer)', () => {
  it('previews an email with subject, facts used and guardrail results; nothing is sent or stored', async () => {
    const w = composerWorld;
    const [dana] = await w.contacts([DANA]);
    const res = await w.call('POST', '/v1/writer/generate', { contactId: dana, channel: 'email', purpose: 'intro' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ blocked: false, generator: 'composer', cached: false, checks: { passed: true } });
    expect(String(res.body.subject).length).toBeGreaterThan(0);
    expect(res.body.body).toContain('Dana');
    expect(res.body.factsUsed).toEqual(expect.arrayContaining(['firstName']));
    expect(res.body).not.toHaveProperty('model');
    const rows = await w.row(
      `SELECT (SELECT count(*) FROM messages WHERE workspace_id = $1)::int AS messages,
              (SELECT count(*) FROM writer_cache WHERE workspace_id = $1)::int AS cached`,
      [w.workspaceId],
    );
    expect(rows[0]).toEqual({ messages: 0, cached: 0 });
  });

  it('previews every channel; variants differ; a LinkedIn note stays within 300 characters', async () => {
    const w = composerWorld;
    const [dana] = await w.contacts([DANA]);
    const preview = async (channel: string, purpose: string, variant?: number) =>
      (
        await w.ok('POST', '/v1/writer/generate', {
          contactId: dana,
          channel,
          purpose,
          ...(variant === undefined ? {} : { variant }),
        })
      ).body as string;
    expect((await preview('linkedin', 'connection_request')).length).toBeLessThanOrEqual(300);
    for (const [channel, purpose] of [
      ['whatsapp', 'casual_checkin'],
      ['sms', 'intro'],
      ['call', 'discovery_call'],
    ] as const) {
      expect((await preview(channel, purpose)).length).toBeGreaterThan(0);
    }
    expect(await preview('email', 'intro', 1)).not.toBe(await preview('email', 'intro', 0));
  });

  it.each([
    [{ channel: 'email', purpose: 'intro' }, 400, 'body.contactId: is required'],
    [{ contactId: 'nope', channel: 'email', purpose: 'intro' }, 400, 'body.contactId: must be a contact id (UUID)'],
    [
      { contactId: '{id}', channel: 'fax', purpose: 'intro' },
      400,
      'body.channel: must be one of email, linkedin, whatsapp, sms, call (got "fax")',
    ],
    [{ contactId: '{id}', channel: 'email' }, 400, 'body.purpose: is required'],
    [
      { contactId: '{id}', channel: 'email', purpose: 'Intro!' },
      400,
      'body.purpose: must be one of intro, connection_request, linkedin_dm, followup_1, followup_2, followup_3, casual_checkin, value_add, case_study, discovery_call, breakup, reengage (got "Intro!")',
    ],
    [{ contactId: '{id}', channel: 'email', purpose: 'nope' }, 400, 'body.purpose: must be one of intro, '],
    [{ contactId: '{id}', channel: 'email', purpose: 7 }, 400, 'body.purpose: must be one of intro, '],
    [{ contactId: '{id}', channel: 'email', purpose: 'intro', variant: 12 }, 400, 'body.variant:'],
    [{ contactId: '{id}', channel: 'email', purpose: 'intro', tone: 'warm' }, 400, 'tone'],
    [
      { contactId: '0190a1b2-0000-7000-8000-000000000000', channel: 'email', purpose: 'intro' },
      404,
      'contact not found',
    ],
  ])('rejects %j with %i and a precise message', async (payload, status, message) => {
    const w = composerWorld;
    const [dana] = await w.contacts([DANA]);
    const body = JSON.parse(JSON.stringify(payload).replace('{id}', dana as string));
    const res = await w.call('POST', '/v1/writer/generate', body);
    expect(res.status).toBe(status);
    expect((res.body.error as { message: string }).message).toContain(message);
  });

  it("answers 404 for another workspace's contact and 400 for malformed JSON", async () => {
    const w = composerWorld;
    const other = await writerWorkspace(w);
    const [theirs] = await other.contacts([{ ...DANA, email: 'dana@elsewhere.example.com' }]);
    const res = await w.call('POST', '/v1/writer/generate', { contactId: theirs, channel: 'email', purpose: 'intro' });
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'contact not found' } } });
    const bad = await w.call('POST', '/v1/writer/generate', '{"contactId":', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_json' } });
  });
});

describe('POST /v1/writer/generate with a model', () => {
  it('previews the model draft with model, usage and checks; the same request again is a cache hit', async () => {
    const w = await writerWorld({ model: fakeModel(fake.url) });
    const [dana] = await w.contacts([DANA]);
    const before = fake.requests.length;
    fake.enqueue({ kind: 'json', value: DANA_DRAFT, usage: { input: 1000, output: 200 } });
    const request = { contactId: dana, channel: 'email', purpose: 'intro' };
    const first = await w.ok('POST', '/v1/writer/generate', request);
    expect(first).toMatchObject({
      blocked: false,
      generator: 'model',
      model: 'claude-haiku-4-5',
      subject: DANA_DRAFT.subject,
      body: DANA_DRAFT.body,
      factsUsed: DANA_DRAFT.factsUsed,
      checks: { passed: true },
      usage: { inputTokens: 1000, outputTokens: 200, costUsd: 0.002 },
      cached: false,
    });
    expect(fake.requests.length - before).toBe(1);
    expect(fake.requests.at(-1)?.prompt).toContain('Manual lead research eats SDR time');

    const second = await w.ok('POST', '/v1/writer/generate', request);
    expect(second).toMatchObject({ body: DANA_DRAFT.body, generator: 'model', cached: true });
    expect(fake.requests.length - before).toBe(1);
    const rows = await w.row<{ n: number }>('SELECT count(*)::int AS n FROM writer_cache WHERE workspace_id = $1', [
      w.workspaceId,
    ]);
    expect(rows[0]?.n).toBe(1);

    // Another workspace never sees this workspace's cache (row-level security and the key's scope).
    const other = await w.workspace('Other');
    expect(await other.row('SELECT key FROM writer_cache')).toEqual([]);
    expect(await w.row('SELECT key FROM writer_cache')).toHaveLength(1);
  });

  it('falls back to the composer when the model fails, says why, and caches nothing', async () => {
    const w = await writerWorld({ model: fakeModel(fake.url) });
    const [dana] = await w.contacts([DANA]);
    fake.enqueue({ kind: 'status', status: 401, message: 'invalid x-api-key' });
    const res = await w.ok('POST', '/v1/writer/generate', { contactId: dana, channel: 'email', purpose: 'intro' });
    expect(res).toMatchObject({
      blocked: false,
      generator: 'composer',
      fallback: { cause: expect.stringMatching(/^auth:/) },
    });
    const rows = await w.row<{ n: number }>('SELECT count(*)::int AS n FROM writer_cache WHERE workspace_id = $1', [
      w.workspaceId,
    ]);
    expect(rows[0]?.n).toBe(0);
  });

  it('reports a draft blocked by the guardrails after one regeneration', async () => {
    const w = await writerWorld({ model: fakeModel(fake.url) });
    const [dana] = await w.contacts([DANA]);
    const invented = { ...DANA_DRAFT, body: DANA_DRAFT.body.replace('no exception', 'like Globex Corporation') };
    fake.enqueue({ kind: 'json', value: invented }, { kind: 'json', value: invented });
    const res = await w.ok('POST', '/v1/writer/generate', { contactId: dana, channel: 'email', purpose: 'intro' });
    expect(res).toMatchObject({ blocked: true, generator: 'model', checks: { passed: false } });
    expect(res.reason).toMatch(/Globex.*after one regeneration/);
  });

  it('the engine writes a step with the model, caches it in the same workspace, and records tokens and cost on the message', async () => {
    const w = await writerWorld({ model: fakeModel(fake.url) });
    await enrollDanaInOneStep(w);
    fake.enqueue({ kind: 'json', value: DANA_DRAFT, usage: { input: 1200, output: 300 } });
    await w.engine.tick();
    const rows = await w.row('SELECT status, subject, body, writer FROM messages WHERE workspace_id = $1', [
      w.workspaceId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'sent',
      subject: DANA_DRAFT.subject,
      body: expect.stringContaining('Hi Dana'),
      writer: {
        generator: 'model',
        model: 'claude-haiku-4-5',
        usage: { inputTokens: 1200, outputTokens: 300, costUsd: 0.0027 },
        factsUsed: DANA_DRAFT.factsUsed,
      },
    });
    const cache = await w.row('SELECT workspace_id FROM writer_cache WHERE workspace_id = $1', [w.workspaceId]);
    expect(cache).toHaveLength(1);
  });
});

describe('the engine when the model fails', () => {
  it('falls back to the offline composer, sends, and writes "Message generation failed" with the cause on the timeline', async () => {
    const fake = await startAnthropicFake({ apiKey: 'sk-ant-writer-api-test' });
    try {
      const w = await writerWorld({ model: { ...fakeModel(fake.url), maxRetries: 0 } });
      const dana = await enrollDanaInOneStep(w);
      fake.enqueue({ kind: 'text', text: 'this is not JSON at all' });
      await w.engine.tick();
      const rows = await w.row('SELECT status, body, writer FROM messages WHERE workspace_id = $1', [w.workspaceId]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'sent', writer: { generator: 'composer' } });
      const timeline = await w.ok('GET', `/v1/contacts/${String(dana)}/timeline`);
      const failed = (timeline.data as { type: string; summary: string }[]).find((a) => a.type === 'generation_failed');
      expect(failed?.summary).toMatch(/^Message generation failed: malformed/);
    } finally {
      await fake.close();
    }
  });
});

describe('POST /v1/replies/classify', () => {
  it('uses the heuristic without a model', async () => {
    const res = await composerWorld.ok('POST', '/v1/replies/classify', {
      body: 'Yes, let us set up a call. Does Thursday at 2pm work? Send me an invite.',
    });
    expect(res).toMatchObject({ intent: 'meeting_request', source: 'heuristic' });
  });

  it('asks the model when one is configured, and keeps the heuristic answer when the model fails', async () => {
    const w = await writerWorld({ model: fakeModel(fake.url) });
    fake.enqueue({
      kind: 'json',
      value: { intent: 'not_now', confidence: 0.95, returnDate: '', referralName: '', referralEmail: '' },
      usage: { input: 300, output: 20 },
    });
    const asked = await w.ok('POST', '/v1/replies/classify', { body: 'Ping me again after our budget review.' });
    expect(asked).toMatchObject({ intent: 'not_now', confidence: 0.95, source: 'model', model: 'claude-haiku-4-5' });
    expect(fake.requests.at(-1)?.prompt).toContain('Ping me again after our budget review.');

    fake.enqueue({ kind: 'status', status: 500 });
    const failed = await w.ok('POST', '/v1/replies/classify', { body: 'Please remove me from your list.' });
    expect(failed).toMatchObject({
      intent: 'unsubscribe',
      source: 'heuristic',
      modelError: expect.stringMatching(/^provider_error/),
    });
  });

  it.each([
    [{}, 'body.body'],
    [{ body: '   ' }, 'body.body: must not be empty'],
    [{ body: 'hi', mood: 'x' }, 'mood'],
  ])('rejects %j with a precise message', async (payload, message) => {
    const res = await composerWorld.call('POST', '/v1/replies/classify', payload);
    expect(res.status).toBe(400);
    expect((res.body.error as { message: string }).message).toContain(message);
  });
});
