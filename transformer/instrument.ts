/**
 * The host-free engine: one source file in, the instrumented file and its report out.
 *
 * Each event-processing loop becomes a strand with an update point at its head:
 *
 *   { const __strand = __quiesce.enter("file:fn:loop1");
 *     try {
 *       __loop: for (;;) {
 *         if (__quiesceFlag[0]) await __quiesce.point(__strand);   // the update point
 *         while (true) { if (__quiesceFlag[0]) break; …body, its breaks → break __loop… }
 *       }
 *     } finally { __quiesce.leave(__strand); } }
 *
 * The body's loop leaves to the update point instead of calling it: V8 compiles a long-running
 * loop by on-stack replacement and peels its first iteration, which keeps the loop's variables in
 * machine registers; an untaken call (or a read of a module-level const, which may throw) in the
 * loop stops that and costs 2-5 ns per iteration, a plain break costs nothing measurable. Loops
 * with a header to re-run (a condition, an initializer, an incrementor), and loops with a nested
 * loop or a suspension in their body, keep the point in the body (isSplittable says why).
 * The flag is a global constant the runtime defines (runtime/index.ts says why); a synchronous
 * update point reads it as `__quiesceSyncFlag`, which is constant 0 on the coordinating thread.
 *
 * and its blocking waits are rewritten as planned by waits.ts; a `for await` becomes an explicit
 * `next()` loop (forAwait.ts), whose own try statement calls `leave`. Original nodes are reused
 * wherever possible so comments and source maps survive; inserted nodes map to the loop or wait
 * they came from.
 */
import * as ts from 'typescript';
import { readComments, unwrapLabels, type FileComments } from './annotations';
import { lowerForAwait } from './forAwait';
import { eventLoopForm, functionName, type LoopForm } from './loops';
import { countLoc, type FileReport, type LoopReport, type ManualChange } from './report';
import { planWaits, restartObstacle, skipOuter, type LoopPlan } from './waits';

export const RUNTIME_MODULE = 'quiesce';
/** The global through which emitted code calls the runtime's hooks; a call marks a file as already instrumented. */
export const RUNTIME_NAME = '__quiesce';
/** The globals the runtime defines for the update-pending flag: as async update points read it, and as synchronous ones do. */
const FLAG_NAME = '__quiesceFlag';
const SYNC_FLAG_NAME = '__quiesceSyncFlag';
/** Runtime exports that request or observe updates rather than change how a program waits. */
const CONTROL_API = new Set(['requestUpdate', 'updatePending', 'strands', 'blockers', 'threads', 'strandsEverywhere', 'blockersEverywhere', 'moduleUpdate']);
const DIAGNOSTIC_CODE = 99001;

export interface InstrumentOptions {
  /** Rewrite blocking waits (true) or insert update points only (false, the paper's "Upd only"). */
  interruptible: boolean;
  /** The file's name in reports and stable loop names, e.g. relative to the project root. */
  displayName: (sf: ts.SourceFile) => string;
}

export interface InstrumentResult {
  file: ts.SourceFile;
  report: FileReport;
  diagnostics: ts.DiagnosticWithLocation[];
}

export function createInstrumenter(
  options: InstrumentOptions,
  onFile: (result: InstrumentResult) => void,
): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sf) => {
    if (sf.isDeclarationFile) return sf;
    const result = instrumentSourceFile(sf, context, options);
    onFile(result);
    return result.file;
  };
}

interface FunctionScope {
  node: ts.SignatureDeclaration | undefined;
  canAwait: boolean;
  generator: boolean;
  name: string;
  /** Strands of the event loops lexically around the current position. */
  strands: ts.Identifier[];
}

interface LoopScope {
  strand: ts.Identifier;
  plan: LoopPlan | undefined;
  restart: boolean;
}

