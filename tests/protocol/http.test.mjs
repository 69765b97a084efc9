// HTTP routes that need no account: /healthz, static files, /api/config,
// headers every response carries, 404/405, and path safety.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join, relative, sep } from 'node:path';
import { get, request, postJson } from './http.mjs';
import { start, root, assertHttpError } from './helpers.mjs';

const webRoot = join(root, 'web');

// First file under web/ (depth-first, sorted) whose name ends with ext.
function findWebFile(ext, under = '') {
  const walk = (dir) => {
    let entries;
    try { entries = readdirSync(dir).sort(); } catch { return null; }
    for (const e of entries) {
      const p = join(dir, e);
      const st = statSync(p);
      if (st.isFile() && e.endsWith(ext)) return p;
    }
    for (const e of entries) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) { const f = walk(p); if (f) return f; }
    }
    return null;
  };
  const f = walk(join(webRoot, under));
  assert.ok(f, `no *${ext} file under web/${under} to serve`);
  return '/' + relative(webRoot, f).split(sep).join('/');
}

// Content-Security-Policy → { directive: [sources] }
function parseCsp(value) {
  assert.ok(value, 'no Content-Security-Policy header');
  const out = {};
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}

function assertSecurityHeaders(res, port, what) {
  const h = res.headers;
  const csp = parseCsp(h['content-security-policy']);
  assert.deepEqual(csp['frame-ancestors'], ["'none'"], `${what}: frame-ancestors`);
  assert.ok(csp['connect-src'], `${what}: no connect-src`);
  assert.ok(csp['connect-src'].includes("'self'"), `${what}: connect-src lacks 'self': ${csp['connect-src']}`);
  for (const src of csp['connect-src']) {
    if (src === "'self'") continue;
    assert.match(src, new RegExp(`^ws://(127\\.0\\.0\\.1|localhost):${port}$`),
      `${what}: connect-src may name only this server's own origin, got ${src}`);
  }
  assert.deepEqual(csp['default-src'], ["'self'"], `${what}: default-src`);
  assert.deepEqual(csp['script-src'], ["'self'"], `${what}: script-src`);
  assert.deepEqual(csp['object-src'], ["'none'"], `${what}: object-src`);
  assert.deepEqual(csp['base-uri'], ["'none'"], `${what}: base-uri`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.equal(h['referrer-policy'], 'same-origin', `${what}: Referrer-Policy`);
  assert.equal(h['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
}

describe('http', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  describe('/healthz', () => {
    test('GET /healthz is 200 JSON {status ok, version, database ok}', async () => {
      const r = await get(srv, '/healthz');
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.equal(r.json.status, 'ok');
      assert.equal(r.json.version, '0.1.0');
      assert.equal(r.json.database, 'ok');
    });
  });

  describe('static files', () => {
    test('GET / is index.html as text/html; charset=utf-8', async () => {
      const r = await get(srv, '/');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.body, readFileSync(join(webRoot, 'index.html'), 'utf8'));
    });

    test('GET /index.html is text/html; charset=utf-8', async () => {
      const r = await get(srv, '/index.html');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(r.body, /<html/i);
    });

    test('a .js file is text/javascript; charset=utf-8 with its exact bytes', async () => {
      const path = findWebFile('.js');
      const r = await get(srv, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8', path);
      assert.ok(r.bodyBuffer.equals(readFileSync(join(webRoot, path))), `${path} body differs from the file`);
    });

    test('a .css file is text/css; charset=utf-8', async () => {
      const path = findWebFile('.css');
      const r = await get(srv, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], 'text/css; charset=utf-8', path);
    });

    test('i18n catalogs are application/json; charset=utf-8 and parse', async () => {
      for (const lang of ['fi', 'sv', 'en']) {
        const r = await get(srv, `/i18n/${lang}.json`);
        assert.equal(r.status, 200, `/i18n/${lang}.json`);
        assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', `/i18n/${lang}.json`);
        assert.equal(typeof r.json, 'object', `/i18n/${lang}.json is not JSON`);
      }
    });

    test('static files carry an ETag and are revalidated within a minute', async () => {
      const r = await get(srv, '/');
      assert.ok(r.headers.etag, 'no ETag');
      const cc = r.headers['cache-control'] || '';
      assert.match(cc, /must-revalidate/);
      const age = Number((cc.match(/max-age=(\d+)/) || [])[1]);
      assert.ok(age > 0 && age <= 60, `max-age ${age} in '${cc}'`);
    });

    // Broke once: files were served on the WebSocket protocol, whose callback
    // did not complete the HTTP transaction, so a browser's kept-alive
    // connection stalled after its first file.
    test('one kept-alive connection serves several files in a row', async () => {
      const paths = ['/', findWebFile('.css'), findWebFile('.js'), '/i18n/fi.json'];
      const socket = net.connect(srv.port, '127.0.0.1');
      let got = '';
      socket.on('data', (d) => { got += d.toString('latin1'); });
      const statuses = () => got.match(/^HTTP\/1\.1 \d+/gm) || [];
      for (const [i, path] of paths.entries()) {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n\r\n`);
        const deadline = Date.now() + 10000;
        while (statuses().length <= i && Date.now() < deadline)
          await new Promise((res) => setTimeout(res, 10));
        assert.equal(statuses().length, i + 1, `no answer to ${path} on the same connection`);
      }
      socket.destroy();
      assert.deepEqual(statuses(), paths.map(() => 'HTTP/1.1 200'));
    });

    test('If-None-Match with the ETag gets 304 and no body', async () => {
      const path = findWebFile('.js');
      const first = await get(srv, path);
      const etag = first.headers.etag;
      assert.ok(etag, 'no ETag');
      const r = await get(srv, path, { headers: { 'If-None-Match': etag } });
      assert.equal(r.status, 304);
      assert.equal(r.bodyBuffer.length, 0, '304 must have no body');
    });

    test('If-None-Match with another ETag gets 200 and the body', async () => {
      const r = await get(srv, '/', { headers: { 'If-None-Match': '"not-the-etag"' } });
      assert.equal(r.status, 200);
      assert.ok(r.bodyBuffer.length > 0);
    });

    test('different files have different ETags', async () => {
      const a = await get(srv, '/');
      const b = await get(srv, findWebFile('.js'));
      assert.notEqual(a.headers.etag, b.headers.etag);
    });

    test('a missing file is 404', async () => {
      const r = await get(srv, '/no-such-file-here.js');
      assert.equal(r.status, 404);
    });

    for (const path of ['/../CMakeLists.txt', '/%2e%2e/CMakeLists.txt', '/i18n/../../CMakeLists.txt',
      '/%2e%2e%2fCMakeLists.txt', '/..%2f..%2fetc%2fpasswd', '//etc/passwd', '/i18n/%2e%2e/%2e%2e/server/main.c']) {
      test(`path traversal ${path} does not leave the web root`, async () => {
        const r = await get(srv, path);
        assert.ok([400, 403, 404].includes(r.status), `${path} answered ${r.status}: ${r.body.slice(0, 80)}`);
        assert.ok(!/cmake_minimum_required|root:x:0:0|#include/.test(r.body), `${path} leaked a file`);
      });
    }
  });

  describe('security headers', () => {
    const cases = [
      ['static file /', (s) => get(s, '/')],
      ['a .js file', (s) => get(s, findWebFile('.js'))],
      ['/healthz', (s) => get(s, '/healthz')],
      ['/api/config', (s) => get(s, '/api/config')],
      ['/api/me 401', (s) => get(s, '/api/me')],
      ['static 404', (s) => get(s, '/no-such-page.html')],
      ['API 404', (s) => get(s, '/api/no-such-route')],
      ['405', (s) => get(s, '/api/login')],
      ['400 bad_json', (s) => postJson(s, '/api/login', undefined, { raw: '{"email":' })],
      ['415', (s) => postJson(s, '/api/login', undefined, { raw: '{}', contentType: 'text/plain' })],
      ['403 bad_origin', (s) => postJson(s, '/api/login', { email: 'a@b.fi', password: 'x' }, { origin: 'http://evil.example' })],
      ['304', async (s) => { const a = await get(s, '/'); return get(s, '/', { headers: { 'If-None-Match': a.headers.etag } }); }],
    ];
    for (const [what, fetcher] of cases) {
      test(`CSP, nosniff, Referrer-Policy and X-Frame-Options on ${what}`, async () => {
        const r = await fetcher(srv);
        assertSecurityHeaders(r, srv.port, what);
      });
    }

    test('API responses carry Cache-Control: no-store (success and error)', async () => {
      for (const r of [await get(srv, '/api/config'), await get(srv, '/api/me'),
        await postJson(srv, '/api/login', undefined, { raw: 'nope' })]) {
        assert.match(r.headers['cache-control'] || '', /no-store/, `${r.statusLine} ${r.body}`);
      }
    });

    test('CSP connect-src names the public origin with wss: under --public-url https://', async () => {
      const s = await start({ args: ['--public-url', 'https://raati.example'] });
      try {
        const r = await get(s, '/');
        const csp = parseCsp(r.headers['content-security-policy']);
        assert.deepEqual(csp['connect-src'].filter((x) => x !== "'self'"), ['wss://raati.example']);
      } finally { await s.stop(); }
    });
  });

  describe('API routing', () => {
    test('an unknown /api route is 404 not_found', async () => {
      assertHttpError(await get(srv, '/api/no-such-route'), 404, 'not_found');
    });

    test('GET on a POST route is 405 method_not_allowed', async () => {
      assertHttpError(await get(srv, '/api/login'), 405, 'method_not_allowed');
      assertHttpError(await get(srv, '/api/register'), 405, 'method_not_allowed');
    });

    test('POST on a GET route is 405 method_not_allowed', async () => {
      assertHttpError(await postJson(srv, '/api/config', {}), 405, 'method_not_allowed');
    });

    test('GET /ws without an upgrade is not a 200 page', async () => {
      const r = await request(srv.url, 'GET', '/ws');
      assert.notEqual(r.status, 200);
    });
  });

  describe('/api/config', () => {
    test('has the documented shape', async () => {
      const r = await get(srv, '/api/config');
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const c = r.json;
      assert.equal(c.ok, true);
      for (const l of ['fi', 'sv', 'en']) assert.equal(typeof c.region[l], 'string', `region.${l}`);
      for (const key of ['municipalities', 'interest_areas']) {
        assert.ok(Array.isArray(c[key]) && c[key].length > 0, `${key} must be a non-empty array`);
        const ids = new Set();
        for (const item of c[key]) {
          assert.match(item.id, /^[a-z0-9_-]+$/, `${key} id ${item.id} is not a slug`);
          assert.ok(!ids.has(item.id), `duplicate ${key} id ${item.id}`);
          ids.add(item.id);
          for (const l of ['fi', 'sv', 'en']) assert.equal(typeof item.name[l], 'string', `${key} ${item.id} name.${l}`);
        }
      }
      assert.equal(typeof c.privacy_notice_version, 'string');
      assert.ok(c.privacy_notice_version.length > 0);
      assert.equal(c.minimum_age, 15);
      assert.ok(Number.isInteger(c.current_year));
      assert.equal(c.max_post_chars, 20000);
      assert.equal(c.version, '0.1.0');
    });

    test('contact_email is null until the region sets one', async () => {
      const { json } = await get(srv, '/api/config');
      assert.equal(json.contact_email, null);
    });

    test('contact_email comes from RAATI_CONTACT_EMAIL; --demo has a placeholder', async () => {
      const set = await start({ env: { RAATI_CONTACT_EMAIL: 'osallisuus@keusote.example' } });
      try {
        assert.equal((await get(set, '/api/config')).json.contact_email, 'osallisuus@keusote.example');
      } finally { await set.stop(); }
      const demo = await start({ args: ['--demo'] });
      try {
        assert.match((await get(demo, '/api/config')).json.contact_email, /^[^@\s]+@[^@\s]+\.[a-z]+$/);
      } finally { await demo.stop(); }
    });

    test('current_year is this year (UTC or Europe/Helsinki)', async () => {
      const { json } = await get(srv, '/api/config');
      const now = new Date();
      const helsinki = Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Helsinki', year: 'numeric' }).format(now));
      assert.ok([now.getUTCFullYear(), helsinki].includes(json.current_year), `current_year ${json.current_year}`);
    });
  });
});
