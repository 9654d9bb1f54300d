/**
 * @module
 * `serve`: runs a node's HTTP server (native API, FHIR R4 API, docs, health, metrics). With `--demo`
 * (what `npm start` runs) the first start creates the data directory, the default admin, demo users
 * for every role and synthetic patients, and writes their credentials to `<data>/demo-credentials.json`
 * (mode 0600); later starts reuse the data. Without `--demo`, the first start needs the first
 * admin's password from MEDLEDGER_ADMIN_PASSWORD or a prompt. SIGINT/SIGTERM close gracefully:
 * requests in flight finish and every pending transaction is committed before the process exits.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { buildServer } from '../../api/server.ts';
import type { DemoInfo } from '../../api/contract/auth.ts';
import { ConsortiumMember } from '../../consortium/consortium.ts';
import { isMemberDir, readMember } from '../../consortium/consortium-genesis.ts';
import { ledgerExists } from '../../chain/data-dir.ts';
import { DEFAULT_CACHE_SIZES } from '../../chain/caches.ts';
import { MedicalNode } from '../../medical/medical-node.ts';
import { DEMO_ORGS, demoStaff } from '../../sim/synthetic.ts';
import { dataDir, intArg, UsageError } from '../options.ts';
import { progressBar } from '../progress.ts';
import { conditionNames, demoPassword, seedNode } from '../demo-data.ts';
import { DEFAULT_TOKEN_LIFETIME } from '../../medical/api-tokens.ts';

interface ServeOptions {
  data?: string;
  port: number;
  host: string;
  cert?: string;
  key?: string;
  demo?: boolean;
  patients: number;
  difficulty: number;
  sqliteCacheMib: number;
  recordCache: number;
  keyCache: number;
  txIdBuffer: number;
  monitorEvery: number;
  tokenDays: number;
  tokenMaxDays: number;
  publicUrl?: string;
}

/** An http(s) base URL without query or fragment. */
function publicUrlArg(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(`--public-url must be a URL, got "${v}"`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search !== '' || u.hash !== '')
    throw new UsageError(`--public-url must be an http(s) URL without query or fragment, got "${v}"`);
  return u.toString().replace(/\/+$/, '');
}

export interface DemoCredentials {
  readonly users: readonly { role: string; email: string; password: string }[];
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the node: HTTP API, FHIR R4 API, API docs, health and metrics')
    .option('--data <dir>', 'data directory (or MEDLEDGER_DATA)')
    .option('--port <n>', 'port (or PORT)', intArg('port', 0, 65535), Number(process.env.PORT ?? 8080))
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--cert <file>', 'TLS certificate (PEM); with --key, serve HTTPS')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--demo', 'first start: demo users for every role and synthetic patients')
    .option('--patients <n>', 'synthetic patients for --demo', intArg('patients', 0, 10_000), 100)
    .option(
      '--difficulty <bits>',
      'minimum proof-of-work difficulty of a new chain',
      intArg('difficulty', 0, 24),
      12,
    )
    .option(
      '--sqlite-cache-mib <n>',
      'SQLite page cache of each database file (ledger, vault), MiB',
      intArg('sqlite-cache-mib', 1, 65_536),
      DEFAULT_CACHE_SIZES.sqliteMiB,
    )
    .option(
      '--record-cache <n>',
      'entries of each per-record cache in memory (unwrapped keys, blind ids)',
      intArg('record-cache', 100, 100_000_000),
      DEFAULT_CACHE_SIZES.records,
    )
    .option(
      '--key-cache <n>',
      'directory keys kept in memory (the rest are read from the ledger database)',
      intArg('key-cache', 100, 100_000_000),
      DEFAULT_CACHE_SIZES.keys,
    )
    .option(
      '--tx-id-buffer <n>',
      'ids of recent transactions kept in memory before they are merged into the id index on disk',
      intArg('tx-id-buffer', 128, 100_000_000),
      DEFAULT_CACHE_SIZES.txIds,
    )
    .option(
      '--monitor-every <seconds>',
      'pause between two runs of the integrity monitor (each checks the next window of the chain)',
      intArg('monitor-every', 1, 86_400),
      5,
    )
    .option(
      '--public-url <url>',
      'the base URL clients reach this node at, for Location headers and FHIR fullUrls (default: the listening address; the Host header is never used)',
      publicUrlArg,
    )
    .option(
      '--token-days <n>',
      "API tokens' lifetime when their creator names none",
      intArg('token-days', 1, 3650),
      DEFAULT_TOKEN_LIFETIME.defaultDays,
    )
    .option(
      '--token-max-days <n>',
      "API tokens' longest lifetime",
      intArg('token-max-days', 1, 3650),
      DEFAULT_TOKEN_LIFETIME.maxDays,
    )
    .action(async (o: ServeOptions) => {
      await serve(dataDir(o.data), o);
    });
}

