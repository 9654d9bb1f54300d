/**
 * @module
 * Records: add, amend, get with history, list a patient's records, and a record's inclusion proof.
 * Every call goes through the caller's scoped ledger handle (consent, policy and audit are there);
 * a write is answered only once its block is committed.
 */
import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import type { Purpose, RecordView } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type {
  PatientSummary,
  RecordHistory,
  RecordView as RecordViewJson,
  WriteResult,
} from '../contract/records.ts';
import { errorResponses, errorSchema, idParams, readQuery, resourceSchema } from '../schemas.ts';
import { readOptions } from './views.ts';
import { proofView, proofSchema } from './chain-routes.ts';

interface ReadQuery {
  purpose?: Purpose;
  breakGlassReason?: string;
}

const recordView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    recordId: { type: 'string' },
    version: { type: 'integer' },
    tx: { type: 'string' },
    height: { type: 'integer' },
    time: { type: 'string', format: 'date-time' },
    author: { type: 'string' },
    org: { type: 'string' },
    resource: { type: 'object', additionalProperties: true },
  },
} as const;

const writeResult = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    recordId: { type: 'string' },
    tx: { type: 'string' },
    version: { type: 'integer' },
    height: { type: 'integer' },
  },
} as const;

export function viewOf(v: RecordView): RecordViewJson {
  return { ...v, time: new Date(v.time).toISOString() };
}

/** Largest page of a patient's records (and the default). */
const MAX_PAGE = 1000;

export function recordRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: Record<string, unknown>; Querystring: { breakGlassReason?: string } }>(
      '/records',
      {
        schema: {
          tags: ['records'],
          summary:
            "Add a FHIR R4 resource as a new record (validated, encrypted, signed, committed); a doctor needs a treatment relationship with the patient (the chart's organization, a treatment consent, or break glass)",
          querystring: {
            type: 'object',
            properties: { breakGlassReason: readQuery.properties.breakGlassReason },
            additionalProperties: false,
          },
          body: resourceSchema,
          response: { 201: writeResult, 422: errorSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { id, recordId, tx, version, height } = await authOf(req).scope.addRecord(
          req.body,
          readOptions(req.query),
        );
        return reply.code(201).send({ id, recordId, tx, version, height } satisfies WriteResult);
      },
    );

    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
      '/records/:id/amendments',
      {
        schema: {
          tags: ['records'],
          summary: 'Amend a record: an append-only correction; the original stays visible',
          params: idParams,
          body: resourceSchema,
          response: { 201: writeResult, 422: errorSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { id, recordId, tx, version, height } = await authOf(req).scope.amendRecord(
          req.params.id,
          req.body,
        );
        return reply.code(201).send({ id, recordId, tx, version, height } satisfies WriteResult);
      },
    );

    app.get<{ Params: { id: string }; Querystring: ReadQuery }>(
      '/records/:id',
      {
        schema: {
          tags: ['records'],
          summary: 'A record with its history (consent-checked and audited)',
          params: idParams,
          querystring: readQuery,
          response: {
            200: {
              type: 'object',
              properties: { current: recordView, history: { type: 'array', items: recordView } },
            },
            410: errorSchema,
            ...errorResponses,
          },
        },
      },
      async (req): Promise<RecordHistory> => {
        const r = await authOf(req).scope.getRecord(req.params.id, readOptions(req.query));
        return { current: viewOf(r.current), history: r.history.map(viewOf) };
      },
    );

    app.get<{ Params: { id: string }; Querystring: ReadQuery & { after?: string; limit?: number } }>(
      '/patients/:id/records',
      {
        schema: {
          tags: ['records'],
          summary:
            'The current version of a patient’s records the caller may read, a page at a time in chain order (one audit event per page)',
          description:
            'A full page carries a `Link` header with `rel="next"`: the same request with `after` set to the last record of this page.',
          params: idParams,
          querystring: {
            ...readQuery,
            properties: {
              ...readQuery.properties,
              after: {
                type: 'string',
                pattern: '^[A-Za-z0-9\\-.]{1,64}$',
                description: 'the last record id of the previous page',
              },
              limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
            },
          },
          response: { 200: { type: 'array', items: recordView }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const { after, limit, ...read } = req.query;
        const page = await authOf(req).scope.listRecordsPage(req.params.id, readOptions(read), {
          ...(after === undefined ? {} : { after }),
          limit: limit ?? ctx.pageSize,
        });
        if (page.next !== undefined) {
          const q = new URLSearchParams({ ...read, after: page.next, limit: String(limit ?? ctx.pageSize) });
          void reply.header(
            'link',
            `</api/v1/patients/${encodeURIComponent(req.params.id)}/records?${q.toString()}>; rel="next"`,
          );
        }
        return page.records.map(viewOf);
      },
    );

    app.get<{ Querystring: { q?: string; limit?: number } }>(
      '/patients',
      {
        schema: {
          tags: ['records'],
          summary:
            'Find patients whose Patient record you may read (each one shown is an audited read); a patient finds only themself',
          querystring: {
            type: 'object',
            properties: {
              q: { type: 'string', maxLength: 100 },
              limit: { type: 'integer', minimum: 1, maximum: 200 },
            },
            additionalProperties: false,
          },
          response: {
            200: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  name: { type: 'string' },
                  birthDate: { type: 'string' },
                  gender: { type: 'string' },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (req): Promise<PatientSummary[]> =>
        authOf(req, 'doctor', 'admin', 'patient').scope.findPatients(req.query.q, req.query.limit ?? 50),
    );

    app.get<{ Params: { id: string } }>(
      '/records/:id/proof',
      {
        schema: {
          tags: ['records', 'chain'],
          summary:
            'Inclusion proof of the transaction that added a record, with its block and the signed head',
          params: idParams,
          response: { 200: proofSchema, ...errorResponses },
        },
      },
      async (req) => {
        authOf(req);
        const tx = ctx.node.recordTx(req.params.id);
        if (tx === undefined) throw new NotFoundError('record', req.params.id);
        return proofView(ctx.node, tx);
      },
    );
  };
}
