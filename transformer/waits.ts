/**
 * Which awaits of a loop body are blocking waits, and how each is made interruptible
 * (design.md, "Which waits count as quiescent"):
 * - boundary: nothing of the iteration is in flight before it (a first statement
 *   `const x = await …`, the `next()` of a `for await`) or after it (a last statement `await …`).
 *   The strand counts as quiescent while it waits; no wake-up is needed.
 * - interruptible: any other wait in a loop whose author vouched, with `// @quiescent`, that
 *   restarting the iteration is safe: on request it is interrupted, the strand goes back to its
 *   update point and later gets the kept operation back.
 * - left: any other wait. Restarting would repeat the iteration's side effects, so the transform
 *   leaves it alone and reports the loop as needing a manual change.
 */
import * as ts from 'typescript';
import type { LoopForm } from './loops';

export type WaitKind = 'boundary' | 'interruptible' | 'left';

export interface PlannedWait {
  /** undefined for the implicit `next()` of a `for await`. */
  node: ts.AwaitExpression | undefined;
  name: string;
  kind: WaitKind;
  reason?: string;
}

export interface LoopPlan {
  leading: { statement: ts.Statement; wait: ts.AwaitExpression } | undefined;
  trailing: { statement: ts.ExpressionStatement; wait: ts.AwaitExpression } | undefined;
  /** Awaits rewritten into interrupted-and-kept waits. */
  interruptible: Set<ts.AwaitExpression>;
  waits: PlannedWait[];
}

export function planWaits(
  loop: ts.IterationStatement,
  form: LoopForm,
  annotated: boolean,
  loopName: string,
  /** Nested event loops are strands of their own: their awaits are not this loop's. */
  isEventLoop: (statement: ts.Statement) => boolean,
): LoopPlan {
  const statements = ts.isBlock(loop.statement) ? loop.statement.statements : [loop.statement];
  const awaits = collectAwaits(loop.statement, isEventLoop);

  let leading: LoopPlan['leading'];
  if (form !== 'for-await') {
    const first = statements.find((statement) => !isPureStatement(statement));
    const wait = first !== undefined ? boundaryAwait(first) : undefined;
    if (wait !== undefined) leading = { statement: first!, wait };
  }

  let trailing: LoopPlan['trailing'];
  const last = statements[statements.length - 1];
  if (last !== undefined && last !== leading?.statement && ts.isExpressionStatement(last) && isExpressionAwait(last) && nothingAfterBody(loop)) {
    const wait = boundaryAwait(last);
    if (wait !== undefined) trailing = { statement: last, wait };
  }

  const interruptible = new Set<ts.AwaitExpression>();
  const waits: PlannedWait[] = [];
  if (form === 'for-await') waits.push({ node: undefined, name: `${loopName}:next`, kind: 'boundary' });
  let ordinal = 0;
  for (const wait of awaits) {
    const name = `${loopName}:wait${++ordinal}`;
    if (wait === leading?.wait || wait === trailing?.wait) {
      waits.push({ node: wait, name, kind: 'boundary' });
      continue;
    }
    const reason = annotated ? restartObstacle(loop, form, wait) : UNANNOTATED;
    if (reason === undefined) {
      interruptible.add(wait);
      waits.push({ node: wait, name, kind: 'interruptible' });
    } else {
      waits.push({ node: wait, name, kind: 'left', reason });
    }
  }
  return { leading, trailing, interruptible, waits };
}

const UNANNOTATED =
  'work of the same iteration runs before or after it, which restarting at the update point would repeat; if a restart is safe, annotate the loop with // @quiescent';

/** Why restarting an iteration of this loop (at this wait) would not be the same as the loop going on, if it would not. */
export function restartObstacle(loop: ts.IterationStatement, form: LoopForm, wait?: ts.AwaitExpression): string | undefined {
  if (form === 'for-await') return 'a restart would lose the value this iteration took from the iterator';
  if (ts.isForStatement(loop) && loop.incrementor !== undefined) return "a restart would run the loop's incrementor";
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return 'a restart would advance the iterator';
  if (wait !== undefined && containsSuspension(wait.expression)) return 'its operand contains another await or yield';
  return undefined;
}

/** Whether anything of the loop runs between the end of the body and the next update point. */
function nothingAfterBody(loop: ts.IterationStatement): boolean {
  if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) return isPureExpression(loop.expression);
  if (ts.isForStatement(loop)) return loop.incrementor === undefined && (loop.condition === undefined || isPureExpression(loop.condition));
  return ts.isForOfStatement(loop) && loop.awaitModifier !== undefined;
}

function isExpressionAwait(statement: ts.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isAwaitExpression(skipOuter(statement.expression));
}

/** The await of `await e;`, `x = await e;` or `const p = await e;`, if its operand holds no other suspension. */
function boundaryAwait(statement: ts.Statement): ts.AwaitExpression | undefined {
  let candidate: ts.Expression | undefined;
  if (ts.isExpressionStatement(statement)) {
    const expression = skipOuter(statement.expression);
    if (ts.isAwaitExpression(expression)) candidate = expression;
    else if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(expression.left)) {
      candidate = skipOuter(expression.right);
    }
  } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const initializer = statement.declarationList.declarations[0].initializer;
    if (initializer !== undefined) candidate = skipOuter(initializer);
  }
  if (candidate === undefined || !ts.isAwaitExpression(candidate) || containsSuspension(candidate.expression)) return undefined;
  return candidate;
}