export function instrumentSourceFile(sf: ts.SourceFile, context: ts.TransformationContext, options: InstrumentOptions): InstrumentResult {
  const f = context.factory;
  const display = options.displayName(sf);
  const comments = readComments(sf);
  const lineOf = (node: ts.Node | number): number =>
    sf.getLineAndCharacterOfPosition(typeof node === 'number' ? node : node.getStart(sf)).line + 1;
  const diagnostics = comments.misuses.map(
    (misuse): ts.DiagnosticWithLocation => ({
      file: sf,
      start: misuse.pos,
      length: misuse.end - misuse.pos,
      messageText: `quiesce: ${misuse.message}`,
      category: ts.DiagnosticCategory.Error,
      code: DIAGNOSTIC_CODE,
      source: 'quiesce',
    }),
  );
  const report: FileReport = {
    file: display,
    loc: countLoc(sf.text, comments.ranges),
    strands: 0,
    updatePoints: 0,
    interruptibleAwaits: 0,
    changedLoc: 0,
    manualChanges: 0,
    needsManualChange: 0,
    changedLines: [],
    loops: [],
    manualChangeList: manualChanges(sf, comments, lineOf),
    needsManualChangeList: [],
  };
  report.manualChanges = report.manualChangeList.length;
  if (isInstrumented(sf)) return { file: sf, report, diagnostics };

  const changed = new Set<number>();
  const ordinals = new Map<string, number>();
  const runtime = (member: string): ts.Expression => f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_NAME), member);
  const call = (member: string, args: ts.Expression[]): ts.CallExpression => f.createCallExpression(runtime(member), undefined, args);
  /** Nodes to emit in place of an original one (a boundary wait's await becomes its result). */
  const replacements = new Map<ts.Node, ts.Node>();
  /** Unlabelled breaks of split loops, and the label of the outer loop they now leave. */
  const breakTargets = new Map<ts.Node, ts.Identifier>();

  let fn: FunctionScope = {
    node: undefined,
    canAwait: hasTopLevelAwait(sf),
    generator: false,
    name: functionName(undefined),
    strands: [],
  };
  let loop: LoopScope | undefined;

  const annotationOf = (statement: ts.IterationStatement) => comments.byLoop.get(statement);
  const isEventLoop = (statement: ts.Statement): statement is ts.IterationStatement => {
    if (!ts.isIterationStatement(statement, false)) return false;
    const annotation = annotationOf(statement);
    if (annotation?.kind === 'ignore') return false;
    return eventLoopForm(statement, annotation !== undefined) !== undefined;
  };

  const visit = (node: ts.Node): ts.VisitResult<ts.Node | undefined> => {
    const replacement = replacements.get(node);
    if (replacement !== undefined) return replacement;
    switch (node.kind) {
      case ts.SyntaxKind.LabeledStatement: {
        const inner = unwrapLabels(node as ts.LabeledStatement);
        return isEventLoop(inner) ? instrumentLoop(inner, labelsOf(node as ts.LabeledStatement)) : ts.visitEachChild(node, visit, context);
      }
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.ForInStatement:
        return isEventLoop(node as ts.IterationStatement)
          ? instrumentLoop(node as ts.IterationStatement, [])
          : ts.visitEachChild(node, visit, context);
      case ts.SyntaxKind.AwaitExpression:
        return loop?.plan?.interruptible.has(node as ts.AwaitExpression)
          ? interruptibleWait(node as ts.AwaitExpression, loop)
          : ts.visitEachChild(node, visit, context);
      case ts.SyntaxKind.BreakStatement: {
        const target = breakTargets.get(node);
        return target === undefined ? node : f.updateBreakStatement(node as ts.BreakStatement, target);
      }
      case ts.SyntaxKind.CatchClause:
        return loop?.restart ? guardCatch(node as ts.CatchClause) : ts.visitEachChild(node, visit, context);
      case ts.SyntaxKind.ClassStaticBlockDeclaration:
        return inFunction(undefined, false, false, () => ts.visitEachChild(node, visit, context));
      default:
        if (ts.isFunctionLike(node)) {
          const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
          const isAsync = modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
          const generator = 'asteriskToken' in node && node.asteriskToken !== undefined;
          return inFunction(node, isAsync, generator, () => ts.visitEachChild(node, visit, context));
        }
        return ts.visitEachChild(node, visit, context);
    }
  };

  function inFunction<T>(node: ts.SignatureDeclaration | undefined, isAsync: boolean, generator: boolean, run: () => T): T {
    const savedFn = fn;
    const savedLoop = loop;
    fn = { node, canAwait: isAsync, generator, name: node ? functionName(node) : savedFn.name, strands: [] };
    loop = undefined;
    try {
      return run();
    } finally {
      fn = savedFn;
      loop = savedLoop;
    }
  }

  function instrumentLoop(original: ts.IterationStatement, labels: ts.Identifier[]): ts.Statement {
    const annotation = annotationOf(original);
    const form = eventLoopForm(original, annotation !== undefined)!;
    // Counted per name over the whole file: two anonymous functions must not share a loop name.
    const ordinal = (ordinals.get(fn.name) ?? 0) + 1;
    ordinals.set(fn.name, ordinal);
    const name = annotation?.name ?? `${display}:${fn.name}:loop${ordinal}`;
    const strand = f.createUniqueName('__strand');
    const parent = fn.strands[fn.strands.length - 1];
    const plan = options.interruptible && fn.canAwait ? planWaits(original, form, annotation !== undefined, name, isEventLoop) : undefined;
    const loopReport: LoopReport = { name, line: lineOf(original), form, waits: [] };
    for (const wait of plan?.waits ?? []) {
      const line = wait.node ? lineOf(wait.node) : lineOf(original);
      loopReport.waits.push({ name: wait.name, line, kind: wait.kind, ...(wait.reason ? { reason: wait.reason } : {}) });
      if (wait.kind === 'left') report.needsManualChangeList.push({ line, loop: name, reason: `await at line ${line}: ${wait.reason}` });
      else {
        report.interruptibleAwaits++;
        changed.add(line);
      }
    }
    report.loops.push(loopReport);
    report.strands++;
    report.updatePoints++;
    changed.add(lineOf(original));

    // The loop's header runs in the enclosing scope; only its body belongs to the new strand.
    // A synchronous annotated loop restarts when a blocking shared primitive interrupts it (in a worker).
    const restartableSync =
      options.interruptible && annotation?.kind === 'quiescent' && !fn.canAwait && !fn.generator && restartObstacle(original, form) === undefined;
    const scope: LoopScope = { strand, plan, restart: restartableSync || (plan !== undefined && plan.interruptible.size > 0) };
    const inScope = <T>(run: () => T): T => {
      const saved = loop;
      loop = scope;
      fn.strands.push(strand);
      try {
        return run();
      } finally {
        fn.strands.pop();
        loop = saved;
      }
    };

    const leave = f.createExpressionStatement(call('leave', [strand]));
    const before: ts.Statement[] = [];
    const prelude: ts.Statement[] = [];
    let statement: ts.Statement;
    /** Whether `statement` calls `leave` itself (a lowered `for await`). */
    let leaves = false;
    if (form === 'for-await' && plan !== undefined) {
      const loopAsForOf = original as ts.ForOfStatement;
      const lowered = lowerForAwait(f, {
        loop: loopAsForOf,
        labels,
        expression: visitExpression(loopAsForOf.expression),
        runtime,
        updatePoint: () => updatePoint(scope, original),
        quietNext: (step) => call('quiet', [strand, f.createStringLiteral(plan.waits[0].name), step]),
        resumeCheck: () => resumeCheck(strand, original),
        leave,
        binding: (value) => inScope(() => binding(loopAsForOf.initializer, value)),
        body: () => inScope(() => loopBody(original, scope, 'none')),
      });
      before.push(...lowered.before);
      prelude.push(...lowered.prelude);
      statement = ts.setCommentRange(lowered.statement, original);
      leaves = true;
    } else if (isSplittable(original, form)) {
      // Breaks of the body now leave the outer loop; the original labels move to it as well.
      const breaks = breaksLeaving(original);
      const target = labels[0] ?? f.createUniqueName('__loop');
      for (const node of breaks) breakTargets.set(node, target);
      const inner = updateLoop(original, () => inScope(() => loopBody(original, scope, 'leave')));
      for (const node of breaks) breakTargets.delete(node);
      const outer = f.createForStatement(undefined, undefined, undefined, f.createBlock([updatePoint(scope, original), inner], true));
      ts.setSourceMapRange(outer, { pos: original.getStart(sf), end: original.getStart(sf) });
      const outerLabels = labels.length > 0 ? labels : breaks.length > 0 ? [target] : [];
      statement = outerLabels.reduceRight<ts.Statement>((loopStatement, label) => f.createLabeledStatement(label, loopStatement), outer);
    } else {
      const updated = updateLoop(original, () => inScope(() => loopBody(original, scope, 'point')));
      statement = labels.reduceRight<ts.Statement>((inner, label) => f.createLabeledStatement(label, inner), updated);
    }

    // enter(name, parent?, counted = true, restartable = false), trailing defaults left out.
    const args: ts.Expression[] = [f.createStringLiteral(name)];
    if (parent !== undefined || fn.generator || restartableSync) args.push(parent ?? f.createIdentifier('undefined'));
    if (fn.generator || restartableSync) args.push(fn.generator ? f.createFalse() : f.createTrue());
    if (restartableSync) args.push(f.createTrue());
    const enter = f.createVariableStatement(
      undefined,
      f.createVariableDeclarationList([f.createVariableDeclaration(strand, undefined, undefined, call('enter', args))], ts.NodeFlags.Const),
    );
    const guarded = leaves ? statement : f.createTryStatement(f.createBlock([statement], true), undefined, f.createBlock([leave], true));
    const block = f.createBlock([...before, enter, ...prelude, guarded], true);
    ts.setSourceMapRange(block, original);
    ts.setOriginalNode(block, original);
    return block;
  }

  function visitExpression<T extends ts.Node>(node: T): T {
    return ts.visitNode(node, visit) as T;
  }

  function updateLoop(loopNode: ts.IterationStatement, body: () => ts.Block): ts.IterationStatement {
    switch (loopNode.kind) {
      case ts.SyntaxKind.WhileStatement: {
        const node = loopNode as ts.WhileStatement;
        return f.updateWhileStatement(node, visitExpression(node.expression), body());
      }
      case ts.SyntaxKind.DoStatement: {
        const node = loopNode as ts.DoStatement;
        const newBody = body();
        return f.updateDoStatement(node, newBody, visitExpression(node.expression));
      }
      case ts.SyntaxKind.ForStatement: {
        const node = loopNode as ts.ForStatement;
        const initializer = node.initializer && visitExpression(node.initializer);
        const condition = node.condition && visitExpression(node.condition);
        const incrementor = node.incrementor && visitExpression(node.incrementor);
        return f.updateForStatement(node, initializer, condition, incrementor, body());
      }
      case ts.SyntaxKind.ForOfStatement: {
        const node = loopNode as ts.ForOfStatement;
        return f.updateForOfStatement(node, node.awaitModifier, visitExpression(node.initializer), visitExpression(node.expression), body());
      }
      case ts.SyntaxKind.ForInStatement: {
        const node = loopNode as ts.ForInStatement;
        return f.updateForInStatement(node, visitExpression(node.initializer), visitExpression(node.expression), body());
      }
      default:
        throw new Error(`quiesce: unexpected loop kind ${ts.SyntaxKind[loopNode.kind]}`);
    }
  }

  /**
   * The loop body: its statements with boundary waits rewritten, preceded by the update point, by
   * the break that leaves to it (a split loop), or by nothing (a lowered `for await` has its own).
   */
  function loopBody(loopNode: ts.IterationStatement, scope: LoopScope, head: 'point' | 'leave' | 'none'): ts.Block {
    const body = loopNode.statement;
    const original = ts.isBlock(body) ? body.statements : [body];
    let statements: ts.Statement[] = [];
    for (const statement of original) {
      if (statement === scope.plan?.leading?.statement) statements.push(...leadingWait(scope.plan.leading.statement, scope.plan.leading.wait, scope));
      else if (statement === scope.plan?.trailing?.statement) statements.push(...trailingWait(scope.plan.trailing.wait, scope));
      else statements.push(...toStatements(ts.visitNode(statement, visit)));
    }
    if (scope.restart) statements = [restartOnInterrupt(statements)];
    if (head === 'point') statements.unshift(updatePoint(scope, loopNode));
    else if (head === 'leave') statements.unshift(leaveForPoint(loopNode));
    return ts.isBlock(body) ? f.updateBlock(body, ts.setTextRange(f.createNodeArray(statements), body.statements)) : f.createBlock(statements, true);
  }

  function toStatements(result: ts.VisitResult<ts.Node | undefined>): ts.Statement[] {
    if (result === undefined) return [];
    return (Array.isArray(result) ? result : [result]) as ts.Statement[];
  }

  const flagRead = (): ts.Expression =>
    f.createElementAccessExpression(f.createIdentifier(fn.canAwait ? FLAG_NAME : SYNC_FLAG_NAME), f.createNumericLiteral(0));

  function updatePoint(scope: LoopScope, origin: ts.Node): ts.Statement {
    const park = fn.canAwait ? f.createAwaitExpression(call('point', [scope.strand])) : call('pointSync', [scope.strand]);
    const statement = f.createIfStatement(flagRead(), f.createExpressionStatement(park));
    ts.setSourceMapRange(statement, { pos: origin.getStart(sf), end: origin.getStart(sf) });
    return statement;
  }

  /** `if (__quiesceFlag[0]) break;` at the head of a split loop's body: on to the update point around it. */
  function leaveForPoint(origin: ts.Node): ts.Statement {
    const statement = f.createIfStatement(flagRead(), f.createBreakStatement());
    ts.setSourceMapRange(statement, { pos: origin.getStart(sf), end: origin.getStart(sf) });
    return statement;
  }

  function resumeCheck(strand: ts.Identifier, origin: ts.Node): ts.Statement {
    const statement = f.createIfStatement(call('resume', [strand]), f.createExpressionStatement(f.createAwaitExpression(call('point', [strand]))));
    ts.setSourceMapRange(statement, origin);
    return statement;
  }

  /** `const x = await e;` → wait quietly for e, go through the update point if one is pending, then bind x. */
  function leadingWait(statement: ts.Statement, wait: ts.AwaitExpression, scope: LoopScope): ts.Statement[] {
    const waitName = scope.plan!.waits.find((planned) => planned.node === wait)!.name;
    const result = f.createUniqueName('__waited');
    const quietWait = f.createAwaitExpression(call('quiet', [scope.strand, f.createStringLiteral(waitName), visitExpression(wait.expression)]));
    ts.setSourceMapRange(quietWait, wait);
    // A bare `await e;` has no result to bind: an unused const would fail noUnusedLocals.
    const bare = ts.isExpressionStatement(statement) && skipOuter(statement.expression) === wait;
    const first = bare
      ? f.createExpressionStatement(quietWait)
      : f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList([f.createVariableDeclaration(result, undefined, undefined, quietWait)], ts.NodeFlags.Const),
        );
    ts.setSourceMapRange(first, statement);
    const out: ts.Statement[] = [first, resumeCheck(scope.strand, statement)];
    if (!bare) {
      replacements.set(wait, result);
      out.push(...toStatements(ts.visitNode(statement, visit)));
      replacements.delete(wait);
    }
    return out;
  }

  /** A last statement `await e;`: wait quietly; the update point at the loop head follows. */
  function trailingWait(wait: ts.AwaitExpression, scope: LoopScope): ts.Statement[] {
    const waitName = scope.plan!.waits.find((planned) => planned.node === wait)!.name;
    const quietWait = f.createExpressionStatement(
      f.createAwaitExpression(call('quiet', [scope.strand, f.createStringLiteral(waitName), visitExpression(wait.expression)])),
    );
    ts.setSourceMapRange(quietWait, wait);
    ts.setCommentRange(quietWait, scope.plan!.trailing!.statement);
    return [quietWait, f.createExpressionStatement(call('resume', [scope.strand]))];
  }

  /** Any other wait, in a loop whose author vouched that restarting it is safe. */
  function interruptibleWait(wait: ts.AwaitExpression, scope: LoopScope): ts.Expression {
    const waitName = scope.plan!.waits.find((planned) => planned.node === wait)!.name;
    const start = f.createArrowFunction(undefined, undefined, [], undefined, undefined, visitExpression(wait.expression));
    const updated = f.updateAwaitExpression(wait, call('wait', [scope.strand, f.createStringLiteral(waitName), start]));
    ts.setSourceMapRange(updated, wait);
    return updated;
  }

  /** Unwind an interrupted iteration back to the update point; everything else propagates. */
  function restartOnInterrupt(statements: ts.Statement[]): ts.Statement {
    const error = f.createUniqueName('__error');
    return f.createTryStatement(
      f.createBlock(statements, true),
      f.createCatchClause(error, f.createBlock([rethrowUnless(error, ts.SyntaxKind.ExclamationEqualsEqualsToken)], true)),
      undefined,
    );
  }

  function rethrowUnless(error: ts.Identifier, operator: ts.SyntaxKind.EqualsEqualsEqualsToken | ts.SyntaxKind.ExclamationEqualsEqualsToken): ts.Statement {
    return f.createIfStatement(f.createBinaryExpression(error, operator, runtime('INTERRUPT')), f.createThrowStatement(error));
  }

  /** A user's catch inside a restartable loop must not swallow the interrupt. */
  function guardCatch(clause: ts.CatchClause): ts.CatchClause {
    changed.add(lineOf(clause));
    const declared = clause.variableDeclaration;
    const statements = ts.visitNodes(clause.block.statements, visit) as ts.NodeArray<ts.Statement>;
    if (declared !== undefined && ts.isIdentifier(declared.name)) {
      return f.updateCatchClause(clause, declared, f.updateBlock(clause.block, [rethrowUnless(declared.name, ts.SyntaxKind.EqualsEqualsEqualsToken), ...statements]));
    }
    const error = f.createUniqueName('__error');
    const destructure = declared
      ? [f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(declared.name, undefined, undefined, error)], ts.NodeFlags.Let))]
      : [];
    return f.updateCatchClause(
      clause,
      f.createVariableDeclaration(error, undefined, declared?.type),
      f.updateBlock(clause.block, [rethrowUnless(error, ts.SyntaxKind.EqualsEqualsEqualsToken), ...destructure, ...statements]),
    );
  }

  /** `for await (const x of …)`'s binding of one value, as a statement. */
  function binding(initializer: ts.ForInitializer, value: ts.Expression): ts.Statement {
    if (ts.isVariableDeclarationList(initializer)) {
      const declaration = initializer.declarations[0];
      const statement = f.createVariableStatement(
        undefined,
        f.updateVariableDeclarationList(initializer, [
          f.updateVariableDeclaration(declaration, visitExpression(declaration.name), declaration.exclamationToken, declaration.type, value),
        ]),
      );
      ts.setSourceMapRange(statement, initializer);
      return statement;
    }
    const statement = f.createExpressionStatement(f.createAssignment(visitExpression(initializer), value));
    ts.setSourceMapRange(statement, initializer);
    return statement;
  }

  let file = ts.visitNode(sf, (node) => ts.visitEachChild(node, visit, context)) as ts.SourceFile;
  if (report.strands > 0) file = withRuntimeImport(f, file, ts.isExternalModule(sf));
  report.changedLines = [...changed].sort((a, b) => a - b);
  report.changedLoc = report.changedLines.length;
  report.needsManualChange = report.needsManualChangeList.length;
  return { file, report, diagnostics };
}

