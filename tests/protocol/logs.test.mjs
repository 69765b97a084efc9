// The server log never holds secrets: passwords, session tokens, cookies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, postJson } from './http.mjs';
import { start, register, login, loginCookie, openWs, uniqueEmail } from './helpers.mjs';

test('after registrations, sign-ins, failures, a password change and logouts the log holds no password, token or cookie', { timeout: 60000 }, async () => {
  const srv = await start({ env: { RAATI_LOG_LEVEL: 'debug' } });
  const secrets = [];
  try {
    const a = await register(srv);
    const b = await register(srv, { password: 'Toinen-Salasana-xyz' });
    secrets.push(a.password, b.password);
    const c1 = await loginCookie(srv, a.email, a.password);
    const failed = 'Vaara-Salasana-qwerty';
    secrets.push(failed);
    await login(srv, a.email, failed);
    await login(srv, uniqueEmail('nobody'), 'Tuntematon-Salasana-42');
    secrets.push('Tuntematon-Salasana-42');
    // a refused registration with a password
    await postJson(srv, '/api/register', { email: uniqueEmail(), password: 'Hylatty-Salasana-77', display_name: 'X' });
    secrets.push('Hylatty-Salasana-77');
    // malformed bodies that contain a password
    await postJson(srv, '/api/login', undefined, { raw: `{"email":"x@raati.example","password":"Rikki-Salasana-55"` });
    secrets.push('Rikki-Salasana-55');

    const { ws } = await openWs(srv, { cookie: a.cookie });
    const newPw = 'Uusi-Salasana-2026-abc';
    const wrongCur = 'Vaara-Nykyinen-999';
    secrets.push(newPw, wrongCur);
    await ws.request({ type: 'password.change', current_password: wrongCur, new_password: newPw }, { timeout: 10000 });
    await ws.request({ type: 'password.change', current_password: a.password, new_password: newPw }, { timeout: 10000 });
    ws.sendText(`{"type":"password.change","current_password":"Rikki-WS-Salasana-1"`); // bad_json with a password in it
    secrets.push('Rikki-WS-Salasana-1');
    await ws.next();
    ws.destroy();

    const forged = 'raati_session=' + 'Q'.repeat(43);
    await get(srv, '/api/me', { cookie: forged });
    await get(srv, '/api/me', { cookie: b.cookie });
    await postJson(srv, '/api/logout', {}, { cookie: b.cookie });
    await postJson(srv, '/api/logout', {}, { cookie: c1 });

    const tokens = [a.cookie, b.cookie, c1, forged].map((c) => c.split('=')[1]);
    await srv.stop();
    const log = srv.log();
    assert.ok(log.length > 0, 'the server logged nothing');
    for (const s of secrets) assert.ok(!log.includes(s), `the log contains a password (${s.slice(0, 4)}…)`);
    for (const t of tokens) {
      assert.ok(!log.includes(t), `the log contains a session token (${t.slice(0, 4)}…)`);
      assert.ok(!log.includes(t.slice(0, 20)), `the log contains a prefix of a session token (${t.slice(0, 4)}…)`);
      assert.ok(!log.includes(Buffer.from(t, 'base64url').toString('hex')), 'the log contains a token in hex');
    }
    assert.ok(!/raati_session=[A-Za-z0-9_-]/.test(log), 'the log contains a cookie value');
    assert.ok(!/\$argon2id\$/.test(log), 'the log contains a password hash');
  } finally {
    await srv.stop();
  }
});
