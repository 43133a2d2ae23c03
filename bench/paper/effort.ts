/**
 * Table 1 (effort) from the transform's reports of the fixtures' build:
 * build/fixtures/{quiesce,updonly}/report.json, files named `<program>/<file>.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileReport, ManualChange, NeedsManualChange, Report } from 'quiesce/transformer';
import { ROOT } from './fixture';

export interface Effort {
  loc: number;
  /** Loops instrumented: each runs as one strand per entry (static, unlike the study's threads). */
  strands: number;
  updatePoints: number;
  /** Lines the all-changes build rewrote or inserted code at. */
  changedLoc: number;
  /** The same for the update-points-only build. */
  changedLocUpdOnly: number;
  manualChanges: Array<ManualChange & { file: string }>;
  needsManualChange: Array<NeedsManualChange & { file: string }>;
}

function readReport(variant: 'quiesce' | 'updonly'): Report {
  const file = path.join(ROOT, 'build/fixtures', variant, 'report.json');
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  if (report.tool !== 'quiesce' || report.version !== 1 || !Array.isArray(report.files)) throw new Error(`${file}: not a quiesce report (version 1)`);
  return report;
}

/** A program's files in a report; control.ts (the benchmark's own control channel) belongs to none. */
function filesOf(report: Report, program: string): FileReport[] {
  return report.files.filter((file) => file.file.startsWith(`${program}/`));
}

const total = (files: FileReport[], key: 'loc' | 'strands' | 'updatePoints' | 'changedLoc'): number => files.reduce((sum, file) => sum + file[key], 0);

/** Each program's effort, or undefined for a program the build has no files of. */
export function readEffort(programs: readonly string[]): Map<string, Effort> {
  const all = readReport('quiesce');
  const updOnly = readReport('updonly');
  const efforts = new Map<string, Effort>();
  for (const program of programs) {
    const files = filesOf(all, program);
    if (files.length === 0) continue;
    const inFolder = (file: FileReport) => file.file.slice(program.length + 1);
    efforts.set(program, {
      loc: total(files, 'loc'),
      strands: total(files, 'strands'),
      updatePoints: total(files, 'updatePoints'),
      changedLoc: total(files, 'changedLoc'),
      changedLocUpdOnly: total(filesOf(updOnly, program), 'changedLoc'),
      manualChanges: files.flatMap((file) => file.manualChangeList.map((change) => ({ ...change, file: inFolder(file) }))),
      needsManualChange: files.flatMap((file) => file.needsManualChangeList.map((need) => ({ ...need, file: inFolder(file) }))),
    });
  }
  return efforts;
}
