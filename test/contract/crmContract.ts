// The contract each CRM client keeps against its local fake (test/fakes/hubspot.ts, pipedrive.ts):
// a person upserted by email is one person, a deal is created at a stage, found again and moved, our
// stage lands in a person field, a note is found by its reference, a 429 asks for the wait the CRM
// names (a spent daily budget: until the next UTC midnight), and a wrong token fails for good.
import { afterAll, describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../src/engine/outbound/addressPolicy.ts';
import { CrmFailure, type CrmApi, type CrmClientInput } from '../../src/engine/outbound/crm/crmApi.ts';
import { createOutboundHttp } from '../../src/engine/outbound/http.ts';
import type { FakeAnswer, Fault } from '../fakes/crmFakeServer.ts';

export type CrmFakeView = {
  url: string;
  token: string;
  faults: Fault[];
  persons(): number;
  deals(): { id: string; stage: string }[];
  personField(personId: string, field: string): unknown;
  notes(): string[];
  /** A 429 of the burst window (wait `seconds`) and one of the spent daily budget. */
  rateLimited(seconds: number): FakeAnswer;
  dailyLimited(): FakeAnswer;
  /** Stage ids in the CRM's own form. */
  stages: [string, string];
  close(): Promise<void>;
};

const NOW = new Date('2026-03-02T09:00:00.000Z');

async function failureOf(promise: Promise<unknown>): Promise<CrmFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CrmFailure);
  return error as CrmFailure;
}

export function crmContract(
  name: string,
  options: { start(): Promise<CrmFakeView>; client(input: CrmClientInput): CrmApi },
) {
  describe(`${name} CRM contract`, () => {
    const http = createOutboundHttp({ policy: createAddressPolicy(['127.0.0.1']) });
    let fake: CrmFakeView;
    const api = (token = fake.token) => options.client({ http, token, now: NOW, settings: { baseUrl: fake.url } });
    afterAll(async () => {
      await fake.close();
      await http.close();
    });
    const contact = { email: 'Ana@Acme.example.com', firstName: 'Ana', lastName: 'Lima', company: 'Acme' };

    it('upserts a person by email: the second call finds the first', async () => {
      fake = await options.start();
      const first = await api().upsertPerson(contact);
      expect(await api().upsertPerson({ ...contact, email: 'ana@acme.example.com' })).toBe(first);
      expect(fake.persons()).toBe(1);
    });

    it('creates a deal at a stage, finds it by person and title, and moves it', async () => {
      const personId = await api().upsertPerson(contact);
      const [first, second] = fake.stages;
      const dealId = await api().createDeal({ personId, title: 'Ana — hand-off', stage: first });
      expect(await api().findDeal({ personId, title: 'Ana — hand-off' })).toBe(dealId);
      expect(await api().findDeal({ personId, title: 'Another' })).toBeUndefined();
      await api().setDealStage({ dealId, stage: second });
      expect(fake.deals()).toEqual([{ id: dealId, stage: second }]);
    });

    it('writes a person field and finds a note by its reference', async () => {
      const personId = await api().upsertPerson(contact);
      await api().setPersonField({ personId, field: 'quotahit_stage', value: 'interested' });
      expect(fake.personField(personId, 'quotahit_stage')).toBe('interested');
      await api().addNote({ personId, dealId: null, body: 'Reply received<br><br>qhrefabc123', at: NOW });
      expect(await api().findNote({ personId, marker: 'qhrefabc123' })).toBe(true);
      expect(await api().findNote({ personId, marker: 'qhrefother' })).toBe(false);
      expect(fake.notes()).toHaveLength(1);
    });

    it('a 429 asks for the wait the CRM names; a spent daily budget waits for the next UTC day', async () => {
      fake.faults.push({ match: /./, answer: fake.rateLimited(10) });
      const burst = await failureOf(api().upsertPerson(contact));
      expect(burst.result).toMatchObject({ status: 429, retryAfterMs: 10_000 });
      expect(burst.result.permanent).toBeUndefined();
      fake.faults.push({ match: /./, answer: fake.dailyLimited() });
      const daily = await failureOf(api().upsertPerson(contact));
      expect(daily.result).toMatchObject({ status: 429, retryAfterMs: 15 * 3_600_000 });
    });

    it('a wrong token fails for good, naming the status', async () => {
      const failure = await failureOf(api('wrong-token').upsertPerson(contact));
      expect(failure.result).toMatchObject({ status: 401, permanent: true });
      expect(failure.result.error).toMatch(/HTTP 401/);
    });
  });
}
