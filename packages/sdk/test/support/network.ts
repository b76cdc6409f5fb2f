import WebSocket from 'ws';
import type { WebSocketConstructor, WebSocketLike } from '../../src/index.ts';

/** A port nothing listens on: connecting there fails at once, like a network that is down. */
const UNREACHABLE = 'ws://127.0.0.1:1/ws';

/**
 * Real `ws` sockets with a hand on the wire: go offline, cut a socket abruptly, or make one a black
 * hole that neither delivers nor sends, the way a dead NAT mapping behaves.
 */
export class TestNetwork {
  readonly sockets: TestSocket[] = [];
  offline = false;

  /** The constructor to pass as the client's `WebSocket` option. */
  get WebSocket(): WebSocketConstructor {
    const network = this;
    return class extends TestSocket {
      constructor(url: string) {
        super(network.offline ? UNREACHABLE : url);
        network.sockets.push(this);
      }
    };
  }

  get latest(): TestSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  /** Like a cable pulled: no close frame, the peer finds out when TCP does. */
  terminateLatest(): void {
    this.latest.terminate();
  }
}

export class TestSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Frames received and sent, as text, for assertions. */
  readonly received: string[] = [];
  readonly sent: string[] = [];
  readonly url: string;
  /** Incoming frames for which this returns true are lost on the way (an ack that never arrives). */
  dropIncoming: (frame: { type: string }) => boolean = () => false;
  #ws: WebSocket;
  #muted = false;

  constructor(url: string) {
    this.url = url;
    this.#ws = new WebSocket(url);
    this.#ws.on('open', () => this.onopen?.({}));
    this.#ws.on('message', (data, isBinary) => {
      if (this.#muted) return;
      const text = isBinary ? '' : data.toString();
      if (this.dropIncoming(JSON.parse(text) as { type: string })) return;
      this.received.push(text);
      this.onmessage?.({ data: text });
    });
    this.#ws.on('close', (code, reason) => {
      if (!this.#muted) this.onclose?.({ code, reason: reason.toString() });
    });
    this.#ws.on('error', (error) => this.onerror?.(error));
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  send(data: string): void {
    if (this.#muted) return;
    this.sent.push(data);
    this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    // A black hole never answers the closing handshake; do not wait 30 s for it.
    if (this.#muted) this.#ws.terminate();
    else this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  /** Nothing flows either way any more, not even the close: only a heartbeat can tell. */
  mute(): void {
    this.#muted = true;
  }
}
