/**
 * @module
 * Add a medication to the chart: a FHIR R4 MedicationStatement (https://hl7.org/fhir/R4/medicationstatement.html)
 * with the medication as text and, optionally, its RxNorm code, the dosage as free text, its status
 * and the date it started.
 */
import { Group, Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { RXNORM } from '../../lib/fhir-display.ts';
import {
  checkDate,
  checkDigits,
  dateInputValue,
  saveRecord,
  savedMessage,
  subjectOf,
} from './form-helpers.ts';
import type { RecordFormProps } from './form-helpers.ts';
import { FormModal, useSubmit } from './FormModal.tsx';

/** MedicationStatement.status (required binding, http://hl7.org/fhir/CodeSystem/medication-statement-status). */
const STATUSES = [
  { value: 'active', label: 'Active — the patient is taking it' },
  { value: 'intended', label: 'Intended — to be started' },
  { value: 'on-hold', label: 'On hold' },
  { value: 'completed', label: 'Completed' },
  { value: 'stopped', label: 'Stopped' },
  { value: 'not-taken', label: 'Not taken' },
];

interface Errors {
  medication?: string;
  rxnorm?: string;
  dosage?: string;
  status?: string;
  date?: string;
}

export function MedicationForm(p: RecordFormProps): ReactNode {
  const [medication, setMedication] = useState('');
  const [rxnorm, setRxnorm] = useState('');
  const [dosage, setDosage] = useState('');
  const [status, setStatus] = useState<string | null>('active');
  const [date, setDate] = useState(() => dateInputValue(new Date()));
  const [errors, setErrors] = useState<Errors>({});
  const submit = useSubmit();

  const onSubmit = (): void => {
    const e: Errors = {};
    const med = medication.trim();
    if (med.length < 2) e.medication = 'Enter the medication (name, strength and form)';
    else if (med.length > 200) e.medication = 'The medication is too long (200 characters at most)';
    const rx = checkDigits(rxnorm.trim(), 1, 8, 'RxNorm');
    if (rx) e.rxnorm = rx;
    if (dosage.length > 300) e.dosage = 'The dosage is too long (300 characters at most)';
    if (!status) e.status = 'Choose a status';
    const d = checkDate(date, { required: true, notBefore: p.birthDate, allowFuture: status === 'intended' });
    if (d) e.date = d;
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    const code = rxnorm.trim();
    const resource = {
      resourceType: 'MedicationStatement',
      status,
      medicationCodeableConcept: {
        ...(code ? { coding: [{ system: RXNORM, code, display: med }] } : {}),
        text: med,
      },
      subject: subjectOf(p.patientId),
      effectiveDateTime: date,
      dateAsserted: new Date().toISOString(),
      ...(dosage.trim() ? { dosage: [{ text: dosage.trim() }] } : {}),
    };
    submit.run(async () => {
      const r = await saveRecord(resource);
      p.onSaved(savedMessage('Medication', r));
    });
  };

  return (
    <FormModal
      title="Add a medication"
      submitLabel="Add medication"
      onClose={p.onClose}
      onSubmit={onSubmit}
      state={submit}
    >
      <TextInput
        label="Medication"
        placeholder="amoxicillin 500 MG Oral Capsule"
        value={medication}
        onChange={(e) => {
          setMedication(e.currentTarget.value);
        }}
        error={errors.medication}
        required
        data-autofocus
      />
      <TextInput
        label="RxNorm code"
        description="Optional, digits only (RXCUI)"
        placeholder="308182"
        inputMode="numeric"
        value={rxnorm}
        onChange={(e) => {
          setRxnorm(e.currentTarget.value);
        }}
        error={errors.rxnorm}
      />
      <TextInput
        label="Dosage"
        placeholder="500 mg by mouth three times daily for 7 days"
        value={dosage}
        onChange={(e) => {
          setDosage(e.currentTarget.value);
        }}
        error={errors.dosage}
      />
      <Group grow align="flex-start">
        <Select
          label="Status"
          data={STATUSES}
          value={status}
          onChange={setStatus}
          error={errors.status}
          allowDeselect={false}
          required
        />
        <TextInput
          label="Start date"
          type="date"
          value={date}
          onChange={(e) => {
            setDate(e.currentTarget.value);
          }}
          error={errors.date}
          required
        />
      </Group>
    </FormModal>
  );
}
