/**
 * @module
 * API tokens (`#/tokens`, every role): the user's personal tokens for scripts and the CLI — name,
 * created, expiry, last use, state — with create (token shown once) and revoke.
 */
import { Badge, Button, Card, EmptyState, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { PageProps } from '../page-props.ts';
import type { TokenInfo } from '../../../../src/api/contract/auth.ts';
import { ConfirmModal } from './ConfirmModal.tsx';
import { fmtTime, When } from './format.tsx';
import { NewTokenModal } from './NewTokenModal.tsx';
import { PageHeader } from './PageHeader.tsx';
import { LoadError, LoadingRows } from './states.tsx';

function state(t: TokenInfo, now: number): { label: string; color: string } {
  if (t.revoked !== undefined) return { label: 'Revoked', color: 'gray' };
  if (t.expires !== undefined && t.expires <= now) return { label: 'Expired', color: 'orange' };
  return { label: 'Active', color: 'green' };
}

export function TokensPage(_props: PageProps): ReactNode {
  const { data, error, loading, reload } = useAsync(
    async (signal) => ({ tokens: await api.get<TokenInfo[]>('/auth/tokens', signal), now: Date.now() }),
    [],
  );
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const tokens = data ? [...data.tokens].sort((a, b) => b.created - a.created) : [];

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Personal tokens let a script or the command line call the node's API as you, with your permissions. Send one as “Authorization: Bearer <token>”. Revoke a token as soon as you no longer need it."
        actions={
          <Button
            onClick={() => {
              setCreating(true);
            }}
          >
            Create token
          </Button>
        }
      />
      <Card withBorder padding="md">
        {error && <LoadError error={error} retry={reload} />}
        {loading && !data && <LoadingRows />}
        {data && tokens.length === 0 && (
          <EmptyState
            title="No API tokens yet"
            description="Create a token to call the API from a script or the MedLedger CLI."
          />
        )}
        {data && tokens.length > 0 && (
          <Table.ScrollContainer minWidth={440}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th visibleFrom="md">Created</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th visibleFrom="md">Last used</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.map((t) => {
                  const s = state(t, data.now);
                  return (
                    <Table.Tr key={t.id}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {t.name}
                        </Text>
                      </Table.Td>
                      <Table.Td visibleFrom="md">
                        <When t={t.created} />
                      </Table.Td>
                      <Table.Td>{t.expires === undefined ? 'Never' : <When t={t.expires} />}</Table.Td>
                      <Table.Td visibleFrom="md">
                        {t.lastUsed === undefined ? 'Not yet' : <When t={t.lastUsed} />}
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          miw="max-content"
                          color={s.color}
                          variant="light"
                          title={t.revoked ? `revoked ${fmtTime(t.revoked)}` : undefined}
                        >
                          {s.label}
                        </Badge>
                      </Table.Td>
                      <Table.Td ta="right">
                        {t.revoked === undefined && (
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            aria-label={`Revoke token ${t.name}`}
                            onClick={() => {
                              setRevoking(t);
                            }}
                          >
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      {creating && (
        <NewTokenModal
          onClose={() => {
            setCreating(false);
          }}
          onCreated={reload}
        />
      )}
      {revoking && (
        <ConfirmModal
          title={`Revoke token “${revoking.name}”?`}
          confirmLabel="Revoke token"
          onClose={() => {
            setRevoking(null);
          }}
          onConfirm={async () => {
            await api.del(`/auth/tokens/${encodeURIComponent(revoking.id)}`);
            reload();
          }}
        >
          <Text size="sm">
            Every program that uses this token gets “401 Unauthorized” from its next request. This cannot be
            undone; create a new token if you need access again.
          </Text>
        </ConfirmModal>
      )}
    </>
  );
}
