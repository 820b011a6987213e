// JSON schemas of the API's responses, so fastify serializes them with precompiled code.

const STATUS = {
  type: 'object',
  properties: { code: { type: 'integer' }, message: { type: 'string' } },
} as const;

const REFERENCED = {
  type: 'object',
  properties: {
    attributeMatches: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, condition: { type: 'string' }, mapKey: { type: 'string' } },
      },
    },
  },
} as const;

const HEADER_OPERATIONS = {
  type: 'array',
  items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' }, operation: { type: 'string' } } },
} as const;

export const CHECK_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    precondition: {
      type: 'object',
      properties: {
        status: STATUS,
        validDuration: { type: 'string' },
        validUseCount: { type: 'integer' },
        referencedAttributes: REFERENCED,
        routeDirective: {
          type: 'object',
          properties: {
            requestHeaderOperations: HEADER_OPERATIONS,
            responseHeaderOperations: HEADER_OPERATIONS,
            directResponseCode: { type: 'integer' },
            directResponseBody: { type: 'string' },
          },
        },
      },
    },
    quotas: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          validDuration: { type: 'string' },
          grantedAmount: { type: 'string' },
          referencedAttributes: REFERENCED,
          status: STATUS,
        },
      },
    },
    explanation: {},
  },
} as const;

export const ERROR_RESPONSE_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'string' } },
} as const;
