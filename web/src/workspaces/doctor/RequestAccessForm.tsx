/**
 * @module
 * Ask the patient for access: the request (purpose and reason) goes to the patient, who may grant
 * a consent for that purpose until a date they choose, or decline.
 */
import { Alert, Button, Select, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { SubmitEvent, ReactNode } from 'react';
import { api } from '../../api.ts';
import type { AccessRequest, AccessRequestBody } from '../../../../src/api/contract/consent.ts';
import { useSubmit } from './FormModal.tsx';

const PURPOSES: { value: AccessRequestBody['purpose']; label: string }[] = [
  { value: 'treatment', label: 'Treatment' },
  { value: 'payment', label: 'Payment' },
  { value: 'research', label: 'Research' },
];

export function RequestAccessForm({ patientId }: { patientId: string }): ReactNode {
  const [purpose, setPurpose] = useState<string | null>('treatment');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ purpose?: string; reason?: string }>({});
  const [sent, setSent] = useState<AccessRequest | null>(null);
  const submit = useSubmit();

  const onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const errs: typeof errors = {};
    if (!purpose) errs.purpose = 'Choose a purpose';
    if (reason.trim().length < 3) errs.reason = 'Tell the patient why you need access';
    else if (reason.length > 500) errs.reason = 'The reason is too long (500 characters at most)';
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    submit.run(async () => {
      setSent(
        await api.post<AccessRequest>('/access-requests', { patientId, purpose, reason: reason.trim() }),
      );
    });
  };

  if (sent)
    return (
      <Alert color="green" title="Request sent" role="status">
        The patient will see your request for {sent.purpose} access ({new Date(sent.created).toLocaleString()}
        ). You can follow it under “My access requests” on the Patients page; once approved, reload this
        chart.
      </Alert>
    );
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="sm">
        <Select
          label="Purpose"
          data={PURPOSES}
          value={purpose}
          onChange={setPurpose}
          error={errors.purpose}
          allowDeselect={false}
          required
        />
        <Textarea
          label="Reason"
          placeholder="Referred to me for cardiology follow-up"
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
          }}
          error={errors.reason}
          autosize
          minRows={2}
          required
        />
        {submit.error && (
          <Alert color="red" role="alert">
            {submit.error}
          </Alert>
        )}
        <Button type="submit" loading={submit.busy} style={{ alignSelf: 'flex-start' }}>
          Request access
        </Button>
      </Stack>
    </form>
  );
}
