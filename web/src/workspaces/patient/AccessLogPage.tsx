/**
 * @module
 * "Who accessed my data": every access to the patient's records from the ledger's access log —
 * who (name, role, organization), when, what, for which purpose, allowed or refused and why — newest
 * first, with emergency "break-glass" accesses highlighted (HIPAA §164.528 accounting of disclosures,
 * in spirit: the patient sees it all, including refused attempts).
 */
import {
  Alert,
  Card,
  Group,
  List,
  Pagination,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useUser } from '../../auth.tsx';
import type { AccessEvent } from '../../../../src/api/contract/consent.ts';
import { useAsync } from '../../lib/use-async.ts';
import { usePaged } from '../../lib/use-paged.ts';
import { LoadMore } from '../common/LoadMore.tsx';
import type { PageProps } from '../page-props.ts';
import { AccessTable } from './AccessTable.tsx';
import { isBreakGlass } from './access-view.ts';
import { loadPatientContext, orgName } from './use-patient-context.ts';

const PAGE = 30;

function Stat({ label, value, color }: { label: string; value: number; color?: string }): ReactNode {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color}>
        {String(value)}
      </Text>
    </Card>
  );
}

export function AccessLogPage(_props: PageProps): ReactNode {
  const user = useUser();
  const context = useAsync((signal) => loadPatientContext(signal), []);
  const me = context.data?.me.id;
  const log = usePaged<AccessEvent>(
    me === undefined ? undefined : `/patients/${encodeURIComponent(me)}/access-log?order=newest`,
    [me],
  );
  const data = useMemo(
    () => (context.data && log.data ? { ...context.data, events: log.data } : undefined),
    [context.data, log.data],
  );
  const error = context.error ?? log.error;
  const loading = context.loading || log.loading;
  const [breakGlassOnly, setBreakGlassOnly] = useState(false);
  // The patient's own visits (this page included) are most entries: shown on request.
  const [hideMine, setHideMine] = useState(true);
  const [page, setPage] = useState(1);

  const events = useMemo(
    () =>
      (data?.events ?? []).filter(
        (e) => (!breakGlassOnly || isBreakGlass(e)) && (!hideMine || e.requester.keyId !== user.keyId),
      ),
    [data, breakGlassOnly, hideMine, user.keyId],
  );
  const all = data?.events ?? [];
  const emergencies = all.filter(isBreakGlass);
  const others = new Set(all.filter((e) => e.requester.keyId !== user.keyId).map((e) => e.requester.keyId));
  const pages = Math.max(1, Math.ceil(events.length / PAGE));
  const current = Math.min(page, pages);

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>Who accessed my data</Title>
        <Text c="dimmed" size="sm">
          Every time someone views, searches, exports or changes your records, the ledger records who, when
          and why — including attempts that were refused. Nobody can remove an entry.
        </Text>
      </div>
      {error && (
        <Alert color="red" role="alert" title="Could not load the access log">
          {error.message}
        </Alert>
      )}
      {loading && !data && <Skeleton h={320} />}
      {data && (
        <>
          {emergencies.length > 0 && (
            <Alert color="red" variant="light" title="Emergency access without your consent">
              <Text size="sm" mb={6}>
                A doctor used “break the glass” to open your records in an emergency, without your consent.
                Each time is marked in red below. If you do not recognise it, contact your clinic's privacy
                officer.
              </Text>
              <List size="sm" spacing={2}>
                {emergencies.slice(0, 5).map((e) => (
                  <List.Item key={e.tx}>
                    <strong>{e.requester.name ?? e.requester.role}</strong>
                    {e.requester.org ? ` (${orgName(data.directory, e.requester.org)})` : ''} on{' '}
                    {new Date(e.time).toLocaleString()}
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
            <Stat label="Accesses" value={all.length} />
            <Stat label="Other people" value={others.size} />
            <Stat
              label="Refused attempts"
              value={all.filter((e) => e.outcome === 'deny').length}
              color="orange.8"
            />
            <Stat
              label="Break-glass"
              value={emergencies.length}
              color={emergencies.length ? 'red.8' : undefined}
            />
          </SimpleGrid>
          <Card withBorder padding="md">
            <Group gap="xl" mb="sm">
              <Switch
                label="Break-glass only"
                checked={breakGlassOnly}
                onChange={(e) => {
                  setBreakGlassOnly(e.currentTarget.checked);
                  setPage(1);
                }}
                color="red"
              />
              <Switch
                label="Hide my own visits"
                checked={hideMine}
                onChange={(e) => {
                  setHideMine(e.currentTarget.checked);
                  setPage(1);
                }}
              />
              <Text size="sm" c="dimmed" ml="auto">
                {String(events.length)} of {String(all.length)} shown
              </Text>
            </Group>
            {events.length === 0 ? (
              <Text c="dimmed" size="sm" py="md">
                {breakGlassOnly
                  ? 'No emergency access to your records. Nobody has broken the glass.'
                  : 'Nobody has accessed your records yet.'}
              </Text>
            ) : (
              <AccessTable
                events={events.slice((current - 1) * PAGE, current * PAGE)}
                directory={data.directory}
                me={user.keyId}
              />
            )}
            {pages > 1 && (
              <Group justify="center" mt="md">
                <Pagination total={pages} value={current} onChange={setPage} aria-label="Access log pages" />
              </Group>
            )}
          </Card>
          <LoadMore list={log} noun="older accesses" />
        </>
      )}
    </Stack>
  );
}
