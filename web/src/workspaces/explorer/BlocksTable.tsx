/**
 * @module
 * The latest blocks, newest first, ten to a page back from the head (`GET /chain/head`, then
 * `/chain/blocks/:height` for each row): height, hash, time, transactions, proof-of-work, proposer.
 */
import { Anchor, Card, Group, Pagination, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { navigate } from '../../lib/route.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { BlockJson } from '../../../../src/api/contract/chain.ts';
import { ShortId, When } from '../common/format.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';

const PER_PAGE = 10;

export function BlocksTable(): ReactNode {
  const [page, setPage] = useState(1);
  const { data, error, loading, reload } = useAsync(
    async (signal) => {
      const head = await api.get<BlockJson>('/chain/head', signal);
      const top = head.height - (page - 1) * PER_PAGE;
      const heights = Array.from({ length: Math.min(PER_PAGE, top + 1) }, (_, i) => top - i);
      const blocks = await Promise.all(
        heights.map((h) =>
          h === head.height
            ? Promise.resolve(head)
            : api.get<BlockJson>(`/chain/blocks/${String(h)}`, signal),
        ),
      );
      return { head, blocks };
    },
    [page],
  );
  const pages = data ? Math.ceil((data.head.height + 1) / PER_PAGE) : 1;
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          Latest blocks
        </Title>
        {data && (
          <Text size="sm" c="dimmed">
            Head: block {String(data.head.height)}, {String(data.head.header.logSize)} transactions in the log
          </Text>
        )}
      </Group>
      {error && <LoadError error={error} retry={reload} />}
      {loading && !data && <LoadingRows rows={PER_PAGE} />}
      {data && (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs" highlightOnHover style={{ opacity: loading ? 0.6 : 1 }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Height</Table.Th>
                <Table.Th>Hash</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th ta="right">Txs</Table.Th>
                <Table.Th ta="right" visibleFrom="md">
                  Difficulty
                </Table.Th>
                <Table.Th ta="right" visibleFrom="md">
                  Nonce
                </Table.Th>
                <Table.Th visibleFrom="md">Proposer</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.blocks.map((b) => (
                <Table.Tr
                  key={b.height}
                  style={{ cursor: 'pointer' }}
                  onClick={() => {
                    navigate('explorer', 'block', String(b.height));
                  }}
                >
                  <Table.Td>
                    <Anchor href={`#/explorer/block/${String(b.height)}`} fw={600}>
                      {String(b.height)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <ShortId id={b.hash} n={12} />
                  </Table.Td>
                  <Table.Td>
                    <When t={b.header.time} />
                  </Table.Td>
                  <Table.Td ta="right">{String(b.header.txCount)}</Table.Td>
                  <Table.Td ta="right" visibleFrom="md">
                    {String(b.header.difficulty)}
                  </Table.Td>
                  <Table.Td ta="right" visibleFrom="md">
                    {String(b.header.nonce)}
                  </Table.Td>
                  <Table.Td visibleFrom="md">
                    <ShortId id={b.header.proposer} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Group justify="flex-end" mt="sm">
          <Pagination total={pages} value={page} onChange={setPage} size="sm" aria-label="Block pages" />
        </Group>
      )}
    </Card>
  );
}
