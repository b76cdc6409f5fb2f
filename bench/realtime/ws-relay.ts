/**
 * Baseline (a) of the realtime bench: a bare `ws` server that stores nothing.
 *
 *   node bench/realtime/ws-relay.ts [--port N]
 *
 * Sockets pair up as pair-relay.ts says. Every later text frame from a customer is forwarded
 * unchanged to its pair's agent, and the customer gets `{"type":"ack","id","clientMsgId"}` back —
 * the same shape of exchange as Frontdesk's send → ack + push, minus authentication, validation and
 * the database. Prints `listening <port>` once ready.
 */
import { parseArgs } from 'node:util';
import { servePairs } from './pair-relay.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

servePairs({
  port: Number(values.port),
  onNewPair: () => null,
  onSend(slot, customer, data) {
    // The ack needs the request's id; the agent gets the frame as it came.
    let frame: { id?: unknown; clientMsgId?: unknown };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    slot.agent?.send(data, { binary: false });
    customer.send(JSON.stringify({ type: 'ack', id: frame.id, clientMsgId: frame.clientMsgId }));
  },
});
