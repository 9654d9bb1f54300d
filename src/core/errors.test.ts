import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as errors from './errors.ts';
import { ERROR_CODES, MedLedgerError } from './errors.ts';
import type { ErrorCode } from './errors.ts';

type AnyErrorClass = abstract new (...args: never[]) => MedLedgerError;

/** Every exported subclass of MedLedgerError (the base class itself excluded). */
const ERROR_CLASSES: [string, AnyErrorClass][] = (Object.entries(errors) as [string, unknown][]).filter(
  (e): e is [string, AnyErrorClass] =>
    typeof e[1] === 'function' && e[1] !== MedLedgerError && e[1].prototype instanceof MedLedgerError,
);

/**
 * One typed construction per error class with the code it must carry. A new class must be added
 * here, so the checks below cover it.
 */
const SAMPLES: Record<string, { make: () => MedLedgerError; code: ErrorCode }> = {
  ArgumentTypeError: {
    make: () => new errors.ArgumentTypeError('n', 'Uint8Array', 1),
    code: 'ML_ERR_ARG_TYPE',
  },
  ArgumentValueError: {
    make: () => new errors.ArgumentValueError('n', 'bad', { got: 1 }),
    code: 'ML_ERR_ARG_VALUE',
  },
  NotCanonicalizableError: {
    make: () => new errors.NotCanonicalizableError('$.a', 'NaN'),
    code: 'ML_ERR_JSON_NOT_CANONICALIZABLE',
  },
  ProofSizeError: { make: () => new errors.ProofSizeError(2, 3), code: 'ML_ERR_MERKLE_PROOF_SIZE' },
  RootMismatchError: {
    make: () => new errors.RootMismatchError('aa', 'bb'),
    code: 'ML_ERR_MERKLE_ROOT_MISMATCH',
  },
  MerkleIndexError: {
    make: () => new errors.MerkleIndexError('index', { index: 9 }),
    code: 'ML_ERR_MERKLE_INDEX',
  },
  MalformedTxError: {
    make: () => new errors.MalformedTxError('bad', { type: 'x' }),
    code: 'ML_ERR_TX_MALFORMED',
  },
  BadSignatureError: {
    make: () => new errors.BadSignatureError('tx', { txId: 'i' }),
    code: 'ML_ERR_TX_BAD_SIGNATURE',
  },
  UnknownSignerError: { make: () => new errors.UnknownSignerError('k'), code: 'ML_ERR_TX_UNKNOWN_SIGNER' },
  TxNotPermittedError: {
    make: () => new errors.TxNotPermittedError('no', { txId: 'i' }),
    code: 'ML_ERR_TX_NOT_PERMITTED',
  },
  ReplayError: { make: () => new errors.ReplayError('id'), code: 'ML_ERR_TX_REPLAY' },
  TxTimeError: { make: () => new errors.TxTimeError('late', { txId: 'i' }), code: 'ML_ERR_TX_TIME' },
  InvalidBlockError: {
    make: () => new errors.InvalidBlockError('bad', { field: 'x' }),
    code: 'ML_ERR_BLOCK_INVALID',
  },
  BlockNotFoundError: { make: () => new errors.BlockNotFoundError(7), code: 'ML_ERR_BLOCK_NOT_FOUND' },
  TxNotFoundError: { make: () => new errors.TxNotFoundError('id'), code: 'ML_ERR_TX_NOT_FOUND' },
  StoreConflictError: { make: () => new errors.StoreConflictError(4, 7), code: 'ML_ERR_STORE_CONFLICT' },
  StoreCorruptError: {
    make: () => new errors.StoreCorruptError('bad', { at: 1 }),
    code: 'ML_ERR_STORE_CORRUPT',
  },
  NotInitializedError: {
    make: () => new errors.NotInitializedError('/d'),
    code: 'ML_ERR_LEDGER_NOT_INITIALIZED',
  },
  LedgerExistsError: { make: () => new errors.LedgerExistsError('/d'), code: 'ML_ERR_LEDGER_EXISTS' },
  PowExhaustedError: { make: () => new errors.PowExhaustedError(20, 100), code: 'ML_ERR_POW_EXHAUSTED' },
  DecryptError: { make: () => new errors.DecryptError('wrapped key'), code: 'ML_ERR_CRYPTO_DECRYPT' },
  FhirValidationError: {
    make: () =>
      new errors.FhirValidationError('invalid', {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'structure', expression: ['Observation.code'] }],
      }),
    code: 'ML_ERR_FHIR_INVALID',
  },
  FhirBundleError: { make: () => new errors.FhirBundleError('not a Bundle'), code: 'ML_ERR_FHIR_BUNDLE' },
  AccessDeniedError: { make: () => new errors.AccessDeniedError('no-consent'), code: 'ML_ERR_ACCESS_DENIED' },
  AuthFailedError: { make: () => new errors.AuthFailedError(), code: 'ML_ERR_AUTH_FAILED' },
  AccountExistsError: { make: () => new errors.AccountExistsError(), code: 'ML_ERR_ACCOUNT_EXISTS' },
  RecordExistsError: { make: () => new errors.RecordExistsError('r1', true), code: 'ML_ERR_RECORD_EXISTS' },
  NotFoundError: { make: () => new errors.NotFoundError('record', 'r1'), code: 'ML_ERR_NOT_FOUND' },
  RecordErasedError: { make: () => new errors.RecordErasedError('r1', 'tx'), code: 'ML_ERR_RECORD_ERASED' },
  RoleForbiddenError: {
    make: () => new errors.RoleForbiddenError('patient', ['admin']),
    code: 'ML_ERR_ROLE_FORBIDDEN',
  },
  RateLimitedError: { make: () => new errors.RateLimitedError(30), code: 'ML_ERR_RATE_LIMITED' },
  HttpError: {
    make: () => new errors.HttpError('ML_ERR_HTTP_BAD_REQUEST', 'bad JSON', { at: 3 }),
    code: 'ML_ERR_HTTP_BAD_REQUEST',
  },
};

