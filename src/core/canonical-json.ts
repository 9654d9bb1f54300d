/**
 * @module
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte encoding of a value that MedLedger hashes
 * and signs.
 *
 * - §3.1: input must be I-JSON (RFC 7493): finite numbers, well-formed Unicode, unique member names.
 * - §3.2.1: no whitespace.
 * - §3.2.2.2: strings escaped as ECMAScript `JSON.stringify` does (short forms, else lowercase `\u00xx`).
 * - §3.2.2.3: numbers as ECMAScript Number::toString (so `-0` → `0`).
 * - §3.2.3: members sorted by the UTF-16 code units of their names, which is what `<` compares.
 *
 * Anything that `JSON.stringify` would silently drop, convert or call (undefined, functions, `toJSON`,
 * Date, Map, class instances, typed arrays) is rejected with a {@link NotCanonicalizableError} naming
 * the JSONPath-like location (`$.a[2].b`), so two different values never hash alike. Symbol-keyed and
 * non-enumerable properties are ignored, as `JSON.stringify` does.
 *
 * This is on the hot path (every transaction, block and proof), so the walk carries only a depth: the
 * path and the cycle check are rebuilt from the unwinding stack when something fails.
 */
import { utf8 } from './bytes.ts';
import { NotCanonicalizableError } from './errors.ts';

/** A JSON value. Readonly so frozen or `as const` data is accepted. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** Containers nested deeper than this are rejected (a cycle is reported as a cycle, not as depth). */
export const MAX_DEPTH = 64;

/**
 * The RFC 8785 canonical form of `value`.
 *
 * @throws {NotCanonicalizableError} when `value` is not plain I-JSON data (see the module comment).
 * @example
 * canonicalize({ b: [1, -0, 1e21], a: 'é\n' }); // '{"a":"é\\n","b":[1,0,1e+21]}'
 */
export function canonicalize(value: unknown): string {
  try {
    return encodeValue(value, 0);
  } catch (e) {
    if (e instanceof Unwind) throw e.toError();
    throw e;
  }
}

/** UTF-8 bytes of {@link canonicalize}: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value));
}

/**
 * `JSON.parse` typed as {@link Json}. Throws SyntaxError on malformed text. The result may still not be
 * canonicalizable (`1e400` parses to Infinity, `"\ud800"` to a lone surrogate); {@link canonicalize}
 * reports those.
 */
export function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}

/** True when `text` is valid JSON already in RFC 8785 canonical form (so its bytes can be hashed as is). */
export function isCanonical(text: string): boolean {
  let value: Json;
  try {
    value = parseJson(text);
  } catch {
    return false;
  }
  try {
    return canonicalize(value) === text;
  } catch (e) {
    if (e instanceof NotCanonicalizableError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// Internal helpers.

type Segment = string | number;

/**
 * Internal: thrown at the failure and caught by each enclosing container on the way out, which adds
 * its member name (or index) and itself. {@link canonicalize} turns it into a NotCanonicalizableError.
 */
class Unwind extends Error {
  readonly reason: string;
  /** Innermost first while unwinding. */
  readonly segments: Segment[] = [];
  /** The containers along the path, innermost first; the failing container itself for a depth error. */
  readonly chain: object[] = [];
  readonly depthExceeded: boolean;

  constructor(reason: string, failing?: object) {
    super(reason);
    this.reason = reason;
    this.depthExceeded = failing !== undefined;
    if (failing !== undefined) this.chain.push(failing);
  }

  toError(): NotCanonicalizableError {
    const segments = this.segments.reverse();
    if (this.depthExceeded) {
      // Any cycle reaches the depth limit; the first container that repeats an ancestor is where an
      // eager ancestor check would have stopped (the walk up to there is the same).
      const chain = this.chain.reverse();
      for (const [j, container] of chain.entries()) {
        const i = chain.indexOf(container);
        if (i < j) {
          return new NotCanonicalizableError(
            formatPath(segments, j),
            `cycle: refers back to its ancestor ${formatPath(segments, i)}`,
          );
        }
      }
    }
    return new NotCanonicalizableError(formatPath(segments, segments.length), this.reason);
  }
}

function encodeValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return encodeString(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Unwind(`${v} is not a finite number`);
      return `${v}`; // Number::toString; -0 gives "0"
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      return encodeContainer(v, depth);
    case 'undefined':
    case 'bigint':
    case 'symbol':
    case 'function':
      throw new Unwind(`${typeof v} is not a JSON value`);
  }
}

function encodeContainer(v: object, depth: number): string {
  if (depth >= MAX_DEPTH) throw new Unwind(`nested deeper than ${MAX_DEPTH}`, v);
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    throw new Unwind('has a toJSON method (rejected, not called)');
  }
  if (Array.isArray(v)) return encodeArray(v, depth + 1);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new Unwind(`${describeObject(v)} is not a plain object or array`);
  }
  return encodeObject(v as Record<string, unknown>, depth + 1);
}

