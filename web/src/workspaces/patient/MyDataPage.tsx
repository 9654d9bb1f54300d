/**
 * @module
 * "My data": take a copy of everything (right of access and data portability, GDPR art. 15 and 20;
 * HIPAA §164.524) as one FHIR R4 Bundle, and ask for erasure (GDPR art. 17), with the list of the
 * patient's erasure requests and where each stands.
 */
import { Alert, Button, Card, Group, List, Progress, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { PageProps } from '../page-props.ts';
import { ErasureCard } from './ErasureCard.tsx';
import { fetchEverything, saveJson } from './fhir-download.ts';
import { isoDay } from './date-input.ts';
import { usePatientContext } from './use-patient-context.ts';

export function MyDataPage(_props: PageProps): ReactNode {
  const ctx = usePatientContext();
  const [progress, setProgress] = useState<{ fetched: number; total: number | undefined } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function downloadAll(): Promise<void> {
    const me = ctx.data?.me;
    if (!me) return;
    setFailure(null);
    setDone(null);
    setProgress({ fetched: 0, total: undefined });
    try {
      const bundle = await fetchEverything(me.id, (fetched, total) => {
        setProgress({ fetched, total });
      });
      const name = `medledger-records-${isoDay(Date.now())}.fhir.json`;
      saveJson(bundle, name, 'application/fhir+json');
      setDone(`Saved ${name} with ${String(bundle.entry.length)} resources.`);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setProgress(null);
    }
  }

  const pct =
    progress?.total !== undefined && progress.total > 0
      ? Math.min(100, (100 * progress.fetched) / progress.total)
      : 0;

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>My data</Title>
        <Text c="dimmed" size="sm">
          Take a copy of your records, or ask for them to be erased.
        </Text>
      </div>
      {ctx.error && (
        <Alert color="red" role="alert" title="Could not load your details">
          {ctx.error.message}
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Title order={3} size="h4" mb={4}>
          Download my records
        </Title>
        <Text size="sm" mb="sm">
          One file with all your records in FHIR R4, the standard format health apps and other clinics can
          read. It includes your personal details: keep it somewhere safe.
        </Text>
        <List size="sm" c="dimmed" mb="md" spacing={2}>
          <List.Item>Format: FHIR R4 Bundle (application/fhir+json)</List.Item>
          <List.Item>Contents: every record you can see under “My records”, current versions</List.Item>
          <List.Item>Your download is recorded in your access log, like any other access</List.Item>
        </List>
        {progress && (
          <Stack gap={4} mb="md" aria-live="polite">
            <Text size="sm">
              Fetching… {String(progress.fetched)}
              {progress.total === undefined ? '' : ` of ${String(progress.total)}`} records
            </Text>
            <Progress value={pct} animated aria-label="Download progress" />
          </Stack>
        )}
        {done && (
          <Alert color="green" mb="md">
            {done}
          </Alert>
        )}
        {failure && (
          <Alert color="red" role="alert" mb="md" title="The download failed">
            {failure}
          </Alert>
        )}
        <Group>
          <Button
            onClick={() => {
              void downloadAll();
            }}
            loading={progress !== null}
            disabled={!ctx.data}
          >
            Download my records (FHIR)
          </Button>
        </Group>
      </Card>
      <ErasureCard />
    </Stack>
  );
}
