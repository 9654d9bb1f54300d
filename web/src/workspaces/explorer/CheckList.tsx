/**
 * @module
 * The result of a browser verification: a summary alert, then one line per check with ✓ or ✗, what
 * it checks and what was computed (or what differs).
 */
import { Alert, Group, List, Stack, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Check } from '../../lib/verify/checks.ts';

export function CheckList({ checks, okTitle }: { checks: readonly Check[]; okTitle: string }): ReactNode {
  const failed = checks.filter((c) => !c.ok);
  return (
    <Stack gap="sm">
      {failed.length === 0 ? (
        <Alert color="teal" title={okTitle}>
          All {String(checks.length)} checks passed, computed here in your browser with WebCrypto.
        </Alert>
      ) : (
        <Alert
          color="red"
          role="alert"
          title={`${String(failed.length)} of ${String(checks.length)} checks failed`}
        >
          First failure: {failed[0]!.label} — {failed[0]!.detail}
        </Alert>
      )}
      <List spacing="xs" listStyleType="none" aria-label="Verification checks">
        {checks.map((c) => (
          <List.Item key={c.id} data-check={c.id} data-ok={c.ok}>
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <ThemeIcon
                color={c.ok ? 'teal' : 'red'}
                size="sm"
                radius="xl"
                aria-label={c.ok ? 'passed' : 'failed'}
              >
                {c.ok ? '✓' : '✗'}
              </ThemeIcon>
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={500}>
                  {c.label}
                </Text>
                <Text size="xs" c={c.ok ? 'dimmed' : 'red'} ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {c.detail}
                </Text>
              </div>
            </Group>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
