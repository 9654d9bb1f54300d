/**
 * @module
 * A bounded wait for closing etcd clients and watchers: shutdown never hangs on an unreachable
 * cluster (a lease then simply expires).
 */

/** Waits for `p` at most `ms`, ignoring its outcome. */
export async function within(p: Promise<unknown> | undefined, ms = 2000): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}
