/**
 * @module
 * `/api/v1/access-requests`: a doctor asks a patient for access; the patient lists the requests made
 * to them and approves one (a consent to that doctor is granted on the chain, for the purpose asked
 * and until the date the patient chooses) or declines it. A doctor lists their own requests.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AccessRequest } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { AccessRequestBody, AccessRequest as AccessRequestJson } from '../contract/consent.ts';
import { errorResponses, idParams } from '../schemas.ts';

const requestView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    requester: {
      type: 'object',
      properties: { keyId: { type: 'string' }, name: { type: 'string' }, org: { type: 'string' } },
    },
    patientId: { type: 'string' },
    purpose: { type: 'string' },
    reason: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['pending', 'approved', 'declined'] },
    decided: { type: 'string', format: 'date-time' },
    consent: { type: 'string' },
  },
} as const;

export function accessRequestRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const { node } = ctx;
    const view = (r: AccessRequest, forDoctor: boolean): AccessRequestJson => {
      const acct = node.account(r.requester);
      const entry = node.chain.directory.active(r.requester);
      return {
        id: r.id,
        requester: { keyId: r.requester, name: acct?.name ?? 'Doctor', org: entry?.org ?? acct?.org ?? '' },
        ...(forDoctor ? { patientId: r.subject } : {}),
        purpose: r.purpose,
        reason: r.reason,
        created: new Date(r.created).toISOString(),
        status: r.status,
        ...(r.decided === undefined ? {} : { decided: new Date(r.decided).toISOString() }),
        ...(r.consent === undefined ? {} : { consent: r.consent }),
      };
    };

    app.post<{ Body: AccessRequestBody }>(
      '/access-requests',
      {
        schema: {
          tags: ['consent'],
          summary: 'Ask a patient for access to their records (doctor); the patient decides',
          body: {
            type: 'object',
            properties: {
              patientId: { type: 'string', minLength: 1, maxLength: 64 },
              purpose: { type: 'string', enum: ['treatment', 'research', 'payment'] },
              reason: { type: 'string', minLength: 3, maxLength: 500 },
            },
            required: ['patientId', 'purpose', 'reason'],
            additionalProperties: false,
          },
          response: { 201: requestView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { scope } = authOf(req, 'doctor');
        const r = scope.requestAccess(req.body.patientId, req.body.purpose, req.body.reason);
        return reply.code(201).send(view(r, true));
      },
    );

    app.get(
      '/access-requests',
      {
        schema: {
          tags: ['consent'],
          summary: 'Access requests: made to you (patient) or by you (doctor), newest first',
          response: { 200: { type: 'array', items: requestView }, ...errorResponses },
        },
      },
      async (req) => {
        const { session, scope } = authOf(req, 'patient', 'doctor');
        return scope.accessRequests().map((r) => view(r, session.role === 'doctor'));
      },
    );

    app.post<{ Params: { id: string }; Body: { validTo: string } }>(
      '/access-requests/:id/approve',
      {
        schema: {
          tags: ['consent'],
          summary:
            'Approve a request made to you (patient): grants that doctor consent for the purpose asked',
          params: idParams,
          body: {
            type: 'object',
            properties: { validTo: { type: 'string', format: 'date-time' } },
            required: ['validTo'],
            additionalProperties: false,
          },
          response: { 200: requestView, ...errorResponses },
        },
      },
      async (req) => {
        const { scope } = authOf(req, 'patient');
        return view(await scope.approveAccessRequest(req.params.id, Date.parse(req.body.validTo)), false);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/access-requests/:id/decline',
      {
        schema: {
          tags: ['consent'],
          summary: 'Decline a request made to you (patient)',
          params: idParams,
          response: { 200: requestView, ...errorResponses },
        },
      },
      async (req) => {
        return view(authOf(req, 'patient').scope.declineAccessRequest(req.params.id), false);
      },
    );
  };
}
