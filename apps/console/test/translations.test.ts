/**
 * Every UI string of both web apps has its zh-CN translation (issue 22, item 7): each key of the
 * English strings exists in Chinese, nested records too (TypeScript does not check the keys of a
 * Record<string, string>), and a Chinese value is not the English copied over. Functions are called
 * with sample arguments and their output compared the same way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strings as consoleStrings } from '../src/i18n.ts';
import { strings as widgetStrings } from '../../widget/src/app/i18n.ts';
import { errorCodes } from '@frontdesk/protocol';
import { errorText, errorsZh } from '../src/i18n-errors.ts';

/**
 * Values that are the same in both languages on purpose: names and codes a Chinese reader sees
 * in Latin letters too. Kept short; anything else identical in both is an untranslated string.
 */
const SAME_IN_BOTH = new Set(['E-mail', 'API', 'URL', 'HMAC-SHA256', 'JWT', 'WeChat', 'SMTP', 'CSV', 'Frontdesk', 'OK', 'ID', 'MB']);

/** Keys on a keyboard (the shortcut list's first column): "Alt+C", "j / k", "Esc". */
const KEYS = /^(?:(?:Alt|Ctrl|Shift)\+\S+|Esc|Enter|\S)(?:\s*[/…]\s*(?:(?:Alt|Ctrl|Shift)\+\S+|\S))*$/;

const SAMPLE = 'Zed';
/** A function's output with sample arguments: numbers first (counts, plurals), then names, then lists of names. */
function sampleOutput(fn: (...args: unknown[]) => unknown): unknown {
  const tries: unknown[][] = [3, SAMPLE, [SAMPLE, SAMPLE, SAMPLE]].map((arg) => Array.from({ length: fn.length }, () => arg));
  for (const args of tries) {
    try {
      return fn(...args);
    } catch {
      // the next kind of argument
    }
  }
  throw new Error(`cannot call ${fn.toString().slice(0, 60)}`);
}

/** Untranslated or missing entries: "path: reason". */
export function untranslated(en: unknown, zh: unknown, path = ''): string[] {
  if (typeof en === 'function') {
    if (typeof zh !== 'function') return [`${path}: not a function in zh`];
    return untranslated(sampleOutput(en as (...args: unknown[]) => unknown), sampleOutput(zh as (...args: unknown[]) => unknown), `${path}()`);
  }
  if (typeof en === 'string') {
    if (typeof zh !== 'string') return [`${path}: missing in zh`];
    const latin = /[A-Za-z]/.test(en.replaceAll(SAMPLE, ''));
    return en === zh && latin && !SAME_IN_BOTH.has(en) && !KEYS.test(en) ? [`${path}: “${en}” is the English text`] : [];
  }
  if (en !== null && typeof en === 'object') {
    if (zh === null || typeof zh !== 'object') return [`${path}: missing in zh`];
    return Object.entries(en).flatMap(([key, value]) => untranslated(value, (zh as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return [];
}

test('the checker finds a missing key, a copied string and a copied function, and passes a translated one', () => {
  assert.deepEqual(
    untranslated({ a: 'Save', b: { c: 'Close' }, d: (n: number) => `${n} open`, e: 'E-mail', f: '—', g: (name: string) => `Hi ${name}` }, { a: '保存', b: {}, d: (n: number) => `${n} open`, e: 'E-mail', f: '—', g: (name: string) => `你好 ${name}` }),
    ['b.c: missing in zh', 'd(): “3 open” is the English text'],
  );
});

test('every console string has a zh-CN translation', () => {
  assert.deepEqual(untranslated(consoleStrings('en'), consoleStrings('zh-CN')), []);
});

test('every widget string has a zh-CN translation', () => {
  assert.deepEqual(untranslated(widgetStrings('en'), widgetStrings('zh-CN')), []);
});

test('every error code of the protocol has a Chinese text; an error is said by its code, else by the server', () => {
  const zh = consoleStrings('zh-CN');
  const en = consoleStrings('en');
  for (const code of errorCodes) assert.ok(errorsZh[code] && /[\u4e00-\u9fff]/.test(errorsZh[code]), `${code} in Chinese`);
  // What the console's ApiError (src/api.ts) and the SDK's FrontdeskError carry: a message and a code.
  const apiError = (code: string, message: string) => Object.assign(new Error(message), { code });
  const taken = apiError('LABEL_NAME_TAKEN', 'Another label of the shop has this name.');
  assert.equal(errorText(taken, zh), '店铺已有同名标签。');
  assert.equal(errorText(taken, en), 'Another label of the shop has this name.');
  assert.equal(errorText(apiError('NETWORK', 'The server cannot be reached.'), zh), '无法连接到服务器。');
  // A code this console does not know yet (a newer server): the server's own words.
  assert.equal(errorText(apiError('SOMETHING_NEW', 'Something new went wrong.'), zh), 'Something new went wrong.');
  // Not an answer of the API (a bug): the generic text, never a stack's message.
  assert.equal(errorText(new TypeError('x is undefined'), zh), zh.error);
  assert.equal(errorText('thrown string', en), en.error);
});