async function serve(dir: string, o: ServeOptions): Promise<void> {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new UsageError('--cert and --key go together');
  if (o.tokenDays > o.tokenMaxDays) throw new UsageError('--token-days must not exceed --token-max-days');
  const fresh = !ledgerExists(dir);
  const adminPassword = fresh ? await firstAdminPassword(o.demo === true) : undefined;
  // A consortium member's data directory (see `medledger consortium init`) joins the shared chain.
  const member = isMemberDir(dir) ? readMember(dir) : undefined;
  const consortium = member
    ? ConsortiumMember.connect(member.genesis, {
        onAlert: (msg, fields) => {
          process.stderr.write(`${JSON.stringify({ level: 'warn', time: Date.now(), msg, ...fields })}\n`);
        },
      })
    : undefined;
  const org = member
    ? { id: member.secrets.org, name: member.secrets.name }
    : { id: DEMO_ORGS[0]!.slug, name: DEMO_ORGS[0]!.name };
  const { node, admin } = await MedicalNode.open(dir, {
    org,
    difficulty: o.difficulty,
    tokenLifetime: { defaultDays: o.tokenDays, maxDays: o.tokenMaxDays },
    ...(consortium && member ? { consortium, indexKey: member.indexKey } : {}),
    ...(o.demo ? { adminEmail: demoStaff()[0]!.email } : {}),
    ...(adminPassword ? { adminPassword } : {}),
    caches: {
      sqliteMiB: o.sqliteCacheMib,
      records: o.recordCache,
      keys: o.keyCache,
      txIds: o.txIdBuffer,
    },
    progress: progressBar('building the state tables from the chain (once): block'),
  });
  if (o.demo && fresh) await seedDemo(node, dir, o.patients);
  const server = await buildServer({
    node,
    monitorIntervalMs: o.monitorEvery * 1000,
    conditionNames: conditionNames(),
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
    ...(o.demo ? { demo: demoInfo(node) } : {}),
    ...(o.cert && o.key ? { https: { cert: readFileSync(o.cert), key: readFileSync(o.key) } } : {}),
  });
  const address = await server.listen(o.port, o.host);
  const url = address.replace('://127.0.0.1', '://127.0.0.1').replace('[::1]', '[::1]');
  process.stderr.write(
    `\nMedLedger node for ${org.name} at ${url}${consortium ? ` (consortium ${member?.genesis.chainId ?? ''})` : ''}\n  API docs ${url}/docs · FHIR ${url}/fhir/R4 · health ${url}/health\n`,
  );
  if (admin && !o.demo) process.stderr.write(`  first admin: ${admin.email}\n`);
  const creds = join(dir, 'demo-credentials.json');
  if (o.demo && existsSync(creds)) {
    const c = JSON.parse(readFileSync(creds, 'utf8')) as DemoCredentials;
    process.stderr.write(`  demo users (password "${c.users[0]?.password ?? ''}"; also in ${creds}):\n`);
    for (const u of c.users) process.stderr.write(`    ${u.role.padEnd(10)} ${u.email}\n`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: finishing requests in flight and committing pending transactions…\n`);
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`shutdown failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => {
    stop('SIGINT');
  });
  process.once('SIGTERM', () => {
    stop('SIGTERM');
  });
}

async function firstAdminPassword(demo: boolean): Promise<string> {
  if (demo) return demoPassword();
  const env = process.env.MEDLEDGER_ADMIN_PASSWORD;
  if (env) return env;
  if (!process.stdin.isTTY)
    throw new UsageError(
      'first start: set MEDLEDGER_ADMIN_PASSWORD to the first admin’s password (or run on a terminal to be asked)',
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question('password for the first admin (at least 10 characters): ')).trim();
  } finally {
    rl.close();
  }
}

/** The demo identities that exist on this node, for the portal's "try as…" picker. */
export function demoInfo(node: MedicalNode): DemoInfo {
  const identities = demoStaff().flatMap((u) => {
    const account = node.accounts.byEmail(u.email);
    return account ? [{ email: u.email, name: account.name, role: u.role, org: u.org }] : [];
  });
  return { password: demoPassword(), identities };
}

/**
 * Demo data on a fresh node (see demo-data.ts) and the credentials file `npm start` promises; the
 * patients' demo consents unless `consents` is false (tests that start from none).
 */
export async function seedDemo(node: MedicalNode, dir: string, n: number, consents = true): Promise<void> {
  const { users, password } = await seedNode(node, n, 1, { consents });
  const creds: DemoCredentials = { users: users.map((u) => ({ role: u.role, email: u.email, password })) };
  writeFileSync(join(dir, 'demo-credentials.json'), `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
}
