/**
 * @module
 * Record a vital sign: a FHIR R4 Observation in the vital-signs category with its LOINC code and a
 * UCUM quantity (blood pressure as the panel with systolic and diastolic components), checked
 * against a plausible range before it is sent.
 */
import { Group, NumberInput, Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { LOINC, UCUM } from '../../lib/fhir-display.ts';
import { checkDate, dateTimeInputValue, saveRecord, savedMessage, subjectOf } from './form-helpers.ts';
import type { RecordFormProps } from './form-helpers.ts';
import { FormModal, useSubmit } from './FormModal.tsx';
import { VITALS, checkVital } from './vitals.ts';
import type { Vital } from './vitals.ts';

const CATEGORY = [
  {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/observation-category',
        code: 'vital-signs',
        display: 'Vital Signs',
      },
    ],
  },
];

function quantity(v: Vital, value: number): Record<string, unknown> {
  return { value, unit: v.unit, system: UCUM, code: v.ucum };
}

export function ObservationForm(p: RecordFormProps): ReactNode {
  const [key, setKey] = useState<string | null>('hr');
  const [values, setValues] = useState<(number | string)[]>(['', '']);
  const [when, setWhen] = useState(() => dateTimeInputValue(new Date()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = useSubmit();
  const vital = VITALS.find((v) => v.key === key);

  const onSubmit = (): void => {
    const e: Record<string, string> = {};
    if (!vital) e.vital = 'Choose a vital sign';
    vital?.parts.forEach((part, i) => {
      const err = checkVital(part, vital.unit, values[i] ?? '');
      if (err) e[`v${String(i)}`] = err;
    });
    if (vital?.key === 'bp' && !e.v0 && !e.v1 && Number(values[0]) <= Number(values[1]))
      e.v1 = 'Diastolic must be lower than systolic';
    const d = checkDate(when, { required: true, notBefore: p.birthDate });
    if (d) e.when = d;
    setErrors(e);
    if (!vital || Object.keys(e).length > 0) return;
    const nums = values.map(Number);
    const resource = {
      resourceType: 'Observation',
      status: 'final',
      category: CATEGORY,
      code: { coding: [{ system: LOINC, code: vital.loinc, display: vital.display }], text: vital.label },
      subject: subjectOf(p.patientId),
      effectiveDateTime: new Date(when).toISOString(),
      issued: new Date().toISOString(),
      ...(vital.parts.length === 1
        ? { valueQuantity: quantity(vital, nums[0]!) }
        : {
            component: vital.parts.map((part, i) => ({
              code: {
                coding: [{ system: LOINC, code: part.loinc, display: part.display }],
                text: part.display,
              },
              valueQuantity: quantity(vital, nums[i]!),
            })),
          }),
    };
    submit.run(async () => {
      const r = await saveRecord(resource);
      p.onSaved(savedMessage(vital.label, r));
    });
  };

  return (
    <FormModal
      title="Record a vital sign"
      submitLabel="Add observation"
      onClose={p.onClose}
      onSubmit={onSubmit}
      state={submit}
    >
      <Select
        label="Vital sign"
        data={VITALS.map((v) => ({ value: v.key, label: `${v.label} (LOINC ${v.loinc})` }))}
        value={key}
        onChange={(k) => {
          setKey(k);
          setValues(['', '']);
          setErrors({});
        }}
        error={errors.vital}
        allowDeselect={false}
        required
      />
      {vital && (
        <Group grow align="flex-start">
          {vital.parts.map((part, i) => (
            <NumberInput
              key={`${vital.key}-${part.loinc}`}
              label={`${part.label} (${vital.unit})`}
              description={`${String(part.min)}–${String(part.max)} ${vital.unit}`}
              value={values[i] ?? ''}
              onChange={(v) => {
                setValues((old) => old.map((x, j) => (j === i ? v : x)));
              }}
              decimalScale={vital.decimals}
              allowNegative={false}
              error={errors[`v${String(i)}`]}
              required
              data-autofocus={i === 0 ? true : undefined}
            />
          ))}
        </Group>
      )}
      <TextInput
        label="Measured at"
        type="datetime-local"
        value={when}
        onChange={(e) => {
          setWhen(e.currentTarget.value);
        }}
        error={errors.when}
        required
      />
    </FormModal>
  );
}
