/**
 * @module
 * The first step of `npm test`: the suites need two programs besides Node, etcd (the consortium and
 * etcd-orderer tests start their own clusters on free loopback ports) and Chromium (the portal's
 * browser tests). When one is missing and this runs as root on a machine with apt-get, it installs
 * Debian's packages; services are kept from starting during the install (policy-rc.d), since the
 * tests start their own. Otherwise it stops before any test runs, with one message that names each
 * missing program and the command that installs it: a suite is never skipped silently.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

interface Tool {
  readonly program: string;
  readonly usedBy: string;
  /** Where the tests look for it. */
  readonly find: () => string | undefined;
  readonly debian: string;
  readonly brew: string;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(executable);

/** test/e2e/browser.ts launches CHROMIUM_PATH, else /usr/bin/chromium. */
const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const TOOLS: readonly Tool[] = [
  {
    program: 'etcd',
    usedBy: 'consortium tests',
    find: () => onPath('etcd'),
    debian: 'etcd-server',
    brew: 'brew install etcd',
  },
  {
    program: 'chromium',
    usedBy: 'browser tests',
    find: () => (executable(chromiumPath()) ? chromiumPath() : undefined),
    debian: 'chromium',
    brew: 'brew install --cask chromium && export CHROMIUM_PATH="/Applications/Chromium.app/Contents/MacOS/Chromium"',
  },
];

const missingTools = (): Tool[] => TOOLS.filter((t) => t.find() === undefined);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${String(r.status ?? r.signal)}`);
}

/** apt-get install with services held back: the package scripts ask policy-rc.d, which says no (101). */
function aptInstall(packages: string[]): void {
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], env);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], env);
  } finally {
    if (ours) rmSync(policy, { force: true });
  }
}

function installCommand(missing: readonly Tool[]): string {
  const debian = missing.map((t) => t.debian).join(' ');
  if (onPath('apt-get'))
    return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${debian}`;
  if (onPath('brew')) return missing.map((t) => t.brew).join(' && ');
  return `on Debian or Ubuntu: apt-get install ${debian} (Chromium elsewhere: set CHROMIUM_PATH to its binary)`;
}

const missing = missingTools();
if (missing.length > 0) {
  const names = missing.map((t) => `${t.program} (${t.usedBy})`).join(', ');
  const root = process.getuid?.() === 0;
  if (root && onPath('apt-get')) {
    console.error(`npm test: installing ${names} from Debian's packages…`);
    try {
      aptInstall(missing.map((t) => t.debian));
    } catch (e) {
      console.error(`npm test: the install failed: ${(e as Error).message}`);
    }
  }
  const still = missingTools();
  if (still.length > 0) {
    console.error(
      `npm test needs ${still.map((t) => `${t.program} (${t.usedBy})`).join(' and ')}, not found; ` +
        `install with: ${installCommand(still)}`,
    );
    process.exit(1);
  }
}
