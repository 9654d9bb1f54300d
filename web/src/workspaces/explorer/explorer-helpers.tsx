/**
 * @module
 * Shared bits of the chain explorer: the node's identity (its public key is the one key a proof is
 * checked against), transaction type badges, and how a search term maps to a page.
 */
import { Badge } from '@mantine/core';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { AsyncState } from '../../lib/use-async.ts';
import type { NodeInfo } from '../../../../src/api/contract/chain.ts';

export function useNodeInfo(): AsyncState<NodeInfo> {
  return useAsync((s) => api.get<NodeInfo>('/node', s), []);
}

const TYPE_COLORS: Record<string, string> = {
  'chain.genesis': 'dark',
  'identity.register': 'grape',
  'identity.revoke': 'grape',
  'org.join': 'violet',
  'record.add': 'blue',
  'record.amend': 'cyan',
  'record.erase': 'red',
  'erasure.request': 'orange',
  'consent.grant': 'teal',
  'consent.revoke': 'teal',
  'access.log': 'gray',
  'node.vote': 'indigo',
  'member.propose': 'indigo',
  'member.approve': 'indigo',
  'data.put': 'lime',
};

export function TxTypeBadge({ type }: { type: string }): ReactNode {
  return (
    <Badge miw="max-content" color={TYPE_COLORS[type] ?? 'gray'} variant="light" tt="none">
      {type}
    </Badge>
  );
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Where a search goes: a height is a block, 64 hex digits a transaction, anything else a record id. */
export function routeOf(term: string): string[] | null {
  const q = term.trim();
  if (!q) return null;
  if (/^\d{1,15}$/.test(q)) return ['explorer', 'block', q];
  if (HEX64.test(q.toLowerCase())) return ['explorer', 'tx', q.toLowerCase()];
  return ['explorer', 'proof', q];
}

export const isTxId = (s: string): boolean => HEX64.test(s);
