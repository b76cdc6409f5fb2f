import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { contrastRatio, textColorOn, type BusinessHours, type WidgetAppearance } from '@frontdesk/protocol';
import { nextOpeningAt } from '../src/domain/business-hours.ts';
import { defaultShopSettings } from '../src/domain/shop-settings.ts';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/** Widget branding, the pre-chat form and the next opening (issue 22, item 4; docs/widget.md). */

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe('nextOpeningAt', () => {
  const hours: BusinessHours = { timezone: 'Europe/Berlin', days: { mon: [['09:00', '12:00'], ['13:00', '17:00']], fri: [['10:00', '16:00']] } };

  test('open now, or no hours: null', () => {
    assert.equal(nextOpeningAt(null, at('2026-03-02T09:00:00Z')), null);
    assert.equal(nextOpeningAt(hours, at('2026-03-02T08:30:00Z')), null, 'Monday 09:30 in Berlin is open');
  });

  test('the next range start, the same day or days later, on the zone’s clock', () => {
    assert.equal(iso(nextOpeningAt(hours, at('2026-03-02T07:00:00Z'))), '2026-03-02T08:00:00.000Z', 'Monday 08:00 → 09:00');
    assert.equal(iso(nextOpeningAt(hours, at('2026-03-02T11:30:00Z'))), '2026-03-02T12:00:00.000Z', 'the lunch break → 13:00');
    assert.equal(iso(nextOpeningAt(hours, at('2026-03-02T16:00:00Z'))), '2026-03-06T09:00:00.000Z', 'Monday evening → Friday 10:00');
    assert.equal(iso(nextOpeningAt(hours, at('2026-03-06T15:00:00Z'))), '2026-03-09T08:00:00.000Z', 'Friday 16:00 → next Monday');
  });

  test('across a daylight-saving change (Berlin, 29 March 2026): 09:00 is 07:00 UTC after it', () => {
    assert.equal(iso(nextOpeningAt(hours, at('2026-03-27T16:00:00Z'))), '2026-03-30T07:00:00.000Z');
  });

  test('a start in the hour skipped in spring: the shop opens when the clock jumps (New York, 8 March 2026)', () => {
    const spring: BusinessHours = { timezone: 'America/New_York', days: { sun: [['02:30', '05:00']] } };
    // Midnight EST; at 07:00 UTC 02:00 EST becomes 03:00 EDT, inside the range.
    assert.equal(iso(nextOpeningAt(spring, at('2026-03-08T05:00:00Z'))), '2026-03-08T07:00:00.000Z');
  });

  test('hours on no day: null', () => {
    assert.equal(nextOpeningAt({ timezone: 'UTC', days: {} }, at('2026-03-02T07:00:00Z')), null);
  });
});

describe('text colour on the brand colour (WCAG)', () => {
  test('dark text on light colours, white on dark ones, and always at least 4.5:1 for these', () => {
    assert.equal(textColorOn('#fde047'), '#111827', 'yellow');
    assert.equal(textColorOn('#ffffff'), '#111827');
    assert.equal(textColorOn('#1e3a8a'), '#ffffff', 'navy');
    assert.equal(textColorOn('#2563eb'), '#ffffff', 'the default blue');
    for (const colour of ['#fde047', '#1e3a8a', '#2563eb', '#16a34a', '#000000', '#f472b6']) {
      assert.ok(contrastRatio(colour, textColorOn(colour)) >= 4.5, colour);
    }
  });
});

const branded: WidgetAppearance = {
  color: '#fde047',
  greeting: 'Hi! Ask us anything about your order.',
  position: 'left',
  launcherText: 'Help',
  logo: null,
  prechat: { name: 'required', email: 'optional' },
};

const png = (size = 64) => sharp({ create: { width: size, height: size, channels: 3, background: '#e11d48' } }).png().toBuffer();

