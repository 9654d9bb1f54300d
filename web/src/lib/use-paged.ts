/**
 * @module
 * A list the node gives a page at a time: `usePaged(path, deps)` loads the first page when deps change
 * and `more()` appends the next one, following the `Link: rel="next"` header, so a patient with years
 * of records or access events sees them all without the page holding the whole list at once.
 */
import { useCallback, useMemo, useState } from 'react';
import { listPage } from '../api.ts';
import type { ListPage } from '../api.ts';
import { useAsync } from './use-async.ts';
import type { AsyncState } from './use-async.ts';

export interface PagedState<T> extends AsyncState<T[]> {
  /** Loads the next page and appends it; undefined when the whole list is loaded. */
  readonly more: (() => void) | undefined;
  readonly loadingMore: boolean;
  readonly moreError: Error | undefined;
}

interface Extra<T> {
  /** The first page these pages follow (a new first page starts over). */
  readonly after: ListPage<T> | undefined;
  readonly items: readonly T[];
  readonly next: string | undefined;
}

/** No pages beyond the first yet: one array, so that memos over the list keep their value across renders. */
const NONE: readonly never[] = [];

/** `path` is under `/api/v1` (as for `api.get`); undefined loads nothing yet (a path still unknown). */
export function usePaged<T>(path: string | undefined, deps: readonly unknown[]): PagedState<T> {
  const first = useAsync(
    (signal) => (path === undefined ? Promise.resolve(undefined) : listPage<T>(`/api/v1${path}`, signal)),
    deps,
  );
  const [extra, setExtra] = useState<Extra<T>>({ after: undefined, items: NONE, next: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error>();
  const current: Extra<T> =
    extra.after === first.data ? extra : { after: first.data, items: NONE, next: first.data?.next };
  const data = useMemo(
    () => (first.data ? [...first.data.items, ...current.items] : undefined),
    [first.data, current.items],
  );
  const next = current.next;
  const load = useCallback(() => {
    if (next === undefined || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    listPage<T>(next).then(
      (p) => {
        setExtra({ after: current.after, items: [...current.items, ...p.items], next: p.next });
        setLoadingMore(false);
      },
      (e: unknown) => {
        setMoreError(e instanceof Error ? e : new Error(String(e)));
        setLoadingMore(false);
      },
    );
  }, [next, loadingMore, current.after, current.items]);
  return {
    data,
    error: first.error,
    loading: first.loading,
    reload: first.reload,
    more: next === undefined ? undefined : load,
    loadingMore,
    moreError,
  };
}
