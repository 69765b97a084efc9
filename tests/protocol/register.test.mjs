// POST /api/register: success, the session cookie, every validation rule in
// docs/protocol.md, duplicates, and the generic API POST checks (Content-Type,
// Origin, JSON, size).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, postJson, findCookie, sessionCookie } from './http.mjs';
import {
  start, getConfig, validRegistration, register, login, uniqueEmail,
  assertHttpError, assertMemberShape, ISO_MS,
} from './helpers.mjs';

// A unique, well-formed address of exactly n bytes: a short local part and
// a long domain of DNS-sized labels (so only the total length is at stake).
function emailOfLength(n) {
  const local = uniqueEmail('len').split('@')[0];
  const body = n - local.length - 1 - '.example'.length;
  let domain = '';
  for (let i = 0; i < body; i++) domain += (i % 51 === 50 && i !== body - 1) ? '.' : 'd';
  const email = `${local}@${domain}.example`;
  assert.equal(Buffer.byteLength(email), n);
  return email;
}

describe('register', () => {
  let srv;
  let cfg;
  before(async () => { srv = await start(); cfg = await getConfig(srv); });
  after(async () => { await srv?.stop(); });

  const post = (body, opts) => postJson(srv, '/api/register', body, opts);

  describe('success', () => {
    test('201 with the member, signed in', async () => {
      const body = await validRegistration(srv);
      const r = await post(body);
      assert.equal(r.status, 201, r.body);
      assert.equal(r.json.ok, true);
      const m = r.json.member;
      assertMemberShape(m);
      assert.equal(m.email, body.email);
      assert.equal(m.display_name, body.display_name);
      assert.equal(m.role, 'member');
      assert.equal(m.birth_year, body.birth_year);
      assert.equal(m.municipality, body.municipality);
      assert.deepEqual(m.interest_areas, body.interest_areas);
      assert.equal(m.language, 'fi');
      assert.equal(m.privacy_consent.version, cfg.privacy_notice_version);
      assert.match(m.privacy_consent.at, ISO_MS);
      assert.match(String(r.headers['cache-control']), /no-store/);
    });

    test('the session cookie is HttpOnly, SameSite=Lax, Path=/, 30 days, not Secure on http', async () => {
      const r = await post(await validRegistration(srv));
      assert.equal(r.status, 201, r.body);
      const c = findCookie(r);
      assert.ok(c, `no raati_session cookie in ${JSON.stringify(r.setCookies)}`);
      assert.match(c.value, /^[A-Za-z0-9_-]{43}$/, 'token is 43 url-safe base64 chars');
      assert.ok(c.flags.has('httponly'), `HttpOnly missing: ${c.raw}`);
      assert.equal(c.attrs.samesite?.toLowerCase(), 'lax', `SameSite: ${c.raw}`);
      assert.equal(c.attrs.path, '/', `Path: ${c.raw}`);
      assert.equal(c.attrs['max-age'], '2592000', `Max-Age: ${c.raw}`);
      assert.ok(!c.flags.has('secure'), `Secure must not be set on http: ${c.raw}`);
    });

    test('the cookie signs the new member in: /api/me returns them', async () => {
      const { cookie, member } = await register(srv);
      const r = await get(srv, '/api/me', { cookie });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(r.json.member, member);
    });

    test('two registrations get different session tokens', async () => {
      const a = await register(srv);
      const b = await register(srv);
      assert.notEqual(a.cookie, b.cookie);
      assert.notEqual(a.member.id, b.member.id);
    });

    test('the registered password signs in', async () => {
      const { email, password } = await register(srv);
      const r = await login(srv, email, password);
      assert.equal(r.status, 200, r.body);
    });

    test('email is stored trimmed and lower-cased', async () => {
      const email = uniqueEmail('MiXeD').toUpperCase();
      const { member } = await register(srv, { email: `  ${email}  ` });
      assert.equal(member.email, email.toLowerCase());
    });

    test('language is optional and defaults to fi', async () => {
      const body = await validRegistration(srv);
      delete body.language;
      const r = await post(body);
      assert.equal(r.status, 201, r.body);
      assert.equal(r.json.member.language, 'fi');
    });

    test('language sv and en are kept', async () => {
      for (const language of ['sv', 'en']) {
        const { member } = await register(srv, { language });
        assert.equal(member.language, language);
      }
    });

    test('an empty interest_areas array is accepted', async () => {
      const { member } = await register(srv, { interest_areas: [] });
      assert.deepEqual(member.interest_areas, []);
    });

    test('several distinct interest areas are accepted', async () => {
      const ids = cfg.interest_areas.slice(0, 3).map((a) => a.id);
      const { member } = await register(srv, { interest_areas: ids });
      assert.deepEqual([...member.interest_areas].sort(), [...ids].sort());
    });

    test('birth year exactly current year − 15 is accepted', async () => {
      const { member } = await register(srv, { birth_year: cfg.current_year - 15 });
      assert.equal(member.birth_year, cfg.current_year - 15);
    });

    test('birth year exactly current year − 120 is accepted', async () => {
      const { member } = await register(srv, { birth_year: cfg.current_year - 120 });
      assert.equal(member.birth_year, cfg.current_year - 120);
    });

    test('a display name of 60 characters (120 bytes) is accepted and trimmed', async () => {
      const name = 'ä'.repeat(60);
      const { member } = await register(srv, { display_name: `  ${name} ` });
      assert.equal(member.display_name, name);
    });

    test('a display name of 60 emoji (4-byte characters) is accepted', async () => {
      const { member } = await register(srv, { display_name: '😀'.repeat(60) });
      assert.equal(member.display_name, '😀'.repeat(60));
    });

    test('an email of exactly 254 bytes is accepted', async () => {
      const email = emailOfLength(254);
      const { member } = await register(srv, { email });
      assert.equal(member.email, email);
    });

    test('passwords of 8 and 1024 bytes are accepted', async () => {
      await register(srv, { password: 'abcdefgh' });
      await register(srv, { password: 'p'.repeat(1024) });
    });

    test('the password length is in bytes: 4 × "ä" (8 bytes) is accepted', async () => {
      const { email } = await register(srv, { password: 'ääää' });
      const r = await login(srv, email, 'ääää');
      assert.equal(r.status, 200, r.body);
    });

    test('Content-Type application/json; charset=utf-8 is accepted', async () => {
      const r = await post(await validRegistration(srv), { contentType: 'application/json; charset=utf-8' });
      assert.equal(r.status, 201, r.body);
    });

    test('a POST without Origin (not a browser) is accepted', async () => {
      const r = await post(await validRegistration(srv), { origin: null });
      assert.equal(r.status, 201, r.body);
    });

    test('Origin http://localhost:PORT is accepted', async () => {
      const r = await post(await validRegistration(srv), { origin: `http://localhost:${srv.port}` });
      assert.equal(r.status, 201, r.body);
    });
  });

  describe('validation', () => {
    // [name, change(body, cfg) → body, status, code, field]
    const Y = () => cfg.current_year;
    const without = (k) => (b) => { delete b[k]; return b; };
    const set = (k, v) => (b) => ({ ...b, [k]: typeof v === 'function' ? v() : v });
    const cases = [
      ['email missing', without('email'), 400, 'missing_field', 'email'],
      ['email not a string', set('email', 42), 400, 'invalid_field', 'email'],
      ['email without @', set('email', 'maija.raati.example'), 400, 'invalid_field', 'email'],
      ['email with two @', set('email', 'maija@x@raati.example'), 400, 'invalid_field', 'email'],
      ['email with empty local part', set('email', '@raati.example'), 400, 'invalid_field', 'email'],
      ['email without a dot in the domain', set('email', 'maija@localhost'), 400, 'invalid_field', 'email'],
      ['email with a space inside', set('email', 'maija k@raati.example'), 400, 'invalid_field', 'email'],
      ['email of 255 bytes', set('email', () => emailOfLength(255)), 400, 'invalid_field', 'email'],
      ['email empty', set('email', ''), 400, 'invalid_field', 'email'],
      ['display_name missing', without('display_name'), 400, 'missing_field', 'display_name'],
      ['display_name empty', set('display_name', ''), 400, 'invalid_field', 'display_name'],
      ['display_name only spaces', set('display_name', '    '), 400, 'invalid_field', 'display_name'],
      ['display_name of 61 characters', set('display_name', 'a'.repeat(61)), 400, 'invalid_field', 'display_name'],
      ['display_name with a control character', set('display_name', 'Maija\u0007'), 400, 'invalid_field', 'display_name'],
      ['display_name with a newline', set('display_name', 'Maija\nK'), 400, 'invalid_field', 'display_name'],
      ['display_name with DEL (U+007F)', set('display_name', 'Maija\u007f'), 400, 'invalid_field', 'display_name'],
      ['display_name with a C1 control (U+0085)', set('display_name', 'Maija\u0085K'), 400, 'invalid_field', 'display_name'],
      ['display_name of 61 emoji', set('display_name', '😀'.repeat(61)), 400, 'invalid_field', 'display_name'],
      ['display_name not a string', set('display_name', 7), 400, 'invalid_field', 'display_name'],
      ['password missing', without('password'), 400, 'missing_field', 'password'],
      ['password of 7 bytes', set('password', 'abcdefg'), 400, 'invalid_field', 'password'],
      ['password of 1025 bytes', set('password', 'p'.repeat(1025)), 400, 'invalid_field', 'password'],
      ['password not a string', set('password', 12345678), 400, 'invalid_field', 'password'],
      ['birth_year missing', without('birth_year'), 400, 'missing_field', 'birth_year'],
      ['birth_year as a string', set('birth_year', () => String(Y() - 40)), 400, 'invalid_field', 'birth_year'],
      ['birth_year with a fraction', set('birth_year', () => Y() - 40 + 0.5), 400, 'invalid_field', 'birth_year'],
      ['birth_year current year − 121', set('birth_year', () => Y() - 121), 400, 'invalid_field', 'birth_year'],
      ['birth_year current year − 14', set('birth_year', () => Y() - 14), 400, 'too_young', 'birth_year'],
      ['birth_year current year', set('birth_year', () => Y()), 400, 'too_young', 'birth_year'],
      ['municipality missing', without('municipality'), 400, 'missing_field', 'municipality'],
      ['municipality not configured', set('municipality', 'atlantis'), 400, 'invalid_field', 'municipality'],
      ['municipality not a string', set('municipality', 3), 400, 'invalid_field', 'municipality'],
      ['interest_areas not an array', set('interest_areas', () => cfg.interest_areas[0].id), 400, 'invalid_field', 'interest_areas'],
      ['interest_areas with an unknown id', set('interest_areas', ['no-such-area']), 400, 'invalid_field', 'interest_areas'],
      ['interest_areas with a duplicate', set('interest_areas', () => [cfg.interest_areas[0].id, cfg.interest_areas[0].id]), 400, 'invalid_field', 'interest_areas'],
      ['interest_areas with a non-string', set('interest_areas', [5]), 400, 'invalid_field', 'interest_areas'],
      ['privacy_consent missing', without('privacy_consent'), 400, 'missing_field', 'privacy_consent'],
      ['privacy_consent false', set('privacy_consent', false), 400, 'invalid_field', 'privacy_consent'],
      ['privacy_consent as the string "true"', set('privacy_consent', 'true'), 400, 'invalid_field', 'privacy_consent'],
      ['privacy_consent 1', set('privacy_consent', 1), 400, 'invalid_field', 'privacy_consent'],
      ['privacy_notice_version missing', without('privacy_notice_version'), 400, 'missing_field', 'privacy_notice_version'],
      ['privacy_notice_version not the configured one', set('privacy_notice_version', '1999-1'), 400, 'invalid_field', 'privacy_notice_version'],
      ['privacy_notice_version not a string', set('privacy_notice_version', 2026), 400, 'invalid_field', 'privacy_notice_version'],
      ['language not fi/sv/en', set('language', 'de'), 400, 'invalid_field', 'language'],
      ['language not a string', set('language', 1), 400, 'invalid_field', 'language'],
    ];
    for (const [name, change, status, code, field] of cases) {
      test(`${name} → ${status} ${code} (field ${field}), and no member is created`, async () => {
        const good = await validRegistration(srv);
        const body = change({ ...good });
        const r = await post(body);
        assertHttpError(r, status, code, field);
        assert.equal(findCookie(r), null, 'a refused registration must not set a session cookie');
        // Nothing was created: the valid form of the same registration works.
        if (field !== 'email') {
          const again = await post(good);
          assert.equal(again.status, 201, `the same email after a refusal: ${again.body}`);
        }
      });
    }

    test('a refused registration (too_young) leaves no account to sign in to', async () => {
      const body = await validRegistration(srv, { birth_year: cfg.current_year - 14 });
      assertHttpError(await post(body), 400, 'too_young', 'birth_year');
      assertHttpError(await login(srv, body.email, body.password), 401, 'bad_credentials');
    });

    test('a refused registration (consent false) leaves no account to sign in to', async () => {
      const body = await validRegistration(srv, { privacy_consent: false });
      assertHttpError(await post(body), 400, 'invalid_field', 'privacy_consent');
      assertHttpError(await login(srv, body.email, body.password), 401, 'bad_credentials');
    });
  });

  describe('duplicates', () => {
    test('the same email again → 409 email_taken (field email)', async () => {
      const { email } = await register(srv);
      const r = await post(await validRegistration(srv, { email }));
      assertHttpError(r, 409, 'email_taken', 'email');
      assert.equal(findCookie(r), null);
    });

    test('the same email in other case and with spaces → 409 email_taken', async () => {
      const { email } = await register(srv);
      const r = await post(await validRegistration(srv, { email: ` ${email.toUpperCase()} ` }));
      assertHttpError(r, 409, 'email_taken', 'email');
    });

    test('a refused duplicate does not change the first account\'s password', async () => {
      const first = await register(srv);
      const second = await validRegistration(srv, { email: first.email });
      assertHttpError(await post(second), 409, 'email_taken', 'email');
      assert.equal((await login(srv, first.email, first.password)).status, 200);
      assertHttpError(await login(srv, first.email, second.password), 401, 'bad_credentials');
    });
  });

  describe('request checks', () => {
    test('Content-Type text/plain → 415 unsupported_media_type', async () => {
      const body = await validRegistration(srv);
      const r = await post(undefined, { raw: JSON.stringify(body), contentType: 'text/plain' });
      assertHttpError(r, 415, 'unsupported_media_type');
      assertHttpError(await login(srv, body.email, body.password), 401, 'bad_credentials');
    });

    test('a form-encoded POST → 415 unsupported_media_type', async () => {
      const r = await post(undefined, { raw: 'email=a%40b.fi&password=x', contentType: 'application/x-www-form-urlencoded' });
      assertHttpError(r, 415, 'unsupported_media_type');
    });

    test('no Content-Type → 415 unsupported_media_type', async () => {
      const r = await post(await validRegistration(srv), { contentType: null });
      assertHttpError(r, 415, 'unsupported_media_type');
    });

    test('a foreign Origin → 403 bad_origin, and no member is created', async () => {
      const body = await validRegistration(srv);
      const r = await post(body, { origin: 'http://evil.example' });
      assertHttpError(r, 403, 'bad_origin');
      assert.equal(findCookie(r), null);
      assertHttpError(await login(srv, body.email, body.password), 401, 'bad_credentials');
    });

    test('Origin on another port → 403 bad_origin', async () => {
      const r = await post(await validRegistration(srv), { origin: `http://127.0.0.1:${srv.port + 1}` });
      assertHttpError(r, 403, 'bad_origin');
    });

    test('Origin "null" → 403 bad_origin', async () => {
      const r = await post(await validRegistration(srv), { origin: 'null' });
      assertHttpError(r, 403, 'bad_origin');
    });

    test('malformed JSON → 400 bad_json', async () => {
      assertHttpError(await post(undefined, { raw: '{"email": "a@b.fi",' }), 400, 'bad_json');
    });

    test('an empty body → 400 bad_json', async () => {
      assertHttpError(await post(undefined, { raw: '' }), 400, 'bad_json');
    });

    test('a duplicate key → 400 bad_json', async () => {
      const body = await validRegistration(srv);
      const raw = JSON.stringify(body).replace(/^\{/, `{"email":"other-${Date.now()}@raati.example",`);
      assertHttpError(await post(undefined, { raw }), 400, 'bad_json');
    });

    test('invalid UTF-8 in the body → 400 bad_json', async () => {
      const json = Buffer.from(JSON.stringify(await validRegistration(srv, { display_name: 'XX' })));
      const i = json.indexOf('XX');
      json[i] = 0xff; json[i + 1] = 0xfe;
      assertHttpError(await post(undefined, { raw: json }), 400, 'bad_json');
    });

    for (const raw of ['[]', '42', '"maija"', 'null', 'true']) {
      test(`a JSON ${raw} body → 400 not_object`, async () => {
        assertHttpError(await post(undefined, { raw }), 400, 'not_object');
      });
    }

    test('a body of 16 KiB + 1 byte → 413 too_large', async () => {
      const body = await validRegistration(srv);
      const base = JSON.stringify({ ...body, pad: '' });
      const raw = JSON.stringify({ ...body, pad: 'x'.repeat(16 * 1024 + 1 - Buffer.byteLength(base)) });
      assert.equal(Buffer.byteLength(raw), 16 * 1024 + 1);
      const r = await post(undefined, { raw });
      assertHttpError(r, 413, 'too_large');
      assertHttpError(await login(srv, body.email, body.password), 401, 'bad_credentials');
    });

    test('a body of exactly 16 KiB is not too large', async () => {
      const body = await validRegistration(srv);
      const base = JSON.stringify({ ...body, pad: '' });
      const raw = JSON.stringify({ ...body, pad: 'x'.repeat(16 * 1024 - Buffer.byteLength(base)) });
      assert.equal(Buffer.byteLength(raw), 16 * 1024);
      const r = await post(undefined, { raw });
      assert.equal(r.status, 201, r.body);
    });

    test('a 64 KiB body → 413 too_large and the server stays up', async () => {
      const r = await post(undefined, { raw: JSON.stringify({ pad: 'x'.repeat(64 * 1024) }) });
      assertHttpError(r, 413, 'too_large');
      assert.equal((await get(srv, '/healthz')).status, 200);
    });
  });
});

describe('register rate limit', () => {
  test('--register-limit-address 2: the third registration from one address → 429 rate_limited', async () => {
    const srv = await start({ args: ['--register-limit-address', '2'] });
    try {
      await register(srv);
      await register(srv);
      const body = await validRegistration(srv);
      const r = await postJson(srv, '/api/register', body);
      const err = assertHttpError(r, 429, 'rate_limited');
      assert.ok(Number.isInteger(err.retry_after) && err.retry_after > 0 && err.retry_after <= 3600,
        `retry_after ${err.retry_after}`);
      assert.equal(r.headers['retry-after'], String(err.retry_after));
      assert.equal(findCookie(r), null);
      assertHttpError(await login(srv, body.email, body.password), 401, 'bad_credentials');
    } finally { await srv.stop(); }
  });

  test('the HTTPS public URL adds Secure to the cookie', async () => {
    const srv = await start({ args: ['--public-url', 'https://raati.example'] });
    try {
      const body = await validRegistration(srv);
      const r = await postJson(srv, '/api/register', body, { origin: 'https://raati.example' });
      assert.equal(r.status, 201, r.body);
      const c = findCookie(r);
      assert.ok(c.flags.has('secure'), `Secure missing: ${c.raw}`);
      assert.ok(c.flags.has('httponly'));
      assert.ok(sessionCookie(r));
      // and the loopback origin is no longer this server's origin
      const r2 = await postJson(srv, '/api/register', await validRegistration(srv), { origin: srv.origin });
      assertHttpError(r2, 403, 'bad_origin');
    } finally { await srv.stop(); }
  });
});
