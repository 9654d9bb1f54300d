/**
 * @module
 * The top of every page: its title (the page's `<h2>`), one sentence on what it is for, and the
 * page's main actions on the right.
 */
import { Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function PageHeader(p: { title: string; description?: ReactNode; actions?: ReactNode }): ReactNode {
  return (
    <Group justify="space-between" align="flex-start" mb="lg" gap="md">
      <Stack gap={4} style={{ flex: '1 1 320px' }}>
        <Title order={2}>{p.title}</Title>
        {p.description && (
          <Text c="dimmed" size="sm" maw={720}>
            {p.description}
          </Text>
        )}
      </Stack>
      {p.actions && <Group gap="sm">{p.actions}</Group>}
    </Group>
  );
}
