/**
 * The servers of the realtime bench, each in a child process of its own so that its RSS and CPU
 * are its own: Frontdesk through its real CLI (`frontdesk start`), the bare `ws` relay and the bare
 * Socket.IO relay.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { freePort, spawnNode, tail, waitFor, type Child } from './proc.ts';
import type { Endpoint, FrontdeskClientKind, PairCredentials, System } from './transports.ts';

/** A bench is not a flood test: Frontdesk's rate limits stay out of the way. */
export const LIMITS_OUT_OF_THE_WAY = {
  RATE_LIMIT: '1000000',
  LOGIN_RATE_LIMIT: '100000',
  WIDGET_SESSION_RATE_LIMIT: '100000',
  WS_RATE_PER_SECOND: '100000',
  WS_RATE_BURST: '100000',
} as const;

export interface Server {
  readonly label: string;
  readonly system: System;
  readonly child: Child;
  readonly endpoint: Endpoint;
  /** Frontdesk: the customers' messages stored so far (for the persisted check). */
  countStored?(): Promise<number>;
  stop(): Promise<void>;
}

const PASSWORD = 'bench-password-0123456789';

export interface FrontdeskOptions {
  readonly label: string;
  readonly dir: string;
  /** postgres://… for a database of its own (created here, dropped by `stop`); null for SQLite. */
  readonly postgresUrl: string | null;
  readonly maxConnectionsPerUser: number;
  readonly client: FrontdeskClientKind;
  /** Extra Node flags for the server process (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

export interface FrontdeskServer extends Server {
  readonly baseUrl: string;
  readonly shops: readonly { shopId: string; agents: string[] }[];
  readonly dataDir: string;
}

/** Creates `shops` shops with `agentsPerShop` agents (setup.ts), then starts `frontdesk start`. */
export async function startFrontdesk(options: FrontdeskOptions, shops: number, agentsPerShop: number): Promise<FrontdeskServer> {
  const port = await freePort();
  const dataDir = path.join(options.dir, `frontdesk-data-${port}`);
  fs.mkdirSync(dataDir, { recursive: true });
  let databaseUrl: string | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  if (options.postgresUrl !== null) {
    const name = `frontdesk_rt_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: options.postgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(options.postgresUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: options.postgresUrl! });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
  }
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    ...LIMITS_OUT_OF_THE_WAY,
    WS_MAX_CONNECTIONS_PER_USER: String(options.maxConnectionsPerUser),
    DATABASE_URL: databaseUrl ?? '',
    REDIS_URL: '',
  };

  try {
    return await startWith(options, env, dataDir, port, databaseUrl, shops, agentsPerShop, dropDatabase);
  } catch (error) {
    if (dropDatabase !== null) await dropDatabase().catch(() => {});
    throw error;
  }
}

async function startWith(
  options: FrontdeskOptions,
  env: Record<string, string>,
  dataDir: string,
  port: number,
  databaseUrl: string | null,
  shops: number,
  agentsPerShop: number,
  dropDatabase: (() => Promise<void>) | null,
): Promise<FrontdeskServer> {
  const setupLog = path.join(options.dir, `setup-${port}.log`);
  const setup = spawnNode('setup', ['bench/realtime/setup.ts', '--shops', String(shops), '--agents-per-shop', String(agentsPerShop), '--password', PASSWORD], {
    env,
    logFile: setupLog,
    lines: true,
  });
  let created: { shops: { shopId: string; agents: string[] }[] } | null = null;
  setup.onLine((line) => {
    if (line.startsWith('{')) created = JSON.parse(line);
  });
  const code = await setup.exited;
  if (code !== 0 || created === null) throw new Error(`setup failed (${code}):\n${tail(setupLog)}`);
  const made: { shops: { shopId: string; agents: string[] }[] } = created;

  const logFile = path.join(options.dir, `frontdesk-${port}.log`);
  const child = spawnNode(options.label, [...(options.nodeFlags ?? []), 'packages/server/src/cli/main.ts', 'start'], { env, logFile });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${options.label} on ${baseUrl}`, async () => {
      if (child.process.exitCode !== null) throw new Error('exited');
      return (await fetch(`${baseUrl}/healthz`)).ok;
    }, 60_000);
  } catch (error) {
    await child.stop();
    throw new Error(`${options.label} did not start: ${String(error)}\n${tail(logFile)}`);
  }

