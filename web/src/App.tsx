/**
 * @module
 * The portal shell: the login page, or for a logged-in user a header (who, which organization,
 * log out), the navigation of their role's sections, the integrity banner and the current page.
 */
import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useAuth, useUser } from './auth.tsx';
import { IntegrityBanner, useHealth } from './components/IntegrityBanner.tsx';
import { Login } from './Login.tsx';
import { roleColor, roleLabel } from './lib/roles.ts';
import { usePath } from './lib/route.ts';
import { sectionsOf } from './workspaces/sections.ts';

export function App(): ReactNode {
  const { user } = useAuth();
  const health = useHealth();
  if (!user)
    return (
      <>
        <IntegrityBanner health={health} />
        <Login />
      </>
    );
  return <Workspace health={health} />;
}

function Workspace({ health }: { health: ReturnType<typeof useHealth> }): ReactNode {
  const user = useUser();
  const { logout } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  const path = usePath();
  const sections = sectionsOf(user.role);
  const current = sections.find((s) => s.id === path[0]) ?? sections[0]!;
  const Page = current.page;
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h3">
              MedLedger
            </Title>
            {health && (
              <Badge
                color={health.status === 'compromised' ? 'red' : health.status === 'ok' ? 'green' : 'yellow'}
                variant="dot"
                visibleFrom="xs"
              >
                {health.status === 'compromised'
                  ? 'integrity alert'
                  : `chain verified · height ${String(health.height)}`}
              </Badge>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <div style={{ textAlign: 'right' }}>
              <Text size="sm" fw={600} lh={1.2}>
                {user.name}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2}>
                {user.org}
              </Text>
            </div>
            <Badge color={roleColor(user.role)}>{roleLabel(user.role)}</Badge>
            <Button
              variant="default"
              size="xs"
              onClick={() => {
                logout();
              }}
            >
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Sections">
        {sections
          .filter((s) => s.under === undefined)
          .map((s) => (
            <NavLink
              key={s.id}
              href={`#/${s.id}`}
              label={s.label}
              active={s.id === (current.under ?? current.id)}
              onClick={() => {
                close();
              }}
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <IntegrityBanner health={health} />
        <Page key={path.join('/')} params={current.id === path[0] ? path.slice(1) : []} />
      </AppShell.Main>
    </AppShell>
  );
}
