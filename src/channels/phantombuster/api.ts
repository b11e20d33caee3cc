// A thin Phantombuster API v2 client over undici (hub.phantombuster.com/reference): launching an
// agent with the argument of that launch, listing an agent's containers, reading a container and its
// result object. Every answer is classified once: a success with its JSON, or a SendFailure.
// Shapes the docs leave open (◐ in PROVIDERS.md) are read in every variant seen: a launch answers
// `{containerId}` or JSend `{status, data:{containerId}}`; a result object is a JSON string or
// already JSON; a container list is `{containers:[…]}` or a bare array.
import { request } from 'undici';
import { z } from 'zod';
import type { SendFailure } from '../types.ts';
import type { PhantombusterCredentials } from './credentials.ts';

export type ApiResult<T> = { ok: true; value: T } | { ok: false; failure: SendFailure };

/** How long to wait when an agent is still running its previous launch (one launch per agent). */
export const PARALLELISM_RETRY_SECONDS = 120;

type Call = { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; body?: unknown };

async function call(
  credentials: PhantombusterCredentials,
  spec: Call,
  signal?: AbortSignal,
): Promise<ApiResult<unknown>> {
  const url = new URL(`${credentials.baseUrl.replace(/\/+$/, '')}${spec.path}`);
  for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
  let status: number;
  let text: string;
  try {
    const res = await request(url, {
      method: spec.method,
      headers: {
        'x-phantombuster-key': credentials.apiKey,
        accept: 'application/json',
        ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      ...(signal ? { signal } : {}),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { kind: 'provider_down', message: `cannot reach Phantombuster: ${reason}` } };
  }
  const body = parseJson(text);
  if (status >= 200 && status < 300) return { ok: true, value: body };
  return { ok: false, failure: classifyApiError(status, errorText(body, text)) };
}

/** Phantombuster's error answers, classified once. */
export function classifyApiError(status: number, text: string): SendFailure {
  const message = `Phantombuster ${status}: ${text}`.slice(0, 300);
  if (/maxParallelism|parallelism/i.test(text))
    return { kind: 'rate_limited', message, retryAfterSeconds: PARALLELISM_RETRY_SECONDS };
  if (status === 429) return { kind: 'rate_limited', message, retryAfterSeconds: 60 };
  if (status === 401 || status === 403)
    return { kind: 'auth_expired', message: `${message} (check the Phantombuster API key)` };
  if (status === 404)
    return { kind: 'auth_expired', message: `${message} (the agent is gone: check the agent ids of the account)` };
  if (status >= 500) return { kind: 'provider_down', message };
  return { kind: 'rejected', message };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const ErrorBody = z.object({ error: z.unknown().optional(), message: z.unknown().optional() });

function errorText(body: unknown, raw: string): string {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { error, message } = parsed.data;
    const parts = [error, message].filter((p): p is string => typeof p === 'string' && p.length > 0);
    if (parts.length > 0) return parts.join(': ');
  }
  return raw.slice(0, 200) || 'no answer';
}

const LaunchAnswer = z.union([
  z.object({ containerId: z.union([z.string(), z.number()]) }),
  z.object({ data: z.object({ containerId: z.union([z.string(), z.number()]) }) }),
]);

/** POST /agents/launch with the argument of this launch only (the saved argument is untouched). */
export async function launchAgent(
  credentials: PhantombusterCredentials,
  agentId: string,
  argument: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<ApiResult<string>> {
  const answer = await call(
    credentials,
    { method: 'POST', path: '/agents/launch', body: { id: agentId, argument } },
    signal,
  );
  if (!answer.ok) return answer;
  const parsed = LaunchAnswer.safeParse(answer.value);
  if (!parsed.success)
    return {
      ok: false,
      failure: { kind: 'provider_down', message: 'Phantombuster answered a launch without a containerId' },
    };
  const id = 'containerId' in parsed.data ? parsed.data.containerId : parsed.data.data.containerId;
  return { ok: true, value: String(id) };
}

export const ContainerSummary = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  status: z.string().optional(),
  createdAt: z.number().optional(),
  endedAt: z.number().optional(),
  endType: z.string().optional(),
  exitCode: z.number().nullable().optional(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

const ContainerList = z.union([
  z.object({ containers: z.array(ContainerSummary) }),
  z.object({ data: z.array(ContainerSummary) }),
  z.array(ContainerSummary),
]);

/** GET /containers/fetch-all?agentId= : the agent's containers, newest first as answered. */
export async function listContainers(
  credentials: PhantombusterCredentials,
  agentId: string,
  signal?: AbortSignal,
): Promise<ApiResult<ContainerSummary[]>> {
  const answer = await call(credentials, { method: 'GET', path: '/containers/fetch-all', query: { agentId } }, signal);
  if (!answer.ok) return answer;
  const parsed = ContainerList.safeParse(answer.value);
  if (!parsed.success)
    return {
      ok: false,
      failure: { kind: 'provider_down', message: 'Phantombuster answered an unreadable container list' },
    };
  const list = Array.isArray(parsed.data)
    ? parsed.data
    : 'containers' in parsed.data
      ? parsed.data.containers
      : parsed.data.data;
  return { ok: true, value: list };
}

/** GET /containers/fetch?id= : one container's status, end type and exit code. */
export async function fetchContainer(
  credentials: PhantombusterCredentials,
  containerId: string,
  signal?: AbortSignal,
): Promise<ApiResult<ContainerSummary>> {
  const answer = await call(
    credentials,
    { method: 'GET', path: '/containers/fetch', query: { id: containerId } },
    signal,
  );
  if (!answer.ok) return answer;
  const parsed = ContainerSummary.safeParse(answer.value);
  if (!parsed.success)
    return { ok: false, failure: { kind: 'provider_down', message: 'Phantombuster answered an unreadable container' } };
  return { ok: true, value: parsed.data };
}

/** GET /containers/fetch-result-object?id= : the rows the phantom wrote (null: none). */
export async function fetchResultObject(
  credentials: PhantombusterCredentials,
  containerId: string,
  signal?: AbortSignal,
): Promise<ApiResult<unknown>> {
  const answer = await call(
    credentials,
    { method: 'GET', path: '/containers/fetch-result-object', query: { id: containerId } },
    signal,
  );
  if (!answer.ok) return answer;
  const value = z.object({ resultObject: z.unknown() }).safeParse(answer.value);
  const raw = value.success ? value.data.resultObject : undefined;
  return { ok: true, value: typeof raw === 'string' ? parseJson(raw) : (raw ?? null) };
}

const AgentOutput = z.object({ status: z.string().optional(), containerId: z.unknown().optional() });

/** GET /agents/fetch-output?id= : whether the agent exists and what it is doing (connection check). */
export async function fetchAgentOutput(
  credentials: PhantombusterCredentials,
  agentId: string,
  signal?: AbortSignal,
): Promise<ApiResult<{ status?: string }>> {
  const answer = await call(
    credentials,
    { method: 'GET', path: '/agents/fetch-output', query: { id: agentId } },
    signal,
  );
  if (!answer.ok) return answer;
  const parsed = AgentOutput.safeParse(answer.value);
  return { ok: true, value: parsed.success && parsed.data.status ? { status: parsed.data.status } : {} };
}
