import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { type ClientFrame, type Operations, type RequestId } from '@frontdesk/protocol';
import type { Bus } from '../../fanout/bus.ts';
import type { Config } from '../../config/config.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/records.ts';
import type { Services } from '../../domain/services.ts';
import { Connection, type Transport } from './connection.ts';
import { localConnectionLimit, type ConnectionLimit } from './connection-limit.ts';
import { echoOf, validateClientFrame } from './frame-schema.ts';
import { Hub } from './hub.ts';
import type { originPolicy } from './origins.ts';
import { isStorageUnavailable } from '../../storage/unavailable.ts';
import { refuseUpgrade, type UpgradeHandler } from './upgrade.ts';
import { requestHandler } from './requests.ts';

export type GatewayOptions = Config['ws'] & {
  /** A socket send's time from its frame's arrival to its ack (the node's metrics). */
  readonly onSendAcked?: (seconds: number) => void;
  /** The operations dashboard's figures (observability/operations.ts); refuses all but owners and admins. */
  readonly operations?: { read(principal: Principal): Promise<Operations> };
};

export interface Logger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

const REVERIFY_MS = 60_000;
/** After a re-check the database could not answer. */
const REVERIFY_RETRY_MS = 10_000;
const TYPING_INTERVAL_MS = 2_000;
/** At shutdown, how long frames in flight may take to finish. */
const DRAIN_MS = 10_000;

/** What a channel adds to the core's auth: run once the principal is known, before the connection joins the hub. */
export interface SessionHooks {
  /** A channel's own credential (a signed goim token) as a Frontdesk token; throws an AppError to refuse it. */
  exchangeToken?(credential: string): Promise<string>;
  /** Throws an AppError to refuse the connection (its code closes it). */
  authenticated?(connection: Connection, principal: Principal): Promise<void>;
}

/** A client connection as a channel adapter holds it (channels/ws, channels/goim). */
export interface Session {
  readonly connection: Connection;
  receive(value: unknown): void;
  closed(): void;
}

/**
 * The connection core every socket channel shares (docs/protocol.md): upgrade policy (origins, no
 * token in the URL), auth, limits, frame dispatch into domain calls, liveness and session
 * re-checks, and delivery of the bus's events to this node's sockets. It only translates frames
 * into domain calls and events into frames; the rules live in domain/. Channels (channels/ws at
 * /ws, channels/goim at /sub and TCP) turn their wire format into frame values and back.
 */
