/**
 * @module
 * JSON Schemas shared by the route plugins (request validation and the OpenAPI document).
 */

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'A stable code from the error registry (ML_ERR_…).' },
        message: { type: 'string' },
        data: { type: 'object', additionalProperties: true },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** Standard error responses to list on every route. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    keyId: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'doctor', 'patient', 'researcher', 'auditor'] },
    org: { type: 'string' },
    created: { type: 'integer' },
    active: { type: 'boolean' },
    pendingApproval: { type: 'boolean' },
  },
  required: ['keyId', 'email', 'name', 'role'],
} as const;

/** Querystring of a list paged by cursor: `after` (what the `Link` header of the previous page says) and `limit`. */
export function cursorPageQuery(maxLimit: number, after: string) {
  return {
    type: 'object',
    properties: {
      after: { type: 'string', maxLength: 100, description: after },
      limit: { type: 'integer', minimum: 1, maximum: maxLimit },
    },
    additionalProperties: false,
  } as const;
}

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' } },
  required: ['id'],
} as const;

export const purposeEnum = ['treatment', 'research', 'payment', 'emergency'] as const;

/** Query parameters of reads: the purpose, and a stated reason to break the glass. */
export const readQuery = {
  type: 'object',
  properties: {
    purpose: { type: 'string', enum: purposeEnum },
    breakGlassReason: {
      type: 'string',
      minLength: 10,
      maxLength: 500,
      description: 'Emergency access without consent: the stated reason is audited and shown to the patient.',
    },
  },
  additionalProperties: false,
} as const;

export const resourceSchema = {
  type: 'object',
  properties: { resourceType: { type: 'string' } },
  required: ['resourceType'],
  additionalProperties: true,
  description: 'A FHIR R4 resource.',
} as const;

export const txRef = {
  type: 'object',
  properties: { tx: { type: 'string' }, height: { type: 'integer' } },
  required: ['tx'],
} as const;
