/**
 * @module
 * The buttons on a chart item: its history (every version on the chain) and, where the chart
 * supports it, an amendment. The accessible name says which item they act on.
 */
import { Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';
import type { RecordView } from '../../lib/fhir-display.ts';

export interface RecordActionsProps {
  readonly view: RecordView;
  readonly title: string;
  readonly onHistory: (v: RecordView) => void;
  readonly onAmend?: ((v: RecordView) => void) | undefined;
}

export function RecordActions(p: RecordActionsProps): ReactNode {
  return (
    <Group gap={6} wrap="nowrap" justify="flex-end">
      <Button
        size="compact-xs"
        variant="subtle"
        aria-label={`History of ${p.title}`}
        onClick={() => {
          p.onHistory(p.view);
        }}
      >
        History
      </Button>
      {p.onAmend && (
        <Button
          size="compact-xs"
          variant="light"
          aria-label={`Amend ${p.title}`}
          onClick={() => {
            p.onAmend?.(p.view);
          }}
        >
          Amend
        </Button>
      )}
    </Group>
  );
}
