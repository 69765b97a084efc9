// The raati command line: --help, --version, usage errors, and the
// `user add` / `user role` / `user password` admin commands.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from './http.mjs';
import { start, runRaati, uniqueEmail, register, login, loginCookie, assertHttpError, assertMemberShape } from './helpers.mjs';

function withDir(fn) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raati-cli-'));
    try { await fn(dir, join(dir, 'raati.db')); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

describe('cli basics', () => {
  test('--version prints "raati 0.1.0" and exits 0', async () => {
    const r = await runRaati(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'raati 0.1.0');
  });

  test('--help exits 0 and describes serve and user', async () => {
    const r = await runRaati(['--help']);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout + r.stderr;
    assert.match(text, /serve/);
    assert.match(text, /user/);
  });

  test('no usage text offers a password on the command line', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['user', '--help'], ['user', 'add', '--help']]) {
      const r = await runRaati(args);
      assert.doesNotMatch(r.stdout + r.stderr, /--password/, `raati ${args.join(' ')} mentions --password`);
    }
  });

  test('serve --help exits 0 and lists the settings', async () => {
    const r = await runRaati(['serve', '--help']);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout + r.stderr;
    for (const s of ['--max-message', '--login-limit-account', '--login-limit-address', '--register-limit-address', '--ping-interval', '--public-url', '--demo']) {
      assert.ok(text.includes(s), `serve --help lacks ${s}`);
    }
  });

  test('an unknown command exits 2 with a message on stderr', async () => {
    const r = await runRaati(['frobnicate']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.trim().length > 0, 'stderr must explain');
  });

  test('no command at all exits 2 with usage on stderr', async () => {
    const r = await runRaati([]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.trim().length > 0);
  });

  test('serve with an unknown flag exits 2 naming the flag', withDir(async (dir, db) => {
    const r = await runRaati(['serve', '--db', db, '--no-such-flag', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no-such-flag/);
  }));
});

describe('user add', () => {
  test('with the password on stdin creates an admin who can sign in', withDir(async (dir, db) => {
    const email = uniqueEmail('admin');
    const password = 'Yllapitaja-salasana-1';
    const r = await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'Ylläpitäjä', '--role', 'admin'], { input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes(password), 'the password must not be echoed');
    const srv = await start({ dir });
    try {
      const res = await login(srv, email, password);
      assert.equal(res.status, 200, res.body);
      const m = res.json.member;
      assertMemberShape(m);
      assert.equal(m.role, 'admin');
      assert.equal(m.display_name, 'Ylläpitäjä');
      assert.equal(m.email, email);
      assert.equal(m.birth_year, null);
      assert.equal(m.municipality, null);
      // the stdin line ending is not part of the password
      assertHttpError(await login(srv, email, `${password}\n`), 401, 'bad_credentials');
    } finally { await srv.stop(); }
  }));

  test('works while the server is running on the same database', withDir(async (dir, db) => {
    const srv = await start({ dir });
    try {
      const email = uniqueEmail('mod');
      const r = await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'Moderaattori', '--role', 'moderator'], { input: 'Moderaattori-salasana\n' });
      assert.equal(r.code, 0, r.stderr);
      const cookie = await loginCookie(srv, email, 'Moderaattori-salasana');
      const me = await get(srv, '/api/me', { cookie });
      assert.equal(me.json.member.role, 'moderator');
    } finally { await srv.stop(); }
  }));

  test('a password given as --password is refused (usage error) and no user is made', withDir(async (dir, db) => {
    const email = uniqueEmail();
    const r = await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'X', '--role', 'admin', '--password', 'Salasana-123'], { input: 'Salasana-123\n' });
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  }));

  test('a short password on stdin fails with a message, no user is made', withDir(async (dir, db) => {
    const email = uniqueEmail();
    const r = await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'X', '--role', 'admin'], { input: 'short\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /password/i);
    const srv = await start({ dir });
    try { assertHttpError(await login(srv, email, 'short'), 401, 'bad_credentials'); } finally { await srv.stop(); }
  }));

  test('empty stdin fails with a message', withDir(async (dir, db) => {
    const r = await runRaati(['user', 'add', '--db', db, '--email', uniqueEmail(), '--name', 'X', '--role', 'admin'], { input: '' });
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.trim().length > 0);
  }));

  test('an existing email fails with exit 1 and a message; the first password still works', withDir(async (dir, db) => {
    const email = uniqueEmail();
    const args = ['user', 'add', '--db', db, '--email', email, '--name', 'X', '--role', 'admin'];
    assert.equal((await runRaati(args, { input: 'Eka-salasana-1\n' })).code, 0);
    const r = await runRaati(args, { input: 'Toka-salasana-2\n' });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.trim().length > 0);
    const srv = await start({ dir });
    try {
      assert.equal((await login(srv, email, 'Eka-salasana-1')).status, 200);
      assert.equal((await login(srv, email, 'Toka-salasana-2')).status, 401);
    } finally { await srv.stop(); }
  }));

  test('an unknown role fails with a message', withDir(async (dir, db) => {
    const r = await runRaati(['user', 'add', '--db', db, '--email', uniqueEmail(), '--name', 'X', '--role', 'superuser'], { input: 'Salasana-123\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /role|superuser/i);
  }));

  test('an invalid email fails with a message', withDir(async (dir, db) => {
    const r = await runRaati(['user', 'add', '--db', db, '--email', 'not-an-email', '--name', 'X', '--role', 'admin'], { input: 'Salasana-123\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /email/i);
  }));

  test('a missing --email is a usage error (exit 2)', withDir(async (dir, db) => {
    const r = await runRaati(['user', 'add', '--db', db, '--name', 'X', '--role', 'admin'], { input: 'Salasana-123\n' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /email/i);
  }));
});

describe('user role', () => {
  test('changes the role, visible in /api/me after sign-in', withDir(async (dir, db) => {
    const email = uniqueEmail();
    assert.equal((await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'Henkilö', '--role', 'admin'], { input: 'Salasana-123\n' })).code, 0);
    const r = await runRaati(['user', 'role', '--db', db, '--email', email, '--role', 'moderator']);
    assert.equal(r.code, 0, r.stderr);
    const srv = await start({ dir });
    try {
      const cookie = await loginCookie(srv, email, 'Salasana-123');
      const me = await get(srv, '/api/me', { cookie });
      assert.equal(me.json.member.role, 'moderator');
    } finally { await srv.stop(); }
  }));

  test('changes a registered member to moderator', withDir(async (dir, db) => {
    const srv = await start({ dir });
    try {
      const { email, password } = await register(srv);
      const r = await runRaati(['user', 'role', '--db', db, '--email', email, '--role', 'moderator']);
      assert.equal(r.code, 0, r.stderr);
      const cookie = await loginCookie(srv, email, password);
      assert.equal((await get(srv, '/api/me', { cookie })).json.member.role, 'moderator');
    } finally { await srv.stop(); }
  }));

  test('an unknown role fails with a message and changes nothing', withDir(async (dir, db) => {
    const email = uniqueEmail();
    await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'X', '--role', 'moderator'], { input: 'Salasana-123\n' });
    const r = await runRaati(['user', 'role', '--db', db, '--email', email, '--role', 'superuser']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /role|superuser/i);
    const srv = await start({ dir });
    try {
      const cookie = await loginCookie(srv, email, 'Salasana-123');
      assert.equal((await get(srv, '/api/me', { cookie })).json.member.role, 'moderator');
    } finally { await srv.stop(); }
  }));

  test('an unknown email fails with exit 1 and a message', withDir(async (dir, db) => {
    // make the database exist first
    await runRaati(['user', 'add', '--db', db, '--email', uniqueEmail(), '--name', 'X', '--role', 'admin'], { input: 'Salasana-123\n' });
    const r = await runRaati(['user', 'role', '--db', db, '--email', 'nobody@raati.example', '--role', 'moderator']);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.trim().length > 0);
  }));

  test('a missing --role is a usage error (exit 2)', withDir(async (dir, db) => {
    const r = await runRaati(['user', 'role', '--db', db, '--email', 'a@raati.example']);
    assert.equal(r.code, 2, r.stderr);
  }));
});

