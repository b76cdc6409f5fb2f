import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BusinessHours } from '@frontdesk/protocol';
import { businessHoursProblem, isOpenAt } from '../src/domain/business-hours.ts';
import { call, createShop, openWidget, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

const at = (iso: string) => Date.parse(iso);
const everyDay = (ranges: Array<[string, string]>): BusinessHours['days'] =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, ranges]));

describe('isOpenAt', () => {
  test('without business hours the shop is always open', () => {
    for (const t of [0, at('2026-03-08T07:30:00Z'), at('2030-12-31T23:59:59Z')]) assert.equal(isOpenAt(null, t), true);
  });

  test('a range includes its start and excludes its end, on the wall clock of the zone', () => {
    // Monday 2 March 2026; Berlin is UTC+1 in winter.
    const hours: BusinessHours = { timezone: 'Europe/Berlin', days: { mon: [['09:00', '17:00']] } };
    assert.equal(isOpenAt(hours, at('2026-03-02T07:59:59Z')), false, '08:59:59');
    assert.equal(isOpenAt(hours, at('2026-03-02T08:00:00Z')), true, '09:00');
    assert.equal(isOpenAt(hours, at('2026-03-02T15:59:59Z')), true, '16:59:59');
    assert.equal(isOpenAt(hours, at('2026-03-02T16:00:00Z')), false, '17:00');
  });

  test('several ranges a day, and "24:00" ending one at midnight', () => {
    const hours: BusinessHours = { timezone: 'UTC', days: { mon: [['09:00', '12:00'], ['13:00', '14:00'], ['18:00', '24:00']] } };
    assert.equal(isOpenAt(hours, at('2026-03-02T11:30:00Z')), true);
    assert.equal(isOpenAt(hours, at('2026-03-02T12:30:00Z')), false, 'the lunch break');
    assert.equal(isOpenAt(hours, at('2026-03-02T13:00:00Z')), true);
    assert.equal(isOpenAt(hours, at('2026-03-02T23:59:59Z')), true);
    assert.equal(isOpenAt(hours, at('2026-03-03T00:00:00Z')), false, 'Tuesday has no hours');
  });

  test('a day without hours, or with an empty list, is closed all day', () => {
    const hours: BusinessHours = { timezone: 'UTC', days: { mon: [['00:00', '24:00']], sun: [] } };
    for (const t of ['2026-03-07T00:00:00Z', '2026-03-07T12:00:00Z', '2026-03-08T12:00:00Z', '2026-03-08T23:59:59Z']) {
      assert.equal(isOpenAt(hours, at(t)), false, t);
    }
    assert.equal(isOpenAt(hours, at('2026-03-09T00:00:00Z')), true, 'Monday again');
    assert.equal(isOpenAt({ timezone: 'UTC', days: {} }, at('2026-03-09T12:00:00Z')), false, 'no day at all: always closed');
  });

  test('the weekday is the zone’s: Monday morning in Tokyo is Sunday in UTC', () => {
    const hours: BusinessHours = { timezone: 'Asia/Tokyo', days: { mon: [['00:00', '02:00']] } };
    assert.equal(isOpenAt(hours, at('2026-03-08T15:30:00Z')), true, 'Sunday 15:30 UTC = Monday 00:30 in Tokyo');
    assert.equal(isOpenAt(hours, at('2026-03-09T00:30:00Z')), false, 'Monday 00:30 UTC = 09:30 in Tokyo');
  });

  test('daylight saving: the same hours follow the clock change (New York, 8 March 2026)', () => {
    const hours: BusinessHours = { timezone: 'America/New_York', days: everyDay([['09:00', '17:00']]) };
    // Friday, EST (UTC−5): 09:00 is 14:00 UTC.
    assert.equal(isOpenAt(hours, at('2026-03-06T13:30:00Z')), false, '08:30 EST');
    assert.equal(isOpenAt(hours, at('2026-03-06T14:00:00Z')), true, '09:00 EST');
    assert.equal(isOpenAt(hours, at('2026-03-06T21:59:00Z')), true, '16:59 EST');
    // Monday, EDT (UTC−4): 09:00 is 13:00 UTC; the same instant a week before was 08:30.
    assert.equal(isOpenAt(hours, at('2026-03-09T13:30:00Z')), true, '09:30 EDT');
    assert.equal(isOpenAt(hours, at('2026-03-09T21:00:00Z')), false, '17:00 EDT');
  });

  test('daylight saving: a skipped hour is never open, a repeated one is open both times (Berlin)', () => {
    const hours: BusinessHours = { timezone: 'Europe/Berlin', days: { sun: [['02:00', '03:00']] } };
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:xx does not exist.
    assert.equal(isOpenAt(hours, at('2026-03-29T00:59:59Z')), false, '01:59:59 CET');
    assert.equal(isOpenAt(hours, at('2026-03-29T01:00:00Z')), false, '03:00 CEST');
    // 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    assert.equal(isOpenAt(hours, at('2026-10-25T00:30:00Z')), true, '02:30 CEST');
    assert.equal(isOpenAt(hours, at('2026-10-25T01:30:00Z')), true, '02:30 CET');
    assert.equal(isOpenAt(hours, at('2026-10-25T02:00:00Z')), false, '03:00 CET');
  });
});

