/**
 * @module
 * The FHIR R4 write interactions over records (http://hl7.org/fhir/R4/http.html): `create` (POST
 * [type]: a new record, 201 with `Location: …/[type]/[id]/_history/1`), `update` (PUT [type]/[id]: an
 * amendment, the ledger's append-only correction; the earlier versions stay readable with vread, and
 * a PUT to an id that does not exist yet creates it), and `delete`/`patch`, refused with 405: records
 * are never deleted (erasure is a patient's request an admin approves, on the native API).
 *
 * Every write goes through the caller's scoped ledger (validation, consent, encryption, signature,
 * audit) and is answered only once its block is committed. As http.html#create says, a client's `id`
 * on create is ignored, and `meta.versionId`/`meta.lastUpdated` are the server's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ArgumentValueError, HttpError } from '../../core/errors.ts';
import type { CommittedWrite } from '../../medical/facade.ts';
import { isObject } from '../../fhir/outcome.ts';
import { authOf } from '../context.ts';
import { outcomeOf } from './fhir-outcome.ts';
import {
  baseUrl,
  preferMinimal,
  recordTypeOf,
  sendFhir,
  versionHeaders,
  withServerMeta,
} from './fhir-http.ts';

/** The request body as a resource of `type`; 400 when it is not one. */
function bodyOf(body: unknown, type: string): Record<string, unknown> {
  if (!isObject(body)) throw new ArgumentValueError('body', 'must be a FHIR resource (a JSON object)');
  if (body.resourceType !== type)
    throw new ArgumentValueError(
      'resourceType',
      `the body is a ${String(body.resourceType).slice(0, 64)}, the URL names ${type}`,
    );
  return body;
}

/** The resource without what the server assigns: its id (on create) and meta.versionId/lastUpdated. */
export function withoutServerFields(r: Record<string, unknown>, keepId: boolean): Record<string, unknown> {
  const { id, meta, ...rest } = r;
  const out: Record<string, unknown> = { ...rest };
  if (keepId && id !== undefined) out.id = id;
  if (isObject(meta)) {
    const { versionId: _v, lastUpdated: _l, ...m } = meta;
    if (Object.keys(m).length > 0) out.meta = m;
  } else if (meta !== undefined) out.meta = meta;
  return out;
}

export function writeRoutes(app: FastifyInstance): void {
  const tags = ['fhir'];

  const answer = async (
    req: FastifyRequest,
    reply: FastifyReply,
    type: string,
    input: Record<string, unknown>,
    w: CommittedWrite,
    status: 200 | 201,
  ): Promise<FastifyReply> => {
    const { time } = w;
    const headers = {
      location: `${baseUrl(req)}/${type}/${w.id}/_history/${String(w.version)}`,
      ...versionHeaders(w.version, time),
    };
    if (preferMinimal(req)) return reply.code(status).headers(headers).send();
    return sendFhir(reply, status, withServerMeta(input, w.id, w.version, time), headers);
  };

  app.post<{ Params: { type: string } }>(
    '/:type',
    { schema: { tags, summary: 'create: a new record (validated, encrypted, signed, committed)' } },
    async (req, reply) => {
      const type = recordTypeOf(req.params.type);
      const input = withoutServerFields(bodyOf(req.body, type), false);
      const w = await authOf(req).scope.addRecord(input);
      return answer(req, reply, type, input, w, 201);
    },
  );

  app.put<{ Params: { type: string; id: string } }>(
    '/:type/:id',
    {
      schema: {
        tags,
        summary: 'update: an amendment (append-only correction; earlier versions stay); creates a new id',
      },
    },
    async (req, reply) => {
      const type = recordTypeOf(req.params.type);
      const body = bodyOf(req.body, type);
      if (body.id !== req.params.id)
        throw new ArgumentValueError('id', 'the resource id must equal the id in the URL (http.html#update)');
      const input = withoutServerFields(body, true);
      const w = await authOf(req).scope.putRecord(req.params.id, input);
      return answer(req, reply, type, input, w, w.created ? 201 : 200);
    },
  );

  // Answered after authentication (a caller without a token gets 401 first), with the methods allowed.
  const neverDeleted = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    authOf(req);
    const e = new HttpError(
      'ML_ERR_HTTP_METHOD',
      'records are never deleted or patched: correct one with PUT (an amendment); erasure is a patient request (POST /api/v1/erasure-requests) an admin approves',
    );
    return sendFhir(reply, 405, outcomeOf(e), { allow: 'GET, PUT' });
  };
  app.delete('/:type/:id', { schema: { tags, summary: 'delete: not supported (405)' } }, neverDeleted);
  app.patch('/:type/:id', { schema: { tags, summary: 'patch: not supported (405)' } }, neverDeleted);
}
