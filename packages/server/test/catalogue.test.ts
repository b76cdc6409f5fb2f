import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { errorCatalogue, errorCodes } from '@frontdesk/protocol';
import { canTransition, decideMerge, inquiryTransitions } from '../src/domain/inquiry-states.ts';

describe('error catalogue', () => {
  const doc = fs.readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

  test('docs/errors.md lists every code with its HTTP status and close code', () => {
    for (const code of errorCodes) {
      const spec = errorCatalogue[code];
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` `));
      assert.ok(row, `${code} is missing from docs/errors.md`);
      assert.match(row, new RegExp(`\\| ${spec.status} \\|`), `${code}: HTTP status in docs/errors.md`);
      if ('close' in spec) assert.match(row, new RegExp(`\\| ${spec.close} \\|`), `${code}: close code in docs/errors.md`);
    }
  });

  test('docs/errors.md names no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` /gm)].map((m) => m[1]);
    assert.deepEqual(documented.filter((code) => !(code! in errorCatalogue)), []);
  });

  test('statuses are HTTP error statuses; close codes are in the ranges RFC 6455 allows', () => {
    for (const code of errorCodes) {
      const spec: { status: number; close?: number } = errorCatalogue[code];
      assert.ok(spec.status >= 400 && spec.status < 600, code);
      if (spec.close !== undefined) assert.ok([1009, 1011, 1012, 1013].includes(spec.close) || (spec.close >= 4000 && spec.close < 5000), code);
    }
  });
});

describe('inquiry states', () => {
  test('the table allows exactly the documented transitions', () => {
    assert.deepEqual(inquiryTransitions, {
      queued: ['assigned', 'closed'],
      assigned: ['assigned', 'queued', 'closed'],
      closed: [],
    });
    assert.equal(canTransition('queued', 'assigned'), true);
    assert.equal(canTransition('assigned', 'queued'), true, 'transfer back to the queue');
    assert.equal(canTransition('closed', 'queued'), false, 'a closed inquiry never reopens: a new one is opened');
    assert.equal(canTransition('queued', 'queued'), false);
  });

  test('a visitor folded into a customer: one open inquiry stands, the other is closed through the table', () => {
    const queued = { status: 'queued', assigneeId: null } as const;
    const assigned = { status: 'assigned', assigneeId: 'agent' } as const;
    const closed = { status: 'closed', assigneeId: 'agent' } as const;
    const outcome = (visitor: Parameters<typeof decideMerge>[0], customer: Parameters<typeof decideMerge>[1]) => {
      const d = decideMerge(visitor, customer);
      return [d.keep, d.close?.side ?? null, d.close?.move.from.status ?? null, d.close?.move.to.status ?? null];
    };
    assert.deepEqual(outcome(assigned, queued), ['visitor', 'customer', 'queued', 'closed'], 'an agent already talking wins');
    assert.deepEqual(outcome(queued, queued), ['customer', 'visitor', 'queued', 'closed'], 'between equals the customer’s stands');
    assert.deepEqual(outcome(assigned, assigned), ['customer', 'visitor', 'assigned', 'closed']);
    assert.deepEqual(outcome(queued, assigned), ['customer', 'visitor', 'queued', 'closed']);
    assert.deepEqual(outcome(queued, null), ['visitor', null, null, null], 'the visitor’s alone moves along');
    assert.deepEqual(outcome(closed, queued), ['customer', null, null, null]);
    assert.deepEqual(outcome(null, null), ['customer', null, null, null]);
  });
});
