/**
 * The transform driven through its real host: small projects in a temporary folder built by the
 * `tspc` binary with this package's built transformer as plugin. Each build takes seconds, so all
 * of them start at once when this file loads and the tests await the one they need.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformSource, type Report } from 'quiesce/transformer';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.join(__dirname, '../..');
const TSPC = path.join(ROOT, 'node_modules/.bin/tspc');
// `quiesce/transformer` does not resolve from a temporary folder without installing the package.
const TRANSFORMER = path.join(ROOT, 'dist/transformer/index.js');
const TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-host-'));

// ---- the projects ----------------------------------------------------------------------------

/** A consumer strand: the built program shows its strand and applies an update. */
const MAIN = `import { Queue, requestUpdate, strands } from 'quiesce';

async function consume(queue: Queue<string>): Promise<void> {
  while (true) {
    const item = await queue.pop();
    if (item === 'stop') return;
    console.log('got', item);
  }
}

async function main(): Promise<void> {
  const queue = new Queue<string>();
  const done = consume(queue);
  await new Promise((resolve) => setImmediate(resolve));
  for (const strand of strands()) console.log('strand', strand.name, strand.status);
  const result = await requestUpdate(() => console.log('update applied'));
  console.log('outcome', result.outcome);
  await queue.push('a');
  await queue.push('stop');
  await done;
  console.log('strands left', strands().length);
}

main();
`;

/** Loops whose bodies throw: the stack must name the .ts line through the source map. */
const THROWS = `async function* numbers(): AsyncGenerator<number> {
  yield 1;
  yield 2;
}

async function whileTrue(): Promise<void> {
  let n = 0;
  while (true) {
    const value = await Promise.resolve(n++);
    if (value === 1) throw new Error('thrown in while (true)');
  }
}

async function forAwait(): Promise<void> {
  for await (const value of numbers()) {
    if (value === 2) throw new Error('thrown in for await');
  }
}

async function annotated(items: number[]): Promise<void> {
  // @quiescent
  while (items.length > 0) {
    const item = items[0];
    if (item < 0) console.log('negative');
    await Promise.resolve(item);
    if (item === 3) throw new Error('thrown in an annotated loop');
    items.shift();
  }
}

async function main(): Promise<void> {
  for (const run of [whileTrue, forAwait, () => annotated([1, 2, 3])]) {
    await run().catch((error: Error) => console.log(error.stack));
  }
}

main();
`;

const MISUSE = `// @quiescent
export const limit = 3;
`;

/** A file that compiles cleanly: a failing build can only be the plugin's options. */
const TRIVIAL = 'export const limit = 3;\n';

function project(name: string, plugin: Record<string, unknown>, files: Record<string, string>): string {
  const dir = path.join(TEMP, name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules'));
  // The built program requires the runtime as 'quiesce', and the compiler needs Node's types.
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules/quiesce'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules/@types'), path.join(dir, 'node_modules/@types'), 'dir');
  const compilerOptions = {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    sourceMap: true,
    rootDir: 'src',
    outDir: 'out',
    plugins: [{ transform: TRANSFORMER, ...plugin }],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'src', file), text);
  return dir;
}

interface Build {
  dir: string;
  status: number | null;
  output: string;
}

function tspc(dir: string): Promise<Build> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSPC, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ dir, status, output }));
  });
}

const builds = {
  good: tspc(project('good', { report: 'out/quiesce-report.json' }, { 'main.ts': MAIN, 'throws.ts': THROWS })),
  unknownOption: tspc(project('unknown-option', { interuptible: true }, { 'main.ts': TRIVIAL })),
  wrongType: tspc(project('wrong-type', { interruptible: 'yes' }, { 'main.ts': TRIVIAL })),
  misuse: tspc(project('misuse', {}, { 'misuse.ts': MISUSE })),
};

function runNode(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** 1-based line and column of the first occurrence of `needle`. */
function position(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `'${needle}' not in the source`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

// ---- the tests -------------------------------------------------------------------------------

test('tspc builds a project with the plugin, and the report is what the core reports', async () => {
  const build = await builds.good;
  assert.is(build.output, '');
  assert.is(build.status, 0);
  const report = JSON.parse(fs.readFileSync(path.join(build.dir, 'out/quiesce-report.json'), 'utf8')) as Report;
  assert.is(report.tool, 'quiesce');
  assert.is(report.interruptible, true);
  const sources: Record<string, string> = { 'main.ts': MAIN, 'throws.ts': THROWS };
  assert.equal(report.files.map((file) => file.file), Object.keys(sources));
  for (const file of report.files) {
    assert.equal(file, transformSource(sources[file.file], file.file, { displayName: file.file }).report, file.file);
  }
  // Counts read off the sources: one strand per event loop, the annotation as the one manual change.
  assert.is(report.files[0].strands, 1);
  assert.is(report.files[1].strands, 3);
  assert.is(report.files[1].manualChanges, 1);
  assert.is(report.total.strands, 4);
  assert.is(report.total.updatePoints, 4);
  assert.is(report.total.needsManualChange, 0);
});

test('the program tspc built runs its loop as a strand and applies an update', async () => {
  const build = await builds.good;
  const report = JSON.parse(fs.readFileSync(path.join(build.dir, 'out/quiesce-report.json'), 'utf8')) as Report;
  const loop = report.files.find((file) => file.file === 'main.ts')!.loops[0];
  const run = runNode(['out/main.js'], build.dir);
  assert.is(run.stderr, '');
  assert.is(run.status, 0);
  // The consumer waits for the queue at its loop head: quiescent, so the update applies at once.
  assert.equal(run.stdout.trim().split('\n'), [
    `strand ${loop.name} quiet`,
    'update applied',
    'outcome applied',
    'got a',
    'strands left 0',
  ]);
});

test('an unknown plugin option makes tspc fail, naming the option', async () => {
  const build = await builds.unknownOption;
  assert.is.not(build.status, 0);
  assert.match(build.output, /unknown option 'interuptible'/);
});

test('a non-boolean "interruptible" makes tspc fail, naming the option', async () => {
  const build = await builds.wrongType;
  assert.is.not(build.status, 0);
  assert.match(build.output, /option 'interruptible' must be true or false, got "yes"/);
});

test('@quiescent before a non-loop makes tspc exit 2 with the message pinned to file(line,col)', async () => {
  const build = await builds.misuse;
  assert.is(build.status, 2);
  const { line, column } = position(MISUSE, '// @quiescent');
  assert.match(build.output, `src/misuse.ts(${line},${column}): error TS99001: quiesce: '@quiescent' must stand right before a loop`);
});

for (const [kind, message] of [
  ['while (true)', 'thrown in while (true)'],
  ['for await', 'thrown in for await'],
  ['an annotated loop', 'thrown in an annotated loop'],
]) {
  test(`with source maps, a throw in ${kind} is reported at its line in the .ts file`, async () => {
    const build = await builds.good;
    const run = runNode(['--enable-source-maps', 'out/throws.js'], build.dir);
    assert.is(run.stderr, '');
    assert.is(run.status, 0);
    const stack = run.stdout.split(/\n(?=Error: )/).find((trace) => trace.startsWith(`Error: ${message}\n`));
    assert.ok(stack !== undefined, `no stack for '${message}' in:\n${run.stdout}`);
    const frame = stack!.split('\n')[1];
    const { line, column } = position(THROWS, `new Error('${message}')`);
    assert.match(frame, `${path.join(build.dir, 'src/throws.ts')}:${line}:${column})`);
  });
}

test.after(() => fs.rmSync(TEMP, { recursive: true, force: true }));

test.run();
