/**
 * `node echo.js [--control]` (with an IPC channel; run by run.ts): both builds of the echo server
 * (bench/programs/echo.ts) in this one process, each on its own port. Both then run on the same
 * Node internals, compiled once: the sockets and streams that take nearly all of a request's time.
 * Sends { plain, quiesce } (the ports), then answers each { type: 'cpu' } with { cpuUs } (and exits on { type: 'stop' }), the CPU time this
 * process has used so far, so that the parent can charge the CPU time of a stretch of load to the
 * build that served it. With `--control` both ports serve a copy of the plain build, each loaded
 * anew: what the method reads when there is no difference.
 */
import * as path from 'node:path';
import type { Variant } from './rounds';

const BUILD = path.join(__dirname, '..');

async function main(): Promise<void> {
  const ports = {} as Record<Variant, number>;
  const control = process.argv.includes('--control');
  for (const variant of ['plain', 'quiesce'] as const) {
    const file = require.resolve(path.join(BUILD, control ? 'plain' : variant, 'echo.js'));
    delete require.cache[file];
    const { listen } = require(file) as { listen: () => Promise<number> };
    ports[variant] = await listen();
  }
  process.send!(ports);
  process.on('message', (message: { type: 'cpu' | 'stop' }) => {
    if (message.type === 'stop') process.exit(0);
    const { user, system } = process.cpuUsage();
    process.send!({ cpuUs: user + system });
  });
}

void main();
