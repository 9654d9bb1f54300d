/**
 * @module
 * The pending list of a ledger and the admission of transactions into it: form (decoded again from
 * canonical text), time window, replay (pending, or already on the chain), signer rules as of the
 * next block, and the Ed25519 signature (RFC 8032; batches through the signature threads). What is
 * admitted waits here, in arrival order, until a block takes it (ChainNode.mine) or the commit of a
 * block that holds it drops it.
 */
import {
  BadSignatureError,
  ReplayError,
  TxNotPermittedError,
  TxTimeError,
  UnknownSignerError,
} from '../core/errors.ts';
import { decodeTx, isMadeHere, redecodeTx, takeUnseen } from '../core/tx.ts';
import type { Tx, WireTx } from '../core/tx.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import { MAX_TX_SKEW_MS } from '../state-machine/check-block.ts';
import { verifyAll, verifyNow } from '../runtime/sig-pool.ts';
import type { SignatureCheck } from '../runtime/sig-pool.ts';

/** How far in the past a transaction's time may be when it is submitted. */
export const SUBMIT_WINDOW_MS = 10 * 60_000;

export interface MempoolContext {
  /** The chain state as of the last committed block (signer rules, height). */
  readonly state: ChainState;
  /** Ids among `ids` already on the chain. */
  readonly presentTxIds: (ids: readonly string[]) => Set<string>;
  /** Tells the store of ids admitted without a search (made here with a fresh nonce). */
  readonly noteUnseen?: (ids: readonly string[]) => void;
  readonly now: () => number;
}

export type SubmitResult = { id: string } | { error: Error };

export class Mempool {
  readonly #ctx: MempoolContext;
  readonly #pending = new Map<string, Tx>();
  /**
   * Where admitted transactions go before they count as submitted (a consortium publishes them to
   * the shared mempool so whichever node proposes can include them); undefined in solo mode.
   */
  relay: ((txs: readonly Tx[]) => Promise<void>) | undefined;

  constructor(ctx: MempoolContext) {
    this.#ctx = ctx;
  }

  has(txId: string): boolean {
    return this.#pending.has(txId);
  }

