/**
 * @module
 * Records as a table: the first rows (25 unless told) and the rest on request. The caller gives the
 * header cells and each row's cells: a tab of the doctor's chart (ChartTable), a group of the
 * patient's records (My records).
 */
import { Button, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';

export interface RecordTableProps<T> {
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string;
  readonly head: ReactNode;
  readonly cells: (row: T) => ReactNode;
  readonly minWidth: number;
  /** Rows shown before "Show all" (25 unless told). */
  readonly pageSize?: number;
  /** How the button names the shortened list: "Show the newest 25" or "Show the first 25". */
  readonly shortList: 'newest' | 'first';
  /** Shown instead of the table when there is no row. */
  readonly empty?: ReactNode;
  readonly striped?: boolean;
  /** The table's accessible name. */
  readonly caption?: string;
  /** A small "Show all" button stacked under the table, as in the chart's tabs. */
  readonly compact?: boolean;
}

export function RecordTable<T>(p: RecordTableProps<T>): ReactNode {
  const [all, setAll] = useState(false);
  const page = p.pageSize ?? 25;
  if (p.rows.length === 0 && p.empty !== undefined)
    return (
      <Text c="dimmed" py="md">
        {p.empty}
      </Text>
    );
  const shown = all ? p.rows : p.rows.slice(0, page);
  const table = (
    <Table.ScrollContainer minWidth={p.minWidth}>
      <Table striped={p.striped} highlightOnHover verticalSpacing="xs" aria-label={p.caption}>
        <Table.Thead>
          <Table.Tr>{p.head}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((r) => (
            <Table.Tr key={p.rowKey(r)}>{p.cells(r)}</Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
  const more = p.rows.length > page && (
    <Group justify="center" mt={p.compact ? undefined : 'sm'}>
      <Button
        variant="subtle"
        size={p.compact ? 'xs' : undefined}
        onClick={() => {
          setAll((a) => !a);
        }}
      >
        {all ? `Show the ${p.shortList} ${String(page)}` : `Show all ${String(p.rows.length)}`}
      </Button>
    </Group>
  );
  return p.compact ? (
    <Stack gap="xs">
      {table}
      {more}
    </Stack>
  ) : (
    <>
      {table}
      {more}
    </>
  );
}
