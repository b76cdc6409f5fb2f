import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrontdeskClient, FrontdeskError } from '../src/index.ts';

test('options that could only fail on the wire are refused up front', () => {
  const url = 'ws://127.0.0.1:1/ws';
  assert.throws(() => new FrontdeskClient({ url: 'http://example.test/ws', token: 't' }), TypeError);
  assert.throws(() => new FrontdeskClient({ url, token: '' }), TypeError);
  assert.throws(() => new FrontdeskClient({ url, token: 't', syncPageSize: 501 }), RangeError);
  assert.throws(() => new FrontdeskClient({ url, token: 't', maxInFlight: 0 }), RangeError);
  assert.throws(() => new FrontdeskClient({ url, token: 't', backoff: { initialMs: -1 } }), RangeError);
  const client = new FrontdeskClient({ url, token: 't', syncPageSize: 500 });
  assert.equal(client.state, 'idle');
});

test('send() refuses what the server would refuse for good, before queueing it', () => {
  const client = new FrontdeskClient({ url: 'ws://127.0.0.1:1/ws', token: 't' });
  const refused = (input: Parameters<FrontdeskClient['send']>[0]) =>
    assert.throws(() => client.send(input), (error) => error instanceof FrontdeskError && error.code === 'VALIDATION_FAILED');
  refused({ conversationId: 'c', text: '   ' });
  refused({ conversationId: 'c', text: 'x'.repeat(8001) });
  refused({ conversationId: 'c', text: 'hi', clientMsgId: 'has spaces' });
  refused({ conversationId: '', text: 'hi' });
  assert.deepEqual(client.outbox, []);
  const handle = client.send({ conversationId: 'c', text: 'hi', clientMsgId: 'mine-1' });
  assert.equal(handle.clientMsgId, 'mine-1');
  assert.equal(client.send({ conversationId: 'c', text: 'hi' }).clientMsgId.length, 36);
  assert.equal(client.outbox.length, 2);
  client.close();
});

test('events are typed by name (checked by tsc), and on() returns the remover', () => {
  const client = new FrontdeskClient({ url: 'ws://127.0.0.1:1/ws', token: 't' });
  const states: string[] = [];
  const off = client.on('state', (change) => states.push(`${change.previous}→${change.state}`));
  client.on('message', (message) => message.seq satisfies number);
  client.on('failed', ({ error }) => error.code satisfies string);
  // @ts-expect-error: there is no such event
  client.on('mesage', () => {});
  // @ts-expect-error: a message has no error code
  client.on('message', (message) => message.code);
  client.close();
  off();
  assert.deepEqual(states, ['idle→closed']);
});
