/**
 * @module
 * Add or amend a condition on the problem list: a FHIR R4 Condition (https://hl7.org/fhir/R4/condition.html)
 * with the condition as text and, optionally, its SNOMED CT code, its clinical status and onset (and
 * abatement once it is over: constraint con-4 wants a resolved status then).
 */
import { Group, Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { CodeableConcept } from '@medplum/fhirtypes';
import { SNOMED, codingOf, conceptText } from '../../lib/fhir-display.ts';
import {
  amendBase,
  checkDate,
  checkDigits,
  saveRecord,
  savedMessage,
  subjectOf,
  toDateInput,
} from './form-helpers.ts';
import type { RecordFormProps } from './form-helpers.ts';
import { FormModal, useSubmit } from './FormModal.tsx';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'recurrence', label: 'Recurrence' },
  { value: 'relapse', label: 'Relapse' },
  { value: 'inactive', label: 'Inactive' },
  { value: 'remission', label: 'Remission' },
  { value: 'resolved', label: 'Resolved' },
];
const OVER = new Set(['inactive', 'remission', 'resolved']);

interface Errors {
  text?: string;
  snomed?: string;
  status?: string;
  onset?: string;
  abatement?: string;
}

export function ConditionForm(p: RecordFormProps): ReactNode {
  const cur = p.amend?.resource;
  const code = cur?.code as CodeableConcept | undefined;
  const [text, setText] = useState(() => conceptText(code));
  const [snomed, setSnomed] = useState(() => codingOf(code, SNOMED)?.code ?? '');
  const [status, setStatus] = useState<string | null>(
    () => codingOf(cur?.clinicalStatus as CodeableConcept | undefined)?.code ?? 'active',
  );
  const [onset, setOnset] = useState(() => toDateInput(cur?.onsetDateTime as string | undefined));
  const [abatement, setAbatement] = useState(() => toDateInput(cur?.abatementDateTime as string | undefined));
  const [errors, setErrors] = useState<Errors>({});
  const submit = useSubmit();
  const over = status !== null && OVER.has(status);

  const onSubmit = (): void => {
    const e: Errors = {};
    const t = text.trim();
    if (t.length < 2) e.text = 'Enter the condition';
    else if (t.length > 200) e.text = 'The condition is too long (200 characters at most)';
    const s = checkDigits(snomed.trim(), 6, 18, 'SNOMED CT');
    if (s) e.snomed = s;
    if (!status) e.status = 'Choose a clinical status';
    const o = checkDate(onset, { notBefore: p.birthDate });
    if (o) e.onset = o;
    const a = over ? checkDate(abatement, { notBefore: onset || p.birthDate }) : null;
    if (a)
      e.abatement = a === 'The date cannot be before the patient was born' ? 'Must be after the onset' : a;
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    const { onsetDateTime: _o, abatementDateTime: _a, ...base } = p.amend ? amendBase(p.amend) : {};
    const sct = snomed.trim();
    const previous = codingOf(code, SNOMED);
    const resource = {
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/condition-category',
              code: 'problem-list-item',
              display: 'Problem List Item',
            },
          ],
        },
      ],
      verificationStatus: { coding: [{ system: VERIFICATION, code: 'confirmed' }] },
      recordedDate: new Date().toISOString(),
      ...base,
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: CLINICAL, code: status }] },
      code: {
        ...(sct
          ? {
              coding: [
                {
                  system: SNOMED,
                  code: sct,
                  ...(previous?.code === sct ? { display: previous.display } : {}),
                },
              ],
            }
          : {}),
        text: t,
      },
      subject: subjectOf(p.patientId),
      ...(onset ? { onsetDateTime: onset } : {}),
      ...(over && abatement ? { abatementDateTime: abatement } : {}),
    };
    submit.run(async () => {
      const r = await saveRecord(resource, p.amend);
      p.onSaved(savedMessage('Condition', r));
    });
  };

  return (
    <FormModal
      title={p.amend ? 'Amend condition' : 'Add a condition'}
      submitLabel={p.amend ? 'Save amendment' : 'Add condition'}
      onClose={p.onClose}
      onSubmit={onSubmit}
      state={submit}
    >
      <TextInput
        label="Condition"
        placeholder="Essential hypertension"
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
        }}
        error={errors.text}
        required
        data-autofocus
      />
      <TextInput
        label="SNOMED CT code"
        description="Optional, digits only"
        placeholder="59621000"
        inputMode="numeric"
        value={snomed}
        onChange={(e) => {
          setSnomed(e.currentTarget.value);
        }}
        error={errors.snomed}
      />
      <Group grow align="flex-start">
        <Select
          label="Clinical status"
          data={STATUSES}
          value={status}
          onChange={setStatus}
          error={errors.status}
          allowDeselect={false}
          required
        />
        <TextInput
          label="Onset date"
          type="date"
          value={onset}
          onChange={(e) => {
            setOnset(e.currentTarget.value);
          }}
          error={errors.onset}
        />
      </Group>
      {over && (
        <TextInput
          label="Resolved / abated on"
          description="Optional"
          type="date"
          value={abatement}
          onChange={(e) => {
            setAbatement(e.currentTarget.value);
          }}
          error={errors.abatement}
        />
      )}
    </FormModal>
  );
}
