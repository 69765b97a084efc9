// Helpers for the activity period, discussion and live-event tests
// (periods, discussions, live, bulk, durability): members and moderators
// with an open WebSocket, periods and topics made in one call, event
// waiting, object-shape checks and a snapshot of the discussion tables.
import assert from 'node:assert/strict';
import {
  register, openWs, runRaati, loginCookie, uniqueEmail, uniquePassword, sqlite, ISO_MS,
} from './helpers.mjs';

// Asserts a reply is ok:true and returns it.
export function ok(r, what = '') {
  assert.ok(r && typeof r === 'object', `${what}: expected a reply, got ${JSON.stringify(r)}`);
  assert.equal(r.ok, true, `${what ? what + ': ' : ''}expected ok:true, got ${JSON.stringify(r).slice(0, 2000)}`);
  return r;
}

// An ISO time ms milliseconds from now.
export const at = (ms) => new Date(Date.now() + ms).toISOString();
export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;

// Registers a member and opens a signed-in WebSocket.
// Returns { ws, hello, member, cookie, email, password, body }.
export async function member(srv, overrides = {}) {
  const reg = await register(srv, overrides);
  const { ws, hello } = await openWs(srv, { cookie: reg.cookie });
  assert.ok(hello.member, 'hello.member with the cookie');
  return { ...reg, ws, hello, member: hello.member };
}

// Sets a role with `raati user role` on the server's database.
export async function setRole(srv, email, role) {
  const r = await runRaati(['user', 'role', '--db', srv.db, '--email', email, '--role', role]);
  assert.equal(r.code, 0, `raati user role ${role}: ${r.stderr}`);
}

// A registered member made moderator (or admin) with the CLI; the
// WebSocket is opened after the change so that it carries the role.
export async function moderator(srv, { role = 'moderator', ...overrides } = {}) {
  const reg = await register(srv, { display_name: 'Moderaattori Mari', ...overrides });
  await setRole(srv, reg.email, role);
  const { ws, hello } = await openWs(srv, { cookie: reg.cookie });
  assert.equal(hello.member?.role, role, `hello after raati user role: ${JSON.stringify(hello)}`);
  return { ...reg, ws, hello, member: hello.member };
}

// A staff account made with `raati user add` (no birth year or municipality).
export async function staff(srv, { role = 'moderator', name = 'Henkilökunta' } = {}) {
  const email = uniqueEmail('staff');
  const password = uniquePassword();
  const r = await runRaati(['user', 'add', '--db', srv.db, '--email', email, '--name', name, '--role', role], { input: `${password}\n` });
  assert.equal(r.code, 0, `raati user add: ${r.stderr}`);
  const cookie = await loginCookie(srv, email, password);
  const { ws, hello } = await openWs(srv, { cookie });
  assert.equal(hello.member?.role, role);
  return { email, password, cookie, ws, hello, member: hello.member };
}

// Reconnects a session (e.g. after a role change); closes the old socket.
export async function reconnect(srv, who) {
  who.ws.destroy();
  const { ws, hello } = await openWs(srv, { cookie: who.cookie });
  who.ws = ws;
  who.hello = hello;
  who.member = hello.member;
  return who;
}

let periodCounter = 0;
// period.create with defaults that pass every rule; returns the reply.
export function createPeriodRaw(ws, fields = {}) {
  periodCounter += 1;
  return ws.request({
    type: 'period.create',
    title: `Jakso ${periodCounter}`,
    description: 'Mikä tekee potilasohjeesta **hyvän**?',
    starts_at: at(DAY),
    ends_at: at(30 * DAY),
    ...fields,
  });
}

// Creates a period and returns the period object.
export async function createPeriod(ws, fields = {}) {
  return ok(await createPeriodRaw(ws, fields), 'period.create').period;
}

// Creates a period and opens it now; returns the (open) period.
export async function openPeriod(ws, fields = {}) {
  const p = await createPeriod(ws, fields);
  const r = ok(await ws.request({ type: 'period.open', period_id: p.id }), 'period.open');
  assert.equal(r.period.status, 'open');
  return r.period;
}

let topicCounter = 0;
// topic.create; returns { topic, post } (post is the opening post).
export async function createTopic(ws, periodId, fields = {}) {
  topicCounter += 1;
  const r = ok(await ws.request({
    type: 'topic.create', period_id: periodId,
    title: `Aihe ${topicCounter}`,
    body: `Aloitusviesti ${topicCounter}`,
    ...fields,
  }), 'topic.create');
  return { topic: r.topic, post: r.post };
}

// post.create; returns the post.
export async function createPost(ws, topicId, body = 'Viesti', parentId) {
  const msg = { type: 'post.create', topic_id: topicId, body };
  if (parentId !== undefined) msg.parent_id = parentId;
  return ok(await ws.request(msg), 'post.create').post;
}

