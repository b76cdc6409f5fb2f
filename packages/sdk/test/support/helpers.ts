import type { Message } from '@frontdesk/protocol';
import type { ClientEvents, DisconnectInfo, FrontdeskClient, SyncSummary } from '../../src/index.ts';
import type { TestServer } from '../../../server/test/support/server.ts';

export const wsUrl = (server: TestServer): string => `${server.url.replace('http', 'ws')}/ws`;

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate` holds; fails with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** The next `event` of `client`. */
export function next<E extends keyof ClientEvents>(client: FrontdeskClient, event: E, timeoutMs = 10_000): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for '${String(event)}'`));
    }, timeoutMs);
    const off = client.once(event, (payload) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Everything a client emitted that the tests look at. */
export class Recorder {
  readonly messages: Message[] = [];
  readonly disconnects: DisconnectInfo[] = [];
  readonly synced: SyncSummary[] = [];
  readonly errors: string[] = [];
  readonly states: string[] = [];

  constructor(client: FrontdeskClient) {
    client.on('message', (m) => this.messages.push(m));
    client.on('disconnected', (d) => this.disconnects.push(d));
    client.on('synced', (s) => this.synced.push(s));
    client.on('error', (e) => this.errors.push(e.code));
    client.on('state', (s) => this.states.push(s.state));
  }

  in(conversationId: string): Message[] {
    return this.messages.filter((m) => m.conversationId === conversationId);
  }
}

/** Each key at most once: the list of keys seen more than once. */
export function duplicates(keys: readonly (string | number | null)[]): (string | number | null)[] {
  const seen = new Set<string | number | null>();
  const twice = new Set<string | number | null>();
  for (const key of keys) (seen.has(key) ? twice : seen).add(key);
  return [...twice];
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
