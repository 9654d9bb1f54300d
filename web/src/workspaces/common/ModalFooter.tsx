/**
 * @module
 * The foot of a dialog: the node's error when the action failed, then Cancel and the action button,
 * right-aligned. Without `onSubmit` the action button submits the dialog's form.
 */
import { Alert, Button, Group } from '@mantine/core';
import type { MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';

export interface ModalFooterProps {
  readonly error?: string | null;
  readonly errorTitle?: string;
  readonly cancelLabel?: string;
  readonly onCancel: () => void;
  readonly submitLabel: ReactNode;
  readonly submitColor?: string;
  readonly onSubmit?: () => void;
  /** While the action runs its button spins, and Cancel is disabled unless `cancelWhileBusy`. */
  readonly busy?: boolean;
  readonly cancelWhileBusy?: boolean;
  /** Between the buttons: sm unless told. */
  readonly gap?: MantineSpacing;
}

export function ModalFooter(p: ModalFooterProps): ReactNode {
  return (
    <>
      {p.error && (
        <Alert color="red" role="alert" title={p.errorTitle}>
          {p.error}
        </Alert>
      )}
      <Group justify="flex-end" gap={p.gap ?? 'sm'}>
        <Button variant="default" onClick={p.onCancel} disabled={p.cancelWhileBusy ? undefined : p.busy}>
          {p.cancelLabel ?? 'Cancel'}
        </Button>
        <Button
          color={p.submitColor}
          loading={p.busy}
          {...(p.onSubmit ? { onClick: p.onSubmit } : { type: 'submit' as const })}
        >
          {p.submitLabel}
        </Button>
      </Group>
    </>
  );
}
