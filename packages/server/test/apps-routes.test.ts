import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from './support/server.ts';
import { launchChromium } from '../../sdk/test/support/browser.ts';

/** The web apps' addresses: whoever opens the server's root finds the console. */
let server: TestServer;
before(async () => {
  server = await startServer('sqlite');
});
after(() => server.close());

test('the root and /console lead to the console, which is served', async () => {
  for (const path of ['/', '/console']) {
    const reply = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    assert.equal(reply.status, 302, path);
    assert.equal(reply.headers.get('location'), '/console/', path);
  }
  const page = await fetch(`${server.url}/console/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
});

test('every page of the console has an address: deep paths get the shell, files that do not exist stay 404', async () => {
  for (const path of ['/console/stats', '/console/inbox/01890a5d-ac96-774b-bcce-b302099a8057', '/console/admin/canned', '/console/no/such/page']) {
    const reply = await fetch(`${server.url}${path}`);
    assert.equal(reply.status, 200, path);
    const html = await reply.text();
    assert.match(html, /<script type="module" src="\/console\/app\.js">/, path);
  }
  assert.match(await (await fetch(`${server.url}/console/app.js`)).text(), /^(?!<!doctype)/);
  assert.match((await fetch(`${server.url}/console/app.js`)).headers.get('content-type') ?? '', /javascript/);
  for (const path of ['/console/missing.js', '/console/inbox/x.map']) assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
});

test('the API docs and the demo page may not be framed, sniffed or run foreign scripts; the docs still render in Chromium', async () => {
  for (const path of ['/docs/', '/docs/static/index.html', '/docs/json']) {
    const reply = await fetch(`${server.url}${path}`);
    assert.equal(reply.status, 200, path);
    assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(reply.headers.get('x-frame-options'), 'DENY', path);
  }
  const docs = await fetch(`${server.url}/docs/static/index.html`);
  const csp = docs.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /frame-ancestors 'self'|upgrade-insecure-requests/);
  const demo = await fetch(`${server.url}/demo`);
  assert.match(demo.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => message.type() === 'error' && violations.push(message.text()));
    await page.goto(`${server.url}/docs/`);
    await page.locator('.swagger-ui .info .title', { hasText: 'Frontdesk API' }).waitFor();
    assert.deepEqual(violations.filter((v) => /Content Security Policy/i.test(v)), []);
  } finally {
    await browser.close();
  }
});
