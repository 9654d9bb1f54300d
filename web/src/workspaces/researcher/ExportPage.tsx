/**
 * @module
 * "OMOP export": the de-identified OMOP CDM v5.4 tables over the research cohort — row counts per
 * table, the whole export as JSON, and each table as CSV (`GET /research/omop?format=csv&table=…`,
 * RFC 4180 with the CDM's column order) to load into an OHDSI database.
 */
import { Alert, Badge, Button, Card, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api, download } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { saveJson } from '../patient/fhir-download.ts';
import type { PageProps } from '../page-props.ts';
import type { OmopExport, OmopTable } from '../../../../src/api/contract/research.ts';

const TABLES: readonly { name: OmopTable; what: string }[] = [
  { name: 'person', what: 'One row per patient: sex, year of birth (shifted), pseudonym' },
  { name: 'visit_occurrence', what: 'Encounters: outpatient, inpatient, emergency' },
  { name: 'condition_occurrence', what: 'Diagnoses (SNOMED CT source codes)' },
  { name: 'drug_exposure', what: 'Medications (RxNorm source codes)' },
  { name: 'measurement', what: 'Lab results and vital signs (LOINC source codes)' },
  { name: 'note', what: 'Clinical notes, scrubbed of identifiers' },
];

export function ExportPage(_props: PageProps): ReactNode {
  const { data, error, loading } = useAsync(
    (signal) => api.get<OmopExport>('/research/omop?format=json', signal),
    [],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function csv(table: OmopTable): Promise<void> {
    setBusy(table);
    setFailure(null);
    try {
      await download(`/api/v1/research/omop?format=csv&table=${table}`, `${table}.csv`);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  const empty = data?.counts.person === 0;

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>OMOP export</Title>
        <Text c="dimmed" size="sm">
          The research cohort's de-identified records as OMOP Common Data Model v5.4 tables, ready to load
          into an OHDSI database.
        </Text>
      </div>
      <Alert color="blue" variant="light" title="What the export contains">
        Only patients with an active research consent for you or your organization. Names, addresses,
        identifiers and free-text identifiers are removed; each patient gets a pseudonym and all their dates
        move by the same secret offset (up to 180 days), so intervals stay exact. Concept ids are 0: source
        codes are kept as vocabulary|code for mapping at load time. Each export is recorded in every included
        patient's access log.
      </Alert>
      {error && (
        <Alert color="red" role="alert" title="Could not load the export">
          {error.message}
        </Alert>
      )}
      {failure && (
        <Alert color="red" role="alert" title="The download failed">
          {failure}
        </Alert>
      )}
      {loading && !data && <Skeleton h={300} />}
      {data && (
        <Card withBorder padding="md">
          <Group justify="space-between" mb="sm" wrap="wrap">
            <Group gap="xs">
              <Title order={3} size="h5">
                Tables
              </Title>
              <Badge variant="light">CDM v5.4</Badge>
            </Group>
            <Button
              variant="light"
              disabled={empty}
              onClick={() => {
                saveJson(data.tables, 'omop-cdm-5.4.json', 'application/json');
              }}
            >
              Download all tables (JSON)
            </Button>
          </Group>
          {empty && (
            <Text size="sm" c="dimmed" mb="sm">
              The export is empty: no patient has granted research consent to you or your organization yet.
            </Text>
          )}
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing="sm" highlightOnHover aria-label="OMOP tables">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Table</Table.Th>
                  <Table.Th ta="right">Rows</Table.Th>
                  <Table.Th ta="right">Download</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {TABLES.map((t) => (
                  <Table.Tr key={t.name}>
                    <Table.Td>
                      <Text ff="monospace" size="sm" fw={500}>
                        {t.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t.what}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm" fw={600} data-testid={`rows-${t.name}`}>
                        {data.counts[t.name].toLocaleString()}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="xs"
                        variant="default"
                        loading={busy === t.name}
                        disabled={data.counts[t.name] === 0}
                        aria-label={`Download ${t.name} as CSV`}
                        onClick={() => {
                          void csv(t.name);
                        }}
                      >
                        CSV
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </Stack>
  );
}
