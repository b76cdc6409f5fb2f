import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../src/index.ts';

test('backoff windows double from initialMs up to maxMs, with full jitter inside each', () => {
  const top = new Backoff({ initialMs: 500, maxMs: 30_000 }, () => 0.999_999);
  assert.deepEqual(
    Array.from({ length: 9 }, () => top.next()),
    [499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999],
  );
  const bottom = new Backoff({ initialMs: 500, maxMs: 30_000 }, () => 0);
  assert.deepEqual(Array.from({ length: 4 }, () => bottom.next()), [0, 0, 0, 0]);
  const middle = new Backoff({}, () => 0.5);
  assert.deepEqual([middle.next(), middle.next(), middle.next()], [250, 500, 1000]);
});

test('reset starts over; prompt() stays inside the first window and does not widen', () => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.999_999);
  backoff.next();
  backoff.next();
  assert.equal(backoff.attempt, 2);
  assert.equal(backoff.prompt(), 99);
  assert.equal(backoff.attempt, 2);
  backoff.reset();
  assert.equal(backoff.next(), 99);
});

test('real randomness spreads the delays over the window', () => {
  const backoff = new Backoff({ initialMs: 1000, maxMs: 1000 });
  const delays = Array.from({ length: 200 }, () => backoff.next());
  assert.ok(delays.every((d) => d >= 0 && d < 1000));
  assert.ok(Math.min(...delays) < 200 && Math.max(...delays) > 800);
});

test('nonsense options are refused', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  assert.throws(() => new Backoff({ maxMs: Number.NaN }), RangeError);
});
