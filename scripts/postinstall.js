#!/usr/bin/env node
// @ts-check
/**
 * Completes `npm install` where npm skipped a platform package that the lockfile names for this
 * machine. npm skips an optional dependency whose `engines` the Node running npm does not satisfy,
 * even though the project's scripts run on the pinned Node 24 (the `node` devDependency): Debian 12's
 * npm 9.2 on its Node 18 skips rolldown's native binding, and the portal build then fails. Each
 * missing package is fetched with `npm pack` at the locked version, checked against the lockfile's
 * integrity hash, and unpacked where npm would have put it. Nothing is done when nothing is missing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** @returns {'glibc' | 'musl'} */
function libc() {
  const header = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report.getReport());
  return header.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/**
 * npm 9 rewrites the lockfile without the `libc` field; the package name still tells.
 * @param {string} path
 * @returns {string[] | undefined}
 */
function libcOfName(path) {
  if (/-musl(-|$)/.test(path)) return ['musl'];
  if (/-gnu(-|eabihf|$)/.test(path)) return ['glibc'];
  return undefined;
}

/**
 * @param {string[] | undefined} allowed
 * @param {string} value
 */
function fits(allowed, value) {
  if (!allowed) return true;
  const blocked = allowed.filter((a) => a.startsWith('!')).map((a) => a.slice(1));
  const wanted = allowed.filter((a) => !a.startsWith('!'));
  return !blocked.includes(value) && (wanted.length === 0 || wanted.includes(value));
}

/** @typedef {{ version: string, integrity?: string, optional?: boolean, dev?: boolean, os?: string[], cpu?: string[], libc?: string[] }} Locked */

/** @returns {[string, Locked][]} the lockfile's platform packages for this machine that are not installed */
function missing() {
  const lock = /** @type {{ packages: Record<string, Locked> }} */ (
    JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
  );
  const c = process.platform === 'linux' ? libc() : undefined;
  const omitDev =
    (process.env.npm_config_omit ?? '').includes('dev') || process.env.NODE_ENV === 'production';
  return Object.entries(lock.packages).filter(
    ([path, p]) =>
      path.startsWith('node_modules/') &&
      p.optional === true &&
      !(omitDev && p.dev === true) &&
      (p.os !== undefined || p.cpu !== undefined) &&
      fits(p.os, process.platform) &&
      fits(p.cpu, process.arch) &&
      (c === undefined || fits(p.libc ?? libcOfName(path), c)) &&
      !existsSync(join(root, path, 'package.json')),
  );
}

/**
 * @param {string} path lockfile key, e.g. node_modules/@rolldown/binding-linux-x64-gnu
 * @param {Locked} p
 */
function install(path, p) {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const tmp = mkdtempSync(join(tmpdir(), 'medledger-pack-'));
  try {
    const npm = process.env.npm_execpath;
    const [cmd, args] = npm ? [process.execPath, [npm]] : ['npm', []];
    const packed = spawnSync(cmd, [...args, 'pack', `${name}@${p.version}`, '--silent'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    const file = packed.stdout.trim().split('\n').at(-1) ?? '';
    if (packed.status !== 0 || !file)
      throw new Error(`npm pack ${name}@${p.version} failed: ${packed.stderr}`);
    const bytes = readFileSync(join(tmp, file));
    if (p.integrity) {
      const [algo, want] = p.integrity.split('-', 2);
      const got = createHash(algo ?? 'sha512')
        .update(bytes)
        .digest('base64');
      if (got !== want) throw new Error(`${name}@${p.version}: integrity mismatch with package-lock.json`);
    }
    const dest = join(root, path);
    mkdirSync(dest, { recursive: true });
    const untar = spawnSync('tar', ['-xzf', join(tmp, file), '--strip-components=1', '-C', dest]);
    if (untar.status !== 0) throw new Error(`unpacking ${name} failed: ${String(untar.stderr)}`);
    console.log(
      `medledger: installed ${name}@${p.version}, which this npm skipped (the scripts run on Node 24)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

for (const [path, p] of missing()) install(path, p);