/**
 * A loop with nothing in its header to re-run (`while (true)`, `do … while (true)`, `for (;;)`),
 * so that entering it again after the update point is the same as going on with it, and with no
 * loop and no await or yield in its body:
 * - V8 peels only innermost loops, and around an outer one the extra loop level costs more than
 *   the call it moves out (a few percent, measured on bench/programs/hotloop.ts's event loop with
 *   its parsing loops);
 * - a function that suspends in the loop resumes through the header of every loop around the
 *   suspension: the extra level cost about 3 % of an await of a resolved value per iteration
 *   (hotloop.ts's `await` loop, 35 rounds each), more than the split saves there.
 */
function isSplittable(loop: ts.IterationStatement, form: LoopForm): boolean {
  const header = form === 'while' || form === 'do' || (form === 'for' && ts.isForStatement(loop) && loop.initializer === undefined && loop.incrementor === undefined);
  return header && !containsLoopOrSuspension(loop.statement);
}

function containsLoopOrSuspension(node: ts.Node): boolean {
  if (ts.isIterationStatement(node, false) || ts.isAwaitExpression(node) || ts.isYieldExpression(node)) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  return ts.forEachChild(node, containsLoopOrSuspension) ?? false;
}

/** The unlabelled breaks in a loop's body that leave that loop (not a nested loop, switch or function). */
function breaksLeaving(loop: ts.IterationStatement): ts.BreakStatement[] {
  const found: ts.BreakStatement[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isBreakStatement(node)) {
      if (node.label === undefined) found.push(node);
    } else if (!ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node) && !ts.isIterationStatement(node, false) && !ts.isSwitchStatement(node)) {
      ts.forEachChild(node, walk);
    }
  };
  walk(loop.statement);
  return found;
}

