/**
 * @module
 * The monitor's remembered digests against a plain map of them: the same answers while within the
 * bound; past it, a height is forgotten (then verified again) but never answered with a wrong digest,
 * and the chunks held stay within the bound.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BlockDigests, CHUNK } from './block-digests.ts';
import { DIGEST_BYTES } from './stored-digests.ts';

/** A digest that tells height and version apart. */
function digest(height: number, version: number): Uint8Array {
  const d = new Uint8Array(DIGEST_BYTES);
  new DataView(d.buffer).setUint32(0, height);
  new DataView(d.buffer).setUint32(4, version);
  return d;
}

type Op =
  | { readonly kind: 'set'; readonly from: number; readonly n: number }
  | { readonly kind: 'forget'; readonly above: number }
  | { readonly kind: 'clear' };

const MAX_HEIGHT = 5 * CHUNK;
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      from: fc.nat(MAX_HEIGHT),
      n: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('forget' as const),
      above: fc.integer({ min: -1, max: MAX_HEIGHT }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

/** Applies `ops` to both; `check(height, expected)` is asked at every height touched. */
function run(
  d: BlockDigests,
  ops: readonly Op[],
  check: (h: number, want: Uint8Array | undefined) => void,
): void {
  const model = new Map<number, Uint8Array>();
  let version = 0;
  let top = -1;
  for (const o of ops) {
    if (o.kind === 'set') {
      version++;
      const all = new Uint8Array(o.n * DIGEST_BYTES);
      for (let k = 0; k < o.n; k++) {
        all.set(digest(o.from + k, version), k * DIGEST_BYTES);
        model.set(o.from + k, digest(o.from + k, version));
      }
      d.setRange(o.from, all);
      top = Math.max(top, o.from + o.n - 1);
    } else if (o.kind === 'forget') {
      d.forgetAbove(o.above);
      for (const h of [...model.keys()]) if (h > o.above) model.delete(h);
      top = Math.min(top, o.above);
    } else {
      d.clear();
      model.clear();
      top = -1;
    }
    assert.equal(d.top, top);
  }
  for (let h = 0; h <= MAX_HEIGHT + 3000; h++) check(h, model.get(h));
}

describe('block digests', () => {
  test('answer as a map of them while within the bound', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const d = new BlockDigests(8 * CHUNK);
        run(d, ops, (h, want) => {
          const got = d.get(h);
          assert.deepEqual(got && Buffer.from(got), want && Buffer.from(want), `height ${String(h)}`);
        });
      }),
      { numRuns: 60 },
    );
  });

  test('past the bound forget the least recently used chunk, never answer a wrong digest', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const d = new BlockDigests(2 * CHUNK);
        run(d, ops, (h, want) => {
          const got = d.get(h);
          if (got !== undefined)
            assert.deepEqual(Buffer.from(got), want && Buffer.from(want), `height ${String(h)}`);
        });
        assert.ok(d.size.chunks <= 2);
      }),
      { numRuns: 60 },
    );
  });

  test('a chunk just read stays, the one unread longest goes', () => {
    const d = new BlockDigests(2 * CHUNK);
    d.setRange(0, digest(0, 1));
    d.setRange(CHUNK, digest(CHUNK, 1));
    assert.ok(d.get(0)); // chunk 0 read: chunk 1 is now the least recently used
    d.setRange(2 * CHUNK, digest(2 * CHUNK, 1));
    assert.ok(d.get(0));
    assert.equal(d.get(CHUNK), undefined);
    assert.ok(d.get(2 * CHUNK));
    assert.deepEqual(d.size, { chunks: 2, heights: 2, capacity: 2 * CHUNK });
  });
});
