/**
 * What no input may hold, whatever its schema, checked on every transport before the schema is:
 * U+0000 (PostgreSQL refuses it in text, SQLite cuts strings at it) in any string or key, and the
 * prototype-poisoning shapes (a `__proto__` key, a `constructor` holding a `prototype`), which a
 * record schema such as customer attributes would otherwise accept as an ordinary key.
 *
 * Returns the problem and where it is (`root/a/b`), or undefined. Iterative, so deep nesting is safe.
 */
export function findUnsafeInput(value: unknown, root: string): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return `${path} must not contain NUL characters`;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return `${path} must not contain NUL characters`;
        if (key === '__proto__') return `${path} must not have a "__proto__" key`;
        if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) {
          return `${path}/constructor must not have a "prototype" key`;
        }
        stack.push([child, `${path}/${key}`]);
      }
    }
  }
  return undefined;
}
