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
  const total = Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as unknown as Counts;
  for (const file of sorted) for (const key of COUNT_KEYS) total[key] += file[key];
  return { tool: 'quiesce', version: 1, interruptible, files: sorted, total };
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
}

/** The paper's table (Hayden et al., HotSWUp 2012, "Results: Few Changes Necessary") as Markdown. */
export function renderTable(report: Report, title = 'program'): string {
  const rows = [
    `| ${title} | LoC total | strands | update points | changed LoC | required manual changes |`,
    '|---|---:|---:|---:|---:|---|',
  ];
  const row = (name: string, counts: Counts, manual: string): string =>
    `| ${name} | ${counts.loc} | ${counts.strands} | ${counts.updatePoints} | ${counts.changedLoc} | ${manual} |`;
  for (const file of report.files) rows.push(row(file.file, file, describeManual(file.manualChanges, file.manualChangeList, file.needsManualChange)));
  const all = report.files.flatMap((file) => file.manualChangeList);
  rows.push(row('**total**', report.total, describeManual(report.total.manualChanges, all, report.total.needsManualChange)));
  const lines = [rows.join('\n')];
  const needs = report.files.flatMap((file) => file.needsManualChangeList.map((need) => `- ${file.file}:${need.line} (${need.loop}): ${need.reason}`));
  if (needs.length > 0) lines.push('', 'Loops whose waits could not be made safely interruptible:', ...needs);
  const made = report.files.flatMap((file) => file.manualChangeList.map((change) => `- ${file.file}:${change.line} ${change.kind}: \`${change.text}\``));
  if (made.length > 0) lines.push('', 'Manual changes:', ...made);
  return lines.join('\n');
}

function describeManual(count: number, list: readonly ManualChange[], needed: number): string {
  const kinds = new Map<string, number>();
  for (const change of list) kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
  const detail = [...kinds].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
  const made = count === 0 ? '0' : `${count} (${detail})`;
  return needed === 0 ? made : `${made}; ${needed} still needed`;
}
