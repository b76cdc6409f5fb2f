import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/** POST to a node's HTTP API; throws on anything but 2xx. */
export async function post(port: number, path: string, body: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A raw /ws client of a node, authenticated; every frame goes to `onFrame`. */
export async function socket(port: number, token: string, onFrame: (frame: any) => void): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'auth.ok') resolve();
      onFrame(frame);
    });
    ws.send(JSON.stringify({ type: 'auth', token }));
  });
  return ws;
}

/**
 * Customers in a closed loop of sends: one widget session and socket per shop id given (ids may
 * repeat; the i-th customer on ports[i % ports.length]), each keeping `depth` sends unacknowledged.
 * With `rate`, an open loop instead: `rate` sends per second in all, spread over the customers,
 * whatever the answers. `acked()` counts acknowledgements; `stop()` ends the loop and closes the sockets.
 */
export async function sendLoop(ports: readonly number[], shopIds: readonly string[], depth: number, rate?: number) {
  let acked = 0;
  let running = true;
  const sockets: WebSocket[] = [];
  const starters = await Promise.all(
    shopIds.map(async (shopId, i) => {
      const port = ports[i % ports.length]!;
      const session = await post(port, '/widget/sessions', { shopId });
      const conversationId = session.conversation.id as string;
      const send = () => {
        if (running) ws.send(JSON.stringify({ type: 'send', conversationId, clientMsgId: randomUUID(), text: 'x'.repeat(100) }));
      };
      const ws = await socket(port, session.token, (frame) => {
        if (frame.type === 'ack') {
          acked += 1;
          if (rate === undefined) send();
        } else if (frame.type === 'error') {
          throw new Error(`refused: ${JSON.stringify(frame)}`);
        }
      });
      sockets.push(ws);
      return { start: () => Array.from({ length: depth }, send), send };
    }),
  );
  let ticker: ReturnType<typeof setInterval> | null = null;
  if (rate === undefined) {
    starters.forEach((customer) => customer.start());
  } else {
    // Every 10 ms, the sends due since the start, round robin over the customers.
    const t0 = performance.now();
    let sent = 0;
    ticker = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) * rate) / 1000);
      for (; sent < due; sent++) starters[sent % starters.length]!.send();
    }, 10);
  }
  return {
    acked: () => acked,
    async stop(): Promise<void> {
      running = false;
      if (ticker) clearInterval(ticker);
      // Let the last answers come in before the sockets go.
      await new Promise((resolve) => setTimeout(resolve, 300));
      sockets.forEach((ws) => ws.close());
    },
  };
}
