import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../src/domain/ids.ts';
import { percentile } from '../src/domain/stats-report.ts';
import { call, createShop, openWidget, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

/** The statistics report (docs/statistics.md): exact figures from a seeded set, in a time zone, tenant-scoped. */

const S = 1000;
const p = (p50: number | null, p90: number | null, p95: number | null) => ({ p50, p90, p95 });

test('nearest-rank percentiles are always one of the values', () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.deepEqual([50, 90, 95, 100].map((q) => percentile(ten, q)), [5, 9, 10, 10]);
  assert.deepEqual([50, 90].map((q) => percentile([7], q)), [7, 7]);
  assert.equal(percentile([], 50), null);
});

for (const engine of engines) {
  describe(`statistics report on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let b: ShopFixture;
    const ids: string[] = [];

    /** An inquiry at a chosen time with chosen durations, in a conversation of its own. */
    async function inquiry(target: ShopFixture, createdAt: string, o: { status: 'queued' | 'assigned' | 'closed'; fr?: number; res?: number; channel?: string; agent?: string | null }) {
      const customer = await openWidget(server, target.shopId);
      const created = Date.parse(createdAt);
      const db = server.storage.db;
      await db.updateTable('conversations').set({ channel: o.channel ?? 'web' }).where('id', '=', customer.conversationId).execute();
      const id = newId();
      await db
        .insertInto('inquiries')
        .values({
          id,
          shop_id: target.shopId,
          conversation_id: customer.conversationId,
          customer_id: customer.customerId,
          status: o.status,
          assignee_id: o.agent ?? null,
          created_at: created,
          queued_at: created,
          assigned_at: o.agent ? created : null,
          first_response_at: o.fr === undefined ? null : created + o.fr,
          closed_at: o.res === undefined ? null : created + o.res,
        })
        .execute();
      ids.push(id);
      return { id, conversationId: customer.conversationId, customerId: customer.customerId };
    }

    async function rating(target: ShopFixture, of: { id: string; conversationId: string; customerId: string }, agent: string, value: number, comment: string | null, at: string) {
      const t = Date.parse(at);
      await server.storage.db
        .insertInto('csat_ratings')
        .values({ inquiry_id: of.id, shop_id: target.shopId, conversation_id: of.conversationId, customer_id: of.customerId, agent_id: agent, rating: value, comment, submitted_at: t, updated_at: t })
        .execute();
    }

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Report');
      b = await createShop(server, 'Bravo');
      const A = shop.agentId;
      const O = shop.ownerId;
      // Asia/Shanghai (UTC+08:00): 10 January runs from 9 January 16:00 UTC to 10 January 16:00 UTC.
      await inquiry(shop, '2026-01-09T15:59:59.999Z', { status: 'closed', fr: 1 * S, res: 2 * S, agent: A }); // 9 January: outside
      const i2 = await inquiry(shop, '2026-01-09T16:00:00.000Z', { status: 'closed', fr: 10 * S, res: 100 * S, agent: A });
      const i3 = await inquiry(shop, '2026-01-10T02:00:00.000Z', { status: 'closed', fr: 20 * S, res: 200 * S, agent: A });
      const i4 = await inquiry(shop, '2026-01-10T03:00:00.000Z', { status: 'closed', fr: 30 * S, res: 300 * S, agent: O, channel: 'wechat' });
      await inquiry(shop, '2026-01-10T04:00:00.000Z', { status: 'assigned', fr: 40 * S, agent: A });
      await inquiry(shop, '2026-01-10T15:59:59.000Z', { status: 'queued' });
      const i7 = await inquiry(shop, '2026-01-10T16:00:00.000Z', { status: 'closed', fr: 50 * S, res: 500 * S, agent: O, channel: 'email' }); // 11 January
      await inquiry(shop, '2026-01-11T15:59:59.999Z', { status: 'closed', fr: 60 * S, res: 1000 * S, agent: A });
      await inquiry(shop, '2026-01-11T16:00:00.000Z', { status: 'closed', fr: 1 * S, res: 1 * S, agent: A }); // 12 January: outside
      const theirs = await inquiry(b, '2026-01-10T02:00:00.000Z', { status: 'closed', fr: 7 * S, res: 7 * S, agent: b.agentId });

      await rating(shop, i2, A, 5, 'Great', '2026-01-10T05:00:00.000Z');
      await rating(shop, i3, A, 3, null, '2026-01-10T06:00:00.000Z');
      await rating(shop, i4, O, 4, '=HYPERLINK("http://evil.example")', '2026-01-11T01:00:00.000Z');
      await rating(shop, i7, O, 1, '<script>alert(1)</script> slow', '2026-01-11T15:59:59.000Z');
      await rating(b, theirs, b.agentId, 2, 'Bravo only', '2026-01-10T05:00:00.000Z');
    });
    after(() => server.close());

    const get = (query: string, token = shop.ownerToken) => call(server, 'GET', `/api/v1/stats/report?${query}`, { token });
    const shanghai = 'from=2026-01-10&to=2026-01-11&timezone=Asia%2FShanghai';

    test('exact figures: totals, days, agents, channels and CSAT over the range', async () => {
      const reply = await get(shanghai);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const r = reply.body;
      assert.deepEqual([r.from, r.to, r.timezone], ['2026-01-10', '2026-01-11', 'Asia/Shanghai']);
      assert.deepEqual(r.totals, { inquiries: 7, closed: 5, answered: 6, firstResponseMs: p(30 * S, 60 * S, 60 * S), resolutionMs: p(300 * S, 1000 * S, 1000 * S) });
      assert.deepEqual(r.days, [
        { day: '2026-01-10', inquiries: 5, closed: 3, answered: 4, firstResponseMs: p(20 * S, 40 * S, 40 * S), resolutionMs: p(200 * S, 300 * S, 300 * S) },
        { day: '2026-01-11', inquiries: 2, closed: 2, answered: 2, firstResponseMs: p(50 * S, 60 * S, 60 * S), resolutionMs: p(500 * S, 1000 * S, 1000 * S) },
      ]);
      assert.deepEqual(r.agents, [
        { staffId: shop.agentId, inquiries: 4, closed: 3, answered: 4, firstResponseMs: p(20 * S, 60 * S, 60 * S), resolutionMs: p(200 * S, 1000 * S, 1000 * S), csat: { count: 2, average: 4 } },
        { staffId: shop.ownerId, inquiries: 2, closed: 2, answered: 2, firstResponseMs: p(30 * S, 50 * S, 50 * S), resolutionMs: p(300 * S, 500 * S, 500 * S), csat: { count: 2, average: 2.5 } },
      ]);
      assert.deepEqual(r.channels, [
        { channel: 'web', inquiries: 5, closed: 3, answered: 4, firstResponseMs: p(20 * S, 60 * S, 60 * S), resolutionMs: p(200 * S, 1000 * S, 1000 * S) },
        { channel: 'email', inquiries: 1, closed: 1, answered: 1, firstResponseMs: p(50 * S, 50 * S, 50 * S), resolutionMs: p(500 * S, 500 * S, 500 * S) },
        { channel: 'wechat', inquiries: 1, closed: 1, answered: 1, firstResponseMs: p(30 * S, 30 * S, 30 * S), resolutionMs: p(300 * S, 300 * S, 300 * S) },
      ]);
      assert.deepEqual({ ...r.csat, comments: r.csat.comments.map((c: any) => [c.rating, c.comment, c.agentId]) }, {
        count: 4,
        average: 3.25,
        distribution: [1, 0, 1, 1, 1],
        comments: [
          [1, '<script>alert(1)</script> slow', shop.ownerId],
          [4, '=HYPERLINK("http://evil.example")', shop.ownerId],
          [5, 'Great', shop.agentId],
        ],
      });
    });

    test('the zone decides the days; by default the business hours’ zone, else UTC', async () => {
      const utc = await get('from=2026-01-10&to=2026-01-10');
      assert.equal(utc.body.timezone, 'UTC');
      // 10 January UTC: inquiries 3 to 6 and the one at 16:00 (11 January in Shanghai).
      assert.deepEqual([utc.body.totals.inquiries, utc.body.csat.count], [5, 2]);
      const hours = await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { businessHours: { timezone: 'Asia/Shanghai', days: {} } } } });
      assert.equal(hours.status, 200, JSON.stringify(hours.body));
      const byDefault = await get('from=2026-01-10&to=2026-01-11');
      assert.equal(byDefault.body.timezone, 'Asia/Shanghai');
      assert.deepEqual(byDefault.body.totals, (await get(shanghai)).body.totals);
      assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { businessHours: null } } })).status, 200);
    });

    test('a daylight-saving day is 23 hours long', async () => {
      const dst = await createShop(server, 'Berlin');
      // 29 March 2026 in Berlin: from 28 March 23:00 UTC to 29 March 22:00 UTC.
      await inquiry(dst, '2026-03-28T22:59:59.999Z', { status: 'queued' });
      await inquiry(dst, '2026-03-28T23:00:00.000Z', { status: 'queued' });
      await inquiry(dst, '2026-03-29T21:59:59.999Z', { status: 'queued' });
      await inquiry(dst, '2026-03-29T22:00:00.000Z', { status: 'queued' });
      const reply = await call(server, 'GET', '/api/v1/stats/report?from=2026-03-28&to=2026-03-30&timezone=Europe%2FBerlin', { token: dst.ownerToken });
      assert.deepEqual(reply.body.days.map((d: any) => [d.day, d.inquiries]), [['2026-03-28', 1], ['2026-03-29', 2], ['2026-03-30', 1]]);
    });

    test('scoped to the caller’s shop; owners and admins only', async () => {
      const theirs = await get(shanghai, b.ownerToken);
      assert.deepEqual([theirs.body.totals.inquiries, theirs.body.csat.count, theirs.body.csat.comments.map((c: any) => c.comment)], [1, 1, ['Bravo only']]);
      assert.deepEqual(theirs.body.agents.map((a: any) => a.staffId), [b.agentId]);
      const agent = await get(shanghai, shop.agentToken);
      assert.equal(agent.status, 403);
      assert.equal(agent.body.error.code, 'FORBIDDEN');
      const csv = await call(server, 'GET', `/api/v1/stats/report.csv?${shanghai}`, { token: shop.agentToken });
      assert.equal(csv.status, 403);
    });

    test('ranges: calendar dates, from ≤ to, at most 92 days, a known zone', async () => {
      assert.equal((await get('from=2026-01-01&to=2026-04-02')).body.days.length, 92);
      for (const query of ['from=2026-01-01&to=2026-04-03', 'from=2026-01-02&to=2026-01-01', 'from=2026-02-30&to=2026-03-01', 'from=2026-01-01', 'to=2026-01-01',
        'from=2026-01-01T00:00:00Z&to=2026-01-02', 'from=2026-01-01&to=2026-01-02&timezone=Mars%2FOlympus', 'from=2026-01-01&to=2026-01-02&timezone=%3Bdrop', 'from=2026-01-01&to=2026-01-02&x=1']) {
        const reply = await get(query);
        assert.equal(reply.status, 400, `${query} ${JSON.stringify(reply.body)}`);
        assert.equal(reply.body.error.code, 'VALIDATION_FAILED', query);
      }
    });

    test('CSV: a line per day, agent and channel and the total; formula-like cells neutralised', async () => {
      await server.storage.db.updateTable('staff').set({ name: '=cmd|calc' }).where('id', '=', shop.ownerId).execute();
      const reply = await call(server, 'GET', `/api/v1/stats/report.csv?${shanghai}`, { token: shop.ownerToken });
      assert.equal(reply.status, 200);
      const lines = String(reply.body).trim().split('\n');
      assert.deepEqual(lines, [
        'row,key,name,inquiries,closed,answered,first_response_p50_ms,first_response_p90_ms,first_response_p95_ms,resolution_p50_ms,resolution_p90_ms,resolution_p95_ms,csat_count,csat_average',
        'day,2026-01-10,,5,3,4,20000,40000,40000,200000,300000,300000,,',
        'day,2026-01-11,,2,2,2,50000,60000,60000,500000,1000000,1000000,,',
        `agent,${shop.agentId},Agent,4,3,4,20000,60000,60000,200000,1000000,1000000,2,4`,
        `agent,${shop.ownerId},'=cmd|calc,2,2,2,30000,50000,50000,300000,500000,500000,2,2.5`,
        'channel,web,,5,3,4,20000,60000,60000,200000,1000000,1000000,,',
        'channel,email,,1,1,1,50000,50000,50000,500000,500000,500000,,',
        'channel,wechat,,1,1,1,30000,30000,30000,300000,300000,300000,,',
        'total,2026-01-10..2026-01-11,Asia/Shanghai,7,5,6,30000,60000,60000,300000,1000000,1000000,4,3.25',
      ]);
    });
  });
}