function labelsOf(statement: ts.LabeledStatement): ts.Identifier[] {
  const labels: ts.Identifier[] = [];
  let current: ts.Statement = statement;
  while (ts.isLabeledStatement(current)) {
    labels.push(current.label);
    current = current.statement;
  }
  return labels;
}

/** A file this transform already instrumented calls the runtime's hooks: leave it alone. */
function isInstrumented(sf: ts.SourceFile): boolean {
  const calls = (node: ts.Node): boolean =>
    (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === RUNTIME_NAME) || ts.forEachChild(node, calls) === true;
  return calls(sf);
}

/**
 * Load the runtime at the top of the file: `import "quiesce";`, in a script `require("quiesce")`.
 * It defines the hooks and the flag as globals (runtime/index.ts says why).
 */
function withRuntimeImport(f: ts.NodeFactory, file: ts.SourceFile, isModule: boolean): ts.SourceFile {
  const specifier = f.createStringLiteral(RUNTIME_MODULE);
  const load = isModule
    ? f.createImportDeclaration(undefined, undefined, specifier)
    : // A script (no import or export) is not turned into a module. The import type makes a
      // type-checked output see the runtime's declarations, and with them its globals.
      f.createExpressionStatement(
        f.createAsExpression(
          f.createCallExpression(f.createIdentifier('require'), undefined, [specifier]),
          f.createImportTypeNode(f.createLiteralTypeNode(f.createStringLiteral(RUNTIME_MODULE)), undefined, undefined, undefined, true),
        ),
      );
  let prologue = 0;
  while (prologue < file.statements.length && isPrologue(file.statements[prologue])) prologue++;
  const statements = f.createNodeArray([...file.statements.slice(0, prologue), load, ...file.statements.slice(prologue)]);
  return f.updateSourceFile(file, ts.setTextRange(statements, file.statements));
}

