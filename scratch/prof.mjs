import fs from 'node:fs';
const file = process.argv[2];
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; let total = 0;
const counts = new Map();
for (let i = 0; i < p.samples.length; i++) { const t = dt[i] ?? 0; counts.set(p.samples[i], (counts.get(p.samples[i]) ?? 0) + t); total += t; }
const byFile = new Map(), byFn = new Map();
for (const [id, t] of counts) {
  const n = byId.get(id); const cf = n.callFrame;
  const f = (cf.url || '(native)').replace(/.*\/work\/main\//, '').replace(/.*node_modules\//, 'nm/');
  byFile.set(f, (byFile.get(f) ?? 0) + t);
  const fn = `${cf.functionName || '(anon)'} ${f}:${cf.lineNumber}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
}
const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, t]) => `${(100 * t / total).toFixed(1).padStart(5)}%  ${n}`).join('\n');
console.log(`total ${(total / 1e6).toFixed(1)} s\n-- files\n${top(byFile, 30)}\n-- functions\n${top(byFn, 40)}`);
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of counts) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    const f = (cf.url || '(native)').replace(/.*\/work\/main\//, '').replace(/.*node_modules\//, 'nm/');
    const key = `${cf.functionName || '(anon)'} ${f}:${cf.lineNumber}`;
    if (seen.has(key)) continue; seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + t);
  }
}
console.log(`-- inclusive (packages/ only)\n${top(new Map([...incl].filter(([k]) => k.includes('packages/'))), 60)}`);
const idle = [...counts].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const busy = total - idle;
console.log(`-- busy ${(busy / 1e6).toFixed(1)} s; inclusive % of busy, all`);
console.log([...incl].sort((a, b) => b[1] - a[1]).slice(0, 70).map(([n, t]) => `${(100 * t / busy).toFixed(1).padStart(5)}%  ${n}`).join('\n'));
