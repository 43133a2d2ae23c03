/** Which loops are event-processing loops, and the stable names of loops and their functions. */
import * as ts from 'typescript';

export type LoopForm = 'while' | 'for' | 'do' | 'for-await' | 'annotated';

/** The form of an event-processing loop, or undefined for an ordinary loop. */
export function eventLoopForm(loop: ts.IterationStatement, annotated: boolean): LoopForm | undefined {
  if (ts.isWhileStatement(loop) && isTrue(loop.expression)) return 'while';
  if (ts.isDoStatement(loop) && isTrue(loop.expression)) return 'do';
  if (ts.isForStatement(loop) && (loop.condition === undefined || isTrue(loop.condition))) return 'for';
  if (ts.isForOfStatement(loop) && loop.awaitModifier !== undefined) return 'for-await';
  return annotated ? 'annotated' : undefined;
}

function isTrue(expression: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
  return expression.kind === ts.SyntaxKind.TrueKeyword;
}

/** A readable name for the function that holds a loop: `Class.method`, `name`, or `<module>`. */
export function functionName(fn: ts.SignatureDeclaration | undefined): string {
  if (fn === undefined) return '<module>';
  const own = ownName(fn);
  const cls = ts.isClassLike(fn.parent) ? fn.parent : undefined;
  if (cls !== undefined) {
    const className = cls.name?.text ?? '<class>';
    return ts.isConstructorDeclaration(fn) ? `${className}.constructor` : `${className}.${own ?? '<anonymous>'}`;
  }
  return own ?? '<anonymous>';
}

function ownName(fn: ts.SignatureDeclaration): string | undefined {
  if (fn.name !== undefined && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name) || ts.isStringLiteral(fn.name))) {
    return fn.name.text;
  }
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return undefined;
}
