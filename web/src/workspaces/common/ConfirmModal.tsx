/**
 * @module
 * A confirmation dialog for an action that cannot be undone (revoke a user or token, approve an
 * erasure): what will happen, a Cancel button, and the action button that runs it and shows the
 * node's error if it fails.
 */
import { Modal, Stack } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ModalFooter } from './ModalFooter.tsx';

export interface ConfirmModalProps {
  readonly title: string;
  readonly confirmLabel: string;
  readonly color?: string;
  readonly onClose: () => void;
  /** Runs the action; the modal closes itself through onClose when it succeeds. */
  readonly onConfirm: () => Promise<void>;
  readonly children: ReactNode;
}

export function ConfirmModal(p: ConfirmModalProps): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = (): void => {
    setBusy(true);
    setError(null);
    p.onConfirm().then(
      () => {
        setBusy(false);
        p.onClose();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  };
  return (
    <Modal
      opened
      closeButtonProps={{ 'aria-label': 'Close' }}
      onClose={p.onClose}
      title={p.title}
      closeOnClickOutside={!busy}
      size="md"
    >
      <Stack gap="md">
        {p.children}
        <ModalFooter
          error={error}
          errorTitle="The node refused"
          onCancel={p.onClose}
          submitLabel={p.confirmLabel}
          submitColor={p.color ?? 'red'}
          onSubmit={confirm}
          busy={busy}
        />
      </Stack>
    </Modal>
  );
}
