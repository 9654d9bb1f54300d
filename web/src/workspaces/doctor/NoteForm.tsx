/**
 * @module
 * Add or amend a clinical note: a FHIR R4 DocumentReference whose content is a text/plain
 * attachment holding the UTF-8 text in base64 (https://hl7.org/fhir/R4/documentreference.html),
 * typed with a LOINC document code.
 */
import { Select, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { CodeableConcept } from '@medplum/fhirtypes';
import { useUser } from '../../auth.tsx';
import { LOINC, codingOf, encodeBase64Text } from '../../lib/fhir-display.ts';
import { noteText, noteTitle } from './chart-model.ts';
import { amendBase, saveRecord, savedMessage, subjectOf } from './form-helpers.ts';
import type { RecordFormProps } from './form-helpers.ts';
import { FormModal, useSubmit } from './FormModal.tsx';

const NOTE_TYPES = [
  { value: '11506-3', label: 'Progress note' },
  { value: '11488-4', label: 'Consultation note' },
  { value: '34117-2', label: 'History and physical note' },
  { value: '18842-5', label: 'Discharge summary' },
  { value: '28570-0', label: 'Procedure note' },
  { value: '34746-8', label: 'Nurse note' },
] as const;

const MAX_TEXT = 20_000;

interface Errors {
  type?: string;
  text?: string;
  title?: string;
}

export function NoteForm(p: RecordFormProps): ReactNode {
  const user = useUser();
  const current = p.amend?.resource;
  const [type, setType] = useState<string | null>(
    () => codingOf(current?.type as CodeableConcept | undefined, LOINC)?.code ?? '11506-3',
  );
  const [title, setTitle] = useState(() => (current ? noteTitle(current) : ''));
  const [text, setText] = useState(() => (current ? (noteText(current) ?? '') : ''));
  const [errors, setErrors] = useState<Errors>({});
  const submit = useSubmit();

  const onSubmit = (): void => {
    const e: Errors = {};
    const t = NOTE_TYPES.find((x) => x.value === type);
    if (!t) e.type = 'Choose the kind of note';
    if (text.trim().length < 3) e.text = 'Write the note (at least 3 characters)';
    else if (text.length > MAX_TEXT) e.text = `The note is too long (${String(MAX_TEXT)} characters at most)`;
    if (title.length > 120) e.title = 'The title is too long (120 characters at most)';
    setErrors(e);
    if (!t || Object.keys(e).length > 0) return;
    const now = new Date().toISOString();
    const label = title.trim() || t.label;
    const resource = {
      ...(p.amend ? amendBase(p.amend) : {}),
      resourceType: 'DocumentReference',
      status: 'current',
      docStatus: p.amend ? 'amended' : 'final',
      type: { coding: [{ system: LOINC, code: t.value, display: t.label }], text: t.label },
      category: [
        {
          coding: [
            {
              system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
              code: 'clinical-note',
              display: 'Clinical Note',
            },
          ],
        },
      ],
      subject: subjectOf(p.patientId),
      date: now,
      author: [{ display: user.name }],
      description: label,
      content: [
        {
          attachment: {
            contentType: 'text/plain; charset=utf-8',
            data: encodeBase64Text(text.trim()),
            title: label,
            creation: now,
          },
        },
      ],
    };
    submit.run(async () => {
      const r = await saveRecord(resource, p.amend);
      p.onSaved(savedMessage('Note', r));
    });
  };

  return (
    <FormModal
      title={p.amend ? 'Amend note' : 'Add a clinical note'}
      submitLabel={p.amend ? 'Save amendment' : 'Add note'}
      onClose={p.onClose}
      onSubmit={onSubmit}
      state={submit}
    >
      <Select
        label="Kind of note"
        data={NOTE_TYPES.map((x) => ({ value: x.value, label: x.label }))}
        value={type}
        onChange={setType}
        error={errors.type}
        allowDeselect={false}
        required
      />
      <TextInput
        label="Title"
        description="Optional; the kind of note is used when empty"
        value={title}
        onChange={(e) => {
          setTitle(e.currentTarget.value);
        }}
        error={errors.title}
      />
      <Textarea
        label="Note"
        description={
          p.amend ? 'The original stays on the chain; this becomes the current version.' : undefined
        }
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
        }}
        error={errors.text}
        autosize
        minRows={6}
        maxRows={16}
        required
        data-autofocus
      />
    </FormModal>
  );
}
