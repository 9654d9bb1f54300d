/**
 * @module
 * The identity contract's key directory, a deterministic state machine replayed from the chain:
 * `identity.register` adds an Ed25519 key with a role, `identity.revoke` ends it. Only keys with an
 * authority role (node, admin) may register or revoke; the genesis block registers the first node key,
 * self-signed. Changes take effect from the next block, so all transactions of a block are checked
 * against the same state (which lets their signatures be verified in parallel).
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf, publicKeyObject } from '../core/keys.ts';
import type { KeyObject } from 'node:crypto';
import type { Tx } from '../core/tx.ts';

export const ROLES = ['node', 'admin', 'doctor', 'patient', 'researcher', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
const AUTHORITY: ReadonlySet<Role> = new Set(['node', 'admin']);

export interface KeyEntry {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly publicKeyHex: string;
  readonly role: Role;
  readonly registeredAt: number;
  revokedAt?: number;
}

export interface RegisterPayload {
  readonly publicKey: string;
  readonly role: Role;
}

/** Why an identity transaction is not acceptable, or undefined when it is. */
export type RuleViolation =
  { kind: 'tx-unknown-signer' | 'tx-not-permitted' | 'tx-decode'; detail: string } | undefined;

export class KeyRegistry {
  readonly #keys = new Map<string, KeyEntry>();

  get size(): number {
    return this.#keys.size;
  }

  /** The active (registered, not revoked) key, or undefined. */
  active(keyId: string): KeyEntry | undefined {
    const e = this.#keys.get(keyId);
    return e && e.revokedAt === undefined ? e : undefined;
  }

  entry(keyId: string): KeyEntry | undefined {
    return this.#keys.get(keyId);
  }

  entries(): IterableIterator<KeyEntry> {
    return this.#keys.values();
  }

  /**
   * Checks `tx` against the current state: the signer must be active and, for identity transactions,
   * hold an authority role. In the genesis block a node key may register itself.
   */
  check(tx: Tx, height: number): RuleViolation {
    const signer = this.active(tx.body.signer);
    const t = tx.body.type;
    if (height === 0 && t === 'identity.register') {
      const p = parseRegister(tx.body.payload);
      if (typeof p === 'string') return { kind: 'tx-decode', detail: p };
      if (!signer && p.role === 'node' && keyIdOf(fromHex(p.publicKey, 32, 'publicKey')) === tx.body.signer)
        return;
    }
    if (height === 0 && t === 'chain.genesis' && !signer) return;
    if (!signer) {
      const known = this.#keys.get(tx.body.signer);
      return {
        kind: 'tx-unknown-signer',
        detail: known ? `signer revoked at height ${String(known.revokedAt)}` : 'signer is not registered',
      };
    }
    if (t === 'identity.register' || t === 'identity.revoke') {
      if (!AUTHORITY.has(signer.role))
        return { kind: 'tx-not-permitted', detail: `role ${signer.role} may not ${t}` };
      if (t === 'identity.register') {
        const p = parseRegister(tx.body.payload);
        if (typeof p === 'string') return { kind: 'tx-decode', detail: p };
        if (this.#keys.has(keyIdOf(fromHex(p.publicKey, 32, 'publicKey')))) {
          return { kind: 'tx-not-permitted', detail: 'key already registered' };
        }
      } else {
        const target = parseRevoke(tx.body.payload);
        if (!target || !this.active(target))
          return { kind: 'tx-not-permitted', detail: 'revoked key is not active' };
      }
    }
    if (t === 'chain.genesis' && height !== 0)
      return { kind: 'tx-not-permitted', detail: 'chain.genesis only in block 0' };
    return undefined;
  }

  /** Applies the identity effects of a block's transactions (after the whole block was checked). */
  apply(txs: readonly Tx[], height: number): void {
    for (const tx of txs) {
      if (tx.body.type === 'identity.register') {
        const p = parseRegister(tx.body.payload);
        if (typeof p === 'string') continue;
        const raw = fromHex(p.publicKey, 32, 'publicKey');
        const keyId = keyIdOf(raw);
        if (this.#keys.has(keyId)) continue;
        this.#keys.set(keyId, {
          keyId,
          publicKey: publicKeyObject(raw),
          publicKeyHex: p.publicKey,
          role: p.role,
          registeredAt: height,
        });
      } else if (tx.body.type === 'identity.revoke') {
        const target = parseRevoke(tx.body.payload);
        const e = target === undefined ? undefined : this.#keys.get(target);
        if (e && e.revokedAt === undefined) e.revokedAt = height;
      }
    }
  }
}

function parseRegister(payload: unknown): RegisterPayload | string {
  if (typeof payload !== 'object' || payload === null) return 'identity.register payload must be an object';
  const { publicKey, role } = payload as Record<string, unknown>;
  if (typeof publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(publicKey))
    return 'publicKey must be 32 bytes hex';
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    return `unknown role ${String(role)}`;
  return { publicKey, role: role as Role };
}

function parseRevoke(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { keyId } = payload as Record<string, unknown>;
  return typeof keyId === 'string' ? keyId : undefined;
}
