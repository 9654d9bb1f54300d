/**
 * @module
 * "Cohorts": the size and make-up of the research cohort — persons by age band and sex, the most common
 * conditions, and one condition's breakdown — from `GET /research/cohorts`, which counts de-identified
 * data of research-consented patients only and suppresses small cells.
 */
import { Alert, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useUser } from '../../auth.tsx';
import { useAsync } from '../../lib/use-async.ts';
import type { PageProps } from '../page-props.ts';
import { AGE_LABEL, SEX_LABEL, conditionLabel, shown } from './cells.ts';
import { CohortBarChart } from './CohortBarChart.tsx';
import { ConditionBreakdown } from './ConditionBreakdown.tsx';
import { SexDonut } from './SexDonut.tsx';
import type { CohortStats } from '../../../../src/api/contract/research.ts';

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }): ReactNode {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} lh={1.2} data-testid={`stat-${label}`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

export function CohortsPage(_props: PageProps): ReactNode {
  const user = useUser();
  const { data, error, loading } = useAsync(
    async (signal) => {
      const [stats, directory] = await Promise.all([
        api.get<CohortStats>('/research/cohorts', signal),
        api.get<{ organizations: { id: string; name: string }[] }>('/directory', signal),
      ]);
      return { ...stats, org: directory.organizations.find((o) => o.id === user.org)?.name ?? user.org };
    },
    [user.org],
  );
  const min = data?.minCellSize ?? 5;
  const sex = (k: string): string => SEX_LABEL[k] ?? k;

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>Research cohorts</Title>
        <Text c="dimmed" size="sm">
          Who is in your research cohort, in aggregate. Individual records are in the OMOP export.
        </Text>
      </div>
      {error && (
        <Alert color="red" role="alert" title="Could not load the cohort">
          {error.message}
        </Alert>
      )}
      {loading && !data && (
        <Stack gap="sm" aria-label="Loading the cohort">
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            {[1, 2, 3, 4].map((i) => (
              <Skeleton key={i} h={90} />
            ))}
          </SimpleGrid>
          <Skeleton h={300} />
        </Stack>
      )}
      {data && (
        <>
          <Alert color="blue" variant="light" title="De-identified, consented data only">
            Only patients who gave research consent to you or to {data.org} are counted, from de-identified
            data: no names or identifiers, dates shifted by up to 180 days, ages over 89 not disclosed (band
            “Unknown”, with those whose birth date is not recorded). Counts from 1 to {String(min - 1)} are
            shown as “&lt;{String(min)}” so that no individual can be singled out; sometimes a second count is
            hidden too, so that a small one cannot be worked out from the total. Ages as of{' '}
            {new Date(data.asOf).toLocaleDateString()}.
          </Alert>
          {data.persons.count === 0 ? (
            <Card withBorder padding="xl">
              <Title order={3} size="h4" mb="xs">
                No patients in your cohort yet
              </Title>
              <Text size="sm">
                Patients appear here once they grant research consent to you or to {data.org} from their
                portal (“My consents” → purpose Research). Withdrawn or expired consents drop them again.
              </Text>
            </Card>
          ) : (
            <>
              <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
                <Stat
                  label="Cohort size"
                  value={shown(data.persons, min)}
                  hint="persons with research consent"
                />
                {data.bySex
                  .filter((c) => c.key !== 'other')
                  .map((c) => (
                    <Stat
                      key={c.key}
                      label={sex(c.key)}
                      value={shown(c, min)}
                      hint={
                        c.suppressed && c.suppression !== 'small'
                          ? 'hidden to protect a small count'
                          : 'persons'
                      }
                    />
                  ))}
                <Stat
                  label="Conditions"
                  value={String(data.conditions.length)}
                  hint={data.conditions.length >= 15 ? 'most common 15 shown' : 'distinct diagnoses'}
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
                <Card withBorder padding="md">
                  <Title order={3} size="h5" mb="sm">
                    Persons by age band
                  </Title>
                  <CohortBarChart
                    h={260}
                    cells={data.byAgeBand}
                    min={min}
                    label={AGE_LABEL}
                    color="indigo.6"
                    title="Persons by age band"
                  />
                </Card>
                <Card withBorder padding="md">
                  <Title order={3} size="h5" mb="sm">
                    Persons by sex
                  </Title>
                  <SexDonut cells={data.bySex} min={min} total={shown(data.persons, min)} />
                </Card>
              </SimpleGrid>
              <Card withBorder padding="md">
                <Group justify="space-between" mb="sm">
                  <Title order={3} size="h5">
                    Most common conditions
                  </Title>
                  <Text size="xs" c="dimmed">
                    persons with the condition
                  </Text>
                </Group>
                {data.conditions.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    No conditions are recorded for this cohort.
                  </Text>
                ) : (
                  <CohortBarChart
                    h={Math.max(180, data.conditions.length * 34 + 40)}
                    cells={data.conditions.map((c) => ({ ...c.persons, key: conditionLabel(c) }))}
                    min={min}
                    label={(k) => k}
                    color="teal.6"
                    title="Most common conditions"
                    horizontal
                  />
                )}
              </Card>
              {data.conditions.length > 0 && <ConditionBreakdown conditions={data.conditions} min={min} />}
            </>
          )}
        </>
      )}
    </Stack>
  );
}
