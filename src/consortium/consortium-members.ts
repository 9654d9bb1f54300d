/**
 * @module
 * The consortium's member nodes with their organization and address: the genesis members (from the
 * genesis file) and those the members admitted since (from their `member.propose`, on chain).
 */
import type { KeyRegistry } from '../state-machine/key-registry.ts';
import type { GenesisMember } from './consortium-genesis.ts';

export interface MemberNode {
  readonly keyId: string;
  readonly org: string | null;
  readonly url: string | null;
  /** Height of the block that registered its node key. */
  readonly since: number;
  readonly active: boolean;
  readonly removedAt?: number;
}

export function memberNodes(genesis: readonly GenesisMember[], dir: KeyRegistry): MemberNode[] {
  const known = new Map<string, { org?: string; url?: string }>(genesis.map((m) => [m.keyId, m]));
  for (const p of dir.proposals())
    if (p.action === 'add' && p.decidedAt !== undefined) known.set(p.keyId, { ...p });
  return [...dir.withRole('node')].map((e) => {
    const m = known.get(e.keyId);
    return {
      keyId: e.keyId,
      org: m?.org ?? e.org ?? null,
      url: m?.url ?? null,
      since: e.registeredAt,
      active: e.revokedAt === undefined,
      ...(e.revokedAt === undefined ? {} : { removedAt: e.revokedAt }),
    };
  });
}
