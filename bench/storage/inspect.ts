/** Checks on the filled database, and the query plans behind each figure (--plans). */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Engine } from '../../packages/server/src/storage/connect.ts';
import type { Database } from '../../packages/server/src/storage/schema.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';
import { createRng } from './rng.ts';
import { scenarios, type Pools } from './scenarios.ts';

export async function counts(db: Kysely<Database>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['shops', 'staff', 'customers', 'conversations', 'members', 'inquiries', 'messages'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** The denormalised fields must say what the messages say, or the comparison means nothing. */
export async function checkConsistency(db: Kysely<Database>, streamPos: boolean): Promise<void> {
  const row = await sql<{ bad: number }>`
    SELECT COUNT(*) AS bad FROM conversations c
    WHERE c.last_seq <> (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)
       OR c.last_seq <> (SELECT MAX(seq) FROM messages m WHERE m.conversation_id = c.id)
       OR c.last_public_seq <> (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.visibility = 'public')
       OR c.last_message_seq <> (SELECT MAX(seq) FROM messages m WHERE m.conversation_id = c.id AND m.visibility = 'public')
       OR c.last_activity_at <> (SELECT MAX(created_at) FROM messages m WHERE m.conversation_id = c.id AND m.visibility = 'public')`.execute(db);
  const bad = Number(row.rows[0]?.bad ?? 0);
  if (bad !== 0) throw new Error(`${bad} conversations disagree with their messages`);
  if (streamPos) {
    const shops = await sql<{ bad: number }>`
      SELECT COUNT(*) AS bad FROM shops s
      WHERE (SELECT COUNT(*) FROM messages m WHERE m.shop_id = s.id)
         <> (SELECT COUNT(DISTINCT stream_pos) FROM messages m WHERE m.shop_id = s.id)`.execute(db);
    if (Number(shops.rows[0]?.bad ?? 0) !== 0) throw new Error('two messages of a shop share a place in its stream');
  }
}

/**
 * --plans: each scenario's SQL (ours, then the baseline) with the engine's plan for it — SQLite's
 * EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN ANALYZE — through a second connection that logs queries.
 */
export async function printPlans(
  engine: Engine,
  openLogged: (onQuery: (query: CompiledQuery) => void) => Kysely<Database>,
  pools: Pools,
): Promise<void> {
  const captured: CompiledQuery[] = [];
  const logged = openLogged((query) => captured.push(query));
  const cases = scenarios(logged, createStore(logged, engine), pools, createRng(1));
  console.log(`\nQuery plans (${engine === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN (ANALYZE, BUFFERS)'}):`);
  try {
    for (const c of cases) {
      const input = c.input();
      for (const [side, run] of [['ours', c.ours], ['baseline', c.baseline!]] as const) {
        captured.length = 0;
        await run(input);
        for (const q of [...captured]) {
          console.log(`\n[${c.name}] ${side}: ${q.sql.replace(/\s+/g, ' ').trim()}`);
          if (engine === 'sqlite') {
            const plan = await logged.executeQuery<{ id: number; parent: number; detail: string }>(
              CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]),
            );
            const depth = new Map<number, number>();
            for (const r of plan.rows) {
              const d = (depth.get(r.parent) ?? 0) + 1;
              depth.set(r.id, d);
              console.log(`${'  '.repeat(d)}${r.detail}`);
            }
          } else {
            const plan = await logged.executeQuery<Record<string, string>>(
              CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.parameters]),
            );
            for (const r of plan.rows) console.log(`  ${Object.values(r)[0]}`);
          }
        }
      }
    }
  } finally {
    await logged.destroy();
  }
}
