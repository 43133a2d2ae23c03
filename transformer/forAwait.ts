/**
 * `for await (x of xs) body` as an explicit `next()` loop, so that the pending `next()` can be a
 * quiescent wait and nothing it would deliver is lost (design.md, property 1). It keeps the
 * semantics of `for await` exactly:
 *
 *   const __iter = asyncIterator(xs, "xs is not async iterable");  // GetIterator(xs, async), before
 *   let __step, __state = 0;                                         // the strand begins
 *   try {
 *     label: while (true) {
 *       __state = 0;                                   // next() throwing does not close the iterator
 *       <update point>
 *       __step = await quiet(strand, "…:next", step(__iter));
 *       <go through the update point if one is pending>
 *       if (iteratorDone(__step)) break;               // normal completion: no return()
 *       const __value = __step.value;                  // a throwing value getter does not close it either
 *       __state = 1;                                   // open: from here on, leaving the loop closes it
 *       x = __value; body                              // break, return, throw, labelled continue: return()
 *     }
 *   } catch (e) { if (__state === 1) __state = 2; throw e; }   // 2: open and left by a throw
 *   finally {
 *     try { if (__state !== 0) <AsyncIteratorClose: await return(); after a throw its errors lose to it> }
 *     finally { leave(strand); }                      // the strand ends once the iterator is closed
 *   }
 *
 * One state variable rather than an open and a threw flag: every local that lives across an await
 * is saved and restored at each suspension, and the second flag cost about 30 instructions per
 * iteration over an async generator (about 1.5 %, counted with cachegrind).
 *
 * The strand's `leave` shares this try statement rather than wrapping it in one of its own: one
 * level of nesting fewer in the emitted code. (Over an async generator an iteration runs about 100
 * instructions more than a native `for await`, 5.7 %: `npm run bench:instructions`. The strand and
 * its try statement take about 40 of them, as V8 saves and restores them at every resumption; the
 * rest go to the flag checks, `quiet` and `resume`, the iterator record, `step`, the result check
 * and the catch.)
 */
import * as ts from 'typescript';
import { skipOuter } from './waits';

export interface ForAwaitParts {
  loop: ts.ForOfStatement;
  labels: ts.Identifier[];
  /** The iterated expression, already visited. */
  expression: ts.Expression;
  runtime: (member: string) => ts.Expression;
  updatePoint: () => ts.Statement;
  quietNext: (step: ts.Expression) => ts.Expression;
  resumeCheck: () => ts.Statement;
  /** The strand's `leave`, run last. */
  leave: ts.Statement;
  binding: (value: ts.Expression) => ts.Statement;
  body: () => ts.Block;
}

/** `before` runs ahead of the strand's `enter`: evaluating the iterable is not part of the loop. */
export function lowerForAwait(f: ts.NodeFactory, parts: ForAwaitParts): { before: ts.Statement[]; prelude: ts.Statement[]; statement: ts.Statement } {
  const { loop, runtime } = parts;
  const iter = f.createUniqueName('__iter');
  const step = f.createUniqueName('__step');
  const value = f.createUniqueName('__value');
  const state = f.createUniqueName('__state');
  const error = f.createUniqueName('__error');
  const call = (member: string, args: ts.Expression[]) => f.createCallExpression(runtime(member), undefined, args);
  const assign = (target: ts.Identifier, value: ts.Expression) => f.createExpressionStatement(f.createAssignment(target, value));
  const number = (value: 0 | 1 | 2) => f.createNumericLiteral(value);
  const stateIs = (value: 0 | 1 | 2) => f.createStrictEquality(state, number(value));

  const iterator = f.createVariableStatement(
    undefined,
    f.createVariableDeclarationList(
      [f.createVariableDeclaration(iter, undefined, undefined, call('asyncIterator', [parts.expression, f.createStringLiteral(notIterableMessage(loop.expression))]))],
      ts.NodeFlags.Const,
    ),
  );
  ts.setSourceMapRange(iterator, loop.expression);
  const prelude = f.createVariableStatement(
    undefined,
    f.createVariableDeclarationList(
      [
        f.createVariableDeclaration(step, undefined, f.createKeywordTypeNode(ts.SyntaxKind.AnyKeyword)),
        f.createVariableDeclaration(state, undefined, undefined, number(0)),
      ],
      ts.NodeFlags.Let,
    ),
  );

  const next = f.createAwaitExpression(parts.quietNext(call('step', [iter])));
  ts.setSourceMapRange(next, loop.expression);
  const body = f.createBlock(
    [
      assign(state, number(0)),
      parts.updatePoint(),
      assign(step, next),
      parts.resumeCheck(),
      f.createIfStatement(call('iteratorDone', [step]), f.createBreakStatement()),
      f.createVariableStatement(
        undefined,
        f.createVariableDeclarationList([f.createVariableDeclaration(value, undefined, undefined, f.createPropertyAccessExpression(step, 'value'))], ts.NodeFlags.Const),
      ),
      assign(state, number(1)),
      parts.binding(value),
      parts.body(),
    ],
    true,
  );
  const whileLoop = f.createWhileStatement(f.createTrue(), body);
  ts.setSourceMapRange(whileLoop, loop);
  ts.setOriginalNode(whileLoop, loop);
  const labelled = parts.labels.reduceRight<ts.Statement>((inner, label) => f.createLabeledStatement(label, inner), whileLoop);

  const tryLoop = f.createTryStatement(
    f.createBlock([labelled], true),
    f.createCatchClause(error, f.createBlock([f.createIfStatement(stateIs(1), assign(state, number(2))), f.createThrowStatement(error)], true)),
    f.createBlock(
      [
        f.createTryStatement(
          f.createBlock([f.createIfStatement(stateIs(2), closeAfterThrow(f, iter, call), f.createIfStatement(stateIs(1), closeAfterExit(f, iter, call)))], true),
          undefined,
          f.createBlock([parts.leave], true),
        ),
      ],
      true,
    ),
  );
  return { before: [iterator], prelude: [prelude], statement: tryLoop };
}

