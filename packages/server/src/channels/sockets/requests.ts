import type { ClientFrame } from '@frontdesk/protocol';
import { AppError } from '../../domain/errors.ts';
import { presentMessage } from '../../domain/present.ts';
import type { Services } from '../../domain/services.ts';
import type { Connection } from './connection.ts';
import type { GatewayOptions } from './gateway.ts';

/**
 * What an authenticated connection asks of the core, frame by frame (everything after `auth`, which
 * the gateway handles): each frame becomes one domain call, and its reply goes back on the connection.
 */
export function requestHandler(services: Services, options: GatewayOptions) {
  return async function dispatch(connection: Connection, frame: Exclude<ClientFrame, { type: 'auth' }>): Promise<void> {
    const principal = connection.principal!;
    const id = frame.id;
    switch (frame.type) {
      case 'ping':
        return connection.send({ type: 'pong', ...(id !== undefined && { id }) });
      case 'send': {
        const arrived = performance.now();
        await services.messages.send(
          principal,
          {
            conversationId: frame.conversationId,
            clientMsgId: frame.clientMsgId,
            contentType: frame.contentType,
            text: frame.text,
            attachmentId: frame.attachmentId,
            visibility: frame.visibility,
            mentions: frame.mentions,
          },
          {
            originConnectionId: connection.id,
            onCommitted: ({ message }) => {
              connection.send({ type: 'ack', ...(id !== undefined && { id }), clientMsgId: frame.clientMsgId, message: presentMessage(message) });
              options.onSendAcked?.((performance.now() - arrived) / 1000);
            },
          },
        );
        return;
      }
      case 'read': {
        const cursor = await services.conversations.markRead(principal, frame.conversationId, frame.seq, connection.id);
        return connection.send({
          type: 'read',
          ...(id !== undefined && { id }),
          conversationId: frame.conversationId,
          userId: connection.userId!,
          seq: cursor.readSeq,
        });
      }
      case 'typing':
        if (connection.admitTyping(frame.conversationId)) await services.conversations.typing(principal, frame.conversationId);
        return;
      case 'sync': {
        const page = await services.sync.sync(principal, frame.token, frame.limit);
        return connection.send({
          type: 'sync.result',
          ...(id !== undefined && { id }),
          messages: page.messages.map(presentMessage),
          token: page.token,
          hasMore: page.hasMore,
        });
      }
      case 'presence': {
        connection.away = frame.status === 'away';
        await services.routing.deviceAway(principal, connection.id, connection.away);
        return connection.send({ type: 'presence', ...(id !== undefined && { id }), userId: connection.userId!, status: frame.status });
      }
      // The figures now, as the reply; then every few seconds from the operations job (jobs/operations-push.ts).
      case 'operations.subscribe': {
        if (!options.operations) throw new AppError('ROUTE_NOT_FOUND');
        const operations = await options.operations.read(principal);
        connection.watchesOperations = true;
        return connection.send({ type: 'operations', ...(id !== undefined && { id }), operations });
      }
      case 'operations.unsubscribe':
        connection.watchesOperations = false;
        return connection.send({ type: 'pong', ...(id !== undefined && { id }) });
      case 'history': {
        const page = await services.messages.history(principal, frame.conversationId, {
          ...(frame.beforeSeq !== undefined && { beforeSeq: frame.beforeSeq }),
          ...(frame.afterSeq !== undefined && { afterSeq: frame.afterSeq }),
          ...(frame.limit !== undefined && { limit: frame.limit }),
        });
        return connection.send({
          type: 'history.result',
          ...(id !== undefined && { id }),
          conversationId: frame.conversationId,
          items: page.items.map(presentMessage),
          hasMore: page.hasMore,
        });
      }
    }
  };
}
