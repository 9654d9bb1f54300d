/**
 * @module
 * The chart's header: who the patient is (name, age, sex, birth date, MRN, contact, language,
 * managing organization, general practitioner) from their FHIR Patient record.
 */
import { Badge, Card, Group, SimpleGrid, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { Patient } from '@medplum/fhirtypes';
import { ageOn, conceptText, formatDate, humanName, shortId } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';

function Field({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {children === undefined || children === '' ? '—' : children}
      </Text>
    </div>
  );
}

export function PatientHeader({ view, patientId }: { view: RecordView; patientId: string }): ReactNode {
  const p = view.resource as unknown as Patient;
  const [now] = useState(() => new Date());
  const age = ageOn(p.birthDate, now);
  const mrn = p.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'MR'))?.value;
  const phone = p.telecom?.find((t) => t.system === 'phone')?.value;
  const email = p.telecom?.find((t) => t.system === 'email')?.value;
  const addr = p.address?.[0];
  const language = p.communication?.find((c) => c.preferred)?.language ?? p.communication?.[0]?.language;
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div>
          <Title order={2}>{humanName(p.name)}</Title>
          <Group gap={6} mt={6}>
            {p.gender && (
              <Badge variant="light" color="gray" tt="none">
                {p.gender}
              </Badge>
            )}
            {age !== null && (
              <Badge variant="light" color="indigo" tt="none">
                {age} years
              </Badge>
            )}
            {p.deceasedBoolean || p.deceasedDateTime ? (
              <Badge color="dark" tt="none">
                deceased
              </Badge>
            ) : null}
            {p.active === false && (
              <Badge color="gray" tt="none">
                inactive record
              </Badge>
            )}
          </Group>
        </div>
        <Text size="sm" c="dimmed" title={patientId}>
          Patient ID {shortId(patientId)}
        </Text>
      </Group>
      <SimpleGrid
        type="container"
        cols={{ base: 1, '360px': 2, '560px': 3, '820px': 4 }}
        spacing="md"
        mt="md"
      >
        <Field label="Born">{formatDate(p.birthDate)}</Field>
        <Field label="MRN">{mrn}</Field>
        <Field label="Phone">{phone}</Field>
        <Field label="Email">{email}</Field>
        <Field label="Address">{[addr?.city, addr?.state].filter(Boolean).join(', ')}</Field>
        <Field label="Language">{conceptText(language)}</Field>
        <Field label="Managing organization">{p.managingOrganization?.display}</Field>
        <Field label="General practitioner">{p.generalPractitioner?.map((g) => g.display).join(', ')}</Field>
      </SimpleGrid>
    </Card>
  );
}
