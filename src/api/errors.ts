// Domain and request errors → the JSON error shape {"error":{"code","message","details"}}.
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
