/**
 * @module
 * One error registry for MedLedger. Every error has a stable code (`ML_ERR_<AREA>_<WHAT>`), an HTTP
 * status for the API layer and a one-line description. Errors carry data (expected vs found) so that
 * callers and tests match by class or code, never by message text.
 */

/** The registry: code → HTTP status and description. A test checks codes are unique and documented. */
export const ERROR_CODES = {
  ML_ERR_ARG_TYPE: { status: 400, description: 'An argument has the wrong type.' },
  ML_ERR_ARG_VALUE: { status: 400, description: 'An argument has a value out of range or malformed.' },
  ML_ERR_JSON_NOT_CANONICALIZABLE: {
    status: 400,
    description:
      'A value cannot be encoded as RFC 8785 canonical JSON (NaN, Infinity, undefined, lone surrogate…).',
  },
  ML_ERR_MERKLE_PROOF_SIZE: { status: 400, description: 'A Merkle proof has the wrong number of hashes.' },
  ML_ERR_MERKLE_ROOT_MISMATCH: { status: 400, description: 'A Merkle proof leads to a different root.' },
  ML_ERR_MERKLE_INDEX: { status: 400, description: 'A leaf index or tree size is out of range.' },
  ML_ERR_TX_MALFORMED: { status: 400, description: 'A transaction is not well formed.' },
  ML_ERR_TX_BAD_SIGNATURE: { status: 400, description: 'A transaction signature does not verify.' },
  ML_ERR_TX_UNKNOWN_SIGNER: {
    status: 403,
    description: 'A transaction is signed by a key the ledger does not know.',
  },
  ML_ERR_TX_NOT_PERMITTED: { status: 403, description: 'The signer may not submit this transaction.' },
  ML_ERR_TX_REPLAY: {
    status: 409,
    description: 'A transaction with this id is already on the ledger or pending.',
  },
  ML_ERR_TX_TIME: { status: 400, description: 'A transaction time is outside the accepted window.' },
  ML_ERR_BLOCK_INVALID: { status: 400, description: 'A block fails validation against the chain head.' },
  ML_ERR_BLOCK_NOT_FOUND: { status: 404, description: 'No block with this height or hash.' },
  ML_ERR_TX_NOT_FOUND: { status: 404, description: 'No transaction with this id.' },
  ML_ERR_STORE_CONFLICT: { status: 409, description: 'An append does not extend the current head.' },
  ML_ERR_STORE_CORRUPT: { status: 500, description: 'Stored data cannot be decoded.' },
  ML_ERR_LEDGER_NOT_INITIALIZED: {
    status: 500,
    description: 'The data directory holds no ledger (run init).',
  },
  ML_ERR_LEDGER_EXISTS: { status: 409, description: 'The data directory already holds a ledger.' },
  ML_ERR_POW_EXHAUSTED: { status: 500, description: 'Mining gave up before finding a nonce.' },
  ML_ERR_CRYPTO_DECRYPT: {
    status: 400,
    description: 'A ciphertext or wrapped key does not decrypt (wrong key, or altered data).',
  },
  ML_ERR_FHIR_INVALID: {
    status: 422,
    description: 'A FHIR resource fails validation; the OperationOutcome names the failing path.',
  },
  ML_ERR_FHIR_BUNDLE: { status: 400, description: 'A FHIR Bundle cannot be imported as a whole.' },
  ML_ERR_ACCESS_DENIED: {
    status: 403,
    description: 'The consent and policy decision denies this access (the denial is audited).',
  },
  ML_ERR_AUTH_FAILED: { status: 401, description: 'Authentication failed.' },
  ML_ERR_ACCOUNT_EXISTS: { status: 409, description: 'An account with this email already exists.' },
  ML_ERR_RECORD_EXISTS: {
    status: 409,
    description: 'A record with this id exists or is being written: amend it instead.',
  },
  ML_ERR_NOT_FOUND: { status: 404, description: 'No such record, patient, consent, user or organization.' },
  ML_ERR_RECORD_ERASED: { status: 410, description: 'The record was erased at the patient’s request.' },
  ML_ERR_ROLE_FORBIDDEN: { status: 403, description: 'The caller’s role may not use this operation.' },
  ML_ERR_RATE_LIMITED: { status: 429, description: 'Too many attempts; retry after the given delay.' },
  ML_ERR_HTTP_BAD_REQUEST: {
    status: 400,
    description: 'The request is malformed: bad JSON, bad parameters or a body that fails the schema.',
  },
  ML_ERR_HTTP_NOT_FOUND: { status: 404, description: 'No such route.' },
  ML_ERR_HTTP_METHOD: { status: 405, description: 'The route does not allow this method.' },
  ML_ERR_HTTP_TOO_LARGE: { status: 413, description: 'The request body is larger than the limit.' },
  ML_ERR_HTTP_MEDIA_TYPE: { status: 415, description: 'The request body has an unsupported content type.' },
  ML_ERR_NODE_UNAVAILABLE: { status: 503, description: 'The node is shutting down or not ready.' },
  ML_ERR_NODE_INTERNAL: { status: 500, description: 'An unexpected error; details are in the node log.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every MedLedger error. */
export class MedLedgerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.data = data;
  }
}

