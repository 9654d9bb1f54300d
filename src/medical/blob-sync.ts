/**
 * @module
 * Blob replication between consortium members. The chain holds only each record's ciphertext hash;
 * the ciphertext lives in the vault of the node that wrote it. Every member fetches the ciphertext
 * of every committed record from its peers by hash (node-authenticated requests, see
 * core/node-auth.ts) and checks the SHA-256 before storing it, so a peer cannot substitute data.
 * With it, a member fetches only the record keys wrapped for the organizations it hosts, and stores
 * only those that open with the organization's key (a peer cannot plant a broken wrap): a replica
 * cannot read another hospital's records without the patient's consent. When a patient's consent
 * names an organization this node hosts (granted at another member, which wraps the keys there), the
 * node fetches the newly wrapped keys of that patient's records.
 */
import { createHash } from 'node:crypto';
import { unwrapKey } from '../core/envelope.ts';
import { signNodeRequest } from '../core/node-auth.ts';
import type { Tx } from '../core/tx.ts';
import { parseConsentGrant, parseRecord } from '../state-machine/payloads.ts';
import type { NodeServices } from './node-services.ts';
import type { Recipient, WrappedKeyRow } from './vault.ts';

interface Job {
  readonly record: string;
  readonly blob: string;
  readonly org: string;
  /** Only the record's keys (a consent for a hosted organization): the ciphertext is already here. */
  readonly keysOnly?: true;
  attempts: number;
  notBefore: number;
}

const CONCURRENCY = 4;
/** A consent's keys are looked for this many times (records out of its scope never get a wrap). */
const KEY_ATTEMPTS = 6;

/** Another member node: its key id and where it answers. */
export interface Peer {
  readonly keyId: string;
  readonly url: string;
}

export class BlobSync {
  readonly #node: NodeServices;
  readonly #peers: () => readonly Peer[];
  readonly #jobs = new Map<string, Job>();
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #fetched = 0;

  /** `peers`: the other member nodes now (genesis members and those admitted since). */
  constructor(node: NodeServices, peers: () => readonly Peer[]) {
    this.#node = node;
    this.#peers = peers;
  }

