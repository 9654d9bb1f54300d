/**
 * @module
 * One block (`#/explorer/block/<height>`): its header fields, hash and proposer signature, its
 * transactions (ids and types only — the chain holds no PHI), links to the neighbours, and a check of
 * the block in the browser: hash, proof-of-work, proposer, signature and Merkle root recomputed.
 */
import {
  Alert,
  Anchor,
  Button,
  Card,
  DataList,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { Check } from '../../lib/verify/checks.ts';
import type { BlockJson } from '../../../../src/api/contract/chain.ts';
import { verifyBlock } from '../../lib/verify/verify-block.ts';
import { fmtTime, Hex, ShortId, When } from '../common/format.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import { CheckList } from './CheckList.tsx';
import { TxTypeBadge, useNodeInfo } from './explorer-helpers.tsx';

function Row({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

export function BlockDetail({ height }: { height: number }): ReactNode {
  const block = useAsync((s) => api.get<BlockJson>(`/chain/blocks/${String(height)}`, s), [height]);
  const head = useAsync((s) => api.get<BlockJson>('/chain/head', s), []);
  const node = useNodeInfo();
  const [checks, setChecks] = useState<readonly Check[] | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (block.error)
    return <LoadError error={block.error} retry={block.reload} title={`Block ${String(height)}`} />;
  const b = block.data;
  if (!b) return <LoadingRows rows={8} />;
  const h = b.header;

  const check = (): void => {
    if (!node.data) return;
    setBusy(true);
    setCheckError(null);
    verifyBlock(b, node.data.publicKey).then(
      (c) => {
        setBusy(false);
        setChecks(c);
      },
      (e: unknown) => {
        setBusy(false);
        setCheckError(e instanceof Error ? e.message : String(e));
      },
    );
  };

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={3}>Block {String(b.height)}</Title>
        <Group gap="xs">
          <Button
            component="a"
            href={`#/explorer/block/${String(b.height - 1)}`}
            variant="default"
            size="xs"
            disabled={b.height === 0}
          >
            ← Block {String(Math.max(0, b.height - 1))}
          </Button>
          <Button
            component="a"
            href={`#/explorer/block/${String(b.height + 1)}`}
            variant="default"
            size="xs"
            disabled={!head.data || b.height >= head.data.height}
          >
            Block {String(b.height + 1)} →
          </Button>
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Card withBorder padding="md">
          <Title order={4} mb="sm">
            Header
          </Title>
          <DataList size="sm" labelWidth={120}>
            <Row label="Hash">
              <Hex value={b.hash} />
            </Row>
            <Row label="Previous">
              {b.height === 0 ? (
                <Text size="sm" c="dimmed">
                  none (genesis)
                </Text>
              ) : (
                <Anchor href={`#/explorer/block/${String(b.height - 1)}`} size="sm">
                  <ShortId id={h.prevHash} n={16} />
                </Anchor>
              )}
            </Row>
            <Row label="Time">{fmtTime(h.time)}</Row>
            <Row label="Merkle root">
              <ShortId id={h.merkleRoot} n={16} copy />
            </Row>
            <Row label="Log">
              {String(h.logSize)} transactions, root <ShortId id={h.logRoot} n={12} />
            </Row>
            <Row label="Proof-of-work">{`difficulty ${String(h.difficulty)} bits, nonce ${String(h.nonce)}`}</Row>
            <Row label="Proposer">
              <ShortId id={h.proposer} n={16} copy />
            </Row>
            <Row label="Signature">
              <Hex value={b.signature} />
            </Row>
          </DataList>
        </Card>
        <Card withBorder padding="md">
          <Group justify="space-between" mb="sm">
            <Title order={4}>Check in my browser</Title>
            <Button onClick={check} loading={busy} disabled={!node.data} size="xs">
              Verify block
            </Button>
          </Group>
          {node.error && (
            <LoadError error={node.error} retry={node.reload} title="Could not load the node key" />
          )}
          {checkError && (
            <Alert color="red" role="alert" title="Verification could not run">
              {checkError}
            </Alert>
          )}
          {checks ? (
            <CheckList
              checks={checks}
              okTitle={`Block ${String(b.height)} is intact and signed by this node`}
            />
          ) : (
            <Text size="sm" c="dimmed">
              Recomputes the block hash from the header, checks its proof-of-work and the proposer’s Ed25519
              signature against this node’s public key, and the Merkle root over the transaction ids.
            </Text>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder padding="md">
        <Title order={4} mb="sm">
          Transactions ({String(b.txs.length)})
        </Title>
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Id</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th visibleFrom="md">Signer</Table.Th>
                <Table.Th>Time</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {b.txs.map((t, i) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{String(i)}</Table.Td>
                  <Table.Td>
                    <Anchor href={`#/explorer/tx/${t.id}`} aria-label={`Transaction ${t.id.slice(0, 8)}`}>
                      <ShortId id={t.id} n={12} />
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <TxTypeBadge type={t.type} />
                  </Table.Td>
                  <Table.Td visibleFrom="md">
                    <ShortId id={t.signer} />
                  </Table.Td>
                  <Table.Td>
                    <When t={t.time} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}
