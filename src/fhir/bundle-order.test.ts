import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dependencyOrder } from './bundle-order.ts';

/** A graph as adjacency lists: edges[i] = what i depends on. */
const graph = (maxN: number, acyclic: boolean): fc.Arbitrary<number[][]> =>
  fc.integer({ min: 0, max: maxN }).chain((n) =>
    fc
      .array(fc.array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: 4 }), {
        minLength: n,
        maxLength: n,
      })
      .map((adj) => adj.map((deps, i) => (acyclic ? deps.filter((d) => d > i) : deps).filter((d) => d < n))),
  );

function assertPermutation(order: number[], n: number): void {
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
  );
}

describe('dependencyOrder', () => {
  it('places every node after its dependencies in an acyclic graph', () => {
    fc.assert(
      fc.property(graph(30, true), (edges) => {
        const order = dependencyOrder(edges.length, (i) => edges[i]!);
        assertPermutation(order, edges.length);
        const at = new Map(order.map((node, pos) => [node, pos]));
        for (const [i, deps] of edges.entries()) for (const d of deps) assert.ok(at.get(d)! < at.get(i)!);
      }),
    );
  });

  it('returns every node exactly once even with cycles and self-references', () => {
    fc.assert(
      fc.property(graph(30, false), (edges) => {
        assertPermutation(
          dependencyOrder(edges.length, (i) => edges[i]!),
          edges.length,
        );
      }),
    );
    assert.deepEqual(
      dependencyOrder(2, (i) => [1 - i]),
      [1, 0],
    );
  });

  it('keeps an already ordered input as it is', () => {
    fc.assert(
      fc.property(graph(30, true), (edges) => {
        // Reverse the index space so every dependency points to an earlier node.
        const n = edges.length;
        const order = dependencyOrder(n, (i) => edges[n - 1 - i]!.map((d) => n - 1 - d));
        assert.deepEqual(
          order,
          Array.from({ length: n }, (_, i) => i),
        );
      }),
    );
  });

  it('handles a chain of 200,000 without overflowing the stack', () => {
    const n = 200_000;
    const order = dependencyOrder(n, (i) => (i + 1 < n ? [i + 1] : []));
    assert.equal(order[0], n - 1);
    assert.equal(order[n - 1], 0);
  });
});
