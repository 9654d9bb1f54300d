/**
 * @module
 * "Break the glass": emergency access to a chart without the patient's consent. The doctor states
 * why (at least 10 characters, as the node requires); the read is then made with the purpose
 * `emergency` and that reason, and the node logs it on the chain as break-glass access, which the
 * patient sees and auditors review.
 */
import { Alert, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { ModalFooter } from '../common/ModalFooter.tsx';

export const MIN_REASON = 10;
const MAX_REASON = 500;

export interface BreakGlassModalProps {
  readonly onClose: () => void;
  readonly onConfirm: (reason: string) => void;
}

export function BreakGlassModal(p: BreakGlassModalProps): ReactNode {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const r = reason.trim();
    if (r.length < MIN_REASON)
      setError(`Give the emergency reason (at least ${String(MIN_REASON)} characters)`);
    else if (r.length > MAX_REASON)
      setError(`The reason is too long (${String(MAX_REASON)} characters at most)`);
    else p.onConfirm(r);
  };
  return (
    <Modal opened onClose={p.onClose} title="Emergency access (break the glass)" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Alert color="red" variant="filled" title="Only in a real emergency">
            You are about to open this chart without the patient’s consent. This emergency access is logged on
            the chain under your name, shown to the patient and reviewed by auditors.
          </Alert>
          <Text size="sm">
            Use it only when the patient cannot give consent and care cannot wait (for example, unconscious in
            the emergency department).
          </Text>
          <Textarea
            label="Reason for emergency access"
            placeholder="Unconscious on arrival in ED, need allergies and current medications"
            value={reason}
            onChange={(e) => {
              setReason(e.currentTarget.value);
            }}
            error={error}
            description={`At least ${String(MIN_REASON)} characters: why care cannot wait for consent.`}
            autosize
            minRows={3}
            required
            data-autofocus
          />
          <ModalFooter
            onCancel={p.onClose}
            submitLabel="Break the glass and open the chart"
            submitColor="red"
          />
        </Stack>
      </form>
    </Modal>
  );
}
