import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from './support/server.ts';

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
