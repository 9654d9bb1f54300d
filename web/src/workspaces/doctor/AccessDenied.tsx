/**
 * @module
 * What a doctor sees when the node refuses the chart (no consent), or shows only part of it (the
 * records their own organization wrote): why, and the two ways forward, asking the patient for
 * access or, in an emergency, breaking the glass.
 */
import { Alert, Button, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { BreakGlassModal } from './BreakGlassModal.tsx';
import { RequestAccessForm } from './RequestAccessForm.tsx';

export interface AccessDeniedProps {
  readonly patientId: string;
  /** The node's message (e.g. "access denied: no-consent"); absent for a partial chart. */
  readonly message?: string | undefined;
  /** Some records are visible (the caller's organization wrote them), the rest is not. */
  readonly partial?: { readonly shown: number } | undefined;
  readonly onBreakGlass: (reason: string) => void;
}

export function AccessDenied(p: AccessDeniedProps): ReactNode {
  const [glass, setGlass] = useState(false);
  return (
    <Stack gap="md">
      {p.partial ? (
        <Alert color="yellow" title="You see only part of this chart" role="status">
          The patient has not given you consent to read their chart. You see only the {p.partial.shown} record
          {p.partial.shown === 1 ? '' : 's'} your organization wrote.
        </Alert>
      ) : (
        <Alert color="orange" title="You have no consent to read this chart" role="alert">
          The patient has not given you (or your organization) consent to read their records, so the node
          refused the read{p.message ? ` (“${p.message}”)` : ''}. The refused attempt is itself recorded in
          the patient’s access log.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Card withBorder padding="lg">
          <Title order={3} size="h4" mb={4}>
            Ask the patient for access
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            The patient decides, for the purpose you give and for how long.
          </Text>
          <RequestAccessForm patientId={p.patientId} />
        </Card>
        <Card withBorder padding="lg" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
          <Title order={3} size="h4" mb={4} c="red.8">
            Emergency access
          </Title>
          <Text size="sm" mb="md">
            If the patient cannot consent and care cannot wait, you may break the glass. The access is logged
            on the chain, shown to the patient and reviewed by auditors.
          </Text>
          <Button
            color="red"
            variant="outline"
            style={{ alignSelf: 'flex-start' }}
            onClick={() => {
              setGlass(true);
            }}
          >
            Break the glass…
          </Button>
        </Card>
      </SimpleGrid>
      {glass && (
        <BreakGlassModal
          onClose={() => {
            setGlass(false);
          }}
          onConfirm={(reason) => {
            setGlass(false);
            p.onBreakGlass(reason);
          }}
        />
      )}
    </Stack>
  );
}
