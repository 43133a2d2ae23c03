/**
 * Fixture tests of the transform in source-to-source mode: test/transform/fixtures/<case>/input.ts
 * next to the expected output.ts, report.json and (for misuse) diagnostics.json; options.json holds
 * the transform options. `UPDATE=1 node build/test/transform.test.js` rewrites the expected files.
 *
 * Text alone proves little, so every output is also transformed again (nothing may change) and
 * type-checked against quiesce's declarations, and some cases are run before and after the transform
 * and must print the same.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { transformSource } from 'quiesce/transformer';
import * as ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.join(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/transform/fixtures');
const UPDATE = process.env.UPDATE === '1';

/** Cases whose input is a whole program: run before and after the transform, they must print the same. */
const EXECUTED = [
  'for-await-exits',
  'for-await-bindings',
  'labelled-loops',
  'try-in-body',
  'generators',
  'nested-loops',
  'annotated-restart',
  'script',
];

interface Diagnostic {
  line: number;
  column: number;
  message: string;
}

interface Case {
  name: string;
  input: string;
  options: { interruptible?: boolean };
  /** misuse-*: the input misuses annotations on purpose, so its output need not compile cleanly. */
  misuse: boolean;
}

function readCase(name: string): Case {
  const dir = path.join(FIXTURES, name);
  const optionsFile = path.join(dir, 'options.json');
  return {
    name,
    input: fs.readFileSync(path.join(dir, 'input.ts'), 'utf8'),
    options: fs.existsSync(optionsFile) ? JSON.parse(fs.readFileSync(optionsFile, 'utf8')) : {},
    misuse: name.startsWith('misuse-'),
  };
}

function transform(c: Case, text = c.input) {
  const result = transformSource(text, `${c.name}/input.ts`, c.options);
  const diagnostics = result.diagnostics.map((d): Diagnostic => {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
  });
  return { code: result.code, report: result.report, diagnostics };
}

/** Compare with the expected file, or rewrite it under UPDATE=1 (a file expected to be empty is removed). */
function expectFile(c: Case, file: string, actual: string | undefined): void {
  const where = path.join(FIXTURES, c.name, file);
  if (UPDATE) {
    if (actual === undefined) fs.rmSync(where, { force: true });
    else fs.writeFileSync(where, actual);
    return;
  }
  const expected = fs.existsSync(where) ? fs.readFileSync(where, 'utf8') : undefined;
  if (actual === undefined) assert.is(expected, undefined, `${file} should not exist`);
  else {
    assert.ok(expected !== undefined, `${where} is missing (run with UPDATE=1 to write it)`);
    assert.fixture(actual, expected!, `${c.name}/${file}`);
  }
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every comment of a file, whitespace collapsed (the printer re-indents multi-line comments). */
function commentsOf(text: string): Set<string> {
  const sf = ts.createSourceFile('comments.ts', text, ts.ScriptTarget.Latest, true);
  const found = new Set<string>();
  const add = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) found.add(text.slice(range.pos, range.end).replace(/\s+/g, ' '));
  };
  // Trivia after a node's end holds the comments before a closing brace or the end of the file.
  const walk = (node: ts.Node): void => {
    add(ts.getLeadingCommentRanges(text, node.pos));
    add(ts.getTrailingCommentRanges(text, node.end));
    add(ts.getLeadingCommentRanges(text, node.end));
    ts.forEachChild(node, walk);
  };
  walk(sf);
  return found;
}

// ---- type-checking in memory -----------------------------------------------------------------

// module preserve allows top-level await in a .ts file; bundler resolution, like node16, resolves
// the package's self-reference `quiesce` through its exports to dist/runtime/index.d.ts.
const CHECK_OPTIONS = ts.convertCompilerOptionsFromJson(
  {
    target: 'ES2022',
    module: 'preserve',
    moduleResolution: 'bundler',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    // What a careful project turns on: the output must not add unused names or fall-through paths.
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    noEmit: true,
    skipLibCheck: true,
  },
  ROOT,
).options;
const baseHost = ts.createCompilerHost(CHECK_OPTIONS, true);
/** Library and declaration files parsed once for all cases. */
const parsed = new Map<string, ts.SourceFile | undefined>();