/** Close on break/return: errors from return() propagate and its result must be an object. */
function closeAfterExit(f: ts.NodeFactory, iter: ts.Identifier, call: (member: string, args: ts.Expression[]) => ts.Expression): ts.Block {
  const ret = f.createUniqueName('__return');
  return f.createBlock(
    [
      declareReturn(f, ret, iter, call),
      f.createIfStatement(
        f.createStrictInequality(ret, f.createIdentifier('undefined')),
        f.createExpressionStatement(call('checkReturnResult', [f.createAwaitExpression(callReturn(f, ret, iter))])),
      ),
    ],
    true,
  );
}

/** Close after a throw: the body's error wins over anything return() does. */
function closeAfterThrow(f: ts.NodeFactory, iter: ts.Identifier, call: (member: string, args: ts.Expression[]) => ts.Expression): ts.Block {
  const ret = f.createUniqueName('__return');
  return f.createBlock(
    [
      f.createTryStatement(
        f.createBlock(
          [
            declareReturn(f, ret, iter, call),
            f.createIfStatement(
              f.createStrictInequality(ret, f.createIdentifier('undefined')),
              f.createExpressionStatement(f.createAwaitExpression(callReturn(f, ret, iter))),
            ),
          ],
          true,
        ),
        f.createCatchClause(undefined, f.createBlock([], false)),
        undefined,
      ),
    ],
    true,
  );
}

function declareReturn(f: ts.NodeFactory, ret: ts.Identifier, iter: ts.Identifier, call: (member: string, args: ts.Expression[]) => ts.Expression): ts.Statement {
  return f.createVariableStatement(
    undefined,
    f.createVariableDeclarationList([f.createVariableDeclaration(ret, undefined, undefined, call('returnMethod', [iter]))], ts.NodeFlags.Const),
  );
}

function callReturn(f: ts.NodeFactory, ret: ts.Identifier, iter: ts.Identifier): ts.Expression {
  return f.createCallExpression(f.createPropertyAccessExpression(ret, 'call'), undefined, [f.createPropertyAccessExpression(iter, 'iterator')]);
}

/** V8's message for a value that is not async iterable, which names the expression as written. */
function notIterableMessage(expression: ts.Expression): string {
  const inner = skipOuter(expression);
  if (ts.isCallExpression(inner) && inner.questionDotToken === undefined) {
    return `${describeExpression(inner.expression)}(...) is not a function or its return value is not async iterable`;
  }
  return `${describeExpression(inner)} is not async iterable`;
}

function describeExpression(expression: ts.Expression): string {
  const e = skipOuter(expression);
  if (ts.isIdentifier(e) || ts.isPrivateIdentifier(e)) return e.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (e.kind === ts.SyntaxKind.SuperKeyword) return 'super';
  if (ts.isNumericLiteral(e)) return e.text;
  if (ts.isStringLiteral(e)) return `"${e.text}"`;
  if (ts.isPropertyAccessExpression(e) && e.questionDotToken === undefined) return `${describeExpression(e.expression)}.${e.name.text}`;
  if (ts.isElementAccessExpression(e) && e.questionDotToken === undefined) {
    return `${describeExpression(e.expression)}[${describeExpression(e.argumentExpression)}]`;
  }
  if (ts.isCallExpression(e) && e.questionDotToken === undefined) return `${describeExpression(e.expression)}(...)`;
  return '(intermediate value)';
}
