import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const src = new URL('../src/', import.meta.url).pathname;

/** Every source file of the server, as [path relative to src/, text]. */
function sources(): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push([path.relative(src, full), fs.readFileSync(full, 'utf8')]);
    }
  };
  walk(src);
  return files;
}

const importsOf = (text: string) => [...text.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

/**
 * The seams of DESIGN.md §5 and §9, checked on the source itself so that a shortcut fails here
 * rather than in review: one publisher on the bus, one audience rule, a domain that knows no
 * transport, driver or bus.
 */
describe('architecture', () => {
  const files = sources();

  test('only fanout/ publishes on the bus', () => {
    const publishers = files.filter(([file, text]) => /\.publish\(/.test(text) && !file.startsWith('fanout/')).map(([file]) => file);
    assert.deepEqual(publishers, []);
  });

  test('only fanout/ computes audiences', () => {
    const users = files.filter(([file, text]) => !file.startsWith('fanout/') && importsOf(text).some((i) => i.endsWith('/audience.ts'))).map(([file]) => file);
    assert.deepEqual(users, []);
  });

  test('domain/ imports no transport, driver, bus or storage implementation', () => {
    const forbidden = /^(?:\.\.\/(?:http|realtime|channels|storage|fanout|cluster|integrations|jobs)\/|fastify|ws$|pg$|ioredis|kysely|node:sqlite)/;
    const offenders = files
      .filter(([file]) => file.startsWith('domain/'))
      .flatMap(([file, text]) => importsOf(text).filter((i) => forbidden.test(i)).map((i) => `${file} → ${i}`));
    assert.deepEqual(offenders, []);
  });

  test('no hidden listeners: the bus is subscribed to only where app.ts and the gateways can be seen doing it', () => {
    const subscribers = files.filter(([, text]) => /\bbus\.subscribe\(/.test(text)).map(([file]) => file).sort();
    assert.deepEqual(subscribers, ['app.ts', 'channels/sockets/gateway.ts']);
  });
});
