/**
 * What the transform changed, as lines-of-code statistics laid out like the paper's table:
 * LoC total, strands (loops instrumented), update points, changed LoC, required manual changes.
 */
import type * as ts from 'typescript';
import type { LoopForm } from './loops';
import type { WaitKind } from './waits';

export interface WaitReport {
  name: string;
  line: number;
  kind: WaitKind;
  reason?: string;
}

export interface LoopReport {
  name: string;
  line: number;
  form: LoopForm;
  waits: WaitReport[];
}

export interface ManualChange {
  line: number;
  kind: 'annotation' | 'runtime-call';
  text: string;
}

export interface NeedsManualChange {
  line: number;
  loop: string;
  reason: string;
}

export interface Counts {
  /** Lines holding code (not blank, not only comments). */
  loc: number;
  /** Event-processing loops instrumented: each runs as one strand per entry. */
  strands: number;
  updatePoints: number;
  interruptibleAwaits: number;
  /** Distinct lines of the original the transform rewrote or inserted code at. */
  changedLoc: number;
  manualChanges: number;
  needsManualChange: number;
}

export interface FileReport extends Counts {
  file: string;
  changedLines: number[];
  loops: LoopReport[];
  manualChangeList: ManualChange[];
  needsManualChangeList: NeedsManualChange[];
}

export interface Report {
  tool: 'quiesce';
  version: 1;
  interruptible: boolean;
  files: FileReport[];
  total: Counts;
}

const COUNT_KEYS = ['loc', 'strands', 'updatePoints', 'interruptibleAwaits', 'changedLoc', 'manualChanges', 'needsManualChange'] as const;

export function makeReport(interruptible: boolean, files: Iterable<FileReport>): Report {
  const sorted = [...files].sort((a, b) => a.file.localeCompare(b.file));
  return { tool: 'quiesce', version: 1, interruptible, files: sorted, total: sumCounts(sorted) };
}

export function sumCounts(parts: readonly Counts[]): Counts {
  const total = Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as unknown as Counts;
  for (const part of parts) for (const key of COUNT_KEYS) total[key] += part[key];
  return total;
}

/** Lines with a non-blank character outside every comment. */
export function countLoc(text: string, comments: readonly ts.CommentRange[]): number {
  const code = new Set<number>();
  let line = 1;
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    while (next < comments.length && comments[next].end <= i) next++;
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (next < comments.length && comments[next].pos <= i) continue;
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) code.add(line);
  }
  return code.size;
}

/** Throws a descriptive error if `value` is not a report this version wrote. */
export function assertReport(value: unknown, source: string): asserts value is Report {
  const report = value as Partial<Report> | null;
  if (report === null || typeof report !== 'object' || report.tool !== 'quiesce') {
    throw new Error(`${source}: not a quiesce report (expected a JSON object with "tool": "quiesce")`);
  }
  if (report.version !== 1) throw new Error(`${source}: report version ${String(report.version)} is not supported (expected 1)`);
  if (!Array.isArray(report.files) || typeof report.total !== 'object' || report.total === null) {
    throw new Error(`${source}: report is missing "files" or "total"`);
  }
  assertCounts(report.total, `${source}: "total"`);
  report.files.forEach((file: Partial<FileReport> | null, index) => {
    const where = `${source}: "files"[${index}]`;
    if (file === null || typeof file !== 'object' || typeof file.file !== 'string') throw new Error(`${where} has no "file" name`);
    assertCounts(file, where);
    if (!Array.isArray(file.manualChangeList) || !Array.isArray(file.needsManualChangeList)) {
      throw new Error(`${where} (${file.file}) is missing "manualChangeList" or "needsManualChangeList"`);
    }
  });
}

function assertCounts(counts: object, where: string): void {
  const missing = COUNT_KEYS.filter((key) => !Number.isFinite((counts as Partial<Counts>)[key]));
  if (missing.length > 0) throw new Error(`${where} lacks the counts ${missing.map((key) => `"${key}"`).join(', ')}`);
}

/** One row of the table: a file of a program, or a whole program. */
interface Row {
  name: string;
  counts: Counts;
  files: readonly FileReport[];
}

/**
 * The paper's table (Hayden et al., HotSWUp 2012, "Results: Few Changes Necessary") as Markdown,
 * for one program: a row per file and the total.
 */
export function renderTable(report: Report, title = 'file'): string {
  const rows = report.files.map((file): Row => ({ name: file.file, counts: file, files: [file] }));
  return render(title, rows, { name: '**total**', counts: report.total, files: report.files }, [report], (file) => file.file);
}

/** The same table for several programs: a row per program (its report's total) and the total of all. */
export function renderTables(programs: ReadonlyArray<{ name: string; report: Report }>, title = 'program'): string {
  const rows = programs.map(({ name, report }): Row => ({ name, counts: report.total, files: report.files }));
  const owner = new Map(programs.flatMap(({ name, report }) => report.files.map((file) => [file, name] as const)));
  const total: Row = { name: '**total**', counts: sumCounts(rows.map((row) => row.counts)), files: rows.flatMap((row) => row.files) };
  return render(title, rows, total, programs.map(({ report }) => report), (file) => `${owner.get(file)}: ${file.file}`);
}

function render(title: string, rows: readonly Row[], total: Row, reports: readonly Report[], where: (file: FileReport) => string): string {
  const line = (row: Row): string => {
    const { loc, strands, updatePoints, changedLoc } = row.counts;
    return `| ${row.name} | ${loc} | ${strands} | ${updatePoints} | ${changedLoc} | ${describeManual(row)} |`;
  };
  const lines = [
    `| ${title} | LoC total | strands | update points | changed LoC | required manual changes |`,
    '|---|---:|---:|---:|---:|---|',
    ...[...rows, total].map(line),
  ];
  const updOnly = reports.filter((report) => !report.interruptible).length;
  if (updOnly > 0) {
    const which = updOnly === reports.length ? 'Built' : `${updOnly} of ${reports.length} reports built`;
    lines.push('', `${which} with "interruptible": false: update points only, blocking waits left as written (the paper's "Upd only").`);
  }
  const needs = total.files.flatMap((file) => file.needsManualChangeList.map((need) => `- ${where(file)}:${need.line} (${need.loop}): ${need.reason}`));
  if (needs.length > 0) lines.push('', 'Loops whose waits could not be made safely interruptible:', ...needs);
  const made = total.files.flatMap((file) => file.manualChangeList.map((change) => `- ${where(file)}:${change.line} ${change.kind}: \`${change.text}\``));
  if (made.length > 0) lines.push('', 'Manual changes:', ...made);
  return lines.join('\n');
}

/** "3 (2 annotations, 1 runtime-call)", and what is still needed, like the paper's "3 (Cond. Var. Loop)". */
function describeManual(row: Row): string {
  const kinds = new Map<string, number>();
  for (const change of row.files.flatMap((file) => file.manualChangeList)) kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
  const detail = [...kinds].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
  const { manualChanges, needsManualChange } = row.counts;
  const made = manualChanges === 0 ? '0' : `${manualChanges} (${detail})`;
  return needsManualChange === 0 ? made : `${made}; ${needsManualChange} still needed`;
}
