/**
 * `npm run bench:paper [-- --quick] [-- --only httpd,memcached]`: the QBench study's two tables
 * for our counterparts of its seven programs (fixtures/<name>, driven by bench/paper/drivers/<name>).
 * - Table 1 (effort) from the transform's reports of the fixtures' build.
 * - Table 2 (time to quiescence): each program's all-changes build is started, checked once with
 *   its real client (driver.verify), then probed with update requests while the real client puts
 *   load on it and without load; then the same two runs on the update-points-only build.
 * - The real client's view of the updated run (all changes, with load): work, errors, lost connections.
 * Figures are printed and written (bench/results/paper.{md,json,svg} and a dated copy of the
 * Markdown), never asserted; progress goes to stderr, a line per step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderChart } from './chart';
import { CPUS, ensureClients } from './clients';
import type { Driver } from './driver';
import { readEffort } from './effort';
import { startFixture, ROOT, type Fixture, type Variant } from './fixture';
import { describeCell, problems, renderMarkdown, type ProgramResult, type RunInfo } from './tables';
import { underLoad, withoutLoad, type Plan } from './measure';
import { CONDITIONS, STUDY } from './study';

const USAGE = 'usage: run.js [--quick] [--only name,name...]';

function parseArguments(argv: readonly string[]): { quick: boolean; only: string[] | undefined } {
  let quick = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--only' && argv[i + 1] !== undefined) only = argv[++i].split(',').filter((name) => name !== '');
    else if (argv[i].startsWith('--only=')) only = argv[i].slice('--only='.length).split(',').filter((name) => name !== '');
    else throw new Error(`unknown argument ${argv[i]} (${USAGE})`);
  }
  return { quick, only };
}

/**
 * A client run is long enough for the first Plan.dnqAfter requests to be called off within it
 * (warmup + dnqAfter × 1 s), so that a program that does not quiesce costs one client run.
 */
const PLANS: Record<'full' | 'quick', Plan> = {
  full: { probes: 200, dnqAfter: 5, capMs: 40_000, loadMs: 10_000, warmupMs: 2000, idleSpacingMs: 10 },
  quick: { probes: 30, dnqAfter: 2, capMs: 3000, loadMs: 3500, warmupMs: 1000, idleSpacingMs: 10 },
};

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
function step(message: string): void {
  process.stderr.write(`[${elapsed().toFixed(1).padStart(6)} s] ${message}\n`);
}

const messageOf = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1500 ? `${text.slice(0, 1500)} …` : text;
};

/** The drivers in bench/paper/drivers/, by program: the compiled driver, or why there is none. */
function findDrivers(): Map<string, Driver | string> {
  const drivers = new Map<string, Driver | string>();
  for (const file of fs.readdirSync(path.join(ROOT, 'bench/paper/drivers'))) {
    if (!file.endsWith('.ts')) continue;
    const name = file.slice(0, -'.ts'.length);
    const compiled = path.join(__dirname, 'drivers', `${name}.js`);
    if (!fs.existsSync(compiled)) {
      drivers.set(name, `bench/paper/drivers/${file} is not built (npm run build:tests)`);
      continue;
    }
    const driver = (require(compiled) as { driver?: Driver }).driver;
    drivers.set(name, driver ?? `bench/paper/drivers/${file} exports no \`driver\``);
  }
  return drivers;
}

async function measureProgram(name: string, driver: Driver, plan: Plan, result: ProgramResult): Promise<void> {
  ensureClients(driver.packages);
  for (const variant of ['quiesce', 'updonly'] as Variant[]) {
    step(`${name}: start the ${variant === 'quiesce' ? 'all-changes' : 'update-points-only'} build`);
    let fixture: Fixture;
    try {
      fixture = await startFixture(name, variant, { args: driver.args, captureStdout: driver.captureStdout, cpus: CPUS.server });
    } catch (error) {
      result.errors.push(`the ${variant} build did not start: ${messageOf(error)}`);
      step(`${name}: ${result.errors.at(-1)}`);
      continue;
    }
    try {
      if (variant === 'quiesce') {
        step(`${name}: verify with the real client`);
        try {
          await driver.verify(fixture);
        } catch (error) {
          result.verifyError = messageOf(error);
          step(`${name}: !!! VERIFY FAILED: ${result.verifyError}`);
        }
      }
      for (const condition of CONDITIONS.filter((c) => c.variant === variant)) {
        step(`${name}: ${condition.title}${condition.load ? ` (${driver.packages.join(', ')})` : ''}`);
        try {
          const cell = condition.load ? await underLoad(fixture, driver, plan) : await withoutLoad(fixture, plan);
          result.cells[condition.key] = cell;
          const client = cell.client === undefined ? '' : `; client: ${cell.client.work} ${cell.client.unit}, ${cell.client.errors} errors, ${cell.client.lostConnections} lost connections`;
          step(`${name}: ${condition.title}: ${describeCell(cell)}${cell.stopped === undefined ? '' : `, ${cell.stopped}`}${client}${cell.error === undefined ? '' : `; ${cell.error}`}`);
        } catch (error) {
          result.errors.push(`${condition.title}: ${messageOf(error)}`);
          step(`${name}: ${condition.title}: ${result.errors.at(-1)}`);
        }
      }
    } finally {
      result.exitCodes[variant] = await fixture.stop();
    }
  }
}

