import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { smtpReceiver } from './support/smtp.ts';
import { AlertTracker } from '../src/observability/alert-rules.ts';
import { call, createShop } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines, testDatabaseUrl } from './support/storage.ts';
import { Receiver, verifyWebhook } from './support/webhook-receiver.ts';

const SECRET = 'alert-webhook-secret-0123456789';
const SMTP_PASSWORD = 'smtp-password-never-logged';

/** Blocks this process's event loop 150 ms in every 170 ms: the node's (in-process) loop lags. */
function induceLoad(): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + 150;
    while (performance.now() < until);
  }, 20);
  return () => clearInterval(timer);
}

test('a rule changes state only once its figure has held for the duration: a flapping figure never fires', () => {
  const tracker = new AlertTracker({ name: 'lag', metric: 'event_loop_lag_ms', above: 100, forMs: 1_000 });
  const seen = [0, 500, 900, 1_200, 1_900].map((t, i) => tracker.observe(i % 2 === 0 ? 300 : 10, t));
  assert.deepEqual(seen, [null, null, null, null, null]);
  assert.deepEqual([2_000, 2_500, 3_000, 3_100].map((t) => tracker.observe(300, t)), [null, null, 'fired', null]);
  assert.deepEqual([3_200, 4_000, 4_300, 5_000].map((t) => tracker.observe(5, t)), [null, null, 'resolved', null]);
});

for (const engine of engines) {
  describe(`alerts on ${engine}`, () => {
    let server: TestServer;
    let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
    const hook = new Receiver();
    const log: string[] = [];

    before(async () => {
      smtp = await smtpReceiver({ user: 'alerts', password: SMTP_PASSWORD });
      await hook.start();
      server = await startServer(
        engine,
        {
          LOG_LEVEL: 'info',
          ALERT_RULES: JSON.stringify([
            { name: 'loop-lag', metric: 'event_loop_lag_ms', above: 60, forSeconds: 1 },
            { name: 'queue-wait', metric: 'queue_wait_ms', above: 3_600_000, forSeconds: 0 },
          ]),
          ALERT_EVALUATE_MS: '200',
          SMTP_URL: `smtp://alerts:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
          ALERT_EMAIL_TO: 'ops@example.test',
          ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
          ALERT_WEBHOOK_SECRET: SECRET,
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_ALLOW_PRIVATE: 'true',
        },
        { write: (line) => void log.push(line) },
      );
    });
    after(async () => {
      await server.close();
      await smtp.close();
      await hook.stop();
    });

    test('under induced load the event-loop alert fires once and resolves once, by e-mail and signed webhook, and is in the history', async () => {
      const stop = induceLoad();
      try {
        await eventually('the firing e-mail and webhook', async () => smtp.mails.length >= 1 && hook.requests.length >= 1, 15_000);
      } finally {
        stop();
      }
      await eventually('the resolved e-mail and webhook', async () => smtp.mails.length >= 2 && hook.requests.length >= 2, 15_000);
      // No storm: nothing more once the figure is back under its threshold.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(smtp.mails.length, 2);
      assert.equal(hook.requests.length, 2);

      assert.deepEqual(smtp.mails.map((m) => m.to), [['ops@example.test'], ['ops@example.test']]);
      assert.match(smtp.mails[0]!.text, /Subject: \[Frontdesk\] FIRING loop-lag: event_loop_lag_ms/);
      assert.match(smtp.mails[1]!.text, /Subject: \[Frontdesk\] RESOLVED loop-lag/);
      const bodies = hook.requests.map((r) => JSON.parse(r.body));
      assert.deepEqual(bodies.map((b) => [b.type, b.alert.rule, b.alert.state]), [['alert.firing', 'loop-lag', 'firing'], ['alert.resolved', 'loop-lag', 'resolved']]);
      assert.ok(bodies[0].alert.value > 60);
      assert.ok(hook.requests.every((r) => verifyWebhook(SECRET, r.headers, r.body)), 'signed like shop webhooks');
      assert.ok(!log.join('').includes(SMTP_PASSWORD), 'the SMTP password is never logged');

      const shop = await createShop(server);
      const figures = await call(server, 'GET', '/api/v1/operations', { token: shop.ownerToken });
      assert.deepEqual(figures.body.alerts.map((a: { state: string }) => a.state), ['resolved', 'firing']);
      assert.match(figures.body.alerts[0].node, /\(/);
    });
  });
}

describe('alerts while the database cannot store them and the webhook target is down (PostgreSQL)', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  const hook = new Receiver();

  before(async () => {
    smtp = await smtpReceiver();
    await hook.start();
    server = await startServer('postgres', {
      ALERT_RULES: JSON.stringify([{ name: 'loop-lag', metric: 'event_loop_lag_ms', above: 60, forSeconds: 1 }]),
      ALERT_EVALUATE_MS: '200',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ALERT_EMAIL_TO: 'ops@example.test',
      ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
  });
  after(async () => {
    await server.close();
    await smtp.close();
    await hook.stop();
  });

  test('the change is notified at once, stored once the database answers; the target gets firing then resolved once it is back', async () => {
    hook.answer = () => ({ status: 503 });
    // Another session locks the history: the server's writes wait for their lock bound (lock_timeout),
    // then fail as they would with the database away.
    const holder = new pg.Client({ connectionString: testDatabaseUrl, options: `-c search_path=${server.storage.schema}` });
    await holder.connect();
    await holder.query('begin');
    await holder.query('lock table alert_events in access exclusive mode');
    try {
      const stop = induceLoad();
      try {
        await eventually('the firing e-mail and a refused webhook, the history locked', async () => smtp.mails.length >= 1 && hook.requests.length >= 1, 15_000);
      } finally {
        stop();
      }
      assert.match(smtp.mails[0]!.text, /Subject: \[Frontdesk\] FIRING loop-lag/);
      hook.answer = () => ({ status: 200 });
      const delivered = () => hook.requests.filter((r) => r.status === 200).map((r) => JSON.parse(r.body).alert.state as string);
      await eventually('both changes at the webhook, in order', async () => delivered().length >= 2 && smtp.mails.length >= 2, 30_000);
      assert.deepEqual(delivered(), ['firing', 'resolved']);
      assert.ok(hook.requests.some((r) => r.status === 503), 'the target refused at first');
      assert.match(smtp.mails[1]!.text, /Subject: \[Frontdesk\] RESOLVED loop-lag/);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    const shop = await createShop(server);
    const history = await eventually('the history stored', async () => {
      const alerts = (await call(server, 'GET', '/api/v1/operations', { token: shop.ownerToken })).body.alerts as Array<{ state: string }>;
      return alerts.length === 2 && alerts;
    });
    assert.deepEqual(history.map((a) => a.state), ['resolved', 'firing']);
  });
});
