/**
 * Idle authenticated connections for the RSS measurement of the realtime bench, in a process of its
 * own (spawned by run.ts, driven over IPC; see protocol.ts) so that only the server's memory is
 * measured. Sockets are spread round-robin over several 127.0.0.x source addresses so that 15,000 of
 * them do not run out of ephemeral ports.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from './proc.ts';
import type { IdleCommand, IdleReply } from './protocol.ts';
import { openIdle, type Endpoint, type IdleLink } from './transports.ts';

if (process.send === undefined) {
  console.error('idle.ts is started by run.ts (it needs an IPC channel)');
  process.exit(2);
}
const reply = (message: IdleReply) => process.send!(message);
process.on('disconnect', () => process.exit(0));

let endpoint: Endpoint | null = null;
let tokens: readonly string[] | null = null;
let addresses: readonly string[] = ['127.0.0.1'];
let links: IdleLink[] = [];
let opened = 0;

async function open(count: number, concurrency: number): Promise<void> {
  const started = performance.now();
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < count) {
      const j = opened + next++;
      try {
        const token = tokens === null ? null : tokens[j % tokens.length]!;
        links.push(await openIdle(endpoint!, j, token, addresses[j % addresses.length]!));
        ok += 1;
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      if (process.stderr.isTTY && (ok + failed) % 1000 === 0) process.stderr.write(`  ${ok + failed} connections\r`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  opened += count;
  reply({ type: 'opened', opened: ok, failed, ms: performance.now() - started, firstError });
}

process.on('message', (command: IdleCommand) => {
  const run = async () => {
    switch (command.cmd) {
      case 'init':
        endpoint = command.endpoint;
        tokens = command.tokens;
        addresses = command.localAddresses;
        return;
      case 'open':
        return open(command.count, command.concurrency);
      case 'status':
        return reply({ type: 'status', open: links.filter((l) => l.isOpen()).length });
      case 'close-all':
        links.forEach((l) => l.close());
        links = [];
        await sleep(500);
        return reply({ type: 'closed' });
    }
  };
  run().catch((error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
