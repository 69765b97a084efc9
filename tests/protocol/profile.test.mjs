// profile.get, profile.update and password.change over the WebSocket.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, postJson } from './http.mjs';
import {
  start, getConfig, register, login, loginCookie, openWs,
  assertError, assertHttpError, assertMemberShape,
} from './helpers.mjs';

describe('profile', () => {
  let srv;
  let cfg;
  before(async () => { srv = await start(); cfg = await getConfig(srv); });
  after(async () => { await srv?.stop(); });

  async function session() {
    const reg = await register(srv);
    const { ws, hello } = await openWs(srv, { cookie: reg.cookie });
    assert.ok(hello.member, 'hello.member with the cookie');
    return { ...reg, ws };
  }

  test('profile.get returns the member', async () => {
    const { ws, member } = await session();
    try {
      const r = await ws.request({ type: 'profile.get' });
      assert.equal(r.ok, true, JSON.stringify(r));
      assertMemberShape(r.member);
      assert.deepEqual(r.member, member);
    } finally { ws.destroy(); }
  });

  test('profile.update changes the sent fields and persists them', async () => {
    const { ws, member, cookie } = await session();
    try {
      const areas = cfg.interest_areas.slice(-2).map((a) => a.id);
      const muni = cfg.municipalities.at(-1).id;
      const change = {
        display_name: 'Maija K.', birth_year: cfg.current_year - 30,
        municipality: muni, interest_areas: areas, language: 'sv',
      };
      const r = await ws.request({ type: 'profile.update', ...change });
      assert.equal(r.ok, true, JSON.stringify(r));
      const expected = { ...member, ...change };
      assert.deepEqual({ ...r.member, interest_areas: [...r.member.interest_areas].sort() },
        { ...expected, interest_areas: [...areas].sort() });
      const g = await ws.request({ type: 'profile.get' });
      assert.deepEqual(g.member, r.member);
      const me = await get(srv, '/api/me', { cookie });
      assert.deepEqual(me.json.member, r.member);
    } finally { ws.destroy(); }
  });

  test('profile.update leaves fields that are not sent as they were', async () => {
    const { ws, member } = await session();
    try {
      const r = await ws.request({ type: 'profile.update', display_name: 'Vain nimi' });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual(r.member, { ...member, display_name: 'Vain nimi' });
    } finally { ws.destroy(); }
  });

  test('profile.update with no fields changes nothing', async () => {
    const { ws, member } = await session();
    try {
      const r = await ws.request({ type: 'profile.update' });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual(r.member, member);
    } finally { ws.destroy(); }
  });

  test('profile.update trims the display name', async () => {
    const { ws } = await session();
    try {
      const r = await ws.request({ type: 'profile.update', display_name: '  Matti  ' });
      assert.equal(r.member.display_name, 'Matti');
    } finally { ws.destroy(); }
  });

  test('profile.update with an empty interest_areas clears them', async () => {
    const { ws } = await session();
    try {
      const r = await ws.request({ type: 'profile.update', interest_areas: [] });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual(r.member.interest_areas, []);
    } finally { ws.destroy(); }
  });

  test('profile.update cannot change email or role', async () => {
    const { ws, member } = await session();
    try {
      const r = await ws.request({ type: 'profile.update', role: 'admin', email: 'hijack@raati.example' });
      const g = await ws.request({ type: 'profile.get' });
      assert.equal(g.member.role, 'member');
      assert.equal(g.member.email, member.email);
      if (r.ok) assert.equal(r.member.role, 'member');
    } finally { ws.destroy(); }
  });

  const bad = [
    ['display_name', 5, 'invalid_field'],
    ['display_name', '', 'invalid_field'],
    ['display_name', 'x'.repeat(61), 'invalid_field'],
    ['display_name', 'a\u0001b', 'invalid_field'],
    ['birth_year', '1980', 'invalid_field'],
    ['birth_year', 1980.5, 'invalid_field'],
    ['birth_year', () => cfg.current_year - 121, 'invalid_field'],
    ['birth_year', () => cfg.current_year - 14, 'too_young'],
    ['municipality', 3, 'invalid_field'],
    ['municipality', 'atlantis', 'invalid_field'],
    ['interest_areas', 'digipalvelut', 'invalid_field'],
    ['interest_areas', ['no-such-area'], 'invalid_field'],
    ['interest_areas', [1], 'invalid_field'],
    ['interest_areas', () => [cfg.interest_areas[0].id, cfg.interest_areas[0].id], 'invalid_field'],
    ['language', 1, 'invalid_field'],
    ['language', 'de', 'invalid_field'],
  ];
  for (const [field, value, code] of bad) {
    const shown = typeof value === 'function' ? String(value).replace(/^\(\) => /, '') : JSON.stringify(value);
    test(`profile.update ${field}: ${shown.slice(0, 40)} → ${code} (field ${field}), nothing changed, connection usable`, async () => {
      const { ws, member } = await session();
      try {
        const v = typeof value === 'function' ? value() : value;
        const r = await ws.request({ type: 'profile.update', display_name: 'Ei tallennu', [field]: v });
        assertError(r, code, field);
        const g = await ws.request({ type: 'profile.get' });
        assert.deepEqual(g.member, member, 'a refused update must change nothing');
      } finally { ws.destroy(); }
    });
  }
});

