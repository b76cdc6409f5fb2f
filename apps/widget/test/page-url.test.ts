import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageUrlFrom } from '../src/bridge.ts';

// The page URL the loader reports decides which ongoing campaigns a visitor sees: only the embedding
// page's own http(s) URL is taken.
test('the widget takes the page URL only from the embedding origin, as http(s), and not too long', () => {
  const origin = 'https://shop.example';
  assert.equal(pageUrlFrom('https://shop.example/checkout?step=2#pay', origin), 'https://shop.example/checkout?step=2#pay');
  assert.equal(pageUrlFrom('https://other.example/checkout', origin), null, 'another origin');
  assert.equal(pageUrlFrom('javascript:alert(1)', origin), null);
  assert.equal(pageUrlFrom('not a url', origin), null);
  assert.equal(pageUrlFrom(42, origin), null);
  assert.equal(pageUrlFrom(`https://shop.example/${'a'.repeat(3000)}`, origin), null, 'too long');
  assert.equal(pageUrlFrom('http://shop.example/', 'http://shop.example'), 'http://shop.example/');
});
