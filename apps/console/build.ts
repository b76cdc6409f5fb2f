/**
 * Builds the agent console in memory with esbuild: one script and one stylesheet. The server calls
 * this once at start and serves the result at /console/.
 */
import { build } from 'esbuild';

export interface ConsoleBundle {
  readonly app: string;
  readonly css: string;
}

const here = (path: string) => new URL(path, import.meta.url).pathname;

export async function buildConsole(): Promise<ConsoleBundle> {
  const common = { bundle: true, minify: true, write: false, platform: 'browser', target: 'es2022', legalComments: 'none' } as const;
  const [app, css] = await Promise.all([
    build({ ...common, entryPoints: [here('./src/main.tsx')], format: 'esm', jsx: 'automatic', jsxImportSource: 'preact' }),
    build({ ...common, entryPoints: [here('./src/console.css')], outdir: '/out' }),
  ]);
  return { app: app.outputFiles[0]!.text, css: css.outputFiles[0]!.text };
}