describe('user password', () => {
  test('sets a new password for a member who forgot theirs and ends their sessions', withDir(async (dir, db) => {
    const srv = await start({ dir });
    try {
      const { email, password } = await register(srv);
      const cookie = await loginCookie(srv, email, password);
      const r = await runRaati(['user', 'password', '--db', db, '--email', email.toUpperCase()], { input: 'Uusi-salasana-42\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /Uusi-salasana-42/);
      assertHttpError(await get(srv, '/api/me', { cookie }), 401, 'unauthenticated');
      assertHttpError(await login(srv, email, password), 401, 'bad_credentials');
      assert.equal((await login(srv, email, 'Uusi-salasana-42')).status, 200);
    } finally { await srv.stop(); }
  }));

  test('an unknown email fails with exit 1 before asking for a password', withDir(async (dir, db) => {
    await runRaati(['user', 'add', '--db', db, '--email', uniqueEmail(), '--name', 'X', '--role', 'admin'], { input: 'Salasana-123\n' });
    const r = await runRaati(['user', 'password', '--db', db, '--email', 'nobody@raati.example'], { input: 'Salasana-456\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nobody@raati\.example/);
  }));

  test('a short password fails and the old one still works', withDir(async (dir, db) => {
    const email = uniqueEmail();
    await runRaati(['user', 'add', '--db', db, '--email', email, '--name', 'X', '--role', 'member'], { input: 'Salasana-123\n' });
    const r = await runRaati(['user', 'password', '--db', db, '--email', email], { input: 'lyhyt\n' });
    assert.equal(r.code, 1);
    const srv = await start({ dir });
    try {
      assert.equal((await login(srv, email, 'Salasana-123')).status, 200);
    } finally { await srv.stop(); }
  }));

  test('an option of another command is a usage error (exit 2)', withDir(async (dir, db) => {
    const r = await runRaati(['user', 'password', '--db', db, '--email', 'a@raati.example', '--role', 'admin']);
    assert.equal(r.code, 2, r.stderr);
  }));
});
