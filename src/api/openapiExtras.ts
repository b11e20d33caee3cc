// Parts of the OpenAPI document the route schemas cannot express: the two body formats of the
// contact import.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { IDEMPOTENT_ROUTES } from './idempotency.ts';

type TransformObject = NonNullable<FastifyDynamicSwaggerOptions['transformObject']>;

const contactFields = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'email',
      'phone',
      'linkedinUrl',
      'firstName',
      'lastName',
      'title',
      'company',
      'companyDomain',
      'timezone',
      'country',
      'city',
    ].map((name) => [name, { type: 'string' }]),
  ),
  additionalProperties: false,
};

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Retry safely: the same key and body replay the first answer (Idempotent-Replayed: true) for 24 hours; ' +
    'another body: 422; the first still running: 409 with Retry-After (docs/api.md)',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

export const openApiExtras: TransformObject = (documentObject) => {
  const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths;
  for (const route of IDEMPOTENT_ROUTES) {
    const operation = paths?.[route.split(' ')[1] ?? '']?.post;
    if (!operation) continue;
    const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
    operation.parameters = [...parameters, IDEMPOTENCY_KEY];
  }
  const post = paths?.['/v1/contacts']?.post;
  if (post) {
    post.requestBody = {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['contacts'],
            properties: {
              contacts: {
                type: 'array',
                items: {
                  ...contactFields,
                  properties: {
                    ...contactFields.properties,
                    tags: { type: 'array', items: { type: 'string' } },
                    enrichment: { type: 'object', additionalProperties: true },
                    custom: { type: 'object', additionalProperties: true },
                    whatsappOptIn: { type: 'boolean' },
                    smsOptIn: { type: 'boolean' },
                  },
                },
              },
            },
          },
        },
        'text/csv': {
          schema: { type: 'string', description: 'Header row of field names; enrichment.* columns; `;` lists' },
        },
      },
    };
  }
  return document;
};
