/**
 * `npm run bench:instructions`: what an update point and a lowered loop cost in machine
 * instructions per iteration, counted by valgrind's cachegrind, for each hot loop of
 * bench/programs/hotloop.ts, plain and transformed. Time on this shared machine moves a few percent
 * from one process to the next (the control rows of `npm run bench` show how much); an instruction
 * count under V8's --predictable (no concurrent compiler or collector threads) repeats from run to
 * run, so within one set-up it tells a change of a few instructions apart: what a change to the
 * emitted code costs. It does not see what instructions cost (caches, branches, code layout): the
 * time figures stay the target.
 *
 * Per loop and build, two runs in a child process under cachegrind (`instructions.js run <build>
 * <loop> <n> <warm>`), each warming the loop up the same way and then making one call of n
 * iterations; the difference of the two counts over the difference of the n's is the count per
 * iteration. The count repeats exactly for one set-up (to the instruction); across set-ups it
 * can still move when the heap does: the plain event loop read 971, 990 or 1,091 instructions per
 * iteration under different runner scripts until its commands became flat strings (hotloop.ts
 * says why), and now reads 961.2 in each. Compare builds within one run. Two runs go at a time.
 * valgrind comes from Debian's package, installed here when missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { HOT_LOOP_NAMES, type HotLoop } from './rounds';
import { percent } from './stats';

const BUILD = path.join(__dirname, '..');
const ROOT = path.join(__dirname, '../../..');
const BUILDS = ['plain', 'quiesce'] as const;
type Build = (typeof BUILDS)[number];
/** The second run has THIRD times the iterations of the first. */
const THIRD = 3;
const WARM_CALLS = 10;

/** `warm`: the iterations of each of the WARM_CALLS warm-up calls. */
const LOOPS: Array<{ loop: HotLoop; n: number; warm: number }> = [
  { loop: 'events', n: 200_000, warm: 100_000 },
  { loop: 'tight-async', n: 2_000_000, warm: 1_000_000 },
  { loop: 'tight-sync', n: 2_000_000, warm: 1_000_000 },
  { loop: 'await', n: 200_000, warm: 100_000 },
  { loop: 'for-await', n: 100_000, warm: 50_000 },
];

type Loop = (n: number) => number | Promise<number>;

/** In the child: warm the loop up, then one call of n iterations. */
async function runLoop(build: Build, name: string, n: number, warm: number): Promise<void> {
  require('quiesce');
  const loop = (require(path.join(BUILD, build, 'hotloop.js')) as { loops: Record<string, Loop> }).loops[name];
  for (let call = 0; call < WARM_CALLS; call++) await loop(warm);
  await loop(n);
}

/** valgrind from Debian's package if missing (scripts/install-clients.sh, as for the paper's clients; needs root). */
function ensureValgrind(): void {
  execFileSync(path.join(ROOT, 'scripts/install-clients.sh'), ['valgrind'], { stdio: 'inherit', timeout: 300_000 });
}

const run = promisify(execFile);

/** Instructions the whole child process ran. */
async function countInstructions(build: Build, loop: string, n: number, warm: number): Promise<number> {
  const args = ['--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null'];
  const { stderr } = await run('valgrind', [...args, process.execPath, '--predictable', __filename, 'run', build, loop, String(n), String(warm)], { maxBuffer: 1 << 24 }).catch(
    (error: Error & { stderr?: string }) => {
      throw new Error(`bench:instructions: ${build} ${loop} ${n} failed: ${error.message}\n${error.stderr ?? ''}`);
    },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (refs === null) throw new Error(`bench:instructions: no instruction count from cachegrind for ${build} ${loop} ${n}:\n${stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

async function perIteration(build: Build, loop: string, n: number, warm: number): Promise<number> {
  const [short, long] = await Promise.all([countInstructions(build, loop, n, warm), countInstructions(build, loop, THIRD * n, warm)]);
  return (long - short) / ((THIRD - 1) * n);
}

async function main(): Promise<void> {
  ensureValgrind();
  console.log(`quiesce bench:instructions: node ${process.version} --predictable under cachegrind; instructions per iteration = (count at ${THIRD}n - count at n) / ${THIRD - 1}n\n`);
  console.log('| hot loop | plain | transformed | difference | overhead |');
  console.log('|---|---:|---:|---:|---:|');
  const rows: Array<{ name: string; loop: HotLoop; plain: number; quiesce: number }> = [];
  for (const { loop, n, warm } of LOOPS) {
    const name = HOT_LOOP_NAMES[loop];
    process.stderr.write(`  ${name}...\n`);
    const plain = await perIteration('plain', loop, n, warm);
    const quiesce = await perIteration('quiesce', loop, n, warm);
    rows.push({ name, loop, plain, quiesce });
    console.log(`| ${name} | ${plain.toFixed(1)} | ${quiesce.toFixed(1)} | ${quiesce >= plain ? '+' : ''}${(quiesce - plain).toFixed(1)} | ${percent(quiesce / plain)} |`);
  }
  const date = new Date().toISOString();
  const file = path.join(ROOT, 'bench/results', `${date.slice(0, 16).replace(':', '-')}-instructions.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ date, node: process.version, cpu: os.cpus()[0]?.model, loops: LOOPS, rows }, null, 2)}\n`);
  console.log(`\ninstructions per iteration in ${path.relative(ROOT, file)}`);
}

if (process.argv[2] === 'run') {
  const [build, loop, n, warm] = process.argv.slice(3);
  if (!(BUILDS as readonly string[]).includes(build)) throw new Error(`instructions.js run: build must be ${BUILDS.join(' or ')}, got ${build}`);
  void runLoop(build as Build, loop, Number(n), Number(warm));
} else {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
