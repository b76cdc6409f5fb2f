/**
 * Creates the realtime bench's shops and agents before the server starts: what
 * `frontdesk shop create` and `frontdesk staff create` do (the same config from the environment,
 * the same migrations, the same domain calls), in one process for all of them. The CLI takes about
 * 1.3 s per command here (a Node start and a migration check each), which is 9 minutes for 200
 * pairs; this takes seconds, most of it scrypt.
 *
 *   DATA_DIR=… [DATABASE_URL=…] node bench/realtime/setup.ts --shops N --agents-per-shop 1 --password P
 *
 * Prints one JSON line: { shops: [{ shopId, agents: [email…] }] }.
 */
import { parseArgs } from 'node:util';
import { createDomain, openConfiguredStorage } from '../../packages/server/src/app.ts';
import { loadConfig } from '../../packages/server/src/config/config.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';

const { values } = parseArgs({
  options: {
    shops: { type: 'string', default: '1' },
    'agents-per-shop': { type: 'string', default: '1' },
    password: { type: 'string' },
    tag: { type: 'string', default: 'rt' },
  },
});
const shops = Number(values.shops);
const agentsPerShop = Number(values['agents-per-shop']);
const password = values.password;
if (password === undefined) throw new Error('--password is required');

const config = loadConfig();
const storage = openConfiguredStorage(config);
try {
  await migrateToLatest(storage);
  const services = createDomain(config, createStore(storage.db, storage.engine, storage.sqlite));
  const out: { shopId: string; agents: string[] }[] = [];
  let next = 0;
  // Four at a time: scrypt runs on libuv's four threads; the inserts are quick.
  const worker = async () => {
    while (next < shops) {
      const i = next++;
      const shop = await services.shops.create(`Bench shop ${i}`);
      const agents: string[] = [];
      for (let a = 0; a < agentsPerShop; a++) {
        const { staff } = await services.staff.createInShop(shop.id, {
          email: `${values.tag}-agent-${i}-${a}@bench.test`,
          name: `Agent ${i}.${a}`,
          role: 'agent',
          password,
        });
        agents.push(staff.email);
      }
      out[i] = { shopId: shop.id, agents };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  console.log(JSON.stringify({ shops: out }));
} finally {
  await storage.close();
}
