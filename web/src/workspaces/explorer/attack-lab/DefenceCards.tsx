/**
 * @module
 * Scenarios 2–5 of the attack lab: a history rewrite and the verifier's verdict, brute force on
 * credentials, forgeries, and tampering with the database under a running node.
 */
import { Badge, Card, Group, List, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ChartImage } from './ChartImage.tsx';
import { int, ms, where } from './format.ts';
import type {
  BruteforceResult,
  ForgeryResult,
  RewriteResult,
  TamperResult,
  Verdict,
} from '../../../../../src/api/contract/attack-lab.ts';

function VerdictBadge({ v }: { v: Verdict }): ReactNode {
  return (
    <Badge color={v.ok ? 'red' : 'green'} size="lg">
      {v.ok ? 'rewrite NOT detected' : `rewrite detected at block ${String(v.firstHeight ?? '?')}`}
    </Badge>
  );
}

export function RewriteCard({ r, version }: { r: RewriteResult; version: string }): ReactNode {
  const a = r.attack;
  return (
    <Card withBorder padding="lg">
      <Title order={3}>2 · Rewrite history</Title>
      <Text size="sm" mb="xs">
        On a copy of the chain (height {r.chain.height}, {int(r.chain.txs)} transactions) the attacker changed
        transaction {a.tx} ({a.txType}) of block {a.height}, recomputed the Merkle roots and re-mined blocks{' '}
        {a.height}
        ..{a.head} ({a.blocks} blocks) in {ms(a.totalMs)} with their own key.
      </Text>
      <Group mb="xs">
        <VerdictBadge v={r.verdict} />
        {r.insider && (
          <Badge color={r.insider.verdict.ok ? 'orange' : 'green'} variant="light">
            insider with the node key: {r.insider.verdict.ok ? 'undetected' : 'detected'}
          </Badge>
        )}
      </Group>
      <List size="sm" mb="sm">
        {r.verdict.problems.slice(0, 8).map((p, i) => (
          <List.Item key={i}>
            {where(p)}: <b>{p.kind}</b>
          </List.Item>
        ))}
      </List>
      <ChartImage
        name="rewrite-time"
        alt="Rewrite time vs difficulty and depth (log scale)"
        version={version}
      />
      <Text size="sm" c="dimmed" mt="xs">
        {r.finality}
      </Text>
    </Card>
  );
}

export function BruteforceCard({ b, version }: { b: BruteforceResult; version: string }): ReactNode {
  return (
    <Card withBorder padding="lg">
      <Title order={3}>3 · Brute-force credentials</Title>
      <Text size="sm" mb="sm">
        Password check (scrypt N={int(b.kdf.N)}, r={b.kdf.r}, p={b.kdf.p}):{' '}
        <b>{b.password.sequential.perSec.toFixed(1)}</b> guesses/s ({b.password.parallel.perSec.toFixed(1)}/s
        in parallel). API-token check: <b>{int(b.token.perSec)}</b> guesses/s. The login limit allows{' '}
        {int(b.limiter.oneAddress.guessesAllowed)} guesses in {b.limiter.oneAddress.simulatedHours} h against
        one account.
      </Text>
      <ChartImage
        name="bruteforce-time"
        alt="Expected time to guess vs key length (log scale)"
        version={version}
      />
      <Table.ScrollContainer minWidth={560}>
        <Table striped fz="sm" mt="sm" aria-label="Expected time to find a secret">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Secret</Table.Th>
              <Table.Th>Bits</Table.Th>
              <Table.Th>Attack</Table.Th>
              <Table.Th>Guesses/s</Table.Th>
              <Table.Th>Expected time</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {b.keySpaces.flatMap((k) =>
              k.attacks.map((x) => (
                <Table.Tr key={`${k.space}/${x.attack}`}>
                  <Table.Td>{k.space}</Table.Td>
                  <Table.Td>{k.bits.toFixed(0)}</Table.Td>
                  <Table.Td>{x.attack}</Table.Td>
                  <Table.Td>
                    {x.guessesPerSec < 10 ? x.guessesPerSec.toPrecision(2) : int(x.guessesPerSec)}
                  </Table.Td>
                  <Table.Td>{x.expected.human}</Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

export function ForgeryCard({ f }: { f: ForgeryResult }): ReactNode {
  return (
    <Card withBorder padding="lg">
      <Title order={3}>4 · Forgery</Title>
      <Group mb="xs">
        <Badge color={f.rejected === f.attempted ? 'green' : 'red'} size="lg">
          {f.rejected} of {f.attempted} forgeries rejected
        </Badge>
        <Badge variant="light">{f.asExpected} with the expected error code</Badge>
      </Group>
      <Text size="sm" mb="sm">
        Forging an Ed25519 signature takes about 2^{f.signatureForgery.securityBits} operations: at{' '}
        {int(f.signatureForgery.verifiesPerSec)} verifications/s, {f.signatureForgery.expected.human}.
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table striped fz="sm" aria-label="Forgery attempts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>Rejected with</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {f.attempts.map((x, i) => (
              <Table.Tr key={i}>
                <Table.Td>{x.category}</Table.Td>
                <Table.Td>{x.attack}</Table.Td>
                <Table.Td>
                  <Badge color={x.rejected && x.got === x.expected ? 'green' : 'red'} variant="light">
                    {x.got}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

export function TamperCard({ t }: { t: TamperResult }): ReactNode {
  return (
    <Card withBorder padding="lg">
      <Title order={3}>5 · Tamper detection</Title>
      <Text size="sm" mb="sm">
        The SQLite file of a running node (height {t.chain.height}) was edited directly; the integrity monitor
        runs every {t.intervalMs} ms.
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table striped fz="sm" aria-label="Tamper detection">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Edit</Table.Th>
              <Table.Th>Where</Table.Th>
              <Table.Th>Detected after</Table.Th>
              <Table.Th>Reported</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {t.cases.map((c) => (
              <Table.Tr key={c.edit}>
                <Table.Td>{c.description}</Table.Td>
                <Table.Td>{where(c.target)}</Table.Td>
                <Table.Td>
                  <Badge color={c.detected ? 'green' : 'red'} variant="light">
                    {c.detected ? ms(c.detectedMs) : 'not detected'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {c.reported
                    .slice(0, 3)
                    .map((p) => `${where(p)}: ${p.kind}`)
                    .join('; ')}
                  {c.located ? '' : ' (location not exact)'}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
