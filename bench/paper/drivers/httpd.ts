/**
 * httpd, driven by wrk (load) and by curl and ab -k (correctness): every file of the server's
 * document root comes back byte for byte with the right headers, and keep-alive connections are
 * reused until a request says `Connection: close`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CPUS, run } from '../clients';
import type { ClientView, Driver } from '../driver';
import type { Fixture } from '../fixture';

/** A file of the document root: its URL path and its bytes on disk. */
interface File {
  urlPath: string;
  bytes: Buffer;
}

/** What curl's --write-out reports per transfer (TRANSFER_FORMAT). */
interface Transfer {
  status: number;
  connects: number;
  size: number;
  contentLength: string;
  connection: string;
}

const TRANSFER_FORMAT = '%{http_code} %{num_connects} %{size_download} [%header{content-length}] [%header{connection}]\\n';
const CLIENT_LIMIT_MS = 30_000;

export const driver: Driver = {
  name: 'httpd',
  packages: ['wrk', 'apache2-utils', 'curl'],
  args: ['--workers', '3'],
  threads: '2 + c (c = 3)',

  async verify(fixture) {
    const { base, files } = site(fixture);
    await withTemporaryFolder(async (folder) => {
      await checkDownloads(base, files, folder);
      await checkHead(base, files);
      await checkConnectionClose(base, files);
    });
    await checkAbKeepAlive(base, files);
  },

  async load(fixture, durationMs) {
    const { base, files } = site(fixture);
    return withTemporaryFolder(async (folder) => {
      // Every request goes to the next path in turn: all the files and the dynamic route.
      const script = path.join(folder, 'paths.lua');
      const paths = [...files.map((file) => file.urlPath), '/version'];
      fs.writeFileSync(
        script,
        `local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }\n` +
          'local turn = 0\n' +
          'request = function()\n  turn = turn % #paths + 1\n  return wrk.format("GET", paths[turn])\nend\n',
      );
      const seconds = Math.max(1, Math.round(durationMs / 1000));
      const result = await run('wrk', ['-t1', '-c8', `-d${seconds}s`, '-s', script, base], { timeoutMs: durationMs + CLIENT_LIMIT_MS, cpus: CPUS.client });
      if (result.code !== 0) throw new Error(`wrk exited with ${result.code ?? result.signal}: ${result.stderr}${result.stdout}`);
      return parseWrk(result.stdout);
    });
  },
};

function site(fixture: Fixture): { base: string; files: File[] } {
  const { port, root } = fixture.info as { port: number; root: string };
  return { base: `http://127.0.0.1:${port}/`, files: readTree(root) };
}

function readTree(root: string): File[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { urlPath: '/' + path.relative(root, file).split(path.sep).join('/'), bytes: fs.readFileSync(file) };
    })
    .sort((a, b) => a.urlPath.localeCompare(b.urlPath));
}

