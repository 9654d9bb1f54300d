/**
 * @module
 * The integrity monitor's state (`GET /api/v1/integrity`, refreshed every 5 s): ok or compromised,
 * verified height against the chain height, the last run, and every problem with its location. "Verify
 * now" runs a full verification with every signature (`POST /api/v1/integrity/verify`).
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { IntegrityProblem, IntegrityView } from '../../../../src/api/contract/ops.ts';
import { fmtTime } from '../common/format.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';

const STATUS = {
  ok: { color: 'green', label: 'Verified' },
  compromised: { color: 'red', label: 'Tampering detected' },
  starting: { color: 'yellow', label: 'Starting' },
} as const;

function location(p: IntegrityProblem): string {
  if (p.record !== undefined) return `record ${p.record.slice(0, 8)} (block ${String(p.height)})`;
  return p.tx === undefined ? `block ${String(p.height)}` : `block ${String(p.height)}, tx ${String(p.tx)}`;
}

function Stat({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

export function IntegrityCard(): ReactNode {
  const { data, error, loading, reload } = useAsync((s) => api.get<IntegrityView>('/integrity', s), []);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ view: IntegrityView } | { error: string } | null>(null);
  useEffect(() => {
    const t = window.setInterval(reload, 5000);
    return () => {
      window.clearInterval(t);
    };
  }, [reload]);

  const verify = (): void => {
    setBusy(true);
    setResult(null);
    api.post<IntegrityView>('/integrity/verify').then(
      (view) => {
        setBusy(false);
        setResult({ view });
        reload();
      },
      (e: unknown) => {
        setBusy(false);
        setResult({ error: e instanceof Error ? e.message : String(e) });
      },
    );
  };

  const s = data ? STATUS[data.status] : undefined;
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="md" gap="sm">
        <Group gap="sm">
          <Title order={3} size="h4">
            Integrity
          </Title>
          {s && (
            <Badge color={s.color} size="lg" variant={data?.status === 'compromised' ? 'filled' : 'light'}>
              {s.label}
            </Badge>
          )}
        </Group>
        <Button onClick={verify} loading={busy}>
          Verify now
        </Button>
      </Group>
      {error && <LoadError error={error} retry={reload} />}
      {loading && !data && <LoadingRows rows={3} />}
      {data && (
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            The node re-checks its stored chain in the background: hash links, Merkle roots, proof-of-work
            and, on a full run, every signature. “Verify now” runs a full verification.
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
            <Stat label={data.status === 'compromised' ? 'Checked height' : 'Verified height'}>
              {String(data.verifiedHeight)} of {String(data.height)}
              <Progress
                mt={6}
                size="sm"
                color={data.status === 'compromised' ? 'red' : 'green'}
                value={data.height > 0 ? (100 * Math.max(0, data.verifiedHeight)) / data.height : 100}
                aria-label="Verified share of the chain"
              />
            </Stat>
            <Stat label="Last run">{data.lastRun ? fmtTime(data.lastRun.at) : 'Not yet'}</Stat>
            <Stat label="Took">
              {data.lastRun
                ? `${String(data.lastRun.elapsedMs)} ms${data.lastRun.signatures ? ', with signatures' : ''}`
                : '—'}
            </Stat>
            <Stat label="Runs">{String(data.runs)}</Stat>
          </SimpleGrid>
          {result && 'error' in result && (
            <Alert color="red" role="alert" title="Verification could not run">
              {result.error}
            </Alert>
          )}
          {result && 'view' in result && result.view.status !== 'compromised' && (
            <Alert color="teal" title="Full verification passed">
              Blocks 0–{String(result.view.verifiedHeight)} checked with every signature in{' '}
              {String(result.view.lastRun?.elapsedMs ?? 0)} ms. No problems found.
            </Alert>
          )}
          {result && 'view' in result && result.view.status === 'compromised' && (
            <Alert color="red" role="alert" title="Full verification found problems">
              {String(result.view.problems.length)} problem{result.view.problems.length === 1 ? '' : 's'} in{' '}
              {String(result.view.lastRun?.elapsedMs ?? 0)} ms; see the list below.
            </Alert>
          )}
          {data.problems.length > 0 && <ProblemTable problems={data.problems} />}
        </Stack>
      )}
    </Card>
  );
}

function ProblemTable({ problems }: { problems: readonly IntegrityProblem[] }): ReactNode {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" striped captionSide="top">
        <Table.Caption>Problems found, by location</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Location</Table.Th>
            <Table.Th>Check</Table.Th>
            <Table.Th>Detail</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {problems.map((p, i) => (
            <Table.Tr key={i}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{location(p)}</Table.Td>
              <Table.Td>
                <Badge miw="max-content" color="red" variant="light">
                  {p.kind}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ wordBreak: 'break-word' }}>
                  {p.detail}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
