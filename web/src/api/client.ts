// The API client, typed from the server's own OpenAPI document (schema.d.ts is generated at
// build time, so a route change that breaks the dashboard fails the build). Requests carry the
// session cookie; changes carry the CSRF token the session handed out.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken)
      request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

/** An API error with the server's own message, shown as is. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type ErrorBody = { error?: { code?: string; message?: string; details?: unknown } };

function failure(status: number, error: unknown): ApiFailure {
  const body = (typeof error === 'object' && error !== null ? error : {}) as ErrorBody;
  const message =
    body.error?.message ??
    (status === 0 ? 'The server did not answer: is QuotaHit running?' : `The server answered ${status}`);
  return new ApiFailure(status, body.error?.code ?? 'error', message, body.error?.details);
}

/** The data of an openapi-fetch call, or an ApiFailure carrying the API's message. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw failure(0, undefined);
  }
  if (result.error !== undefined || !result.response.ok) throw failure(result.response.status, result.error);
  return result.data as T;
}

/**
 * CSV upload with upload progress (fetch cannot report it): POST /v1/contacts as text/csv.
 * Resolves with the import result, rejects with an ApiFailure.
 */
export function uploadCsv<T>(file: Blob, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/contacts');
    xhr.setRequestHeader('content-type', 'text/csv');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(failure(xhr.status, body));
    };
    xhr.onerror = () => reject(failure(0, undefined));
    xhr.send(file);
  });
}
