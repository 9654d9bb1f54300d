/**
 * @module
 * Search over records (http://hl7.org/fhir/R4/search.html): `GET [type]?patient=…` (or
 * `subject=Patient/…`, or the compartment form `GET Patient/[id]/[type]`), `_id`, `code` and `date`,
 * paged; and `Patient/[id]/$everything` (http://hl7.org/fhir/R4/operation-patient-everything.html).
 *
 * Records are kept and audited per patient, so a search names a patient or ids: the patient's records
 * the caller may read come from one audited `listRecords`, then are filtered by type, code and date on
 * the decrypted resources. A search without either is refused (400) rather than scanning every
 * patient. Unknown parameters are ignored and left out of the `self` link, or refused with
 * `Prefer: handling=strict` (search.html#errors).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import {
  AccessDeniedError,
  ArgumentValueError,
  HttpError,
  NotFoundError,
  RecordErasedError,
} from '../../core/errors.ts';
import { clinicalDate, CODE_PATHS, codesOf, DATE_PATHS } from '../../fhir/clinical-date.ts';
import { FHIR_ID } from '../../fhir/validate.ts';
import type { RecordType } from '../../fhir/validate.ts';
import { inPatientCompartment } from '../../fhir/patient-ref.ts';
import type { ReadOptions, RecordView, RequestScope } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import type { FhirScanLimits } from '../context.ts';
import {
  baseUrl,
  pageOf,
  readOptionsOf,
  recordTypeOf,
  resourceOf,
  sendFhir,
  single,
  strictHandling,
  values,
} from './fhir-http.ts';
import type { FhirQuery } from './fhir-http.ts';
import {
  dateMatches,
  dateRange,
  parseDateParam,
  parseToken,
  splitOr,
  tokenMatches,
} from './fhir-search-params.ts';
import type { DateParam, TokenParam } from './fhir-search-params.ts';
import { cursorSearchset, searchset } from './fhir-searchset.ts';

/** Parameters that shape the result rather than select it. */
const RESULT_PARAMS: ReadonlySet<string> = new Set(['_count', '_offset', '_cursor', '_format', '_pretty']);

export interface RecordSearch {
  /** The FHIR Patient id whose records are searched. */
  readonly patient?: string;
  readonly ids?: ReadonlySet<string>;
  readonly codes: readonly (readonly TokenParam[])[];
  readonly dates: readonly (readonly DateParam[])[];
  /** The parameters applied, for the `self` and paging links. */
  readonly used: URLSearchParams;
}

