/**
 * @module
 * RFC 8785 JSON Canonicalization Scheme for the browser: the exact bytes the node hashes and signs.
 * The node's own encoder (src/core/canonical-json.ts) reaches node:crypto's Buffer through its byte
 * helpers and uses ES2024 `isWellFormed`, so the portal carries this small twin instead;
 * test/web-verify.test.ts checks both agree on generated values.
 *
 * - §3.1 I-JSON only: finite numbers, well-formed strings (no lone surrogates), plain objects/arrays.
 * - §3.2.2.2 strings escaped as `JSON.stringify` does; §3.2.2.3 numbers as Number::toString.
 * - §3.2.3 members sorted by UTF-16 code units (what `Array.prototype.sort` compares).
 */

/** Thrown for a value with no canonical form, naming where it is (`$.a[2]`). */
export class CanonicalJsonError extends Error {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'CanonicalJsonError';
    this.path = path;
  }
}

const MAX_DEPTH = 64;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The RFC 8785 canonical JSON text of `value`. */
export function canonicalize(value: unknown): string {
  return encode(value, '$', 0);
}

function encode(v: unknown, path: string, depth: number): string {
  switch (typeof v) {
    case 'string':
      if (LONE_SURROGATE.test(v)) throw new CanonicalJsonError(path, 'string has a lone surrogate');
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new CanonicalJsonError(path, `${String(v)} is not a finite number`);
      return String(v); // Number::toString; -0 gives "0"
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      if (depth >= MAX_DEPTH) throw new CanonicalJsonError(path, `nested deeper than ${String(MAX_DEPTH)}`);
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function')
        throw new CanonicalJsonError(path, 'has a toJSON method');
      if (Array.isArray(v)) return encodeArray(v as unknown[], path, depth + 1);
      return encodeObject(v, path, depth + 1);
    default:
      throw new CanonicalJsonError(path, `${typeof v} is not a JSON value`);
  }
}

function encodeArray(a: readonly unknown[], path: string, depth: number): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i++) parts.push(encode(a[i], `${path}[${String(i)}]`, depth));
  return `[${parts.join(',')}]`;
}

function encodeObject(o: object, path: string, depth: number): string {
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null)
    throw new CanonicalJsonError(path, 'not a plain object or array');
  const rec = o as Record<string, unknown>;
  const keys = Object.keys(rec).sort();
  const parts = keys.map((k) => `${encode(k, path, depth)}:${encode(rec[k], `${path}.${k}`, depth)}`);
  return `{${parts.join(',')}}`;
}
