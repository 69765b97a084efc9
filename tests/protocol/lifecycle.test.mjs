// Starting and stopping: signals, persistence across restarts, --demo seeding
// once, and refusing a database newer than the binary.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from './http.mjs';
import {
  start, bin, root, register, login, loginCookie, openWs, sqlite, rowCounts,
} from './helpers.mjs';

const tmp = () => mkdtempSync(join(tmpdir(), 'raati-life-'));

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT']) {
    test(`${signal} exits with code 0`, async () => {
      const srv = await start();
      assert.equal((await get(srv, '/healthz')).status, 200);
      const r = await srv.stop(signal);
      assert.deepEqual(r, { code: 0, signal: null }, srv.log());
    });

    test(`${signal} with an open WebSocket exits with code 0 and closes the connection`, async () => {
      const srv = await start();
      const { cookie } = await register(srv);
      const { ws } = await openWs(srv, { cookie });
      const { ws: anon } = await openWs(srv);
      try {
        assert.equal((await ws.request({ type: 'ping' })).ok, true);
        const r = await srv.stop(signal);
        assert.deepEqual(r, { code: 0, signal: null }, srv.log());
        await ws.waitClosed({ timeout: 2000 });
        await anon.waitClosed({ timeout: 2000 });
      } finally { ws.destroy(); anon.destroy(); }
    });
  }

  test('SIGTERM while sign-ins are hashing exits with code 0', async () => {
    const srv = await start();
    const { email, password } = await register(srv);
    const pending = Array.from({ length: 4 }, () => login(srv, email, password).catch(() => null));
    const r = await srv.stop('SIGTERM');
    await Promise.all(pending);
    assert.deepEqual(r, { code: 0, signal: null }, srv.log());
  });
});

