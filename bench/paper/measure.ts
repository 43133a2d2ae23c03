/**
 * One cell of Table 2: update requests against a running fixture, with the real client's load or
 * without, and what came of them.
 */
import type { StrandInfo, UpdateResult } from 'quiesce';
import type { ClientView, Driver } from './driver';
import type { Fixture } from './fixture';
import { quantile } from '../stats';

/** The study's limit: a request not quiescent within it is called off. */
export const LIMIT_MS = 1000;

export interface Plan {
  /** Update requests per cell (fewer when a cell stops early). */
  probes: number;
  /** Stop a cell after this many consecutive called-off requests: the program does not quiesce. */
  dnqAfter: number;
  /** Stop a cell that has probed this long (requests that take up to LIMIT_MS each add up). */
  capMs: number;
  /** Each run of the real client; the probes are spread over it. */
  loadMs: number;
  /** Probing starts this long after the client does (clients take a moment to connect). */
  warmupMs: number;
  /** Spacing of the requests without load. */
  idleSpacingMs: number;
}

/** One update request's outcome and timings, as the JSON keeps it. */
export interface Probe {
  outcome: UpdateResult['outcome'];
  toQuiescenceMs: number | null;
  firstToFullMs: number | null;
  pauseMs: number;
  /** The loops holding up quiescence when a request was called off. */
  blockers?: string[];
}

export interface Stats {
  requests: number;
  applied: number;
  calledOff: number;
  failed: number;
  /** Over the applied requests (null when none was). */
  medianMs: number | null;
  p99Ms: number | null;
  /** Did not quiesce: more than half of the requests were called off at LIMIT_MS. */
  dnq: boolean;
}

export interface LiveStrands {
  count: number;
  /** Strands per loop function, e.g. { acceptConnections: 1, work: 3 }. */
  byLoop: Record<string, number>;
}

export interface Cell {
  probes: Probe[];
  stats: Stats;
  /** Why the cell stopped before Plan.probes requests, if it did. */
  stopped?: string;
  /** With load: the real client's view, summed over its runs. */
  client?: ClientView & { runs: number };
  /** With load: the strands of all threads at their most numerous while the client ran. */
  strands?: LiveStrands;
  /** What went wrong with the client or the fixture, if anything did. */
  error?: string;
}

/** How often the strands are counted during a client run. */
export const STRANDS_EVERY_MS = 250;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function statsOf(probes: readonly Probe[]): Stats {
  const ttq = probes.filter((probe) => probe.outcome === 'applied').map((probe) => probe.toQuiescenceMs!);
  const calledOff = probes.filter((probe) => probe.outcome === 'called-off').length;
  return {
    requests: probes.length,
    applied: ttq.length,
    calledOff,
    failed: probes.filter((probe) => probe.outcome === 'failed').length,
    medianMs: ttq.length === 0 ? null : quantile(ttq, 0.5),
    p99Ms: ttq.length === 0 ? null : quantile(ttq, 0.99),
    dnq: calledOff * 2 > probes.length,
  };
}

function toProbe(result: UpdateResult): Probe {
  const { toQuiescenceMs, firstToFullMs, pauseMs } = result.timings;
  const probe: Probe = { outcome: result.outcome, toQuiescenceMs: toQuiescenceMs ?? null, firstToFullMs: firstToFullMs ?? null, pauseMs };
  if (result.outcome === 'called-off') probe.blockers = [...new Set(result.blockers.map(fileAndLoop))];
  return probe;
}

/** 'httpd/main.ts:work:loop1' → 'work'. */
function loopOf(strand: StrandInfo): string {
  return strand.name.split(':')[1] ?? strand.name;
}

/** 'suricata/decode-worker.ts:main:loop1' → 'decode-worker.ts:main': blockers come from every thread. */
function fileAndLoop(strand: StrandInfo): string {
  const [file, loop] = strand.name.split(':');
  return loop === undefined ? strand.name : `${file.split('/').at(-1)}:${loop}`;
}