describe('businessHoursProblem', () => {
  test('accepts IANA zones and ranges that start before they end', () => {
    assert.equal(businessHoursProblem({ timezone: 'Asia/Shanghai', days: { mon: [['09:00', '12:00'], ['13:00', '24:00']], sun: [] } }), undefined);
    assert.equal(businessHoursProblem({ timezone: 'UTC', days: {} }), undefined);
  });

  test('names an unknown zone and a range that does not start before it ends', () => {
    assert.match(businessHoursProblem({ timezone: 'Mars/Olympus_Mons', days: {} })!, /Mars\/Olympus_Mons/);
    assert.match(businessHoursProblem({ timezone: 'UTC', days: { tue: [['09:00', '17:00'], ['18:00', '18:00']] } })!, /tue: 18:00–18:00/);
    assert.match(businessHoursProblem({ timezone: 'UTC', days: { fri: [['17:00', '09:00']] } })!, /fri/);
  });
});

for (const engine of engines) {
  describe(`business hours on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const sockets: RawClient[] = [];

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const patchHours = (businessHours: unknown, token = shop.ownerToken) =>
      call(server, 'PATCH', '/api/v1/shop', { token, body: { settings: { businessHours } } });

    test('a new shop has none (always open); owners set, replace and clear them through PATCH /shop', async () => {
      assert.equal((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.businessHours, null);
      const hours = { timezone: 'Europe/Berlin', days: { mon: [['09:00', '12:00'], ['13:00', '17:00']], sat: [['10:00', '14:00']] } };
      const set = await patchHours(hours);
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.settings.businessHours, hours);
      assert.deepEqual((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.businessHours, hours);
      // Other settings leave them alone; a new value replaces them whole.
      await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { offlineMessage: 'Back soon' } } });
      assert.deepEqual((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.businessHours, hours);
      const replaced = await patchHours({ timezone: 'UTC', days: { sun: [] } });
      assert.deepEqual(replaced.body.settings.businessHours, { timezone: 'UTC', days: { sun: [] } });
      assert.equal((await patchHours(null)).body.settings.businessHours, null);
    });

    test('bad business hours are refused and change nothing; agents may not set them', async () => {
      const bad: Array<[string, unknown]> = [
        ['an unknown zone', { timezone: 'Mars/Olympus_Mons', days: {} }],
        ['a zone that is not a name', { timezone: '../etc/passwd', days: {} }],
        ['start after end', { timezone: 'UTC', days: { mon: [['17:00', '09:00']] } }],
        ['an empty range', { timezone: 'UTC', days: { mon: [['09:00', '09:00']] } }],
        ['five ranges', { timezone: 'UTC', days: { mon: [['01:00', '02:00'], ['03:00', '04:00'], ['05:00', '06:00'], ['07:00', '08:00'], ['09:00', '10:00']] } }],
        ['25:00', { timezone: 'UTC', days: { mon: [['09:00', '25:00']] } }],
        ['9:00', { timezone: 'UTC', days: { mon: [['9:00', '17:00']] } }],
        ['24:30', { timezone: 'UTC', days: { mon: [['09:00', '24:30']] } }],
        ['a range of three', { timezone: 'UTC', days: { mon: [['09:00', '12:00', '17:00']] } }],
        ['an unknown day', { timezone: 'UTC', days: { monday: [['09:00', '17:00']] } }],
        ['no days', { timezone: 'UTC' }],
        ['an unknown field', { timezone: 'UTC', days: {}, holidays: [] }],
        ['a long zone', { timezone: 'A'.repeat(65), days: {} }],
      ];
      for (const [label, hours] of bad) {
        const reply = await patchHours(hours);
        assert.equal(reply.status, 400, `${label}: ${JSON.stringify(reply.body)}`);
        assert.equal(reply.body.error.code, 'VALIDATION_FAILED', label);
      }
      const forbidden = await patchHours({ timezone: 'UTC', days: {} }, shop.agentToken);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.error.code, 'FORBIDDEN');
      assert.equal((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.businessHours, null);
    });

    test('team: outside business hours nobody is available, even with an agent online; openNow tells why', async () => {
      const customer = await openWidget(server, shop.shopId);
      const team = async () => {
        const reply = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/team`, { token: customer.token });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return { available: reply.body.available, openNow: reply.body.openNow };
      };
      assert.deepEqual(await team(), { available: false, openNow: true }, 'open, nobody online');

      const agent = await rawAuthed(server, shop.agentToken);
      sockets.push(agent);
      await agent.next('presence', (f) => f.userId === shop.agentId && f.status === 'online');
      assert.deepEqual(await team(), { available: true, openNow: true }, 'no business hours: always open');

      await patchHours({ timezone: 'Pacific/Auckland', days: {} });
      assert.deepEqual(await team(), { available: false, openNow: false }, 'closed every day');
      const staffView = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/team`, { token: shop.agentToken });
      assert.equal(staffView.body.openNow, false);

      await patchHours({ timezone: 'Pacific/Auckland', days: everyDay([['00:00', '24:00']]) });
      assert.deepEqual(await team(), { available: true, openNow: true }, 'open all day, every day');
      await patchHours(null);
    });
  });
}
