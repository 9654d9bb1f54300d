/**
 * @module
 * Background threads (the integrity monitor's, full verification's) run at a lower scheduling
 * priority than the thread answering requests: on a machine with few cores they otherwise take a core
 * from it in the middle of a burst of requests. On Linux a thread is a task of its own, so
 * `setpriority` on its thread id (`/proc/thread-self`) lowers that thread alone; elsewhere, or when the
 * system refuses, nothing changes.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of background threads (0 is the default, 19 the lowest priority). */
export const BACKGROUND_NICE = 10;

/** Lowers the calling thread's priority to `nice`; whether it did. */
export function lowerThisThread(nice = BACKGROUND_NICE): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
