/**
 * `npm pack` gives a package a user can install and use as the README says: the tarball holds the
 * compiled runtime, transformer and CLI with their type declarations and nothing of the tests;
 * installed into a fresh project with the pinned TypeScript and ts-patch, its transformer
 * instruments a server built with `tspc`, the output runs on the installed runtime, and
 * `npx quiesce stats` prints the report.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.join(__dirname, '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-package-'));
const app = path.join(work, 'app');

const SERVER = `import * as net from 'node:net';
import { on, requestUpdate, strands } from 'quiesce';

async function serve(socket: net.Socket): Promise<void> {
  for await (const chunk of socket) {
    socket.write(chunk as Buffer);
  }
}

async function acceptLoop(server: net.Server): Promise<void> {
  for await (const [socket] of on(server, 'connection')) {
    void serve(socket as net.Socket);
  }
}

const server = net.createServer();
void acceptLoop(server);
server.listen(0, '127.0.0.1', () => {
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => client.write('ping'));
  client.once('data', async (echoed) => {
    // The echo came back, so the connection's strand is in its for await again.
    await new Promise((resolve) => setImmediate(resolve));
    const live = strands().map(({ name, status }) => ({ name, status }));
    const update = await requestUpdate(() => {});
    console.log(JSON.stringify({ echoed: echoed.toString(), live, outcome: update.outcome, runtime: require.resolve('quiesce') }));
    client.destroy();
    process.exit(0);
  });
});
`;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function succeed(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  assert.is(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

let tarball = '';
let packed: string[] = [];

test.before(() => {
  const [info] = JSON.parse(succeed('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, info.filename);
  packed = info.files.map((file) => file.path);
});

test.after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the compiled runtime, transformer and CLI with declarations, and no tests', () => {
  assert.ok(fs.existsSync(tarball), `npm pack wrote no ${tarball}`);
  const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
  assert.equal(listed.sort(), [...packed].sort());
  for (const file of [
    'package.json',
    'README.md',
    'dist/runtime/index.js',
    'dist/runtime/index.d.ts',
    'dist/transformer/index.js',
    'dist/transformer/index.d.ts',
    'dist/bin/quiesce.js',
  ]) {
    assert.ok(listed.includes(file), `${file} is not in the tarball`);
  }
  const strays = listed.filter((file) => /(^|\/)(test|tests|__tests__)\//.test(file) || /\.test\.[jt]s/.test(file) || /(?<!\.d)\.ts$/.test(file));
  assert.equal(strays, [], 'tests or TypeScript sources in the tarball');
  const outside = listed.filter((file) => !/^(package\.json|README\.md|LICENSE|dist\/(runtime|transformer|bin)\/.+)$/.test(file));
  assert.equal(outside, [], 'files outside dist/{runtime,transformer,bin}');
});

test('installed in a fresh project, it instruments a server built with tspc, runs it, and prints stats', () => {
  fs.mkdirSync(path.join(app, 'src'), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'quiesce-package-check', private: true, version: '1.0.0' }, null, 2)}\n`);
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        types: ['node'],
        strict: true,
        rootDir: 'src',
        outDir: 'out',
        plugins: [{ transform: 'quiesce/transformer', report: 'report.json' }],
      },
      include: ['src'],
    }),
  );
  fs.writeFileSync(path.join(app, 'src/server.ts'), SERVER);
  succeed('npm', ['install', tarball, 'typescript@6.0.3', 'ts-patch@3.3.0', '@types/node@20', '--prefer-offline', '--no-audit', '--no-fund'], app);

  succeed(path.join(app, 'node_modules/.bin/tspc'), ['-p', 'tsconfig.json'], app);
  const emitted = fs.readFileSync(path.join(app, 'out/server.js'), 'utf8');
  assert.match(emitted, /__quiesce\.enter\(/, 'tspc did not instrument the server');

  const report = JSON.parse(fs.readFileSync(path.join(app, 'report.json'), 'utf8'));
  assert.is(report.tool, 'quiesce');
  assert.equal(report.files.map((file: { file: string }) => file.file), ['server.ts']);
  assert.is(report.total.strands, 2);
  assert.is(report.total.updatePoints, 2);
  assert.is(report.total.needsManualChange, 0);

  const output = JSON.parse(succeed(process.execPath, ['out/server.js'], app)) as {
    echoed: string;
    live: Array<{ name: string; status: string }>;
    outcome: string;
    runtime: string;
  };
  assert.is(output.echoed, 'ping');
  assert.is(fs.realpathSync(output.runtime), fs.realpathSync(path.join(app, 'node_modules/quiesce/dist/runtime/index.js')));
  assert.equal(
    output.live.sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'server.ts:acceptLoop:loop1', status: 'quiet' },
      { name: 'server.ts:serve:loop1', status: 'quiet' },
    ],
  );
  assert.is(output.outcome, 'applied');

  const table = succeed('npx', ['--no-install', 'quiesce', 'stats', 'report.json'], app);
  const rows = table.split('\n').filter((line) => line.startsWith('|'));
  assert.is(rows[0], '| file | LoC total | strands | update points | changed LoC | required manual changes |');
  const cells = (row: string): string[] => row.split('|').slice(1, -1).map((cell) => cell.trim());
  const server = rows.map(cells).find((row) => row[0] === 'server.ts');
  const total = rows.map(cells).find((row) => row[0] === '**total**');
  assert.ok(server !== undefined && total !== undefined, `no server.ts or total row in:\n${table}`);
  assert.equal(server.slice(1, 4), [String(report.total.loc), '2', '2']);
  assert.equal(total.slice(1, 4), server.slice(1, 4));
  assert.match(table, /server\.ts:\d+ runtime-call: `on\(server, 'connection'\)`/);
});

test.run();
