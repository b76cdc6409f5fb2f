import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { MAIN, WEBHOOKS, WriterLock } from '../src/storage/writer-lock.ts';

/**
 * The turn at the SQLite file between the main thread and the webhook thread (storage/writer-lock.ts),
 * with a real second thread: one at a time, waits without blocking, and a thread that dies holding
 * its turn does not keep it.
 */
const settled = async (promise: Promise<unknown>, ms = 100) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

test('the two threads take turns; the main thread waits without blocking its event loop', async () => {
  const lock = new WriterLock(MAIN);
  const thread = new Worker(new URL('./support/writer-lock-thread.ts', import.meta.url), { workerData: lock.buffer });
  try {
    await lock.acquire();
    thread.postMessage('acquire');
    const threadTurn = once(thread, 'message');
    assert.equal(await settled(threadTurn), false, 'the thread waits while the main thread holds the turn');
    lock.release();
    assert.deepEqual(await threadTurn, ['acquired']);

    const mainTurn = lock.acquire();
    let ticks = 0;
    const ticking = setInterval(() => (ticks += 1), 5);
    assert.equal(await settled(mainTurn), false, 'the main thread waits while the thread holds it');
    clearInterval(ticking);
    assert.ok(ticks >= 5, `timers kept running while it waited (${ticks})`);
    thread.postMessage('release');
    await mainTurn;
    lock.release();
  } finally {
    await thread.terminate();
  }
});

test('a thread that ends holding its turn gives it up once forgotten', async () => {
  const lock = new WriterLock(MAIN);
  const thread = new Worker(new URL('./support/writer-lock-thread.ts', import.meta.url), { workerData: lock.buffer });
  thread.postMessage('acquire');
  assert.deepEqual(await once(thread, 'message'), ['acquired']);
  await thread.terminate();
  const mainTurn = lock.acquire();
  assert.equal(await settled(mainTurn), false, 'still held by the dead thread');
  lock.forget(WEBHOOKS);
  assert.equal(await settled(mainTurn, 1_000), true, 'free once the thread is forgotten');
  lock.release();
});
