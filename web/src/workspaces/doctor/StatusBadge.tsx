/**
 * @module
 * A FHIR status code (Condition.clinicalStatus, MedicationStatement.status, Observation.status…)
 * as a small colored badge: current things stand out, finished ones are grey, errors are red.
 */
import { Badge } from '@mantine/core';
import type { ReactNode } from 'react';

const COLORS: Record<string, string> = {
  active: 'blue',
  recurrence: 'orange',
  relapse: 'orange',
  intended: 'cyan',
  'on-hold': 'yellow',
  'in-progress': 'blue',
  preliminary: 'yellow',
  registered: 'yellow',
  amended: 'violet',
  corrected: 'violet',
  stopped: 'red',
  'entered-in-error': 'red',
  cancelled: 'red',
  'not-taken': 'red',
  'not-done': 'red',
};

export function StatusBadge({ status }: { readonly status: string | undefined }): ReactNode {
  if (!status) return null;
  return (
    <Badge size="sm" variant="light" color={COLORS[status] ?? 'gray'} tt="none">
      {status.replaceAll('-', ' ')}
    </Badge>
  );
}

/** "amended · v2" on a record that has been corrected. */
export function VersionBadge({ version }: { readonly version: number }): ReactNode {
  if (version <= 1) return null;
  return (
    <Badge
      size="sm"
      variant="outline"
      color="violet"
      tt="none"
      title={`Version ${String(version)} on the chain`}
    >
      amended · v{version}
    </Badge>
  );
}
