import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The verification docs/webhooks.md gives receivers, copied as written there: the tests check
 * deliveries the way a receiver would.
 */
export function verifyWebhook(secret: string, headers: http.IncomingHttpHeaders, rawBody: string, toleranceSeconds = 300): boolean {
  const timestamp = Number(headers['x-frontdesk-timestamp']);
  const signature = String(headers['x-frontdesk-signature'] ?? '');
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly json: { id: string; event: string; createdAt: string; shopId: string; data: any };
  /** What the receiver answered (0 = it never did). */
  status: number;
}

/** How the receiver answers a request: a status, a redirect, or never. */
export type Answer = { status: number; location?: string } | 'hang';

/** A real HTTP server on 127.0.0.1 that records every request it gets. */
export class Receiver {
  readonly requests: Received[] = [];
  answer: (request: Received) => Answer = () => ({ status: 200 });
  port = 0;
  #server: http.Server | null = null;
  readonly #hanging = new Set<http.ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0 = a free one; the same one again after a stop). */
  async start(port = this.port): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const received: Received = { path: request.url ?? '', headers: request.headers, body, json: JSON.parse(body), status: 0 };
        this.requests.push(received);
        const answer = this.answer(received);
        if (answer === 'hang') {
          this.#hanging.add(response);
          return;
        }
        received.status = answer.status;
        response.writeHead(answer.status, answer.location ? { location: answer.location } : {}).end('receiver says hi');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Down: the port refuses connections, open ones are cut. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Requests for one event, by its id. */
  of(eventId: string): Received[] {
    return this.requests.filter((r) => r.json.id === eventId);
  }
}
