import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { Engine } from '../../src/storage/connect.ts';
import { openTestStorage, type TestStorage } from './storage.ts';

export interface TestServer {
  readonly app: App;
  readonly url: string;
  readonly storage: TestStorage;
  readonly engine: Engine;
  close(): Promise<void>;
}

export const platformSecret = 'platform-secret-for-tests-0123456789abcdef';

/** A real server on a free port over a database of its own. */
export async function startServer(
  engine: Engine,
  env: Record<string, string> = {},
  logStream?: { write(line: string): void },
  overrides: Pick<AppOverrides, 'lookup' | 'now'> = {},
): Promise<TestServer> {
  const storage = await openTestStorage(engine);
  // Attachment blobs and staging files: a directory of the test's own.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-data-'));
  const config: Config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLATFORM_IDENTITY_SECRET: platformSecret,
    // Suites make many requests from one address; the limits themselves have their own test.
    RATE_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '100000',
    WIDGET_SESSION_RATE_LIMIT: '100000',
    ...env,
  });
  const app = await createApp(config, { storage, ...(logStream && { logStream }), ...overrides });
  const url = await app.listen();
  return {
    app,
    url,
    storage,
    engine,
    async close() {
      // Each step bounded: a close that hangs fails the suite naming the step, instead of holding the run.
      await within('app.close', app.close());
      await within('storage.drop', storage.drop());
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const CLOSE_STEP_MS = 30_000;

async function within<T>(step: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`closing the test server: ${step} did not finish in ${CLOSE_STEP_MS} ms`)), CLOSE_STEP_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
