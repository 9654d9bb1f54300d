/**
 * @module
 * The patient's complete record as one FHIR R4 Bundle file: `Patient/$everything` answers a page at a
 * time with `link[relation=next]` (FHIR R4 §3.1.0.6 paging), so every page is fetched and the entries
 * joined into a `collection` Bundle (entry.search belongs to searchsets only, so it is dropped), then
 * handed to the browser as `application/fhir+json`.
 */
import { request, saveBlob } from '../../api.ts';

interface Entry {
  readonly fullUrl?: string;
  readonly resource?: { readonly resourceType: string; readonly id?: string };
  readonly search?: unknown;
}

interface SearchBundle {
  readonly resourceType: 'Bundle';
  readonly total?: number;
  readonly link?: readonly { readonly relation: string; readonly url: string }[];
  readonly entry?: readonly Entry[];
}

export interface CollectionBundle {
  readonly resourceType: 'Bundle';
  readonly type: 'collection';
  readonly timestamp: string;
  readonly entry: readonly Omit<Entry, 'search'>[];
}

/** Stops a server whose `next` links loop from keeping the browser busy forever. */
const MAX_PAGES = 1000;

/** Same-origin path of a link the node wrote with its own base URL (the portal may sit behind a proxy). */
function pathOf(url: string): string {
  const u = new URL(url, window.location.origin);
  return `${u.pathname}${u.search}`;
}

export async function fetchEverything(
  patientId: string,
  onProgress?: (fetched: number, total: number | undefined) => void,
): Promise<CollectionBundle> {
  const entries: Omit<Entry, 'search'>[] = [];
  const seen = new Set<string>();
  let path: string | undefined = `/fhir/R4/Patient/${encodeURIComponent(patientId)}/$everything`;
  for (let pages = 0; path !== undefined; pages++) {
    if (pages >= MAX_PAGES || seen.has(path)) throw new Error('The node kept sending more pages; stopped.');
    seen.add(path);
    const page: SearchBundle = await request<SearchBundle>(path, { fhir: true });
    for (const e of page.entry ?? []) {
      const { search: _search, ...rest } = e;
      entries.push(rest);
    }
    onProgress?.(entries.length, page.total);
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    path = next === undefined ? undefined : pathOf(next);
  }
  return { resourceType: 'Bundle', type: 'collection', timestamp: new Date().toISOString(), entry: entries };
}

/** Hands JSON to the browser as a file download. */
export function saveJson(value: unknown, filename: string, type: string): void {
  saveBlob(new Blob([JSON.stringify(value, null, 2)], { type }), filename);
}