  get(txId: string): Tx | undefined {
    return this.#pending.get(txId);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Pending transactions in arrival order. */
  values(): IterableIterator<Tx> {
    return this.#pending.values();
  }

  ids(): string[] {
    return [...this.#pending.keys()];
  }

  /**
   * Puts the genesis block's transactions in the empty pending list without admission: they register
   * the first organization and node key, which no signer rule can admit before they exist.
   */
  addGenesis(txs: readonly Tx[]): void {
    if (this.#pending.size > 0 || this.#ctx.state.height >= 0)
      throw new Error('genesis transactions go into the empty pending list of an empty chain');
    for (const tx of txs) this.#pending.set(tx.id, tx);
  }

  /** Removes transactions (committed in a block, no longer acceptable, or not relayed). */
  drop(ids: Iterable<string>): void {
    for (const id of ids) this.#pending.delete(id);
  }

  /**
   * Validates a transaction (form, time, replay, signer, signature) and adds it to the pending list.
   * `signedHere`: the caller created and signed `input` in this process a moment ago (createTx), so its
   * signature holds by construction and is not verified again; every other check still runs, and
   * full verification re-checks every signature on chain.
   */
  async submit(input: Tx | WireTx, opts: { signedHere?: boolean } = {}): Promise<string> {
    // A transaction just created here with a fresh random nonce is on no chain: no store search.
    const unseen = opts.signedHere === true && takeUnseen(input);
    const tx = this.#admit(decodeInput(input), unseen ? false : undefined);
    if (unseen) this.#ctx.noteUnseen?.([tx.id]);
    const trusted = opts.signedHere === true && isMadeHere(input) && input.id === tx.id;
    if (!trusted && !verifyNow(this.#sigCheck(tx)))
      throw new BadSignatureError(`transaction ${tx.id}`, { txId: tx.id });
    if (this.#pending.has(tx.id)) throw new ReplayError(tx.id);
    this.#pending.set(tx.id, tx);
    if (this.relay) {
      try {
        await this.relay([tx]);
      } catch (e) {
        this.drop([tx.id]);
        throw e;
      }
    }
    return tx.id;
  }

  /**
   * Submits many transactions, verifying their signatures in parallel; one result per input.
   * `signedHere` as for {@link submit}: every input is a Tx this process created and signed (createTx).
   */
  async submitMany(
    inputs: readonly (Tx | WireTx)[],
    opts: { relay?: boolean; signedHere?: boolean } = {},
  ): Promise<SubmitResult[]> {
    const decoded = inputs.map((i) => {
      try {
        return decodeInput(i);
      } catch (e) {
        return e as Error;
      }
    });
    // One store lookup for the whole batch instead of one per transaction.
    const stored = this.#ctx.presentTxIds(
      decoded.filter((d): d is Tx => !(d instanceof Error)).map((t) => t.id),
    );
    const admitted = decoded.map((d) => {
      if (d instanceof Error) return d;
      try {
        return this.#admit(d, stored.has(d.id));
      } catch (e) {
        return e as Error;
      }
    });
    const txs = admitted.filter((a): a is Tx => !(a instanceof Error));
    const trusted =
      opts.signedHere === true &&
      inputs.every((i, k) => {
        const d = decoded[k];
        return isMadeHere(i) && !(d instanceof Error) && d?.id === i.id;
      });
    const oks = trusted ? txs.map(() => true) : await verifyAll(txs.map((t) => this.#sigCheck(t)));
    const valid = new Map<string, boolean>(txs.map((t, i) => [t.id, oks[i]!]));
    const seen = new Set<string>();
    const added: Tx[] = [];
    const results = admitted.map((a): SubmitResult => {
      if (a instanceof Error) return { error: a };
      if (!valid.get(a.id)) return { error: new BadSignatureError(`transaction ${a.id}`, { txId: a.id }) };
      if (seen.has(a.id) || this.#pending.has(a.id)) return { error: new ReplayError(a.id) };
      seen.add(a.id);
      this.#pending.set(a.id, a);
      added.push(a);
      return { id: a.id };
    });
    if (this.relay && opts.relay !== false && added.length > 0) {
      try {
        await this.relay(added);
      } catch (e) {
        this.drop(added.map((t) => t.id));
        const failed = new Set(added.map((t) => t.id));
        return results.map((r) => ('id' in r && failed.has(r.id) ? { error: e as Error } : r));
      }
    }
    return results;
  }

  /** Checks time, replay (the store is searched unless `inStore` is given) and signer rules. */
  #admit(tx: Tx, inStore?: boolean): Tx {
    const now = this.#ctx.now();
    if (tx.body.time > now + MAX_TX_SKEW_MS) {
      throw new TxTimeError(
        `transaction time is more than ${MAX_TX_SKEW_MS / 60_000} minutes ahead of the node clock`,
        { txId: tx.id },
      );
    }
    if (now - tx.body.time > SUBMIT_WINDOW_MS) {
      throw new TxTimeError(
        `transaction time is more than ${SUBMIT_WINDOW_MS / 60_000} minutes from the node clock`,
        { txId: tx.id },
      );
    }
    if (this.#pending.has(tx.id) || (inStore ?? this.#ctx.presentTxIds([tx.id]).size > 0))
      throw new ReplayError(tx.id);
    const state = this.#ctx.state;
    const violation = state.registry.check(tx, state.height + 1);
    if (violation?.kind === 'tx-unknown-signer') throw new UnknownSignerError(tx.body.signer);
    if (violation) throw new TxNotPermittedError(violation.detail, { txId: tx.id });
    return tx;
  }

  #sigCheck(tx: Tx): SignatureCheck {
    const key = this.#ctx.state.registry.active(tx.body.signer);
    if (!key) throw new UnknownSignerError(tx.body.signer);
    return { publicKey: key.publicKey, message: tx.idBytes, sig: tx.sig };
  }
}

/** A caller's Tx object is decoded again from its canonical text: trusted for nothing. */
function decodeInput(input: Tx | WireTx): Tx {
  return 'idBytes' in input ? redecodeTx(input) : decodeTx(input);
}
