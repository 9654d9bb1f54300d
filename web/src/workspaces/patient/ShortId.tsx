/**
 * @module
 * An id shown by its first 8 characters, the full id in the title (hover) for support and audits.
 */
import { Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function ShortId({ id }: { id: string }): ReactNode {
  return (
    <Text span ff="monospace" size="xs" title={id}>
      {id.slice(0, 8)}
    </Text>
  );
}
