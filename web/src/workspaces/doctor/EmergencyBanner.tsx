/**
 * @module
 * The red banner that stays on a chart opened by breaking the glass: it says the access is an
 * emergency one, repeats the stated reason, and offers to end it.
 */
import { Alert, Button, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function EmergencyBanner({ reason, onEnd }: { reason: string; onEnd: () => void }): ReactNode {
  return (
    <Alert color="red" variant="filled" role="alert" title="Emergency access (break-glass)">
      <Group justify="space-between" align="flex-end" gap="sm">
        <div style={{ flex: '1 1 320px' }}>
          <Text size="sm">Reason: “{reason}”</Text>
          <Text size="sm">
            Every read of this chart is logged on the chain as emergency access, shown to the patient and
            reviewed by auditors.
          </Text>
        </div>
        <Button color="red" variant="white" size="xs" onClick={onEnd}>
          End emergency access
        </Button>
      </Group>
    </Alert>
  );
}