/** The HTTP layer's other codes, all carried by HttpError. */
const HTTP_CODES = [
  'ML_ERR_HTTP_NOT_FOUND',
  'ML_ERR_HTTP_METHOD',
  'ML_ERR_HTTP_TOO_LARGE',
  'ML_ERR_HTTP_MEDIA_TYPE',
  'ML_ERR_NODE_UNAVAILABLE',
  'ML_ERR_NODE_INTERNAL',
] as const;

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

void describe('ERROR_CODES', () => {
  it('names every code ML_ERR_<AREA>_<WHAT>', () => {
    for (const code of CODES) assert.match(code, /^ML_ERR_[A-Z]+_[A-Z_]+$/);
  });

  it('has unique codes', () => {
    assert.equal(new Set(CODES).size, CODES.length);
  });

  it('gives every code a one-line description', () => {
    for (const code of CODES) {
      const { description } = ERROR_CODES[code];
      assert.equal(typeof description, 'string', code);
      assert.ok(description.trim().length > 10, `${code} has a description`);
      assert.ok(!description.includes('\n'), `${code} description is one line`);
    }
  });

  it('gives every code a 4xx or 5xx status', () => {
    for (const code of CODES) {
      const { status } = ERROR_CODES[code];
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code}: ${status}`);
    }
  });
});

void describe('error classes', () => {
  it('has a sample for every exported error class', () => {
    assert.deepEqual(ERROR_CLASSES.map(([name]) => name).sort(), Object.keys(SAMPLES).sort());
  });

  it('uses every registered code', () => {
    const used = new Set<string>([...Object.values(SAMPLES).map((s) => s.make().code), ...HTTP_CODES]);
    for (const c of HTTP_CODES) assert.equal(new errors.HttpError(c, 'm').status, ERROR_CODES[c].status);
    assert.deepEqual(
      CODES.filter((c) => !used.has(c)),
      [],
    );
  });

  for (const [name, C] of ERROR_CLASSES) {
    it(`${name} carries its registered code, its status and data`, () => {
      const sample = SAMPLES[name];
      assert.ok(sample, `no sample for ${name}`);
      const e = sample.make();
      assert.ok(e instanceof Error);
      assert.ok(e instanceof MedLedgerError);
      assert.ok(e instanceof C);
      assert.equal(e.name, name);
      assert.equal(e.code, sample.code);
      assert.ok(Object.hasOwn(ERROR_CODES, e.code), `${name}: ${e.code}`);
      assert.equal(e.status, ERROR_CODES[e.code].status);
      assert.equal(typeof e.data, 'object');
      assert.notEqual(e.data, null);
      assert.ok(Object.keys(e.data).length > 0, `${name} data is not empty`);
      assert.ok(e.message.length > 0);
    });
  }

  it('the base class keeps the data it is given', () => {
    const e = new MedLedgerError('ML_ERR_TX_REPLAY', 'm', { txId: 'x' });
    assert.equal(e.status, 409);
    assert.deepEqual(e.data, { txId: 'x' });
    assert.deepEqual(new MedLedgerError('ML_ERR_ARG_TYPE', 'm').data, {});
  });

  it('typed constructors put their arguments into data', () => {
    assert.deepEqual(new errors.ProofSizeError(2, 3).data, { got: 2, want: 3 });
    assert.deepEqual(new errors.RootMismatchError('aa', 'bb').data, { expected: 'aa', calculated: 'bb' });
    assert.deepEqual(new errors.ReplayError('id').data, { txId: 'id' });
    assert.deepEqual(new errors.UnknownSignerError('k').data, { signer: 'k' });
    assert.deepEqual(new errors.StoreConflictError(4, 7).data, { expectedHeight: 4, gotHeight: 7 });
    assert.deepEqual(new errors.PowExhaustedError(20, 100).data, { difficulty: 20, attempts: 100 });
    assert.deepEqual(new errors.ArgumentValueError('n', 'bad', { got: 1 }).data, { name: 'n', got: 1 });
  });
});
