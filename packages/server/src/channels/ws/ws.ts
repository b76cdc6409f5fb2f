import { WebSocketServer, type WebSocket } from 'ws';
import { readJson } from '../sockets/frame-schema.ts';
import type { Gateway, Logger } from '../sockets/gateway.ts';
import type { Outgoing } from '../sockets/outgoing.ts';

/**
 * The JSON WebSocket channel at /ws (docs/protocol.md): text frames in, parsed and handed to the
 * connection core; frames out as the JSON text the hub serialised once for every recipient.
 */
export function wsChannel(gateway: Gateway, options: { readonly maxFrameBytes: number }, log: Logger) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false });

  function accept(ws: WebSocket, origin: string | null): void {
    const session = gateway.attach(
      {
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        send: (out: Outgoing) => ws.send(out.text),
        close: (code, reason) => ws.close(code, reason),
        terminate: () => ws.terminate(),
      },
      origin,
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        session.connection.lastSeen = Date.now();
        return session.connection.error('VALIDATION_FAILED', 'Frames are JSON text; binary is spoken on /sub.');
      }
      session.receive(readJson(data.toString()));
    });
    ws.on('close', () => session.closed());
    ws.on('error', (error) => {
      // Oversized frames arrive here (ws closes with 1009 itself); anything else is logged.
      if (!/max payload/i.test(error.message)) log.warn({ err: error }, 'websocket error');
    });
  }

  const channel = {
    upgrade: gateway.upgradeTo(wss, accept),
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
  gateway.addChannel(channel);
  return channel;
}
