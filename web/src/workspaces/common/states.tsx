/**
 * @module
 * Loading, error and empty states shared by the admin and explorer pages, so every page says the
 * same thing the same way: a skeleton while loading, the node's own message in a red alert on error.
 */
import { Alert, Button, Skeleton, Stack } from '@mantine/core';
import type { ReactNode } from 'react';

export function LoadingRows({ rows = 4 }: { rows?: number }): ReactNode {
  return (
    <Stack gap="xs" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={28} radius="sm" />
      ))}
    </Stack>
  );
}

export function LoadError({
  error,
  retry,
  title,
}: {
  error: Error;
  retry?: () => void;
  title?: string;
}): ReactNode {
  return (
    <Alert color="red" role="alert" title={title ?? 'Could not load this from the node'}>
      <Stack gap="xs" align="flex-start">
        {error.message}
        {retry && (
          <Button size="xs" variant="white" color="red" onClick={retry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
