#!/usr/bin/env node
/**
 * The `quiesce` command: `stats` prints transform reports as the paper's table, `transform` is the
 * source-to-source mode (.ts in, instrumented .ts out, for any compiler, TypeScript 7 included).
 * Bad input is one line on stderr naming the file and exit code 1; a usage error exits with 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { assertReport, renderTable, renderTables, sumCounts, type Counts, type Report } from '../transformer/report';

const USAGE = `Usage:
  quiesce stats [report.json ...] [--json] [--title NAME]
      Print transform reports as the paper's table (default: ./quiesce-report.json).
      One report: a row per file. Several: a row per report, named after its path, and the total.
      --json      the same rows and total as JSON
      --title     the first column's heading (default: "file", or "program" for several reports)
  quiesce transform <in.ts> [-o out.ts] [--no-interruptible]
      Instrument one file, source to source; the result goes to out.ts or stdout, what the
      transform did to stderr. The input is never overwritten.
      --no-interruptible   update points only, blocking waits left as written ("Upd only")
  quiesce --help`;

/** A problem with the input: reported as one line, exit code 1. */
class InputError extends Error {}
/** A problem with the command line: reported with the usage, exit code 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'stats') return stats(rest);
  if (command === 'transform') return transform(rest);
  throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
}

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(/^Unknown option '[^']*'/.exec(message)?.[0].toLowerCase() ?? message);
  }
}

function stats(args: string[]): void {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, title: { type: 'string' } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const files = positionals.length > 0 ? positionals : ['quiesce-report.json'];
  const reports = files.map(readReport);
  if (reports.length === 1) {
    const [report] = reports;
    const title = values.title ?? 'file';
    const rows = report.files.map((file) => ({ name: file.file, ...countsOf(file) }));
    print(values.json ? json(title, rows, report.total) : renderTable(report, title));
    return;
  }
  const names = rowNames(files);
  const programs = reports.map((report, i) => ({ name: names[i], report }));
  const title = values.title ?? 'program';
  const rows = programs.map(({ name, report }) => ({ name, ...countsOf(report.total) }));
  print(values.json ? json(title, rows, sumCounts(reports.map((report) => report.total))) : renderTables(programs, title));
}

function countsOf(counts: Counts): Counts {
  const { loc, strands, updatePoints, interruptibleAwaits, changedLoc, manualChanges, needsManualChange } = counts;
  return { loc, strands, updatePoints, interruptibleAwaits, changedLoc, manualChanges, needsManualChange };
}

function json(title: string, rows: object[], total: Counts): string {
  return JSON.stringify({ title, rows, total: countsOf(total) }, null, 2);
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function readReport(file: string): Report {
  const text = readInput(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not JSON (${(error as Error).message})`);
  }
  try {
    assertReport(value, file);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  return value;
}

function readInput(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${file}: no such file`);
    if (code === 'EISDIR') throw new InputError(`${file}: is a directory, not a file`);
    throw new InputError(`${file}: cannot read it (${code ?? (error as Error).message})`);
  }
}

/**
 * Row names for several reports: their paths without what all share, so
 * build/programs/{quiesce,updonly}/quiesce-report.json become "quiesce" and "updonly".
 */
function rowNames(files: readonly string[]): string[] {
  const parts = files.map((file) => path.normalize(file).replace(/\.json$/i, '').split(/[\\/]+/).filter((part) => part !== '' && part !== '.'));
  const same = (pick: (segments: string[]) => string): boolean => parts.every((segments) => segments.length > 1 && pick(segments) === pick(parts[0]));
  while (same((segments) => segments[segments.length - 1])) for (const segments of parts) segments.pop();
  while (same((segments) => segments[0])) for (const segments of parts) segments.shift();
  return parts.map((segments) => segments.join('/'));
}

async function transform(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { out: { type: 'string', short: 'o' }, 'no-interruptible': { type: 'boolean' } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'transform needs an input file' : 'transform takes one input file');
  const input = positionals[0];
  const out = values.out;
  if (out !== undefined && samePath(input, out)) throw new InputError(`${out}: is the input file; refusing to overwrite it (choose another -o)`);
  const text = readInput(input);
  const { transformSource } = await loadTransformer();
  // The file's name in the report and in the stable loop names: as a build from here would give it.
  const relative = path.relative(process.cwd(), path.resolve(input));
  const displayName = (relative.startsWith('..') || path.isAbsolute(relative) ? input : relative).split(path.sep).join('/');
  const result = transformSource(text, input, { interruptible: !values['no-interruptible'], displayName });
  if (result.diagnostics.length > 0) {
    for (const diagnostic of result.diagnostics) {
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const message = typeof diagnostic.messageText === 'string' ? diagnostic.messageText : diagnostic.messageText.messageText;
      process.stderr.write(`${input}:${line + 1}:${character + 1}: error: ${message}\n`);
    }
    throw new InputError(`${input}: not transformed (${result.diagnostics.length} error${result.diagnostics.length === 1 ? '' : 's'} above)`);
  }
  if (out === undefined) process.stdout.write(result.code);
  else {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, result.code);
  }
  const report = result.report;
  const summary = [
    `${report.file}: ${report.strands} strand${report.strands === 1 ? '' : 's'} (loops instrumented)`,
    `${report.updatePoints} update point${report.updatePoints === 1 ? '' : 's'}`,
    `${report.interruptibleAwaits} interruptible wait${report.interruptibleAwaits === 1 ? '' : 's'}`,
    `${report.changedLoc} changed LoC`,
    `${report.manualChanges} manual change${report.manualChanges === 1 ? '' : 's'}`,
  ];
  process.stderr.write(`${summary.join(', ')}\n`);
  for (const need of report.needsManualChangeList) process.stderr.write(`  needs a manual change: ${report.file}:${need.line} (${need.loop}): ${need.reason}\n`);
}

function samePath(a: string, b: string): boolean {
  const real = (file: string): string => {
    try {
      return fs.realpathSync(file);
    } catch {
      return path.resolve(file);
    }
  };
  return real(a) === real(b);
}

/** The transform needs the typescript package, which `stats` does not: load it only here. */
async function loadTransformer(): Promise<typeof import('../transformer/source')> {
  try {
    return await import('../transformer/source');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /'typescript'/.test((error as Error).message)) {
      throw new InputError('transform needs the typescript package: npm install --save-dev typescript@6.0');
    }
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`quiesce: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (error instanceof InputError) {
    process.stderr.write(`quiesce: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
});
