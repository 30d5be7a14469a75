import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RawEnvironment } from '../../src/config/load-config.js';
import { REPO_ROOT } from './create-test-app.js';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Compiles the service (dist/) so the CLI can run as a real process, as `npm run cli` runs it. */
export async function buildCli(): Promise<void> {
  await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
  if (!existsSync(join(REPO_ROOT, 'dist/src/cli/main.js'))) throw new Error('the build left no dist/src/cli/main.js');
}

/** Runs `node dist/src/cli/main.js <args>` with only the given environment (plus PATH and HOME). */
export async function runCli(args: string[], env: RawEnvironment): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, 'dist/src/cli/main.js'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
      maxBuffer: 10 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
