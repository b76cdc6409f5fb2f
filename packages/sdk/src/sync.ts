import type { Message, SyncFrame, SyncResultFrame } from '@frontdesk/protocol';
import type { Backoff } from './backoff.ts';
import { FrontdeskError } from './errors.ts';
import { unref, type Timer } from './timers.ts';

export interface SyncSummary {
  /** Missed messages that were new to this client (duplicates are not counted). */
  readonly messages: number;
  /** `sync` round trips; more than one when the server said `hasMore`. */
  readonly pages: number;
  /**
   * The client had no token of its own (first connect: it starts from the position the server
   * announced at auth; or the server rejected the stored token): load anything older with `history()`.
   */
  readonly baseline: boolean;
  /** The stored token was rejected with INVALID_SYNC_TOKEN and dropped. */
  readonly tokenRejected: boolean;
}

export interface SyncPort {
  request(frame: Omit<SyncFrame, 'id'>): Promise<SyncResultFrame>;
  /** Hands a message to the de-duplicated delivery path; true when it was new. */
  deliver(message: Message): boolean;
  /** Identifies the current connection; a run belongs to one. */
  connection(): number;
  isOpen(): boolean;
  synced(summary: SyncSummary): void;
  error(error: FrontdeskError): void;
}

export interface SyncOptions {
  readonly token: string | null;
  readonly onToken: ((token: string) => void) | undefined;
  readonly pageSize: number | undefined;
  /** Delays between attempts after a failed sync on a live connection. */
  readonly backoff: Backoff;
}

/** Runs the sync after each auth (and on demand), one run per connection, retrying on failure. */
export class SyncRunner {
  readonly #port: SyncPort;
  readonly #options: SyncOptions;
  #token: string | null;
  /** The token is the server's position at auth, not one this client reached by syncing. */
  #fromAuth = false;
  #running: { readonly connection: number; readonly run: Promise<SyncSummary> } | null = null;
  #retry: Timer | null = null;

  constructor(port: SyncPort, options: SyncOptions) {
    this.#port = port;
    this.#options = options;
    this.#token = options.token;
  }

  /** Where the last completed page stopped. */
  get token(): string | null {
    return this.#token;
  }

  /** The server's position at auth: kept only by a client that has no token yet. */
  baseline(token: string | undefined): void {
    if (this.#token !== null || token === undefined) return;
    this.#token = token;
    this.#fromAuth = true;
    this.#options.onToken?.(token);
  }

  /** Catches up now; calls while a run is under way on the same connection share it. */
  run(): Promise<SyncSummary> {
    const connection = this.#port.connection();
    if (this.#running !== null && this.#running.connection === connection) return this.#running.run;
    const forget = () => {
      if (this.#running?.run === run) this.#running = null;
    };
    const run = syncAll({
      request: (frame) => this.#port.request(frame),
      deliver: (message) => this.#port.deliver(message),
      token: () => this.#token,
      fromAuth: () => this.#fromAuth,
      setToken: (token) => {
        this.#token = token;
        this.#fromAuth = false;
        if (token !== null) this.#options.onToken?.(token);
      },
      pageSize: this.#options.pageSize,
    }).then(
      (summary) => {
        forget();
        this.#options.backoff.reset();
        this.#port.synced(summary);
        return summary;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    );
    this.#running = { connection, run };
    return run;
  }

  /** The sync after an auth: errors are reported and the run retried while the connection lives. */
  auto(): void {
    const connection = this.#port.connection();
    this.run().catch((error: unknown) => {
      // A lost connection syncs again after the next auth.
      if (this.#port.connection() !== connection || !this.#port.isOpen()) return;
      this.#port.error(error instanceof FrontdeskError ? error : new FrontdeskError('INTERNAL', String(error)));
      this.#retry = unref(
        setTimeout(() => {
          this.#retry = null;
          if (this.#port.connection() === connection && this.#port.isOpen()) this.auto();
        }, this.#options.backoff.next()),
      );
    });
  }

  /** The connection is gone: no retry, and the next run starts afresh. */
  stop(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#running = null;
  }
}

interface SyncAllPort {
  request(frame: Omit<SyncFrame, 'id'>): Promise<SyncResultFrame>;
  deliver(message: Message): boolean;
  token(): string | null;
  fromAuth(): boolean;
  setToken(token: string | null): void;
  readonly pageSize: number | undefined;
}

/**
 * "What did I miss?" (DESIGN.md §3): sync from the stored token until the server has nothing more,
 * delivering every page before storing the token that follows it, so a crash in between replays the
 * page (duplicates are dropped) rather than losing it.
 */
async function syncAll(port: SyncAllPort): Promise<SyncSummary> {
  let pages = 0;
  let delivered = 0;
  let tokenRejected = false;
  let baseline = port.token() === null || port.fromAuth();
  for (;;) {
    const token = port.token();
    let result: SyncResultFrame;
    try {
      result = await port.request({
        type: 'sync',
        ...(token !== null && { token }),
        ...(port.pageSize !== undefined && { limit: port.pageSize }),
      });
    } catch (error) {
      if (error instanceof FrontdeskError && error.code === 'INVALID_SYNC_TOKEN' && token !== null) {
        // A token from another user, server or format: start over from the current position.
        port.setToken(null);
        tokenRejected = baseline = true;
        continue;
      }
      throw error;
    }
    pages += 1;
    for (const message of result.messages) if (port.deliver(message)) delivered += 1;
    port.setToken(result.token);
    if (!result.hasMore) return { messages: delivered, pages, baseline, tokenRejected };
    if (result.token === token) throw new FrontdeskError('INTERNAL', 'The server said hasMore without moving the sync token.');
  }
}
