import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, killHard } from '../../../sdk/test/support/chaos.ts';

/** Debian's PostgreSQL binaries (/usr/lib/postgresql/<version>/bin), the newest version installed. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0];
  if (newest === undefined) throw new Error(`no PostgreSQL server under ${root}`);
  return path.join(root, newest, 'bin');
}

let postgresIds: { uid: number; gid: number } | undefined;
/** initdb and postgres refuse to run as root (which tests are), so they run as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  postgresIds ??= { uid: id('-u'), gid: id('-g') };
  if (!Number.isInteger(postgresIds.uid) || !Number.isInteger(postgresIds.gid)) throw new Error('no `postgres` user on this machine');
  return postgresIds;
}

/**
 * The server's processes: the postmaster and every child it forked all have the data dir as their
 * working directory, while the children are no children of ours (nor in one process group: each
 * calls setsid), so this is how to find them.
 */
function processesOf(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === dataDir) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or a zombie (which holds no shared memory any more)
    }
  }
  return pids;
}

/** kill -9 of the whole server at once: the postmaster frozen first so it forks nothing more. */
function killAll(dataDir: string, postmaster: number | undefined): void {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  if (postmaster !== undefined) signal(postmaster, 'SIGSTOP');
  // Frozen before any is killed, so no backend sees the postmaster die and says goodbye to its client.
  const pids = processesOf(dataDir);
  for (const pid of pids) signal(pid, 'SIGSTOP');
  if (postmaster !== undefined) signal(postmaster, 'SIGKILL');
  for (const pid of pids) signal(pid, 'SIGKILL');
}

/**
 * What a dead server leaves behind: postmaster.pid (a PID in it that another process has taken since
 * would stop the next start) and its System V shared memory segment (id on line 7), which nobody
 * would remove if the data dir is deleted next.
 */
function clearStale(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return;
  }
  const shmId = lines[6]?.trim().split(/\s+/)[1];
  if (shmId !== undefined && /^\d+$/.test(shmId)) spawnSync('ipcrm', ['-m', shmId], { stdio: 'ignore' });
  fs.rmSync(pidFile, { force: true });
}

/** Servers to kill when the test process exits without having destroyed them (a failed or crashed test). */
const leftBehind = new Set<() => void>();
process.on('exit', () => leftBehind.forEach((cleanUp) => cleanUp()));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A PostgreSQL server of the test's own (Debian's binaries, a fresh cluster in a temp dir, on a port
 * of its own), to stop, crash and restart at will without disturbing the machine's shared one on
 * 5432 that other suites use at the same time. Trust auth, superuser `postgres`, database `postgres`.
 */