describe('persistence', () => {
  test('a member registered before a restart can sign in after it', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      const { email, password, member } = await register(a);
      await a.stop();
      const b = await start({ dir });
      try {
        const r = await login(b, email, password);
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(r.json.member, member);
      } finally { await b.stop(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a session survives a restart', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      const { cookie } = await register(a);
      await a.stop();
      const b = await start({ dir });
      try {
        assert.equal((await get(b, '/api/me', { cookie })).status, 200);
      } finally { await b.stop(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('the database is in WAL mode with a schema version', async () => {
    const srv = await start();
    try {
      assert.equal(sqlite(srv.db, 'PRAGMA journal_mode;').trim(), 'wal');
      assert.ok(Number(sqlite(srv.db, 'PRAGMA user_version;').trim()) >= 1);
    } finally { await srv.stop(); }
  });
});

describe('--demo', () => {
  const demo = [
    ['jasen@raati.example', 'Asukas-2026!', 'member'],
    ['moderaattori@raati.example', 'Moderaattori-2026!', 'moderator'],
    ['admin@raati.example', 'Yllapito-2026!', 'admin'],
  ];

  test('the demo accounts sign in with their roles', async () => {
    const srv = await start({ args: ['--demo'] });
    try {
      for (const [email, password, role] of demo) {
        const r = await login(srv, email, password);
        assert.equal(r.status, 200, `${email}: ${r.body}`);
        assert.equal(r.json.member.role, role, email);
      }
    } finally { await srv.stop(); }
  });

  test('the demo moderator finds one pending report in the queue, a watched word and audit entries', async () => {
    const srv = await start({ args: ['--demo'] });
    try {
      const cookie = await loginCookie(srv, demo[1][0], demo[1][1]);
      const { ws } = await openWs(srv, { cookie });
      try {
        const q = await ws.request({ type: 'queue.list' });
        assert.equal(q.ok, true, JSON.stringify(q));
        assert.equal(q.pending, 1);
        assert.equal(q.items.length, 1);
        const [item] = q.items;
        assert.equal(item.kind, 'report');
        assert.equal(item.reports.length, 2, 'two members reported it: under the auto-hide threshold');
        assert.equal(item.post.status, 'published');
        assert.match(item.post.body, /yrttikuuri/);
        const kept = await ws.request({ type: 'queue.list', status: 'dismissed' });
        assert.equal(kept.items.length, 1, 'an earlier report was kept');
        const words = await ws.request({ type: 'word.list' });
        assert.deepEqual(words.words.map((w) => [w.word, w.action]), [['idioot*', 'replace']]);
        const log = await ws.request({ type: 'audit.list' });
        assert.deepEqual(log.entries.map((e) => e.action).sort(),
          ['period.create', 'period.create', 'queue.keep', 'word.add']);
      } finally { ws.destroy(); }
    } finally { await srv.stop(); }
  });

  test('without --demo there are no demo accounts', async () => {
    const srv = await start();
    try {
      assert.equal((await login(srv, demo[0][0], demo[0][1])).status, 401);
    } finally { await srv.stop(); }
  });

  test('--demo a second time on the same database does not reseed', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir, args: ['--demo'] });
      const cookie = await loginCookie(a, demo[0][0], demo[0][1]);
      const { ws } = await openWs(a, { cookie });
      const r = await ws.request({ type: 'profile.update', display_name: 'Muutettu Nimi' });
      assert.equal(r.ok, true, JSON.stringify(r));
      ws.destroy();
      await a.stop();
      const before = rowCounts(join(dir, 'raati.db'));

      const b = await start({ dir, args: ['--demo'] });
      await b.stop();
      const afterRestart = rowCounts(join(dir, 'raati.db'));
      // sessions and rate-limit bookkeeping may change; content must not
      const content = (counts) => Object.fromEntries(Object.entries(counts).filter(([t]) => !/session|attempt|rate|limit/i.test(t)));
      assert.deepEqual(content(afterRestart), content(before), 'a second --demo added or removed rows');

      const c = await start({ dir, args: ['--demo'] });
      try {
        const res = await login(c, demo[0][0], demo[0][1]);
        assert.equal(res.status, 200, res.body);
        assert.equal(res.json.member.display_name, 'Muutettu Nimi', 'the demo member was reseeded');
      } finally { await c.stop(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('--demo on a database with members of its own does not duplicate demo accounts', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir, args: ['--demo'] });
      await register(a);
      await a.stop();
      const n1 = rowCounts(join(dir, 'raati.db'));
      const b = await start({ dir, args: ['--demo'] });
      try {
        for (const [email, password] of demo) assert.equal((await login(b, email, password)).status, 200);
      } finally { await b.stop(); }
      const n2 = rowCounts(join(dir, 'raati.db'));
      const content = (counts) => Object.fromEntries(Object.entries(counts).filter(([t]) => !/session|attempt|rate|limit/i.test(t)));
      assert.deepEqual(content(n2), content(n1));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('schema version', () => {
  function serveOnce(db) {
    return new Promise((resolve) => {
      const p = spawn(bin, ['serve', '--port', '0', '--db', db, '--web-root', join(root, 'web')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      const timer = setTimeout(() => p.kill('SIGKILL'), 15000);
      p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out }); });
    });
  }

  test('a database with user_version 999 is refused: exit 1 and a message naming the version', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      await register(a);
      await a.stop();
      const db = join(dir, 'raati.db');
      sqlite(db, 'PRAGMA user_version = 999;');
      const r = await serveOnce(db);
      assert.equal(r.code, 1, `exit ${r.code} ${r.signal}: ${r.out}`);
      assert.doesNotMatch(r.out, /server\.listening/, 'it must not start listening');
      assert.match(r.out, /999/, `the message must name the database version: ${r.out}`);
      assert.match(r.out, /version/i, r.out);
      assert.equal(sqlite(db, 'PRAGMA user_version;').trim(), '999', 'the database must be left as it was');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a new empty database file with user_version 999 is refused too', async () => {
    const dir = tmp();
    try {
      const db = join(dir, 'raati.db');
      sqlite(db, 'PRAGMA user_version = 999;');
      const r = await serveOnce(db);
      assert.equal(r.code, 1, `exit ${r.code}: ${r.out}`);
      assert.match(r.out, /999/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a database path in a missing directory fails with exit 1 and a message', async () => {
    const r = await serveOnce('/nonexistent-dir-raati/x/raati.db');
    assert.equal(r.code, 1, `exit ${r.code}: ${r.out}`);
    assert.ok(r.out.trim().length > 0, 'a message is expected');
  });
});
