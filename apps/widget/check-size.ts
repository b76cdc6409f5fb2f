/**
 * The widget's size budgets (issue "Customer widget"): the loader ≤ 6 KB and the app (script and
 * styles) ≤ 80 KB, gzipped. Prints the sizes; exits with 1 when a budget is exceeded.
 *
 *   npm run check:widget-size
 */
import { gzipSync } from 'node:zlib';
import { buildWidget } from './build.ts';

export const budgets = { loader: 6 * 1024, app: 80 * 1024 } as const;

export async function widgetSizes(): Promise<{ loader: number; app: number }> {
  const bundle = await buildWidget();
  const gz = (text: string) => gzipSync(text, { level: 9 }).length;
  return { loader: gz(bundle.loader), app: gz(bundle.app) + gz(bundle.css) };
}

if (import.meta.main) {
  const sizes = await widgetSizes();
  let over = false;
  for (const name of ['loader', 'app'] as const) {
    const ok = sizes[name] <= budgets[name];
    over ||= !ok;
    console.log(`${name.padEnd(6)} ${(sizes[name] / 1024).toFixed(1).padStart(6)} KB gzip  (budget ${budgets[name] / 1024} KB)  ${ok ? 'ok' : 'OVER BUDGET'}`);
  }
  process.exit(over ? 1 : 0);
}
