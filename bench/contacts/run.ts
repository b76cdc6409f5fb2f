/**
 * Contact list benchmark (docs/benchmarks.md, "Contacts").
 *
 *   npm run bench:contacts [-- --contacts 100000 --runs 15 --engine sqlite|postgres|both]
 *
 * One shop with `--contacts` contacts (customers with names, e-mails, external ids and
 * attributes; two labels on one in ten each), written straight into a fresh database, then the contact
 * list's queries through the store the API uses (storage/contact-store.ts), each run `--runs`
 * times; the median and the slowest are printed. Baseline, measured in the same run: one contact
 * read by its key (what every contact route costs at least).
 * Also: a whole export's walk (every page of 1,000 in creation order), and an import's writes of
 * `--import` lines (new contacts, then the same lines again).
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { newId } from '../../packages/server/src/domain/ids.ts';
import type { ContactFilter, ContactOrder, ContactPosition } from '../../packages/server/src/domain/contacts/ports.ts';
import type { Engine } from '../../packages/server/src/storage/connect.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';
import { openTestStorage } from '../../packages/server/test/support/storage.ts';

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '15' },
    engine: { type: 'string', default: 'both' },
    import: { type: 'string', default: '10000' },
  },
});
const CONTACTS = Number(args.contacts);
const RUNS = Number(args.runs);
const IMPORT_LINES = Number(args.import);
const engines: Engine[] = args.engine === 'both' ? ['sqlite', 'postgres'] : [args.engine as Engine];
const PLANS = ['free', 'silver', 'gold', 'platinum'];

const pct = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

async function timed(runs: number, work: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((x, y) => x - y);
  return { median: pct(times, 50), max: times.at(-1)! };
}

for (const engine of engines) {
  const storage = await openTestStorage(engine);
  const db = storage.db;
  const store = createStore(db, storage.engine, storage.sqlite);
  const shopId = newId();
  const now = Date.now();
  await db.insertInto('shops').values({ id: shopId, name: 'Bench', identity_secret: 'x', settings: '{}', created_at: now, updated_at: now }).execute();
  // VIP: one contact in ten, whatever their last visit. Imported: one in ten, all never seen (they
  // sort last by last seen, so that list walks every contact seen before finding them).
  const labelId = newId();
  const neverSeenLabel = newId();
  await db
    .insertInto('labels')
    .values([
      { id: labelId, shop_id: shopId, name: 'VIP', color: '#ff0000', created_at: now, updated_at: now },
      { id: neverSeenLabel, shop_id: shopId, name: 'Imported', color: '#00ff00', created_at: now, updated_at: now },
    ])
    .execute();

  const seedStarted = performance.now();
  const BATCH = 500;
  let probeId = '';
  for (let i = 0; i < CONTACTS; i += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, CONTACTS - i) }, (_, j) => {
      const n = i + j;
      return { id: newId(), n };
    });
    if (i === Math.floor(CONTACTS / 2 / BATCH) * BATCH) probeId = rows[0]!.id;
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('customers')
        .values(rows.map(({ id, n }) => ({
          id, shop_id: shopId, kind: 'shop', identity_key: `s:${shopId}:ext-${n}`, external_id: `ext-${n}`, name: `Customer ${(n * 7919) % CONTACTS}`,
          email: `c${n}@example.test`, visitor_token_hash: null, attributes: JSON.stringify({ plan: PLANS[n % 4], orders: n % 50 }), created_at: now - CONTACTS + n, updated_at: now,
        })))
        .execute();
      await tx
        .insertInto('contacts')
        .values(rows.map(({ id, n }) => ({ shop_id: shopId, customer_id: id, channel: n % 3 === 0 ? 'api' : 'web', last_seen_at: n % 5 === 0 ? null : now - ((n * 104729) % 10_000_000), created_at: now - CONTACTS + n, updated_at: now })))
        .execute();
      const labelled = [
        ...rows.filter(({ n }) => n % 10 === 3).map(({ id }) => ({ shop_id: shopId, label_id: labelId, customer_id: id, created_at: now })),
        ...rows.filter(({ n }) => n % 10 === 0).map(({ id }) => ({ shop_id: shopId, label_id: neverSeenLabel, customer_id: id, created_at: now })),
      ];
      if (labelled.length > 0) await tx.insertInto('contact_labels').values(labelled).execute();
    });
  }
  if (engine === 'postgres') await sql`analyze`.execute(db);
  console.log(`\n${engine}: ${CONTACTS.toLocaleString('en')} contacts seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const page = (filter: ContactFilter, order: ContactOrder, after: ContactPosition | null = null) => store.contacts.list(shopId, filter, order, after, 51);
  const deep = async (order: ContactOrder) => {
    // The 200th page's cursor (10,000 contacts in): keyset, so as cheap as the first.
    let after: ContactPosition | null = null;
    for (let i = 0; i < 200; i++) {
      const rows = await store.contacts.list(shopId, {}, order, after, 50);
      const last = rows.at(-1)!;
      after = { key: last.sortKey, id: last.customer.id };
    }
    return after;
  };
  const lastSeen: ContactOrder = { sort: 'lastSeen', order: 'desc' };
  const deepSeen = await deep(lastSeen);
  const deepCreated = await deep({ sort: 'created', order: 'asc' });
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['baseline: one contact by key', () => store.contacts.find(shopId, probeId)],
    ['first page, last seen (default)', () => page({}, lastSeen)],
    ['page 201, last seen', () => page({}, lastSeen, deepSeen)],
    ['first page, created asc', () => page({}, { sort: 'created', order: 'asc' })],
    ['page 201, created asc', () => page({}, { sort: 'created', order: 'asc' }, deepCreated)],
    ['first page, name asc', () => page({}, { sort: 'name', order: 'asc' })],
    ['label filter (1 in 10)', () => page({ labelId }, lastSeen)],
    ['label of never-seen contacts, by last seen', () => page({ labelId: neverSeenLabel }, lastSeen)],
    ['label of never-seen contacts, by creation', () => page({ labelId: neverSeenLabel }, { sort: 'created', order: 'desc' })],
    ['channel filter (api, 1 in 3)', () => page({ channel: 'api' }, lastSeen)],
    ['attribute plan:gold (1 in 4)', () => page({ attribute: { key: 'plan', json: '"gold"' } }, lastSeen)],
    ['search q=ext-4242 (one match)', () => page({ q: 'ext-4242' }, lastSeen)],
    ['search q=customer 99 (many)', () => page({ q: 'customer 99' }, lastSeen)],
  ];
  console.log(`| query (${engine}, ${RUNS} runs) | median ms | max ms | × baseline |`);
  console.log('| --- | --- | --- | --- |');
  let baseline = NaN;
  for (const [name, work] of cases) {
    const { median, max } = await timed(RUNS, work);
    if (Number.isNaN(baseline)) baseline = median;
    console.log(`| ${name} | ${ms(median)} | ${ms(max)} | ${(median / baseline).toFixed(1)} |`);
  }
  const exportStarted = performance.now();
  let exported = 0;
  let after: ContactPosition | null = null;
  for (;;) {
    const rows = await store.contacts.list(shopId, {}, { sort: 'created', order: 'asc' }, after, 1000);
    exported += rows.length;
    if (rows.length < 1000) break;
    const last = rows.at(-1)!;
    after = { key: last.sortKey, id: last.customer.id };
  }
  console.log(`| export walk: ${exported.toLocaleString('en')} contacts in pages of 1,000 | ${ms(performance.now() - exportStarted)} (once) | | |`);
  // An import's writes (the domain's batches of 500 lines), new contacts and then the same file again.
  const lines = Array.from({ length: IMPORT_LINES }, (_, n) => ({ externalId: `imp-${n}`, name: `Imported ${n}`, email: `i${n}@example.test`, attributes: { plan: PLANS[n % 4]! }, labelIds: n % 10 === 0 ? [labelId] : [] }));
  for (const run of ['new', 'again']) {
    const started = performance.now();
    for (let i = 0; i < lines.length; i += 500) await store.contacts.importLines(shopId, lines.slice(i, i + 500), newId, Date.now());
    console.log(`| import ${IMPORT_LINES.toLocaleString('en')} lines (${run}) | ${ms(performance.now() - started)} (once) | | |`);
  }
  await storage.drop();
}
