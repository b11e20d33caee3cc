// Parts of the OpenAPI document the route schemas cannot express: the two body formats of the
// contact import.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

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

export const openApiExtras: TransformObject = (documentObject) => {
  const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths;
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