async function withTemporaryFolder<T>(use: (folder: string) => Promise<T>): Promise<T> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-httpd-client-'));
  try {
    return await use(folder);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function curl(args: string[]): Promise<string> {
  const result = await run('curl', ['--silent', '--show-error', '--http1.1', ...args], { timeoutMs: CLIENT_LIMIT_MS });
  if (result.code !== 0) throw new Error(`curl ${args.join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr}`);
  return result.stdout;
}

function parseTransfers(output: string): Transfer[] {
  return output
    .trim()
    .split('\n')
    .map((line) => {
      const match = /^(\d+) (\d+) (\d+) \[(.*)\] \[(.*)\]$/.exec(line);
      if (match === null) throw new Error(`unexpected curl --write-out line: ${line}`);
      return { status: Number(match[1]), connects: Number(match[2]), size: Number(match[3]), contentLength: match[4], connection: match[5] };
    });
}

/**
 * One curl, every file, then /version and a missing path, on one connection: the bodies equal the
 * files on disk, Content-Length is exact, and only the first transfer opened a connection.
 */
async function checkDownloads(base: string, files: File[], folder: string): Promise<void> {
  const urls = [...files.map((file) => file.urlPath), '/version', '/no/such/file'];
  const args = urls.flatMap((urlPath, i) => [new URL(urlPath, base).href, '--output', path.join(folder, `${i}`), '--write-out', TRANSFER_FORMAT]);
  const transfers = parseTransfers(await curl(args));
  expect(transfers.length === urls.length, `curl made ${transfers.length} transfers for ${urls.length} URLs`);
  transfers.forEach((transfer, i) => {
    const body = fs.readFileSync(path.join(folder, `${i}`));
    expect(transfer.connects === (i === 0 ? 1 : 0), `${urls[i]}: keep-alive not honoured (transfer ${i} opened ${transfer.connects} connections)`);
    expect(transfer.connection === 'keep-alive', `${urls[i]}: Connection: ${transfer.connection}`);
    expect(transfer.contentLength === String(body.length), `${urls[i]}: Content-Length ${transfer.contentLength} for a ${body.length}-byte body`);
  });
  files.forEach((file, i) => {
    expect(transfers[i].status === 200, `${file.urlPath}: status ${transfers[i].status}`);
    expect(fs.readFileSync(path.join(folder, `${i}`)).equals(file.bytes), `${file.urlPath}: the body differs from the file on disk`);
  });
  const version = JSON.parse(fs.readFileSync(path.join(folder, `${files.length}`), 'utf8')) as { version?: unknown };
  expect(transfers[files.length].status === 200 && Number.isInteger(version.version), `/version: ${JSON.stringify(version)}`);
  expect(transfers[files.length + 1].status === 404, `/no/such/file: status ${transfers[files.length + 1].status}`);
}

/** HEAD: the headers of a GET (Content-Length of the file) and no body. */
async function checkHead(base: string, files: File[]): Promise<void> {
  for (const file of files) {
    const head = await curl(['--head', new URL(file.urlPath, base).href]);
    const length = /^Content-Length: (\d+)\r$/m.exec(head);
    expect(head.startsWith('HTTP/1.1 200 OK\r\n'), `HEAD ${file.urlPath}: ${head.split('\r\n')[0]}`);
    expect(Number(length?.[1]) === file.bytes.length, `HEAD ${file.urlPath}: Content-Length ${length?.[1]}, file has ${file.bytes.length} bytes`);
  }
}

/** `Connection: close` (HTTP/1.1) and a plain HTTP/1.0 request end the connection after one response. */
async function checkConnectionClose(base: string, files: File[]): Promise<void> {
  const [first, second] = files.map((file) => new URL(file.urlPath, base).href);
  for (const args of [['--header', 'Connection: close'], ['--http1.0']]) {
    const transfers = parseTransfers(await curl([...args, first, '--output', '/dev/null', '--write-out', TRANSFER_FORMAT, second, '--output', '/dev/null', '--write-out', TRANSFER_FORMAT]));
    for (const transfer of transfers) {
      expect(transfer.status === 200 && transfer.connection === 'close', `${args.join(' ')}: status ${transfer.status}, Connection: ${transfer.connection}`);
      expect(transfer.connects === 1, `${args.join(' ')}: a closed connection was reused`);
    }
  }
}

/** ab -k speaks HTTP/1.0 with `Connection: Keep-Alive`: every request must be answered on a kept connection. */
async function checkAbKeepAlive(base: string, files: File[]): Promise<void> {
  const largest = files.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
  const requests = 200;
  const result = await run('ab', ['-k', '-n', `${requests}`, '-c', '4', new URL(largest.urlPath, base).href], { timeoutMs: CLIENT_LIMIT_MS });
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(result.stdout)?.[1];
  const summary = `ab -k: ${result.stdout}${result.stderr}`;
  expect(result.code === 0, summary);
  expect(field('Complete requests') === `${requests}`, summary);
  expect(field('Failed requests') === '0', summary);
  expect(field('Keep-Alive requests') === `${requests}`, summary);
  expect(field('Document Length') === `${largest.bytes.length}`, summary);
  expect(field('Non-2xx responses') === undefined, summary);
}

function parseWrk(output: string): ClientView {
  const requests = /^\s*(\d+) requests in/m.exec(output);
  if (requests === null) throw new Error(`wrk printed no summary:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)?.slice(1).map(Number) ?? [0, 0, 0, 0];
  const [connect, read, write, timeout] = socket;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  return {
    work: Number(requests[1]),
    unit: 'requests',
    errors: connect + write + timeout + non2xx,
    // wrk counts a connection the server closed under it as a read error.
    lostConnections: read,
    detail: output.split('\n').filter((line) => /requests in|Socket errors|Non-2xx|Requests\/sec|Transfer\/sec/.test(line)).map((line) => line.trim()).join('; '),
  };
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`httpd: ${message}`);
}
