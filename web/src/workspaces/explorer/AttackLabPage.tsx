/**
 * @module
 * The Attack lab (admin, auditor): runs the quick scenarios on this node (in a worker, on copies of
 * its data — the node's own files are never touched) and shows the latest report with its
 * log-scale charts; the full runs are `medledger attack all --data DIR`.
 */
import { Alert, Button, Card, Group, Loader, MultiSelect, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, download } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { PageProps } from '../page-props.ts';
import { BruteforceCard, ForgeryCard, RewriteCard, TamperCard } from './attack-lab/DefenceCards.tsx';
import { MiningCard } from './attack-lab/MiningCard.tsx';
import type { AttackReport } from '../../../../src/api/contract/attack-lab.ts';

const SCENARIOS = [
  { value: 'mining', label: 'Mining cost' },
  { value: 'rewrite', label: 'Rewrite history' },
  { value: 'bruteforce', label: 'Brute force' },
  { value: 'forgery', label: 'Forgery' },
  { value: 'tamper', label: 'Tamper detection' },
];

export function AttackLabPage(_props: PageProps): ReactNode {
  const report = useAsync(
    (signal) =>
      api.get<AttackReport>('/attack-lab/report', signal).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    [],
  );
  const [chosen, setChosen] = useState(SCENARIOS.map((s) => s.value));
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();

  const run = async (): Promise<void> => {
    setRunning(true);
    setError(undefined);
    try {
      await api.post('/attack-lab/run', { scenarios: chosen, quick: true });
      report.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  };

  const r = report.data;
  const s = r?.scenarios;
  return (
    <Stack>
      <div>
        <Title order={2}>Attack lab</Title>
        <Text c="dimmed">
          How hard is this ledger to break? Each scenario runs the node&apos;s real code on copies of its data
          and measures it on this machine.
        </Text>
      </div>
      <Card withBorder padding="lg">
        <Group align="flex-end">
          <MultiSelect
            label="Scenarios"
            data={SCENARIOS}
            value={chosen}
            onChange={setChosen}
            style={{ flex: 1, minWidth: 260 }}
          />
          <Button onClick={() => void run()} loading={running} disabled={chosen.length === 0}>
            Run quick scenarios
          </Button>
          {r && (
            <Button
              variant="default"
              onClick={() => void download('/api/v1/attack-lab/report', 'attack-report.json')}
            >
              Download report (JSON)
            </Button>
          )}
        </Group>
        <Text size="xs" c="dimmed" mt="xs">
          Quick runs take a few seconds. Longer measurements: <code>medledger attack all --data DIR</code> on
          the node&apos;s machine.
        </Text>
        {running && (
          <Group mt="sm" gap="xs">
            <Loader size="sm" />
            <Text size="sm">Attacking a copy of the ledger…</Text>
          </Group>
        )}
        {error && (
          <Alert color="red" role="alert" mt="sm">
            {error}
          </Alert>
        )}
      </Card>
      {report.error && (
        <Alert color="red" role="alert">
          {report.error.message}
        </Alert>
      )}
      {report.loading && !r && <Loader />}
      {r === null && !running && (
        <Alert color="blue" title="No report yet">
          Run the quick scenarios to measure this node.
        </Alert>
      )}
      {r && (
        <Text size="sm" c="dimmed">
          Report of {new Date(r.date).toLocaleString()} · {r.machine.cpus} CPU cores · Node {r.machine.node}
        </Text>
      )}
      {s?.mining && <MiningCard m={s.mining} version={r!.date} />}
      {s?.rewrite && <RewriteCard r={s.rewrite} version={r!.date} />}
      {s?.bruteforce && <BruteforceCard b={s.bruteforce} version={r!.date} />}
      {s?.forgery && <ForgeryCard f={s.forgery} />}
      {s?.tamper && <TamperCard t={s.tamper} />}
    </Stack>
  );
}
