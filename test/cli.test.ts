/**
 * The `quiesce` command, run as a user runs it (node dist/bin/quiesce.js): `stats` renders real
 * reports of the transform, one or several, as a table or JSON; `transform` writes an instrumented
 * file that runs; bad input is one line naming the file with exit code 1, bad usage exit code 2.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { transformSource } from 'quiesce/transformer';
import * as ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.join(__dirname, '../..');
const BIN = path.join(ROOT, 'dist/bin/quiesce.js');
// Inside the package, so that the transformed program's import of 'quiesce' resolves to dist/.
const work = path.join(ROOT, 'build/cli-test');

const SERVER = `import { Queue, sleep, strands } from 'quiesce';
const jobs = new Queue<number>();
async function consumer(): Promise<void> {
  while (true) {
    const job = await jobs.pop();
    if (job < 0) break;
  }
}
async function ticker(): Promise<void> {
  let ticks = 0;
  while (true) {
    await sleep(1);
    if (++ticks === 3) break;
  }
}
void consumer();
void ticker();
console.log(JSON.stringify(strands().map((strand) => strand.name).sort()));
jobs.push(-1);
`;

const CLIENT = `async function poll(next: () => Promise<string>): Promise<void> {
  while (true) {
    const line = await next();
    if (line === '') return;
  }
}
export { poll };
`;

function quiesce(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' });
}

/** A report as the tspc adapter writes it, for one file transformed by the real transform. */
function writeReport(file: string, source: string, name: string): void {
  const { report } = transformSource(source, name);
  const { loc, strands, updatePoints, interruptibleAwaits, changedLoc, manualChanges, needsManualChange } = report;
  const total = { loc, strands, updatePoints, interruptibleAwaits, changedLoc, manualChanges, needsManualChange };
  fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
  fs.writeFileSync(path.join(work, file), JSON.stringify({ tool: 'quiesce', version: 1, interruptible: true, files: [report], total }));
}

const cells = (row: string): string[] => row.split('|').slice(1, -1).map((cell) => cell.trim());
const rowsOf = (table: string): string[][] => table.split('\n').filter((line) => line.startsWith('|')).slice(2).map(cells);

test.before(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  writeReport('server/quiesce-report.json', SERVER, 'server.ts');
  writeReport('client/quiesce-report.json', CLIENT, 'client.ts');
});

test.after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test('stats: one report gives a row per file and the total', () => {
  const { status, stdout, stderr } = quiesce('stats', 'server/quiesce-report.json');
  assert.is(status, 0, stderr);
  const report = JSON.parse(fs.readFileSync(path.join(work, 'server/quiesce-report.json'), 'utf8'));
  assert.equal(rowsOf(stdout), [
    ['server.ts', String(report.total.loc), '2', '2', String(report.total.changedLoc), `${report.total.manualChanges} (${report.total.manualChanges} runtime-calls)`],
    ['**total**', String(report.total.loc), '2', '2', String(report.total.changedLoc), `${report.total.manualChanges} (${report.total.manualChanges} runtime-calls)`],
  ]);
  assert.match(stdout, /^\| file \| LoC total \| strands \|/);
  assert.match(stdout, /server\.ts:\d+ runtime-call: `new Queue<number>\(\)`/);
});

test('stats: several reports give a row per report, named after its path, and their sum', () => {
  const { status, stdout, stderr } = quiesce('stats', 'server/quiesce-report.json', 'client/quiesce-report.json', '--title', 'app');
  assert.is(status, 0, stderr);
  const rows = rowsOf(stdout);
  assert.equal(rows.map((row) => row[0]), ['server', 'client', '**total**']);
  for (let column = 1; column <= 4; column++) assert.is(Number(rows[2][column]), Number(rows[0][column]) + Number(rows[1][column]));
  assert.match(stdout, /^\| app \|/);
  assert.match(stdout, /server: server\.ts:\d+ runtime-call/);

  const json = quiesce('stats', 'server/quiesce-report.json', 'client/quiesce-report.json', '--json');
  assert.is(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.rows.map((row: { name: string }) => row.name), ['server', 'client']);
  assert.is(parsed.total.strands, parsed.rows[0].strands + parsed.rows[1].strands);
  assert.is(parsed.total.strands, 3);
});

test('stats: a missing file, a file that is not JSON, JSON that is not a report: one line, exit 1', () => {
  fs.writeFileSync(path.join(work, 'broken.json'), '{"tool": "quiesce",');
  fs.writeFileSync(path.join(work, 'other.json'), '{"name": "not a report"}');
  fs.writeFileSync(path.join(work, 'partial.json'), '{"tool": "quiesce", "version": 1, "files": [], "total": {"loc": 1}}');
  for (const [file, problem] of [
    ['missing.json', 'no such file'],
    ['broken.json', 'not JSON'],
    ['other.json', 'not a quiesce report'],
    ['partial.json', 'lacks the counts'],
  ]) {
    const { status, stdout, stderr } = quiesce('stats', 'server/quiesce-report.json', file);
    assert.is(status, 1, `${file}: ${stderr}`);
    assert.is(stdout, '');
    assert.is(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.ok(stderr.includes(file) && stderr.includes(problem), stderr);
  }
});

test('usage errors print the usage and exit 2; --help exits 0', () => {
  for (const args of [[], ['frobnicate'], ['stats', '--bogus'], ['transform'], ['transform', 'a.ts', 'b.ts']]) {
    const { status, stderr } = quiesce(...args);
    assert.is(status, 2, `quiesce ${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /Usage:/);
  }
  const help = quiesce('--help');
  assert.is(help.status, 0);
  assert.match(help.stdout, /quiesce stats/);
  assert.match(help.stdout, /quiesce transform/);
});

test('transform: writes an instrumented file that runs, reports to stderr, never overwrites its input', () => {
  fs.writeFileSync(path.join(work, 'server.ts'), SERVER);
  const refused = quiesce('transform', 'server.ts', '-o', './server.ts');
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /server\.ts.*input/);
  assert.is(fs.readFileSync(path.join(work, 'server.ts'), 'utf8'), SERVER);

  const { status, stdout, stderr } = quiesce('transform', 'server.ts', '-o', 'out/server.ts');
  assert.is(status, 0, stderr);
  assert.is(stdout, '');
  assert.match(stderr, /^server\.ts: 2 strands/);
  const code = fs.readFileSync(path.join(work, 'out/server.ts'), 'utf8');
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  fs.writeFileSync(path.join(work, 'out/server.js'), js);
  const run = spawnSync(process.execPath, [path.join(work, 'out/server.js')], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout), ['server.ts:consumer:loop1', 'server.ts:ticker:loop1']);

  const updOnly = quiesce('transform', 'server.ts', '--no-interruptible');
  assert.is(updOnly.status, 0, updOnly.stderr);
  assert.match(updOnly.stdout, /__quiesce\.enter\(/);
  assert.match(updOnly.stderr, /0 interruptible waits/);
});

test.run();
