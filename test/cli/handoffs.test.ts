// quotahit handoffs list|ack: the hand-offs the API made, listed with their link; ack stops the SLA
// reminder and is seen by the API at once; bad input exits 2 with a precise message, changing nothing.
import { describe, expect, it } from 'vitest';
import { bearer, cliEnv, testApi } from '../support/harness.ts';
import { runCli } from '../support/processes.ts';

const app = await testApi();
const env = cliEnv();

async function workspaceWithHandoff(name: string) {
  const run = await runCli(['workspace', 'create', '--name', name, '--json'], env);
  const { workspaceId, apiKey } = JSON.parse(run.stdout) as { workspaceId: string; apiKey: string };
  const api = async (method: 'GET' | 'POST', url: string, payload?: object) =>
    (await app.inject({ method, url, headers: bearer(apiKey), ...(payload ? { payload } : {}) })).json() as Record<
      string,
      unknown
    >;
  await api('POST', '/v1/contacts', {
    contacts: [{ email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme' }],
  });
  const contacts = (await api('GET', '/v1/contacts')).data as { id: string }[];
  const handoff = await api('POST', '/v1/handoffs', { contactId: contacts[0]?.id, note: 'Met at the fair' });
  return { workspaceId, api, handoffId: handoff.id as string, contactId: contacts[0]?.id as string };
}

describe('handoffs commands', () => {
  it('lists hand-offs with who, status and link; ack acknowledges for the API too', async () => {
    const name = `Handoffs ${Date.now()}`;
    const { api, handoffId, contactId } = await workspaceWithHandoff(name);

    const list = await runCli(['handoffs', 'list', '--workspace', name], env);
    expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(/^ID\s+CONTACT\s+SOURCE\s+INTENT\s+ASSIGNEE\s+STATUS\s+DUE\s+LINK\n/);
    expect(list.stdout).toContain(handoffId);
    expect(list.stdout).toContain('Ana (Acme)');
    expect(list.stdout).toContain(`/contacts/${contactId}`);
    const json = JSON.parse(
      (await runCli(['handoffs', '--workspace', name, '--status', 'open', '--json'], env)).stdout,
    );
    expect(json).toMatchObject({ data: [{ id: handoffId, status: 'open', source: 'manual' }], nextCursor: null });

    const ack = await runCli(['handoffs', 'ack', handoffId, '--workspace', name], env);
    expect({ code: ack.code, stderr: ack.stderr }).toEqual({ code: 0, stderr: '' });
    expect(ack.stdout).toContain(`Hand-off ${handoffId} (Ana (Acme)) acknowledged`);
    expect(await api('GET', `/v1/handoffs/${handoffId}`)).toMatchObject({ status: 'acknowledged' });
    const open = await runCli(['handoffs', '--workspace', name, '--status', 'open'], env);
    expect(open.stdout).toContain(`Workspace "${name}" has no open hand-offs.`);
  });

  it('exits 2 with a precise message on bad input, changing nothing', async () => {
    const name = `Handoffs bad ${Date.now()}`;
    const { api, handoffId } = await workspaceWithHandoff(name);
    const other = await workspaceWithHandoff(`${name} other`);
    const cases: [string[], RegExp][] = [
      [['handoffs', 'list', '--workspace', 'No such workspace'], /workspace "No such workspace" not found/],
      [['handoffs', 'list'], /--workspace is needed/],
      [['handoffs', 'list', '--workspace', name, '--status', 'closed'], /--status must be one of open, acknowledged/],
      [['handoffs', 'list', '--workspace', name, '--limit', '0'], /--limit must be a whole number from 1 to 500/],
      [['handoffs', 'list', '--workspace', name, '--limit', 'ten'], /--limit must be a whole number/],
      [['handoffs', 'ack', '--workspace', name], /missing required argument 'id'/],
      [['handoffs', 'ack', 'nope', '--workspace', name], /"nope" is not a hand-off id/],
      [
        ['handoffs', 'ack', '00000000-0000-4000-8000-000000000000', '--workspace', name],
        /no hand-off 00000000-0000-4000-8000-000000000000 in workspace/,
      ],
      // A hand-off of another workspace is not found in this one.
      [['handoffs', 'ack', other.handoffId, '--workspace', name], /no hand-off .* in workspace/],
      [['handoffs', 'frobnicate'], /unknown command|too many arguments/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    }
    expect(await api('GET', `/v1/handoffs/${handoffId}`)).toMatchObject({ status: 'open' });
    expect(await other.api('GET', `/v1/handoffs/${other.handoffId}`)).toMatchObject({ status: 'open' });
    expect((await runCli(['handoffs', 'ack', handoffId, '--workspace', name], env)).code).toBe(0);
    const twice = await runCli(['handoffs', 'ack', handoffId, '--workspace', name], env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/was acknowledged already/);
  });
});
