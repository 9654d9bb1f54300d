/**
 * @module
 * Clinical notes (FHIR DocumentReference with a text attachment), newest first, each with its
 * decoded text, author and date; long notes fold. Notes can be amended: the original stays on the
 * chain and shows in the history.
 */
import { Badge, Card, Group, Spoiler, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CodeableConcept, Reference } from '@medplum/fhirtypes';
import { conceptText, formatDateTime } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { describe, noteText } from './chart-model.ts';
import { RecordActions } from './RecordActions.tsx';
import { authorName, orgName } from './source.ts';
import { VersionBadge } from './StatusBadge.tsx';

export interface NotesListProps {
  readonly rows: readonly RecordView[];
  readonly dir: Directory | undefined;
  readonly onHistory: (v: RecordView) => void;
  readonly onAmend: (v: RecordView) => void;
}

export function NotesList(p: NotesListProps): ReactNode {
  if (p.rows.length === 0)
    return (
      <Text c="dimmed" py="md">
        No notes yet. Use “Add note” above to write the first one.
      </Text>
    );
  return (
    <Stack gap="sm" py="xs">
      {p.rows.map((v) => {
        const line = describe(v);
        const text = noteText(v.resource);
        const authors = ((v.resource.author as Reference[] | undefined) ?? [])
          .map((a) => a.display)
          .filter(Boolean)
          .join(', ');
        const by = authors || authorName(p.dir, v.author);
        return (
          <Card key={v.id} withBorder padding="md" component="article" aria-label={line.title}>
            <Group justify="space-between" align="flex-start" wrap="nowrap" mb={4}>
              <div>
                <Group gap={6}>
                  <Text fw={600}>{line.title}</Text>
                  <Badge size="sm" variant="light" tt="none">
                    {conceptText(v.resource.type as CodeableConcept | undefined, 'Note')}
                  </Badge>
                  <VersionBadge version={v.version} />
                </Group>
                <Text size="xs" c="dimmed">
                  {formatDateTime(line.date)}
                  {by ? ` · ${by}` : ''} · {orgName(p.dir, v.org)}
                </Text>
              </div>
              <RecordActions view={v} title={line.title} onHistory={p.onHistory} onAmend={p.onAmend} />
            </Group>
            {text === null ? (
              <Text size="sm" c="dimmed">
                This note has no text attachment.
              </Text>
            ) : (
              <Spoiler maxHeight={105} showLabel="Show more" hideLabel="Show less">
                <Text size="sm" lh="21px" style={{ whiteSpace: 'pre-wrap' }}>
                  {text}
                </Text>
              </Spoiler>
            )}
          </Card>
        );
      })}
    </Stack>
  );
}
