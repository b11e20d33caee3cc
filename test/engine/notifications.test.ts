// Notifications: an interested reply reaches a Slack-compatible incoming webhook with the
// assignee and a link to the contact, once, through a rate limit; its URL is never echoed back.
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { insertMember } from '../../src/db/members.ts';
import { startSlackWebhook } from '../fakes/slackWebhook.ts';
import { instant, world } from '../support/world.ts';

describe('notifications', () => {
  it('a hand-off reaches the Slack-compatible webhook once, after a 429, with the assignee and the link', async () => {
    const w = await world({
      publicUrl: 'https://qh.example.com',
      outbound: { allowHosts: ['127.0.0.1'], random: seededRandom('n') },
    });
    await w.db.tenant(w.workspaceId, (sql) =>
      insertMember(sql, {
        workspaceId: w.workspaceId,
        email: 'olga@t.example.com',
        name: 'Olga',
        role: 'owner',
        passwordHash: 'x',
      }),
    );
    const slack = await startSlackWebhook();
    afterAll(() => slack.close());
    const created = await w.ok('POST', '/v1/integrations', { kind: 'slack', url: slack.url });
    expect(created).toMatchObject({ kind: 'slack', events: ['contact.handed_off', 'handoff.reminder'] });
    expect(JSON.stringify(await w.ok('GET', '/v1/integrations'))).not.toContain(slack.url);
    const [id] = await w.contacts([
      { email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await w.enroll(sequenceId, [id as string]);
    await w.engine.tick();
    const [message] = await w.messages();
    await w.ok('POST', `/v1/messages/${message?.id}/replies`, { body: 'Interested — can we talk Thursday?' });
    slack.state.answers.push({ status: 429, headers: { 'retry-after': '30' } });
    await w.engine.outbound.deliverDue();
    expect(slack.state.messages).toHaveLength(0);
    w.clock.advance(31_000);
    await w.engine.outbound.deliverDue();
    expect(slack.state.messages).toHaveLength(1);
    const text = slack.state.messages[0]?.text ?? '';
    expect(text).toContain('Ana (Acme)');
    expect(text).toContain('Assigned to Olga');
    expect(text).toContain(`https://qh.example.com/contacts/${id}`);
    expect(text).toContain('can we talk Thursday');
    w.clock.advance(3_600_000);
    await w.engine.outbound.deliverDue();
    // The SLA reminder (30 min) is the second and last message.
    expect(slack.state.messages).toHaveLength(2);
    expect(slack.state.messages[1]?.text).toContain('Reminder');
  });

  it('refuses bad integrations precisely', async () => {
    const w = await world();
    const bad = async (body: unknown, pattern: RegExp) => {
      const res = await w.call('POST', '/v1/integrations', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(pattern);
    };
    await bad({ kind: 'teams', url: 'https://hooks.example.com/x' }, /must be one of/);
    await bad({ kind: 'slack', url: 'http://169.254.169.254/' }, /link-local/);
    await bad({ kind: 'slack' }, /url/);
    expect((await w.call('DELETE', '/v1/integrations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
