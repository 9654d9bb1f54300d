/**
 * @module
 * Access log (`#/audit`, admin and auditor): every access event on the chain over all patients —
 * when, who (name, role, organization), what action for which purpose, allowed or denied and on what
 * basis — newest first, with break-glass reads highlighted. Filters by outcome, role and break-glass.
 * The node sends record ids and no patient data, so none is shown.
 */
import {
  Anchor,
  Badge,
  EmptyState,
  Card,
  Group,
  Pagination,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { AccessEvent } from '../../../../src/api/contract/consent.ts';
import { usePaged } from '../../lib/use-paged.ts';
import { LoadMore } from '../common/LoadMore.tsx';
import { ShortId, When } from '../common/format.tsx';
import { PageHeader } from '../common/PageHeader.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import type { PageProps } from '../page-props.ts';

const PAGE = 50;
type Outcome = 'all' | 'allow' | 'deny';

const isBreakGlass = (e: AccessEvent): boolean => e.breakGlass;

export function AuditLogPage(_props: PageProps): ReactNode {
  const log = usePaged<AccessEvent>('/access-log?order=newest', []);
  const { data, error, loading, reload } = log;
  const [outcome, setOutcome] = useState<Outcome>('all');
  const [role, setRole] = useState<string | null>(null);
  const [breakGlassOnly, setBreakGlassOnly] = useState(false);
  const [page, setPage] = useState(1);

  const all = data ?? [];
  const roles = [...new Set(all.map((e) => e.requester.role))].sort();
  const rows = all.filter(
    (e) =>
      (outcome === 'all' || e.outcome === outcome) &&
      (role === null || e.requester.role === role) &&
      (!breakGlassOnly || isBreakGlass(e)),
  );
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const current = Math.min(page, pages);
  const shown = rows.slice((current - 1) * PAGE, current * PAGE);
  const denied = all.filter((e) => e.outcome === 'deny').length;
  const glass = all.filter(isBreakGlass).length;

  return (
    <>
      <PageHeader
        title="Access log"
        description="Every read, write, denial and break-glass access to patient data, as recorded on the chain. Patients see the same events about themselves."
      />
      <Stack gap="md">
        <Card withBorder padding="md">
          <Group gap="lg" align="flex-end" wrap="wrap">
            <Stack gap={4}>
              <Text size="sm" fw={500} id="outcome-label">
                Outcome
              </Text>
              <SegmentedControl
                aria-labelledby="outcome-label"
                value={outcome}
                onChange={(v) => {
                  setOutcome(v);
                  setPage(1);
                }}
                data={[
                  { value: 'all', label: 'All' },
                  { value: 'allow', label: 'Allowed' },
                  { value: 'deny', label: `Denied (${String(denied)})` },
                ]}
              />
            </Stack>
            <Select
              label="Requester role"
              placeholder="Any role"
              clearable
              data={roles}
              value={role}
              onChange={(v) => {
                setRole(v);
                setPage(1);
              }}
              w={180}
            />
            <Switch
              label={`Break-glass only (${String(glass)})`}
              checked={breakGlassOnly}
              onChange={(e) => {
                setBreakGlassOnly(e.currentTarget.checked);
                setPage(1);
              }}
              color="red"
              mb={6}
            />
          </Group>
        </Card>
        <Card withBorder padding="md">
          {error && <LoadError error={error} retry={reload} />}
          {loading && !data && <LoadingRows rows={6} />}
          {data && rows.length === 0 && (
            <EmptyState
              title={all.length === 0 ? 'No access events yet' : 'No events match these filters'}
              description={
                all.length === 0
                  ? 'Events appear here as soon as anyone reads or writes patient data.'
                  : 'Clear a filter to see more events.'
              }
            />
          )}
          {shown.length > 0 && (
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                {String(rows.length)} event{rows.length === 1 ? '' : 's'}, newest first
              </Text>
              <Table.ScrollContainer minWidth={480}>
                <Table verticalSpacing="xs" highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Time</Table.Th>
                      <Table.Th>Requester</Table.Th>
                      <Table.Th>Access</Table.Th>
                      <Table.Th>Outcome</Table.Th>
                      <Table.Th visibleFrom="md">Records</Table.Th>
                      <Table.Th visibleFrom="md">Block</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {shown.map((e) => (
                      <EventRow key={e.tx} e={e} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {pages > 1 && (
                <Pagination total={pages} value={current} onChange={setPage} aria-label="Access log pages" />
              )}
            </Stack>
          )}
        </Card>
        <LoadMore list={log} noun="older events" />
      </Stack>
    </>
  );
}

function EventRow({ e }: { e: AccessEvent }): ReactNode {
  const glass = isBreakGlass(e);
  return (
    <Table.Tr bg={glass ? 'var(--mantine-color-red-light)' : undefined} data-break-glass={glass || undefined}>
      <Table.Td>
        <When t={e.time} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={600}>
          {e.requester.name ?? <ShortId id={e.requester.keyId} />}
        </Text>
        <Text size="xs" c="dimmed">
          {e.requester.role}
          {e.requester.org ? ` · ${e.requester.org}` : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{e.action}</Text>
        {glass ? (
          <Tooltip
            label="Emergency access without consent; the justification is stored encrypted and shown to the patient"
            withArrow
            multiline
            w={260}
          >
            <Badge miw="max-content" color="red" variant="filled" size="sm">
              Break glass
            </Badge>
          </Tooltip>
        ) : (
          <Text size="xs" c="dimmed">
            for {e.purpose}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge miw="max-content" color={e.outcome === 'allow' ? 'green' : 'red'} variant="light">
          {e.outcome === 'allow' ? 'Allowed' : 'Denied'}
        </Badge>
        <Text size="xs" c="dimmed" mt={2}>
          {e.reason}
        </Text>
      </Table.Td>
      <Table.Td visibleFrom="md">
        <Text size="sm" title={e.records.join('\n')}>
          {e.records.length === 1 ? <ShortId id={e.records[0]!} /> : `${String(e.records.length)} records`}
        </Text>
      </Table.Td>
      <Table.Td visibleFrom="md">
        <Anchor href={`#/explorer/tx/${e.tx}`} title={`transaction ${e.tx}`} size="sm">
          {String(e.height)}
        </Anchor>
      </Table.Td>
    </Table.Tr>
  );
}
