import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CampaignStatus } from '@frontdesk/protocol';
import { campaignMove, campaignTransitions, editableStatuses, type CampaignAction } from '../src/domain/campaigns/states.ts';
import { AppError } from '../src/domain/errors.ts';
import { tokenBucket } from '../src/domain/campaigns/throttle.ts';
import { urlMatches } from '../src/domain/campaigns/ongoing.ts';

const statuses: readonly CampaignStatus[] = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'];
const actions = Object.keys(campaignTransitions) as CampaignAction[];

/** The campaign transition table (domain/campaigns/states.ts): every action from every status, both kinds. */
describe('campaign transitions', () => {
  test('every move the table allows goes where it says; every other is CAMPAIGN_INVALID_TRANSITION', () => {
    for (const action of actions) {
      for (const status of statuses) {
        const attempt = () => campaignMove(action, 'one_off', status, 1_000);
        if (campaignTransitions[action].from.includes(status)) {
          const move = attempt();
          assert.equal(move.to, campaignTransitions[action].to, `${action} from ${status}`);
          assert.deepEqual(move.from, campaignTransitions[action].from);
        } else {
          assert.throws(attempt, (error: unknown) => error instanceof AppError && error.code === 'CAMPAIGN_INVALID_TRANSITION', `${action} from ${status}`);
        }
      }
    }
  });

  test('only a one-off campaign’s first run fixes its audience; the ends stamp finishedAt', () => {
    assert.equal(campaignMove('start', 'one_off', 'draft', 5).fixAudience, true);
    assert.equal(campaignMove('begin', 'one_off', 'scheduled', 5).fixAudience, true);
    assert.equal(campaignMove('start', 'ongoing', 'draft', 5).fixAudience, false);
    assert.equal(campaignMove('resume', 'one_off', 'paused', 5).fixAudience, false);
    assert.equal(campaignMove('resume', 'one_off', 'paused', 5).startedAt, undefined, 'resuming keeps the first start');
    assert.equal(campaignMove('complete', 'one_off', 'running', 9).finishedAt, 9);
    assert.equal(campaignMove('cancel', 'one_off', 'paused', 9).finishedAt, 9);
    for (const action of ['schedule', 'begin', 'complete'] as const) {
      assert.throws(() => campaignMove(action, 'ongoing', campaignTransitions[action].from[0]!, 1), /ongoing/);
    }
    assert.deepEqual(editableStatuses('one_off'), ['draft']);
    assert.deepEqual(editableStatuses('ongoing'), ['draft', 'running', 'paused']);
  });

  test('the throttle hands out at most its rate, in small batches', () => {
    const bucket = tokenBucket(1_000, 0);
    let sent = 0;
    let now = 0;
    const batches: number[] = [];
    while (now < 2_000) {
      const wait = bucket.waitMs(now);
      now += wait;
      const n = bucket.take(now);
      batches.push(n);
      sent += n;
    }
    assert.ok(sent <= 2_000 + 20, `sent ${sent} in 2 s at 1,000/s`);
    assert.ok(sent >= 1_900, `sent ${sent}`);
    assert.ok(Math.max(...batches) <= 20, 'a fiftieth of a second at a time');
    const slow = tokenBucket(1, 0);
    assert.equal(slow.take(0), 1);
    assert.equal(slow.waitMs(0), 1_000);
  });

  test('URL patterns: * is any run of characters, the whole URL must match', () => {
    assert.ok(urlMatches('https://shop.example/products/*', 'https://shop.example/products/42?ref=x'));
    assert.ok(urlMatches('*', 'anything'));
    assert.ok(urlMatches('https://*.example/cart', 'https://eu.shop.example/cart'));
    assert.ok(!urlMatches('https://shop.example/products/*', 'https://shop.example/cart'));
    assert.ok(!urlMatches('https://shop.example/products/*', 'https://evil.example/?https://shop.example/products/1'));
    assert.ok(!urlMatches('https://shop.example/a.b', 'https://shop.example/aXb'), 'a dot is a dot');
    assert.ok(urlMatches('https://shop.example/(sale)+', 'https://shop.example/(sale)+'), 'other characters are literal');
  });
});
