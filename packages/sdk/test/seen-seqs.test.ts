import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeenSeqs } from '../src/index.ts';

test('each (conversation, seq) is new exactly once, in any arrival order', () => {
  const seen = new SeenSeqs();
  const order = [5, 1, 3, 2, 9, 4, 7, 6, 8, 10];
  assert.deepEqual(order.map((seq) => seen.add('a', seq)), order.map(() => true));
  assert.deepEqual(order.map((seq) => seen.add('a', seq)), order.map(() => false));
  assert.equal(seen.add('b', 5), true, 'conversations are independent');
  assert.equal(seen.has('a', 11), false);
  assert.equal(seen.rangeCount('a'), 1, 'contiguous seqs collapse into one range');
});

test('gaps stay open until filled, and a long session in order keeps one range', () => {
  const seen = new SeenSeqs();
  for (const seq of [1, 2, 4, 6]) seen.add('c', seq);
  assert.equal(seen.rangeCount('c'), 3);
  assert.equal(seen.has('c', 3), false);
  assert.equal(seen.add('c', 5), true);
  assert.equal(seen.rangeCount('c'), 2);
  for (let seq = 1000; seq < 100_000; seq++) seen.add('d', seq);
  assert.equal(seen.rangeCount('d'), 1);
});

test('past the cap the oldest gap is given up, newer ones are kept', () => {
  const seen = new SeenSeqs(3);
  for (const seq of [1, 3, 5, 7]) seen.add('e', seq);
  assert.equal(seen.rangeCount('e'), 3);
  assert.equal(seen.has('e', 2), true, 'the oldest gap was merged away');
  assert.equal(seen.has('e', 4), false);
  assert.equal(seen.add('e', 6), true);
});

test('agrees with a plain Set on random arrivals with repeats', () => {
  let state = 42;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 50; round++) {
    const seen = new SeenSeqs();
    const truth = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const seq = 1 + Math.floor(random() * 120);
      assert.equal(seen.add('x', seq), !truth.has(seq), `round ${round}, seq ${seq}`);
      truth.add(seq);
    }
    for (let seq = 0; seq <= 121; seq++) assert.equal(seen.has('x', seq), truth.has(seq));
  }
});