// Sends many requests at once (without waiting for each reply) and resolves
// with the replies in the same order.
export function pipeline(ws, msgs, { timeout = 60000 } = {}) {
  return Promise.all(msgs.map((m) => ws.request(m, { timeout })));
}

// The next event frame on ws matching channel / event name / pred.
export function nextEvent(ws, channel, event, pred = () => true, { timeout = 5000 } = {}) {
  return ws.waitFor((j) => j.type === 'event' && j.channel === channel && (event === undefined || j.event === event) && pred(j),
    { timeout, what: `event ${event ?? '*'} on ${channel}` });
}

// Round trip on ws: every frame the server queued for it before the ping
// reply has arrived once this resolves.
export async function settle(ws) {
  ok(await ws.request({ type: 'ping' }), 'ping');
}

// Events already received (and not consumed) on ws.
export function pendingEvents(ws, channel) {
  return ws.inbox.map((m) => m.json).filter((j) => j && j.type === 'event' && (channel === undefined || j.channel === channel));
}

// Drops received, unconsumed events from ws's inbox.
export function dropEvents(ws) {
  ws.inbox = ws.inbox.filter((m) => !(m.json && m.json.type === 'event'));
}

// subscribe; returns the reply (asserted ok).
export async function subscribe(ws, channel, extra = {}) {
  return ok(await ws.request({ type: 'subscribe', channel, ...extra }), `subscribe ${channel}`);
}

// Row counts and a SHA3 digest of every discussion table (the sqlite3
// shell's sha3_query), to compare before and after a refused request
// ("nothing was half-written").
const DISCUSSION_TABLES = ['period', 'period_interest', 'topic', 'post', 'post_version', 'reaction', 'topic_read', 'participation'];
const snapshotSql = new Map();
export function snapshot(db) {
  if (!snapshotSql.has(db)) {
    const present = new Set(sqlite(db, "SELECT name FROM sqlite_master WHERE type='table';").split('\n').filter(Boolean));
    snapshotSql.set(db, DISCUSSION_TABLES.filter((t) => present.has(t))
      .map((t) => `SELECT '${t}', count(*), hex(sha3_query('SELECT * FROM ${t} ORDER BY 1, 2')) FROM ${t};`).join(' '));
  }
  const sql = snapshotSql.get(db);
  return sql ? sqlite(db, sql) : '';
}

// For a run of consecutive tests that each expect nothing to be written:
// the snapshot taken after one test serves as the snapshot before the next.
// Call reset() in a test in between that may write.
export function snapshotRun(getDb) {
  let last = null;
  return {
    before() { const s = last ?? snapshot(getDb()); last = null; return s; },
    after() { last = snapshot(getDb()); return last; },
    reset() { last = null; },
  };
}

// ---- shapes (docs/protocol.md) ---------------------------------------

export const PERIOD_KEYS = ['id', 'title', 'description', 'description_html', 'prematerial', 'prematerial_html',
  'starts_at', 'ends_at', 'status', 'members_may_open_topics', 'interest_areas', 'topic_count', 'post_count',
  'participant_count', 'created_at', 'seq'];
export const TOPIC_KEYS = ['id', 'period_id', 'title', 'author', 'opening_post_id', 'post_count', 'participant_count',
  'created_at', 'last_post_at', 'last_post_author_id', 'seq'];
export const POST_KEYS = ['id', 'topic_id', 'parent_id', 'depth', 'author', 'reply_to', 'body', 'body_html',
  'created_at', 'edited_at', 'deleted', 'reactions', 'seq'];

const isId = (v) => Number.isInteger(v) && v > 0;

// The texts period.list leaves out of its summaries.
export const PERIOD_TEXTS = ['description', 'description_html', 'prematerial', 'prematerial_html'];

export function assertPeriod(p, { summary = false } = {}) {
  assert.ok(p && typeof p === 'object', `period must be an object: ${JSON.stringify(p)}`);
  for (const k of PERIOD_KEYS) {
    if (summary && PERIOD_TEXTS.includes(k)) assert.ok(!(k in p), `a period summary has ${k}`);
    else assert.ok(k in p, `period lacks ${k}: ${JSON.stringify(p)}`);
  }
  assert.ok(isId(p.id));
  for (const k of ['title', ...(summary ? [] : PERIOD_TEXTS)]) assert.equal(typeof p[k], 'string', `period.${k}`);
  for (const k of ['starts_at', 'ends_at', 'created_at']) assert.match(p[k], ISO_MS, `period.${k}`);
  assert.ok(['draft', 'upcoming', 'open', 'closed'].includes(p.status), `status ${p.status}`);
  assert.equal(typeof p.members_may_open_topics, 'boolean');
  assert.ok(Array.isArray(p.interest_areas));
  for (const k of ['topic_count', 'post_count', 'participant_count']) assert.ok(Number.isInteger(p[k]) && p[k] >= 0, `period.${k} ${p[k]}`);
  assert.ok(Number.isInteger(p.seq), `period.seq ${p.seq}`);
  assert.ok(p.ends_at > p.starts_at, `ends_at ${p.ends_at} after starts_at ${p.starts_at}`);
  return p;
}

