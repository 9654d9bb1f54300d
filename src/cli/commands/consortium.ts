/**
 * @module
 * `consortium init` writes the member data directories and genesis file of a new consortium;
 * `consortium invite` / `consortium join` prepare a new member after genesis (the members then admit
 * it by quorum through the API);
 * `consortium up --nodes 3` runs a whole consortium on this machine: a local 3-member etcd cluster
 * and one node process per member on loopback (ports printed; Ctrl-C stops them all). Node 1 gets
 * the demo users and synthetic patients; every other member's admin password is printed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import {
  GENESIS_FILE,
  initConsortium,
  invitationOf,
  isMemberDir,
  prepareJoin,
} from '../../consortium/consortium-genesis.ts';
import type { Invitation } from '../../consortium/consortium-genesis.ts';
import { writeFileDurable } from '../../chain/data-dir.ts';
import { EtcdCluster } from '../../ordering/etcd-cluster.ts';
import { intArg, UsageError } from '../options.ts';

const MEMBER_ORGS = [
  { org: 'st-marys', name: "St Mary's Hospital" },
  { org: 'lakeside', name: 'Lakeside General' },
  { org: 'hillcrest', name: 'Hillcrest Clinic' },
  { org: 'northgate', name: 'Northgate Medical' },
  { org: 'bayview', name: 'Bayview Health' },
];

interface UpOptions {
  dir: string;
  nodes: number;
  port: number;
  etcdPort: number;
  patients: number;
  difficulty: number;
}

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export function registerConsortium(program: Command): void {
  const c = program
    .command('consortium')
    .description('several hospital nodes sharing one chain through etcd');
  c.command('init')
    .description('write member data directories (node keys, private settings) and the genesis file')
    .requiredOption('--dir <dir>', 'folder for the member data directories node-1, node-2, …')
    .requiredOption('--etcd <urls>', 'comma-separated etcd client URLs of the ordering cluster')
    .requiredOption(
      '--members <list>',
      'comma-separated org:Name:url, one per member (url = its node’s HTTP address)',
    )
    .option('--chain-id <id>', 'chain id', 'medledger-consortium')
    .option('--difficulty <bits>', 'minimum proof-of-work difficulty', intArg('difficulty', 0, 24), 12)
    .action(
      async (o: { dir: string; etcd: string; members: string; chainId: string; difficulty: number }) => {
        const members = o.members.split(',').map((m) => {
          const [org, name, ...url] = m.split(':');
          if (!org || !name || url.length === 0)
            throw new UsageError(`--members: "${m}" is not org:Name:url`);
          return { org, name, url: url.join(':') };
        });
        const { dirs, genesis } = await initConsortium({
          dir: o.dir,
          chainId: o.chainId,
          endpoints: o.etcd.split(','),
          members,
          difficulty: o.difficulty,
        });
        process.stdout.write(`consortium ${genesis.chainId}: genesis ${genesis.block.hash}\n`);
        for (const [i, d] of dirs.entries())
          process.stdout.write(
            `  ${members[i]!.org.padEnd(12)} ${d}  node key ${genesis.members[i]!.keyId}\n`,
          );
        process.stdout.write('copy each directory to its machine and run: medledger serve --data <dir>\n');
      },
    );
  c.command('invite')
    .description('on a member: write an invitation for a new member (genesis + consortium index key)')
    .requiredOption('--data <dir>', "this member's data directory")
    .requiredOption('--out <file>', 'invitation file to write (mode 0600; hand it over a secure channel)')
    .action((o: { data: string; out: string }) => {
      if (!isMemberDir(o.data)) throw new UsageError(`${o.data} is not a consortium member's data directory`);
      if (existsSync(o.out)) throw new UsageError(`${o.out} exists; not overwriting it`);
      writeFileDurable(o.out, `${JSON.stringify(invitationOf(o.data), null, 2)}\n`, 0o600);
      process.stdout.write(
        `invitation written to ${o.out} (it holds the consortium index key: keep it secret)\n`,
      );
    });
  c.command('join')
    .description("on a new hospital: prepare its node's data directory from an invitation")
    .requiredOption('--invite <file>', 'invitation from a member (consortium invite)')
    .requiredOption('--dir <dir>', 'data directory of the new node')
    .requiredOption('--org <slug>', 'organization id of the new hospital, e.g. eastwood')
    .requiredOption('--name <name>', 'its display name')
    .requiredOption('--url <url>', 'where the new node will answer the other members (its HTTP address)')
    .action((o: { invite: string; dir: string; org: string; name: string; url: string }) => {
      let invitation: Invitation;
      try {
        invitation = JSON.parse(readFileSync(o.invite, 'utf8')) as Invitation;
      } catch (e) {
        throw new UsageError(`--invite: cannot read ${o.invite}: ${(e as Error).message}`);
      }
      const proposal = prepareJoin({ invitation, dir: o.dir, org: o.org, name: o.name, url: o.url });
      process.stdout.write(
        `new member directory ${o.dir} (node key ${proposal.publicKey}).\n` +
          'An admin of a member proposes it (a quorum of members must approve):\n' +
          `  POST <member>/api/v1/consortium/proposals  ${JSON.stringify(proposal)}\n` +
          '  POST <other member>/api/v1/consortium/proposals/<id>/approve\n' +
          `Then start it: medledger serve --data ${o.dir} (it waits for the quorum, then catches up).\n`,
      );
    });
  c.command('up')
    .description('run a local consortium: an etcd cluster and one node per member, on loopback')
    .option('--dir <dir>', 'where the consortium lives', './consortium')
    .option('--nodes <n>', 'member nodes', intArg('nodes', 1, MEMBER_ORGS.length), 3)
    .option('--port <n>', 'HTTP port of node 1 (the others follow)', intArg('port', 1, 65000), 8081)
    .option(
      '--etcd-port <n>',
      'first etcd client port (peer ports follow)',
      intArg('etcd-port', 1, 65000),
      23790,
    )
    .option('--patients <n>', 'synthetic patients on node 1', intArg('patients', 0, 10_000), 20)
    .option('--difficulty <bits>', 'minimum proof-of-work difficulty', intArg('difficulty', 0, 24), 8)
    .action(async (o: UpOptions) => {
      await up(o);
    });
}

async function up(o: UpOptions): Promise<void> {
  const dir = resolve(o.dir);
  const etcd = await EtcdCluster.start({ dir: join(dir, 'etcd'), members: 3, basePort: o.etcdPort });
  process.stderr.write(`etcd: ${etcd.endpoints.join(' ')}\n`);
  const urls = Array.from({ length: o.nodes }, (_, i) => `http://127.0.0.1:${o.port + i}`);
  const nodeDirs = urls.map((_, i) => join(dir, `node-${i + 1}`));
  if (!existsSync(join(nodeDirs[0]!, GENESIS_FILE))) {
    await initConsortium({
      dir,
      chainId: 'medledger-consortium',
      endpoints: etcd.endpoints,
      members: urls.map((url, i) => ({ ...MEMBER_ORGS[i]!, url })),
      difficulty: o.difficulty,
    });
  }
  const password = process.env.MEDLEDGER_ADMIN_PASSWORD ?? randomBytes(9).toString('base64url');
  const procs: ChildProcess[] = nodeDirs.map((d, i) => {
    const log = openSync(join(dir, `node-${i + 1}.log`), 'a');
    const args = [MAIN, 'serve', '--data', d, '--port', String(o.port + i)];
    if (i === 0) args.push('--demo', '--patients', String(o.patients));
    const p = spawn(process.execPath, args, {
      stdio: ['ignore', log, log],
      env: { ...process.env, MEDLEDGER_ADMIN_PASSWORD: password },
    });
    closeSync(log);
    return p;
  });
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    stopping = true;
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(
      procs.map((p) =>
        p.exitCode === null
          ? new Promise<void>((r) =>
              p.once('exit', () => {
                r();
              }),
            )
          : Promise.resolve(),
      ),
    );
    await etcd.stop();
    process.exit(code);
  };
  for (const [i, p] of procs.entries())
    p.once('exit', (code) => {
      if (!stopping)
        process.stderr.write(`node-${i + 1} exited (${String(code)}); see ${dir}/node-${i + 1}.log\n`);
    });
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  await Promise.all(urls.map((u) => waitHealthy(`${u}/health`, 180_000)));
  process.stderr.write(`\nMedLedger consortium of ${o.nodes} nodes (data in ${dir}):\n`);
  for (const [i, u] of urls.entries())
    process.stderr.write(
      `  node-${i + 1}  ${MEMBER_ORGS[i]!.name.padEnd(20)} ${u}   (log ${dir}/node-${i + 1}.log)\n`,
    );
  process.stderr.write(
    `  node-1 demo users: see ${nodeDirs[0]}/demo-credentials.json; other nodes' admin@<org>.example password: ${password}\n` +
      `  consortium status: GET <node>/api/v1/consortium · Ctrl-C stops everything\n`,
  );
}

async function waitHealthy(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy in ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
