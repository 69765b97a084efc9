// Sign-in, /api/me, sign-out, rate limits, and how sessions and passwords
// are stored.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { get, postJson, findCookie } from './http.mjs';
import {
  start, register, login, loginCookie, uniqueEmail, openWs, sqlite,
  assertHttpError, assertMemberShape,
} from './helpers.mjs';

describe('login', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  test('the right password → 200 with the member and a session cookie', async () => {
    const { email, password, member } = await register(srv);
    const r = await login(srv, email, password);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.ok, true);
    assertMemberShape(r.json.member);
    assert.deepEqual(r.json.member, member);
    const c = findCookie(r);
    assert.ok(c, 'no session cookie');
    assert.match(c.value, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(c.flags.has('httponly'));
    assert.equal(c.attrs.samesite?.toLowerCase(), 'lax');
    assert.equal(c.attrs.path, '/');
    assert.equal(c.attrs['max-age'], '2592000');
    assert.ok(!c.flags.has('secure'));
    assert.match(String(r.headers['cache-control']), /no-store/);
  });

  test('each sign-in gets a new session token', async () => {
    const { email, password, cookie } = await register(srv);
    const a = await loginCookie(srv, email, password);
    const b = await loginCookie(srv, email, password);
    assert.notEqual(a, b);
    assert.notEqual(a, cookie);
  });

  test('a wrong password → 401 bad_credentials and no cookie', async () => {
    const { email } = await register(srv);
    const r = await login(srv, email, 'not-the-password');
    assertHttpError(r, 401, 'bad_credentials');
    assert.equal(findCookie(r)?.value || '', '', 'no session on a failed sign-in');
  });

  test('wrong password and unknown email: same status, byte-identical body', async () => {
    const { email } = await register(srv);
    const wrong = await login(srv, email, 'not-the-password');
    const unknown = await login(srv, uniqueEmail('nobody'), 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, wrong.status);
    assert.ok(unknown.bodyBuffer.equals(wrong.bodyBuffer),
      `bodies differ:\n${wrong.body}\n${unknown.body}`);
    assert.equal(unknown.headers['content-type'], wrong.headers['content-type']);
    assert.equal(unknown.headers['content-length'], wrong.headers['content-length']);
    assert.deepEqual(unknown.setCookies, wrong.setCookies);
  });

  test('the email is matched case-insensitively, as registration stores it lower-cased', async () => {
    const { email, password } = await register(srv);
    const r = await login(srv, email.toUpperCase(), password);
    assert.equal(r.status, 200, r.body);
  });

  // Broke once: only A-Z were lower-cased, so ÅSA@… could not sign in as åsa@….
  test('Nordic capitals in an email are matched too (Å, Ä, Ö)', async () => {
    const local = `åsa.åström.${Date.now()}`;
    const { password } = await register(srv, { email: `${local.toUpperCase()}@EXEMPEL.FI` });
    const r = await login(srv, `${local}@exempel.fi`, password);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.member.email, `${local}@exempel.fi`);
  });

  test('a missing password → 400 missing_field (field password)', async () => {
    assertHttpError(await postJson(srv, '/api/login', { email: uniqueEmail() }), 400, 'missing_field', 'password');
  });

  test('a missing email → 400 missing_field (field email)', async () => {
    assertHttpError(await postJson(srv, '/api/login', { password: 'whatever-pass' }), 400, 'missing_field', 'email');
  });

  test('a non-string password → 400 invalid_field (field password)', async () => {
    assertHttpError(await postJson(srv, '/api/login', { email: uniqueEmail(), password: 12345678 }), 400, 'invalid_field', 'password');
  });

  test('login with text/plain → 415, with a foreign Origin → 403, malformed → 400 bad_json, array → not_object', async () => {
    const { email, password } = await register(srv);
    const raw = JSON.stringify({ email, password });
    assertHttpError(await postJson(srv, '/api/login', undefined, { raw, contentType: 'text/plain' }), 415, 'unsupported_media_type');
    const bad = await postJson(srv, '/api/login', { email, password }, { origin: 'http://evil.example' });
    assertHttpError(bad, 403, 'bad_origin');
    assert.equal(findCookie(bad), null, 'a cross-origin sign-in must not set a cookie');
    assertHttpError(await postJson(srv, '/api/login', undefined, { raw: '{"email":' }), 400, 'bad_json');
    assertHttpError(await postJson(srv, '/api/login', undefined, { raw: '[1]' }), 400, 'not_object');
  });
});

