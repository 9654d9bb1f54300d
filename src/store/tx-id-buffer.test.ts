import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TxIdBuffer } from './tx-id-buffer.ts';

const SLICES = 16;
const idOf = (n: number): string => createHash('sha256').update(String(n)).digest('hex');
const sliceOf = (hex: string): number => Number.parseInt(hex[0]!, 16);

describe('TxIdBuffer', () => {
  it('holds what a Map per slice holds, through adds, clears, drops and growth', () => {
    const op = fc.oneof(
      { arbitrary: fc.constant({ k: 'add' as const }), weight: 16 },
      { arbitrary: fc.record({ k: fc.constant('clear' as const), s: fc.nat(SLICES - 1) }), weight: 1 },
      {
        arbitrary: fc.record({
          k: fc.constant('drop' as const),
          s: fc.nat(SLICES - 1),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        weight: 1,
      },
      {
        arbitrary: fc.record({
          k: fc.constant('get' as const),
          at: fc.double({ min: 0, max: 1.1, noNaN: true }),
        }),
        weight: 2,
      },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1500, maxLength: 3000 }), (ops) => {
        const buf = new TxIdBuffer(SLICES);
        const model: Map<string, number>[] = Array.from({ length: SLICES }, () => new Map<string, number>());
        let next = 0;
        for (const o of ops) {
          if (o.k === 'add') {
            const id = idOf(next);
            buf.add(id, next, sliceOf(id));
            model[sliceOf(id)]!.set(id, next);
            next++;
          } else if (o.k === 'clear') {
            buf.clear(o.s);
            model[o.s]!.clear();
          } else if (o.k === 'drop') {
            const mark = Math.floor(o.at * next);
            buf.dropBelow(o.s, mark);
            for (const [id, seq] of model[o.s]!) if (seq < mark) model[o.s]!.delete(id);
          } else {
            // Held, dropped and never-seen ids.
            const id = idOf(Math.floor(o.at * next));
            assert.equal(buf.get(id), model[sliceOf(id)]!.get(id));
            assert.equal(buf.has(id), model[sliceOf(id)]!.has(id));
          }
        }
        let total = 0;
        for (let s = 0; s < SLICES; s++) {
          total += model[s]!.size;
          assert.equal(buf.sizeOf(s), model[s]!.size);
          const got = buf
            .entries(s)
            .map((e) => [e.id.toString('hex'), e.seq] as const)
            .sort((a, b) => a[1] - b[1]);
          assert.deepEqual(
            got,
            [...model[s]!].sort((a, b) => a[1] - b[1]),
          );
          for (const [id, seq] of model[s]!) assert.equal(buf.get(id), seq);
        }
        assert.equal(buf.size, total);
      }),
      { numRuns: 25 },
    );
  });

  it('answers absent for malformed ids and refuses to hold one', () => {
    const buf = new TxIdBuffer(SLICES);
    buf.add(idOf(1), 1, sliceOf(idOf(1)));
    for (const bad of ['', 'zz'.repeat(32), idOf(1).slice(0, 62), `${idOf(1)}00`]) {
      assert.equal(buf.get(bad), undefined);
      assert.equal(buf.has(bad), false);
      assert.throws(() => {
        buf.add(bad, 2, 0);
      }, RangeError);
    }
    assert.equal(buf.get(idOf(1)), 1);
    assert.equal(buf.get(idOf(1).toUpperCase()), 1);
  });

  it('hands out entries that stay intact after the slot is reused', () => {
    const buf = new TxIdBuffer(SLICES);
    const id = idOf(7);
    buf.add(id, 7, 3);
    const [entry] = buf.entries(3);
    buf.clear(3);
    buf.add(idOf(8), 8, 3);
    assert.equal(entry!.id.toString('hex'), id);
  });
});
