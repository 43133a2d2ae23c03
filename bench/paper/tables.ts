/** The benchmark's results as Markdown: the study's two tables, ours beside theirs, and the clients' view. */
import type { Effort } from './effort';
import { LIMIT_MS, STRANDS_EVERY_MS, type Cell, type Plan } from './measure';
import { CONDITIONS, type ConditionKey, type StudyRow, type StudyTtq } from './study';

export interface ProgramResult {
  name: string;
  study?: StudyRow;
  /** Why the program was not measured (no driver, driver not built ...). */
  skipped?: string;
  driver?: { threads: string; args: string[]; packages: string[] };
  effort?: Effort;
  /** Why the real client's correctness check failed on the all-changes build, if it did. */
  verifyError?: string;
  cells: Partial<Record<ConditionKey, Cell>>;
  /** Each build's exit code once stopped (0 expected). */
  exitCodes: Partial<Record<'quiesce' | 'updonly', number | null>>;
  /** Anything else that went wrong (a fixture that did not start ...). */
  errors: string[];
  seconds: number;
}

export interface RunInfo {
  date: string;
  mode: 'full' | 'quick';
  plan: Plan;
  machine: string;
  loadAverage: { start: number[]; end: number[] };
  seconds: number;
}

export function formatMs(ms: number): string {
  return ms.toFixed(ms < 0.1 ? 4 : ms < 10 ? 3 : 1);
}

function studyTtq(value: StudyTtq): string {
  return typeof value === 'number' ? value.toFixed(3) : value;
}

export function describeCell(cell: Cell | undefined): string {
  if (cell === undefined) return 'n/a';
  const { stats } = cell;
  const notes: string[] = [];
  if (stats.calledOff > 0) notes.push(`${stats.calledOff}/${stats.requests} off`);
  if (stats.failed > 0) notes.push(`**${stats.failed} failed**`);
  const figure = stats.medianMs === null ? 'none applied' : `${formatMs(stats.medianMs)} / ${formatMs(stats.p99Ms!)}`;
  if (stats.dnq) return `DNQ (${[...notes, ...(stats.applied > 0 ? [`applied: ${figure}`] : [])].join('; ')})`;
  return notes.length === 0 ? figure : `${figure} (${notes.join(', ')})`;
}

function manualChanges(effort: Effort): string {
  const made = effort.manualChanges.map((change) => `${change.kind} \`${change.text}\` (${change.file}:${change.line})`);
  const needed = effort.needsManualChange.map((need) => `**needed** at ${need.file}:${need.line}: ${need.reason}`);
  const list = [...made, ...needed].join('; ');
  return list === '' ? '0' : `${effort.manualChanges.length}: ${list}`;
}

function liveStrands(result: ProgramResult): string {
  const strands = result.cells['load-all']?.strands;
  if (strands === undefined) return 'n/a';
  const loops = Object.entries(strands.byLoop).map(([loop, n]) => `${loop} ${n}`).join(', ');
  return `${strands.count} (${loops})`;
}

function effortTable(results: readonly ProgramResult[]): string[] {
  const lines = [
    '| program | LoC | strands (loops instrumented) | live strands under load (all threads, peak) | study: threads | update points | study | changed LoC (all / upd only) | study | manual changes | study |',
    '|---|---:|---:|---|---|---:|---:|---:|---:|---|---|',
  ];
  for (const result of results) {
    const { effort, study } = result;
    if (effort === undefined) {
      lines.push(`| ${result.name} | not built | | | ${study?.threads ?? ''} | | ${study?.updatePoints ?? ''} | | ${study?.changedLoc ?? ''} | | ${study?.manualChanges ?? ''} |`);
      continue;
    }
    lines.push(
      `| ${result.name} | ${effort.loc} | ${effort.strands} | ${liveStrands(result)} | ${study?.threads ?? ''} | ${effort.updatePoints} | ${study?.updatePoints ?? ''} | ` +
        `${effort.changedLoc} / ${effort.changedLocUpdOnly} | ${study?.changedLoc ?? ''} | ${manualChanges(effort)} | ${study?.manualChanges ?? ''} |`,
    );
  }
  return lines;
}

