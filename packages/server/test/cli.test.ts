import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
const main = path.join(root, 'packages/server/src/cli/main.ts');
const node = process.execPath;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-cli-'));
  dirs.push(dir);
  return dir;
};
const run = (args: string[], env: Record<string, string>) =>
  spawnSync(node, ['--disable-warning=ExperimentalWarning', main, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('frontdesk CLI', () => {
  after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  test('start on an empty data dir creates the demo shop, prints the credentials once, and serves /healthz', async () => {
    const dataDir = tempDir();
    const first = await startAndStop(dataDir);
    assert.match(first.output, /password: {2}\S{20}/);
    assert.match(first.output, /owner@demo\.frontdesk\.local/);
    assert.equal(first.health, 200);
    assert.ok(fs.existsSync(path.join(dataDir, 'frontdesk.db')));
    const second = await startAndStop(dataDir);
    assert.doesNotMatch(second.output, /password:/, 'credentials are printed only on the first start');
    assert.equal(second.health, 200);
  });

  test('npm start stops when npm is told to (docker stop, a supervisor that signals its child): the server shuts down cleanly', async () => {
    const dataDir = tempDir();
    const started = await startAndStop(dataDir, 'npm');
    assert.equal(started.health, 200);
    let down = false;
    for (let i = 0; i < 100 && !down; i++) {
      down = await fetch(`${started.url}/healthz`).then(
        () => false,
        () => true,
      );
      if (!down) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(down, 'the server went with npm (was: it ran on, orphaned)');
    // Shut down, not killed: the WAL was folded into the database.
    assert.deepEqual(fs.readdirSync(dataDir).filter((f) => f.startsWith('frontdesk')), ['frontdesk.db']);
  });

  test('a port in use is said in one line, and the demo is not made (its password is not spent)', async () => {
    const dataDir = tempDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const refused = run(['start'], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
      assert.equal(refused.status, 2, refused.stdout + refused.stderr);
      assert.match(refused.stderr, new RegExp(`^frontdesk: port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(refused.stdout, /password/);
    } finally {
      blocker.close();
    }
    // The next start that gets its port makes the demo and shows its password.
    const started = await startAndStop(dataDir);
    assert.match(started.output, /password: {2}\S{20}/);
    // `frontdesk demo` prints fresh credentials; the old password no longer works.
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    const first = run(['demo'], env);
    assert.equal(first.status, 0, first.stderr);
    const password = /password: {2}(\S+)/.exec(first.stdout)?.[1];
    assert.ok(password && password.length >= 20, first.stdout);
    assert.match(first.stdout, /owner@demo\.frontdesk\.local/);
    const second = /password: {2}(\S+)/.exec(run(['demo'], env).stdout)?.[1];
    assert.ok(second && second !== password, 'a new password each time');
  });

  test('frontdesk demo on a database with shops but no demo says so', () => {
    const env = { DATA_DIR: tempDir(), LOG_LEVEL: 'silent' };
    assert.equal(run(['shop', 'create', '--name', 'Corner shop'], env).status, 0);
    const result = run(['demo'], env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no demo shop/);
  });

  test('migrate, shop create, staff create and reset-password work from the command line', () => {
    const env = { DATA_DIR: tempDir(), LOG_LEVEL: 'silent' };
    assert.match(run(['migrate'], env).stdout, /up to date \(sqlite\)/);
    const shop = run(['shop', 'create', '--name', 'Corner shop'], env);
    const shopId = /id:\s+(\S+)/.exec(shop.stdout)?.[1];
    assert.ok(shopId, shop.stdout + shop.stderr);
    const staff = run(['staff', 'create', '--shop', shopId, '--email', 'ann@example.test', '--name', 'Ann', '--role', 'admin'], env);
    assert.equal(staff.status, 0, staff.stderr);
    assert.match(staff.stdout, /password: \S{20}/);
    const reset = run(['staff', 'reset-password', '--email', 'ann@example.test', '--password', 'a brand new password'], env);
    assert.equal(reset.status, 0, reset.stderr);
    assert.doesNotMatch(reset.stdout, /a brand new password/, 'a password given on the command line is not echoed');
    const missing = run(['staff', 'reset-password', '--email', 'nobody@example.test'], env);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /STAFF_NOT_FOUND/);
    // A bad e-mail or a name of spaces is refused with the catalogue's error, and nothing is made.
    for (const [email, name] of [['bad-email', 'Bob'], ['bob@example.test', '   ']] as const) {
      const refused = run(['staff', 'create', '--shop', shopId, '--email', email, '--name', name], env);
      assert.equal(refused.status, 1, refused.stdout);
      assert.match(refused.stderr, /^frontdesk: VALIDATION_FAILED/);
    }
    assert.equal(run(['staff', 'reset-password', '--email', 'bob@example.test'], env).status, 1, 'Bob was not created');
    const nowhere = run(['staff', 'create', '--shop', '0190f0f0-0000-7000-8000-000000000000', '--email', 'x@example.test', '--name', 'X'], env);
    assert.equal(nowhere.status, 1);
    assert.match(nowhere.stderr, /^frontdesk: SHOP_NOT_FOUND/);
  });

  test('campaign platform starts one campaign per shop its platform customers are contacts of, and checks its options', () => {
    const env = { DATA_DIR: tempDir(), LOG_LEVEL: 'silent' };
    const none = run(['campaign', 'platform', '--name', 'Notice', '--text', 'Maintenance tonight'], env);
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /^0 campaigns started/, 'no platform customer anywhere yet');
    const bad = run(['campaign', 'platform', '--name', 'Notice', '--text', 'x', '--throttle', 'fast'], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--throttle/);
    assert.equal(run(['campaign', 'platform', '--name', 'Notice'], env).status, 2, '--text is required');
  });

  test('a bad configuration value stops start-up with a message that names the variable', () => {
    const result = run(['start'], { DATA_DIR: tempDir(), PORT: 'http' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Configuration error: PORT must be a whole number/);
  });

  test('unknown commands print the usage', () => {
    const result = run(['frobnicate'], { DATA_DIR: tempDir() });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Usage: frontdesk/);
  });
});

/** Starts the server on a free port (itself, or as `npm start`), waits for its banner, asks /healthz, sends SIGTERM and waits for that process to exit. */
async function startAndStop(dataDir: string, how: 'node' | 'npm' = 'node'): Promise<{ output: string; health: number; url: string }> {
  const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  const child =
    how === 'node'
      ? spawn(node, ['--disable-warning=ExperimentalWarning', main, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in time:\n${output}`)), 20_000);
      child.stdout.on('data', () => {
        const match = /Listening on (\S+)/.exec(output);
        if (match?.[1] && /Health:/.test(output)) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    const health = (await fetch(`${url}/healthz`)).status;
    return { output, health, url };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
