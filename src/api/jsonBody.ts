// The JSON body parser: Fastify's own (prototype-poisoning checks included) behind a nesting cap,
// then a check that every string is valid Unicode. Routes that validate text row by row (the contact
// import, where one bad row must not sink the file) set `config: { textCheckedByRows: true }`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertNesting, findIllFormedText, illFormedMessage, JsonInputError } from '../core/jsonInput.ts';

export type JsonRouteConfig = { textCheckedByRows?: boolean };

export function registerJsonBody(app: FastifyInstance): void {
  const parseDefault = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertNesting(body as string, 'Body');
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseDefault(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      const illFormed = checkedByRows(request) ? null : findIllFormedText(value);
      if (illFormed)
        return done(new JsonInputError('invalid_text', illFormedMessage(illFormed.path, illFormed.codePoint)));
      done(null, value);
    });
  });
}

function checkedByRows(request: FastifyRequest): boolean {
  return (request.routeOptions.config as JsonRouteConfig | undefined)?.textCheckedByRows === true;
}