export function skipOuter(expression: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(expression) ||
    ts.isAsExpression(expression) ||
    ts.isNonNullExpression(expression) ||
    ts.isSatisfiesExpression(expression) ||
    ts.isTypeAssertionExpression(expression)
  ) {
    expression = expression.expression;
  }
  return expression;
}

function collectAwaits(body: ts.Statement, isEventLoop: (statement: ts.Statement) => boolean): ts.AwaitExpression[] {
  const found: ts.AwaitExpression[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isStatement(node) && node !== body && isEventLoop(node)) return;
    if (ts.isAwaitExpression(node)) {
      ts.forEachChild(node, walk);
      found.push(node);
      return;
    }
    ts.forEachChild(node, walk);
  };
  walk(body);
  return found.sort((a, b) => a.getStart() - b.getStart());
}

function containsSuspension(node: ts.Node): boolean {
  let found = false;
  const walk = (child: ts.Node): void => {
    if (found || ts.isFunctionLike(child) || ts.isClassLike(child)) return;
    if (ts.isAwaitExpression(child) || ts.isYieldExpression(child)) found = true;
    else ts.forEachChild(child, walk);
  };
  walk(node);
  return found;
}

/** Statements that leave no trace if run again: declarations of pure values, exits, type declarations. */
function isPureStatement(statement: ts.Statement): boolean {
  switch (statement.kind) {
    case ts.SyntaxKind.EmptyStatement:
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
    case ts.SyntaxKind.TypeAliasDeclaration:
    case ts.SyntaxKind.InterfaceDeclaration:
    case ts.SyntaxKind.FunctionDeclaration:
      return true;
    case ts.SyntaxKind.VariableStatement:
      return (statement as ts.VariableStatement).declarationList.declarations.every(
        (declaration) => ts.isIdentifier(declaration.name) && (declaration.initializer === undefined || isPureExpression(declaration.initializer)),
      );
    case ts.SyntaxKind.ReturnStatement: {
      const expression = (statement as ts.ReturnStatement).expression;
      return expression === undefined || isPureExpression(expression);
    }
    case ts.SyntaxKind.IfStatement: {
      const branch = statement as ts.IfStatement;
      return (
        isPureExpression(branch.expression) &&
        isPureStatement(branch.thenStatement) &&
        (branch.elseStatement === undefined || isPureStatement(branch.elseStatement))
      );
    }
    case ts.SyntaxKind.Block:
      return (statement as ts.Block).statements.every(isPureStatement);
    default:
      return false;
  }
}

/** Expressions without calls, assignments, updates or suspensions (getters are assumed pure). */
function isPureExpression(expression: ts.Expression): boolean {
  const e = skipOuter(expression);
  switch (e.kind) {
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.ThisKeyword:
    case ts.SyntaxKind.Identifier:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return true;
    case ts.SyntaxKind.PropertyAccessExpression:
      return isPureExpression((e as ts.PropertyAccessExpression).expression);
    case ts.SyntaxKind.ElementAccessExpression: {
      const access = e as ts.ElementAccessExpression;
      return isPureExpression(access.expression) && isPureExpression(access.argumentExpression);
    }
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const unary = e as ts.PrefixUnaryExpression;
      return unary.operator !== ts.SyntaxKind.PlusPlusToken && unary.operator !== ts.SyntaxKind.MinusMinusToken && isPureExpression(unary.operand);
    }
    case ts.SyntaxKind.TypeOfExpression:
      return isPureExpression((e as ts.TypeOfExpression).expression);
    case ts.SyntaxKind.VoidExpression:
      return isPureExpression((e as ts.VoidExpression).expression);
    case ts.SyntaxKind.BinaryExpression: {
      const binary = e as ts.BinaryExpression;
      const operator = binary.operatorToken.kind;
      if (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment) return false;
      return isPureExpression(binary.left) && isPureExpression(binary.right);
    }
    case ts.SyntaxKind.ConditionalExpression: {
      const conditional = e as ts.ConditionalExpression;
      return isPureExpression(conditional.condition) && isPureExpression(conditional.whenTrue) && isPureExpression(conditional.whenFalse);
    }
    case ts.SyntaxKind.TemplateExpression:
      return (e as ts.TemplateExpression).templateSpans.every((span) => isPureExpression(span.expression));
    case ts.SyntaxKind.ArrayLiteralExpression:
      return (e as ts.ArrayLiteralExpression).elements.every((element) => !ts.isSpreadElement(element) && isPureExpression(element));
    case ts.SyntaxKind.ObjectLiteralExpression:
      return (e as ts.ObjectLiteralExpression).properties.every(
        (property) =>
          ts.isShorthandPropertyAssignment(property) ||
          ts.isMethodDeclaration(property) ||
          (ts.isPropertyAssignment(property) && !ts.isComputedPropertyName(property.name) && isPureExpression(property.initializer)),
      );
    default:
      return false;
  }
}