describe('password.change', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  test('a wrong current password → wrong_password (field current_password); the old password still works', async () => {
    const { cookie, email, password } = await register(srv);
    const { ws } = await openWs(srv, { cookie });
    try {
      const r = await ws.request({ type: 'password.change', current_password: 'not-the-password', new_password: 'Uusi-salasana-1' }, { timeout: 10000 });
      assertError(r, 'wrong_password', 'current_password');
      assert.equal((await login(srv, email, password)).status, 200);
      assertHttpError(await login(srv, email, 'Uusi-salasana-1'), 401, 'bad_credentials');
      assert.equal((await ws.request({ type: 'ping' })).ok, true);
    } finally { ws.destroy(); }
  });

  test('missing current_password → missing_field; missing new_password → missing_field', async () => {
    const { cookie, password } = await register(srv);
    const { ws } = await openWs(srv, { cookie });
    try {
      assertError(await ws.request({ type: 'password.change', new_password: 'Uusi-salasana-1' }), 'missing_field', 'current_password');
      assertError(await ws.request({ type: 'password.change', current_password: password }), 'missing_field', 'new_password');
    } finally { ws.destroy(); }
  });

  test('new_password of 7 bytes or 1025 bytes → invalid_field (field new_password)', async () => {
    const { cookie, email, password } = await register(srv);
    const { ws } = await openWs(srv, { cookie });
    try {
      for (const np of ['short12', 'p'.repeat(1025)]) {
        assertError(await ws.request({ type: 'password.change', current_password: password, new_password: np }, { timeout: 10000 }), 'invalid_field', 'new_password');
      }
      assertError(await ws.request({ type: 'password.change', current_password: password, new_password: 12345678 }), 'invalid_field', 'new_password');
      assert.equal((await login(srv, email, password)).status, 200, 'the password must be unchanged');
    } finally { ws.destroy(); }
  });

  test('success: the new password signs in, the old one does not', async () => {
    const { cookie, email, password } = await register(srv);
    const { ws } = await openWs(srv, { cookie });
    try {
      const r = await ws.request({ type: 'password.change', current_password: password, new_password: 'Uusi-salasana-2026' }, { timeout: 10000 });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal((await login(srv, email, 'Uusi-salasana-2026')).status, 200);
      assertHttpError(await login(srv, email, password), 401, 'bad_credentials');
    } finally { ws.destroy(); }
  });

  test('success ends the member\'s other sessions and closes their connections; this one stays', async () => {
    const { cookie, email, password } = await register(srv);
    const other = await loginCookie(srv, email, password);
    const { ws } = await openWs(srv, { cookie });
    const { ws: otherWs, hello: otherHello } = await openWs(srv, { cookie: other });
    const stranger = await register(srv);
    const { ws: strangerWs } = await openWs(srv, { cookie: stranger.cookie });
    try {
      assert.ok(otherHello.member);
      const r = await ws.request({ type: 'password.change', current_password: password, new_password: 'Uusi-salasana-2026' }, { timeout: 10000 });
      assert.equal(r.ok, true, JSON.stringify(r));
      await otherWs.waitClosed({ timeout: 5000 });
      assertHttpError(await get(srv, '/api/me', { cookie: other }), 401, 'unauthenticated');
      const { ws: again, hello: againHello } = await openWs(srv, { cookie: other });
      again.destroy();
      assert.equal(againHello.member, null, 'the ended session must not sign in a new connection');
      // this session is still signed in, over WS and HTTP
      const g = await ws.request({ type: 'profile.get' });
      assert.equal(g.ok, true, JSON.stringify(g));
      assert.equal((await get(srv, '/api/me', { cookie })).status, 200);
      // another member is untouched
      assert.equal((await strangerWs.request({ type: 'profile.get' })).ok, true);
      assert.equal((await get(srv, '/api/me', { cookie: stranger.cookie })).status, 200);
    } finally { ws.destroy(); otherWs.destroy(); strangerWs.destroy(); }
  });

  test('the logout after a password change still works', async () => {
    const { cookie, password } = await register(srv);
    const { ws } = await openWs(srv, { cookie });
    try {
      const r = await ws.request({ type: 'password.change', current_password: password, new_password: 'Uusi-salasana-2026' }, { timeout: 10000 });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal((await postJson(srv, '/api/logout', {}, { cookie })).status, 200);
      await ws.waitClosed({ timeout: 5000 });
    } finally { ws.destroy(); }
  });

  test('wrong current passwords count as failed sign-ins → rate_limited', async () => {
    const s = await start({ args: ['--login-limit-account', '2'] });
    try {
      const { cookie, email, password } = await register(s);
      const { ws } = await openWs(s, { cookie });
      try {
        for (let i = 0; i < 2; i++) {
          assertError(await ws.request({ type: 'password.change', current_password: `wrong-${i}-pass`, new_password: 'Uusi-salasana-1' }, { timeout: 10000 }), 'wrong_password', 'current_password');
        }
        const r = await ws.request({ type: 'password.change', current_password: password, new_password: 'Uusi-salasana-1' }, { timeout: 10000 });
        const err = assertError(r, 'rate_limited');
        assert.ok(Number.isInteger(err.retry_after) && err.retry_after > 0, `retry_after ${err.retry_after}`);
        assertHttpError(await login(s, email, password), 429, 'rate_limited');
      } finally { ws.destroy(); }
    } finally { await s.stop(); }
  });
});