describe('/api/me', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  test('with the session cookie → 200 and the member', async () => {
    const { cookie, member } = await register(srv);
    const r = await get(srv, '/api/me', { cookie });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.ok, true);
    assert.deepEqual(r.json.member, member);
    assert.match(String(r.headers['cache-control']), /no-store/);
  });

  test('the session cookie among other cookies still works', async () => {
    const { cookie, member } = await register(srv);
    const r = await get(srv, '/api/me', { cookie: `theme=dark; ${cookie}; lang=fi` });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.member.id, member.id);
  });

  test('without a cookie → 401 unauthenticated', async () => {
    assertHttpError(await get(srv, '/api/me'), 401, 'unauthenticated');
  });

  test('with a forged token of the right shape → 401 unauthenticated', async () => {
    const forged = `raati_session=${randomBytes(32).toString('base64url')}`;
    assertHttpError(await get(srv, '/api/me', { cookie: forged }), 401, 'unauthenticated');
  });

  test('with a garbage cookie value → 401 unauthenticated', async () => {
    for (const v of ['', 'x', 'a'.repeat(500), '%00%ff', '"quoted"']) {
      assertHttpError(await get(srv, '/api/me', { cookie: `raati_session=${v}` }), 401, 'unauthenticated');
    }
  });

  test('a real token with one character changed → 401 unauthenticated', async () => {
    const { cookie } = await register(srv);
    const last = cookie.at(-1);
    const tampered = cookie.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    assertHttpError(await get(srv, '/api/me', { cookie: tampered }), 401, 'unauthenticated');
  });
});

