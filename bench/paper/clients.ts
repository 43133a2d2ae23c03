/** The real clients: installed from Debian's packages on first use, run with a time limit. */
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './fixture';

/** Install the Debian packages that are missing (scripts/install-clients.sh; needs root and apt). */
export function ensureClients(packages: string[]): void {
  execFileSync(path.join(ROOT, 'scripts/install-clients.sh'), packages, { stdio: 'inherit', timeout: 300_000 });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the client after this long (every load is bounded in time). */
  timeoutMs: number;
  /** Pin the client to these CPUs with taskset. */
  cpus?: string;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Run a client to completion (or its time limit) and collect what it printed. */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const [file, argv] = options.cpus ? ['taskset', ['-c', options.cpus, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
    // A client that exits without reading its input closes the pipe: its exit status says what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** CPU sets for a server and its load generator on this 2-core machine (undefined without taskset). */
export const CPUS: { server?: string; client?: string } = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return { server: '0', client: '1' };
  } catch {
    return {};
  }
})();
