/**
 * @module
 * What every FHIR R4 route shares (http://hl7.org/fhir/R4/http.html): replies in
 * `application/fhir+json`, the server base URL for `fullUrl` and `Location`, version headers (ETag
 * `W/"n"`, Last-Modified), a record version as a resource with `meta.versionId` and
 * `meta.lastUpdated`, the purpose of use and break-glass reason from request headers, and the query
 * helpers (repeated parameters, `_count`/`_offset` paging, `Prefer: handling=strict`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { PURPOSES } from '../../medical/facade.ts';
import type { Purpose, ReadOptions, RecordView } from '../../medical/facade.ts';
import { ArgumentValueError, HttpError } from '../../core/errors.ts';
import { PURPOSE_OF_USE } from '../../fhir/audit-event.ts';
import { isRecordType } from '../../fhir/validate.ts';
import type { RecordType } from '../../fhir/validate.ts';
import { FHIR_PREFIX } from './fhir-outcome.ts';

export const FHIR_JSON = 'application/fhir+json';

/** Query strings as Fastify parses them: a repeated parameter becomes an array. */
export type FhirQuery = Record<string, string | string[] | undefined>;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** The absolute base of this FHIR server as the client reached it, e.g. `http://127.0.0.1:8080/fhir/R4`. */
/** The FHIR base URL: the node's configured public URL (never the request's Host header). */
export function baseUrl(req: FastifyRequest): string {
  return `${req.server.publicUrl.url}${FHIR_PREFIX}`;
}

export function sendFhir(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(status).headers(headers).type(FHIR_JSON).send(body);
}

/** ETag and Last-Modified of one version (http://hl7.org/fhir/R4/http.html#versioning). */
export function versionHeaders(version: number | string, time: number): Record<string, string> {
  return { etag: `W/"${String(version)}"`, 'last-modified': new Date(time).toUTCString() };
}

/**
 * A resource with the server's id and meta, `resourceType`, `id` and `meta` first as FHIR JSON writes
 * them (records are stored as canonical JSON, keys sorted).
 */
export function withServerMeta(
  r: Record<string, unknown>,
  id: string,
  version: number,
  time: number,
): Resource {
  const { resourceType, id: _id, meta, ...rest } = r;
  const m = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta : {};
  return {
    resourceType,
    id,
    meta: { ...m, versionId: String(version), lastUpdated: iso(time) },
    ...rest,
  } as unknown as Resource;
}

/** A record version as FHIR shows it: the logical id, its version and the time it was committed. */
export function resourceOf(v: RecordView): Resource {
  return withServerMeta(v.resource as unknown as Record<string, unknown>, v.id, v.version, v.time);
}

/** The record type named in the URL; any other type is 404 (it is not stored here). */
export function recordTypeOf(type: string): RecordType {
  if (!isRecordType(type))
    throw new HttpError('ML_ERR_HTTP_NOT_FOUND', `resource type ${type.slice(0, 64)} is not supported`);
  return type;
}

/** HL7 v3 ActReason codes (and our own names) → purposes. */
const PURPOSE_BY_CODE: ReadonlyMap<string, Purpose> = new Map(
  PURPOSES.flatMap((p) => {
    const code = PURPOSE_OF_USE[p]?.code;
    return code === undefined ? [[p, p] as const] : [[p, p] as const, [code, p] as const];
  }),
);

/** The purpose an ActReason code or purpose name stands for, or undefined. */
export function purposeOfCode(code: string): Purpose | undefined {
  return PURPOSE_BY_CODE.get(code);
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

const MAX_REASON = 500;

/**
 * Read options from `X-Purpose-Of-Use` (treatment, research, payment, emergency or their v3 ActReason
 * codes TREAT, HRESCH, HPAYMT, ETREAT) and `X-Break-Glass-Reason` (an emergency read without consent,
 * audited and shown to the patient), the FHIR twins of the native API's `purpose` and
 * `breakGlassReason` query parameters.
 */
export function readOptionsOf(req: FastifyRequest): ReadOptions {
  const rawPurpose = header(req, 'x-purpose-of-use');
  const reason = header(req, 'x-break-glass-reason');
  let purpose: Purpose | undefined;
  if (rawPurpose !== undefined) {
    const code = rawPurpose.includes('|') ? rawPurpose.slice(rawPurpose.lastIndexOf('|') + 1) : rawPurpose;
    purpose = purposeOfCode(code);
    if (purpose === undefined)
      throw new ArgumentValueError('X-Purpose-Of-Use', `unknown purpose ${rawPurpose.slice(0, 64)}`);
  }
  if (reason !== undefined && reason.length > MAX_REASON)
    throw new ArgumentValueError('X-Break-Glass-Reason', `longer than ${String(MAX_REASON)} characters`);
  return {
    ...(purpose ? { purpose } : {}),
    ...(reason === undefined ? {} : { breakGlass: { reason } }),
  };
}

/** Every value of a query parameter (repeated parameters are ANDed by FHIR search). */
export function values(q: FhirQuery, name: string): string[] {
  const v = q[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The value of a parameter that may appear at most once. */
export function single(q: FhirQuery, name: string): string | undefined {
  const v = values(q, name);
  if (v.length > 1) throw new ArgumentValueError(name, 'may appear only once');
  return v[0];
}

/** `Prefer: handling=strict`: unknown search parameters are errors rather than ignored (search.html#errors). */
export function strictHandling(req: FastifyRequest): boolean {
  const p = req.headers.prefer;
  return typeof p === 'string' && /(?:^|[,;\s])handling\s*=\s*strict\b/i.test(p);
}

/** `Prefer: return=minimal`: a write answers with headers only (http.html#ops). */
export function preferMinimal(req: FastifyRequest): boolean {
  const p = req.headers.prefer;
  return typeof p === 'string' && /(?:^|[,;\s])return\s*=\s*minimal\b/i.test(p);
}

export interface Page {
  readonly count: number;
  readonly offset: number;
}

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;

function nonNegativeInt(name: string, v: string | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw new ArgumentValueError(name, 'must be a non-negative integer');
  return Math.min(Number(v), max);
}

/** `_count` (page size, capped at {@link MAX_COUNT}; 0 gives the total only) and `_offset`. */
export function pageOf(q: FhirQuery): Page {
  return {
    count: nonNegativeInt('_count', single(q, '_count'), DEFAULT_COUNT, MAX_COUNT),
    offset: nonNegativeInt('_offset', single(q, '_offset'), 0, Number.MAX_SAFE_INTEGER),
  };
}
