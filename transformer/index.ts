/**
 * The ts-patch adapter: `{ "transform": "quiesce/transformer", "interruptible": true,
 * "report": "quiesce-report.json" }` in tsconfig.json `compilerOptions.plugins`, built with `tspc`.
 * Option errors and misplaced annotations become diagnostics (tspc then fails, naming them);
 * statistics go to the report file, never to diagnostics.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { createInstrumenter } from './instrument';
import { OptionsError, parseOptions } from './options';
import { makeReport, type FileReport } from './report';

export { instrumentSourceFile, createInstrumenter } from './instrument';
export type { InstrumentOptions, InstrumentResult } from './instrument';
export { transformSource } from './source';
export type { Report, FileReport, Counts, LoopReport, WaitReport, ManualChange, NeedsManualChange } from './report';
export type { QuiesceOptions } from './options';

/** What ts-patch passes as `extras` to a program-type transformer (only what we use). */
export interface TransformerExtras {
  addDiagnostic?: (diagnostic: ts.Diagnostic) => number | void;
}

export default function quiesceTransformer(
  program: ts.Program,
  config: Record<string, unknown> = {},
  extras: TransformerExtras = {},
): ts.TransformerFactory<ts.SourceFile> {
  let options;
  try {
    options = parseOptions(config);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    report(extras, {
      file: undefined,
      start: undefined,
      length: undefined,
      messageText: error.message,
      category: ts.DiagnosticCategory.Error,
      code: 99000,
      source: 'quiesce',
    });
    return () => (sf) => sf;
  }
  const compilerOptions = program.getCompilerOptions();
  const configDir =
    typeof compilerOptions.configFilePath === 'string' ? path.dirname(compilerOptions.configFilePath) : program.getCurrentDirectory();
  const root = compilerOptions.rootDir ?? configDir;
  const reportPath = options.report === undefined ? undefined : path.resolve(configDir, options.report);
  const files = new Map<string, FileReport>();
  return createInstrumenter(
    {
      interruptible: options.interruptible,
      displayName: (sf) => path.relative(root, sf.fileName).split(path.sep).join('/'),
    },
    (result) => {
      for (const diagnostic of result.diagnostics) report(extras, diagnostic);
      files.set(result.report.file, result.report);
      if (reportPath !== undefined) {
        fs.mkdirSync(path.dirname(reportPath), { recursive: true });
        fs.writeFileSync(reportPath, `${JSON.stringify(makeReport(options.interruptible, files.values()), null, 2)}\n`);
      }
    },
  );
}

function report(extras: TransformerExtras, diagnostic: ts.Diagnostic): void {
  if (extras.addDiagnostic) extras.addDiagnostic(diagnostic);
  else throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}
