/** Deterministic signed transactions for ledger unit tests: times and nonces from one counter. */
import type { Json } from '../core/canonical-json.ts';
import type { Signer } from '../core/keys.ts';
import { createTx } from '../core/tx.ts';
import type { Tx, TxType } from '../core/tx.ts';

let counter = 0;

/** A transaction at time 1_700_000_000_000 + n with nonce n, n counting up from 1 per test file. */
export function fixedTx(signer: Signer, type: TxType, payload: Json): Tx {
  counter++;
  return createTx(signer, type, payload, {
    time: 1_700_000_000_000 + counter,
    nonce: counter.toString(16).padStart(32, '0'),
  });
}

/** How many fixed transactions this test file has made so far. */
export const fixedTxCount = (): number => counter;