for (const engine of engines) {
  describe(`widget appearance on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let other: ShopFixture;
    const sockets: RawClient[] = [];

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Branded shop');
      other = await createShop(server, 'Other shop');
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const patchWidget = (token: string, widget: unknown) => call(server, 'PATCH', '/api/v1/shop', { token, body: { settings: { widget } } });
    const appearance = (shopId: string) => call(server, 'GET', `/api/v1/widget/shops/${shopId}/appearance`);
    const uploadLogo = (token: string, bytes: Buffer) => call(server, 'POST', '/api/v1/shop/logo', { token, body: { contentBase64: bytes.toString('base64') } });

    test('defaults, then a round trip: the settings as saved, the public appearance with its text colour', async () => {
      const before = await appearance(shop.shopId);
      assert.equal(before.status, 200);
      const { logo: _none, ...defaults } = defaultShopSettings.widget;
      assert.deepEqual(before.body, { shopName: 'Branded shop', ...defaults, textColor: '#ffffff', logoUrl: null });
      assert.deepEqual(defaults, { color: '#2563eb', greeting: '', position: 'right', launcherText: '', prechat: { name: 'off', email: 'off' } });

      const saved = await patchWidget(shop.ownerToken, branded);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual(saved.body.settings.widget, branded);
      assert.deepEqual((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.widget, branded);
      const after = (await appearance(shop.shopId)).body;
      assert.equal(after.color, '#fde047');
      assert.equal(after.textColor, '#111827', 'dark text on yellow');
      assert.equal(after.position, 'left');
      assert.equal(after.launcherText, 'Help');
      assert.equal(after.greeting, branded.greeting);
      assert.deepEqual(after.prechat, branded.prechat);
      assert.equal((await appearance(other.shopId)).body.color, '#2563eb', 'the other shop is untouched');
      assert.equal((await appearance('01890a5d-ac96-774b-bcce-b302099a8057')).status, 404);
    });

    test('validation: colour as #rrggbb, greeting ≤ 200, position, launcher text ≤ 40, pre-chat modes; admins only', async () => {
      const bad: Array<[string, unknown]> = [
        ['colour name', { ...branded, color: 'red' }],
        ['short colour', { ...branded, color: '#12345' }],
        ['colour with alpha', { ...branded, color: '#12345678' }],
        ['greeting of 201', { ...branded, greeting: 'x'.repeat(201) }],
        ['position top', { ...branded, position: 'top' }],
        ['launcher text of 41', { ...branded, launcherText: 'x'.repeat(41) }],
        ['pre-chat mode', { ...branded, prechat: { name: 'maybe', email: 'off' } }],
        ['missing pre-chat', { ...branded, prechat: undefined }],
        ['extra field', { ...branded, css: 'body{}' }],
        ['a logo not uploaded', { ...branded, logo: 'a'.repeat(64) }],
      ];
      for (const [label, widget] of bad) {
        const reply = await patchWidget(shop.ownerToken, widget);
        assert.equal(reply.status, 400, label);
        assert.equal(reply.body.error.code, 'VALIDATION_FAILED', label);
      }
      assert.equal((await patchWidget(shop.ownerToken, { ...branded, greeting: 'x'.repeat(200), launcherText: 'y'.repeat(40) })).status, 200, 'the limits themselves pass');
      assert.equal((await patchWidget(shop.agentToken, branded)).status, 403, 'agents may not');
      assert.equal((await patchWidget(shop.ownerToken, branded)).status, 200);
    });

    test('logo: a raster image is re-encoded and served publicly with safe headers; SVG, markup and oversize are refused', async () => {
      const uploaded = await uploadLogo(shop.ownerToken, await png());
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
      const logo: string = uploaded.body.settings.widget.logo;
      assert.match(logo, /^[0-9a-f]{64}$/);
      const logoUrl = (await appearance(shop.shopId)).body.logoUrl;
      assert.equal(logoUrl, `/api/v1/widget/shops/${shop.shopId}/logo/${logo}`);
      const served = await fetch(server.url + logoUrl);
      assert.equal(served.status, 200);
      assert.match(served.headers.get('content-type') ?? '', /^image\/(png|jpeg|webp|gif)$/);
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
      assert.match(served.headers.get('cache-control') ?? '', /immutable/);
      assert.match(served.headers.get('content-security-policy') ?? '', /sandbox/);
      const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      assert.equal(meta.width, 64);

      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="10" height="10"/></svg>');
      const html = Buffer.from('<!doctype html><html><script>alert(1)</script></html>');
      const fakePng = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<svg onload=alert(1)>')]);
      const noisy = await sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
      assert.ok(noisy.length > 128 * 1024);
      for (const [label, bytes] of [['svg', svg], ['html', html], ['broken png', fakePng], ['oversize', noisy.subarray(0, 130 * 1024)]] as const) {
        const reply = await uploadLogo(shop.ownerToken, bytes);
        assert.equal(reply.status, 415, label);
        assert.equal(reply.body.error.code, 'LOGO_INVALID', label);
      }
      assert.ok([400, 413].includes((await uploadLogo(shop.ownerToken, noisy)).status), 'beyond the body schema or the body limit');
      assert.equal((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.widget.logo, logo, 'refusals change nothing');

      // Roles and shops: agents and customers may not upload; one shop's logo is not another's.
      assert.equal((await uploadLogo(shop.agentToken, await png())).status, 403);
      const visitor = await openWidget(server, shop.shopId);
      assert.equal((await uploadLogo(visitor.token, await png())).status, 403);
      assert.equal((await fetch(`${server.url}/api/v1/widget/shops/${other.shopId}/logo/${logo}`)).status, 404, 'under another shop');
      const otherUpload = await uploadLogo(other.ownerToken, await png(32));
      assert.equal(otherUpload.status, 200);
      assert.equal((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.widget.logo, logo, 'the other shop’s upload leaves ours');
      assert.equal((await fetch(`${server.url}/api/v1/widget/shops/${shop.shopId}/logo/${otherUpload.body.settings.widget.logo}`)).status, 404);

      // Removing it: null; the old URL stops working.
      assert.equal((await patchWidget(shop.ownerToken, { ...branded, logo })).status, 200, 'keeping the current one');
      assert.equal((await patchWidget(shop.ownerToken, { ...branded, logo: null })).status, 200);
      assert.equal((await fetch(server.url + logoUrl)).status, 404);
      assert.equal((await appearance(shop.shopId)).body.logoUrl, null);
    });

    test('required pre-chat fields are enforced on the server, over HTTP and WebSocket; identified customers are not asked', async () => {
      const strict = await createShop(server, 'Strict shop');
      assert.equal((await patchWidget(strict.ownerToken, { ...branded, prechat: { name: 'required', email: 'required' } })).status, 200);
      const visitor = await openWidget(server, strict.shopId);
      const socket = await rawAuthed(server, visitor.token);
      sockets.push(socket);

      const refused = await send(server, visitor.token, visitor.conversationId, 'hello?');
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'PRECHAT_REQUIRED');
      socket.send({ type: 'send', id: 1, conversationId: visitor.conversationId, clientMsgId: 'ws-1', text: 'hello?' });
      assert.equal((await socket.next('error', (f) => f.id === 1)).code, 'PRECHAT_REQUIRED');

      assert.equal((await call(server, 'PATCH', '/api/v1/widget/profile', { token: visitor.token, body: { name: 'Ann' } })).status, 200);
      assert.equal((await send(server, visitor.token, visitor.conversationId, 'hello?')).status, 409, 'the e-mail is still missing');
      assert.equal((await call(server, 'PATCH', '/api/v1/widget/profile', { token: visitor.token, body: {} })).status, 400, 'an empty form');
      const profile = await call(server, 'PATCH', '/api/v1/widget/profile', { token: visitor.token, body: { email: 'ann@example.test' } });
      assert.equal(profile.status, 200);
      assert.equal(profile.body.name, 'Ann');
      assert.equal(profile.body.email, 'ann@example.test');
      assert.equal((await send(server, visitor.token, visitor.conversationId, 'hello!')).status, 201);
      socket.send({ type: 'send', id: 2, conversationId: visitor.conversationId, clientMsgId: 'ws-2', text: 'and over the socket' });
      assert.equal((await socket.next('ack', (f) => f.id === 2)).message.text, 'and over the socket', 'the socket reads the customer afresh');

      const identified = await openWidget(server, strict.shopId, { identity: { jwt: await identityToken(strict.identitySecret, 'ext-prechat') } });
      assert.equal((await send(server, identified.token, identified.conversationId, 'I am known')).status, 201);
      assert.equal((await send(server, strict.ownerToken, visitor.conversationId, 'staff are never asked')).status, 201);
    });

    test('the old e-mail question counts as an optional e-mail; the team tells when a closed shop opens', async () => {
      const legacy = await createShop(server, 'Legacy shop');
      const email = { enabled: true, fromName: null, delayMinutes: 10, transcriptOnClose: false, askBeforeChat: true };
      assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: legacy.ownerToken, body: { settings: { email } } })).status, 200);
      assert.deepEqual((await appearance(legacy.shopId)).body.prechat, { name: 'off', email: 'optional' });
      const visitor = await openWidget(server, legacy.shopId);
      assert.equal((await send(server, visitor.token, visitor.conversationId, 'optional means optional')).status, 201);

      // Closed all week but one range: opensAt is that range's next start.
      const hours: BusinessHours = { timezone: 'UTC', days: { sun: [['03:00', '03:01']] } };
      assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: legacy.ownerToken, body: { settings: { businessHours: hours } } })).status, 200);
      const team = await call(server, 'GET', `/api/v1/conversations/${visitor.conversationId}/team`, { token: visitor.token });
      assert.equal(team.status, 200);
      const expected = nextOpeningAt(hours, Date.now());
      if (expected === null) assert.equal(team.body.opensAt, null, 'it is Sunday 03:00 UTC right now');
      else {
        assert.equal(team.body.openNow, false);
        assert.equal(new Date(team.body.opensAt).getUTCDay(), 0);
        assert.equal(new Date(team.body.opensAt).toISOString().slice(11, 16), '03:00');
      }
    });
  });
}
