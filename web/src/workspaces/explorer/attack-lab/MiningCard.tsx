/**
 * @module
 * Scenario 1: what a block costs to mine as the difficulty grows, measured on this machine, next to
 * the expected 2^d attempts; and the seed document's demo table.
 */
import { Badge, Card, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ChartImage } from './ChartImage.tsx';
import { int, ms } from './format.ts';
import type { MiningResult } from '../../../../../src/api/contract/attack-lab.ts';

export function MiningCard({ m, version }: { m: MiningResult; version: string }): ReactNode {
  return (
    <Card withBorder padding="lg">
      <Title order={3}>1 · Mining cost vs difficulty</Title>
      <Text c="dimmed" size="sm" mb="sm">
        Measured hash rate of the real miner: <b>{int(m.hashesPerSec)}</b> block hashes per second. Each extra
        bit of difficulty doubles the expected work; rows beyond what fits the time budget are extrapolated
        from the measured rate.
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="md">
        <ChartImage name="mining-time" alt="Time per block vs difficulty (log scale)" version={version} />
        <ChartImage
          name="mining-attempts"
          alt="Attempts per block vs difficulty (log scale)"
          version={version}
        />
      </SimpleGrid>
      <Table.ScrollContainer minWidth={560}>
        <Table striped fz="sm" aria-label="Mining cost per difficulty">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Difficulty (bits)</Table.Th>
              <Table.Th>Expected attempts</Table.Th>
              <Table.Th>Mean attempts</Table.Th>
              <Table.Th>Mean time</Table.Th>
              <Table.Th>Expected time</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {m.rows.map((r) => (
              <Table.Tr key={r.difficulty}>
                <Table.Td>{r.difficulty}</Table.Td>
                <Table.Td>{int(r.expectedAttempts)}</Table.Td>
                <Table.Td>{r.meanAttempts === undefined ? '—' : int(r.meanAttempts)}</Table.Td>
                <Table.Td>{ms(r.meanMs)}</Table.Td>
                <Table.Td>{ms(r.expectedMs)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={r.measured ? 'blue' : 'gray'}>
                    {r.measured ? `measured ×${String(r.runs)}` : 'extrapolated'}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Title order={4} mt="md">
        Demo chain (difficulty {m.demo.difficultyBits} bits) —{' '}
        {m.demo.verified ? 'verifies' : 'does NOT verify'}
      </Title>
      <Table.ScrollContainer minWidth={560}>
        <Table fz="xs" ff="monospace" aria-label="Demo blocks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Index</Table.Th>
              <Table.Th>Hash</Table.Th>
              <Table.Th>Nonce</Table.Th>
              <Table.Th>Elapsed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {m.demo.blocks.map((b) => (
              <Table.Tr key={b.index}>
                <Table.Td>{b.index}</Table.Td>
                <Table.Td title={b.hash}>{b.hash.slice(0, 24)}…</Table.Td>
                <Table.Td>{b.nonce}</Table.Td>
                <Table.Td>{ms(b.elapsedMs)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
