/**
 * @module
 * The inclusion proof drawn as a path from the leaf (the transaction id) up to the log root: at each
 * level the two children — ours and the sibling from the proof, in their left/right order — and the
 * parent hashed from them, SHA-256(0x01 ‖ left ‖ right) (RFC 6962 §2.1). Parent hashes appear once
 * the browser has computed them; the last line compares the root with the signed head.
 */
import { Alert, Badge, Group, Paper, Text, Timeline } from '@mantine/core';
import type { ReactNode } from 'react';
import { inclusionShape } from '../../lib/verify/inclusion.ts';
import type { PathShape } from '../../lib/verify/inclusion.ts';
import type { ProofJson } from '../../../../src/api/contract/chain.ts';
import type { ProofReport } from '../../lib/verify/verify-proof.ts';

function HashBox({
  label,
  hash,
  ours,
}: {
  label: string;
  hash: string | undefined;
  ours?: boolean;
}): ReactNode {
  return (
    <Paper
      withBorder
      px="xs"
      py={4}
      bg={ours ? 'var(--mantine-color-indigo-light)' : undefined}
      style={{ minWidth: 0, flex: '1 1 0' }}
    >
      <Text size="xs" c="dimmed" lh={1.2}>
        {label}
      </Text>
      <Text size="xs" ff="monospace" title={hash} truncate>
        {hash ? `${hash.slice(0, 16)}…` : 'computed when you verify'}
      </Text>
    </Paper>
  );
}

function shapeOf(p: ProofJson): { shape: PathShape[] } | { error: string } {
  try {
    return { shape: inclusionShape(p.leafIndex, p.treeSize, p.proof.length) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export function MerklePath({ proof, report }: { proof: ProofJson; report: ProofReport | null }): ReactNode {
  const s = shapeOf(proof);
  if ('error' in s)
    return (
      <Alert color="red" role="alert" title="This proof cannot fit its tree">
        {s.error}
      </Alert>
    );
  const steps = report?.walk?.steps;
  const leaf = report?.leaf;
  const root = report?.walk?.root;
  const rootOk = root !== undefined && root === proof.head.header.logRoot;
  // Our node at each level: the leaf, then each parent computed below it.
  const oursAt = (i: number): string | undefined => (i === 0 ? leaf : steps?.[i - 1]?.parent);
  return (
    <Timeline
      active={steps ? proof.proof.length + 1 : 0}
      bulletSize={26}
      lineWidth={2}
      color={report && !report.ok ? 'red' : 'teal'}
    >
      <Timeline.Item bullet="L" title={`Leaf ${String(proof.leafIndex)}: the transaction`}>
        <Text size="xs" c="dimmed" mb={4}>
          leaf hash = SHA-256(0x00 ‖ “medledger:tx:v1” ‖ 0x00 ‖ body) = transaction id
        </Text>
        <HashBox label={leaf ? 'computed leaf' : 'transaction id'} hash={leaf ?? proof.txId} ours />
      </Timeline.Item>
      {s.shape.map((st, i) => {
        const sibling = proof.proof[i]!;
        const step = steps?.[i];
        const mine = <HashBox key="ours" label="ours" hash={oursAt(i)} ours />;
        const theirs = <HashBox key="sib" label={`sibling (proof[${String(i)}])`} hash={sibling} />;
        return (
          <Timeline.Item
            key={i}
            bullet={String(st.level + 1)}
            title={
              <Group gap="xs">
                <Text size="sm" fw={500}>
                  Level {String(st.level + 1)}
                </Text>
                <Badge size="xs" variant="outline" color="gray">
                  sibling on the {st.side}
                </Badge>
              </Group>
            }
          >
            <Group gap={6} wrap="nowrap" my={4}>
              {st.side === 'left' ? [theirs, mine] : [mine, theirs]}
            </Group>
            <Text size="xs" c="dimmed">
              parent = SHA-256(0x01 ‖ {st.side === 'left' ? 'sibling ‖ ours' : 'ours ‖ sibling'})
              {step ? ` = ${step.parent.slice(0, 16)}…` : ''}
            </Text>
          </Timeline.Item>
        );
      })}
      <Timeline.Item
        bullet={root === undefined ? 'R' : rootOk ? '✓' : '✗'}
        color={root === undefined ? undefined : rootOk ? 'teal' : 'red'}
        title={`Root of the log of ${String(proof.treeSize)} transactions`}
      >
        <Group gap={6} wrap="nowrap" my={4}>
          <HashBox label="computed root" hash={root} ours />
          <HashBox
            label={`log root in signed head ${String(proof.head.header.height)}`}
            hash={proof.head.header.logRoot}
          />
        </Group>
        {root !== undefined && (
          <Text size="xs" c={rootOk ? 'teal' : 'red'} fw={500}>
            {rootOk
              ? 'The computed root matches the signed head.'
              : 'The computed root does not match the signed head.'}
          </Text>
        )}
      </Timeline.Item>
    </Timeline>
  );
}
