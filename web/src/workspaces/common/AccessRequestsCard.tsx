/**
 * @module
 * A card of access requests: its header, the requests loading or failing to load, a note when there
 * is none, and a table of requests. The doctor's card lists the requests they sent
 * (SentRequestsCard); the patient's, those made to them, the ones waiting above the table
 * (ReceivedRequestsCard).
 */
import { Alert, Card, Skeleton, Table, Text } from '@mantine/core';
import type { MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AccessRequest } from '../../../../src/api/contract/consent.ts';

export interface AccessRequestsCardProps {
  /** The card's first lines: its title, and what goes with it (a note, a count, an error). */
  readonly header: ReactNode;
  /** Every request, once loaded. */
  readonly requests: readonly AccessRequest[] | undefined;
  readonly loading?: boolean;
  readonly loadError?: string;
  /** Shown when there is no request. */
  readonly empty: ReactNode;
  /** Between the note and the table. */
  readonly children?: ReactNode;
  /** The requests the table lists: all unless told. */
  readonly rows?: readonly AccessRequest[];
  readonly head: ReactNode;
  readonly cells: (r: AccessRequest) => ReactNode;
  readonly minWidth: number;
  readonly verticalSpacing: MantineSpacing | number;
  /** The table's accessible name. */
  readonly caption?: string;
  /** Space above the table. */
  readonly tableMt?: MantineSpacing;
}

export function AccessRequestsCard(p: AccessRequestsCardProps): ReactNode {
  const rows = p.rows ?? p.requests ?? [];
  return (
    <Card withBorder padding="lg">
      {p.header}
      {p.loading && <Skeleton height={60} />}
      {p.loadError !== undefined && (
        <Alert color="red" role="alert">
          {p.loadError}
        </Alert>
      )}
      {p.requests?.length === 0 && (
        <Text size="sm" c="dimmed">
          {p.empty}
        </Text>
      )}
      {p.children}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={p.minWidth} mt={p.tableMt}>
          <Table verticalSpacing={p.verticalSpacing} aria-label={p.caption}>
            <Table.Thead>
              <Table.Tr>{p.head}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id}>{p.cells(r)}</Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
