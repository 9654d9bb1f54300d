/**
 * @module
 * Preparing a FHIR R4 Bundle for import (http://hl7.org/fhir/R4/bundle.html,
 * http://hl7.org/fhir/R4/http.html#transaction): pure, no I/O, the input is never modified.
 *
 * - Accepted: `transaction`, `batch` (entries POST, or PUT to `Type/id`) and `collection` (every entry
 *   created). Any other Bundle type, or anything that is not a Bundle, is refused whole.
 * - POST gives each resource a fresh server id from `newId()`; PUT keeps the id of its URL. The server
 *   assigns `meta.versionId` and `meta.lastUpdated`, so those are dropped (http.html#create).
 * - References are rewritten to the new `Type/id` (see bundle-refs.ts); each resource is then
 *   validated with {@link validateRecord}. Failing entries are returned as `rejected` with their
 *   OperationOutcome, the rest as `entries`, ordered so targets come before what references them.
 * - A real server applies a `transaction` all-or-nothing; `type` is returned so the caller can refuse
 *   the whole Bundle when `rejected` is not empty. An entry that references a rejected entry keeps the
 *   rejected entry's would-be `Type/id`.
 */
import type { Resource } from '@medplum/fhirtypes';
import { ArgumentTypeError, FhirBundleError, FhirValidationError } from '../core/errors.ts';
import type { OperationOutcomeLike } from '../core/errors.ts';
import { dependencyOrder } from './bundle-order.ts';
import { buildIdMap, KINDS, planEntries } from './bundle-plan.ts';
import type { BundleKind, RejectedEntry } from './bundle-plan.ts';
import { indexIdentifiers, rewriteReferences } from './bundle-refs.ts';
import { errorOutcome, isObject } from './outcome.ts';
import { validateRecord } from './validate.ts';

export type { BundleKind, RejectedEntry } from './bundle-plan.ts';

export interface PreparedEntry {
  /** Position of the entry in the submitted Bundle. */
  readonly index: number;
  readonly fullUrl?: string;
  /** The validated resource with its new id and rewritten references. */
  readonly resource: Resource;
  readonly method: 'POST' | 'PUT';
}

/** A conditional reference that matched no resource of the Bundle, left as written. */
export interface UnresolvedReference {
  readonly index: number;
  /** FHIRPath of the Reference, e.g. `Encounter.serviceProvider`. */
  readonly path: string;
  readonly reference: string;
}

export interface PreparedBundle {
  readonly type: BundleKind;
  /** Valid entries, each after the entries it references where the references allow. */
  readonly entries: readonly PreparedEntry[];
  readonly rejected: readonly RejectedEntry[];
  /** Old name (`urn:uuid:…` fullUrl, old `Type/id`) → new `Type/id`. */
  readonly idMap: ReadonlyMap<string, string>;
  readonly unresolved: readonly UnresolvedReference[];
}

export interface PrepareOptions {
  /** A fresh FHIR id (1–64 of `[A-Za-z0-9-.]`) for each created resource; must never repeat. */
  readonly newId: () => string;
}

/**
 * Prepare `bundle` for import: new ids, rewritten references, validation, dependency order.
 *
 * @throws {FhirBundleError} when `bundle` is not a Bundle of an accepted type or `entry` is not an array.
 * @throws {ArgumentValueError} when `newId()` returns an invalid or repeated id.
 * @example
 * const p = prepareBundle(syntheaBundle, { newId: () => crypto.randomUUID() });
 * if (p.type === 'transaction' && p.rejected.length > 0) refuse(p.rejected);
 */
export function prepareBundle(bundle: unknown, opts: PrepareOptions): PreparedBundle {
  if (!isObject(opts) || typeof opts.newId !== 'function') {
    throw new ArgumentTypeError('opts.newId', 'function', opts);
  }
  const { type, entries } = checkBundle(bundle);
  const rejected: RejectedEntry[] = [];
  const planned = planEntries(type, entries, opts.newId, rejected);

  const idMap = buildIdMap(planned);
  const tables = { idMap, byIdentifier: indexIdentifiers(planned) };
  const byNewRef = new Map(planned.map((p, i) => [p.newRef, i]));

  const accepted: { entry: PreparedEntry; deps: number[] }[] = [];
  const acceptedAt = new Map<number, number>(); // planned position → accepted position
  const unresolved: UnresolvedReference[] = [];
  for (const [pos, p] of planned.entries()) {
    const reject = (outcome: OperationOutcomeLike): void => {
      rejected.push({
        index: p.index,
        ...(p.fullUrl === undefined ? {} : { fullUrl: p.fullUrl }),
        resourceType: p.type,
        outcome,
      });
    };
    const rw = rewriteReferences(p.resource, p.type, tables);
    if (rw.problem !== undefined) {
      reject(errorOutcome(rw.problem.code, rw.problem.text, rw.problem.path));
      continue;
    }
    const resource = withServerFields(rw.resource, p.id);
    try {
      validateRecord(resource);
    } catch (e) {
      if (!(e instanceof FhirValidationError)) throw e;
      reject(e.outcome);
      continue;
    }
    for (const u of rw.unresolved) unresolved.push({ index: p.index, ...u });
    const deps: number[] = [];
    for (const t of rw.targets) {
      const d = byNewRef.get(t);
      if (d !== undefined && d !== pos) deps.push(d);
    }
    acceptedAt.set(pos, accepted.length);
    const entry: PreparedEntry = {
      index: p.index,
      ...(p.fullUrl === undefined ? {} : { fullUrl: p.fullUrl }),
      resource: resource as unknown as Resource,
      method: p.method,
    };
    accepted.push({ entry, deps });
  }

  // Dependencies are kept only between accepted entries.
  const order = dependencyOrder(accepted.length, (i) =>
    accepted[i]!.deps.flatMap((d) => {
      const a = acceptedAt.get(d);
      return a === undefined ? [] : [a];
    }),
  );
  rejected.sort((a, b) => a.index - b.index);
  return { type, entries: order.map((i) => accepted[i]!.entry), rejected, idMap, unresolved };
}

function checkBundle(bundle: unknown): { type: BundleKind; entries: readonly unknown[] } {
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    const rt = isObject(bundle) ? bundle.resourceType : undefined;
    throw new FhirBundleError('not a FHIR Bundle', {
      resourceType: typeof rt === 'string' ? rt.slice(0, 64) : typeof rt,
    });
  }
  const type = bundle.type;
  if (typeof type !== 'string' || !KINDS.has(type)) {
    const got = typeof type === 'string' ? type.slice(0, 64) : typeof type;
    throw new FhirBundleError(
      `Bundle type ${got} cannot be imported; want transaction, batch or collection`,
      {
        type: got,
      },
    );
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw new FhirBundleError('Bundle.entry is not an array');
  return { type: type as BundleKind, entries: entries as unknown[] };
}

/** The server's view of a stored resource: the assigned id, no client-supplied version or timestamp. */
function withServerFields(resource: Record<string, unknown>, id: string): Record<string, unknown> {
  const out: Record<string, unknown> = { resourceType: resource.resourceType, id };
  for (const [k, v] of Object.entries(resource)) if (k !== 'resourceType' && k !== 'id') out[k] = v;
  if (isObject(out.meta)) {
    const { versionId: _v, lastUpdated: _l, ...meta } = out.meta;
    if (Object.keys(meta).length > 0) out.meta = meta;
    else delete out.meta;
  }
  return out;
}
