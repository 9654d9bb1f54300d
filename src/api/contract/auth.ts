/**
 * @module
 * Shapes of `/api/v1/auth` and `/api/v1/demo` (auth-routes.ts, portal-routes.ts). The modules of
 * src/api/contract hold only types: the server's routes return them and the portal (web/) reads them.
 * Times are ms since the epoch unless a field says ISO 8601.
 */

/** The role of a user account (the node's own key has the role `node` and no account). */
export type Role = 'admin' | 'doctor' | 'patient' | 'researcher' | 'auditor';

/** `GET /api/v1/auth/me`, `GET /api/v1/users` item. */
export interface User {
  readonly keyId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly org?: string;
  readonly created: number;
  readonly active: boolean;
  /** A patient login an admin asked for, waiting for a second admin's approval. */
  readonly pendingApproval?: boolean;
}

/** `GET /api/v1/users/pending`: a patient login waiting for a second admin. */
export interface PendingLogin {
  readonly keyId: string;
  readonly requestedBy: { readonly keyId: string; readonly name?: string };
  readonly created: number;
}

/** `POST /api/v1/auth/login`. */
export interface LoginResult {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: number;
  readonly idleTimeoutMs: number;
}

/** `GET /api/v1/auth/tokens` item: never the token itself. */
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

export interface DemoIdentity {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly org: string;
}

/** `GET /api/v1/demo` (demo nodes only). */
export interface DemoInfo {
  readonly password: string;
  readonly identities: readonly DemoIdentity[];
}
