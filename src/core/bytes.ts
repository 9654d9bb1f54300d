/**
 * @module
 * Byte helpers and boundary assertions (noble-style): TypeError-like ArgumentTypeError for a wrong
 * type, ArgumentValueError for a wrong value, the argument's name in the message.
 */
import { ArgumentTypeError, ArgumentValueError } from './errors.ts';

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Asserts `v` is a Uint8Array, of `length` bytes when given. */
export function abytes(v: unknown, length: number | undefined, name: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new ArgumentTypeError(name, 'Uint8Array', v);
  if (length !== undefined && v.length !== length) {
    throw new ArgumentValueError(name, `got ${v.length} bytes, want ${length}`, {
      got: v.length,
      want: length,
    });
  }
  return v;
}

/** Asserts `v` is a safe non-negative integer. */
export function anat(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new ArgumentTypeError(name, 'number', v);
  if (!Number.isSafeInteger(v) || v < 0)
    throw new ArgumentValueError(name, `got ${v}, want a safe integer ≥ 0`);
  return v;
}

/** Lowercase hex of bytes. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The same bytes as a Buffer, without a copy (for APIs that take Buffers only, e.g. sodium-native). */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Bytes of a lowercase hex string; `length` in bytes when given. */
export function fromHex(hex: unknown, length: number | undefined, name: string): Uint8Array {
  if (typeof hex !== 'string') throw new ArgumentTypeError(name, 'hex string', hex);
  if (!HEX_RE.test(hex)) throw new ArgumentValueError(name, 'not lowercase hex of whole bytes');
  if (length !== undefined && hex.length !== length * 2) {
    throw new ArgumentValueError(name, `got ${hex.length / 2} bytes, want ${length}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** True when both byte strings are equal (not constant time: use for public data only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
