/**
 * @module
 * Patient-controlled data: consents (grant, revoke, list), erasure requests (a patient asks, an admin
 * approves; the approval erases ciphertext and keys on every node) and the access log (a patient's
 * own; any patient's for auditors and admins). All through the caller's scoped ledger handle.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AccessEntry, EventPage } from '../../medical/facade.ts';
import { ArgumentValueError, NotFoundError } from '../../core/errors.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { AccessEvent, GrantConsentBody, TxRef } from '../contract/consent.ts';
import { cursorPageQuery, errorResponses, idParams, purposeEnum, txRef } from '../schemas.ts';
import { accessView, consentView, erasureView } from './views.ts';

const anyObject = { type: 'object', additionalProperties: true } as const;
/** Largest page of consents. */
const MAX_CONSENTS = 1000;

/** Who reads access logs: a patient their own, auditors and admins anyone's. */
const LOG_READERS = ['patient', 'auditor', 'admin'] as const;

function ms(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ArgumentValueError(name, 'is not an ISO 8601 date-time');
  return t;
}

/**
 * What the chain would reject anyway, checked first so the patient gets a 400/404 naming the field
 * rather than a 403 "transaction not permitted" about a transaction they never saw.
 */
function checkGrant(
  node: Pick<ApiContext['node'], 'now' | 'chain'>,
  b: GrantConsentBody,
  validFrom: number,
  validTo: number,
): void {
  if (validTo <= validFrom) throw new ArgumentValueError('validTo', 'must be after validFrom');
  if (validTo <= node.now) throw new ArgumentValueError('validTo', 'must be in the future');
  const g = b.grantee;
  if (g.kind === 'organization' ? !node.chain.hasOrg(g.orgId) : !node.chain.directory.active(g.keyId))
    throw new NotFoundError(g.kind, g.kind === 'organization' ? g.orgId : g.keyId);
}

/** An access event with its break-glass reason when the caller may read it. */
function withReason(e: AccessEvent, reason: string | undefined): AccessEvent {
  return reason === undefined ? e : { ...e, breakGlassReason: reason };
}

/** Largest page of access events (and the default). */
const MAX_EVENTS = 1000;
const PAGE_DESCRIPTION =
  'Oldest first, or newest first with `order=newest`. A full page carries a `Link` header with `rel="next"`: the same request with `after` (oldest first) or `before` (newest first) set to the log position of its last event.';

interface EventPageQuery {
  after?: number;
  before?: number;
  order?: 'oldest' | 'newest';
  limit?: number;
}

const eventPageQuery = {
  type: 'object',
  properties: {
    order: { type: 'string', enum: ['oldest', 'newest'], default: 'oldest' },
    after: {
      type: 'integer',
      minimum: -1,
      description: 'oldest first: log position of the last event of the previous page',
    },
    before: {
      type: 'integer',
      minimum: 0,
      description: 'newest first: log position of the last event of the previous page',
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_EVENTS },
  },
  additionalProperties: false,
} as const;

function pageOf(q: EventPageQuery, size: number): EventPage {
  const limit = q.limit ?? size;
  if (q.order === 'newest') {
    if (q.after !== undefined)
      throw new ArgumentValueError('after', 'pages newest first go on with `before`');
    return { newestFirst: true, limit, ...(q.before === undefined ? {} : { before: q.before }) };
  }
  if (q.before !== undefined) throw new ArgumentValueError('before', 'is for order=newest');
  return { limit, ...(q.after === undefined ? {} : { after: q.after }) };
}

function linkNext(reply: FastifyReply, path: string, page: EventPage, events: readonly AccessEntry[]): void {
  if (events.length < (page.limit ?? 0)) return;
  const last = String(events.at(-1)!.seq);
  const next = new URLSearchParams(
    page.newestFirst === true ? { order: 'newest', before: last } : { after: last },
  );
  next.set('limit', String(page.limit));
  void reply.header('link', `<${path}?${next.toString()}>; rel="next"`);
}

