/**
 * @module
 * The values at a simple FHIRPath element path (`activity.detail.performer`): each name steps into a
 * member, and arrays are flattened at every step, as FHIRPath collections are
 * (http://hl7.org/fhirpath/N1/#path-selection). No functions, filters or choice-type resolution.
 */
import { isObject } from './outcome.ts';

/** Every value at `path` (dotted element names from `root`), in document order. */
export function valuesAt(root: unknown, path: string): unknown[] {
  let nodes: unknown[] = [root];
  for (const name of path.split('.')) {
    const next: unknown[] = [];
    for (const n of nodes) {
      if (!isObject(n)) continue;
      const v = n[name];
      if (Array.isArray(v)) next.push(...(v as unknown[]));
      else if (v !== undefined) next.push(v);
    }
    nodes = next;
  }
  return nodes;
}
