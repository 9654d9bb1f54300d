/**
 * @module
 * A verification problem: where it is (block height, transaction index within the block), what kind of
 * check failed, and expected vs found. Verification never answers a bare "invalid".
 */

export const PROBLEM_KINDS = [
  'block-missing',
  'block-decode',
  'height',
  'prev-hash',
  'block-hash',
  'pow',
  'difficulty',
  'block-time',
  'proposer',
  'block-signature',
  'tx-count',
  'merkle-root',
  'log-size',
  'log-root',
  'tx-decode',
  'tx-id',
  'tx-signature',
  'tx-unknown-signer',
  'tx-not-permitted',
  'tx-replay',
  'tx-time',
  'genesis',
  'head-witness',
  'checkpoint',
  'directory',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface Problem {
  readonly height: number;
  /** Index of the transaction within its block, when the problem is about one transaction. */
  readonly tx?: number;
  readonly kind: ProblemKind;
  readonly detail: string;
  readonly expected?: string;
  readonly found?: string;
}

export function problem(
  height: number,
  kind: ProblemKind,
  detail: string,
  extra: { tx?: number; expected?: string; found?: string } = {},
): Problem {
  return { height, kind, detail, ...extra };
}

/** One line for humans: `height 12 tx 3: tx-id: … (expected X, found Y)`. */
export function formatProblem(p: Problem): string {
  const where = p.tx === undefined ? `height ${p.height}` : `height ${p.height} tx ${p.tx}`;
  const ef =
    p.expected !== undefined || p.found !== undefined
      ? ` (expected ${p.expected ?? '?'}, found ${p.found ?? '?'})`
      : '';
  return `${where}: ${p.kind}: ${p.detail}${ef}`;
}
