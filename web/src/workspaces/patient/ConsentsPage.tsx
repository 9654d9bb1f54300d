/**
 * @module
 * "My consents": requests from doctors waiting for the patient, every consent the patient has given
 * (who, for what, which records, from when to when, and whether it is in force) with Revoke, and the
 * form to grant new access. Every grant and revocation is a transaction on the ledger.
 */
import { Alert, Badge, Button, Card, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { PageProps } from '../page-props.ts';
import { ReceivedRequestsCard } from './ReceivedRequestsCard.tsx';
import {
  PURPOSE_COLOR,
  PURPOSE_LABEL,
  STATUS_COLOR,
  consentStatus,
  formatDate,
  granteeLabel,
  scopeLabel,
} from './consent-view.ts';
import { GrantConsentForm } from './GrantConsentForm.tsx';
import { RevokeConsentModal } from './RevokeConsentModal.tsx';
import { TYPE_LABELS } from './record-summary.ts';
import type { AccessRequest, Consent } from '../../../../src/api/contract/consent.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';

const RECORD_TYPES = Object.keys(TYPE_LABELS);

export function ConsentsPage(_props: PageProps): ReactNode {
  const { data, error, loading, reload } = useAsync(async (signal) => {
    const [consents, requests, directory] = await Promise.all([
      api.get<Consent[]>('/consents', signal),
      api.get<AccessRequest[]>('/access-requests', signal),
      api.get<Directory>('/directory', signal),
    ]);
    const newest = [...consents].sort((a, b) => b.grantedAt.localeCompare(a.grantedAt));
    return { consents: newest, requests, directory, now: Date.now() };
  }, []);
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Consent | null>(null);

  const changed = (message: string): void => {
    setNotice(message);
    reload();
  };

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>My consents</Title>
        <Text c="dimmed" size="sm">
          You decide who may see your records, for what, and until when. Doctors in the organization that
          treats you can see your records for your care; anyone else needs your consent.
        </Text>
      </div>
      {error && (
        <Alert color="red" role="alert" title="Could not load your consents">
          {error.message}
        </Alert>
      )}
      {notice && (
        <Alert
          color="green"
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
      {loading && !data && <Skeleton h={260} />}
      {data && (
        <>
          <ReceivedRequestsCard requests={data.requests} directory={data.directory} onChange={changed} />
          <Card withBorder padding="lg">
            <Title order={3} size="h4" mb="xs">
              Consents you have given
            </Title>
            {data.consents.length === 0 ? (
              <Text size="sm" c="dimmed">
                You have not given anyone access yet. Use “Grant access” below to share your records with a
                doctor or an organization.
              </Text>
            ) : (
              <ConsentTable
                consents={data.consents}
                directory={data.directory}
                now={data.now}
                onRevoke={setRevoking}
              />
            )}
          </Card>
          <GrantConsentForm directory={data.directory} recordTypes={RECORD_TYPES} onGranted={changed} />
          <RevokeConsentModal
            consent={revoking}
            directory={data.directory}
            onClose={() => {
              setRevoking(null);
            }}
            onRevoked={(m) => {
              setRevoking(null);
              changed(m);
            }}
          />
        </>
      )}
    </Stack>
  );
}

function ConsentTable({
  consents,
  directory,
  now,
  onRevoke,
}: {
  consents: readonly Consent[];
  directory: Directory;
  now: number;
  onRevoke: (c: Consent) => void;
}): ReactNode {
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table verticalSpacing="sm" highlightOnHover aria-label="Consents you have given">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Who</Table.Th>
            <Table.Th>For what</Table.Th>
            <Table.Th>Valid</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {consents.map((c) => {
            const who = granteeLabel(c, directory);
            const status = consentStatus(c, now);
            return (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {who.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {who.detail}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={600} c={`${PURPOSE_COLOR[c.purpose]}.8`}>
                    {PURPOSE_LABEL[c.purpose]}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {scopeLabel(c)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={STATUS_COLOR[status]}
                    variant={status === 'active' ? 'filled' : 'light'}
                    size="sm"
                  >
                    {status}
                  </Badge>
                  <Text size="sm">until {formatDate(c.validTo)}</Text>
                  <Text size="xs" c="dimmed">
                    {c.revokedAt ? `revoked ${formatDate(c.revokedAt)}` : `from ${formatDate(c.validFrom)}`}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  {(status === 'active' || status === 'scheduled') && (
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      aria-label={`Revoke access of ${who.name}`}
                      onClick={() => {
                        onRevoke(c);
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
  );
}
