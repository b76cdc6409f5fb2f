import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { cli, freePort, killHard, ServerProcess } from '../../../sdk/test/support/chaos.ts';
import { call } from './client.ts';
import type { TestServer } from './server.ts';
import { testDatabaseUrl } from './storage.ts';

/** Node processes in tests: quiet, no demo shop, and rate limits out of the way of a test's own traffic. */
export const NODE_TEST_ENV = {
  LOG_LEVEL: 'error',
  SEED_DEMO: 'false',
  RATE_LIMIT: '1000000',
  LOGIN_RATE_LIMIT: '100000',
  WIDGET_SESSION_RATE_LIMIT: '100000',
  WS_RATE_PER_SECOND: '1000',
  WS_RATE_BURST: '1000',
} as const;

/** A node process's environment: one PostgreSQL schema, one Redis, one data directory for all nodes. */
export function clusterNodeEnv(port: number, cluster: { schema: string; redisPort: number; dataDir: string }): Record<string, string> {
  return {
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl,
    DATABASE_SCHEMA: cluster.schema,
    REDIS_URL: `redis://127.0.0.1:${cluster.redisPort}`,
    DATA_DIR: cluster.dataDir,
    ...NODE_TEST_ENV,
  };
}

/** A PostgreSQL schema for a suite of node processes (DATABASE_SCHEMA), created and dropped whole. */
export async function schemaQuery(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}
export const createSchema = (schema: string) => schemaQuery(`create schema ${schema}`);
export const dropSchema = (schema: string) => schemaQuery(`drop schema if exists ${schema} cascade`);

/**
 * A shop and its owner made with the CLI, as an operator would, then one node process per port,
 * started one after the other (each migrates at start). The servers are pushed to `servers` as they
 * start, so the suite's `after` stops whatever did start.
 */
export async function startNodes(
  env: (port: number) => Record<string, string>,
  ports: readonly number[],
  servers: ServerProcess[],
  owner: { email: string; password: string; shopName: string },
): Promise<{ shopId: string; identitySecret: string }> {
  const created = cli(['shop', 'create', '--name', owner.shopName], env(ports[0]!));
  const shopId = /id:\s+(\S+)/.exec(created)![1]!;
  const identitySecret = /identity secret:\s+(\S+)/.exec(created)![1]!;
  cli(['staff', 'create', '--shop', shopId, '--email', owner.email, '--name', 'Owner', '--role', 'owner', '--password', owner.password], env(ports[0]!));
  for (const port of ports) {
    const server = new ServerProcess(env(port));
    servers.push(server);
    await server.start();
  }
  return { shopId, identitySecret };
}

/** The owner signs in on the first node and adds an agent on the second, who signs in on the third. */
export async function ownerAndAgent(
  ports: readonly number[],
  owner: { email: string; password: string },
  agentEmail: string,
): Promise<{ ownerToken: string; agent: { id: string; token: string } }> {
  const node = (i: number) => ({ url: `http://127.0.0.1:${ports[i % ports.length]!}` }) as unknown as TestServer;
  const login = await call(node(0), 'POST', '/api/v1/auth/login', { body: owner });
  const created = await call(node(1), 'POST', '/api/v1/staff', {
    token: login.body.token,
    body: { email: agentEmail, name: 'Agent', role: 'agent', password: owner.password },
  });
  if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created.body)}`);
  const agentLogin = await call(node(2), 'POST', '/api/v1/auth/login', { body: { email: agentEmail, password: owner.password } });
  return { ownerToken: login.body.token, agent: { id: created.body.staff.id, token: agentLogin.body.token } };
}

/**
 * A load balancer as nginx would be in front of the nodes: each new connection goes to the next
 * node, and to the one after it when that one does not answer. No sticky sessions.
 */
export class Balancer {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #next = 0;
  port = 0;
  constructor(targets: readonly number[]) {
    this.#server = net.createServer((client) => {
      this.#sockets.add(client);
      client.on('close', () => this.#sockets.delete(client));
      client.pause();
      const attempt = (tries: number) => {
        const target = targets[this.#next++ % targets.length]!;
        const upstream = net.connect(target, '127.0.0.1');
        upstream.once('connect', () => {
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        });
        upstream.once('error', () => {
          upstream.destroy();
          if (tries > 1) attempt(tries - 1);
          else client.destroy();
        });
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        upstream.on('close', drop);
        client.on('close', drop).on('error', drop);
      };
      attempt(targets.length);
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }
  close(): Promise<void> {
    this.#sockets.forEach((socket) => socket.destroy());
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A Redis of the test's own (the machine's redis-server on a free port), to restart at will. */
export class RedisProcess {
  #child: ChildProcess | null = null;
  readonly port: number;
  readonly #options: { password?: string; tls?: { cert: string; key: string } };
  constructor(port: number, options: { password?: string; tls?: { cert: string; key: string } } = {}) {
    this.port = port;
    this.#options = options;
  }
  async start(): Promise<void> {
    const { password, tls } = this.#options;
    const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    // With TLS the only port is the TLS one; clients are not asked for certificates of their own.
    if (tls) args.push('--port', '0', '--tls-port', String(this.port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-auth-clients', 'no');
    else args.push('--port', String(this.port));
    if (password !== undefined) args.push('--requirepass', password);
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(this.port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('redis-server did not start');
  }
  crash(): Promise<void> {
    return killHard(this.#child);
  }
}

/**
 * What a suite of node processes stands on: free ports, one data directory and one PostgreSQL
 * schema, made before the suite and removed after it (with the nodes pushed to `servers`).
 */
export function clusterGround(prefix: string, nodes: number) {
  const ground = {
    dir: fs.mkdtempSync(path.join(os.tmpdir(), `frontdesk-${prefix}-`)),
    schema: `${prefix.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`,
    ports: [] as number[],
    servers: [] as ServerProcess[],
  };
  before(async () => {
    for (let i = 0; i < nodes; i++) ground.ports.push(await freePort());
    await createSchema(ground.schema);
  });
  after(async () => {
    for (const server of ground.servers) await server.stop();
    await dropSchema(ground.schema);
    fs.rmSync(ground.dir, { recursive: true, force: true });
  });
  return ground;
}