function ttqTable(results: readonly ProgramResult[]): string[] {
  const header = CONDITIONS.map((condition) => `${condition.title} | study`).join(' | ');
  const lines = [`| program | ${header} |`, `|---|${CONDITIONS.map(() => '---:|---:|').join('')}`];
  for (const result of results) {
    if (result.skipped !== undefined) continue;
    const cells = CONDITIONS.map((condition) => `${describeCell(result.cells[condition.key])} | ${result.study === undefined ? '' : studyTtq(result.study.ttq[condition.key])}`);
    lines.push(`| ${result.name} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Which loops held up the requests that were called off, per run: the reason for a DNQ. */
function heldUp(results: readonly ProgramResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    for (const condition of CONDITIONS) {
      const probes = result.cells[condition.key]?.probes.filter((probe) => probe.outcome === 'called-off') ?? [];
      if (probes.length === 0) continue;
      const counts = new Map<string, number>();
      for (const loop of probes.flatMap((probe) => probe.blockers ?? [])) counts.set(loop, (counts.get(loop) ?? 0) + 1);
      const loops = [...counts].map(([loop, n]) => `${loop} (${n})`).join(', ');
      lines.push(`- ${result.name}, ${condition.title}: ${probes.length} called off, held up by ${loops}`);
    }
  }
  return lines;
}

function clientTable(results: readonly ProgramResult[]): string[] {
  const flag = (n: number) => (n === 0 ? '0' : `**${n} (FLAG)**`);
  const lines = ['| program | work | errors | lost connections | client runs | the client said |', '|---|---:|---:|---:|---:|---|'];
  for (const result of results) {
    if (result.skipped !== undefined) continue;
    const cell = result.cells['load-all'];
    const client = cell?.client;
    if (client === undefined) {
      lines.push(`| ${result.name} | **no client view${cell?.error === undefined ? '' : `: ${cell.error.replace(/\s+/g, ' ')}`}** | | | | |`);
      continue;
    }
    lines.push(`| ${result.name} | ${client.work} ${client.unit} | ${flag(client.errors)} | ${flag(client.lostConnections)} | ${client.runs} | ${(client.detail ?? '').replace(/\|/g, '/')} |`);
  }
  return lines;
}

/** Everything that should not have happened, for the top of the output. */
export function problems(results: readonly ProgramResult[]): string[] {
  const found: string[] = [];
  for (const result of results) {
    if (result.skipped !== undefined) found.push(`${result.name}: skipped: ${result.skipped}`);
    if (result.verifyError !== undefined) found.push(`${result.name}: **VERIFY FAILED** (the real client's correctness check, all-changes build): ${result.verifyError}`);
    for (const error of result.errors) found.push(`${result.name}: ${error}`);
    for (const [variant, code] of Object.entries(result.exitCodes)) if (code !== 0) found.push(`${result.name} (${variant}): exited with ${code} once stopped`);
    for (const condition of CONDITIONS) {
      const cell = result.cells[condition.key];
      if (cell?.error !== undefined) found.push(`${result.name}, ${condition.title}: ${cell.error}`);
      if (cell !== undefined && cell.stats.failed > 0) found.push(`${result.name}, ${condition.title}: ${cell.stats.failed} update actions failed`);
      const client = cell?.client;
      if (condition.key === 'load-all' && client !== undefined && client.errors + client.lostConnections > 0) {
        found.push(`${result.name}: the client saw ${client.errors} errors and ${client.lostConnections} lost connections during the updated run`);
      }
    }
  }
  return found;
}

export function renderMarkdown(results: readonly ProgramResult[], run: RunInfo): string {
  const { plan } = run;
  const found = problems(results);
  const held = heldUp(results);
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  return [
    "# The QBench study's tables, reproduced",
    '',
    `\`npm run bench:paper\` (${run.mode}) on ${run.date.slice(0, 16).replace('T', ' ')} UTC: ${run.machine}; load average (1 / 5 / 15 min) ${load(run.loadAverage.start)} at the start, ` +
      `${load(run.loadAverage.end)} at the end; ${Math.round(run.seconds)} s. Servers pinned to one core, the real clients to the other.`,
    '',
    ...(found.length === 0 ? ['No problems: every check passed, every fixture exited with 0.'] : ['## Problems', '', ...found.map((problem) => `- ${problem}`)]),
    '',
    '## Table 1: effort',
    '',
    ...effortTable(results),
    '',
    "Ours from the transform's reports (`build/fixtures/{quiesce,updonly}/report.json`). Our strands column counts loops " +
      `instrumented (static); the study's counts threads at run time, so the most live strands seen during the load (sampled every ${STRANDS_EVERY_MS} ms, in every thread) are beside it.`,
    '',
    '## Table 2: time to quiescence (ms)',
    '',
    ...ttqTable(results),
    '',
    `Ours: median / p99 of \`toQuiescenceMs\` over the applied update requests; up to ${plan.probes} requests per run, limit ${LIMIT_MS} ms each. ` +
      `With load: the real client runs for ${plan.loadMs / 1000} s (again if requests remain) and the requests are spread over it from ${plan.warmupMs / 1000} s on; ` +
      `without load: ${plan.idleSpacingMs} ms apart. A run stops early after ${plan.dnqAfter} consecutive requests called off, or after ${plan.capMs / 1000} s of requests. ` +
      'DNQ: more than half of the requests were called off. "x/n off": called off of those made. The study: Kitsune on the C programs.',
    '',
    ...(held.length === 0 ? [] : ['Requests called off, and the loops (strands) that held them up (requests blocked by each):', '', ...held, '']),
    '## The clients during the updated run (all changes, with load)',
    '',
    ...clientTable(results),
    '',
  ].join('\n');
}
