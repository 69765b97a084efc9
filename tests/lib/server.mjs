// Starts the real raati binary on a free port with a fresh database, for
// protocol and e2e tests. The binary is $RAATI_BIN (make test sets it to the
// sanitizer build), else build/raati.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.RAATI_BIN || join(root, 'build', 'raati');

// startServer({ args: [...], env: {...}, dir }) resolves once the server logs
// "server.listening". Returns { port, url, origin, dir, db, proc, log(), stop() }.
// stop() sends SIGTERM and resolves with { code, signal }; the temp directory
// is removed unless keepDir is set (a test that restarts reuses dir).
export async function startServer({ args = [], env = {}, dir, keepDir = false } = {}) {
  const ownDir = !dir;
  dir = dir || mkdtempSync(join(tmpdir(), 'raati-test-'));
  const db = join(dir, 'raati.db');
  const proc = spawn(bin, ['serve', '--port', '0', '--db', db,
                           '--web-root', join(root, 'web'), ...args], {
    env: { ...process.env, RAATI_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));

  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('server did not start:\n' + out)), 20000);
    const check = () => {
      const m = out.match(/server\.listening .*port=(\d+)/);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    };
    proc.stderr.on('data', check);
    proc.stdout.on('data', check);
    exited.then(() => { clearTimeout(timer); rej(new Error('server exited:\n' + out)); });
  });

  const url = `http://127.0.0.1:${port}`;
  return {
    port, url, origin: url, dir, db, proc, exited,
    log: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (ownDir && !keepDir) rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
}
