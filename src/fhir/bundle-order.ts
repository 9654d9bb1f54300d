/**
 * @module
 * Import order for Bundle entries: each resource after the resources of the same Bundle it references,
 * so a store that checks references on write sees targets first. A depth-first topological sort that
 * starts from the entries in Bundle order: an already well-ordered Bundle keeps its order, and a
 * reference cycle (legal in FHIR, e.g. `Observation.hasMember` both ways) is broken at the edge that
 * closes it rather than failing. @internal to bundle.ts
 */

/**
 * The positions `0..n-1` reordered so that, cycles aside, `i` comes after every `j` in `dependsOn(i)`.
 * Iterative, so a long chain of references cannot overflow the stack.
 */
export function dependencyOrder(n: number, dependsOn: (i: number) => readonly number[]): number[] {
  const state = new Uint8Array(n); // 0 unvisited, 1 on the stack, 2 emitted
  const order: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    const stack: { node: number; deps: readonly number[]; next: number }[] = [
      { node: root, deps: dependsOn(root), next: 0 },
    ];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.deps.length) {
        const d = top.deps[top.next++]!;
        if (state[d] === 0) {
          state[d] = 1;
          stack.push({ node: d, deps: dependsOn(d), next: 0 });
        }
        // state 1: a cycle back to an ancestor; state 2: already placed. Either way, nothing to do.
      } else {
        stack.pop();
        state[top.node] = 2;
        order.push(top.node);
      }
    }
  }
  return order;
}
