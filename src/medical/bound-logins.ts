/**
 * @module
 * Patient logins that two admins bound (an `identity.register` naming `requestedBy`), by key id, so
 * that what such a login does says so in the patient's access log. Registrations are few (one per
 * user): they are read from the chain once, then followed as blocks commit.
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf } from '../core/keys.ts';
import { decodeTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import { parseRegister } from '../state-machine/payloads.ts';

export interface BoundLogin {
  /** The admin who asked for the binding. */
  readonly requestedBy: string;
  /** The admin who approved it (signed its registration). */
  readonly approvedBy: string;
  readonly tx: string;
}

export class BoundLogins {
  readonly #ledger: ChainNode;
  #byKey: Map<string, BoundLogin> | undefined;

  constructor(ledger: ChainNode) {
    this.#ledger = ledger;
    ledger.onCommit((txs) => {
      if (this.#byKey) for (const tx of txs) this.#add(this.#byKey, tx);
    });
  }

  /** How login `keyId` was bound, when two admins bound it. */
  of(keyId: string): BoundLogin | undefined {
    if (this.#byKey === undefined) {
      const byKey = new Map<string, BoundLogin>();
      for (const row of this.#ledger.store.txsOfTypes(['identity.register']))
        this.#add(byKey, decodeTx({ body: row.body, sig: row.sig }));
      this.#byKey = byKey;
    }
    return this.#byKey.get(keyId);
  }

  #add(byKey: Map<string, BoundLogin>, tx: Tx): void {
    if (tx.body.type !== 'identity.register') return;
    const p = parseRegister(tx.body.payload);
    if (typeof p === 'string' || p.requestedBy === undefined) return;
    byKey.set(keyIdOf(fromHex(p.publicKey, 32, 'publicKey')), {
      requestedBy: p.requestedBy,
      approvedBy: tx.body.signer,
      tx: tx.id,
    });
  }
}
