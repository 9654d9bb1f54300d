/**
 * @module
 * The attack lab report (`GET /api/v1/attack-lab/report`, `POST /api/v1/attack-lab/run`;
 * attack-routes.ts) as far as clients read it: src/attack/report.ts builds the whole report, and
 * attack-routes.ts checks that it has this shape.
 */

export interface Duration {
  readonly seconds: number;
  readonly years: number;
  readonly human: string;
}

/** Where a verification found a problem. */
export interface Located {
  readonly height: number;
  readonly tx?: number;
  readonly kind: string;
}

export interface Verdict {
  readonly ok: boolean;
  readonly problems: readonly Located[];
  readonly firstHeight: number | undefined;
  /** The node's signed head: absent, consistent with the store, or exposing the rewrite. */
  readonly witness: 'absent' | 'consistent' | 'exposes';
}

export interface MiningResult {
  readonly hashesPerSec: number;
  readonly rows: readonly {
    readonly difficulty: number;
    readonly expectedAttempts: number;
    readonly expectedMs: number;
    /** False: extrapolated from the hash rate, nothing was mined. */
    readonly measured: boolean;
    readonly runs: number;
    readonly meanAttempts?: number;
    readonly meanMs?: number;
  }[];
  readonly demo: {
    readonly difficultyBits: number;
    readonly verified: boolean;
    readonly blocks: readonly {
      readonly index: number;
      readonly hash: string;
      readonly nonce: number;
      readonly attempts: number;
      readonly elapsedMs: number;
    }[];
  };
}

export interface RewriteResult {
  readonly source: string;
  readonly chain: { readonly height: number; readonly txs: number; readonly minDifficulty: number };
  readonly attack: {
    readonly height: number;
    readonly tx: number;
    readonly txType: string;
    readonly head: number;
    readonly blocks: number;
    readonly totalMs: number;
  };
  readonly verdict: Verdict;
  /** The same rewrite by an insider holding the node key (absent when the key is not readable). */
  readonly insider?: { readonly verdict: Verdict; readonly resignedTx: boolean };
  readonly hashesPerSec: number;
  readonly extrapolated: readonly {
    readonly depth: number;
    readonly difficulty: number;
    readonly ms: number;
  }[];
  readonly finality: string;
}

export interface BruteforceResult {
  readonly kdf: { readonly N: number; readonly r: number; readonly p: number };
  readonly password: {
    readonly sequential: { readonly perSec: number };
    readonly parallel: { readonly perSec: number };
  };
  readonly token: { readonly perSec: number };
  readonly limiter: {
    readonly perAccount: number;
    readonly windowMs: number;
    readonly oneAddress: {
      readonly simulatedHours: number;
      readonly guessesAllowed: number;
      readonly refused: number;
    };
  };
  readonly keySpaces: readonly {
    readonly space: string;
    readonly kind: 'password' | 'token';
    readonly bits: number;
    readonly attacks: readonly {
      readonly attack: string;
      readonly guessesPerSec: number;
      readonly expected: Duration;
    }[];
  }[];
  readonly notes: readonly string[];
}

export interface ForgeryResult {
  readonly attempted: number;
  readonly rejected: number;
  /** Attempts rejected with exactly the expected code. */
  readonly asExpected: number;
  readonly attempts: readonly {
    readonly category: string;
    readonly attack: string;
    readonly expected: string;
    readonly got: string;
    readonly rejected: boolean;
  }[];
  readonly signatureForgery: {
    readonly securityBits: number;
    readonly verifiesPerSec: number;
    readonly expected: Duration;
  };
}

export interface TamperResult {
  readonly intervalMs: number;
  readonly chain: { readonly height: number };
  readonly cases: readonly {
    readonly edit: string;
    readonly description: string;
    readonly target: { readonly height: number; readonly tx?: number };
    readonly expectedKind: string;
    readonly detected: boolean;
    readonly detectedMs: number | undefined;
    /** The report names the target and nothing before it. */
    readonly located: boolean;
    readonly reported: readonly Located[];
  }[];
}

export interface AttackReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly model?: string; readonly node: string };
  readonly scenarios: {
    readonly mining?: MiningResult;
    readonly rewrite?: RewriteResult;
    readonly bruteforce?: BruteforceResult;
    readonly forgery?: ForgeryResult;
    readonly tamper?: TamperResult;
  };
  /** When and how each scenario in the report was last run. */
  readonly runs: Partial<
    Record<string, { readonly date: string; readonly quick: boolean; readonly elapsedMs: number }>
  >;
}
