// Shared helpers for the protocol tests: starting servers, registering and
// signing in members, opening WebSocket connections, reading the database
// with the sqlite3 command-line tool, and running the raati CLI.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, bin, root } from '../lib/server.mjs';
import { get, postJson, sessionCookie } from './http.mjs';
import { WsClient } from './wsclient.mjs';

export { bin, root };

// Starts a server. Unless the test is about them, the per-address limits
// and the posts-per-minute limits are raised (through the environment, so
// that the flags stay under test in the tests that use them) so that one
// file's many registrations, sign-ins and posts are not refused.
export function start({ args = [], env = {}, dir, keepDir } = {}) {
  return startServer({
    args,
    env: {
      RAATI_REGISTER_LIMIT_ADDRESS: '100000',
      RAATI_LOGIN_LIMIT_ADDRESS: '100000',
      RAATI_POST_LIMIT: '1000000',
      RAATI_POST_LIMIT_NEW: '1000000',
      ...env,
    },
    dir,
    keepDir,
  });
}

const configs = new WeakMap();
export async function getConfig(srv) {
  if (!configs.has(srv)) {
    const r = await get(srv, '/api/config');
    assert.equal(r.status, 200, `GET /api/config: ${r.status} ${r.body}`);
    configs.set(srv, r.json);
  }
  return configs.get(srv);
}

let counter = 0;
export function uniqueEmail(prefix = 'asukas') {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}@raati.example`;
}

export function uniquePassword() {
  return `Salasana-${randomBytes(9).toString('base64url')}`;
}

// A registration body that passes every rule, built from /api/config.
export async function validRegistration(srv, overrides = {}) {
  const cfg = await getConfig(srv);
  return {
    email: uniqueEmail(),
    display_name: 'Maija Meikäläinen',
    password: uniquePassword(),
    birth_year: cfg.current_year - 40,
    municipality: cfg.municipalities[0].id,
    interest_areas: cfg.interest_areas.length ? [cfg.interest_areas[0].id] : [],
    privacy_consent: true,
    privacy_notice_version: cfg.privacy_notice_version,
    language: 'fi',
    ...overrides,
  };
}

// Registers a member and asserts it worked. Returns { res, body, email,
// password, member, cookie }.
export async function register(srv, overrides = {}) {
  const body = await validRegistration(srv, overrides);
  const res = await postJson(srv, '/api/register', body);
  assert.equal(res.status, 201, `register ${body.email}: ${res.status} ${res.body}`);
  const cookie = sessionCookie(res);
  assert.ok(cookie, `register set no raati_session cookie: ${JSON.stringify(res.setCookies)}`);
  return { res, body, email: body.email, password: body.password, member: res.json.member, cookie };
}

export function login(srv, email, password, opts = {}) {
  return postJson(srv, '/api/login', { email, password }, opts);
}

// Signs in and asserts it worked; returns the session cookie.
export async function loginCookie(srv, email, password) {
  const res = await login(srv, email, password);
  assert.equal(res.status, 200, `login ${email}: ${res.status} ${res.body}`);
  const cookie = sessionCookie(res);
  assert.ok(cookie, 'login set no raati_session cookie');
  return cookie;
}

// Opens /ws with the server's origin (unless told otherwise); returns the
// client after its hello has been read: { ws, hello }.
export async function openWs(srv, { cookie, origin = srv.origin, ...opts } = {}) {
  const ws = await WsClient.connect(srv.url, { origin, cookie, ...opts });
  const hello = await ws.next({ timeout: 5000 });
  return { ws, hello };
}

// Runs SQL (or a dot-command) with the sqlite3 CLI; returns stdout.
export function sqlite(db, sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });
}

export function tables(db) {
  return sqlite(db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name;")
    .split('\n').filter(Boolean);
}

// { table: rowCount } for every table.
export function rowCounts(db) {
  const out = {};
  for (const t of tables(db)) out[t] = Number(sqlite(db, `SELECT count(*) FROM "${t.replaceAll('"', '""')}";`).trim());
  return out;
}

// Runs the raati binary with args; stdin gets `input` (if given) through a
// pipe, so stdin is not a terminal. Resolves { code, signal, stdout, stderr }.
export function runRaati(args, { input, env = {}, timeout = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`raati ${args.join(' ')} did not exit within ${timeout} ms\n${stdout}${stderr}`)); }, timeout);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    p.stdin.on('error', () => {});
    if (input !== undefined) p.stdin.write(input);
    p.stdin.end();
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Asserts the uniform error shape and returns the error object.
export function assertError(json, code, field) {
  assert.ok(json && typeof json === 'object', `expected a JSON error body, got ${JSON.stringify(json)}`);
  assert.equal(json.ok, false, `expected ok:false in ${JSON.stringify(json)}`);
  assert.ok(json.error && typeof json.error === 'object', `no error object in ${JSON.stringify(json)}`);
  assert.equal(json.error.code, code, `error code in ${JSON.stringify(json)}`);
  assert.equal(typeof json.error.message, 'string', `error.message must be a string in ${JSON.stringify(json)}`);
  assert.ok(json.error.message.length > 0, 'error.message is empty');
  if (field !== undefined) assert.equal(json.error.field, field, `error.field in ${JSON.stringify(json)}`);
  return json.error;
}

// Asserts an HTTP error response: status, code, field, JSON content type.
export function assertHttpError(res, status, code, field) {
  assert.equal(res.status, status, `status for ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, 'error content type');
  return assertError(res.json, code, field);
}

// The member object fields from docs/protocol.md.
export const MEMBER_KEYS = ['id', 'email', 'display_name', 'role', 'birth_year', 'municipality',
  'interest_areas', 'language', 'created_at', 'privacy_consent', 'suspension',
  'quote_consent'];

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function assertMemberShape(m) {
  assert.ok(m && typeof m === 'object', `member must be an object, got ${JSON.stringify(m)}`);
  for (const k of MEMBER_KEYS) assert.ok(k in m, `member lacks ${k}: ${JSON.stringify(m)}`);
  assert.equal(typeof m.id, 'number');
  assert.ok(Number.isInteger(m.id));
  assert.equal(typeof m.email, 'string');
  assert.equal(typeof m.display_name, 'string');
  assert.ok(['member', 'moderator', 'admin'].includes(m.role), `role ${m.role}`);
  assert.ok(Array.isArray(m.interest_areas));
  assert.ok(['fi', 'sv', 'en'].includes(m.language), `language ${m.language}`);
  assert.match(m.created_at, ISO_MS);
  assert.equal(typeof m.quote_consent, 'boolean', `quote_consent ${m.quote_consent}`);
  // never anything secret
  const s = JSON.stringify(m).toLowerCase();
  for (const bad of ['password', 'hash', 'argon', 'token', 'session']) assert.ok(!s.includes(bad), `member object mentions ${bad}: ${s}`);
}
