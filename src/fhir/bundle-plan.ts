/**
 * @module
 * Planning a Bundle import, entry by entry (http://hl7.org/fhir/R4/http.html#transaction): what each
 * entry asks for (create with POST, update at a known id with PUT `Type/id`; any `collection` entry is
 * a create), the id it will have, and the names other entries may use for it (its `fullUrl`, the
 * `Type/id` at the end of an absolute fullUrl, its old `Type/id`). @internal to bundle.ts
 */
import type { OperationOutcomeLike } from '../core/errors.ts';
import { ArgumentValueError } from '../core/errors.ts';
import { typedTail } from './bundle-refs.ts';
import type { PlannedResource } from './bundle-refs.ts';
import { errorOutcome, isObject } from './outcome.ts';
import { FHIR_ID } from './validate.ts';

export type BundleKind = 'transaction' | 'batch' | 'collection';

export const KINDS: ReadonlySet<string> = new Set<BundleKind>(['transaction', 'batch', 'collection']);

export interface RejectedEntry {
  readonly index: number;
  readonly fullUrl?: string;
  readonly resourceType?: string;
  readonly outcome: OperationOutcomeLike;
}

export interface Planned extends PlannedResource {
  readonly index: number;
  readonly fullUrl?: string;
  readonly method: 'POST' | 'PUT';
  readonly id: string;
}

/** Decide method and id of each entry; structurally unusable entries go to `rejected`. */
export function planEntries(
  kind: BundleKind,
  entries: readonly unknown[],
  newId: () => string,
  rejected: RejectedEntry[],
): Planned[] {
  const planned: Planned[] = [];
  const seenUrls = new Set<string>();
  const seenRefs = new Set<string>();
  const fresh = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const at = `Bundle.entry[${String(index)}]`;
    const e = isObject(entry) ? entry : {};
    const fullUrl = typeof e.fullUrl === 'string' ? e.fullUrl : undefined;
    const resource = e.resource;
    const base = { index, ...(fullUrl === undefined ? {} : { fullUrl }) };
    if (!isObject(resource) || typeof resource.resourceType !== 'string') {
      rejected.push({
        ...base,
        outcome: errorOutcome('structure', 'Entry has no resource with a resourceType', `${at}.resource`),
      });
      continue;
    }
    const type = resource.resourceType;
    const reject = (outcome: OperationOutcomeLike): void => {
      rejected.push({ ...base, resourceType: type, outcome });
    };
    if (fullUrl !== undefined && seenUrls.has(fullUrl)) {
      reject(errorOutcome('duplicate', `fullUrl ${fullUrl} appears twice`, `${at}.fullUrl`));
      continue;
    }
    const target = entryTarget(kind, e, type, at);
    if ('outcome' in target) {
      reject(target.outcome);
      continue;
    }
    let id: string;
    if (target.method === 'PUT') {
      id = target.id;
      if (resource.id !== undefined && resource.id !== id) {
        reject(
          errorOutcome(
            'invalid',
            `resource.id ${JSON.stringify(resource.id)} differs from the request URL`,
            `${at}.resource.id`,
          ),
        );
        continue;
      }
    } else {
      const made: unknown = newId();
      if (typeof made !== 'string' || !FHIR_ID.test(made)) {
        throw new ArgumentValueError('newId()', `returned an invalid FHIR id: ${JSON.stringify(made)}`);
      }
      id = made;
      if (fresh.has(id)) throw new ArgumentValueError('newId()', `returned ${id} twice`);
      fresh.add(id);
    }
    const newRef = `${type}/${id}`;
    if (seenRefs.has(newRef)) {
      reject(errorOutcome('duplicate', `${newRef} is written twice in the Bundle`, `${at}.request.url`));
      continue;
    }
    if (fullUrl !== undefined) seenUrls.add(fullUrl);
    seenRefs.add(newRef);
    planned.push({ ...base, type, newRef, resource, method: target.method, id });
  }
  return planned;
}

type Target = { method: 'POST' } | { method: 'PUT'; id: string } | { outcome: OperationOutcomeLike };

/** What an entry asks for: create (POST, or any collection entry) or update at a known id (PUT Type/id). */
function entryTarget(kind: BundleKind, e: Record<string, unknown>, type: string, at: string): Target {
  if (kind === 'collection') return { method: 'POST' };
  const request = e.request;
  if (!isObject(request))
    return {
      outcome: errorOutcome('required', 'A transaction or batch entry needs a request', `${at}.request`),
    };
  const method = request.method;
  const url = typeof request.url === 'string' ? request.url : '';
  if (method === 'POST') return { method: 'POST' };
  if (method !== 'PUT') {
    return {
      outcome: errorOutcome(
        'not-supported',
        `request.method ${String(method)} is not supported for import; want POST or PUT`,
        `${at}.request.method`,
      ),
    };
  }
  if (url.includes('?'))
    return {
      outcome: errorOutcome('not-supported', 'Conditional update is not supported', `${at}.request.url`),
    };
  const m = /^([A-Z][A-Za-z]+)\/([^/]+)$/.exec(url);
  if (m?.[1] !== type || !FHIR_ID.test(m[2]!)) {
    return {
      outcome: errorOutcome('invalid', `PUT url must be ${type}/<id>, got "${url}"`, `${at}.request.url`),
    };
  }
  return { method: 'PUT', id: m[2]! };
}

/** Old names → new refs: each fullUrl, its `Type/id` tail, `Type/oldId`; a name two entries claim is dropped. */
export function buildIdMap(planned: readonly Planned[]): Map<string, string> {
  const map = new Map<string, string>();
  const ambiguous = new Set<string>();
  const claim = (key: string, ref: string): void => {
    const prev = map.get(key);
    if (prev !== undefined && prev !== ref) ambiguous.add(key);
    else map.set(key, ref);
  };
  for (const p of planned) {
    if (p.fullUrl !== undefined) {
      claim(p.fullUrl, p.newRef);
      const tail = typedTail(p.fullUrl);
      if (tail?.startsWith(`${p.type}/`)) claim(tail, p.newRef);
    }
    if (typeof p.resource.id === 'string') claim(`${p.type}/${p.resource.id}`, p.newRef);
  }
  for (const key of ambiguous) map.delete(key);
  return map;
}
