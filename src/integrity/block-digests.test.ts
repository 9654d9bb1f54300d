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
import { DIGEST_BYTES } from '../chain/stored-digests.ts';

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
      above: fc.integer({ min: -3, max: MAX_HEIGHT }),
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
      top = Math.max(-1, Math.min(top, o.above));
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

  test('past the bound forget the chunk used last: a sweep in order keeps its first chunks for the next pass', () => {
    const d = new BlockDigests(4 * CHUNK);
    const chain = 7 * CHUNK;
    const window = 1000;
    const hitsPerPass: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      let hits = 0;
      for (let from = 0; from < chain; from += window) {
        const to = Math.min(chain, from + window) - 1;
        let known = true;
        for (let h = from; h <= to && known; h++) known = d.get(h) !== undefined;
        if (known) hits++;
        const all = new Uint8Array((to - from + 1) * DIGEST_BYTES);
        for (let h = from; h <= to; h++) all.set(digest(h, pass), (h - from) * DIGEST_BYTES);
        d.setRange(from, all);
      }
      hitsPerPass.push(hits);
      assert.ok(d.size.chunks <= 4);
    }
    // Windows wholly inside the 3 chunks kept (3 × 4,096 heights ÷ 1,000, less the one across the edge).
    assert.equal(hitsPerPass[0], 0);
    assert.ok(hitsPerPass[1]! >= 11 && hitsPerPass[2]! >= 11, JSON.stringify(hitsPerPass));
  });

  test('top never goes below −1', () => {
    const d = new BlockDigests(CHUNK);
    d.setRange(5, digest(5, 1));
    d.forgetAbove(-5);
    assert.equal(d.top, -1);
    assert.equal(d.get(5), undefined);
  });
});
