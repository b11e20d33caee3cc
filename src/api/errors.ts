// Domain and request errors → the JSON error shape {"error":{"code","message","details"}}.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CsvInputError } from '../engine/commands/csvRecords.ts';
import { JsonInputError } from '../core/jsonInput.ts';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'invalid_request', message, details);

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_request' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
};

export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) {
    return {
      status: error.statusCode,
      body: { error: { code: error.code, message: error.message, details: error.details } },
    };
  }
  if (error instanceof JsonInputError) {
    return { status: 400, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof CsvInputError) {
    return { status: 400, body: { error: { code: 'invalid_csv', message: error.message } } };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const issues = fastifyError.validation.map((issue) =>
      describeIssue(issue, fastifyError.validationContext ?? 'body'),
    );
    return {
      status: 400,
      body: { error: { code: 'invalid_request', message: issues.join('; '), details: issues } },
    };
  }
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) {
    const message =
      known.status === 415
        ? `Unsupported Media Type: send application/json${fastifyError.message?.includes('text/csv') ? '' : ' (contact import also takes text/csv)'}`
        : (fastifyError.message ?? 'bad request');
    return { status: known.status, body: { error: { code: known.code, message } } };
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return {
      status: 400,
      body: { error: { code: 'invalid_json', message: `Body is not valid JSON: ${error.message}` } },
    };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'invalid_request', message: fastifyError.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error; it has been logged' } } };
}

function describeIssue(issue: unknown, context: string): string {
  const value = issue as { instancePath?: string; message?: string; params?: { issue?: { path?: unknown[] } } };
  const path = value.params?.issue?.path ?? (value.instancePath ?? '').split('/').filter(Boolean);
  const where = [context, ...(Array.isArray(path) ? path.map(String) : [])].join('.');
  return `${where}: ${value.message ?? 'invalid'}`;
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(status).send(body);
}

/** Node's HTTP parser codes → what was wrong, in words a client's author can act on. */
const PARSER_FAULTS: readonly [RegExp, string][] = [
  [/^HPE_(INVALID_METHOD|INVALID_URL|INVALID_VERSION|INVALID_CONSTANT)$/, 'the request line is not valid HTTP/1.1'],
  [/^HPE_(INVALID_HEADER_TOKEN|CR_EXPECTED|LF_EXPECTED|INVALID_EOF_STATE)$/, 'a header line is malformed'],
  [
    /^HPE_(UNEXPECTED_CONTENT_LENGTH|INVALID_CONTENT_LENGTH)$/,
    'Content-Length is not a number, is given twice with different values, or comes with Transfer-Encoding',
  ],
  [/^HPE_(INVALID_CHUNK_SIZE|INVALID_TRANSFER_ENCODING|STRICT)$/, 'the chunked body is malformed'],
];

/**
 * A request Node's HTTP parser refused before Fastify saw it, answered in the documented shape on
 * the raw socket (then closed): 431 for headers over Node's limit (16 KiB in all), 408 for a
 * request that did not arrive in time, 400 for anything else malformed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, label, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          {
            code: 'headers_too_large',
            message: 'The request headers are larger than the server accepts (16 KiB in all, cookies included)',
          },
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', { code: 'request_timeout', message: 'The request did not arrive in time' }]
        : [
            400,
            'Bad Request',
            {
              code: 'bad_request',
              message: `The request is not valid HTTP: ${PARSER_FAULTS.find(([pattern]) => pattern.test(error.code ?? ''))?.[1] ?? 'it could not be parsed'}`,
            },
          ];
  const json = JSON.stringify({ error: body });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${label}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  socket.destroy();
}

/** Errors Fastify's router raises before any route (a URL that is not valid percent-encoding …). */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] =
    error.code === 'FST_ERR_BAD_URL'
      ? [
          400,
          {
            code: 'invalid_request',
            message: 'The URL is not valid: each % must start a percent-encoded UTF-8 byte (%XX, two hex digits)',
          },
        ]
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [414, { code: 'uri_too_long', message: 'A part of the URL path is longer than the server accepts' }]
        : [500, { code: 'internal', message: 'Internal error; it has been logged' }];
  if (status >= 500) reply.log.error({ err: error }, 'request failed');
  void reply.status(status).send({ error: body });
}
