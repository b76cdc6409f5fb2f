/** The other thread of writer-lock.test.ts: takes and gives back the webhook thread's turn when told. */
import { parentPort, workerData } from 'node:worker_threads';
import { WEBHOOKS, WriterLock } from '../../src/storage/writer-lock.ts';

const lock = new WriterLock(WEBHOOKS, workerData as SharedArrayBuffer);
parentPort!.on('message', async (message: 'acquire' | 'release') => {
  if (message === 'acquire') {
    await lock.acquire();
    parentPort!.postMessage('acquired');
  } else {
    lock.release();
    parentPort!.postMessage('released');
  }
});
