// Issue 18, point 9: with a model configured, the same fact shaping feeds the prompt, the guardrails
// (placeholder identity and invented facts included) judge the model's output, and a failing model
// falls back to the composer. Against the local fake model servers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWriter } from '../../src/writer/writer.ts';
import { startOpenAIFake } from '../fakes/openai.ts';
import type { ModelFake } from '../fakes/modelFakeServer.ts';
import { GOOD_DRAFT, OPENAI_KEY, emailInput, testConfig } from './llmFixtures.ts';
import { makeInput, richContact } from './contacts.ts';

let openai: ModelFake;
beforeEach(async () => {
  openai = await startOpenAIFake({ apiKey: OPENAI_KEY });
});
afterEach(() => openai.close());
const config = () => testConfig({ provider: 'openai', apiKey: OPENAI_KEY, baseUrl: openai.url });

describe('the model path', () => {
  it('gets the facts as language, their bearing on the offer and the offer in the sender voice', async () => {
    openai.enqueue({ kind: 'json', value: GOOD_DRAFT });
    await createWriter({ model: config() }).write(emailInput());
    const prompt = openai.requests[0]?.prompt ?? '';
    expect(prompt).toContain('## The facts as language');
    expect(prompt).toContain(
      'enrichment.painPoints[0] (pain, close to what the offer does): as a clause: "manual lead research eats SDR time"',
    );
    expect(prompt).toContain('"congrats on the $40M Series B"');
    expect(prompt).toContain(
      `offer in the sender's voice: "we write and send multi-channel outreach from your own accounts"`,
    );
    expect(prompt).toMatch(/never sign "The … team"/);
  });

  it('never tells the model a placeholder company name or a "team" signature', async () => {
    openai.enqueue({ kind: 'json', value: GOOD_DRAFT });
    const input = makeInput(richContact(0), {
      workspace: { name: 'Default workspace', offer: 'We write and send multi-channel outreach.' },
      sender: {},
    });
    await createWriter({ model: config() }).write(input);
    const prompt = openai.requests[0]?.prompt ?? '';
    expect(prompt).not.toContain('Default workspace');
    expect(prompt).toContain('company: (not set: do not name the company)');
    expect(prompt).toContain('name: (not set: end with a plain sign-off word and no name)');
  });

  it('regenerates, then blocks, a draft signed "The Default workspace team"', async () => {
    const signed = { ...GOOD_DRAFT, body: GOOD_DRAFT.body.replace('Sam Rivera', 'The Default workspace team') };
    openai.enqueue({ kind: 'json', value: signed }, { kind: 'json', value: signed });
    const outcome = await createWriter({ model: config() }).write(emailInput());
    expect(outcome).toMatchObject({ ok: false, blocked: true, generator: 'model' });
    expect(outcome.checks.failures.map((failure) => failure.rule)).toContain('placeholder');
    expect(openai.requests[1]?.prompt).toContain('placeholder: "Default workspace" is a placeholder identity');
  });

  it('falls back to the composer, whose text uses the shaped facts, when the model fails', async () => {
    openai.setDefault({ kind: 'status', status: 500 });
    const outcome = await createWriter({ model: config() }).write(emailInput());
    expect(outcome).toMatchObject({
      ok: true,
      generator: 'composer',
      fallback: { cause: expect.stringMatching(/^provider_/) },
    });
    expect(outcome.ok && outcome.body).not.toMatch(/Manual lead research eats/);
  });
});
