// Request and response pieces shared by the routes.
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { decodeCursor, decodeIdCursor, type Cursor } from '../db/cursor.ts';
import { badRequest } from './errors.ts';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAK = /[\r\n\t]/;

/** A trimmed string without control characters; `multiline` allows line breaks and tabs. */
export const Text = (max: number, options: { multiline?: boolean } = {}) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL.test(v), 'must not contain control characters')
    .refine((v) => options.multiline === true || !LINE_BREAK.test(v), 'must not contain line breaks or tabs');

export const TimeZone = z
  .string()
  .refine((v) => IANAZone.isValidZone(v), 'must be an IANA time zone name such as Europe/Berlin');

export const IdParams = z.object({ id: z.uuid('must be a UUID') });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export const ErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export function parseCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = decodeCursor(cursor);
  if (!decoded) throw badRequest('cursor is not one this API issued; pass nextCursor from the previous page');
  return decoded;
}

export function parseIdCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = decodeIdCursor(cursor);
  if (!decoded) throw badRequest('cursor is not one this API issued; pass nextCursor from the previous page');
  return decoded;
}

export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  404: ErrorResponse,
};