  /** Queues every committed record whose ciphertext is missing here, now and after each block. */
  start(): void {
    for (const r of this.#node.state.records.values())
      if (!r.erasedBy && !this.#node.vault.hasBlob(r.id, r.blob)) this.#queue(r.id, r.blob, r.org);
    this.#node.ledger.onCommit((txs) => {
      this.#onCommit(txs);
    });
    this.#timer = setInterval(() => {
      this.#pump();
    }, 1000);
    this.#timer.unref();
    this.#pump();
  }

  /** Blob hashes still being fetched from peers (not yet an integrity problem). */
  pending(): ReadonlySet<string> {
    return new Set([...this.#jobs.values()].filter((j) => !j.keysOnly).map((j) => j.blob));
  }

  get fetched(): number {
    return this.#fetched;
  }

  #onCommit(txs: readonly Tx[]): void {
    for (const tx of txs) {
      if (tx.body.type === 'consent.grant') {
        this.#onConsent(tx);
        continue;
      }
      if (tx.body.type !== 'record.add' && tx.body.type !== 'record.amend') continue;
      const p = parseRecord(tx.body.payload, tx.body.type === 'record.amend');
      if (typeof p === 'string' || this.#node.vault.hasBlob(p.record, p.blob)) continue;
      this.#queue(p.record, p.blob, p.org);
    }
    this.#pump();
  }

  /** A consent for an organization hosted here: fetch the keys the granting member wrapped for it. */
  #onConsent(tx: Tx): void {
    const p = parseConsentGrant(tx.body.payload);
    if (typeof p === 'string') return;
    const org =
      p.grantee.kind === 'organization'
        ? p.grantee.orgId
        : this.#node.ledger.directory.active(p.grantee.keyId)?.org;
    if (org === undefined || !this.#node.hostsOrg(org)) return;
    for (const r of this.#node.state.recordsOf(p.patient))
      for (const id of [r.id, ...r.amendedBy]) {
        const key = `keys:${id}`;
        if (this.#node.vault.keysOf(id).has(`org:${org}`) || this.#jobs.has(key)) continue;
        this.#jobs.set(key, {
          record: id,
          blob: key,
          org,
          keysOnly: true,
          attempts: 0,
          notBefore: Date.now() + 200,
        });
      }
  }

  #queue(record: string, blob: string, org: string): void {
    if (!this.#jobs.has(blob)) this.#jobs.set(blob, { record, blob, org, attempts: 0, notBefore: 0 });
  }

  #pump(): void {
    if (this.#closed) return;
    const now = Date.now();
    for (const job of this.#jobs.values()) {
      if (this.#running >= CONCURRENCY) return;
      if (job.notBefore > now || job.attempts < 0) continue;
      job.attempts = -1 - job.attempts; // in flight (negative), restored after
      this.#running++;
      void this.#fetch(job).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #fetch(job: Job): Promise<void> {
    const attempts = -1 - job.attempts;
    if (job.keysOnly) {
      for (const peer of this.#peers()) {
        const keys = await this.#keys(peer, job.record).catch(() => []);
        if (keys.length === 0) continue;
        this.#node.vault.put({ blobs: [], keys });
        this.#jobs.delete(job.blob);
        return;
      }
      if (attempts + 1 >= KEY_ATTEMPTS) {
        this.#jobs.delete(job.blob);
        return;
      }
      job.attempts = attempts + 1;
      job.notBefore = Date.now() + 250 * 2 ** attempts;
      return;
    }
    try {
      const author = this.#node.ledger.directory.org(job.org)?.host;
      const peers = [...this.#peers()].sort(
        (a, b) => Number(b.keyId === author) - Number(a.keyId === author),
      );
      for (const peer of peers) {
        const path = `/api/v1/replica/blobs/${job.blob}?record=${encodeURIComponent(job.record)}`;
        const data = await this.#get(peer, path).catch(() => undefined);
        if (!data) continue;
        const bytes = new Uint8Array(await data.arrayBuffer());
        if (createHash('sha256').update(bytes).digest('hex') !== job.blob) continue; // substituted data
        const keys = await this.#keys(peer, job.record).catch(() => []);
        this.#node.vault.put({ blobs: [{ record: job.record, data: bytes }], keys });
        this.#jobs.delete(job.blob);
        this.#fetched++;
        return;
      }
    } catch {
      // retried below
    }
    job.attempts = attempts + 1;
    job.notBefore = Date.now() + Math.min(30_000, 250 * 2 ** Math.min(attempts, 7));
  }

  /** The record's keys wrapped for organizations this node hosts (the peer returns only those). */
  async #keys(peer: Peer, record: string): Promise<WrappedKeyRow[]> {
    const res = await this.#get(peer, `/api/v1/replica/keys/${encodeURIComponent(record)}`);
    if (!res) return [];
    const body = (await res.json()) as { keys?: unknown };
    return openableKeys(this.#node, record, Array.isArray(body.keys) ? body.keys : []);
  }

  async #get(peer: Peer, path: string): Promise<Response | undefined> {
    const headers = signNodeRequest(this.#node.ledger.signer, 'GET', path, Date.now());
    const res = await fetch(new URL(path, peer.url), { headers, signal: AbortSignal.timeout(5000) });
    return res.ok ? res : undefined;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}

/**
 * Of the wrapped keys a peer served for `record`, those for an organization this node hosts that open
 * with that organization's key. A peer cannot plant a wrap that would replace nothing but break reads
 * (or stop the real one being fetched): what does not open is not stored.
 */
export function openableKeys(
  node: NodeServices,
  record: string,
  served: readonly unknown[],
): WrappedKeyRow[] {
  const out: WrappedKeyRow[] = [];
  for (const k of served) {
    if (typeof k !== 'object' || k === null) continue;
    const { recipient, enc, ct } = k as Record<string, unknown>;
    if (typeof recipient !== 'string' || typeof enc !== 'string' || typeof ct !== 'string') continue;
    if (!recipient.startsWith('org:')) continue;
    const key = node.orgKey(recipient.slice(4));
    if (!key) continue;
    try {
      unwrapKey({ enc, ct }, key, record).fill(0);
    } catch {
      continue;
    }
    out.push({ record, recipient: recipient as Recipient, enc, ct });
  }
  return out;
}
