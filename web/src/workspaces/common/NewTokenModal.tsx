/**
 * @module
 * Creating a personal API token: a name and an optional lifetime in days (1–3650, as the node
 * accepts), then the token itself, shown once with a copy button — the node keeps only its hash.
 */
import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { api } from '../../api.ts';
import type { CreatedToken } from '../../../../src/api/contract/auth.ts';
import { ModalFooter } from './ModalFooter.tsx';

export function NewTokenModal({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: () => void;
}): ReactNode {
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>('');
  const [errors, setErrors] = useState<{ name?: string; days?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const n = name.trim();
    const next: typeof errors = {};
    if (!n) next.name = 'Give the token a name, e.g. where it will be used';
    else if (n.length > 100) next.name = 'At most 100 characters';
    if (days !== '' && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650))
      next.days = 'A whole number of days from 1 to 3650, or empty for no expiry';
    setErrors(next);
    if (next.name || next.days) return;
    setBusy(true);
    setError(null);
    api.post<CreatedToken>('/auth/tokens', { name: n, ...(days === '' ? {} : { expiresInDays: days }) }).then(
      (c) => {
        setBusy(false);
        setCreated(c);
        onCreated();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };

  if (created)
    return (
      <Modal
        opened
        onClose={onClose}
        title={`Token “${created.info.name}” created`}
        size="lg"
        closeOnClickOutside={false}
      >
        <Stack gap="md">
          <Alert color="yellow" title="Copy it now: it will not be shown again">
            The node stores only a hash of this token. Keep it like a password; anyone who has it can call the
            API as you until it expires or you revoke it.
          </Alert>
          <Code block style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} aria-label="New API token">
            {created.token}
          </Code>
          <Text size="sm" c="dimmed">
            Use it as <Code>Authorization: Bearer &lt;token&gt;</Code>.
          </Text>
          <Group justify="flex-end" gap="sm">
            <CopyButton value={created.token}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'teal' : undefined} onClick={copy}>
                  {copied ? 'Copied' : 'Copy token'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      </Modal>
    );

  return (
    <Modal
      opened
      closeButtonProps={{ 'aria-label': 'Close' }}
      onClose={onClose}
      title="Create an API token"
      closeOnClickOutside={!busy}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label="Name"
            description="Where the token will be used, so you recognise it later"
            placeholder="e.g. nightly export script"
            required
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
            }}
            error={errors.name}
            maxLength={100}
            data-autofocus
          />
          <NumberInput
            label="Expires after (days)"
            description="Leave empty for the node's default (90 days unless configured); at most a year by default"
            min={1}
            max={3650}
            allowDecimal={false}
            allowNegative={false}
            value={days}
            onChange={setDays}
            error={errors.days}
          />
          <ModalFooter
            error={error}
            errorTitle="The node did not create the token"
            onCancel={onClose}
            submitLabel="Create token"
            busy={busy}
          />
        </Stack>
      </form>
    </Modal>
  );
}
