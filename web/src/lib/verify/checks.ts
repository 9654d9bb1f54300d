/**
 * @module
 * One verification check as the portal shows it (a line with ✓ or ✗), and the runner that turns a
 * check function into one: it returns the detail on success and throws {@link Failed} (or any error)
 * on failure, so one broken input never hides the other checks.
 */

export type CheckId =
  | 'trusted-key'
  | 'tx-canonical'
  | 'tx-id'
  | 'tx-record'
  | 'inclusion-path'
  | 'tree-size'
  | 'log-root'
  | `${'head' | 'block'}-${'hash' | 'pow' | 'proposer' | 'signature'}`
  | 'block-range'
  | 'block-merkle-root';

export interface Check {
  readonly id: CheckId;
  readonly label: string;
  readonly ok: boolean;
  /** What was computed (success) or what differs, as "got X, want Y" (failure). */
  readonly detail: string;
}

/** A failed check with its explanation. */
export class Failed extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'Failed';
  }
}

export async function runCheck(
  id: CheckId,
  label: string,
  fn: () => Promise<string> | string,
): Promise<Check> {
  try {
    return { id, label, ok: true, detail: await fn() };
  } catch (e) {
    return { id, label, ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Throws {@link Failed} with "got X, want Y" unless the two are equal. */
export function expectEqual(got: string | number, want: string | number, what: string): void {
  if (got !== want) throw new Failed(`${what}: got ${String(got)}, want ${String(want)}`);
}

export const short = (hex: string): string => (hex.length > 16 ? `${hex.slice(0, 16)}…` : hex);