function encodeArray(a: readonly unknown[], childDepth: number): string {
  const n = a.length;
  if (n === 0) return '[]';
  let i = 0;
  try {
    // A hole reads as undefined and is rejected there.
    let out = '[' + encodeValue(a[0], childDepth);
    for (i = 1; i < n; i++) out += ',' + encodeValue(a[i], childDepth);
    return out + ']';
  } catch (e) {
    if (e instanceof Unwind) {
      e.segments.push(i);
      e.chain.push(a);
    }
    throw e;
  }
}

function encodeObject(o: Record<string, unknown>, childDepth: number): string {
  const keys = Object.keys(o);
  if (keys.length === 0) return '{}';
  sortKeys(keys);
  let key = '';
  try {
    let out = '';
    let sep = '{';
    for (key of keys) {
      // An own "__proto__" (as JSON.parse makes) shadows the accessor, so `o[key]` reads it.
      out += sep + encodeString(key) + ':' + encodeValue(o[key], childDepth);
      sep = ',';
    }
    return out + '}';
  } catch (e) {
    if (e instanceof Unwind) {
      e.segments.push(key);
      e.chain.push(o);
    }
    throw e;
  }
}

/** Up to this length a charCode scan beats `isWellFormed` + `JSON.stringify` (measured, Node 24). */
const SCAN_MAX = 32;

function encodeString(s: string): string {
  if (s.length <= SCAN_MAX) {
    let plain = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
        plain = false;
        break;
      }
    }
    if (plain) return '"' + s + '"';
  }
  // RFC 8785 §3.1 requires well-formed strings; JSON.stringify would escape a lone surrogate instead.
  if (!s.isWellFormed()) throw new Unwind('string has a lone surrogate (not well-formed UTF-16)');
  return JSON.stringify(s); // §3.2.2.2 escaping is exactly JSON.stringify's
}

/**
 * Sorts by UTF-16 code units (RFC 8785 §3.2.3), which is how `<` and the default `sort` compare strings.
 * Insertion sort for the small objects we mostly see: faster than `sort()` at a few keys.
 */
function sortKeys(keys: string[]): void {
  const n = keys.length;
  if (n > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    if (k === undefined) continue; // never: narrows for noUncheckedIndexedAccess
    let j = i - 1;
    for (; j >= 0; j--) {
      const prev = keys[j];
      if (prev === undefined || prev <= k) break;
      keys[j + 1] = prev;
    }
    keys[j + 1] = k;
  }
}

function describeObject(v: object): string {
  const name: unknown = (v.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'object with a custom prototype';
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$`, `.name`, `[3]`, or `["odd name"]` for names that are not identifiers. Error path only. */
function formatPath(segments: readonly Segment[], n: number): string {
  let out = '$';
  for (const s of segments.slice(0, n)) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return out;
}
