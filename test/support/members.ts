// Signing in through the API as the dashboard does: an owner link, the session cookie and the CSRF
// token, and a caller that sends both.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createOwnerSetupLink } from '../../src/engine/ownerSetup.ts';
import type { Db } from '../../src/db/database.ts';
import { testDb } from './harness.ts';

export const PASSWORD = 'correct horse battery';

export async function ownerLink(workspaceId: string, now = new Date(), db: Db = testDb()): Promise<string> {
  const link = await createOwnerSetupLink(db, { publicUrl: 'http://localhost:3000', now, workspaceId });
  if (link.kind !== 'created') throw new Error(`no link: ${link.kind}`);
  return new URL(link.url).searchParams.get('token') ?? '';
}

export function cookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const match = /qh_session=([^;]*)/.exec(header ?? '');
  return match?.[1] ?? '';
}

export type Member = {
  cookie: string;
  csrf: string;
  call: (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    options?: { csrf?: boolean },
  ) => Promise<{ status: number; body: Record<string, unknown> & { data?: unknown[] } }>;
};

/** Sets the owner's password through a fresh owner link and returns a signed-in caller. */
export async function signedInOwner(
  app: FastifyInstance,
  workspaceId: string,
  email: string,
  now?: Date,
): Promise<Member> {
  const token = await ownerLink(workspaceId, now);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/setup',
    payload: { token, name: 'Olga Owner', email, password: PASSWORD },
  });
  expect(res.statusCode, res.body).toBe(201);
  return member(app, cookieOf(res.headers['set-cookie']), String(res.json().csrfToken));
}

export function member(app: FastifyInstance, cookie: string, csrf: string): Member {
  return {
    cookie,
    csrf,
    async call(method, url, payload, options = {}) {
      const res = await app.inject({
        method,
        url,
        headers: {
          cookie: `qh_session=${cookie}`,
          ...(options.csrf === false ? {} : { 'x-csrf-token': csrf }),
        },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      return { status: res.statusCode, body: res.body ? res.json() : {} };
    },
  };
}
