/**
 * @module
 * Reference resolution inside a Bundle being imported (http://hl7.org/fhir/R4/bundle.html#references and
 * http://hl7.org/fhir/R4/http.html#trules): each entry's `fullUrl` (`urn:uuid:…`, or an absolute URL
 * ending in `Type/id`) and each old `Type/id` name the resource under its new server id, and every
 * `reference` anywhere in a resource (contained resources and extensions included) is rewritten to it.
 *
 * Conditional references (`Organization?identifier=system|value`, http://hl7.org/fhir/R4/http.html#trules
 * step 4) are resolved against the identifiers of the Bundle's own resources; one that matches nothing
 * here may match on the server, so it is left as written and reported, never rejected. `#id` references
 * to contained resources are local and never touched. @internal to bundle.ts
 */
import { isObject } from './outcome.ts';
import { MAX_DEPTH } from './validate.ts';

/** A resource as planned for import: its type, its new id, and the names other entries may use for it. */
export interface PlannedResource {
  readonly type: string;
  readonly newRef: string;
  readonly resource: Record<string, unknown>;
}

/** How a reference was found in one resource while rewriting. */
export interface RewriteResult {
  readonly resource: Record<string, unknown>;
  /** New references (`Type/newId`) this resource points to, for ordering. */
  readonly targets: ReadonlySet<string>;
  /** Conditional references that matched no resource of the Bundle, with their FHIRPath location. */
  readonly unresolved: readonly { readonly path: string; readonly reference: string }[];
  /** The first problem that makes the resource unimportable, if any. */
  readonly problem?: {
    readonly code: 'not-found' | 'too-costly' | 'structure';
    readonly text: string;
    readonly path: string;
  };
}

/** What the rewrite needs: old names → new refs, and identifiers → new refs (`null` when ambiguous). */
export interface ResolutionTables {
  readonly idMap: ReadonlyMap<string, string>;
  readonly byIdentifier: ReadonlyMap<string, string | null>;
}

/** `Type/id` (optionally `/_history/v`) at the end of a relative or absolute reference. */
const TYPED_TAIL = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/?#]+)?$/;

/** The `Type/id` part of a literal reference or fullUrl, if it has one. */
export function typedTail(ref: string): string | undefined {
  return TYPED_TAIL.exec(ref)?.[1];
}

/** Index identifiers by type, system and value, and by type and value (any system); `null` if shared. */
export function indexIdentifiers(planned: readonly PlannedResource[]): Map<string, string | null> {
  const index = new Map<string, string | null>();
  const put = (key: string, ref: string): void => {
    const prev = index.get(key);
    index.set(key, prev === undefined || prev === ref ? ref : null);
  };
  for (const p of planned) {
    const ids = p.resource.identifier;
    if (!Array.isArray(ids)) continue;
    for (const id of ids as unknown[]) {
      if (!isObject(id) || typeof id.value !== 'string') continue;
      const system = typeof id.system === 'string' ? id.system : '';
      put(`s\0${p.type}\0${system}\0${id.value}`, p.newRef);
      put(`a\0${p.type}\0${id.value}`, p.newRef);
    }
  }
  return index;
}

/**
 * Resolve `Type?identifier=token` against the Bundle: the new reference, or undefined when the query is
 * not a single identifier search, the token matches nothing, or it matches more than one resource.
 * Token forms (http://hl7.org/fhir/R4/search.html#token): `system|value`, `|value` (no system), `value`.
 */
export function resolveConditional(
  ref: string,
  byIdentifier: ReadonlyMap<string, string | null>,
): string | undefined {
  const m = /^([A-Z][A-Za-z]+)\?identifier=([^&]*)$/.exec(ref);
  if (m === null) return undefined;
  let token: string;
  try {
    token = decodeURIComponent(m[2]!.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
  const bar = token.indexOf('|');
  const key =
    bar < 0 ? `a\0${m[1]!}\0${token}` : `s\0${m[1]!}\0${token.slice(0, bar)}\0${token.slice(bar + 1)}`;
  return byIdentifier.get(key) ?? undefined;
}

/**
 * A rewritten deep copy of `resource` (the input is not modified): references renamed through `tables`,
 * conditional references resolved where the Bundle can, `urn:` references that name no entry reported
 * as a problem (a transaction that cannot resolve one fails, http.html#trules).
 */
export function rewriteReferences(
  resource: Record<string, unknown>,
  type: string,
  tables: ResolutionTables,
): RewriteResult {
  const state: WalkState = { tables, targets: new Set(), unresolved: [], problem: undefined, trail: [type] };
  const copy = copyValue(resource, 0, state) as Record<string, unknown>;
  return {
    resource: copy,
    targets: state.targets,
    unresolved: state.unresolved,
    ...(state.problem === undefined ? {} : { problem: state.problem }),
  };
}

interface WalkState {
  readonly tables: ResolutionTables;
  readonly targets: Set<string>;
  readonly unresolved: { path: string; reference: string }[];
  problem: RewriteResult['problem'];
  /** Path segments to the current value; joined only when something is reported. */
  readonly trail: string[];
}

function copyValue(value: unknown, depth: number, s: WalkState): unknown {
  if (typeof value !== 'object' || value === null || s.problem !== undefined) return value;
  if (depth >= MAX_DEPTH) {
    s.problem = {
      code: 'too-costly',
      text: `Nested deeper than ${String(MAX_DEPTH)} levels`,
      path: s.trail.join(''),
    };
    return value;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      s.trail.push(`[${String(i)}]`);
      out[i] = copyValue(value[i], depth + 1, s);
      s.trail.pop();
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // Assigning "__proto__" would set the copy's prototype instead of a member.
    if (key === '__proto__') {
      s.problem = { code: 'structure', text: 'Forbidden property "__proto__"', path: s.trail.join('') };
      return value;
    }
    const v = (value as Record<string, unknown>)[key];
    s.trail.push(`.${key}`);
    out[key] = key === 'reference' && typeof v === 'string' ? rewriteOne(v, s) : copyValue(v, depth + 1, s);
    s.trail.pop();
  }
  return out;
}

function rewriteOne(ref: string, s: WalkState): string {
  if (ref.startsWith('#')) return ref;
  const direct = s.tables.idMap.get(ref) ?? lookupTail(ref, s.tables.idMap);
  if (direct !== undefined) {
    s.targets.add(direct);
    return direct;
  }
  if (ref.includes('?')) {
    const resolved = resolveConditional(ref, s.tables.byIdentifier);
    if (resolved !== undefined) {
      s.targets.add(resolved);
      return resolved;
    }
    s.unresolved.push({ path: parentPath(s.trail), reference: ref });
    return ref;
  }
  if (ref.startsWith('urn:') && s.problem === undefined) {
    s.problem = {
      code: 'not-found',
      text: `Reference "${ref}" names no entry of the Bundle`,
      path: parentPath(s.trail),
    };
  }
  return ref;
}

/** A version-specific `Type/id/_history/v` to a resource of the Bundle points to its new id. */
function lookupTail(ref: string, idMap: ReadonlyMap<string, string>): string | undefined {
  if (!ref.includes('/_history/')) return undefined;
  const tail = typedTail(ref);
  return tail === undefined ? undefined : idMap.get(tail);
}

/** The FHIRPath of the Reference holding the current `.reference` member. */
function parentPath(trail: readonly string[]): string {
  return trail.slice(0, -1).join('');
}
