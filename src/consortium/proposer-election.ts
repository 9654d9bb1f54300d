/**
 * @module
 * ElectMinerNode: a consortium member campaigns in an etcd election on a short lease; the winner
 * proposes blocks. One campaign at a time per node; a failed campaign (lease lost, etcd unreachable)
 * is withdrawn and started again. Safety never rests on this election (the orderer appends with a
 * compare-and-swap on the head): it only decides who does the work.
 */
import type { Campaign, ElectionObserver, Lease, Namespace, Watcher } from 'etcd3';
import { within } from '../ordering/within.ts';

export interface ElectionEvents {
  /** Whether this node may campaign now (a member node, not closing). */
  readonly eligible: () => boolean;
  /** This node won: it proposes from now on. */
  readonly elected: () => void;
  /** This node's campaign failed or was withdrawn: it no longer proposes. */
  readonly lost: () => void;
}

export class ProposerElection {
  readonly #ns: Namespace;
  readonly #candidate: string;
  readonly #ttlSec: number;
  readonly #on: ElectionEvents;
  #campaign: Campaign | undefined;
  #observer: ElectionObserver | undefined;
  #closed = false;

  constructor(ns: Namespace, candidate: string, ttlSec: number, on: ElectionEvents) {
    this.#ns = ns;
    this.#candidate = candidate;
    this.#ttlSec = ttlSec;
    this.#on = on;
  }

  get campaigning(): boolean {
    return this.#campaign !== undefined;
  }

  /** The current leader's key id, once observing. */
  get leader(): string | undefined {
    return this.#observer?.leader();
  }

  /** Campaigns, unless already campaigning, closed or not eligible. */
  join(): void {
    if (this.#closed || this.#campaign || !this.#on.eligible()) return;
    const c = this.#ns.election('proposer', this.#ttlSec).campaign(this.#candidate);
    this.#campaign = c;
    c.on('elected', () => {
      this.#on.elected();
    });
    c.on('error', () => {
      if (this.#campaign !== c) return;
      void this.withdraw().then(() => {
        setTimeout(() => {
          this.join();
        }, 500).unref();
      });
    });
  }

  /** Gives up the campaign (the lease is revoked, so another node is elected at once). */
  async withdraw(): Promise<void> {
    const c = this.#campaign;
    this.#campaign = undefined;
    this.#on.lost();
    await within(c?.resign());
    await within(cancelCampaignWatches(c));
  }

  /** Follows who the leader is (for status). */
  async observe(): Promise<void> {
    this.#observer = await this.#ns.election('proposer').observe();
    this.#observer.on('error', () => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.withdraw();
    await within(this.#observer?.cancel());
  }

  /**
   * Stops as a killed process would (tests): heartbeats of the lease stop without revoking it, so
   * another node is elected only once the lease expires.
   */
  async crash(): Promise<void> {
    this.#closed = true;
    (this.#campaign as unknown as { lease?: Lease } | undefined)?.lease?.release();
    this.#campaign = undefined;
    this.#on.lost();
    await within(this.#observer?.cancel()); // frees this process's handle only
  }
}

/**
 * etcd3 (1.1) leaves the watch of a campaign that was never elected (it waits for the previous
 * candidate's key to go) open after `resign()`, and a closed client then keeps reconnecting it
 * forever; cancel what is left on the campaign's namespace.
 */
async function cancelCampaignWatches(c: Campaign | undefined): Promise<void> {
  const manager = (c as unknown as { namespace?: { watchManager?: { watchers?: Watcher[] } } } | undefined)
    ?.namespace?.watchManager;
  await Promise.all([...(manager?.watchers ?? [])].map((w) => w.cancel().catch(() => undefined)));
}
