/**
 * `// @quiescent [name]` and `// @quiescent-ignore` comments, and the comment ranges of a file
 * (which the line count needs too). Comments are found from node positions, never by scanning the
 * raw text, so nothing inside a string or template literal is mistaken for one.
 */
import * as ts from 'typescript';

export interface Annotation {
  kind: 'quiescent' | 'ignore';
  /** The stable name pinned by `// @quiescent name`. */
  name: string | undefined;
  pos: number;
  end: number;
  /** The statement the comment stands before (labels unwrapped), if any. */
  target: ts.Statement | undefined;
}

export interface Misuse {
  pos: number;
  end: number;
  message: string;
}

export interface FileComments {
  ranges: ts.CommentRange[];
  annotations: Annotation[];
  misuses: Misuse[];
  /** Annotation by the loop statement it applies to. */
  byLoop: Map<ts.IterationStatement, Annotation>;
}

const ANNOTATION = /^@quiescent(-ignore)?\b(.*)$/;
const NAME = /^[A-Za-z0-9_$][\w$.:/-]*$/;

export function readComments(sf: ts.SourceFile): FileComments {
  const text = sf.text;
  const seen = new Map<number, ts.CommentRange>();
  // The outermost node that starts right after each comment: the statement it annotates.
  const owner = new Map<number, ts.Node>();
  const collect = (node: ts.Node): void => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      if (!seen.has(range.pos)) seen.set(range.pos, range);
      if (!owner.has(range.pos)) owner.set(range.pos, node);
    }
    for (const range of ts.getTrailingCommentRanges(text, node.end) ?? []) {
      if (!seen.has(range.pos)) seen.set(range.pos, range);
    }
    ts.forEachChild(node, collect);
  };
  ts.forEachChild(sf, collect);
  collect(sf.endOfFileToken);

  const ranges = [...seen.values()].sort((a, b) => a.pos - b.pos);
  const annotations: Annotation[] = [];
  const misuses: Misuse[] = [];
  const byLoop = new Map<ts.IterationStatement, Annotation>();
  for (const range of ranges) {
    const body = commentBody(text, range);
    const match = ANNOTATION.exec(body);
    if (match === null) continue;
    const kind = match[1] === undefined ? 'quiescent' : 'ignore';
    const rest = match[2].trim();
    const where = { pos: range.pos, end: range.end };
    if (kind === 'ignore' && rest !== '') {
      misuses.push({ ...where, message: `'@quiescent-ignore' takes no argument, found '${rest}'.` });
      continue;
    }
    if (kind === 'quiescent' && rest !== '' && !NAME.test(rest)) {
      misuses.push({
        ...where,
        message: `'@quiescent ${rest}': a loop name is one word of letters, digits and _ $ . : / - .`,
      });
      continue;
    }
    const node = owner.get(range.pos);
    const statement = node !== undefined && ts.isStatement(node) ? unwrapLabels(node) : undefined;
    const annotation: Annotation = { kind, name: rest || undefined, ...where, target: statement };
    annotations.push(annotation);
    if (statement === undefined || !ts.isIterationStatement(statement, false)) {
      const found = statement !== undefined ? describe(statement) : node !== undefined ? describe(node) : 'the end of the file';
      misuses.push({ ...where, message: `'@quiescent${kind === 'ignore' ? '-ignore' : ''}' must stand right before a loop, but it precedes ${found}.` });
      continue;
    }
    if (byLoop.has(statement)) {
      misuses.push({ ...where, message: 'A loop can carry only one @quiescent annotation.' });
      continue;
    }
    byLoop.set(statement, annotation);
  }
  return { ranges, annotations, misuses, byLoop };
}

function commentBody(text: string, range: ts.CommentRange): string {
  const raw = text.slice(range.pos, range.end);
  return (range.kind === ts.SyntaxKind.SingleLineCommentTrivia ? raw.slice(2) : raw.slice(2, -2)).trim();
}

export function unwrapLabels(statement: ts.Statement): ts.Statement {
  while (ts.isLabeledStatement(statement)) statement = statement.statement;
  return statement;
}

function describe(node: ts.Node): string {
  if (node.kind === ts.SyntaxKind.EndOfFileToken) return 'the end of the file';
  // SyntaxKind's reverse mapping names these kinds by their aliases FirstStatement and LastStatement.
  const kind = (ts.isVariableStatement(node) ? 'VariableStatement' : ts.isDebuggerStatement(node) ? 'DebuggerStatement' : ts.SyntaxKind[node.kind]).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
