/**
 * design.md property 4: with no update requested, the transformed program behaves exactly like the
 * original. Every program of test/programs/corpus runs three ways in child processes (plain tsc, the
 * transform with interruptible waits, update points only) and must print the same stdout, exit with
 * the same code and report the same uncaught errors.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.join(__dirname, '../..');
const SOURCES = path.join(ROOT, 'test/programs/corpus');
const BUILDS = path.join(__dirname, '../programs');
const VARIANTS = ['plain', 'quiesce', 'updonly'] as const;
type Variant = (typeof VARIANTS)[number];
const MIN_PROGRAMS = 30;
/** Each program finishes in well under a second; the margin is for a loaded 2-core machine. */
const TIMEOUT_MS = 15_000;

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
}

const programs = fs
  .readdirSync(SOURCES)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

function run(variant: Variant, program: string): Promise<Run> {
  const file = path.join(BUILDS, variant, 'corpus', `${program}.js`);
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: ROOT, timeout: TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      const failed = error as (Error & { code?: number | string; signal?: string | null }) | null;
      resolve({
        stdout,
        stderr,
        code: failed === null ? 0 : typeof failed.code === 'number' ? failed.code : null,
        signal: failed?.signal ?? null,
      });
    });
  });
}

const CODE_FRAME = /^\S+:\d+\n.*\n *\^+ *\n\n/;
const FRAME_POSITION = /(\(?)(?:file:\/\/)?\/\S+?:\d+:\d+(\)?)/g;
const RUNTIME_FRAME = /^\s+at .*[/\\]dist[/\\]runtime[/\\].*$/;

/**
 * The parts of an uncaught error's report that are not behaviour: the code frame Node prints first
 * (the emitted line at the throw, which the transform re-indents), file paths and line:column in
 * stack frames, and frames inside quiesce's own runtime (the for await lowering calls the iterator
 * through its helpers). The error line itself, its properties, its cause and every other frame stay.
 * Colours go first: run with FORCE_COLOR (uvu without --no-color), Node greys the cwd in each frame.
 */
function normaliseStderr(stderr: string): string {
  return stripVTControlCharacters(stderr)
    .replace(CODE_FRAME, '')
    .split('\n')
    .filter((line) => !RUNTIME_FRAME.test(line))
    .map((line) => (/^\s+at /.test(line) ? line.replace(FRAME_POSITION, '$1<file>$2') : line))
    .join('\n');
}

/** The first line of the error report after the code frame: `Error: message`. */
function errorLine(stderr: string): string {
  return stderr.replace(CODE_FRAME, '').split('\n')[0];
}

interface FileReport {
  file: string;
  strands: number;
}

function reportOf(variant: 'quiesce' | 'updonly'): Map<string, FileReport> {
  const report = JSON.parse(fs.readFileSync(path.join(BUILDS, variant, 'quiesce-report.json'), 'utf8')) as { files: FileReport[] };
  return new Map(report.files.map((file) => [file.file, file]));
}

/** A loop header the transform must treat as an event loop, found in the plain source. */
const EVENT_LOOP_HEADER = /\bwhile\s*\(\s*\(?true\)?\s*\)|\bfor\s*\([^;()]*;\s*(?:true\s*)?;|\bfor\s+await\s*\(/;

test('the corpus has enough programs, each built three ways', () => {
  assert.ok(programs.length >= MIN_PROGRAMS, `${programs.length} corpus programs, want at least ${MIN_PROGRAMS}`);
  for (const variant of VARIANTS) {
    for (const program of programs) {
      assert.ok(fs.existsSync(path.join(BUILDS, variant, 'corpus', `${program}.js`)), `${variant}/corpus/${program}.js is built`);
    }
  }
});

test('the quiesce builds instrumented the corpus', () => {
  const quiesce = reportOf('quiesce');
  const updonly = reportOf('updonly');
  let total = 0;
  for (const program of programs) {
    const name = `corpus/${program}.ts`;
    const source = fs.readFileSync(path.join(SOURCES, `${program}.ts`), 'utf8');
    const strands = quiesce.get(name)?.strands ?? 0;
    if (EVENT_LOOP_HEADER.test(source)) assert.ok(strands > 0, `${name} has event loops but no strands in the report`);
    assert.is(updonly.get(name)?.strands ?? 0, strands, `${name}: the updonly build found the same strands`);
    const emitted = fs.readFileSync(path.join(BUILDS, 'quiesce', 'corpus', `${program}.js`), 'utf8');
    assert.is(emitted.includes('__quiesce.enter('), strands > 0, `${name}: emitted code enters strands`);
    total += strands;
  }
  assert.ok(total >= 3 * programs.length, `${total} strands over ${programs.length} programs`);
});

for (const program of programs) {
  test(`${program}: same output, exit code and errors in every build`, async () => {
    const [plain, ...transformed] = await Promise.all(VARIANTS.map((variant) => run(variant, program)));
    assert.is(plain.signal, null, `plain ${program} finished within ${TIMEOUT_MS} ms`);
    assert.ok(plain.stdout.length > 0, `plain ${program} printed something`);
    transformed.forEach((other, index) => {
      const variant = VARIANTS[index + 1];
      assert.is(other.signal, null, `${variant} ${program} finished within ${TIMEOUT_MS} ms`);
      assert.fixture(other.stdout, plain.stdout, `${variant} stdout`);
      assert.is(other.code, plain.code, `${variant} exit code`);
      assert.is(errorLine(other.stderr), errorLine(plain.stderr), `${variant} uncaught error`);
      assert.fixture(normaliseStderr(other.stderr), normaliseStderr(plain.stderr), `${variant} stderr`);
    });
  });
}

test.run();
