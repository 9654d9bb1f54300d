/**
 * @module
 * Small display helpers shared by the admin and explorer pages: ids shortened to 8 characters with
 * the full id in a tooltip-like `title`, times in the user's locale, and a copy button for ids.
 */
import { ActionIcon, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';

/** A long hex id shown as its first `n` characters in monospace; the full id is in `title`. */
export function ShortId({
  id,
  n = 8,
  copy = false,
  size = 'sm',
}: {
  id: string;
  n?: number;
  copy?: boolean;
  size?: 'xs' | 'sm';
}): ReactNode {
  const text = (
    <Text span ff="monospace" size={size} title={id}>
      {id.length > n ? `${id.slice(0, n)}…` : id}
    </Text>
  );
  if (!copy) return text;
  return (
    <Group gap={4} wrap="nowrap" display="inline-flex">
      {text}
      <CopyId value={id} />
    </Group>
  );
}

/** A small "copy" action for a full id. */
export function CopyId({ value }: { value: string }): ReactNode {
  return (
    <CopyButton value={value} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : 'Copy full id'} withArrow>
          <ActionIcon
            variant="subtle"
            size="xs"
            color={copied ? 'teal' : 'gray'}
            onClick={copy}
            aria-label="Copy full id"
          >
            {copied ? <CheckIcon /> : <CopyIcon />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

/** A time (ms since the epoch or ISO text) in the user's locale. */
export function fmtTime(t: number | string | undefined): string {
  if (t === undefined) return '—';
  return new Date(t).toLocaleString();
}

/** A time in short form for tables ("11/22/26, 4:23 AM"); the full time is in `title`. */
export function When({ t }: { t: number | string | undefined }): ReactNode {
  if (t === undefined) return '—';
  const d = new Date(t);
  return (
    <Text span size="sm" title={d.toLocaleString()} style={{ whiteSpace: 'nowrap' }}>
      {d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}
    </Text>
  );
}

/** A full hex value that may wrap, for detail views. */
export function Hex({ value }: { value: string }): ReactNode {
  return (
    <Text span ff="monospace" size="xs" style={{ wordBreak: 'break-all' }}>
      {value}
    </Text>
  );
}

/** Two overlapping sheets: the usual "copy" glyph (no icon font in the portal). */
function CopyIcon(): ReactNode {
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      aria-hidden="true"
    >
      <rect x="5" y="5" width="9" height="9" rx="1.5" />
      <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
    </svg>
  );
}

function CheckIcon(): ReactNode {
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      aria-hidden="true"
    >
      <path d="M3 8.5l3.2 3L13 4.5" />
    </svg>
  );
}
