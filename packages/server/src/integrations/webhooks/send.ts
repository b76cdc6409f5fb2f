import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, parseEndpointUrl, resolveHost, type AddressPolicy, type ResolvedAddress } from './address-policy.ts';
import { signedHeaders } from './signature.ts';

/** What one attempt came to; `ok` only for a 2xx. */
export interface Attempt {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/** One attempt to make: everything needed, the secret opened. */
export interface SendItem {
  readonly id: string;
  readonly event: string;
  readonly url: string;
  readonly secret: string;
  readonly payload: string;
  /** Epoch ms after which the attempt is not started (it could not end within its lease). */
  readonly startBy: number;
}

/** What came of an item; `attempted: false` = handed back untried (its lease was running out). */
export interface SendResult {
  readonly id: string;
  readonly attempted: boolean;
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/** Enough of a receiver's error page to tell what went wrong in the delivery log. */
const SNIPPET_BYTES = 200;
/** Connections kept open to one receiving origin (scheme, host and port). */
export const SOCKETS_PER_ORIGIN = 16;
/** An idle connection is closed before the usual keep-alive timeout of a receiver (Node's: 5 s) closes it under us. */
const IDLE_MS = 4_000;
/** Parsed and checked URLs kept; a node has at most 20 per shop, so this only bounds a pathological case. */
const URLS_KEPT = 10_000;

export interface Target {
  readonly url: URL;
  readonly agent: http.Agent;
}

/**
 * Keep-alive connections to the receivers, a pool per origin. Every new connection resolves its host
 * through `resolve`, which refuses any name with a non-public address (DNS may have changed since
 * the endpoint was saved), and connects to a checked address; an open connection stays with the
 * address it was checked for. An IP literal, for which no lookup is made, is checked here.
 */
export function connectionPools(policy: Pick<AddressPolicy, 'allowHttp' | 'allowPrivate'>, resolve: (host: string) => Promise<readonly ResolvedAddress[]>) {
  const agents = new Map<string, http.Agent>();
  const urls = new Map<string, URL>();
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addresses) => (options?.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (error: unknown) => callback(error),
    );
  }) as LookupFunction;
  const noLookup = () => Promise.reject(new Error('an IP literal is not looked up'));

  return {
    /** Where an attempt at `raw` goes; throws AppError WEBHOOK_URL_REFUSED when it may not go anywhere. */
    async target(raw: string): Promise<Target> {
      let url = urls.get(raw);
      if (!url) {
        url = parseEndpointUrl(raw, policy);
        if (isIP(hostOf(url))) await resolveHost(hostOf(url), { allowPrivate: policy.allowPrivate, lookup: noLookup });
        if (urls.size >= URLS_KEPT) urls.clear();
        urls.set(raw, url);
      }
      let agent = agents.get(url.origin);
      if (!agent) {
        const options = { keepAlive: true, maxSockets: SOCKETS_PER_ORIGIN, maxFreeSockets: SOCKETS_PER_ORIGIN, timeout: IDLE_MS, lookup };
        agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
        agents.set(url.origin, agent);
      }
      return { url, agent };
    },
    close(): void {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

export type ConnectionPools = ReturnType<typeof connectionPools>;

/**
 * POSTs a delivery over the origin's pool; follows no redirect (a 3xx is a failure) and gives up
 * after `timeoutMs`, however the time is spent. A kept-alive connection the receiver closed just
 * as it was reused is retried once on a new one: that is no answer from the receiver.
 */
export async function post(target: Target, body: string, headers: () => Record<string, string>, timeoutMs: number): Promise<Attempt> {
  const first = await once(target, body, headers(), timeoutMs);
  return first.stale ? (await once(target, body, headers(), timeoutMs)).attempt : first.attempt;
}

function once(target: Target, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ attempt: Attempt; stale: boolean }> {
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    const done = (attempt: Attempt, stale = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ attempt, stale });
    };
    const request = client.request(
      target.url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: target.agent },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < SNIPPET_BYTES) chunks.push(chunk.subarray(0, SNIPPET_BYTES - kept));
          kept += chunk.length;
        });
        response.on('end', () => {
          if (status >= 200 && status < 300) return done({ ok: true, status, error: null });
          const snippet = Buffer.concat(chunks).toString('utf8').trim();
          const why = status >= 300 && status < 400 ? `redirect to ${response.headers.location ?? '?'} not followed` : `HTTP ${status}`;
          done({ ok: false, status, error: snippet === '' ? why : `${why}: ${snippet}` });
        });
        response.on('error', (error) => done({ ok: false, status, error: error.message }));
        response.on('close', () => done({ ok: false, status, error: 'the connection closed before the answer ended' }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      done({ ok: false, status: null, error: error.message }, stale);
    });
    request.end(body);
  });
}

/**
 * Makes the attempts it is handed: per origin at most SOCKETS_PER_ORIGIN at a time, the others
 * waiting here with their timeout not yet started. Results come back in one call per turn of the
 * event loop, so that they are recorded in batches.
 */
export function sendQueue(pools: ConnectionPools, timeoutMs: number, onResults: (results: readonly SendResult[]) => void) {
  const queues = new Map<string, { active: number; waiting: Array<{ item: SendItem; target: Target }> }>();
  let results: SendResult[] = [];
  let stopped = false;

  function report(result: SendResult): void {
    if (stopped) return;
    if (results.push(result) === 1) {
      setImmediate(() => {
        const batch = results;
        results = [];
        if (!stopped) onResults(batch);
      });
    }
  }

  function pump(origin: string): void {
    const queue = queues.get(origin)!;
    while (queue.active < SOCKETS_PER_ORIGIN && queue.waiting.length > 0 && !stopped) {
      const { item, target } = queue.waiting.shift()!;
      if (Date.now() > item.startBy) {
        report({ id: item.id, attempted: false, ok: false, status: null, error: null });
        continue;
      }
      queue.active += 1;
      const headers = () => signedHeaders(item.secret, item.payload, item, Math.floor(Date.now() / 1000));
      void post(target, item.payload, headers, timeoutMs)
        .then(
          (attempt) => report({ id: item.id, attempted: true, ...attempt }),
          (error: unknown) => report({ id: item.id, attempted: true, ok: false, status: null, error: String(error) }),
        )
        .finally(() => {
          queue.active -= 1;
          pump(origin);
        });
    }
    if (queue.active === 0 && queue.waiting.length === 0) queues.delete(origin);
  }

  async function enqueue(item: SendItem): Promise<void> {
    let target: Target;
    try {
      target = await pools.target(item.url);
    } catch (error) {
      report({ id: item.id, attempted: true, ok: false, status: null, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const origin = target.url.origin;
    let queue = queues.get(origin);
    if (!queue) queues.set(origin, (queue = { active: 0, waiting: [] }));
    queue.waiting.push({ item, target });
    pump(origin);
  }

  return {
    send(items: readonly SendItem[]): void {
      for (const item of items) void enqueue(item);
    },
    /** Drops what waits and cuts what is in flight: none of it is reported (the leases lapse, and they are tried again). */
    async stop(): Promise<void> {
      stopped = true;
      queues.clear();
      pools.close();
    },
  };
}

export type SendQueue = ReturnType<typeof sendQueue>;