/** `ID`, `Patient/ID` or `[base]/Patient/ID` (a patient reference parameter); other types are refused. */
function patientIdOf(name: string, v: string): string {
  if (v.includes(',')) throw new ArgumentValueError(name, 'names one patient per search');
  // Split by hand rather than with a regular expression: the value is the client's, of any length.
  const slash = v.lastIndexOf('/');
  const id = v.slice(slash + 1);
  const head = slash < 0 ? '' : v.slice(0, slash);
  const typed = head === 'Patient' || (head.endsWith('/Patient') && /^https?:\/\//.test(head));
  if ((slash >= 0 && !typed) || !FHIR_ID.test(id))
    throw new ArgumentValueError(name, `${v.slice(0, 80)} is not a Patient reference`);
  return id;
}

/** Which parameters `type` supports, read from the query; throws on malformed values. */
export function parseRecordSearch(type: RecordType, q: FhirQuery, strict: boolean): RecordSearch {
  const used = new URLSearchParams();
  let patient: string | undefined;
  let ids: Set<string> | undefined;
  const codes: TokenParam[][] = [];
  const dates: DateParam[][] = [];
  const setPatient = (name: string, v: string): void => {
    const id = patientIdOf(name, v);
    if (patient !== undefined && patient !== id) throw new ArgumentValueError(name, 'names a second patient');
    patient = id;
  };
  for (const name of Object.keys(q)) {
    if (RESULT_PARAMS.has(name)) continue;
    const vs = values(q, name);
    let known = true;
    if ((name === 'patient' || name === 'subject') && inPatientCompartment(type)) {
      for (const v of vs) setPatient(name, v);
    } else if (name === '_id') {
      for (const v of vs) {
        const these = new Set(splitOr(v));
        ids = ids ? new Set([...ids].filter((i) => these.has(i))) : these;
      }
    } else if (name === 'code' && CODE_PATHS[type].length > 0) {
      for (const v of vs) codes.push(splitOr(v).map((t) => parseToken(name, t)));
    } else if (name === 'date' && DATE_PATHS[type].length > 0) {
      for (const v of vs) dates.push(splitOr(v).map((d) => parseDateParam(name, d)));
    } else known = false;
    if (known) for (const v of vs) used.append(name, v);
    else if (strict) throw new ArgumentValueError(name, `is not a supported search parameter of ${type}`);
  }
  return { ...(patient === undefined ? {} : { patient }), ...(ids ? { ids } : {}), codes, dates, used };
}

export function matchesSearch(s: RecordSearch, type: string, r: Resource): boolean {
  return (
    r.resourceType === type &&
    (s.ids === undefined || s.ids.has(r.id ?? '')) &&
    (s.codes.length === 0 || tokenMatches(codesOf(r), s.codes)) &&
    dateMatches(clinicalDate(r), s.dates)
  );
}

/** Records by id, each an audited read; one the caller may not see is left out, as search does. */
async function readIds(
  scope: RequestScope,
  ids: ReadonlySet<string>,
  opts: ReadOptions,
): Promise<RecordView[]> {
  const out: RecordView[] = [];
  for (const id of ids) {
    try {
      out.push((await scope.getRecord(id, opts)).current);
    } catch (e) {
      if (e instanceof NotFoundError || e instanceof AccessDeniedError || e instanceof RecordErasedError)
        continue;
      throw e;
    }
  }
  return out;
}

const NEEDS_PATIENT =
  'a search names a patient (patient=ID or subject=Patient/ID) or _id: records are kept and audited per patient';

export async function searchRecords(
  scope: RequestScope,
  type: RecordType,
  s: RecordSearch,
  opts: ReadOptions,
): Promise<Resource[]> {
  let views: RecordView[];
  if (s.patient !== undefined) views = await scope.listRecords(s.patient, opts);
  else if (s.ids !== undefined) views = await readIds(scope, s.ids, opts);
  else throw new HttpError('ML_ERR_HTTP_BAD_REQUEST', NEEDS_PATIENT);
  return views.map(resourceOf).filter((r) => matchesSearch(s, type, r));
}

/** The `_cursor` of a scan (a record id), or undefined; refused together with `_offset`. */
function cursorOf(q: FhirQuery): string | undefined {
  const c = single(q, '_cursor');
  if (c === undefined) return undefined;
  if (!FHIR_ID.test(c)) throw new ArgumentValueError('_cursor', 'is not a cursor of this server');
  if (single(q, '_offset') !== undefined) throw new ArgumentValueError('_offset', 'does not go with _cursor');
  return c;
}

/**
 * A page of a patient's matches by scanning their records after `after`, a chunk at a time (each
 * chunk one audited read): stops at `count` matches, at the end, or after `limits.budget` records
 * (a rare match must not read them all); `next` is where the following page goes on.
 */
async function scanPatient(
  limits: FhirScanLimits,
  scope: RequestScope,
  patientId: string,
  opts: ReadOptions,
  keep: (r: Resource) => boolean,
  after: string | undefined,
  count: number,
): Promise<{ matches: Resource[]; next: string | undefined }> {
  const matches: Resource[] = [];
  if (count === 0) return { matches, next: undefined };
  let cursor = after;
  for (let scanned = 0; scanned < limits.budget; scanned += limits.chunk) {
    // The first chunk answers as a whole listing does (403 when nothing is readable); later ones go on.
    const page = await scope.listRecordsPage(
      patientId,
      opts,
      { ...(cursor === undefined ? {} : { after: cursor }), limit: limits.chunk },
      scanned > 0 || after !== undefined,
    );
    for (const v of page.records) {
      const r = resourceOf(v);
      if (!keep(r)) continue;
      matches.push(r);
      if (matches.length === count) return { matches, next: v.id };
    }
    if (page.next === undefined) return { matches, next: undefined };
    cursor = page.next;
  }
  return { matches, next: cursor };
}

/**
 * A search of one patient as a searchset: the whole list paged by offset for a patient of up to
 * `limits.wholeLimit` records, a window at a time by cursor beyond (or when `_cursor` is given).
 */
async function patientSearchset(
  limits: FhirScanLimits,
  req: FastifyRequest<{ Querystring: FhirQuery }>,
  patientId: string,
  path: string,
  params: URLSearchParams,
  keep: (r: Resource) => boolean,
  order: (rs: Resource[]) => Resource[] = (rs) => rs,
): Promise<Bundle> {
  const scope = authOf(req).scope;
  const opts = readOptionsOf(req);
  const cursor = cursorOf(req.query);
  const page = pageOf(req.query);
  const base = baseUrl(req);
  if (cursor === undefined && scope.recordCount(patientId) <= limits.wholeLimit) {
    const matches = order((await scope.listRecords(patientId, opts)).map(resourceOf).filter(keep));
    return searchset({ base, path, params, matches, page });
  }
  if (page.offset > 0)
    throw new ArgumentValueError('_offset', 'this patient is searched by _cursor: follow the next link');
  const { matches, next } = await scanPatient(limits, scope, patientId, opts, keep, cursor, page.count);
  return cursorSearchset({ base, path, params, matches, count: page.count, cursor, next });
}

/** `$everything` parameters: `_type` (comma list), `start`/`end` on the clinical date. */
function everythingFilter(q: FhirQuery): { used: URLSearchParams; keep: (r: Resource) => boolean } {
  const used = new URLSearchParams();
  const types = single(q, '_type');
  const start = single(q, 'start');
  const end = single(q, 'end');
  const typeSet = types === undefined ? undefined : new Set(splitOr(types).map(recordTypeOf));
  const low = start === undefined ? -Infinity : dateRange(start)?.low;
  const high = end === undefined ? Infinity : dateRange(end)?.high;
  if (low === undefined) throw new ArgumentValueError('start', 'is not a FHIR date');
  if (high === undefined) throw new ArgumentValueError('end', 'is not a FHIR date');
  if (types !== undefined) used.set('_type', types);
  if (start !== undefined) used.set('start', start);
  if (end !== undefined) used.set('end', end);
  return {
    used,
    keep: (r) => {
      if (typeSet && !typeSet.has(r.resourceType as RecordType)) return false;
      const d = clinicalDate(r);
      const range = d === undefined ? undefined : dateRange(d);
      // Resources without a care date (Patient, Medication…) stay in (operation-patient-everything.html).
      return range === undefined || (range.high > low && range.low < high);
    },
  };
}

export function searchRoutes(app: FastifyInstance, limits: FhirScanLimits): void {
  const tags = ['fhir'];

  app.get<{ Params: { type: string }; Querystring: FhirQuery }>(
    '/:type',
    { schema: { tags, summary: 'Search records of a patient: patient, subject, _id, code, date, _count' } },
    async (req, reply) => {
      const type = recordTypeOf(req.params.type);
      const s = parseRecordSearch(type, req.query, strictHandling(req));
      if (s.patient !== undefined && s.ids === undefined)
        return sendFhir(
          reply,
          200,
          await patientSearchset(limits, req, s.patient, type, s.used, (r) => matchesSearch(s, type, r)),
        );
      const matches = await searchRecords(authOf(req).scope, type, s, readOptionsOf(req));
      const base = baseUrl(req);
      return sendFhir(
        reply,
        200,
        searchset({ base, path: type, params: s.used, matches, page: pageOf(req.query) }),
      );
    },
  );

  app.get<{ Params: { compartment: string; id: string; type: string }; Querystring: FhirQuery }>(
    '/:compartment/:id/:type',
    { schema: { tags, summary: 'Compartment search: Patient/[id]/[type]?…' } },
    async (req, reply) => {
      const { compartment, id } = req.params;
      if (compartment !== 'Patient')
        throw new HttpError('ML_ERR_HTTP_NOT_FOUND', `no compartment search in ${compartment.slice(0, 64)}`);
      const type = recordTypeOf(req.params.type);
      const s = parseRecordSearch(type, req.query, strictHandling(req));
      if (s.patient !== undefined && s.patient !== id)
        throw new ArgumentValueError('patient', 'differs from the compartment');
      const search = { ...s, patient: id };
      const path = `Patient/${id}/${type}`;
      if (search.ids === undefined)
        return sendFhir(
          reply,
          200,
          await patientSearchset(limits, req, id, path, s.used, (r) => matchesSearch(search, type, r)),
        );
      const matches = await searchRecords(authOf(req).scope, type, search, readOptionsOf(req));
      return sendFhir(
        reply,
        200,
        searchset({ base: baseUrl(req), path, params: s.used, matches, page: pageOf(req.query) }),
      );
    },
  );

  const everything = async (
    req: FastifyRequest<{ Params: { id: string }; Querystring: FhirQuery }>,
  ): Promise<Bundle> => {
    const f = everythingFilter(req.query);
    const path = `Patient/${req.params.id}/$everything`;
    // The Patient first, as servers commonly do; the rest in ledger order (a cursor scan: ledger order).
    return patientSearchset(limits, req, req.params.id, path, f.used, f.keep, (all) => [
      ...all.filter((r) => r.resourceType === 'Patient'),
      ...all.filter((r) => r.resourceType !== 'Patient'),
    ]);
  };
  const summary = 'Every record of a patient the caller may read (one audited read)';
  app.get<{ Params: { id: string }; Querystring: FhirQuery }>(
    '/Patient/:id/$everything',
    { schema: { tags, summary } },
    async (req, reply) => sendFhir(reply, 200, await everything(req)),
  );
  app.post<{ Params: { id: string }; Querystring: FhirQuery }>(
    '/Patient/:id/$everything',
    { schema: { tags, summary } },
    async (req, reply) => sendFhir(reply, 200, await everything(req)),
  );
}
