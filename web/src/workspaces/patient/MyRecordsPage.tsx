/**
 * @module
 * "My records": everything recorded about the patient, grouped by kind (conditions, medications,
 * visits, results…), newest first, with who recorded it and amendments marked. Reading this page is
 * itself an audited access (the patient's own), shown in "Who accessed my data".
 */
import { Alert, Badge, Card, Group, Skeleton, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { RecordView } from '../../lib/fhir-display.ts';
import { useAsync } from '../../lib/use-async.ts';
import { usePaged } from '../../lib/use-paged.ts';
import { LoadMore } from '../common/LoadMore.tsx';
import type { PageProps } from '../page-props.ts';
import { RecordGroupTable } from './RecordGroupTable.tsx';
import { GROUPS, summarize } from './record-summary.ts';
import type { RecordLine } from './record-summary.ts';
import { loadPatientContext, orgName } from './use-patient-context.ts';

const byDateDesc = (a: RecordLine, b: RecordLine): number =>
  (b.date ?? '').localeCompare(a.date ?? '') || a.what.localeCompare(b.what);

export function MyRecordsPage(_props: PageProps): ReactNode {
  const context = useAsync((signal) => loadPatientContext(signal), []);
  const me = context.data?.me.id;
  // The records wait for the context, which names the patient.
  const records = usePaged<RecordView>(
    me === undefined ? undefined : `/patients/${encodeURIComponent(me)}/records`,
    [me],
  );
  const data = useMemo(
    () =>
      context.data && me !== undefined && records.data
        ? { ...context.data, lines: records.data.map(summarize).sort(byDateDesc) }
        : undefined,
    [context.data, me, records.data],
  );
  const error = context.error ?? records.error;
  const loading = context.loading || records.loading;
  const [query, setQuery] = useState('');
  const [tab, setTab] = useState<string | null>(null);

  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const lines = (data?.lines ?? []).filter(
      (l) => q === '' || `${l.what} ${l.detail ?? ''} ${l.group.label}`.toLowerCase().includes(q),
    );
    const known = GROUPS.map((g) => ({ ...g, lines: lines.filter((l) => l.group.id === g.id) }));
    const other = lines.filter((l) => l.group.id === 'other');
    return [...known, { id: 'other', label: 'Other', types: [], lines: other }].filter(
      (g) => g.lines.length > 0,
    );
  }, [data, query]);

  const orgs = useMemo(() => [...new Set((data?.lines ?? []).map((l) => l.view.org))], [data]);
  const amended = data?.lines.filter((l) => l.amended).length ?? 0;
  const active = groups.find((g) => g.id === tab) ?? groups[0];

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>My records</Title>
        <Text c="dimmed" size="sm">
          Everything your care providers have recorded about you. Each time anyone opens these records, it
          shows up in “Who accessed my data”.
        </Text>
      </div>
      {error && (
        <Alert color="red" role="alert" title="Could not load your records">
          {error.message}
        </Alert>
      )}
      {loading && !data && (
        <Stack gap="sm" aria-label="Loading your records">
          <Skeleton h={72} />
          <Skeleton h={320} />
        </Stack>
      )}
      {data && (
        <>
          <Card withBorder padding="md">
            <Group justify="space-between" wrap="wrap" gap="md">
              <div>
                <Text fw={600} size="lg">
                  {data.me.name}
                </Text>
                <Text size="sm" c="dimmed">
                  {[
                    data.me.birthDate &&
                      `Born ${new Date(`${data.me.birthDate}T00:00:00`).toLocaleDateString()}`,
                    data.me.gender,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Text>
              </div>
              <Group gap="lg">
                <div>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                    Records
                  </Text>
                  <Text fw={700} size="lg">
                    {/* "5+" while more pages wait to be loaded: the count is of what is shown */}
                    {`${String(data.lines.length)}${records.more ? '+' : ''}`}
                  </Text>
                </div>
                <div>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                    Recorded by
                  </Text>
                  <Text fw={500}>{orgs.map((o) => orgName(data.directory, o)).join(', ') || '—'}</Text>
                </div>
                {amended > 0 && (
                  <Badge variant="light" color="orange" size="lg">
                    {String(amended)} amended
                  </Badge>
                )}
              </Group>
            </Group>
          </Card>
          {data.lines.length === 0 ? (
            <Card withBorder padding="lg">
              <Text>
                No records yet. When a clinic records a visit, a result or a prescription for you, it appears
                here.
              </Text>
            </Card>
          ) : (
            <Card withBorder padding="md">
              <TextInput
                label="Search my records"
                placeholder="e.g. blood pressure, asthma, flu vaccine"
                value={query}
                onChange={(e) => {
                  setQuery(e.currentTarget.value);
                }}
                mb="md"
                maw={420}
              />
              {active ? (
                <Tabs value={active.id} onChange={setTab} keepMounted={false}>
                  <Tabs.List mb="sm">
                    {groups.map((g) => (
                      <Tabs.Tab
                        key={g.id}
                        value={g.id}
                        rightSection={
                          <Badge size="xs" variant="light" circle={g.lines.length < 10}>
                            {String(g.lines.length)}
                          </Badge>
                        }
                      >
                        {g.label}
                      </Tabs.Tab>
                    ))}
                  </Tabs.List>
                  {groups.map((g) => (
                    <Tabs.Panel key={g.id} value={g.id}>
                      <RecordGroupTable lines={g.lines} directory={data.directory} caption={g.label} />
                    </Tabs.Panel>
                  ))}
                </Tabs>
              ) : (
                <Text c="dimmed">No record matches “{query}”.</Text>
              )}
            </Card>
          )}
          <LoadMore list={records} noun="records" />
        </>
      )}
    </Stack>
  );
}
