/**
 * Space Tyrant, driven by bots: `expect` (space-tyrant.exp) playing the game through Debian's
 * `telnet`. verify: five bots in a fresh galaxy trade alone at the same time, meet at a barrier,
 * then take turns (each waits for the previous one's "over" in the chat) visiting a neighbour,
 * chatting and ticking the world. A model of the game rules written here, apart from the server,
 * says what every bot must see: each transcript must be exactly that, with the notices from other
 * players (lines "** ...") in the order the model gives. load: five bots play sessions one after
 * another, each session a new pilot, and count the commands answered.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CPUS, run, type RunResult } from '../clients';
import type { ClientView, Driver } from '../driver';
import { ROOT, type Fixture } from '../fixture';
import { UNIVERSE } from '../../../fixtures/space-tyrant/universe';

const SCRIPT = path.join(ROOT, 'bench/paper/drivers/space-tyrant.exp');
const HOST = '127.0.0.1';
/** The paper's configuration: n = 5 players. */
const PLAYERS = 5;
/** The seed of the traders' moves, given to the server and to the model. */
const SEED = '354';
const COMMODITIES = ['ore', 'organics', 'equipment'] as const;
type Commodity = (typeof COMMODITIES)[number];

/** What telnet itself prints around a session. */
const TELNET_OPENING = `Trying ${HOST}...\nConnected to ${HOST}.\nEscape character is '^]'.\n`;
const TELNET_CLOSING = 'Connection closed by foreign host.\n';

interface ModelShip {
  name: string;
  sector: number;
  credits: number;
  cargo: Record<Commodity, number>;
  online: boolean;
}

/** What one bot must see: its session without the notices, and the notices in order. */
interface Expected {
  stream: string;
  notices: string[];
}

/**
 * The game rules, written apart from the server (fixtures/space-tyrant/game.ts) from the same
 * universe: feed it every bot's input in an order the bots' synchronisation guarantees, and it says
 * what each bot must see.
 */
class Rules {
  #ticks = 0;
  #random: number;
  readonly #stock: number[] = UNIVERSE.sectors.map((sector) => (sector === undefined ? 0 : UNIVERSE.stock.initial));
  readonly #traders = UNIVERSE.traders.map((trader) => ({ ...trader }));
  readonly #ships = new Map<string, ModelShip>();
  readonly #expected = new Map<string, Expected>();
  /** Each bot's place in the login dialogue and what it said so far. */
  readonly #login = new Map<string, { stage: 'name' | 'galaxy' | 'home' | 'playing' | 'gone'; name: string }>();

  constructor(seed: number) {
    this.#random = seed;
  }

  expected(bot: string): Expected {
    return this.#expected.get(bot)!;
  }

  connect(bot: string): void {
    this.#expected.set(bot, { stream: 'Welcome to Space Tyrant.\nName: ', notices: [] });
    this.#login.set(bot, { stage: 'name', name: '' });
  }

