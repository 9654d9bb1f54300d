/**
 * @module
 * Starts and stops a local etcd cluster on loopback (Debian's `etcd-server`): for `medledger
 * consortium up` and for the consortium tests. Every member listens on 127.0.0.1 only; each keeps
 * its data in its own folder so a stopped member restarts and rejoins with its Raft log. Requests up
 * to 8 MiB are accepted (a full block is one etcd value); the heartbeat and election timeouts are
 * etcd's LAN defaults (100 ms / 1 s).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Etcd3 } from 'etcd3';

export const ETCD_MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
}

export interface EtcdClusterOptions {
  /** Folder holding one data folder (and log file) per member. */
  readonly dir: string;
  readonly members: number;
  /** First client port (peer ports follow the client ports); free ports are picked when omitted. */
  readonly basePort?: number;
  /** How long to wait for the cluster to answer (default 20 s). */
  readonly startTimeoutMs?: number;
}

/** A free TCP port on loopback (the OS picks it; another process could take it before use). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

/** Whether an `etcd` executable is on the PATH (spawn would fail later, once per member). */
function etcdOnPath(): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, 'etcd'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export class EtcdCluster {
  readonly members: readonly EtcdMember[];
  readonly #procs = new Map<string, ChildProcess>();
  readonly #initialCluster: string;
  readonly #dir: string;

  private constructor(dir: string, members: EtcdMember[]) {
    this.#dir = dir;
    this.members = members;
    this.#initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  /** Starts `members` etcd processes and waits until the cluster answers. */
  static async start(opts: EtcdClusterOptions): Promise<EtcdCluster> {
    if (!etcdOnPath())
      throw new Error('etcd is not on the PATH: install it with `apt-get install etcd-server` (Debian)');
    const members: EtcdMember[] = [];
    for (let i = 0; i < opts.members; i++) {
      const client = opts.basePort === undefined ? await freePort() : opts.basePort + i;
      const peer = opts.basePort === undefined ? await freePort() : opts.basePort + opts.members + i;
      const name = `etcd-${i + 1}`;
      members.push({
        name,
        clientUrl: `http://127.0.0.1:${client}`,
        peerUrl: `http://127.0.0.1:${peer}`,
        dataDir: join(opts.dir, name),
      });
    }
    const cluster = new EtcdCluster(opts.dir, members);
    for (const m of members) cluster.startMember(m.name);
    await cluster.waitReady(opts.startTimeoutMs ?? 20_000);
    return cluster;
  }

  /** Starts (or restarts) one member; its data folder keeps its Raft log across restarts. */
  startMember(name: string): void {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new RangeError(`no etcd member ${name}`);
    if (this.#procs.has(name)) return;
    mkdirSync(m.dataDir, { recursive: true, mode: 0o700 });
    const log = openSync(join(this.#dir, `${name}.log`), 'a');
    const proc = spawn(
      'etcd',
      [
        `--name=${m.name}`,
        `--data-dir=${m.dataDir}`,
        `--listen-client-urls=${m.clientUrl}`,
        `--advertise-client-urls=${m.clientUrl}`,
        `--listen-peer-urls=${m.peerUrl}`,
        `--initial-advertise-peer-urls=${m.peerUrl}`,
        `--initial-cluster=${this.#initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=medledger',
        `--max-request-bytes=${ETCD_MAX_REQUEST_BYTES}`,
        '--quota-backend-bytes=4294967296',
        '--logger=zap',
        '--log-level=warn',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    proc.once('exit', () => this.#procs.delete(name));
    this.#procs.set(name, proc);
  }

  /** Kills one member with SIGKILL (a crash, not a shutdown). */
  async killMember(name: string): Promise<void> {
    const p = this.#procs.get(name);
    if (!p) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  isRunning(name: string): boolean {
    return this.#procs.has(name);
  }

  /** Waits until a write through the running members succeeds. */
  async waitReady(timeoutMs: number): Promise<void> {
    const client = new Etcd3({ hosts: this.endpoints, dialTimeout: 1000 });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        try {
          await client.put('medledger-ready').value(String(Date.now()));
          return;
        } catch (e) {
          if (Date.now() > deadline) throw new Error(`etcd did not start in ${timeoutMs} ms`, { cause: e });
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => this.killMember(m.name)));
  }
}
