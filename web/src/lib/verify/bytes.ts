/**
 * @module
 * Byte helpers for the browser verifier: lowercase hex (the chain's encoding of every hash, key and
 * signature), UTF-8, concatenation and comparison. Plain `Uint8Array<ArrayBuffer>` so the results go
 * straight into WebCrypto (`crypto.subtle`), which takes no shared or resizable buffers.
 */

export type Bytes = Uint8Array<ArrayBuffer>;

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Thrown for input that is not what the chain encodes (wrong hex, wrong length). */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Lowercase hex of exactly `length` bytes (when given); throws FormatError naming `what`. */
export function fromHex(hex: unknown, length: number | undefined, what: string): Bytes {
  if (typeof hex !== 'string' || !HEX.test(hex)) throw new FormatError(`${what} is not lowercase hex`);
  if (length !== undefined && hex.length !== 2 * length)
    throw new FormatError(`${what} has ${String(hex.length / 2)} bytes, want ${String(length)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function utf8(s: string): Bytes {
  const e = new TextEncoder().encode(s);
  const out = new Uint8Array(e.length);
  out.set(e);
  return out;
}

export function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
