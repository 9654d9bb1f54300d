/**
 * @module
 * "Revoke access?": the confirmation before a consent.revoke transaction, saying what revoking does
 * (no further reads under this consent) and does not (undo what was already seen; erase the history).
 */
import { Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { ModalFooter } from '../common/ModalFooter.tsx';
import { granteeLabel } from './consent-view.ts';
import type { Consent } from '../../../../src/api/contract/consent.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';

export function RevokeConsentModal({
  consent,
  directory,
  onClose,
  onRevoked,
}: {
  consent: Consent | null;
  directory: Directory;
  onClose: () => void;
  onRevoked: (message: string) => void;
}): ReactNode {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const who = consent ? granteeLabel(consent, directory).name : '';

  async function revoke(): Promise<void> {
    if (!consent) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.del(`/consents/${encodeURIComponent(consent.id)}`);
      onRevoked(`${who} can no longer see your records under this consent.`);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={consent !== null} onClose={onClose} title="Revoke access?" centered>
      <Stack gap="md">
        <Text size="sm">
          {who} will no longer be able to open your records under this consent, from the next request on. What
          they already saw cannot be taken back; the grant and its revocation stay on the ledger.
        </Text>
        <ModalFooter
          error={failure}
          cancelLabel="Keep access"
          onCancel={onClose}
          submitLabel="Revoke access"
          submitColor="red"
          onSubmit={() => {
            void revoke();
          }}
          busy={busy}
          cancelWhileBusy
          gap="md"
        />
      </Stack>
    </Modal>
  );
}
