/**
 * @module
 * One transaction (`#/explorer/tx/<id>`): type, signer, time, its block and position, the signature,
 * and the canonical body the id commits to, pretty-printed. Payloads carry only hashes, key ids and
 * blind indexes: no PHI is ever on the chain.
 */
import { Anchor, Button, Card, Code, DataList, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { TxJson } from '../../../../src/api/contract/chain.ts';
import { fmtTime, Hex, ShortId } from '../common/format.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import { TxTypeBadge } from './explorer-helpers.tsx';

function Row({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

export function TxDetail({ id }: { id: string }): ReactNode {
  const {
    data: t,
    error,
    reload,
  } = useAsync((s) => api.get<TxJson>(`/chain/txs/${encodeURIComponent(id)}`, s), [id]);
  if (error) return <LoadError error={error} retry={reload} title="Transaction" />;
  if (!t) return <LoadingRows rows={8} />;
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={3}>Transaction</Title>
          <TxTypeBadge type={t.decoded.type} />
        </Group>
        <Button component="a" href={`#/explorer/proof/${t.id}`} variant="light" size="xs">
          Inclusion proof
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Card withBorder padding="md">
          <DataList size="sm" labelWidth={120}>
            <Row label="Id">
              <Hex value={t.id} />
            </Row>
            <Row label="Type">{t.decoded.type}</Row>
            <Row label="Signer">
              <ShortId id={t.decoded.signer} n={16} copy />
            </Row>
            <Row label="Time">{fmtTime(t.decoded.time)}</Row>
            <Row label="Block">
              <Anchor href={`#/explorer/block/${String(t.height)}`} size="sm">
                Block {String(t.height)}
              </Anchor>
              , position {String(t.index)}
            </Row>
            <Row label="Log entry">{String(t.seq)}</Row>
            <Row label="Nonce">
              <Text span ff="monospace" size="sm">
                {t.decoded.nonce}
              </Text>
            </Row>
            <Row label="Signature">
              <Hex value={t.sig} />
            </Row>
          </DataList>
        </Card>
        <Card withBorder padding="md">
          <Title order={4} mb={4}>
            Payload
          </Title>
          <Text size="xs" c="dimmed" mb="sm">
            Hashes, key ids and blind indexes only; record contents are encrypted off the chain.
          </Text>
          <Code
            block
            style={{ maxHeight: 360, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
          >
            {JSON.stringify(t.decoded.payload, null, 2)}
          </Code>
        </Card>
      </SimpleGrid>
      <Card withBorder padding="md">
        <Title order={4} mb={4}>
          Canonical body
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          The exact RFC 8785 bytes the id commits to: id = SHA-256(0x00 ‖ “medledger:tx:v1” ‖ 0x00 ‖ body).
        </Text>
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {t.body}
        </Code>
      </Card>
    </Stack>
  );
}
