/**
 * @module
 * The parts of the attack lab report (`GET /api/v1/attack-lab/report`, src/attack/report.ts) that
 * the portal shows.
 */
export interface Duration {
  readonly seconds: number;
  readonly years: number;
  readonly human: string;
}
export interface Located {
  readonly height: number;
  readonly tx?: number;
  readonly kind: string;
  readonly detail?: string;
}
export interface Verdict {
  readonly ok: boolean;
  readonly problems: readonly Located[];
  readonly firstHeight: number | undefined;
  readonly witness: 'absent' | 'consistent' | 'exposes';
}
export interface MiningResult {
  readonly hashesPerSec: number;
  readonly rows: readonly {
    difficulty: number;
    expectedAttempts: number;
    expectedMs: number;
    measured: boolean;
    runs: number;
    meanAttempts?: number;
    meanMs?: number;
  }[];
  readonly demo: {
    readonly difficultyBits: number;
    readonly verified: boolean;
    readonly blocks: readonly {
      index: number;
      hash: string;
      nonce: number;
      attempts: number;
      elapsedMs: number;
    }[];
  };
}
export interface RewriteResult {
  readonly source: string;
  readonly chain: { height: number; txs: number; minDifficulty: number };
  readonly attack: {
    height: number;
    tx: number;
    txType: string;
    head: number;
    blocks: number;
    totalMs: number;
  };
  readonly verdict: Verdict;
  readonly insider?: { verdict: Verdict; resignedTx: boolean };
  readonly hashesPerSec: number;
  readonly extrapolated: readonly { depth: number; difficulty: number; ms: number }[];
  readonly finality: string;
}
export interface BruteforceResult {
  readonly kdf: { N: number; r: number; p: number };
  readonly password: { sequential: { perSec: number }; parallel: { perSec: number } };
  readonly token: { perSec: number };
  readonly limiter: {
    perAccount: number;
    windowMs: number;
    oneAddress: { simulatedHours: number; guessesAllowed: number; refused: number };
  };
  readonly keySpaces: readonly {
    space: string;
    kind: 'password' | 'token';
    bits: number;
    attacks: readonly { attack: string; guessesPerSec: number; expected: Duration }[];
  }[];
  readonly notes: readonly string[];
}
export interface ForgeryResult {
  readonly attempted: number;
  readonly rejected: number;
  readonly asExpected: number;
  readonly attempts: readonly {
    category: string;
    attack: string;
    expected: string;
    got: string;
    rejected: boolean;
  }[];
  readonly signatureForgery: { securityBits: number; verifiesPerSec: number; expected: Duration };
}
export interface TamperResult {
  readonly intervalMs: number;
  readonly chain: { height: number };
  readonly cases: readonly {
    edit: string;
    description: string;
    target: { height: number; tx?: number };
    expectedKind: string;
    detected: boolean;
    detectedMs: number | undefined;
    located: boolean;
    reported: readonly Located[];
  }[];
}
export interface AttackReport {
  readonly date: string;
  readonly machine: { cpus: number; model?: string; node: string };
  readonly scenarios: {
    mining?: MiningResult;
    rewrite?: RewriteResult;
    bruteforce?: BruteforceResult;
    forgery?: ForgeryResult;
    tamper?: TamperResult;
  };
  readonly runs: Partial<Record<string, { date: string; quick: boolean; elapsedMs: number }>>;
}
