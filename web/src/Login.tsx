/**
 * @module
 * The login page: email and password, generic errors from the node, and in demo mode a "try as…"
 * picker that logs in as any demo identity with one click.
 */
import {
  Alert,
  Anchor,
  Button,
  Card,
  Container,
  Group,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
  Badge,
} from '@mantine/core';
import { useState } from 'react';
import type { ReactNode, SyntheticEvent } from 'react';
import { api, ApiError } from './api.ts';
import { useAuth } from './auth.tsx';
import { useAsync } from './lib/use-async.ts';
import type { DemoIdentity } from '../../src/api/contract/auth.ts';
import { roleColor, roleLabel } from './lib/roles.ts';

interface Demo {
  readonly password: string;
  readonly identities: readonly DemoIdentity[];
}

export function Login(): ReactNode {
  const { login, endedBecause } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const demo = useAsync((signal) => api.get<Demo>('/demo', signal).catch(() => null), []);

  const submit = async (e: string, p: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await login(e, p);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 429
          ? 'Too many attempts. Please wait a few minutes and try again.'
          : err instanceof ApiError && err.status === 401
            ? 'Email or password is incorrect.'
            : `Could not log in: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (ev: SyntheticEvent): void => {
    ev.preventDefault();
    void submit(email.trim(), password);
  };

  return (
    <Container size={460} py={48}>
      <Stack gap="lg">
        <div>
          <Title order={1}>MedLedger</Title>
          <Text c="dimmed">Tamper-evident medical records that patients control.</Text>
        </div>
        {endedBecause && (
          <Alert color="yellow" role="status">
            {endedBecause}
          </Alert>
        )}
        <Card
          withBorder
          shadow="sm"
          padding="lg"
          radius="md"
          component="form"
          onSubmit={onSubmit}
          aria-label="Log in"
        >
          <Stack>
            <Title order={2} size="h3">
              Log in
            </Title>
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => {
                setEmail(e.currentTarget.value);
              }}
              data-autofocus
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => {
                setPassword(e.currentTarget.value);
              }}
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Log in
            </Button>
          </Stack>
        </Card>
        {demo.data && (
          <Card withBorder padding="lg" radius="md" aria-label="Try as a demo user">
            <Title order={2} size="h4" mb={4}>
              Try as…
            </Title>
            <Text size="sm" c="dimmed" mb="sm">
              Demo node: pick an identity to log in with the demo password.
            </Text>
            <Stack gap="xs">
              {demo.data.identities.map((d) => (
                <Button
                  key={d.email}
                  variant="light"
                  justify="space-between"
                  disabled={busy}
                  onClick={() => {
                    void submit(d.email, demo.data!.password);
                  }}
                  rightSection={<Badge color={roleColor(d.role)}>{roleLabel(d.role)}</Badge>}
                  aria-label={`Try as ${d.name}, ${roleLabel(d.role)}`}
                >
                  {d.name} · {d.org}
                </Button>
              ))}
            </Stack>
          </Card>
        )}
        <Group justify="center" gap="lg">
          <Anchor href="/docs" size="sm">
            API documentation
          </Anchor>
          <Anchor href="/fhir/R4/metadata" size="sm">
            FHIR R4 API
          </Anchor>
        </Group>
      </Stack>
    </Container>
  );
}
