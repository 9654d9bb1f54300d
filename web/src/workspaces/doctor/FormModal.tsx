/**
 * @module
 * The frame of every chart form: a modal with a title, the fields, the node's error (e.g. the FHIR
 * path that failed validation) and Cancel / submit buttons. `useSubmit` runs the save and keeps
 * its busy and error state.
 */
import { Modal, Stack } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { ModalFooter } from '../common/ModalFooter.tsx';

export interface SubmitState {
  readonly busy: boolean;
  readonly error: string | null;
  readonly run: (save: () => Promise<void>) => void;
}

export function useSubmit(): SubmitState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback((save: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    save().then(
      () => {
        setBusy(false);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  }, []);
  return { busy, error, run };
}

export interface FormModalProps {
  readonly title: string;
  readonly submitLabel: string;
  readonly onClose: () => void;
  /** Validates and saves; called on submit. */
  readonly onSubmit: () => void;
  readonly state: SubmitState;
  readonly size?: string;
  readonly children: ReactNode;
}

export function FormModal(p: FormModalProps): ReactNode {
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    p.onSubmit();
  };
  return (
    <Modal
      opened
      onClose={p.onClose}
      title={p.title}
      size={p.size ?? 'lg'}
      closeOnClickOutside={!p.state.busy}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {p.children}
          <ModalFooter
            error={p.state.error}
            errorTitle="The node did not save this record"
            onCancel={p.onClose}
            submitLabel={p.submitLabel}
            busy={p.state.busy}
          />
        </Stack>
      </form>
    </Modal>
  );
}