function typeErrors(fileName: string, text: string): string[] {
  const host: ts.CompilerHost = {
    ...baseHost,
    fileExists: (file) => file === fileName || baseHost.fileExists(file),
    readFile: (file) => (file === fileName ? text : baseHost.readFile(file)),
    getSourceFile: (file, languageVersion) => {
      if (file === fileName) return ts.createSourceFile(file, text, languageVersion, true);
      if (!parsed.has(file)) parsed.set(file, baseHost.getSourceFile(file, languageVersion));
      return parsed.get(file);
    },
  };
  const program = ts.createProgram([fileName], CHECK_OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const at = where ? `${path.basename(d.file!.fileName)}(${where.line + 1},${where.character + 1}): ` : '';
    return `${at}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

// ---- running a program -----------------------------------------------------------------------

/** Transpile to CommonJS and run in a child process (strands must not outlive the program in this one). */
function run(source: string, fileName: string): { status: number | null; stdout: string; stderr: string } {
  const js = ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  // cwd inside the package: `require("quiesce")` resolves through the package's self-reference.
  const child = spawnSync(process.execPath, ['-e', js], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

// ---- the tests -------------------------------------------------------------------------------

const cases = fs
  .readdirSync(FIXTURES)
  .filter((name) => fs.existsSync(path.join(FIXTURES, name, 'input.ts')))
  .sort();

test('every executed case exists', () => {
  for (const name of EXECUTED) assert.ok(cases.includes(name), `no fixture ${name}`);
});

for (const name of cases) {
  const c = readCase(name);

  test(`${name}: output, report and diagnostics`, () => {
    const result = transform(c);
    expectFile(c, 'output.ts', result.code);
    expectFile(c, 'report.json', json(result.report));
    expectFile(c, 'diagnostics.json', result.diagnostics.length > 0 ? json(result.diagnostics) : undefined);
    assert.is(result.diagnostics.length > 0, c.misuse, 'exactly the misuse-* cases produce diagnostics');
  });

  test(`${name}: every comment of the input is in the output`, () => {
    const output = commentsOf(transform(c).code);
    const lost = [...commentsOf(c.input)].filter((comment) => !output.has(comment));
    assert.equal(lost, []);
  });

  test(`${name}: every loop and wait has a name of its own`, () => {
    const { loops } = transform(c).report;
    const names = loops.flatMap((loop) => [loop.name, ...loop.waits.map((wait) => wait.name)]);
    assert.equal(names.filter((name, i) => names.indexOf(name) !== i), []);
  });

  test(`${name}: transforming the output again changes nothing`, () => {
    const once = transform(c);
    const twice = transform(c, once.code);
    assert.fixture(twice.code, once.code);
    assert.equal(twice.report.strands, 0, 'no loop is instrumented twice');
  });

  if (!c.misuse) {
    test(`${name}: input and output type-check`, () => {
      const where = path.join(FIXTURES, name);
      assert.equal(typeErrors(path.join(where, 'input.ts'), c.input), [], 'input');
      assert.equal(typeErrors(path.join(where, 'output.ts'), transform(c).code), [], 'output');
    });
  }

  if (EXECUTED.includes(name)) {
    test(`${name}: the output prints what the input prints`, () => {
      const before = run(c.input, `${name}/input.ts`);
      assert.is(before.stderr, '', 'the input runs cleanly');
      assert.is(before.status, 0);
      assert.ok(before.stdout.trim().length > 0, 'the input prints something to compare');
      const after = run(transform(c).code, `${name}/output.ts`);
      assert.is(after.stderr, '');
      assert.is(after.status, 0);
      assert.fixture(after.stdout, before.stdout);
    });
  }
}

test.run();
