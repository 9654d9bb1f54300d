/**
 * @module
 * The FHIR R4 read interactions over records (http://hl7.org/fhir/R4/http.html#read): `read` (the
 * current version, with ETag `W/"n"`), `vread` (`_history/[vid]`) and instance `history` (a Bundle of
 * type `history`, newest first). Each is one audited `getRecord` through the caller's scoped ledger; a
 * record's amendments are its versions. A record that is not of the type in the URL is 404.
 */
import type { FastifyInstance } from 'fastify';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { NotFoundError } from '../../core/errors.ts';
import type { RecordView, RequestScope, ReadOptions } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import {
  baseUrl,
  iso,
  readOptionsOf,
  recordTypeOf,
  resourceOf,
  sendFhir,
  versionHeaders,
} from './fhir-http.ts';
import type { FhirQuery } from './fhir-http.ts';

interface Versions {
  readonly current: RecordView;
  readonly history: readonly RecordView[];
}

/** The versions of record `id`, which must be of `type`. */
async function versionsOf(
  scope: RequestScope,
  type: string,
  id: string,
  opts: ReadOptions,
): Promise<Versions> {
  const r = await scope.getRecord(id, opts);
  if (r.current.resource.resourceType !== type) throw new NotFoundError(type, id);
  return r;
}

/** A `history` Bundle of one record, newest version first (http.html#history). */
export function historyBundle(base: string, type: string, history: readonly RecordView[]): Bundle {
  const entry: BundleEntry[] = [...history].reverse().map((v) => {
    const resource: Resource = resourceOf(v);
    const first = v.version === 1;
    return {
      fullUrl: `${base}/${type}/${v.id}`,
      resource,
      request: first ? { method: 'POST', url: type } : { method: 'PUT', url: `${type}/${v.id}` },
      response: {
        status: first ? '201 Created' : '200 OK',
        etag: `W/"${String(v.version)}"`,
        lastModified: iso(v.time),
      },
    };
  });
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: entry.length,
    link: [{ relation: 'self', url: `${base}/${type}/${history[0]?.id ?? ''}/_history` }],
    entry,
  };
}

export function readRoutes(app: FastifyInstance): void {
  const tags = ['fhir'];

  app.get<{ Params: { type: string; id: string }; Querystring: FhirQuery }>(
    '/:type/:id',
    { schema: { tags, summary: 'read: the current version of a record (audited)' } },
    async (req, reply) => {
      const type = recordTypeOf(req.params.type);
      const { current } = await versionsOf(authOf(req).scope, type, req.params.id, readOptionsOf(req));
      return sendFhir(reply, 200, resourceOf(current), versionHeaders(current.version, current.time));
    },
  );

  app.get<{ Params: { type: string; id: string; vid: string } }>(
    '/:type/:id/_history/:vid',
    { schema: { tags, summary: 'vread: one version of a record (audited)' } },
    async (req, reply) => {
      const type = recordTypeOf(req.params.type);
      const { history } = await versionsOf(authOf(req).scope, type, req.params.id, readOptionsOf(req));
      const v = /^[1-9]\d{0,8}$/.test(req.params.vid) ? history[Number(req.params.vid) - 1] : undefined;
      if (!v) throw new NotFoundError(`version of ${type}/${req.params.id}`, req.params.vid.slice(0, 16));
      return sendFhir(reply, 200, resourceOf(v), versionHeaders(v.version, v.time));
    },
  );

  app.get<{ Params: { type: string; id: string } }>(
    '/:type/:id/_history',
    { schema: { tags, summary: 'history: every version of a record, newest first (audited)' } },
    async (req, reply) => {
      const type = recordTypeOf(req.params.type);
      const { history } = await versionsOf(authOf(req).scope, type, req.params.id, readOptionsOf(req));
      return sendFhir(reply, 200, historyBundle(baseUrl(req), type, history));
    },
  );
}