export class ArgumentTypeError extends MedLedgerError {
  constructor(name: string, want: string, got: unknown) {
    super('ML_ERR_ARG_TYPE', `${name}: got ${describe(got)}, want ${want}`, { name, want });
  }
}

export class ArgumentValueError extends MedLedgerError {
  constructor(name: string, message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_ARG_VALUE', `${name}: ${message}`, { name, ...data });
  }
}

export class NotCanonicalizableError extends MedLedgerError {
  constructor(path: string, reason: string) {
    super('ML_ERR_JSON_NOT_CANONICALIZABLE', `${path || '$'}: ${reason}`, { path, reason });
  }
}

export class ProofSizeError extends MedLedgerError {
  constructor(got: number, want: number) {
    super('ML_ERR_MERKLE_PROOF_SIZE', `proof has ${got} hashes, want ${want}`, { got, want });
  }
}

export class RootMismatchError extends MedLedgerError {
  constructor(expected: string, calculated: string) {
    super('ML_ERR_MERKLE_ROOT_MISMATCH', `calculated root ${calculated}, want ${expected}`, {
      expected,
      calculated,
    });
  }
}

export class MerkleIndexError extends MedLedgerError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_MERKLE_INDEX', message, data);
  }
}

export class MalformedTxError extends MedLedgerError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_TX_MALFORMED', message, data);
  }
}

export class BadSignatureError extends MedLedgerError {
  constructor(what: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_TX_BAD_SIGNATURE', `${what}: signature does not verify`, data);
  }
}

export class UnknownSignerError extends MedLedgerError {
  constructor(signer: string) {
    super('ML_ERR_TX_UNKNOWN_SIGNER', `signer ${signer} is not a registered key`, { signer });
  }
}

export class TxNotPermittedError extends MedLedgerError {
  constructor(detail: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_TX_NOT_PERMITTED', detail, data);
  }
}

export class ReplayError extends MedLedgerError {
  constructor(txId: string) {
    super('ML_ERR_TX_REPLAY', `transaction ${txId} was already submitted`, { txId });
  }
}

export class TxTimeError extends MedLedgerError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_TX_TIME', message, data);
  }
}

export class InvalidBlockError extends MedLedgerError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_BLOCK_INVALID', message, data);
  }
}

export class BlockNotFoundError extends MedLedgerError {
  constructor(ref: string | number) {
    super('ML_ERR_BLOCK_NOT_FOUND', `no block ${String(ref)}`, { ref });
  }
}

export class TxNotFoundError extends MedLedgerError {
  constructor(id: string) {
    super('ML_ERR_TX_NOT_FOUND', `no transaction ${id}`, { id });
  }
}

export class StoreConflictError extends MedLedgerError {
  constructor(expectedHeight: number, gotHeight: number) {
    super('ML_ERR_STORE_CONFLICT', `append at height ${gotHeight}, want ${expectedHeight}`, {
      expectedHeight,
      gotHeight,
    });
  }
}

export class StoreCorruptError extends MedLedgerError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_STORE_CORRUPT', message, data);
  }
}

export class NotInitializedError extends MedLedgerError {
  constructor(dir: string) {
    super('ML_ERR_LEDGER_NOT_INITIALIZED', `no ledger in ${dir}: run "medledger init --data ${dir}"`, {
      dir,
    });
  }
}

