/**
 * Builds the widget in memory with esbuild: the loader (/widget.js), the iframe app and its CSS.
 * The server calls this once at start; `npm run build:widget` prints the sizes (bench/widget-size).
 */
import { build } from 'esbuild';

export interface WidgetBundle {
  readonly loader: string;
  readonly app: string;
  readonly css: string;
}

const here = (path: string) => new URL(path, import.meta.url).pathname;

export async function buildWidget(): Promise<WidgetBundle> {
  const common = { bundle: true, minify: true, write: false, platform: 'browser', target: 'es2022', legalComments: 'none' } as const;
  const [loader, app] = await Promise.all([
    build({ ...common, entryPoints: [here('./src/loader.ts')], format: 'iife' }),
    build({
      ...common,
      entryPoints: [here('./src/app/main.tsx')],
      format: 'esm',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      outdir: '/out',
      loader: { '.css': 'css' },
    }),
  ]);
  const css = await build({ ...common, entryPoints: [here('./src/app/widget.css')], outdir: '/out' });
  return { loader: loader.outputFiles[0]!.text, app: app.outputFiles[0]!.text, css: css.outputFiles[0]!.text };
}
