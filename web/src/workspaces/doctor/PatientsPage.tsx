/**
 * @module
 * The doctor's start page (`#/patients`): find a patient by name or ID among those whose record the
 * doctor may read (each match shown is an audited read, so the search waits for typing to pause),
 * open a chart by full patient ID (patients of other organizations are not listed without consent),
 * and follow the access requests the doctor has sent.
 */
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { api } from '../../api.ts';
import { ageOn, formatDate, shortId } from '../../lib/fhir-display.ts';
import { navigate } from '../../lib/route.ts';
import type { PatientSummary } from '../../../../src/api/contract/records.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { PageProps } from '../page-props.ts';
import { SentRequestsCard } from './SentRequestsCard.tsx';

const ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/;

function OpenById({ initial }: { initial: string }): ReactNode {
  const [id, setId] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const v = id.trim();
    if (!ID_PATTERN.test(v)) setError('Enter the full patient ID (for example from a referral letter)');
    else navigate('chart', v);
  };
  return (
    <form onSubmit={submit} noValidate>
      <TextInput
        label="Open a chart by patient ID"
        description="Patients of other organizations are listed only once they consent."
        placeholder="5bee102e-16f8-4b5a-8d0c-fb4c17e4420a"
        value={id}
        onChange={(e) => {
          setId(e.currentTarget.value);
        }}
        error={error}
        inputContainer={(input) => (
          <Group gap="xs" wrap="nowrap" align="flex-end">
            <div style={{ flex: 1 }}>{input}</div>
            <Button type="submit" variant="default">
              Open chart
            </Button>
          </Group>
        )}
      />
    </form>
  );
}

function Results({ q }: { q: string }): ReactNode {
  const [now] = useState(() => new Date());
  const res = useAsync(
    (signal) => api.get<PatientSummary[]>(`/patients?q=${encodeURIComponent(q)}&limit=50`, signal),
    [q],
  );
  if (res.error)
    return (
      <Alert color="red" role="alert" title="Search failed">
        {res.error.message}
      </Alert>
    );
  if (!res.data) return <Skeleton height={120} aria-label="Searching" />;
  if (res.data.length === 0)
    return (
      <Stack gap="md">
        <Text c="dimmed" size="sm">
          {q
            ? `No patient you may read matches “${q}”.`
            : 'No patients you may read yet. Patients appear here when their records are at your organization or they consent.'}
        </Text>
        <OpenById key={q} initial={ID_PATTERN.test(q) && q.length >= 32 ? q : ''} />
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table highlightOnHover verticalSpacing="sm" aria-label="Patients">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Born</Table.Th>
            <Table.Th>Sex</Table.Th>
            <Table.Th>Patient ID</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {res.data.map((p) => {
            const age = ageOn(p.birthDate, now);
            return (
              <Table.Tr
                key={p.id}
                style={{ cursor: 'pointer' }}
                onClick={() => {
                  navigate('chart', p.id);
                }}
              >
                <Table.Td>
                  <Anchor href={`#/chart/${encodeURIComponent(p.id)}`} fw={600} size="sm">
                    {p.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {formatDate(p.birthDate) || '—'}
                    {age !== null && (
                      <Text span c="dimmed" size="sm">
                        {` · ${String(age)} y`}
                      </Text>
                    )}
                  </Text>
                </Table.Td>
                <Table.Td tt="capitalize">{p.gender ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" title={p.id}>
                    {shortId(p.id)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function PatientsPage(_props: PageProps): ReactNode {
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 350);
  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Patients</Title>
        <Text c="dimmed" size="sm">
          Find a patient to open their chart. Every patient shown is a read recorded in their access log.
        </Text>
      </div>
      <Card withBorder padding="lg">
        <Stack gap="md">
          <TextInput
            label="Search patients"
            placeholder="Name or patient ID"
            value={query}
            onChange={(e) => {
              setQuery(e.currentTarget.value);
            }}
            maxLength={100}
            type="search"
            autoFocus
          />
          <Results q={debounced} />
        </Stack>
      </Card>
      <SentRequestsCard />
    </Stack>
  );
}
