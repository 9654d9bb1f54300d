/**
 * @module
 * Shapes of the node's answers used by the admin, auditor and token pages (see /openapi.json and
 * scratch/api-samples.md). Chain shapes (blocks, transactions, proofs) live in lib/verify/proof-types.ts.
 */

/** `GET /api/v1/auth/tokens` item: never the token itself. Times are ms since the epoch. */
export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly expires?: number;
  readonly lastUsed?: number;
  readonly revoked?: number;
}

/** `POST /api/v1/auth/tokens` → 201: the secret is in this answer only. */
export interface CreatedToken {
  readonly token: string;
  readonly info: TokenInfo;
}

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly hostedHere?: boolean;
}

/** `GET /api/v1/node`. */
export interface NodeInfo {
  readonly keyId: string;
  readonly publicKey: string;
  readonly chainId: string;
  readonly org: string;
  readonly hostedOrgs: readonly string[];
  readonly minDifficulty: number;
  readonly height: number;
  readonly logSize: number;
}

/** One problem the integrity monitor found: a chain location, or a record in the vault. */
export interface IntegrityProblem {
  readonly height?: number;
  readonly tx?: number;
  readonly record?: string;
  readonly kind: string;
  readonly detail: string;
  readonly expected?: string;
  readonly found?: string;
}

/** `GET /api/v1/integrity` and `POST /api/v1/integrity/verify`. */
export interface IntegrityView {
  readonly status: 'ok' | 'compromised' | 'starting';
  readonly height: number;
  readonly verifiedHeight: number;
  readonly problems: readonly IntegrityProblem[];
  readonly lastRun?: { readonly at: string; readonly elapsedMs: number; readonly signatures: boolean };
  readonly runs: number;
}

/** `GET /api/v1/erasure-requests` item (admin: all). */
export interface ErasureRequest {
  readonly tx: string;
  readonly time: string;
  /** Record ids, or null for every record of the patient. */
  readonly records: readonly string[] | null;
  readonly approvedBy?: string;
  readonly status: 'pending' | 'carried-out';
}

/** A transaction the node committed for a request: `{tx, height}`. */
export interface TxRef {
  readonly tx: string;
  readonly height: number;
}