export function assertTopic(t, { unread } = {}) {
  assert.ok(t && typeof t === 'object', `topic must be an object: ${JSON.stringify(t)}`);
  for (const k of TOPIC_KEYS) assert.ok(k in t, `topic lacks ${k}: ${JSON.stringify(t)}`);
  assert.ok(isId(t.id) && isId(t.period_id) && isId(t.opening_post_id));
  assert.equal(typeof t.title, 'string');
  assert.ok(t.author && isId(t.author.id) && typeof t.author.display_name === 'string', `topic.author ${JSON.stringify(t.author)}`);
  for (const k of ['post_count', 'participant_count']) assert.ok(Number.isInteger(t[k]) && t[k] >= 0, `topic.${k}`);
  assert.match(t.created_at, ISO_MS);
  assert.match(t.last_post_at, ISO_MS);
  assert.ok(t.last_post_author_id === null || isId(t.last_post_author_id));
  assert.ok(Number.isInteger(t.seq));
  if (unread === true) assert.ok(Number.isInteger(t.unread) && t.unread >= 0, `topic.unread must be a count here: ${JSON.stringify(t)}`);
  if (unread === false) assert.ok(!('unread' in t), `topic.unread must be absent here: ${JSON.stringify(t)}`);
  return t;
}

export function assertPost(p, { mine } = {}) {
  assert.ok(p && typeof p === 'object', `post must be an object: ${JSON.stringify(p)}`);
  for (const k of POST_KEYS) assert.ok(k in p, `post lacks ${k}: ${JSON.stringify(p)}`);
  assert.ok(isId(p.id) && isId(p.topic_id));
  assert.ok(Number.isInteger(p.depth) && p.depth >= 0);
  if (p.depth === 0) {
    assert.equal(p.parent_id, null, 'the opening post has parent_id null');
    assert.equal(p.reply_to, null, 'the opening post has reply_to null');
  } else {
    assert.ok(isId(p.parent_id), `parent_id ${p.parent_id}`);
    assert.ok(p.reply_to && p.reply_to.id === p.parent_id, `reply_to ${JSON.stringify(p.reply_to)} names the parent ${p.parent_id}`);
    assert.ok(p.reply_to.display_name === null || typeof p.reply_to.display_name === 'string');
  }
  assert.equal(typeof p.body, 'string');
  assert.equal(typeof p.body_html, 'string');
  assert.match(p.created_at, ISO_MS);
  assert.ok(p.edited_at === null || ISO_MS.test(p.edited_at), `edited_at ${p.edited_at}`);
  assert.equal(typeof p.deleted, 'boolean');
  assert.deepEqual(Object.keys(p.reactions).sort(), ['agree', 'good_idea', 'thanks'], `reactions ${JSON.stringify(p.reactions)}`);
  for (const v of Object.values(p.reactions)) assert.ok(Number.isInteger(v) && v >= 0);
  assert.ok(Number.isInteger(p.seq));
  if (p.deleted) {
    assert.equal(p.author, null, 'a tombstone has author null');
    assert.equal(p.body, '', 'a tombstone has body ""');
    assert.equal(p.body_html, '', 'a tombstone has body_html ""');
    assert.deepEqual(p.reactions, { agree: 0, good_idea: 0, thanks: 0 }, 'a tombstone has zero reactions');
  } else {
    assert.ok(p.author && isId(p.author.id) && typeof p.author.display_name === 'string', `post.author ${JSON.stringify(p.author)}`);
  }
  if (mine === true) assert.ok(Array.isArray(p.mine), `post.mine must be an array here: ${JSON.stringify(p)}`);
  if (mine === false) assert.ok(!('mine' in p), `post.mine must be absent here: ${JSON.stringify(p)}`);
  return p;
}

// Thread order from a list of posts (any order): the root, then each reply
// followed by its own replies, siblings by id (oldest first).
export function threadOrder(posts) {
  const kids = new Map();
  let root = null;
  for (const p of posts) {
    if (p.parent_id === null) { root = p; continue; }
    if (!kids.has(p.parent_id)) kids.set(p.parent_id, []);
    kids.get(p.parent_id).push(p);
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop();
    out.push(p.id);
    const k = (kids.get(p.id) || []).slice().sort((a, b) => a.id - b.id);
    for (let i = k.length - 1; i >= 0; i--) stack.push(k[i]);
  }
  return out;
}

// Stops a server and asserts it exited cleanly (sanitizer reports, leaks
// included, make the exit code non-zero).
export async function stopClean(srv) {
  if (!srv) return;
  const r = await srv.stop();
  const log = srv.log();
  const san = log.match(/(ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:)[\s\S]{0,3000}/);
  assert.deepEqual(r, { code: 0, signal: null }, `server exit: ${JSON.stringify(r)}\n${san ? san[0] : log.slice(-3000)}`);
}
