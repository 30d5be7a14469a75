import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  findFreePort,
  startEmbeddedPostgres,
  type RunningEmbeddedPostgres,
} from '../../src/database/embedded-postgres.starter.js';

/** The repository root, from dist/bench/lib or bench/lib alike. */
export const REPO_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes('/dist/') ? resolve(here, '../../..') : resolve(here, '../..');
})();
export const DIST = join(REPO_ROOT, 'dist');

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  loadAverage: number[];
  node: string;
  platform: string;
  commit: string;
  dirty: boolean;
}

export function describeMachine(): Machine {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    // Others share this machine: the load at the start says how noisy the figures are.
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

/**
 * A throwaway PostgreSQL for one benchmark run: durable settings (fsync on), as in production,
 * so commit costs are real.
 */
export async function startBenchDatabase(log: (line: string) => void): Promise<RunningEmbeddedPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'billing-bench-pg-'));
  execFileSync('chmod', ['755', root]);
  const port = await findFreePort(25_000 + Math.floor(Math.random() * 10_000));
  log(`starting embedded PostgreSQL on 127.0.0.1:${port}`);
  return startEmbeddedPostgres({
    dir: join(root, 'data'),
    port,
    database: 'billing_bench',
    ephemeral: true,
    settings: { max_connections: '200' },
  });
}

export interface ChildServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Last lines of its output, for errors. */
  tail(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `node <script>` with `env` and waits until GET <healthPath> answers 200. Output is kept
 * in a small ring (the service logs one line per request; writing it to the terminal would
 * measure the terminal).
 */
export async function startChild(options: {
  script: string;
  env: Record<string, string>;
  port?: number;
  healthPath?: string;
  nodeArgs?: string[];
  timeoutMs?: number;
  /** Where the child's output goes; default: kept in memory (last 64 kB). */
  outputFile?: string;
}): Promise<ChildServer> {
  const port = options.port ?? (await findFreePort(30_000 + Math.floor(Math.random() * 20_000)));
  // Output goes to a file, not through this process: reading a log line per request here would
  // take CPU from the load generator.
  const logFile = options.outputFile ?? join(mkdtempSync(join(tmpdir(), 'billing-bench-log-')), 'output.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env, PORT: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-8_192);
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.script} exited with ${child.exitCode}:\n${tail()}`);
    try {
      const res = await fetch(`${url}${options.healthPath ?? '/health'}`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.script} did not become healthy in time:\n${tail()}`);
    }
    await sleep(200);
  }
  return {
    url,
    port,
    process: child,
    tail,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export interface BenchResult {
  name: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  parameters: Record<string, unknown>;
  figures: Record<string, unknown>;
}

export function writeResult(result: BenchResult): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** A plain text table: one header row, right-aligned numbers. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => String(cell)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux). Unlike
 * throughput it hardly moves when other work shares the machine, so it is what the benchmarks
 * compare per request. Undefined where /proc is missing.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
