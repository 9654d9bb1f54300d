/**
 * @module
 * Random bytes for the hot paths (record keys, nonces, HPKE ephemeral keys, transaction nonces):
 * node:crypto's CSPRNG (`randomFillSync`, OpenSSL's RAND_bytes) filled 4 KiB at a time instead of one
 * call per value. Each value is copied out and its bytes in the pool zeroed at once, so the pool never
 * holds a value already handed out. A pooled value costs a fraction of a `randomBytes(32)` call, which
 * a record write made several times. Node's own `randomUUID` keeps a cache the same way.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
/** Larger requests are rare and go straight to the CSPRNG. */
const MAX_POOLED = 256;

const pool = Buffer.alloc(POOL_BYTES);
let at = POOL_BYTES;

/** `n` fresh random bytes (a new Buffer the caller owns). */
export function random(n: number): Buffer {
  if (n > MAX_POOLED) return randomBytes(n);
  if (at + n > POOL_BYTES) {
    randomFillSync(pool);
    at = 0;
  }
  const out = Buffer.allocUnsafeSlow(n);
  pool.copy(out, 0, at, at + n);
  pool.fill(0, at, at + n);
  at += n;
  return out;
}