  const sqliteFile = path.join(dataDir, 'frontdesk.db');
  return {
    label: options.label,
    system: 'frontdesk',
    child,
    endpoint: { system: 'frontdesk', url: `ws://127.0.0.1:${port}/ws`, client: options.client },
    baseUrl,
    shops: made.shops,
    dataDir,
    async countStored() {
      const query = `select count(*) as n from messages where sender_kind = 'customer' and client_msg_id like 'p%'`;
      if (databaseUrl === null) {
        const db = new DatabaseSync(sqliteFile, { readOnly: true });
        try {
          return Number((db.prepare(query).get() as { n: number }).n);
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>(query)).rows[0]!.n);
      } finally {
        await client.end();
      }
    },
    async stop() {
      await child.stop(10_000);
      if (dropDatabase !== null) await dropDatabase();
    },
  };
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** Staff logins (`POST /api/v1/auth/login`), one per agent, in shop order. */
export async function loginAgents(server: FrontdeskServer): Promise<string[]> {
  const emails = server.shops.flatMap((s) => s.agents);
  return pool(emails.length, 4, async (i) => {
    const reply = await post<{ token: string }>(`${server.baseUrl}/api/v1/auth/login`, { email: emails[i], password: PASSWORD });
    return reply.token;
  });
}

/** Anonymous widget sessions (`POST /api/v1/widget/sessions`): token and conversation each. */
export async function widgetSessions(server: FrontdeskServer, shopOf: (i: number) => string, count: number) {
  return pool(count, 8, async (i) => {
    const reply = await post<{ token: string; conversation: { id: string } }>(`${server.baseUrl}/api/v1/widget/sessions`, { shopId: shopOf(i) });
    return { token: reply.token, conversationId: reply.conversation.id };
  });
}

/** One shop per pair, one agent per shop; each pair's customer has a conversation in its shop. */
export async function frontdeskPairs(server: FrontdeskServer): Promise<PairCredentials[]> {
  const agentTokens = await loginAgents(server);
  const customers = await widgetSessions(server, (i) => server.shops[i]!.shopId, server.shops.length);
  return customers.map((c, i) => ({ customerToken: c.token, conversationId: c.conversationId, agentToken: agentTokens[i]! }));
}

/** ws: ws-relay.ts; socketio: socketio-relay.ts; stored-…: stored-relay.ts on that schema, with its writer on that thread. */
export type StoredRelayKind = `stored-${'frontdesk' | 'minimal'}-${'main' | 'thread'}`;
export type RelayKind = 'ws' | 'socketio' | StoredRelayKind;

export function relayLabel(kind: RelayKind): string {
  if (kind === 'ws') return 'ws relay';
  if (kind === 'socketio') return 'Socket.IO relay';
  const [, schema, writer] = kind.split('-');
  return `stored relay, ${schema} schema, ${writer === 'main' ? 'one thread' : 'writer thread'}`;
}

export async function startRelay(kind: RelayKind, dir: string): Promise<Server> {
  const label = relayLabel(kind);
  const stamp = `${kind}-relay-${Date.now()}`;
  const logFile = path.join(dir, `${stamp}.log`);
  const dbFile = path.join(dir, `${stamp}.db`);
  const args =
    kind === 'ws' ? ['bench/realtime/ws-relay.ts']
    : kind === 'socketio' ? ['bench/realtime/socketio-relay.ts']
    : ['bench/realtime/stored-relay.ts', '--file', dbFile, '--schema', kind.split('-')[1]!, '--writer', kind.split('-')[2]!];
  const child = spawnNode(label, [...args, '--port', '0'], { logFile, lines: true });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${tail(logFile)}`)), 30_000);
    child.onLine((line) => {
      const match = /^listening (\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}):\n${tail(logFile)}`));
    });
  });
  const system = kind === 'socketio' ? 'socketio' : 'ws';
  const stored = kind.startsWith('stored-');
  return {
    label,
    system,
    child,
    endpoint: { system, url: system === 'ws' ? `ws://127.0.0.1:${port}` : `http://127.0.0.1:${port}`, client: 'sdk' },
    ...(stored
      ? {
          async countStored() {
            const db = new DatabaseSync(dbFile, { readOnly: true });
            try {
              return Number((db.prepare('select count(*) as n from messages').get() as { n: number }).n);
            } finally {
              db.close();
            }
          },
        }
      : {}),
    stop: () => child.stop(),
  };
}
