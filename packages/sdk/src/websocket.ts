/**
 * The slice of the standard WebSocket API the SDK uses, so that the browser's WebSocket, Node's
 * global one (22+) and the `ws` package all fit without adapters.
 */
// Handlers are compared bivariantly, as DOM typings do, so that implementations whose event
// classes carry more fields (MessageEvent, CloseEvent) still fit.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const OPEN = 1;

export function defaultWebSocket(): WebSocketConstructor {
  const ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (ctor === undefined) {
    throw new TypeError('No global WebSocket here (Node < 22?): pass one as the `WebSocket` option, e.g. from the `ws` package.');
  }
  return ctor;
}

/** Text of a message event; binary frames are not part of the /ws protocol. */
export function frameText(data: unknown): string | null {
  if (typeof data === 'string') return data;
  // The `ws` package hands text frames over as strings too; anything else is a protocol error.
  return null;
}
