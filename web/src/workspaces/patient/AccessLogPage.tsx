/**
 * @module
 * AccessLogPage (placeholder until built).
 */
import { Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { PageProps } from '../sections.ts';

export function AccessLogPage(_props: PageProps): ReactNode {
  return <Text>Not built yet.</Text>;
}
