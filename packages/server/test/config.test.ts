import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { certificates } from './support/certificates.ts';

describe('configuration', () => {
  test('defaults give a working single-node setup', () => {
    const config = loadConfig({}, '/srv/frontdesk');
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, '/srv/frontdesk/data');
    assert.equal(config.databaseUrl, null);
    assert.equal(config.sqliteCacheMb, 64);
    assert.equal(config.publicUrl, 'http://localhost:8080');
    assert.ok(Object.isFrozen(config));
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^PORT /],
    [{ PORT: '70000' }, /^PORT /],
    [{ SQLITE_CACHE_MB: '1' }, /^SQLITE_CACHE_MB /],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /^DATABASE_URL /],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL /],
    [{ REDIS_URL: 'http://localhost' , DATABASE_URL: 'postgres://localhost/x' }, /^REDIS_URL /],
    [{ REDIS_URL: 'redis://localhost' }, /^REDIS_URL .*PostgreSQL/],
    [{ REDIS_URL: 'redis://localhost', DATABASE_URL: 'postgres://localhost/x', REDIS_TLS_CA_FILE: '/etc/ssl/ca.pem' }, /^REDIS_TLS_CA_FILE .*rediss:/],
    [{ REDIS_URL: 'rediss://localhost', DATABASE_URL: 'postgres://localhost/x', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }, /^REDIS_TLS_CA_FILE: cannot read .*ENOENT/],
    [{ REDIS_URL: 'rediss://localhost', DATABASE_URL: 'postgres://localhost/x', REDIS_TLS_CA_FILE: '/etc/hostname' }, /^REDIS_TLS_CA_FILE: .*no PEM certificate/],
    [{ CLUSTER_HEARTBEAT_MS: '10' }, /^CLUSTER_HEARTBEAT_MS /],
    [{ REDIS_PREFIX: 'two words' }, /^REDIS_PREFIX /],
    [{ REDIS_PREFIX: 'x'.repeat(65) }, /^REDIS_PREFIX /],
    [{ PUBLIC_URL: 'ftp://x' }, /^PUBLIC_URL /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL /],
    [{ PLATFORM_IDENTITY_SECRET: 'short' }, /^PLATFORM_IDENTITY_SECRET /],
    [{ SEED_DEMO: 'maybe' }, /^SEED_DEMO /],
    [{ HTTP_BODY_LIMIT: '-1' }, /^HTTP_BODY_LIMIT /],
    [{ ALERT_RULES: '{"name":"x"}' }, /^ALERT_RULES must be a JSON array/],
    [{ ALERT_RULES: '[{"name":"x","metric":"cpu","above":1}]' }, /^ALERT_RULES\[0\]\.metric must be one of event_loop_lag_ms/],
    [{ ALERT_RULES: '[{"name":"x","metric":"load_per_cpu","above":"2"}]' }, /^ALERT_RULES\[0\]\.above /],
    [{ ALERT_RULES: '[{"name":"x","metric":"load_per_cpu","above":2,"for":60}]' }, /^ALERT_RULES\[0\] has unknown fields: for/],
    [{ ALERT_RULES: '[{"name":"x","metric":"load_per_cpu","above":2},{"name":"x","metric":"nodes_gone","above":0}]' }, /^ALERT_RULES\[1\]\.name "x" is used twice/],
    [{ ALERTS_FILE: '/nonexistent/rules.json' }, /^ALERTS_FILE: cannot read .*ENOENT/],
    [{ ALERT_EMAIL_TO: 'ops@example.test' }, /^ALERT_EMAIL_TO is set but SMTP_URL is not/],
    [{ SMTP_URL: 'http://mail' }, /^SMTP_URL /],
    [{ ALERT_WEBHOOK_SECRET: 'short' }, /^ALERT_WEBHOOK_SECRET /],
  ];
  for (const [env, message] of bad) {
    test(`refuses ${JSON.stringify(env)} naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

  test('the inbound SMTP listener’s certificate: both files or neither, a key that goes with the certificate, read at start', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-config-tls-'));
    try {
      const one = certificates(dir, 'one');
      const two = certificates(dir, 'two');
      const refused = (env: Record<string, string>, message: RegExp) =>
        assert.throws(() => loadConfig(env, dir), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
      refused({ SMTP_INBOUND_TLS_CERT_FILE: one.cert }, /^SMTP_INBOUND_TLS_CERT_FILE and SMTP_INBOUND_TLS_KEY_FILE go together/);
      refused({ SMTP_INBOUND_TLS_CERT_FILE: one.cert, SMTP_INBOUND_TLS_KEY_FILE: two.key }, /^SMTP_INBOUND_TLS_KEY_FILE does not go with SMTP_INBOUND_TLS_CERT_FILE/);
      refused({ SMTP_INBOUND_TLS_CERT_FILE: one.cert, SMTP_INBOUND_TLS_KEY_FILE: one.cert }, /^SMTP_INBOUND_TLS_KEY_FILE: .* holds no unencrypted PEM private key/);
      refused({ SMTP_INBOUND_TLS_CERT_FILE: one.key, SMTP_INBOUND_TLS_KEY_FILE: one.key }, /^SMTP_INBOUND_TLS_CERT_FILE: .* holds no PEM certificate/);
      refused({ SMTP_INBOUND_TLS_CERT_FILE: 'gone.pem', SMTP_INBOUND_TLS_KEY_FILE: one.key }, /^SMTP_INBOUND_TLS_CERT_FILE: cannot read .*gone\.pem .*ENOENT/);
      assert.equal(loadConfig({}, dir).email.inboundTls, null);
      assert.deepEqual(loadConfig({ SMTP_INBOUND_TLS_CERT_FILE: 'one.pem', SMTP_INBOUND_TLS_KEY_FILE: 'one.key' }, dir).email.inboundTls, { certFile: one.cert, keyFile: one.key });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('alert rules: none by default, the default set once a notification target is set, and ALERT_RULES as given', () => {
    assert.deepEqual(loadConfig({}).alerts.rules, []);
    assert.equal(loadConfig({ ALERT_WEBHOOK_URL: 'https://ops.example/hook' }).alerts.rules.length, 7);
    const { alerts } = loadConfig({ ALERT_RULES: '[{"name":"lag","metric":"event_loop_lag_ms","above":200,"forSeconds":1.5}]', SMTP_URL: 'smtp://u:p@mail:587', ALERT_EMAIL_TO: 'a@x.test, b@x.test' });
    assert.deepEqual(alerts.rules, [{ name: 'lag', metric: 'event_loop_lag_ms', above: 200, forMs: 1500 }]);
    assert.deepEqual(alerts.emailTo, ['a@x.test', 'b@x.test']);
  });

  test('URL schemes are stored in lower case (drivers compare them as written: REDISS:// must stay TLS)', () => {
    const config = loadConfig({ REDIS_URL: 'REDISS://:pw@redis.example:6380/1', DATABASE_URL: 'PostgreS://db/x', DATABASE_ALLOW_NO_AUTH: 'true' });
    assert.equal(config.redisUrl, 'rediss://:pw@redis.example:6380/1');
    assert.equal(config.databaseUrl, 'postgres://db/x');
  });

  test('a database URL with a password is never echoed in an error', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' }),
      (error: unknown) => error instanceof Error && !error.message.includes('hunter2'),
    );
  });
});
