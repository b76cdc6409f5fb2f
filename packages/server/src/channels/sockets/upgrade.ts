import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorCatalogue, type ErrorCode } from '@frontdesk/protocol';

/** Answers an upgrade request with a plain HTTP error in the catalogue's shape, then hangs up. */
export function refuseUpgrade(socket: Duplex, code: ErrorCode, message?: string): void {
  const status = errorCatalogue[code].status;
  const body = JSON.stringify({ error: { code, message: message ?? errorCatalogue[code].message } });
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${code}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** One `upgrade` listener for the server: a handler per path, 404 for the rest. */
export function upgradeRouter(routes: ReadonlyMap<string, UpgradeHandler>): UpgradeHandler {
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const handler = routes.get(path);
    if (!handler) refuseUpgrade(socket, 'ROUTE_NOT_FOUND');
    else handler(request, socket, head);
  };
}
