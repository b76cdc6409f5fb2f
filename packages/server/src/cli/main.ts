#!/usr/bin/env node
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { StaffRole } from '@frontdesk/protocol';
import { createApp, createDomain, openConfiguredStorage } from '../app.ts';
import { listNodes } from '../cluster/node-registry.ts';
import { ClusterError, connectRedis, whenReady } from '../cluster/redis.ts';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { AppError } from '../domain/errors.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { createStore } from '../storage/store.ts';
import { demoAccount, demoLines, seedDemoIfEmpty } from './demo.ts';

const usage = `Usage: frontdesk <command> [options]

Commands:
  start                                   Run the server (migrates first)
  migrate                                 Apply database migrations and exit
  shop create --name NAME                 Create a shop; prints its id and identity secret
  staff create --shop ID --email E --name N [--role owner|admin|agent] [--password P]
                                          Create a staff account (password generated if omitted)
  staff reset-password --email E [--password P]
                                          Set a new password and sign the account out everywhere
  demo                                    Print fresh credentials for the demo shop's owner (makes
                                          the demo shop if the database has no shop yet)
  campaign platform --name N --text T [--external-ids ID,ID,…] [--throttle PER_SECOND]
                                          Message platform customers in every shop they dealt with:
                                          one campaign per shop, from its owner (docs/campaigns.md)
  nodes                                   Cluster mode: the live nodes (REDIS_URL)

Configuration comes from the environment; see the README.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      shop: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      text: { type: 'string' },
      'external-ids': { type: 'string' },
      throttle: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    console.log(usage);
    return 0;
  }
  const config = loadConfig();

  if (command === 'start') return start(config);
  if (command === 'nodes') return nodes(config);

  const storage = openConfiguredStorage(config);
  try {
    await migrateToLatest(storage);
    const services = createDomain(config, createStore(storage.db, storage.engine, storage.sqlite));
    switch (command) {
      case 'migrate':
        console.log(`Database is up to date (${storage.engine}).`);
        return 0;
      case 'shop create': {
        const shop = await services.shops.create(required(values.name, '--name'));
        console.log(`Shop created.\n  id:              ${shop.id}\n  identity secret: ${shop.identitySecret}`);
        return 0;
      }
      case 'staff create': {
        const role = (values.role ?? 'agent') as StaffRole;
        if (!['owner', 'admin', 'agent'].includes(role)) throw new UsageError('--role must be owner, admin or agent');
        const { staff, password } = await services.staff.createInShop(required(values.shop, '--shop'), {
          email: required(values.email, '--email'),
          name: required(values.name, '--name'),
          role,
          ...(values.password !== undefined && { password: values.password }),
        });
        console.log(`Staff created: ${staff.email} (${staff.role}, id ${staff.id})`);
        if (values.password === undefined) console.log(`  password: ${password}`);
        return 0;
      }
      case 'demo': {
        const demo = await demoAccount(services, createStore(storage.db, storage.engine, storage.sqlite).shops);
        console.log(demoLines(demo, config.publicUrl).join('\n'));
        return 0;
      }
      case 'staff reset-password': {
        const { staff, password } = await services.staff.resetPassword(required(values.email, '--email'), values.password);
        console.log(`Password reset for ${staff.email}; every session of the account has ended.`);
        if (values.password === undefined) console.log(`  password: ${password}`);
        return 0;
      }
      case 'campaign platform': {
        const throttle = values.throttle === undefined ? undefined : Number(values.throttle);
        if (throttle !== undefined && !(Number.isInteger(throttle) && throttle >= 1)) throw new UsageError('--throttle must be a whole number of messages a second');
        const externalIds = values['external-ids']?.split(',').map((id) => id.trim()).filter((id) => id !== '');
        const created = await services.platformCampaigns.create({
          name: required(values.name, '--name'),
          text: required(values.text, '--text'),
          ...(externalIds !== undefined && { externalIds }),
          ...(throttle !== undefined && { throttlePerSecond: throttle }),
        });
        console.log(`${created.length} campaign${created.length === 1 ? '' : 's'} started (a running server sends them).`);
        for (const c of created) console.log(`  shop ${c.shopId}: campaign ${c.campaignId}, ${c.total} recipients`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await storage.close();
  }
}

async function nodes(config: Config): Promise<number> {
  if (config.redisUrl === null) throw new UsageError('nodes lists the nodes of a cluster: set REDIS_URL');
  const redis = connectRedis(config, 'cli', 'cli', { warn: () => {} }, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await whenReady(redis, 5_000);
    const list = await listNodes(redis, config.cluster.redisPrefix);
    const now = Date.now();
    console.log(`${list.length} live node${list.length === 1 ? '' : 's'}`);
    for (const node of list.sort((a, b) => a.startedAt - b.startedAt)) {
      const up = Math.round((now - node.startedAt) / 1000);
      console.log(
        `  ${node.id}  ${node.host}:${node.port ?? '-'}  pid ${node.pid}  up ${up} s  ${node.connections} connections  seen ${Math.max(0, now - node.seenAt)} ms ago`,
      );
    }
    return 0;
  } finally {
    redis.disconnect();
  }
}

async function start(config: Config): Promise<number> {
  const app = await createApp(config);
  let address: string;
  try {
    address = await app.listen();
  } catch (error) {
    await app.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new ListenError(listenProblem(code, error, config));
    throw error;
  }
  // Only once the port is ours: a start that fails must not spend the once-shown password.
  const demo = config.seedDemo ? await seedDemoIfEmpty(app.services, app.store.shops) : null;
  const base = config.publicUrl;
  const database = app.storage.engine === 'sqlite' ? `SQLite at ${path.join(config.dataDir, 'frontdesk.db')}` : 'PostgreSQL';
  const lines = [
    '',
    `Frontdesk is running (${database}).`,
    `  Listening on ${address}`,
    `  Public URL:  ${base}`,
    `  API docs:  ${base}/docs`,
    `  Health:    ${base}/healthz`,
    `  Agent console: ${base}/console/`,
    `  Widget demo:   ${base}/demo  (a shop's page with the chat widget; open it beside the console)`,
  ];
  if (demo) lines.push('', 'A demo shop was created (shown only this once; `frontdesk demo` prints fresh credentials):', ...demoLines(demo, base));
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, 'shutting down');
    // Whatever was acknowledged is stored: a drain that hangs (a client that never lets go) must
    // not keep the node from stopping.
    setTimeout(() => {
      app.http.log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return new Promise<number>(() => {});
}

const SHUTDOWN_TIMEOUT_MS = 20_000;

class UsageError extends Error {}
/** The port (or a listener of its own, like GOIM_TCP_PORT) cannot be had: said in one line, no stack. */
class ListenError extends Error {}

function listenProblem(code: string, error: unknown, config: Config): string {
  const where = (error as { port?: number }).port ?? config.port;
  const address = (error as { address?: string }).address ?? config.host;
  if (code === 'EACCES') return `not allowed to listen on ${address}:${where}; pick a port above 1023 (PORT=8080)`;
  return `port ${where} on ${address} is already in use (another Frontdesk, or another program, listens there). Stop it or pick another port, e.g. PORT=${Number(where) + 1} npm start`;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof UsageError) console.error(`frontdesk: ${error.message}\n\n${usage}`);
    else if (error instanceof AppError) console.error(`frontdesk: ${error.code}: ${error.message}`);
    else if (error instanceof ClusterError) console.error(`frontdesk: cannot join the cluster: ${error.message}`);
    else if (error instanceof ListenError) console.error(`frontdesk: ${error.message}`);
    else if (error instanceof TypeError && (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`frontdesk: ${error.message}\n\n${usage}`);
    } else console.error(error);
    process.exit(error instanceof ConfigError || error instanceof UsageError || error instanceof ClusterError || error instanceof ListenError ? 2 : 1);
  },
);
