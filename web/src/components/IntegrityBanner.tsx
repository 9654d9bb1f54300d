/**
 * @module
 * The red banner every page shows while the node reports an integrity problem (`/health` 503),
 * polled every 5 s, naming each problem's location.
 */
import { Alert, List } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { Health } from '../../../src/api/contract/ops.ts';

async function health(signal: AbortSignal): Promise<Health> {
  const r = await fetch('/health', { signal });
  return (await r.json()) as Health;
}

export function useHealth(intervalMs = 5000): Health | undefined {
  const [h, setH] = useState<Health>();
  useEffect(() => {
    const ac = new AbortController();
    const tick = (): void => {
      health(ac.signal).then(setH, () => undefined);
    };
    tick();
    const t = window.setInterval(tick, intervalMs);
    return () => {
      ac.abort();
      window.clearInterval(t);
    };
  }, [intervalMs]);
  return h;
}

export function IntegrityBanner({ health: h }: { health: Health | undefined }): ReactNode {
  if (h?.status !== 'compromised') return null;
  const problems = h.problems ?? [];
  return (
    <Alert
      color="red"
      variant="filled"
      title="Integrity alert: this ledger has been tampered with"
      role="alert"
      mb="md"
    >
      The node found {problems.length} problem{problems.length === 1 ? '' : 's'} in its stored data. Do not
      rely on what you read until an administrator has investigated.
      <List size="sm" mt="xs">
        {problems.slice(0, 5).map((p, i) => (
          <List.Item key={i}>
            {`block ${String(p.height)}`}
            {p.tx === undefined ? '' : `, transaction ${String(p.tx)}`}: {p.kind} — {p.detail}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
