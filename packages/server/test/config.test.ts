import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.ts';

describe('configuration', () => {
  test('defaults give a working single-node setup', () => {
    const config = loadConfig({}, '/srv/frontdesk');
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, '/srv/frontdesk/data');
    assert.equal(config.databaseUrl, null);
    assert.equal(config.publicUrl, 'http://localhost:8080');
    assert.ok(Object.isFrozen(config));
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /^PORT /],
    [{ PORT: '70000' }, /^PORT /],
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
  ];
  for (const [env, message] of bad) {
    test(`refuses ${JSON.stringify(env)} naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

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
