import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertMention, matchMembers, mentionAt, mentionsIn } from '../src/mentions.ts';

test('the @name being typed is the one just before the caret, after a space or at the start', () => {
  assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  assert.deepEqual(mentionAt('hi @An', 6), { start: 3, query: 'an' });
  assert.deepEqual(mentionAt('hi @An and more', 6), { start: 3, query: 'an' });
  assert.equal(mentionAt('mail me at ann@example.com', 26), null, 'not inside a word');
  assert.equal(mentionAt('@Ann done', 9), null, 'not after a space');
});

test('a pick replaces the query with @Name and a space; the caret goes after it', () => {
  assert.deepEqual(insertMention('hi @An, ok', 6, 3, 'Ann Lee'), { draft: 'hi @Ann Lee , ok', caret: 12 });
});

test('the mentions sent are the picked names still in the text, whole', () => {
  const picked = new Map([
    ['id-ann', 'Ann Lee'],
    ['id-bo', 'Bo'],
    ['all', 'all'],
  ]);
  assert.deepEqual(mentionsIn('@Ann Lee, look. @all', picked), ['id-ann', 'all']);
  assert.deepEqual(mentionsIn('@Bob is not @Bo… but @Bo。', picked), ['id-bo']);
  assert.deepEqual(mentionsIn('Ann Lee without the at', picked), []);
});

test('members whose name starts with the query come first', () => {
  const members = [{ name: 'Dana' }, { name: 'Ann' }, { name: 'Anouk' }];
  assert.deepEqual(matchMembers(members, 'an').map((m) => m.name), ['Ann', 'Anouk', 'Dana']);
  assert.deepEqual(matchMembers(members, '').map((m) => m.name), ['Dana', 'Ann', 'Anouk']);
});
