/**
 * @module
 * The forgery scenario's record of attempts (forgery.ts and the attacks it runs): what was tried, the
 * error each must be rejected with, and what happened.
 */
import { MedLedgerError } from '../core/errors.ts';

export type ForgeryCategory = 'signature' | 'authority' | 'replay' | 'merkle-proof';

export interface ForgeryAttempt {
  readonly category: ForgeryCategory;
  readonly attack: string;
  /** The error code (or verification problem kind) the attempt must be rejected with. */
  readonly expected: string;
  /** What happened: an error code, a problem kind, or `accepted`. */
  readonly got: string;
  readonly rejected: boolean;
}

/** An attempt's body: throws a MedLedgerError, returns a problem kind when rejected, or undefined. */
export type AttemptFn = () => string | undefined | Promise<string | undefined>;

/** Collects attempts; a non-MedLedger error is a harness bug and propagates. */
export class AttemptLog {
  readonly attempts: ForgeryAttempt[] = [];

  async try(category: ForgeryCategory, attack: string, expected: string, fn: AttemptFn): Promise<void> {
    let got: string;
    try {
      got = (await fn()) ?? 'accepted';
    } catch (e) {
      if (!(e instanceof MedLedgerError)) throw e;
      got = e.code;
    }
    this.attempts.push({ category, attack, expected, got, rejected: got !== 'accepted' });
  }
}
