/**
 * @module
 * Every version of a record as the chain holds it, newest first: amendments are appended, never
 * overwrite, so the original and each correction stay visible with who wrote them, when, and in
 * which block. Reading the history is itself an audited read (with the break-glass reason if any).
 */
import { Alert, Badge, Card, Code, Group, Loader, Modal, Spoiler, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { formatDateTime, shortId } from '../../lib/fhir-display.ts';
import type { LooseResource, RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import type { RecordHistory } from '../../../../src/api/contract/records.ts';
import { useAsync } from '../../lib/use-async.ts';
import { describe, noteText } from './chart-model.ts';
import { readQuery } from './read-mode.ts';
import type { ReadMode } from './read-mode.ts';
import { authorName, orgName } from './source.ts';
import { StatusBadge } from './StatusBadge.tsx';

export interface HistoryModalProps {
  readonly view: RecordView;
  readonly mode: ReadMode;
  readonly dir: Directory | undefined;
  readonly onClose: () => void;
}

function Version({
  v,
  latest,
  dir,
}: {
  v: RecordView;
  latest: boolean;
  dir: Directory | undefined;
}): ReactNode {
  const line = describe(v);
  const text = v.resource.resourceType === 'DocumentReference' ? noteText(v.resource) : null;
  const author = authorName(dir, v.author);
  return (
    <Card withBorder padding="sm" component="article" aria-label={`Version ${String(v.version)}`}>
      <Group justify="space-between" wrap="wrap" gap="xs" mb={4}>
        <Group gap={6}>
          <Badge variant="filled" color={latest ? 'indigo' : 'gray'} tt="none">
            Version {v.version}
          </Badge>
          {v.version > 1 ? (
            <Badge variant="light" color="violet" tt="none">
              amended
            </Badge>
          ) : (
            <Badge variant="light" color="gray" tt="none">
              original
            </Badge>
          )}
          {latest && (
            <Badge variant="light" color="green" tt="none">
              current
            </Badge>
          )}
          <StatusBadge status={line.status} />
        </Group>
        <Text size="xs" c="dimmed">
          {formatDateTime(v.time)} · block {v.height} · <span title={v.tx}>tx {shortId(v.tx)}</span>
        </Text>
      </Group>
      <Text size="sm" fw={500}>
        {line.title}
        {line.detail ? ` — ${line.detail}` : ''}
      </Text>
      <Text size="xs" c="dimmed" mb={text ? 4 : 0}>
        Written by {author ? `${author}, ` : ''}
        {orgName(dir, v.org)}
      </Text>
      {text !== null && (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} mb={4}>
          {text}
        </Text>
      )}
      <Spoiler maxHeight={0} showLabel="Show FHIR resource" hideLabel="Hide FHIR resource">
        <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
          {JSON.stringify(v.resource, null, 2)}
        </Code>
      </Spoiler>
    </Card>
  );
}

export function HistoryModal(p: HistoryModalProps): ReactNode {
  const id = p.view.id;
  const h = useAsync(
    (signal) =>
      api.get<RecordHistory<LooseResource>>(`/records/${encodeURIComponent(id)}${readQuery(p.mode)}`, signal),
    [id, p.mode.emergencyReason],
  );
  const versions = h.data ? [...h.data.history].reverse() : [];
  return (
    <Modal opened onClose={p.onClose} title={`History of ${describe(p.view).title}`} size="xl">
      {h.loading && (
        <Group justify="center" py="lg">
          <Loader size="sm" />
          <Text size="sm">Reading every version from the chain…</Text>
        </Group>
      )}
      {h.error && (
        <Alert color="red" role="alert" title="Could not read the history">
          {h.error.message}
        </Alert>
      )}
      {!h.loading && h.data && (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {versions.length === 1
              ? 'This record has never been amended.'
              : `${String(versions.length)} versions: corrections are appended; earlier versions stay on the chain.`}{' '}
            Record <span title={id}>{shortId(id)}</span>.
          </Text>
          {versions.map((v, i) => (
            <Version key={v.recordId} v={v} latest={i === 0} dir={p.dir} />
          ))}
        </Stack>
      )}
    </Modal>
  );
}