  /** The bot types a line (the pty echoes it) and the server answers. */
  type(bot: string, text: string): void {
    const seen = this.#expected.get(bot)!;
    const login = this.#login.get(bot)!;
    seen.stream += `${text}\n`;
    const reply = (lines: string[], prompt: string): void => {
      seen.stream += lines.map((line) => `${line}\n`).join('') + prompt;
    };
    switch (login.stage) {
      case 'name':
        login.name = text;
        login.stage = 'galaxy';
        return reply([], 'Galaxy: ');
      case 'galaxy':
        login.stage = 'home';
        return reply([], 'Home sector (1-10): ');
      case 'home': {
        const ship: ModelShip = { name: login.name, sector: Number(text), credits: 1000, cargo: { ore: 0, organics: 0, equipment: 0 }, online: true };
        this.#tellSector(ship.sector, `${ship.name} logs on.`, ship);
        this.#ships.set(ship.name, ship);
        login.stage = 'playing';
        return reply([`Welcome, ${ship.name}. Your ship waits in sector ${ship.sector}.`, ...this.#look(ship)], `Command [${ship.sector}]: `);
      }
      case 'playing': {
        const ship = this.#ships.get(login.name)!;
        if (text === 'quit') {
          seen.stream += 'Goodbye.\n';
          ship.online = false;
          this.#tellSector(ship.sector, `${ship.name} logs off.`, ship);
          login.stage = 'gone';
          return;
        }
        const lines = this.#command(ship, text);
        return reply(lines, `Command [${ship.sector}]: `);
      }
      case 'gone':
        throw new Error(`model: ${bot} typed after quitting`);
    }
  }

  #command(ship: ModelShip, text: string): string[] {
    const [verb, ...rest] = text.split(' ');
    const argument = rest.join(' ');
    const spec = UNIVERSE.sectors[ship.sector]!;
    switch (verb) {
      case 'help':
        return ['Commands: look, move N, buy N, sell N, status, who, say TEXT, tick, version, help, quit.'];
      case 'look':
        return this.#look(ship);
      case 'move': {
        const to = Number(argument);
        if (!(to >= 1 && to <= 10)) return [`There is no sector ${argument}.`];
        if (!spec.links.includes(to)) return [`No warp from sector ${ship.sector} to sector ${to}.`];
        const from = ship.sector;
        this.#tellSector(from, `${ship.name} warps out to sector ${to}.`, ship);
        ship.sector = to;
        this.#tellSector(to, `${ship.name} warps in from sector ${from}.`, ship);
        return [`You warp to sector ${to}.`, ...this.#look(ship)];
      }
      case 'buy': {
        const count = Number(argument);
        const what = spec.sells;
        const held = COMMODITIES.reduce((sum, commodity) => sum + ship.cargo[commodity], 0);
        if (count > this.#stock[ship.sector]) return [`The port has only ${this.#stock[ship.sector]} ${what}.`];
        if (count * UNIVERSE.prices[what] > ship.credits) return [`You cannot afford ${count} ${what}.`];
        if (held + count > UNIVERSE.holds) return [`You have room for only ${UNIVERSE.holds - held} more units.`];
        this.#stock[ship.sector] -= count;
        ship.credits -= count * UNIVERSE.prices[what];
        ship.cargo[what] += count;
        return [`You buy ${count} ${what} for ${count * UNIVERSE.prices[what]} credits.`];
      }
      case 'sell': {
        const count = Number(argument);
        const what = spec.buys;
        if (count > ship.cargo[what]) return [`You have only ${ship.cargo[what]} ${what}.`];
        const income = count * Math.floor(UNIVERSE.prices[what] * 1.5);
        ship.cargo[what] -= count;
        ship.credits += income;
        return [`You sell ${count} ${what} for ${income} credits.`];
      }
      case 'status': {
        const held = COMMODITIES.reduce((sum, commodity) => sum + ship.cargo[commodity], 0);
        const cargo = COMMODITIES.map((commodity) => `${commodity} ${ship.cargo[commodity]}`).join(', ');
        return [`${ship.name} in sector ${ship.sector}: ${ship.credits} credits, holds ${held}/${UNIVERSE.holds} (${cargo}).`];
      }
      case 'who':
        return [`Online: ${this.#online().map((other) => `${other.name} (sector ${other.sector})`).join(', ')}.`];
      case 'say':
        for (const other of this.#online()) if (other !== ship) this.#tell(other, `${ship.name} says: ${argument}`);
        return [`You say: ${argument}`];
      case 'tick':
        this.#tick();
        return ['You advance the galactic clock.'];
      default:
        return [`Unknown command '${verb}'. Type help.`];
    }
  }

  #look(ship: ModelShip): string[] {
    const spec = UNIVERSE.sectors[ship.sector]!;
    const lines = [
      `Sector ${ship.sector}. Warps to ${spec.links.join(', ')}.`,
      `Port: sells ${spec.sells} at ${UNIVERSE.prices[spec.sells]} (stock ${this.#stock[ship.sector]}), buys ${spec.buys} at ${Math.floor(UNIVERSE.prices[spec.buys] * 1.5)}.`,
    ];
    const traders = this.#traders.filter((trader) => trader.sector === ship.sector).map((trader) => trader.name);
    if (traders.length > 0) lines.push(`Traders here: ${traders.join(', ')}.`);
    const others = this.#online().filter((other) => other !== ship && other.sector === ship.sector);
    if (others.length > 0) lines.push(`Ships here: ${others.map((other) => other.name).join(', ')}.`);
    return lines;
  }

  #tick(): void {
    this.#ticks++;
    for (let sector = 1; sector < this.#stock.length; sector++) {
      this.#stock[sector] = Math.min(UNIVERSE.stock.capacity, this.#stock[sector] + UNIVERSE.stock.productionPerTick);
    }
    for (const trader of this.#traders) {
      const links = UNIVERSE.sectors[trader.sector]!.links;
      trader.sector = links[Math.floor(this.#nextRandom() * links.length)];
      this.#stock[trader.sector] = Math.max(0, this.#stock[trader.sector] - UNIVERSE.traderBuys);
    }
    for (const ship of this.#online()) this.#tell(ship, `Tick ${this.#ticks}: the traders move on.`);
  }

  /** mulberry32, the generator the game names for its traders' moves. */
  #nextRandom(): number {
    this.#random = (this.#random + 0x6d2b79f5) | 0;
    let t = Math.imul(this.#random ^ (this.#random >>> 15), 1 | this.#random);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  #online(): ModelShip[] {
    return [...this.#ships.values()].filter((ship) => ship.online).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  #tellSector(sector: number, text: string, except: ModelShip): void {
    for (const ship of this.#online()) if (ship !== except && ship.sector === sector) this.#tell(ship, text);
  }

  #tell(ship: ModelShip, text: string): void {
    for (const [bot, login] of this.#login) if (login.name === ship.name && login.stage === 'playing') this.#expected.get(bot)!.notices.push(text);
  }
}

/** A bot's plan: lines to type, and '@await' / '@barrier' steps (see space-tyrant.exp). */
type Plan = string[];

/**
 * The verify game for `bots` players (2 to 5) in galaxy `galaxy`: the plans, and what the model
 * says each bot must see. Bot k's home is sector k, and it trades alone on the spoke k-(k+5).
 */
function verifyGame(bots: number, galaxy: string, barrierDir: string): Array<{ plan: Plan; expected: Expected }> {
  const rules = new Rules(Number(SEED));
  const plans: Plan[] = [];
  const name = (k: number): string => `bot${k}`;
  const type = (k: number, text: string): void => {
    plans[k - 1].push(text);
    rules.type(name(k), text);
  };
  const wait = (k: number, text: string): void => void plans[k - 1].push(`@await ${text}`);
  // Alone at the same time: nobody else comes to a bot's sectors and the world does not tick, so
  // the order in which the server interleaves them does not matter.
  for (let k = 1; k <= bots; k++) {
    plans.push([]);
    rules.connect(name(k));
    const notLinked = ((k + 1) % 5) + 1;
    for (const text of [name(k), galaxy, `${k}`, 'help', 'buy 5', 'buy 100', 'buy 20', `move ${notLinked}`, 'move 42', `move ${k + 5}`]) type(k, text);
    for (const text of ['sell 5', 'sell 1', 'buy 3', `move ${k}`, 'sell 3', 'status', 'frobnicate']) type(k, text);
    plans[k - 1].push(`@barrier ${barrierDir} ${bots}`);
  }
  // Then in turns, each bot starting when it hears the previous one say "over".
  for (let k = 1; k <= bots; k++) {
    if (k > 1) wait(k, `** ${name(k - 1)} says: over`);
    for (const text of ['who', `move ${(k % 5) + 1}`, `say hello from ${name(k)}`, 'tick', 'look', `move ${k}`, 'buy 1', 'say over']) type(k, text);
  }
  // Everyone home and alone again: the last words are independent.
  for (let k = 1; k <= bots; k++) {
    if (k < bots) wait(k, `** ${name(bots)} says: over`);
    type(k, 'status');
    type(k, 'quit');
  }
  return plans.map((plan, i) => ({ plan, expected: rules.expected(name(i + 1)) }));
}

let galaxies = 0;

/** A galaxy name no earlier run on this fixture used: each verify starts from the fixed universe. */
function freshGalaxy(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${(++galaxies).toString(36)}`;
}

/** Run `use` with a temporary directory for the bots' plans, removed afterwards. */
async function inTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'space-tyrant-'));
  try {
    return await use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writePlans(dir: string, plans: Plan[]): string[] {
  return plans.map((plan, i) => {
    const file = path.join(dir, `bot${i + 1}.plan`);
    fs.writeFileSync(file, `${plan.join('\n')}\n`);
    return file;
  });
}

/** One expect bot playing the plan in `file`; with `until`, sessions one after another until then. */
function bot(fixture: Fixture, file: string, timeoutMs: number, until?: number): Promise<RunResult> {
  const args = [SCRIPT, HOST, String(fixture.info.port as number), file, ...(until === undefined ? [] : [String(until)])];
  return run('expect', args, { timeoutMs, cpus: CPUS.client });
}

/** The transcript split as the model sees it: the session without notices, and the notices. */
function splitTranscript(transcript: string): Expected {
  const notices: string[] = [];
  const stream = transcript.replace(/\r/g, '').replace(/\*\* ([^\n]*)\n/g, (_, notice: string) => {
    notices.push(notice);
    return '';
  });
  return { stream, notices };
}

function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line < 0 ? want.length : line;
  return `line ${at + 1}: expected ${JSON.stringify(want[at])}, got ${JSON.stringify(got[at])}`;
}

/** Play the verify game with `bots` bots (2 to 5) and check every transcript against the model. */
export async function verifyBots(fixture: Fixture, bots: number): Promise<void> {
  await inTempDir(async (dir) => {
    const barrier = path.join(dir, 'barrier');
    fs.mkdirSync(barrier);
    const game = verifyGame(bots, freshGalaxy('v'), barrier);
    const files = writePlans(dir, game.map(({ plan }) => plan));
    const results = await Promise.all(files.map((file) => bot(fixture, file, 30_000)));
    results.forEach((result, i) => {
      const name = `bot${i + 1}`;
      if (result.code !== 0) throw new Error(`space-tyrant: ${name}'s expect exited with ${result.code ?? result.signal}: ${result.stderr.trim()}\n${result.stdout}`);
      const { stream, notices } = splitTranscript(result.stdout);
      const want = game[i].expected;
      const session = TELNET_OPENING + want.stream + TELNET_CLOSING;
      if (stream !== session) throw new Error(`space-tyrant: ${name}'s session differs from the rules at ${firstDifference(session, stream)}\n${result.stdout}`);
      if (notices.join('\n') !== want.notices.join('\n')) {
        throw new Error(`space-tyrant: ${name}'s notices differ from the rules at ${firstDifference(want.notices.join('\n'), notices.join('\n'))}`);
      }
    });
  });
}

/** What the server reports as its build, asked by a bot in a galaxy of its own. */
export async function serverBuild(fixture: Fixture): Promise<number> {
  return inTempDir(async (dir) => {
    const [file] = writePlans(dir, [['probe', freshGalaxy('b'), '1', 'version', 'quit']]);
    const result = await bot(fixture, file, 15_000);
    const build = /Space Tyrant 0\.354-ts, build (\d+)\./.exec(result.stdout);
    if (result.code !== 0 || build === null) throw new Error(`space-tyrant: no version reply (expect ${result.code}): ${result.stdout}${result.stderr}`);
    return Number(build[1]);
  });
}

export interface LoadResult extends ClientView {
  /** The lowest and highest build the bots were told by `version` during the load. */
  builds: [number, number] | undefined;
}

/** Five bots play sessions one after another for about `durationMs`, each session a new pilot. */
export async function loadBots(fixture: Fixture, durationMs: number): Promise<LoadResult> {
  const galaxy = freshGalaxy('l');
  const plans = Array.from({ length: PLAYERS }, (_, i): Plan => {
    const k = i + 1;
    return [`L${k}s{session}`, galaxy, `${k}`, 'look', 'buy 2', `move ${k + 5}`, 'sell 2', 'buy 1', `move ${k}`, 'sell 1', `say hi from ${k}`, 'who', 'status', 'version', 'tick', 'quit'];
  });
  return inTempDir(async (dir) => {
    const until = Date.now() + durationMs;
    const results = await Promise.all(writePlans(dir, plans).map((file) => bot(fixture, file, durationMs + 30_000, until)));
    let answered = 0;
    let errors = 0;
    let dropped = 0;
    let sessions = 0;
    const builds: number[] = [];
    for (const result of results) {
      const summary = /answered (\d+) errors (\d+) dropped (\d+) sessions (\d+) builds (\d*) (\d*)/.exec(result.stdout);
      if (summary === null) {
        errors++;
        continue;
      }
      answered += Number(summary[1]);
      errors += Number(summary[2]);
      dropped += Number(summary[3]);
      sessions += Number(summary[4]);
      if (summary[5] !== '') builds.push(Number(summary[5]), Number(summary[6]));
    }
    const range: [number, number] | undefined = builds.length > 0 ? [Math.min(...builds), Math.max(...builds)] : undefined;
    return {
      work: answered,
      unit: 'commands',
      errors,
      lostConnections: dropped,
      detail: `${sessions} telnet sessions by ${PLAYERS} expect bots${range === undefined ? '' : `, builds ${range[0]}-${range[1]} seen`}`,
      builds: range,
    };
  });
}

export const driver: Driver = {
  name: 'space-tyrant',
  packages: ['telnet', 'expect'],
  // Ticks only on the `tick` command during a run (the tick loop sleeps a day), so transcripts
  // follow from the commands alone.
  args: ['--tick-ms', '86400000', '--seed', SEED],
  threads: `3 + 2n (n = ${PLAYERS})`,
  load: loadBots,
  verify: (fixture) => verifyBots(fixture, PLAYERS),
};