describe('logout', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  test('200 {ok:true}, clears the cookie with Max-Age=0, and the old cookie stops working', async () => {
    const { cookie } = await register(srv);
    const r = await postJson(srv, '/api/logout', {}, { cookie });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.ok, true);
    const c = findCookie(r);
    assert.ok(c, `logout must send the cleared cookie: ${JSON.stringify(r.setCookies)}`);
    assert.equal(c.attrs['max-age'], '0', c.raw);
    assert.equal(c.attrs.path, '/', c.raw);
    assert.ok(c.flags.has('httponly'), c.raw);
    assert.ok(c.value === '' || c.value !== cookie.split('=')[1], 'the cleared cookie must not carry the token');
    assertHttpError(await get(srv, '/api/me', { cookie }), 401, 'unauthenticated');
  });

  test('logout ends only that session: another sign-in of the same member still works', async () => {
    const { cookie, email, password } = await register(srv);
    const other = await loginCookie(srv, email, password);
    assert.equal((await postJson(srv, '/api/logout', {}, { cookie })).status, 200);
    assert.equal((await get(srv, '/api/me', { cookie: other })).status, 200);
  });

  test('logout with an empty body works', async () => {
    const { cookie } = await register(srv);
    const r = await postJson(srv, '/api/logout', undefined, { cookie, raw: '' });
    assert.equal(r.status, 200, r.body);
    assertHttpError(await get(srv, '/api/me', { cookie }), 401, 'unauthenticated');
  });

  test('logout when not signed in → 200 {ok:true}', async () => {
    const r = await postJson(srv, '/api/logout', {});
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.ok, true);
  });

  test('logout with a foreign Origin → 403 bad_origin and the session survives', async () => {
    const { cookie } = await register(srv);
    assertHttpError(await postJson(srv, '/api/logout', {}, { cookie, origin: 'http://evil.example' }), 403, 'bad_origin');
    assert.equal((await get(srv, '/api/me', { cookie })).status, 200);
  });

  test('logout with text/plain → 415 and the session survives', async () => {
    const { cookie } = await register(srv);
    assertHttpError(await postJson(srv, '/api/logout', undefined, { cookie, raw: '{}', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    assert.equal((await get(srv, '/api/me', { cookie })).status, 200);
  });

  test('logout closes the WebSocket of that session, not of another session', async () => {
    const { cookie, email, password } = await register(srv);
    const other = await loginCookie(srv, email, password);
    const { ws, hello } = await openWs(srv, { cookie });
    const { ws: ws2, hello: hello2 } = await openWs(srv, { cookie: other });
    try {
      assert.ok(hello.member && hello2.member);
      assert.equal((await postJson(srv, '/api/logout', {}, { cookie })).status, 200);
      await ws.waitClosed({ timeout: 5000 });
      const r = await ws2.request({ type: 'profile.get' });
      assert.equal(r.ok, true, JSON.stringify(r));
    } finally { ws.destroy(); ws2.destroy(); }
  });

  test('after logout a WebSocket with the old cookie is anonymous', async () => {
    const { cookie } = await register(srv);
    await postJson(srv, '/api/logout', {}, { cookie });
    const { ws, hello } = await openWs(srv, { cookie });
    try {
      assert.equal(hello.member, null);
    } finally { ws.destroy(); }
  });
});

describe('rate limits', () => {
  test('--login-limit-account 3: the 4th attempt after 3 failures → 429 with retry_after and Retry-After; the right password too', async () => {
    const srv = await start({ args: ['--login-limit-account', '3'] });
    try {
      const { email, password } = await register(srv);
      const other = await register(srv);
      for (let i = 0; i < 3; i++) assertHttpError(await login(srv, email, `wrong-${i}-password`), 401, 'bad_credentials');
      const r = await login(srv, email, 'wrong-again-password');
      const err = assertHttpError(r, 429, 'rate_limited');
      assert.ok(Number.isInteger(err.retry_after), `retry_after must be whole seconds: ${JSON.stringify(r.json)}`);
      assert.ok(err.retry_after > 0 && err.retry_after <= 15 * 60, `retry_after ${err.retry_after}`);
      assert.equal(r.headers['retry-after'], String(err.retry_after));
      const right = await login(srv, email, password);
      assertHttpError(right, 429, 'rate_limited');
      assert.equal(findCookie(right), null, 'no session while limited');
      // another account is not affected
      assert.equal((await login(srv, other.email, other.password)).status, 200);
    } finally { await srv.stop(); }
  });

  test('RAATI_LOGIN_LIMIT_ACCOUNT=2 in the environment sets the per-account limit', async () => {
    const srv = await start({ env: { RAATI_LOGIN_LIMIT_ACCOUNT: '2' } });
    try {
      const { email, password } = await register(srv);
      for (let i = 0; i < 2; i++) assertHttpError(await login(srv, email, 'wrong-password-x'), 401, 'bad_credentials');
      assertHttpError(await login(srv, email, password), 429, 'rate_limited');
    } finally { await srv.stop(); }
  });

  test('successful sign-ins do not count as failures for the account', async () => {
    const srv = await start({ args: ['--login-limit-account', '2'] });
    try {
      const { email, password } = await register(srv);
      for (let i = 0; i < 4; i++) assert.equal((await login(srv, email, password)).status, 200);
    } finally { await srv.stop(); }
  });

  test('--login-limit-address 4: the 5th attempt from the address → 429, for any account', async () => {
    const srv = await start({ args: ['--login-limit-address', '4'] });
    try {
      const a = await register(srv);
      assert.equal((await login(srv, a.email, a.password)).status, 200);
      assertHttpError(await login(srv, uniqueEmail('x'), 'wrong-password-1'), 401, 'bad_credentials');
      assertHttpError(await login(srv, uniqueEmail('y'), 'wrong-password-2'), 401, 'bad_credentials');
      assertHttpError(await login(srv, a.email, 'wrong-password-3'), 401, 'bad_credentials');
      const r = await login(srv, a.email, a.password);
      const err = assertHttpError(r, 429, 'rate_limited');
      assert.ok(Number.isInteger(err.retry_after) && err.retry_after > 0 && err.retry_after <= 5 * 60, `retry_after ${err.retry_after}`);
      assert.equal(r.headers['retry-after'], String(err.retry_after));
      assertHttpError(await login(srv, uniqueEmail('z'), 'wrong-password-4'), 429, 'rate_limited');
      // registration is counted separately, and the signed-in session still works
      assert.equal((await get(srv, '/api/me', { cookie: a.cookie })).status, 200);
    } finally { await srv.stop(); }
  });

  test('X-Forwarded-For is ignored without RAATI_TRUST_PROXY', async () => {
    const srv = await start({ args: ['--login-limit-address', '2'] });
    try {
      for (let i = 0; i < 2; i++) {
        await login(srv, uniqueEmail(), 'wrong-password', { headers: { 'X-Forwarded-For': `198.51.100.${i}` } });
      }
      const r = await login(srv, uniqueEmail(), 'wrong-password', { headers: { 'X-Forwarded-For': '198.51.100.99' } });
      assertHttpError(r, 429, 'rate_limited');
    } finally { await srv.stop(); }
  });

  test('with RAATI_TRUST_PROXY=1 the address comes from X-Forwarded-For', async () => {
    const srv = await start({ args: ['--login-limit-address', '2'], env: { RAATI_TRUST_PROXY: '1' } });
    try {
      const xff = { 'X-Forwarded-For': '198.51.100.7' };
      for (let i = 0; i < 2; i++) await login(srv, uniqueEmail(), 'wrong-password', { headers: xff });
      assertHttpError(await login(srv, uniqueEmail(), 'wrong-password', { headers: xff }), 429, 'rate_limited');
      const r = await login(srv, uniqueEmail(), 'wrong-password', { headers: { 'X-Forwarded-For': '198.51.100.8' } });
      assertHttpError(r, 401, 'bad_credentials');
    } finally { await srv.stop(); }
  });
});

describe('storage of secrets', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  function dbFiles() {
    return [srv.db, `${srv.db}-wal`].filter(existsSync).map((f) => readFileSync(f));
  }

  test('the session token is not in the database, only a hash', async () => {
    const { cookie, email, password } = await register(srv);
    const second = await loginCookie(srv, email, password);
    const dump = sqlite(srv.db, '.dump');
    for (const c of [cookie, second]) {
      const token = c.split('=')[1];
      const raw = Buffer.from(token, 'base64url');
      assert.equal(raw.length, 32, 'the token is 32 bytes');
      for (const form of [token, raw.toString('hex'), raw.toString('hex').toUpperCase(), raw.toString('base64')]) {
        assert.ok(!dump.includes(form), `the database holds the session token (as ${form.slice(0, 8)}…)`);
      }
      for (const bytes of dbFiles()) {
        assert.equal(bytes.indexOf(Buffer.from(token)), -1, 'the token text is in the database file');
        assert.equal(bytes.indexOf(raw), -1, 'the raw token bytes are in the database file');
      }
    }
    // the session exists (it works) even though the token is not stored
    assert.equal((await get(srv, '/api/me', { cookie })).status, 200);
  });

  test('the password is stored as an Argon2id string, never in clear', async () => {
    const { password } = await register(srv);
    const dump = sqlite(srv.db, '.dump');
    assert.match(dump, /\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    assert.ok(!dump.includes(password), 'the password is in the database');
    for (const bytes of dbFiles()) assert.equal(bytes.indexOf(Buffer.from(password)), -1, 'the password is in the database file');
  });

  test('sessions end on the server side: a deleted session is refused although the browser keeps the cookie', async () => {
    const { cookie } = await register(srv);
    await postJson(srv, '/api/logout', {}, { cookie });
    const token = cookie.split('=')[1];
    assert.ok(!sqlite(srv.db, '.dump').includes(token));
    assertHttpError(await get(srv, '/api/me', { cookie }), 401, 'unauthenticated');
  });
});
