/**
 * Source-to-source mode: .ts in, instrumented .ts out, to compile with any `tsc` (including
 * TypeScript 7, which has no transformer API). Also what the fixture tests compare against.
 */
import * as ts from 'typescript';
import { instrumentSourceFile } from './instrument';
import type { FileReport } from './report';

export interface SourceResult {
  code: string;
  report: FileReport;
  diagnostics: ts.DiagnosticWithLocation[];
}

export function transformSource(
  text: string,
  fileName: string,
  options: { interruptible?: boolean; displayName?: string } = {},
): SourceResult {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  let outcome: { report: FileReport; diagnostics: ts.DiagnosticWithLocation[] } | undefined;
  const result = ts.transform(sf, [
    (context) => (file) => {
      const instrumented = instrumentSourceFile(file, context, {
        interruptible: options.interruptible ?? true,
        displayName: () => options.displayName ?? fileName,
      });
      outcome = instrumented;
      return instrumented.file;
    },
  ]);
  const code = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(result.transformed[0]);
  result.dispose();
  return { code, ...outcome! };
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.[cm]?js$/.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
