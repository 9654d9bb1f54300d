/**
 * @module
 * Search results as a FHIR R4 Bundle of type `searchset` (http://hl7.org/fhir/R4/bundle.html,
 * http://hl7.org/fhir/R4/search.html#paging): `total` matches, one page of entries with an absolute
 * `fullUrl` and `search.mode` match, and `self`/`first`/`previous`/`next` links. Paging is by offset:
 * a link repeats the parameters that were used with `_count` and `_offset`. Entries are in ledger
 * order, which only ever grows at the end, so a page boundary stays put while new records arrive.
 */
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { Page } from './fhir-http.ts';

export interface SearchsetInput {
  /** Server base, e.g. `http://host/fhir/R4`. */
  readonly base: string;
  /** Path of the search below the base, e.g. `Observation` or `Patient/p1/$everything`. */
  readonly path: string;
  /** The parameters that were applied (not `_count`/`_offset`); unknown ones left out, per search.html. */
  readonly params: URLSearchParams;
  /** Every match, in order. */
  readonly matches: readonly Resource[];
  readonly page: Page;
}

function link(i: SearchsetInput, relation: string, offset: number): BundleLink {
  const p = new URLSearchParams(i.params);
  p.set('_count', String(i.page.count));
  if (offset > 0) p.set('_offset', String(offset));
  return { relation, url: `${i.base}/${i.path}?${p.toString()}` };
}

/** `fullUrl` of a resource on this server. */
export function fullUrlOf(base: string, r: Resource): string {
  return `${base}/${r.resourceType}/${r.id ?? ''}`;
}

export function searchset(i: SearchsetInput): Bundle {
  const { count, offset } = i.page;
  const total = i.matches.length;
  const page = count === 0 ? [] : i.matches.slice(offset, offset + count);
  const links: BundleLink[] = [link(i, 'self', offset)];
  if (count > 0) {
    links.push(link(i, 'first', 0));
    if (offset > 0) links.push(link(i, 'previous', Math.max(0, offset - count)));
    if (offset + count < total) links.push(link(i, 'next', offset + count));
  }
  const entry: BundleEntry[] = page.map((resource) => ({
    fullUrl: fullUrlOf(i.base, resource),
    resource,
    search: { mode: 'match' },
  }));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: links,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
