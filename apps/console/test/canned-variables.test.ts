import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandCanned } from '../src/canned-variables.ts';

const context = { customerName: 'Alice', customerEmail: 'alice@example.test', agentName: 'Ann', shopName: 'Corner shop', customerFallback: 'there' };

test('known variables are filled in, with spaces and any case', () => {
  const out = expandCanned('Hi {{customer.name}} ({{ Customer.Email }}), {{agent.name}} of {{shop.name}}', context);
  assert.deepEqual(out, { text: 'Hi Alice (alice@example.test), Ann of Corner shop', unknown: [] });
});

test('a missing value gets its fallback; an unknown variable stays as written and is reported', () => {
  const out = expandCanned('Hi {{customer.name}}{{customer.email}}, order {{order.id}}', { ...context, customerName: '  ', customerEmail: null });
  assert.deepEqual(out, { text: 'Hi there, order {{order.id}}', unknown: ['{{order.id}}'] });
});
