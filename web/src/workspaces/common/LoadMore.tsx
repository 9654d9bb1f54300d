/**
 * @module
 * The line under a list the node gives a page at a time: how many items are shown and a button for the
 * next page, so nobody mistakes the first page for the whole list.
 */
import { Alert, Button, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { PagedState } from '../../lib/use-paged.ts';

export function LoadMore<T>({ list, noun }: { list: PagedState<T>; noun: string }): ReactNode {
  if (!list.more && !list.moreError) return null;
  return (
    <Group gap="sm" justify="center" role="group" aria-label={`More ${noun}`}>
      <Text size="sm" c="dimmed">
        Showing {String(list.data?.length ?? 0)} {noun}; there are more.
      </Text>
      {list.more && (
        <Button size="xs" variant="light" loading={list.loadingMore} onClick={list.more}>
          Load more {noun}
        </Button>
      )}
      {list.moreError && (
        <Alert color="red" role="alert" py={4}>
          {list.moreError.message}
        </Alert>
      )}
    </Group>
  );
}
