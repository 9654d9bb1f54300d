/**
 * @module
 * MyDataPage (placeholder until built).
 */
import { Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { PageProps } from '../sections.ts';

export function MyDataPage(_props: PageProps): ReactNode {
  return <Text>Not built yet.</Text>;
}