function resultsName(quick: boolean, only: string[] | undefined): string {
  return ['paper', ...(quick ? ['quick'] : []), ...(only ?? [])].join('-');
}

async function main(): Promise<void> {
  const { quick, only } = parseArguments(process.argv.slice(2));
  const mode = quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  const drivers = findDrivers();
  const programs = [...new Set([...Object.keys(STUDY), ...drivers.keys()])];
  const unknown = (only ?? []).filter((name) => !programs.includes(name));
  if (unknown.length > 0) throw new Error(`--only: no program ${unknown.join(', ')} (programs: ${programs.join(', ')})`);
  const chosen = programs.filter((name) => only === undefined || only.includes(name));
  const efforts = readEffort(chosen);
  step(`${mode} run of ${chosen.join(', ')}; load average ${loadStart.map((n) => n.toFixed(2)).join(' ')}`);

  const results: ProgramResult[] = [];
  for (const name of chosen) {
    const programStart = elapsed();
    const driver = drivers.get(name);
    const result: ProgramResult = { name, study: STUDY[name], effort: efforts.get(name), cells: {}, exitCodes: {}, errors: [], seconds: 0 };
    results.push(result);
    if (typeof driver !== 'object') result.skipped = driver ?? `no driver (bench/paper/drivers/${name}.ts)`;
    else if (result.effort === undefined) result.skipped = `no fixture in the build (build/fixtures/quiesce/${name}/)`;
    if (result.skipped !== undefined) {
      step(`${name}: skipped: ${result.skipped}`);
      continue;
    }
    const measured = driver as Driver;
    result.driver = { threads: measured.threads, args: measured.args ?? [], packages: measured.packages };
    try {
      await measureProgram(name, measured, plan, result);
    } catch (error) {
      result.errors.push(messageOf(error));
      step(`${name}: ${result.errors.at(-1)}`);
    }
    result.seconds = elapsed() - programStart;
  }

  const run: RunInfo = {
    date,
    mode,
    plan,
    machine: `Node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    loadAverage: { start: loadStart, end: os.loadavg() },
    seconds: elapsed(),
  };
  const markdown = renderMarkdown(results, run);
  const subtitle = `${run.mode} run, ${date.slice(0, 16).replace('T', ' ')} UTC, ${run.machine}; load average ${run.loadAverage.start[0].toFixed(2)} at the start`;
  const svg = renderChart(results.filter((result) => result.skipped === undefined), subtitle);
  const name = resultsName(quick, only);
  const folder = path.join(ROOT, 'bench/results');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, `${name}.md`), markdown);
  fs.writeFileSync(path.join(folder, `${date.slice(0, 16).replace(':', '-')}-${name}.md`), markdown);
  fs.writeFileSync(path.join(folder, `${name}.json`), `${JSON.stringify({ ...run, programs: results }, null, 2)}\n`);
  fs.writeFileSync(path.join(folder, `${name}.svg`), svg);
  process.stdout.write(markdown);
  step(`wrote bench/results/${name}.{md,json,svg} and a dated copy of the Markdown`);
  // Skipped programs are reported, not failures; a failed check or a client error is.
  const failures = problems(results.filter((result) => result.skipped === undefined));
  if (failures.length > 0) {
    step(`${failures.length} problem(s): see "Problems" at the top of the output`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:paper: ${messageOf(error)}\n`);
  process.exitCode = 2;
});