function isPrologue(statement: ts.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
}

function hasTopLevelAwait(sf: ts.SourceFile): boolean {
  let found = false;
  const walk = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) found = true;
    else ts.forEachChild(node, walk);
  };
  ts.forEachChild(sf, walk);
  return found;
}

/** Annotations, and calls the author wrote to the runtime (the paper's "Calls to QBench excluding update"). */
function manualChanges(sf: ts.SourceFile, comments: FileComments, lineOf: (node: ts.Node | number) => number): ManualChange[] {
  const changes: ManualChange[] = [...comments.byLoop.values()].map((annotation) => ({
    line: lineOf(annotation.pos),
    kind: 'annotation',
    text: sf.text.slice(annotation.pos, annotation.end),
  }));
  const direct = new Set<string>();
  const namespaces = new Set<string>();
  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== RUNTIME_MODULE) continue;
    const bindings = statement.importClause?.namedBindings;
    if (statement.importClause?.isTypeOnly || bindings === undefined) continue;
    if (ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
    else
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        if (!element.isTypeOnly && !CONTROL_API.has(imported)) direct.add(element.name.text);
      }
  }
  if (direct.size === 0 && namespaces.size === 0) return changes;
  const isRuntimeCallee = (callee: ts.Expression): boolean =>
    (ts.isIdentifier(callee) && direct.has(callee.text)) ||
    (ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      namespaces.has(callee.expression.text) &&
      !CONTROL_API.has(callee.name.text));
  const walk = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && isRuntimeCallee(node.expression)) {
      const text = node.getText(sf).replace(/\s+/g, ' ');
      changes.push({ line: lineOf(node), kind: 'runtime-call', text: text.length > 80 ? `${text.slice(0, 77)}...` : text });
    }
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(sf, walk);
  return changes.sort((a, b) => a.line - b.line);
}