export class LedgerExistsError extends MedLedgerError {
  constructor(dir: string) {
    super('ML_ERR_LEDGER_EXISTS', `${dir} already holds a ledger`, { dir });
  }
}

export class PowExhaustedError extends MedLedgerError {
  constructor(difficulty: number, attempts: number) {
    super('ML_ERR_POW_EXHAUSTED', `no nonce found for difficulty ${difficulty} after ${attempts} attempts`, {
      difficulty,
      attempts,
    });
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  return typeof v;
}

export class DecryptError extends MedLedgerError {
  constructor(what: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_CRYPTO_DECRYPT', `${what} does not decrypt`, { what, ...data });
  }
}

/** A FHIR validation failure; `outcome` is the FHIR OperationOutcome naming each failing path. */
export class FhirValidationError extends MedLedgerError {
  readonly outcome: OperationOutcomeLike;
  constructor(message: string, outcome: OperationOutcomeLike) {
    super('ML_ERR_FHIR_INVALID', message, { outcome });
    this.outcome = outcome;
  }
}

/** The shape of a FHIR R4 OperationOutcome, as far as errors need it (no dependency on FHIR types here). */
export interface OperationOutcomeLike {
  readonly resourceType: 'OperationOutcome';
  readonly issue: readonly {
    readonly severity: 'fatal' | 'error' | 'warning' | 'information';
    readonly code: string;
    readonly details?: { readonly text?: string };
    readonly expression?: readonly string[];
  }[];
}

export class FhirBundleError extends MedLedgerError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_FHIR_BUNDLE', message, { detail: message, ...data });
  }
}

export class AccessDeniedError extends MedLedgerError {
  constructor(reason: string, data: Record<string, unknown> = {}) {
    super('ML_ERR_ACCESS_DENIED', `access denied: ${reason}`, { reason, ...data });
  }
}

/** Deliberately generic: never says whether the account exists or which factor failed. */
export class AuthFailedError extends MedLedgerError {
  constructor() {
    super('ML_ERR_AUTH_FAILED', 'invalid credentials', { generic: true });
  }
}

export class AccountExistsError extends MedLedgerError {
  constructor() {
    super('ML_ERR_ACCOUNT_EXISTS', 'an account with this email already exists', { field: 'email' });
  }
}

export class RecordExistsError extends MedLedgerError {
  constructor(id: string, writing = false) {
    super(
      'ML_ERR_RECORD_EXISTS',
      writing ? `record ${id} is being written` : `record ${id} exists: amend it instead`,
      { id },
    );
  }
}

export class NotFoundError extends MedLedgerError {
  constructor(what: string, id: string) {
    super('ML_ERR_NOT_FOUND', `no ${what} ${id}`, { what, id });
  }
}

export class RecordErasedError extends MedLedgerError {
  constructor(id: string, erasedBy: string) {
    super('ML_ERR_RECORD_ERASED', `record ${id} was erased by transaction ${erasedBy}`, { id, erasedBy });
  }
}

export class RoleForbiddenError extends MedLedgerError {
  constructor(role: string, allowed: readonly string[]) {
    super('ML_ERR_ROLE_FORBIDDEN', `role ${role} may not do this (allowed: ${allowed.join(', ')})`, {
      role,
      allowed: [...allowed],
    });
  }
}

export class RateLimitedError extends MedLedgerError {
  readonly retryAfterS: number;
  constructor(retryAfterS: number) {
    super('ML_ERR_RATE_LIMITED', `too many attempts; retry in ${String(retryAfterS)} s`, { retryAfterS });
    this.retryAfterS = retryAfterS;
  }
}

/** Errors of the HTTP layer itself (malformed requests), with a registry code like every other. */
export class HttpError extends MedLedgerError {
  constructor(
    code:
      | 'ML_ERR_HTTP_BAD_REQUEST'
      | 'ML_ERR_HTTP_NOT_FOUND'
      | 'ML_ERR_HTTP_METHOD'
      | 'ML_ERR_HTTP_TOO_LARGE'
      | 'ML_ERR_HTTP_MEDIA_TYPE'
      | 'ML_ERR_NODE_UNAVAILABLE'
      | 'ML_ERR_NODE_INTERNAL',
    message: string,
    data: Record<string, unknown> = {},
  ) {
    super(code, message, data);
  }
}