export function consentRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const { node } = ctx;
    app.post<{ Body: GrantConsentBody }>(
      '/consents',
      {
        schema: {
          tags: ['consent'],
          summary: 'Grant consent (patient): who, what, for what purpose, until when',
          body: {
            type: 'object',
            properties: {
              grantee: {
                oneOf: [
                  {
                    type: 'object',
                    properties: {
                      kind: { const: 'organization' },
                      orgId: { type: 'string', minLength: 1, maxLength: 64 },
                    },
                    required: ['kind', 'orgId'],
                    additionalProperties: false,
                  },
                  {
                    type: 'object',
                    properties: {
                      kind: { const: 'practitioner' },
                      keyId: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                    },
                    required: ['kind', 'keyId'],
                    additionalProperties: false,
                  },
                ],
              },
              purpose: { type: 'string', enum: purposeEnum },
              types: {
                type: 'array',
                items: { type: 'string', pattern: '^[A-Z][A-Za-z]{1,63}$' },
                minItems: 1,
                maxItems: 50,
              },
              period: {
                type: 'object',
                properties: {
                  start: { type: 'string', format: 'date-time' },
                  end: { type: 'string', format: 'date-time' },
                },
                additionalProperties: false,
              },
              validFrom: { type: 'string', format: 'date-time' },
              validTo: { type: 'string', format: 'date-time' },
            },
            required: ['grantee', 'purpose', 'validTo'],
            additionalProperties: false,
          },
          response: { 201: txRef, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { scope } = authOf(req, 'patient');
        const b = req.body;
        const start = ms('period.start', b.period?.start);
        const end = ms('period.end', b.period?.end);
        const validFrom = ms('validFrom', b.validFrom);
        const validTo = ms('validTo', b.validTo)!;
        if (start !== undefined && end !== undefined && end < start)
          throw new ArgumentValueError('period.end', 'must not be before period.start');
        checkGrant(node, b, validFrom ?? node.now, validTo);
        const tx = await scope.grantConsent({
          grantee: b.grantee,
          purpose: b.purpose,
          ...(b.types ? { types: b.types } : {}),
          ...(b.period
            ? { period: { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) } }
            : {}),
          ...(validFrom === undefined ? {} : { validFrom }),
          validTo,
        });
        return reply.code(201).send({ tx, height: node.chain.height } satisfies TxRef);
      },
    );

    app.get<{ Querystring: { after?: string; limit?: number } }>(
      '/consents',
      {
        schema: {
          tags: ['consent'],
          summary: "Consents visible to the caller (a patient's own; those granted to the caller)",
          description:
            'Oldest first. A full page carries a `Link` header with `rel="next"`: the same request with `after` set to the id of its last consent.',
          querystring: cursorPageQuery(MAX_CONSENTS, 'the id of the last consent of the previous page'),
          response: { 200: { type: 'array', items: anyObject }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { after, limit = Math.min(ctx.pageSize, MAX_CONSENTS) } = req.query;
        const page = authOf(req).scope.consentsPage(after, limit);
        if (page.length === limit) {
          const next = new URLSearchParams({ after: page.at(-1)!.id, limit: String(limit) });
          void reply.header('link', `</api/v1/consents?${next.toString()}>; rel="next"`);
        }
        return page.map(consentView);
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/consents/:id',
      {
        schema: {
          tags: ['consent'],
          summary: 'Revoke a consent (patient)',
          params: idParams,
          response: { 200: txRef, ...errorResponses },
        },
      },
      async (req) => {
        const tx = await authOf(req, 'patient').scope.revokeConsent(req.params.id);
        return { tx, height: node.chain.height } satisfies TxRef;
      },
    );

    app.get<{ Querystring: EventPageQuery }>(
      '/access-log',
      {
        schema: {
          tags: ['audit'],
          summary:
            "Access events, a page at a time: a patient's own; every patient's for auditors and admins",
          description: PAGE_DESCRIPTION,
          querystring: eventPageQuery,
          response: { 200: { type: 'array', items: anyObject }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const page = pageOf(req.query, ctx.pageSize);
        const { scope } = authOf(req, ...LOG_READERS);
        const events = scope.accessLog(undefined, page);
        linkNext(reply, '/api/v1/access-log', page, events);
        return events.map((e) => withReason(accessView(node, e), scope.breakGlassReason(e)));
      },
    );

    app.get<{ Params: { id: string }; Querystring: EventPageQuery }>(
      '/patients/:id/access-log',
      {
        schema: {
          tags: ['audit'],
          summary: 'Who accessed what of a patient, when, why, and break-glass events (a page at a time)',
          description: PAGE_DESCRIPTION,
          params: idParams,
          querystring: eventPageQuery,
          response: { 200: { type: 'array', items: anyObject }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const page = pageOf(req.query, ctx.pageSize);
        const { scope } = authOf(req, ...LOG_READERS);
        const events = scope.accessLog(req.params.id, page);
        linkNext(reply, `/api/v1/patients/${encodeURIComponent(req.params.id)}/access-log`, page, events);
        return events.map((e) => withReason(accessView(node, e), scope.breakGlassReason(e)));
      },
    );

    app.post<{ Body: { records?: string[] | null } }>(
      '/erasure-requests',
      {
        schema: {
          tags: ['erasure'],
          summary: 'Request erasure of some or all of your records (patient; GDPR art. 17)',
          body: {
            type: 'object',
            properties: {
              records: {
                type: ['array', 'null'],
                items: { type: 'string', minLength: 1, maxLength: 128 },
                maxItems: 10000,
              },
            },
            additionalProperties: false,
          },
          response: { 201: txRef, ...errorResponses },
        },
      },
      async (req, reply) => {
        const tx = await authOf(req, 'patient').scope.requestErasure(req.body.records ?? null);
        return reply.code(201).send({ tx, height: node.chain.height } satisfies TxRef);
      },
    );

    app.get(
      '/erasure-requests',
      {
        schema: {
          tags: ['erasure'],
          summary: 'Erasure requests: your own (patient), all (admin)',
          response: { 200: { type: 'array', items: anyObject }, ...errorResponses },
        },
      },
      async (req) => {
        return authOf(req, 'patient', 'admin').scope.erasureRequests().map(erasureView);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/erasure-requests/:id/approval',
      {
        schema: {
          tags: ['erasure'],
          summary: 'Approve an erasure request (admin): ciphertext and keys are deleted on every node',
          params: idParams,
          response: { 201: txRef, ...errorResponses },
        },
      },
      async (req, reply) => {
        const tx = await authOf(req, 'admin').scope.approveErasure(req.params.id);
        return reply.code(201).send({ tx, height: node.chain.height } satisfies TxRef);
      },
    );
  };
}
