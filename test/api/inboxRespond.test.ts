// Answering a reply from the inbox, from the account the conversation went out on: threaded under
// our message, recorded in the conversation, refused where it must not go out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instant, world } from '../support/world.ts';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';

let fake: FakeHttpProvider;
beforeAll(async () => {
  fake = await startFakeHttpProvider();
});
afterAll(() => fake.close());

async function conversation(sender?: Record<string, unknown>) {
  const w = await world();
  if (sender) await w.ok('POST', '/v1/senders', sender);
  const [ana] = await w.contacts([{ email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme' }]);
  const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
  await w.enroll(sequenceId, [ana as string]);
  await w.engine.tick();
  const message = (await w.messages())[0] as { id: string; provider: string };
  const replyId = (await w.ok('POST', `/v1/messages/${message.id}/replies`, { body: 'Interested — can we talk?' }))
    .replyId as string;
  return { w, ana: ana as string, message, replyId };
}

describe('POST /v1/replies/:id/respond', () => {
  it('answers through the same account, threaded under our message, and shows it in the conversation', async () => {
    const { w, ana, message, replyId } = await conversation({
      channel: 'email',
      provider: 'http',
      fromEmail: 'sam@ours.example.com',
      fromName: 'Sam',
      credentials: { url: fake.url },
    });
    expect(message.provider).toBe('http');
    // As a real email account records it when it sends (the HTTP channel sends JSON, no Message-ID of its own).
    await w.row(`UPDATE messages SET rfc_message_id = '<m1@ours.example.com>', subject = 'Hello' WHERE id = $1`, [
      message.id,
    ]);
    const before = fake.deliveries.length;
    const answered = await w.ok('POST', `/v1/replies/${replyId}/respond`, { body: 'Tuesday 10:00 works.' });
    expect(answered.action).toMatchObject({ action: 'respond', data: { status: 'sent', provider: 'http' } });
    const sent = fake.deliveries.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({
      to: { email: 'ana@acme.example.com' },
      from: { email: 'sam@ours.example.com', name: 'Sam' },
      subject: 'Re: Hello',
      text: 'Tuesday 10:00 works.',
      headers: { 'In-Reply-To': '<m1@ours.example.com>', References: '<m1@ours.example.com>' },
    });
    const detail = await w.ok('GET', `/v1/replies/${replyId}`);
    expect((detail.conversation as { kind: string; body: string }[]).map((e) => [e.kind, e.body])).toEqual([
      ['message', expect.any(String)],
      ['reply', 'Interested — can we talk?'],
      ['response', 'Tuesday 10:00 works.'],
    ]);
    expect((await w.timeline(ana)).map((a) => a.type)).toContain('responded');

    fake.failNext(400);
    const refused = await w.call('POST', `/v1/replies/${replyId}/respond`, { body: 'Second try' });
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ error: { code: 'send_failed' } });
    const actions = (await w.ok('GET', `/v1/replies/${replyId}`)).actions as { data: { status: string } }[];
    expect(actions.map((a) => a.data.status)).toEqual(['sent', 'failed']);
  });

  it("sends nothing and records the failure when the account's credentials no longer open", async () => {
    const { w, replyId } = await conversation({
      channel: 'email',
      provider: 'http',
      fromEmail: 'sam@ours.example.com',
      fromName: 'Sam',
      credentials: { url: fake.url },
    });
    await w.row(`UPDATE senders SET credentials = $1`, [Buffer.from('sealed with a key long gone')]);
    const before = fake.deliveries.length;
    const answer = await w.call('POST', `/v1/replies/${replyId}/respond`, { body: 'Tuesday?' });
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({
      error: { code: 'send_failed', message: expect.stringMatching(/cannot be decrypted/) },
    });
    expect(fake.deliveries).toHaveLength(before);
  });

  it('answers in the sandbox when the conversation went out there, and never writes to a suppressed contact', async () => {
    const { w, replyId } = await conversation();
    const answered = await w.ok('POST', `/v1/replies/${replyId}/respond`, { body: 'Thanks!' });
    expect(answered.action).toMatchObject({ data: { status: 'sent', provider: 'sandbox' } });
    expect((await w.call('POST', `/v1/replies/${replyId}/respond`, { body: '' })).status).toBe(400);
    await w.ok('POST', `/v1/replies/${replyId}/unsubscribe`, {});
    const refused = await w.call('POST', `/v1/replies/${replyId}/respond`, { body: 'One more thing' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { message: 'the contact is unsubscribed: nothing more is sent to them' },
    });
  });
});
