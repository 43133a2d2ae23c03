/**
 * The suricata fixture against the real clients: a pcap of loopback traffic whose alerts are known
 * packet by packet goes through the IDS from the file (offline with -r, and as a capture session)
 * and live (tcpreplay -i lo → tcpdump -i lo -U -w - → the IDS); the alerts must match exactly.
 * Under a tcpreplay load, updates (rule reloads) are applied with nothing lost or misdetected; a
 * reload picks up a changed rules file and a bad one fails the update, leaving the old rules on.
 * The update-points-only build shows the study's DNQ: idle, the alert writers wait forever.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StrandInfo, UpdateResult } from 'quiesce';
import { CPUS, ensureClients } from '../bench/paper/clients';
import { buildTraffic, driver, eveAlerts, feedFile, liveCapture, RULES, type Summary, type Traffic } from '../bench/paper/drivers/suricata';
import { fixtureMain, startFixture, type Fixture, type Variant } from '../bench/paper/fixture';

const DETECT_THREADS = 3;
const LOAD_MS = 4000;
const UPDATES = 60;
const IDLE_UPDATES = 20;

test.before(() => ensureClients(driver.packages));

async function withSuricata(variant: Variant, args: string[], use: (fixture: Fixture) => Promise<void>): Promise<void> {
  const fixture = await startFixture('suricata', variant, { args, cpus: CPUS.server });
  try {
    await use(fixture);
  } finally {
    assert.is(await fixture.stop(), 0, 'suricata exits by itself with code 0 once stopped');
  }
}

async function withFolder<T>(use: (folder: string) => T | Promise<T>): Promise<T> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-suricata-test-'));
  try {
    return await use(folder);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run main.js to completion (offline modes). */
