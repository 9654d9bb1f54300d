/**
 * @module
 * "Grant access": the patient names a doctor or an organization, the purpose (HL7 PurposeOfUse:
 * treatment, research, payment), optionally which kinds of records, and the last day of access; the
 * node writes a consent.grant transaction and wraps the record keys for the grantee's organization.
 */
import {
  Alert,
  Button,
  Card,
  Group,
  MultiSelect,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { SyntheticEvent, ReactNode } from 'react';
import { api } from '../../api.ts';
import { endOfDay, futureDayError, isoDay } from './date-input.ts';
import { typeLabel } from './record-summary.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import type { Grantee } from '../../../../src/api/contract/consent.ts';
import { orgName } from './use-patient-context.ts';

type Errors = Partial<Record<'grantee' | 'purpose' | 'validTo', string>>;

const PURPOSES = [
  { value: 'treatment', label: 'Treatment', description: 'Care by this doctor or organization' },
  { value: 'research', label: 'Research', description: 'De-identified studies' },
  { value: 'payment', label: 'Payment', description: 'Billing and insurance' },
] as const;

function granteeOf(value: string): Grantee {
  return value.startsWith('org:')
    ? { kind: 'organization', orgId: value.slice(4) }
    : { kind: 'practitioner', keyId: value.slice(4) };
}

export function GrantConsentForm({
  directory,
  recordTypes,
  onGranted,
}: {
  directory: Directory;
  recordTypes: readonly string[];
  onGranted: (message: string) => void;
}): ReactNode {
  const [grantee, setGrantee] = useState<string | null>(null);
  const [purpose, setPurpose] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [validTo, setValidTo] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [minDay] = useState(() => isoDay(Date.now()));

  const granteeData = [
    {
      group: 'Organizations',
      items: directory.organizations.map((o) => ({ value: `org:${o.id}`, label: o.name })),
    },
    {
      group: 'Doctors',
      items: directory.practitioners.map((p) => ({
        value: `doc:${p.keyId}`,
        label: `${p.name} — ${orgName(directory, p.org)}`,
      })),
    },
  ];
  const granteeName = (v: string): string =>
    granteeData.flatMap((g) => g.items).find((i) => i.value === v)?.label ?? v;

  async function submit(e: SyntheticEvent): Promise<void> {
    e.preventDefault();
    const found: Errors = {};
    if (!grantee) found.grantee = 'Choose who may see your records';
    if (!purpose) found.purpose = 'Choose what they may use them for';
    const dayError = futureDayError(validTo, Date.now());
    if (dayError) found.validTo = dayError;
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0 || !grantee) return;
    setBusy(true);
    try {
      await api.post('/consents', {
        grantee: granteeOf(grantee),
        purpose,
        ...(types.length > 0 ? { types } : {}),
        validTo: endOfDay(validTo),
      });
      onGranted(
        `${granteeName(grantee)} may now see ${types.length > 0 ? types.map(typeLabel).join(', ') : 'all your records'} for ${purpose} until ${new Date(endOfDay(validTo)).toLocaleDateString()}.`,
      );
      setGrantee(null);
      setPurpose('');
      setTypes([]);
      setValidTo('');
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="lg">
      <Title order={3} size="h4" mb={4}>
        Grant access
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Let a doctor or an organization see your records. You can withdraw access at any time.
      </Text>
      <form
        noValidate
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Select
              label="Who"
              description="A doctor, or everyone at an organization"
              placeholder="Search a doctor or an organization"
              data={granteeData}
              value={grantee}
              onChange={setGrantee}
              searchable
              clearable
              nothingFoundMessage="No doctor or organization by that name"
              error={errors.grantee}
              withAsterisk
            />
            <TextInput
              type="date"
              label="Valid until"
              description="Access ends at the end of this day"
              min={minDay}
              value={validTo}
              onChange={(e) => {
                setValidTo(e.currentTarget.value);
              }}
              error={errors.validTo}
              withAsterisk
            />
          </SimpleGrid>
          <Radio.Group
            label="Purpose"
            value={purpose}
            onChange={setPurpose}
            error={errors.purpose}
            withAsterisk
          >
            <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md" mt={6}>
              {PURPOSES.map((p) => (
                <Radio key={p.value} value={p.value} label={p.label} description={p.description} />
              ))}
            </SimpleGrid>
          </Radio.Group>
          <MultiSelect
            label="Which records"
            description="Leave empty to share all your records"
            placeholder={types.length === 0 ? 'All records' : undefined}
            data={recordTypes.map((t) => ({ value: t, label: typeLabel(t) }))}
            value={types}
            onChange={setTypes}
            clearable
            searchable
          />
          {failure && (
            <Alert color="red" role="alert" title="Access was not granted">
              {failure}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy}>
              Grant access
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
