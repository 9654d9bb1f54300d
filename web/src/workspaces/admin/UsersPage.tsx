/**
 * @module
 * Users (`#/users`, admin): everyone enrolled at this organization with role, state and enrollment
 * time; "Add user" (identity.register on chain) and "Revoke" (identity.revoke: their sessions and
 * tokens stop at once); patient logins waiting for a second administrator; the organizations on the chain.
 */
import { Alert, Badge, Button, Card, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useUser } from '../../auth.tsx';
import { roleColor, roleLabel } from '../../lib/roles.ts';
import type { User } from '../../../../src/api/contract/auth.ts';
import type { TxRef } from '../../../../src/api/contract/consent.ts';
import { useAsync } from '../../lib/use-async.ts';
import { ConfirmModal } from '../common/ConfirmModal.tsx';
import { ShortId, When } from '../common/format.tsx';
import { PageHeader } from '../common/PageHeader.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';
import type { PageProps } from '../page-props.ts';
import { AddUserModal } from './AddUserModal.tsx';
import { OrganizationsCard } from './OrganizationsCard.tsx';
import { PendingLoginsCard } from './PendingLoginsCard.tsx';

export function UsersPage(_props: PageProps): ReactNode {
  const me = useUser();
  const { data, error, loading, reload } = useAsync((s) => api.get<User[]>('/users', s), []);
  const [adding, setAdding] = useState(false);
  const [revoking, setRevoking] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pendingKey, setPendingKey] = useState(0);
  const users = data
    ? [...data].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name))
    : [];

  return (
    <>
      <PageHeader
        title="Users"
        description={`People who can sign in at ${me.org}. Each user has their own signing key: enrolling and revoking are transactions on the chain.`}
        actions={
          <Button
            onClick={() => {
              setAdding(true);
            }}
          >
            Add user
          </Button>
        }
      />
      <Stack gap="lg">
        {notice && (
          <Alert
            color="teal"
            title="Done"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => {
              setNotice(null);
            }}
          >
            {notice}
          </Alert>
        )}
        <Card withBorder padding="md">
          {error && <LoadError error={error} retry={reload} />}
          {loading && !data && <LoadingRows rows={5} />}
          {data && (
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="sm" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th visibleFrom="md">Key id</Table.Th>
                    <Table.Th visibleFrom="md">Enrolled</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {users.map((u) => (
                    <Table.Tr key={u.keyId} c={u.active ? undefined : 'dimmed'}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {u.name}
                        </Text>
                        <Text size="sm" c="dimmed">
                          {u.email}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge miw="max-content" color={roleColor(u.role)} variant="light">
                          {roleLabel(u.role)}
                        </Badge>
                      </Table.Td>
                      <Table.Td visibleFrom="md">
                        <ShortId id={u.keyId} />
                      </Table.Td>
                      <Table.Td visibleFrom="md">
                        <When t={u.created} />
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          miw="max-content"
                          color={u.active ? 'green' : u.pendingApproval ? 'yellow' : 'gray'}
                          variant={u.active ? 'light' : 'outline'}
                        >
                          {u.active ? 'Active' : u.pendingApproval ? 'Awaiting approval' : 'Revoked'}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right">
                        {u.active && u.keyId !== me.keyId && (
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            aria-label={`Revoke ${u.name}`}
                            onClick={() => {
                              setRevoking(u);
                            }}
                          >
                            Revoke
                          </Button>
                        )}
                        {u.keyId === me.keyId && (
                          <Text span size="xs" c="dimmed">
                            You
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Card>
        <PendingLoginsCard
          key={pendingKey}
          onDecided={(message) => {
            setNotice(message);
            reload();
          }}
        />
        <OrganizationsCard />
      </Stack>
      {adding && (
        <AddUserModal
          onClose={() => {
            setAdding(false);
          }}
          onCreated={(u) => {
            setAdding(false);
            setNotice(
              u.pendingApproval
                ? `${u.name}'s patient login waits for a second administrator's approval: one administrator alone cannot give anyone a patient's records.`
                : `${u.name} was enrolled as ${roleLabel(u.role).toLowerCase()} and can sign in as ${u.email}.`,
            );
            setPendingKey((k) => k + 1);
            reload();
          }}
        />
      )}
      {revoking && (
        <ConfirmModal
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke user"
          onClose={() => {
            setRevoking(null);
          }}
          onConfirm={async () => {
            const r = await api.del<TxRef>(`/users/${revoking.keyId}`);
            setNotice(
              `${revoking.name} was revoked in block ${String(r.height)} (transaction ${r.tx.slice(0, 8)}).`,
            );
            reload();
          }}
        >
          <Text size="sm">
            This signs an <b>identity.revoke</b> transaction on the chain for {revoking.name} (
            {revoking.email}). Their sessions and API tokens stop working at once and their key can sign
            nothing more.
          </Text>
          <Text size="sm" c="dimmed">
            What they wrote stays on the chain and remains verifiable. A revocation cannot be undone: to give
            them access again, enroll a new account.
          </Text>
        </ConfirmModal>
      )}
    </>
  );
}