export class PostgresProcess {
  #port: number | undefined;
  /** Temp dir owned by postgres: data/, postgres.log, and the unix socket. Null until the first start. */
  #dir: string | null = null;
  #child: ChildProcess | null = null;
  readonly #cleanUp = () => {
    if (this.#dir === null) return;
    killAll(this.#dataDir, this.running ? this.#child?.pid : undefined);
    clearStale(this.#dataDir);
    fs.rmSync(this.#dir, { recursive: true, force: true });
  };

  /** Without a port, a free one is taken at the first start() and kept for every restart. */
  constructor(port?: number) {
    this.#port = port;
  }

  get port(): number {
    if (this.#port === undefined) throw new Error('PostgresProcess: no port before the first start()');
    return this.#port;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  get #dataDir(): string {
    return path.join(this.#dir!, 'data');
  }

  /** The first call makes the cluster (initdb); later ones start it again, same data, same port. */
  async start(): Promise<void> {
    if (this.running) throw new Error('PostgresProcess: already running');
    const { uid, gid } = postgresUser();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
    if (this.#dir === null) {
      this.#port ??= await freePort();
      // realpath: the data dir is matched against /proc/*/cwd, which has no symlinks in it.
      const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-pg-')));
      this.#dir = dir;
      leftBehind.add(this.#cleanUp);
      fs.chownSync(dir, uid, gid);
      fs.chmodSync(dir, 0o700);
      // --no-sync: the cluster is thrown away with the test; the C locale keeps messages in English.
      const args = ['-D', this.#dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync'];
      const initdb = spawnSync(path.join(binDir(), 'initdb'), args, { uid, gid, cwd: dir, env, encoding: 'utf8' });
      if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.error?.message ?? ''}\n${initdb.stdout}${initdb.stderr}`);
    } else {
      // After a crash (or a test process that died): no process of this data dir may still hold it.
      killAll(this.#dataDir, undefined);
      await this.#gone();
      clearStale(this.#dataDir);
    }

    const dir = this.#dir;
    const logFile = path.join(dir, 'postgres.log');
    const log = fs.openSync(logFile, 'a');
    const logFrom = fs.fstatSync(log).size;
    // Spawned with uid/gid rather than through runuser, which stays as the parent: signals to the
    // child we hold would reach runuser, and a kill -9 of it would leave postgres running.
    const child = spawn(
      path.join(binDir(), 'postgres'),
      [
        ['-D', this.#dataDir, '-p', String(this.port), '-k', dir],
        ['-c', 'listen_addresses=127.0.0.1'],
        // Nothing here has to survive the machine crashing; a kill -9 of postgres loses nothing even so.
        ['-c', 'fsync=off', '-c', 'full_page_writes=off'],
        ['-c', 'shared_buffers=16MB', '-c', 'max_connections=100'],
        // Dynamic shared memory as files in the data dir, not in /dev/shm, where a crash would leave them.
        ['-c', 'dynamic_shared_memory_type=mmap'],
      ].flat(),
      { uid, gid, cwd: dir, env, stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    // Unref'd: a test that never stops it still ends, and the 'exit' hook then kills it.
    child.unref();
    this.#child = child;
    let spawnError: Error | null = null;
    child.on('error', (error) => (spawnError = error));

    const failed = async (why: string) => {
      killAll(this.#dataDir, this.running ? child.pid : undefined);
      child.ref();
      await killHard(child);
      const output = fs.readFileSync(logFile, 'utf8').slice(logFrom);
      return new Error(`postgres ${why}\n${output}`);
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (spawnError !== null) throw await failed(`could not be spawned: ${(spawnError as Error).message}`);
      if (!this.running) throw await failed(`exited during start (code ${child.exitCode}, signal ${child.signalCode})`);
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      client.on('error', () => {});
      try {
        await client.connect();
        // Ours, not a server that had the port already (ours then exits: "could not bind").
        const { rows } = await client.query<{ data_directory: string }>('show data_directory');
        await client.end();
        if (rows[0]?.data_directory === this.#dataDir) return;
      } catch {
        // not listening yet, or "the database system is starting up"
      }
      if (Date.now() > deadline) throw await failed('did not accept connections within 30 s');
      await sleep(25);
    }
  }

  /** Fast shutdown (SIGINT): sessions are terminated, then a checkpoint; resolves once it exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.ref(); // so that the wait keeps the process alive
    child.kill('SIGINT');
    await exited;
  }

  /**
   * kill -9 of the postmaster and of every process it forked at once, as when the database's machine
   * dies: clients see their connections cut, with no message from the server. (A kill -9 of the
   * postmaster alone would leave backends that notice and send "unexpected postmaster exit".)
   */
  async crash(): Promise<void> {
    const child = this.#child;
    if (this.#dir === null || !child || !this.running) return;
    killAll(this.#dataDir, child.pid);
    child.ref(); // so that the wait keeps the process alive
    await killHard(child);
    await this.#gone();
    clearStale(this.#dataDir);
  }

  /**
   * Cuts every client connection from the server's side (as a DBA, a failover or a pooler restart
   * would) and waits until those backends are gone. Returns how many there were.
   */
  async terminateBackends(): Promise<number> {
    return this.#admin(async (admin) => {
      // All signalled in one statement, then waited for, and those waiting on a lock (then those in a
      // statement) first: else a client waiting on a lock whose holder was terminated before it could
      // take the lock and commit before its own turn came. Materialized: never the own connection.
      const { rows } = await admin.query<{ pid: number }>(
        `with targets as materialized (
           select pid from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'
           order by wait_event_type = 'Lock' desc, state = 'active' desc
         )
         select pid from targets where pg_terminate_backend(pid)`,
      );
      const pids = rows.map((row) => row.pid);
      for (let i = 0; ; i++) {
        const left = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where pid = any($1)', [pids]);
        if (left.rows[0]?.n === 0) return pids.length;
        if (i === 500) throw new Error('terminated backends still there after 5 s');
        await sleep(10);
      }
    });
  }

  /** One statement on a connection of its own, as superuser. */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult> {
    return this.#admin((admin) => admin.query(sql, params));
  }

  /** Stops the server if it runs and deletes the cluster. */
  async destroy(): Promise<void> {
    if (this.#dir === null) return;
    await this.stop();
    this.#cleanUp();
    leftBehind.delete(this.#cleanUp);
    this.#dir = null;
    this.#child = null;
  }

  async #admin<T>(use: (admin: pg.Client) => Promise<T>): Promise<T> {
    const admin = new pg.Client({ connectionString: this.url });
    admin.on('error', () => {}); // the query's promise reports it; without a listener it would crash the test
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.end().catch(() => {});
    }
  }

  /** Until no process of the data dir is left (a kill -9 takes effect a moment later). */
  async #gone(): Promise<void> {
    for (let i = 0; processesOf(this.#dataDir).length > 0; i++) {
      if (i === 200) throw new Error(`processes of ${this.#dataDir} outlived kill -9`);
      await sleep(10);
    }
  }
}
