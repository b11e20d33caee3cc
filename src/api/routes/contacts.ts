// Contacts: import (JSON or streamed CSV), list, read, erase, timeline.
import { Transform, type Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONTACT_STATUSES } from '../../core/contact.ts';
import { CONNECTION_STATES } from '../../core/linkedin.ts';
import {
  contactById,
  contactsPage,
  eraseContactById,
  setLinkedinConnected,
  timelineOf,
} from '../../engine/commands/contacts.ts';
import type { Engine } from '../../engine/engine.ts';
import { csvImportRecords } from '../../engine/commands/csvRecords.ts';
import { importContacts, type ImportRecord } from '../../engine/commands/importContacts.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseCursor, parseIdCursor, Text } from '../schemas.ts';

const LinkedinConnection = z
  .object({
    state: z.enum(CONNECTION_STATES),
    requestedAt: z.string().nullable(),
    acceptedAt: z.string().nullable(),
    declinedAt: z.string().nullable(),
  })
  .describe(
    'Where the contact stands with LinkedIn: none → requested → accepted, or declined (no acceptance within LINKEDIN_PENDING_EXPIRY_DAYS of the latest request)',
  );
const ContactOut = z.looseObject({ id: z.string(), status: z.string(), linkedinConnection: LinkedinConnection });
const ImportResult = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  rejected: z.array(z.object({ row: z.number(), reason: z.string() })),
  flagged: z.array(z.object({ row: z.number(), reason: z.string() })).optional(),
  warnings: z.array(z.object({ row: z.number(), field: z.string(), message: z.string() })),
});
const JsonImport = z.object({ contacts: z.array(z.unknown()) });

export const contactRoutes =
  (engine: Engine, limits: { csvBodyLimitBytes: number }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/contacts',
      {
        // A row with ill-formed text is rejected alone (core/contact.ts), not the whole file.
        config: { textCheckedByRows: true },
        schema: {
          summary: 'Import contacts (upsert by email, else phone, else LinkedIn URL)',
          description:
            'Send `application/json` `{"contacts":[…]}` or `text/csv` with a header row. Each row that cannot be identified (no valid email, phone or LinkedIn URL) is returned in `rejected` with its row number (JSON: 1-based position; CSV: spreadsheet row, header = row 1) and every reason, joined with `; `; the other rows land. A bad optional field of a row that lands is dropped and listed in `warnings` (`row`, `field`, `message`). A malformed file imports nothing.',
          tags: ['contacts'],
          response: { 200: ImportResult, ...errorResponses, 413: errorResponses[400], 415: errorResponses[400] },
        },
      },
      async (request) => {
        const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        let records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>;
        if (contentType === 'text/csv') {
          records = csvImportRecords(limitBytes(request.body as Readable, limits.csvBodyLimitBytes));
        } else if (contentType === 'application/json') {
          const parsed = JsonImport.safeParse(request.body);
          if (!parsed.success) throw badRequest('body must be {"contacts":[…]} with a list of contact objects');
          records = parsed.data.contacts.map((contact, index) => ({ row: index + 1, contact }));
        } else {
          throw new ApiError(415, 'unsupported_media_type', 'Send contacts as application/json or text/csv');
        }
        return importContacts({ db: engine.deps.db, workspaceId: request.workspaceId, records });
      },
    );

    app.get(
      '/v1/contacts',
      {
        schema: {
          summary: 'List contacts (in the order they were created), filtered by tag and status',
          tags: ['contacts'],
          querystring: PageQuery.extend({ tag: Text(64).optional(), status: z.enum(CONTACT_STATUSES).optional() }),
          response: {
            200: z.object({ data: z.array(ContactOut), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { limit, cursor, tag, status } = request.query;
        return contactsPage(engine.deps, request.workspaceId, {
          limit,
          tag: tag || undefined,
          status,
          afterId: parseIdCursor(cursor),
        });
      },
    );

    app.get(
      '/v1/contacts/:id',
      {
        schema: {
          summary: 'One contact',
          tags: ['contacts'],
          params: IdParams,
          response: { 200: ContactOut, ...errorResponses },
        },
      },
      async (request) => {
        const contact = await contactById(engine.deps, request.workspaceId, request.params.id);
        if (!contact) throw notFound('contact');
        return contact;
      },
    );

    app.delete(
      '/v1/contacts/:id',
      {
        schema: {
          summary: 'Erase a contact: its data goes, an anonymized suppression entry stays',
          tags: ['contacts'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const erased = await eraseContactById(engine.deps, request.workspaceId, request.params.id);
        if (!erased) throw notFound('contact');
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/contacts/:id/linkedin-connection',
      {
        schema: {
          summary:
            'Log that the contact accepted (or withdrew) a LinkedIn connection; LinkedIn DMs and the linkedin_connected condition read it',
          tags: ['contacts'],
          params: IdParams,
          body: z.strictObject({ connected: z.boolean() }),
          response: { 200: ContactOut, ...errorResponses },
        },
      },
      async (request) => {
        const contact = await setLinkedinConnected(
          engine.deps,
          request.workspaceId,
          request.params.id,
          request.body.connected,
        );
        if (!contact) throw notFound('contact');
        return contact;
      },
    );

    app.get(
      '/v1/contacts/:id/timeline',
      {
        schema: {
          summary: "The contact's activities, newest first",
          tags: ['contacts'],
          params: IdParams,
          querystring: PageQuery,
          response: {
            200: z.object({
              data: z.array(
                z.object({
                  id: z.string(),
                  contactId: z.string(),
                  type: z.string(),
                  summary: z.string(),
                  data: z.record(z.string(), z.unknown()),
                  occurredAt: z.string(),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const cursor = parseCursor(request.query.cursor);
        const timeline = await timelineOf(engine.deps, request.workspaceId, request.params.id, {
          limit: request.query.limit,
          ...(cursor ? { cursor } : {}),
        });
        if (!timeline) throw notFound('contact');
        return timeline;
      },
    );
  };

/** Fails the stream with 413 once more than `max` bytes have arrived. */
function limitBytes(input: Readable, max: number): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) callback(new ApiError(413, 'payload_too_large', `CSV body is larger than ${max} bytes`));
      else callback(null, chunk);
    },
  });
  input.on('error', (error) => limiter.destroy(error));
  return input.pipe(limiter);
}