function runMain(args: string[], input?: Buffer): Exit {
  const result = spawnSync(process.execPath, [fixtureMain('suricata', 'quiesce'), ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Run main.js reading `input` on its stdin, to completion. */
function pipeIntoMain(args: string[], input: Readable): Promise<Exit> {
  const child = spawn(process.execPath, [fixtureMain('suricata', 'quiesce'), ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  input.pipe(child.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** 'packet 18: sid 1000001' for every alert, sorted: what the pcap must raise. */
function expectedAlerts(traffic: Traffic): string[] {
  return traffic.expected.flatMap((sids, i) => sids.map((sid) => `packet ${i + 1}: sid ${sid}`)).sort();
}

function eveFileAlerts(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { pcap_cnt: number; alert: { signature_id: number } })
    .map((event) => `packet ${event.pcap_cnt}: sid ${event.alert.signature_id}`)
    .sort();
}

/** fast.log's `[1:sid:rev]` per line, sorted. */
function fastLogSids(file: string): number[] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => Number(/\[\*\*\] \[1:(\d+):\d+\]/.exec(line)?.[1]))
    .sort((a, b) => a - b);
}

/** How many strands of the main thread run each loop: 'suricata/main.ts:writeAlerts:loop1' → 'writeAlerts'. */
function shape(strands: StrandInfo[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const strand of strands.filter((strand) => strand.thread === 0)) {
    const loop = strand.name.split(':')[1];
    counts[loop] = (counts[loop] ?? 0) + 1;
  }
  return counts;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('rules: a rules file with errors is refused, each error naming its line', async () => {
  await withFolder((folder) => {
    const rules = path.join(folder, 'bad.rules');
    fs.writeFileSync(
      rules,
      [
        '# comment',
        'alert tcp any any -> any 80 (msg:"ok"; content:"x"; sid:1;)',
        'alert tcp any any -> any 80 (msg:"typo"; conten:"x"; sid:2;)',
        '',
        'alert tcp any any -> any 80 (msg:"no sid"; content:"x";)',
        'alert tcp any any => any 80 (msg:"arrow"; sid:3;)',
        'alert tcp any any -> any 80 (msg:"dup"; sid:1;)',
        'alert tcp any any -> any 80 (msg:"hex"; content:"|4g|"; sid:4;)',
        'alert tcp any any -> any 70000 (msg:"port"; sid:5;)',
        'alert tcp any any -> any 80 (msg:"nocase first"; nocase; sid:6;)',
      ].join('\n'),
    );
    const result = runMain(['-S', rules, '-r', buildTraffic().file, '-l', folder]);
    assert.is(result.status, 1, 'refused rules stop the IDS with exit code 1');
    for (const expected of [
      `${rules}:3: unknown rule option 'conten'`,
      `${rules}:5: missing sid`,
      `${rules}:6: bad direction '=>'`,
      `${rules}:7: duplicate sid 1 (first used on line 2)`,
      `${rules}:8: bad hex bytes |4g| in content`,
      `${rules}:9: bad port range '70000'`,
      `${rules}:10: 'nocase' must follow a content option`,
    ]) {
      assert.ok(result.stderr.includes(expected), `stderr names '${expected}':\n${result.stderr}`);
    }
    assert.not.ok(result.stderr.includes(':2:'), 'the good rule is not reported');
  });
});

test('offline: -r file.pcap and -r - (stdin) raise exactly the expected alerts in eve.json and fast.log', async () => {
  const traffic = buildTraffic();
  const expected = expectedAlerts(traffic);
  await withFolder((folder) => {
    for (const [name, args, input] of [
      ['file', ['-r', traffic.file], undefined],
      ['stdin', ['-r', '-'], fs.readFileSync(traffic.file)],
    ] as const) {
      const logs = path.join(folder, name);
      fs.mkdirSync(logs);
      const result = runMain(['-S', RULES, '-l', logs, ...args], input);
      assert.is(result.status, 0, `${name}: exit code 0 (${result.stderr})`);
      const summary = JSON.parse(result.stdout) as Summary;
      assert.equal(
        { packets: summary.packets, skipped: summary.skipped, decodeErrors: summary.decodeErrors, alerts: summary.alerts },
        { packets: traffic.packets, skipped: traffic.skipped, decodeErrors: traffic.decodeErrors, alerts: expected.length },
        `${name}: the summary`,
      );
      assert.equal(eveFileAlerts(path.join(logs, 'eve.json')), expected, `${name}: eve.json, packet by packet`);
      assert.equal(fastLogSids(path.join(logs, 'fast.log')), traffic.expected.flat().sort((a, b) => a - b), `${name}: fast.log`);
    }
    // A stream cut inside a record: the packets before the cut are inspected, and the IDS says where it broke.
    const whole = fs.readFileSync(traffic.file);
    const cut = path.join(folder, 'cut');
    fs.mkdirSync(cut);
    const result = runMain(['-S', RULES, '-l', cut, '-r', '-'], whole.subarray(0, whole.length - 10));
    assert.is(result.status, 1, 'a truncated pcap is an error');
    assert.match(result.stderr, `stream ended inside record ${traffic.packets}`);
    assert.is((JSON.parse(result.stdout) as Summary).packets, traffic.packets - 1, 'every whole record before the cut was read');
  });
});

test('live into stdin: tcpreplay -i lo → tcpdump -i lo -U -w - | main.js -r - raises exactly the expected alerts', async () => {
  const traffic = buildTraffic();
  await withFolder(async (folder) => {
    const live = await liveCapture(traffic, 1, 1000, (capture) => pipeIntoMain(['-S', RULES, '-l', folder, '-r', '-'], capture));
    assert.is(live.result.status, 0, `exit code 0 once tcpdump's stream ends (${live.result.stderr})`);
    assert.is(live.captured, traffic.packets, `tcpdump captured exactly the replayed frames: ${live.replayed}`);
    const summary = JSON.parse(live.result.stdout) as Summary;
    assert.equal([summary.packets, summary.skipped, summary.decodeErrors], [traffic.packets, traffic.skipped, traffic.decodeErrors]);
    assert.equal(eveFileAlerts(path.join(folder, 'eve.json')), expectedAlerts(traffic), 'eve.json, packet by packet');
  });
});

test('all changes: exact alerts from the file and live, before and after 60 rule reloads under tcpreplay load, nothing lost', async () => {
  await withFolder(async (folder) => {
    const rules = path.join(folder, 'suricata.rules');
    fs.copyFileSync(RULES, rules);
    const args = driver.args!.map((arg) => (arg === RULES ? rules : arg));
    await withSuricata('quiesce', args, async (fixture) => {
      assert.equal(shape(await fixture.strands()), { writeAlerts: DETECT_THREADS }, 'idle: one alert writer per detect thread in the main thread');
      await driver.verify(fixture);
      const idle = await fixture.probe(IDLE_UPDATES, 5, 1000);
      assert.equal(idle.map((result) => result.outcome), Array(IDLE_UPDATES).fill('applied'), 'idle, every strand waits in a boundary wait');
      const [view, results] = await Promise.all([driver.load(fixture, LOAD_MS), delay(300).then(() => fixture.probe(UPDATES, 30, 1000))]);
      const outcomes = results.map((result: UpdateResult) => result.outcome);
      assert.equal(outcomes, Array(UPDATES).fill('applied'), 'every update reaches full quiescence under load');
      assert.ok(view.work > 0, `the IDS processed packets: ${view.detail}`);
      assert.is(view.errors, 0, `no packet lost or misdetected: ${view.detail}`);
      assert.is(view.lostConnections, 0, view.detail);
      await driver.verify(fixture);
      const traffic = buildTraffic();
      const after = await feedFile(fixture, traffic.file);
      assert.is(after.generation, IDLE_UPDATES + UPDATES, 'packets captured after the updates are inspected with the rule set of the last reload');
      const ttq = (updates: UpdateResult[]) => updates.map((result) => result.timings.toQuiescenceMs!);
      console.log(`  suricata, all changes, with load: ${view.detail}; TTQ median ${median(ttq(results)).toFixed(3)} ms, max ${Math.max(...ttq(results)).toFixed(3)} ms`);
      console.log(`  suricata, all changes, idle: TTQ median ${median(ttq(idle)).toFixed(3)} ms, max ${Math.max(...ttq(idle)).toFixed(3)} ms`);

      // The update is a real reload: a new rule takes effect, a bad file fails and the old rules stay.
      fs.appendFileSync(rules, 'alert tcp any any -> any 9000 (msg:"ping to the quarantined service"; content:"ping"; sid:1000008;)\n');
      assert.is((await fixture.probe(1, 0, 1000))[0].outcome, 'applied');
      const reloaded = await feedFile(fixture, traffic.file);
      const pings = eveAlerts(fixture, reloaded.capture).filter((alert) => alert.sid === 1000008);
      assert.is(pings.length, 1, 'the reloaded rule alerts once');
      assert.ok(traffic.expected[pings[0].packet - 1].includes(1000006), 'on the ping, a packet of the quarantined flow');
      assert.is(reloaded.alerts, expectedAlerts(traffic).length + 1);
      fs.appendFileSync(rules, 'alert tcp any any -> any any (msg:"broken"; content:"x"; sid:1000008;)\n');
      const failed = (await fixture.probe(1, 0, 1000))[0];
      assert.is(failed.outcome, 'failed', 'a rules file with an error fails the update');
      const kept = await feedFile(fixture, traffic.file);
      assert.is(kept.generation, IDLE_UPDATES + UPDATES + 1, 'the failed reload left the rule set as it was');
      assert.is(kept.alerts, expectedAlerts(traffic).length + 1);
    });
  });
});

test('update points only: the IDS works; idle, an update is called off while the alert writers wait for reports', async () => {
  await withSuricata('updonly', driver.args!, async (fixture) => {
    await driver.verify(fixture);
    const results = await fixture.probe(3, 10, 200);
    for (const result of results) {
      assert.is(result.outcome, 'called-off');
      if (result.outcome !== 'called-off') continue;
      const main = result.blockers.filter((strand) => strand.thread === 0).map((strand) => strand.name.split(':')[1]);
      assert.equal(main, Array(DETECT_THREADS).fill('writeAlerts'), 'in the main thread, the alert writers hold up quiescence');
      // Once worker threads take part in quiescence (issue 4), their loops wait for messages too.
      const workers = result.blockers.filter((strand) => strand.thread !== 0).map((strand) => strand.name.split(':')[0]);
      for (const file of workers) assert.ok(['suricata/decode-worker.ts', 'suricata/detect-worker.ts'].includes(file), `a worker's loop: ${file}`);
    }
    const [view, loaded] = await Promise.all([driver.load(fixture, 2000), delay(300).then(() => fixture.probe(5, 100, 200))]);
    assert.is(view.errors, 0, view.detail);
    await driver.verify(fixture);
    const after = await feedFile(fixture, buildTraffic().file);
    const applied = loaded.filter((result) => result.outcome === 'applied').length;
    assert.is(after.generation, applied, 'only applied updates reloaded the rules');
    const ttq = loaded.flatMap((result) => (result.outcome === 'applied' ? [result.timings.toQuiescenceMs!] : []));
    console.log(
      `  suricata, update points only: idle ${results.map((result) => result.outcome).join(', ')}; ` +
        `with load ${loaded.map((result) => result.outcome).join(', ')}${ttq.length > 0 ? `, TTQ median ${median(ttq).toFixed(3)} ms` : ''}`,
    );
  });
});

test.run();
