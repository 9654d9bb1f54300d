/**
 * @module
 * Erasure requests (`#/erasure`, admin): patients' requests to erase some or all of their records
 * (GDPR art. 17). Approving deletes the ciphertext and wrapped keys on every node; the chain keeps
 * the hash and a tombstone, so verification reports "erased", not "tampered".
 */
import { Anchor, Badge, Button, Card, EmptyState, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { ErasureRequest, TxRef } from '../../../../src/api/contract/consent.ts';
import { ConfirmModal } from '../common/ConfirmModal.tsx';
import { ShortId, When } from '../common/format.tsx';
import { PageHeader } from '../common/PageHeader.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import type { PageProps } from '../page-props.ts';

function scope(r: ErasureRequest): string {
  if (r.records === null) return 'All records of the patient';
  return `${String(r.records.length)} record${r.records.length === 1 ? '' : 's'}`;
}

export function ErasurePage(_props: PageProps): ReactNode {
  const { data, error, loading, reload } = useAsync(
    (s) => api.get<ErasureRequest[]>('/erasure-requests', s),
    [],
  );
  const [approving, setApproving] = useState<ErasureRequest | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const rows = data
    ? [...data].sort(
        (a, b) =>
          Number(a.status !== 'pending') - Number(b.status !== 'pending') || b.time.localeCompare(a.time),
      )
    : [];
  return (
    <>
      <PageHeader
        title="Erasure requests"
        description="Patients may ask for their records to be erased. Approving deletes the encrypted records and their keys on every node; the chain keeps only hashes and a tombstone."
      />
      {done && (
        <Text size="sm" c="teal" mb="sm" role="status">
          {done}
        </Text>
      )}
      <Card withBorder padding="md">
        {error && <LoadError error={error} retry={reload} />}
        {loading && !data && <LoadingRows rows={3} />}
        {data && rows.length === 0 && (
          <EmptyState
            title="No erasure requests"
            description="When a patient asks for erasure from their “My data” page, the request appears here for approval."
          />
        )}
        {rows.length > 0 && (
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Requested</Table.Th>
                  <Table.Th>Request</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.tx}>
                    <Table.Td>
                      <When t={r.time} />
                    </Table.Td>
                    <Table.Td>
                      <Anchor href={`#/explorer/tx/${r.tx}`} title={`transaction ${r.tx}`} size="sm">
                        <ShortId id={r.tx} />
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{scope(r)}</Table.Td>
                    <Table.Td>
                      <Badge
                        miw="max-content"
                        color={r.status === 'pending' ? 'orange' : 'gray'}
                        variant="light"
                      >
                        {r.status === 'pending' ? 'Pending' : 'Carried out'}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">
                      {r.status === 'pending' && (
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          aria-label={`Approve erasure request ${r.tx.slice(0, 8)}`}
                          onClick={() => {
                            setApproving(r);
                          }}
                        >
                          Approve
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      {approving && (
        <ConfirmModal
          title="Approve this erasure?"
          confirmLabel="Approve and erase"
          onClose={() => {
            setApproving(null);
          }}
          onConfirm={async () => {
            const r = await api.post<TxRef>(`/erasure-requests/${approving.tx}/approval`);
            setDone(`Erasure carried out in block ${String(r.height)}.`);
            reload();
          }}
        >
          <Text size="sm">
            {scope(approving)} will be erased: the encrypted record bodies and every wrapped key are deleted
            on every node. No one, including the patient, can read them afterwards.
          </Text>
          <Text size="sm" c="dimmed">
            The chain keeps each record's hash and a tombstone naming this approval, so integrity checks
            report “erased” rather than “tampered”. This cannot be undone.
          </Text>
        </ConfirmModal>
      )}
    </>
  );
}
