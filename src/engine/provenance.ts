/**
 * What produced a result file: tempolab's version and git commit, the onnxruntime and Node.js
 * versions, and a hash of the settings, so two results.json files can be told apart (or shown to
 * come from the same configuration) without rerunning anything. Git is optional: outside a
 * checkout, or without a git binary, the commit is null — provenance never makes a run fail.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ort from 'onnxruntime-node';

export interface Provenance {
  tempolab: string;
  /** HEAD of the checkout tempolab runs from, with "-dirty" when tracked files differ; null without git. */
  gitCommit: string | null;
  onnxruntime: string;
  node: string;
  /** sha256 of the settings as canonical JSON (keys sorted), first 16 hex digits. */
  settingsHash: string;
}

/** The package root: the nearest folder upwards whose package.json names tempolab. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'tempolab') return dir;
    } catch {
      // not the root yet
    }
    dir = path.dirname(dir);
  }
  return dir;
}

let cached: Omit<Provenance, 'settingsHash'> | null = null;

function gitCommit(root: string): string | null {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
    const head = run(['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40}$/.test(head)) return null;
    return run(['status', '--porcelain', '--untracked-files=no']) === '' ? head : `${head}-dirty`;
  } catch {
    return null;
  }
}

/** Canonical JSON: object keys sorted at every level, so equal settings hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function settingsHash(settings: unknown): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 16);
}

export function provenance(settings: unknown): Provenance {
  if (!cached) {
    const root = packageRoot();
    let version = 'unknown';
    try {
      version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // an installed copy without its package.json: the version stays unknown rather than failing the run
    }
    cached = { tempolab: version, gitCommit: gitCommit(root), onnxruntime: ort.env.versions.node ?? ort.env.versions.common, node: process.version };
  }
  return { ...cached, settingsHash: settingsHash(settings) };
}
