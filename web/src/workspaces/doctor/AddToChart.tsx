/**
 * @module
 * The chart's "add" bar (note, medication, vital sign, condition) and the form each button opens.
 */
import { Button, SimpleGrid } from '@mantine/core';
import type { ReactNode } from 'react';
import { ConditionForm } from './ConditionForm.tsx';
import type { RecordFormProps } from './form-helpers.ts';
import { MedicationForm } from './MedicationForm.tsx';
import { NoteForm } from './NoteForm.tsx';
import { ObservationForm } from './ObservationForm.tsx';

export type FormKind = 'note' | 'medication' | 'observation' | 'condition';

const BUTTONS: { kind: FormKind; label: string }[] = [
  { kind: 'note', label: 'Add note' },
  { kind: 'medication', label: 'Add medication' },
  { kind: 'observation', label: 'Add observation' },
  { kind: 'condition', label: 'Add condition' },
];

export function AddToChart({ onOpen, busy }: { onOpen: (k: FormKind) => void; busy: boolean }): ReactNode {
  return (
    <SimpleGrid
      type="container"
      cols={{ base: 2, '540px': 4 }}
      spacing="xs"
      role="group"
      aria-label="Add to the chart"
    >
      {BUTTONS.map((b) => (
        <Button
          key={b.kind}
          size="sm"
          fullWidth
          variant={b.kind === 'note' ? 'filled' : 'light'}
          disabled={busy}
          onClick={() => {
            onOpen(b.kind);
          }}
        >
          {b.label}
        </Button>
      ))}
    </SimpleGrid>
  );
}

export function RecordForm({ kind, ...p }: RecordFormProps & { kind: FormKind }): ReactNode {
  switch (kind) {
    case 'note':
      return <NoteForm {...p} />;
    case 'medication':
      return <MedicationForm {...p} />;
    case 'observation':
      return <ObservationForm {...p} />;
    case 'condition':
      return <ConditionForm {...p} />;
  }
}