export function createGateway(
  services: Services,
  bus: Bus,
  origins: ReturnType<typeof originPolicy>,
  options: GatewayOptions,
  log: Logger,
  /** Counts a user's connections: on this node, or on every node of a cluster. */
  limit: ConnectionLimit = localConnectionLimit(),
) {
  const hub = new Hub();
  const pending = new Set<Connection>();
  const arrivals = new WeakMap<Connection, Promise<void>>();
  const channels: Array<{ close(): Promise<void> }> = [];
  let accepting = true;

  const unsubscribe = bus.subscribe((event) => hub.deliver(event));
  const sweep = setInterval(checkLiveness, Math.min(options.heartbeatMs, 5_000));
  sweep.unref();

  /** The upgrade to a WebSocket on one path: same token and Origin rules everywhere. */
  const upgradeTo = (server: WebSocketServer, onSocket: (ws: WebSocket, origin: string | null) => void): UpgradeHandler => (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!accepting) return refuseUpgrade(socket, 'SERVICE_UNAVAILABLE');
    // Tokens never travel in URLs, where proxies and logs keep them.
    if (/[?&](token|access_token)=/i.test(request.url ?? '')) {
      return refuseUpgrade(socket, 'VALIDATION_FAILED', 'Send the token in the auth frame, never in the URL.');
    }
    const header = typeof request.headers.origin === 'string' ? request.headers.origin : null;
    // Our own pages (the widget iframe, the console, /demo) are served by this server: an Origin
    // naming the host the request was sent to is ours, whatever PUBLIC_URL says (127.0.0.1 vs
    // localhost). They are then judged by their token alone, like clients that send no Origin.
    const origin = header !== null && sameHost(header, request.headers.host) ? null : header;
    origins.mayUpgrade(origin).then(
      (allowed) => {
        server.handleUpgrade(request, socket, head, (ws) => {
          // Refused with a close code rather than an HTTP status: a browser sees only 1006 for the
          // latter and would retry for ever; 4004 tells it to stop.
          if (!allowed) ws.close(4004, 'ORIGIN_NOT_ALLOWED');
          else onSocket(ws, origin);
        });
      },
      (error: unknown) => {
        log.error({ err: error }, 'origin check failed');
        refuseUpgrade(socket, isStorageUnavailable(error) ? 'STORAGE_UNAVAILABLE' : 'INTERNAL');
      },
    );
  };

  /**
   * A client connection whatever channel it speaks: `receive` takes each frame as a value (/ws
   * parses its JSON text, goim makes the value from a packet), `closed` when the link is gone.
   */
  function attach(transport: Transport, origin: string | null, hooks: SessionHooks = {}): Session {
    const connection = new Connection(transport, origin, {
      ratePerSecond: options.ratePerSecond,
      rateBurst: options.rateBurst,
      maxBufferedBytes: options.maxBufferedBytes,
      typingIntervalMs: TYPING_INTERVAL_MS,
    });
    pending.add(connection);
    const authTimer = setTimeout(() => {
      if (connection.principal === null) connection.close('AUTH_TIMEOUT');
    }, options.authTimeoutMs);
    authTimer.unref();

    return {
      connection,
      receive(value: unknown): void {
        connection.lastSeen = Date.now();
        const frame = value instanceof AppError ? value : validateClientFrame(value);
        // Liveness never waits on the database: a ping is answered at once, not behind a send that
        // waits for a lock or an unreachable database.
        if (!(frame instanceof AppError) && frame.type === 'ping' && connection.principal !== null && !connection.closed) {
          return connection.send({ type: 'pong', ...(frame.id !== undefined && { id: frame.id }) });
        }
        // handle() answers every failure it knows; anything else is logged, never left to crash the process.
        connection.enqueue(() =>
          handle(connection, value, frame, hooks).catch((error: unknown) => {
            log.error({ err: error }, 'frame handling failed');
            connection.close('INTERNAL');
          }),
        );
      },
      closed(): void {
        clearTimeout(authTimer);
        connection.markClosed();
        pending.delete(connection);
        const wasAuthenticated = hub.remove(connection);
        const principal = connection.principal;
        if (connection.counted) limit.release(connection.userId!);
        if (wasAuthenticated && principal?.kind === 'staff') {
          // After the device was recorded, never before: a quick close must not leave it behind.
          void (arrivals.get(connection) ?? Promise.resolve())
            .then(() => services.routing.deviceDisconnected(principal, connection.id))
            .catch((error: unknown) => log.warn({ err: error }, 'presence update failed'));
        }
      },
    };
  }

  async function handle(connection: Connection, value: unknown, frame: ClientFrame | AppError, hooks: SessionHooks): Promise<void> {
    if (connection.closed) return;
    if (frame instanceof AppError) {
      if (connection.principal === null) return connection.close('AUTH_REQUIRED');
      const echo = echoOf(value);
      return connection.error(frame.code, frame.details?.join('; ') ?? frame.message, echo.id, echo.clientMsgId);
    }
    if (connection.principal === null) {
      if (frame.type !== 'auth') return connection.close('AUTH_REQUIRED');
      return authenticate(connection, frame.token, frame.id, hooks);
    }
    if (frame.type === 'auth') return connection.error('VALIDATION_FAILED', 'This connection is authenticated already.', frame.id);
    // Every refusal of a send names its clientMsgId, so the client knows which bubble it is about.
    const clientMsgId = frame.type === 'send' ? frame.clientMsgId : undefined;
    if (frame.type !== 'ping' && !connection.admit()) return connection.error('RATE_LIMITED', undefined, frame.id, clientMsgId);
    try {
      await dispatch(connection, frame);
    } catch (error) {
      if (error instanceof AppError) return connection.error(error.code, error.message, frame.id, clientMsgId);
      if (isStorageUnavailable(error)) {
        log.warn({ err: error, frame: frame.type }, 'frame failed: database unavailable');
        return connection.error('STORAGE_UNAVAILABLE', undefined, frame.id, clientMsgId);
      }
      log.error({ err: error, frame: frame.type }, 'frame failed');
      connection.error('INTERNAL', undefined, frame.id, clientMsgId);
    }
  }

  async function authenticate(connection: Connection, credential: string, id: RequestId | undefined, hooks: SessionHooks): Promise<void> {
    try {
      const token = hooks.exchangeToken ? await hooks.exchangeToken(credential) : credential;
      const principal = await services.auth.authenticate(token);
      if (!(await origins.mayAuthenticate(connection.origin, principal))) return connection.close('ORIGIN_NOT_ALLOWED');
      connection.principal = principal;
      connection.token = token;
      // Spread the first re-check over a minute so that connections opened together drift apart.
      connection.lastVerified = Date.now() - Math.floor(Math.random() * REVERIFY_MS);
      const userId = connection.userId!;
      if (!(await limit.acquire(userId, options.maxConnectionsPerUser))) return connection.close('TOO_MANY_CONNECTIONS');
      // Closed while it was counted: 'closed' ran before `counted` was set, so the release is here.
      if (connection.closed) return limit.release(userId);
      connection.counted = true;
      await hooks.authenticated?.(connection, principal);
      if (connection.closed) return;
      // The baseline is taken before the connection joins the hub: what it misses from here on, a
      // sync with this token returns.
      const baseline = await services.sync.sync(principal, undefined);
      if (connection.closed) return;
      pending.delete(connection);
      hub.add(connection);
      connection.send({
        type: 'auth.ok',
        ...(id !== undefined && { id }),
        user:
          principal.kind === 'staff'
            ? { kind: 'staff', id: principal.staff.id, shopId: principal.staff.shopId, name: principal.staff.name }
            : { kind: 'customer', id: principal.customer.id, shopId: principal.shopId, name: principal.customer.name },
        heartbeatMs: options.heartbeatMs,
        maxFrameBytes: options.maxFrameBytes,
        rateLimit: { perSecond: options.ratePerSecond, burst: options.rateBurst },
        syncToken: baseline.token,
      });
      // Not awaited: the connection's next frames (its first sync above all) must not wait behind the
      // presence transaction. A disconnect waits for it instead (see 'close').
      arrivals.set(
        connection,
        arrived(connection, principal).catch((error: unknown) => log.warn({ err: error }, 'presence update failed')),
      );
    } catch (error) {
      if (error instanceof AppError) return connection.close(error.code);
      if (isStorageUnavailable(error)) {
        log.warn({ err: error }, 'auth failed: database unavailable');
        return connection.close('STORAGE_UNAVAILABLE');
      }
      log.error({ err: error }, 'auth failed');
      connection.close('INTERNAL');
    }
  }

  /** Staff: the device counts for presence. Customers: where they stand in the queue, if they wait. */
  async function arrived(connection: Connection, principal: Principal): Promise<void> {
    if (principal.kind === 'staff') return services.routing.deviceConnected(principal, connection.id);
    if (principal.shopId === null) return;
    // A (re)connection is a visit: the contact's last seen and channel move (never per message).
    await services.contacts.seen(principal, connection.transport.startsWith('goim') ? 'goim' : 'web');
    const conversations = await services.conversations.list(principal, { limit: 1 });
    for (const conversation of conversations.items) {
      if (conversation.status !== 'queued' || conversation.shopId !== principal.shopId) continue;
      const position = await services.routing.queuePosition(principal, conversation.id);
      if (position !== null) connection.send({ type: 'queue', conversationId: conversation.id, position });
    }
  }

  const dispatch = requestHandler(services, options);

  /**
   * Silent connections are closed; long-lived ones re-check their session (logout, disabled
   * account). Each connection's re-check falls at its own random moment of the minute, and a session
   * shared by several connections is checked once for all of them, so thousands of connections
   * opened together never re-check together.
   */
  function checkLiveness(): void {
    const now = Date.now();
    const due = new Map<string, Connection[]>();
    for (const connection of hub.connections()) {
      if (now - connection.lastSeen > (connection.heartbeatLimitMs ?? 2 * options.heartbeatMs)) {
        connection.close('HEARTBEAT_TIMEOUT');
        continue;
      }
      if (connection.token !== null && now >= connection.lastVerified + REVERIFY_MS) {
        connection.lastVerified = now + Math.floor(Math.random() * REVERIFY_MS * 0.2);
        const sharing = due.get(connection.token);
        if (sharing) sharing.push(connection);
        else due.set(connection.token, [connection]);
      }
    }
    for (const [token, connections] of due) {
      services.auth.authenticate(token).then(
        (principal) => connections.forEach((c) => (c.principal = principal)),
        (error: unknown) => {
          // Only a definite answer (revoked, expired, disabled) ends the connections. A database
          // that cannot answer says nothing about the session: keep them and ask again soon.
          if (error instanceof AppError) return connections.forEach((c) => c.close(error.code));
          log.warn({ err: error }, 'session re-check failed; retrying');
          const retryAt = Date.now() + REVERIFY_RETRY_MS - REVERIFY_MS;
          connections.forEach((c) => (c.lastVerified = Math.min(c.lastVerified, retryAt)));
        },
      );
    }
  }

  return {
    hub,
    attach,
    upgradeTo,
    /** A channel's listeners, closed with the gateway once its connections have drained. */
    addChannel(channel: { close(): Promise<void> }): void {
      channels.push(channel);
    },
    /** Records this node's staff devices again (other nodes took it for dead and may have dropped them). */
    restoreDevices(): Promise<void> {
      const restores = [...hub.connections()].map((connection) => {
        const principal = connection.principal;
        if (connection.closed || principal?.kind !== 'staff') return Promise.resolve();
        // In line with the connection's other presence writes: a disconnect waits for this one, and
        // one that came first is seen here, so no device is written back after its socket closed.
        const restored = (arrivals.get(connection) ?? Promise.resolve()).then(() =>
          connection.closed ? undefined : services.routing.deviceRestored(principal, connection.id, connection.away),
        );
        arrivals.set(connection, restored.catch((error: unknown) => log.warn({ err: error }, 'presence update failed')));
        return restored;
      });
      return Promise.all(restores).then(() => undefined);
    },
    /** Asks every client to reconnect (1012) and so to sync: after this node missed events. */
    resync(): void {
      for (const connection of hub.connections()) connection.close('SERVICE_UNAVAILABLE');
    },
    /** Stops accepting and asks every client to reconnect (elsewhere): close code 1012. */
    async close(): Promise<void> {
      accepting = false;
      clearInterval(sweep);
      unsubscribe();
      const open = [...hub.connections(), ...pending];
      for (const connection of open) connection.close('SERVICE_UNAVAILABLE');
      // Sends in flight finish: committed messages are published before the bus closes, so clients
      // of other nodes hear of them (their senders, reconnected elsewhere, get the ack on resend).
      const drained = Promise.all(open.map((connection) => connection.idle()));
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
      await Promise.all(channels.map((channel) => channel.close()));
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;

function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
