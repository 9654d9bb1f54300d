/**
 * @module
 * Search results as a FHIR R4 Bundle of type `searchset` (http://hl7.org/fhir/R4/bundle.html,
 * http://hl7.org/fhir/R4/search.html#paging): `total` matches, one page of entries with an absolute
 * `fullUrl` and `search.mode` match, and `self`/`first`/`previous`/`next` links. Paging is by offset:
 * a link repeats the parameters that were used with `_count` and `_offset`. Entries are in ledger
 * order, which only ever grows at the end, so a page boundary stays put while new records arrive.
 * A patient with too many records to scan in one request is searched a window at a time instead
 * (`cursorSearchset`): no `total`, and the `next` link carries `_cursor`, the record to go on after.
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

/** What a searchset's links repeat: the search, without its matches. */
type SearchQuery = Omit<SearchsetInput, 'matches'>;

function link(i: SearchQuery, relation: string, offset: number): BundleLink {
  const p = new URLSearchParams(i.params);
  p.set('_count', String(i.page.count));
  if (offset > 0) p.set('_offset', String(offset));
  return { relation, url: `${i.base}/${i.path}?${p.toString()}` };
}

/** Search entries of `matches`: absolute `fullUrl`, `search.mode` match. */
function matchEntries(base: string, matches: readonly Resource[]): BundleEntry[] {
  return matches.map((resource) => ({
    fullUrl: fullUrlOf(base, resource),
    resource,
    search: { mode: 'match' },
  }));
}

/** `fullUrl` of a resource on this server. */
export function fullUrlOf(base: string, r: Resource): string {
  return `${base}/${r.resourceType}/${r.id ?? ''}`;
}

export function searchset(i: SearchsetInput): Bundle {
  const { count, offset } = i.page;
  return pageBundle(i, count === 0 ? [] : i.matches.slice(offset, offset + count), i.matches.length);
}

/**
 * {@link searchset} of matches read as they are iterated: every one is counted for `total`, only
 * this page's are kept, so memory holds a page however many match.
 */
export function streamedSearchset(i: SearchQuery & { matches: Iterable<Resource> }): Bundle {
  const { count, offset } = i.page;
  const page: Resource[] = [];
  let total = 0;
  for (const r of i.matches) {
    if (total >= offset && total < offset + count) page.push(r);
    total++;
  }
  return pageBundle(i, page, total);
}

function pageBundle(i: SearchQuery, page: readonly Resource[], total: number): Bundle {
  const { count, offset } = i.page;
  const links: BundleLink[] = [link(i, 'self', offset)];
  if (count > 0) {
    links.push(link(i, 'first', 0));
    if (offset > 0) links.push(link(i, 'previous', Math.max(0, offset - count)));
    if (offset + count < total) links.push(link(i, 'next', offset + count));
  }
  const entry = matchEntries(i.base, page);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: links,
    ...(entry.length > 0 ? { entry } : {}),
  };
}

export interface CursorSearchsetInput {
  readonly base: string;
  readonly path: string;
  readonly params: URLSearchParams;
  /** This page's matches, in order. */
  readonly matches: readonly Resource[];
  readonly count: number;
  /** Where this page started, and where the next one starts (none: the scan reached the end). */
  readonly cursor: string | undefined;
  readonly next: string | undefined;
}

function cursorLink(i: CursorSearchsetInput, relation: string, cursor: string | undefined): BundleLink {
  const p = new URLSearchParams(i.params);
  p.set('_count', String(i.count));
  if (cursor !== undefined) p.set('_cursor', cursor);
  return { relation, url: `${i.base}/${i.path}?${p.toString()}` };
}

/** A searchset page of a scan by cursor (see the module comment): `self`, `first` and `next` links. */
export function cursorSearchset(i: CursorSearchsetInput): Bundle {
  const links: BundleLink[] = [cursorLink(i, 'self', i.cursor), cursorLink(i, 'first', undefined)];
  if (i.next !== undefined) links.push(cursorLink(i, 'next', i.next));
  const entry = matchEntries(i.base, i.matches);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: links,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