export function liveStrands(strands: readonly StrandInfo[]): LiveStrands {
  const byLoop: Record<string, number> = {};
  for (const strand of strands) byLoop[loopOf(strand)] = (byLoop[loopOf(strand)] ?? 0) + 1;
  return { count: strands.length, byLoop };
}

function trailingCalledOff(probes: readonly Probe[]): number {
  let n = 0;
  while (n < probes.length && probes[probes.length - 1 - n].outcome === 'called-off') n++;
  return n;
}

/**
 * Plan.probes requests `spacingMs` apart, in batches of Plan.dnqAfter so that a program that does
 * not quiesce costs a few seconds, not Plan.probes of them. `go()` false ends the series early.
 */
async function probeSeries(fixture: Fixture, plan: Plan, spacingMs: number, go: () => boolean = () => true): Promise<Pick<Cell, 'probes' | 'stopped'>> {
  const probes: Probe[] = [];
  const deadline = performance.now() + plan.capMs;
  while (probes.length < plan.probes) {
    const results = await fixture.probe(Math.min(plan.dnqAfter, plan.probes - probes.length), spacingMs, LIMIT_MS);
    probes.push(...results.map(toProbe));
    if (trailingCalledOff(probes) >= plan.dnqAfter) return { probes, stopped: `stopped after ${plan.dnqAfter} consecutive requests called off` };
    if (performance.now() > deadline) return { probes, stopped: `stopped at the ${plan.capMs / 1000} s time cap` };
    if (!go()) return { probes, stopped: 'stopped when the client failed' };
  }
  return { probes };
}

export async function withoutLoad(fixture: Fixture, plan: Plan): Promise<Cell> {
  const series = await probeSeries(fixture, plan, plan.idleSpacingMs);
  return { ...series, stats: statsOf(series.probes) };
}

/**
 * The driver's real client runs for Plan.loadMs (again, back to back, while requests remain), and
 * the requests are spread over most of the run from Plan.warmupMs on.
 */
export async function underLoad(fixture: Fixture, driver: Driver, plan: Plan): Promise<Cell> {
  const views: ClientView[] = [];
  let probing = true;
  let failure: string | undefined;
  const loading = (async () => {
    try {
      do views.push(await driver.load(fixture, plan.loadMs));
      while (probing);
    } catch (error) {
      failure = `${driver.name}: the client failed: ${(error as Error)?.message ?? String(error)}`;
    }
  })();
  await delay(plan.warmupMs);
  // Clients come and go (bots play short sessions): keep the largest set of strands seen.
  let peak: StrandInfo[] = [];
  const sampling = (async () => {
    while (probing) {
      const now = await fixture.strandsEverywhere().catch(() => peak);
      if (now.length > peak.length) peak = now;
      await delay(STRANDS_EVERY_MS);
    }
  })();
  // Timers fire late on a busy machine: spreading the requests over 80 % of the run leaves room for that.
  const spacingMs = Math.max(1, Math.floor((0.8 * (plan.loadMs - plan.warmupMs)) / plan.probes));
  let series: Pick<Cell, 'probes' | 'stopped'>;
  try {
    series = await probeSeries(fixture, plan, spacingMs, () => failure === undefined);
  } finally {
    probing = false;
    await Promise.all([loading, sampling]);
  }
  const sum = (key: 'work' | 'errors' | 'lostConnections') => views.reduce((total, view) => total + view[key], 0);
  const client =
    views.length === 0
      ? undefined
      : { work: sum('work'), unit: views[0].unit, errors: sum('errors'), lostConnections: sum('lostConnections'), detail: views.map((view) => view.detail ?? '').join(' | '), runs: views.length };
  return { ...series, stats: statsOf(series.probes), client, strands: liveStrands(peak), ...(failure === undefined ? {} : { error: failure }) };
}
