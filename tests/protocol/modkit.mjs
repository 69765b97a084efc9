// Helpers for the tests of the rest of moderation (docs/protocol.md,
// "Moderation"): hidden posts, the queue's actions, lock / pin / move,
// pre-moderation, watched words and notices.
import assert from 'node:assert/strict';
import { sqlite, assertError } from './helpers.mjs';
import { ok, settle, pendingEvents, dropEvents, subscribe } from './discuss.mjs';

export { assertError };

// The tables a refused request must leave as they were: the discussion
// tables plus everything moderation writes.
const TABLES = ['period', 'topic', 'post', 'post_version', 'reaction', 'topic_read', 'participation',
  'queue_item', 'report', 'notice', 'watched_word', 'audit_log'];
const snapSql = new Map();
export function modSnapshot(db) {
  if (!snapSql.has(db)) {
    const present = new Set(sqlite(db, "SELECT name FROM sqlite_master WHERE type='table';").split('\n').filter(Boolean));
    snapSql.set(db, TABLES.filter((t) => present.has(t))
      .map((t) => `SELECT '${t}', count(*), hex(sha3_query('SELECT * FROM ${t} ORDER BY 1, 2')) FROM ${t};`).join(' '));
  }
  return sqlite(db, snapSql.get(db));
}

// Sends msg on ws, asserts the error code (and field), and that no table
// changed. Returns the error object.
export async function refused(srv, ws, msg, code, field) {
  const before = modSnapshot(srv.db);
  const r = await ws.request(msg);
  const e = assertError(r, code, field);
  assert.equal(modSnapshot(srv.db), before, `${msg.type} refused with ${code} must write nothing`);
  return e;
}

// The pending (or given status) queue items, optionally only those about a post.
export async function queue(mod, { status = 'pending', postId, kind } = {}) {
  const items = [];
  let cursor;
  for (;;) {
    const msg = { type: 'queue.list', status, limit: 100 };
    if (cursor) msg.cursor = cursor;
    const r = ok(await mod.ws.request(msg), 'queue.list');
    items.push(...r.items);
    if (!r.next) break;
    cursor = r.next;
  }
  return items.filter((i) => (postId === undefined || i.post.id === postId) && (kind === undefined || i.kind === kind));
}

// The one pending item of kind about postId.
export async function itemFor(mod, postId, kind = 'report') {
  const items = await queue(mod, { postId, kind });
  assert.equal(items.length, 1, `one pending ${kind} item on post ${postId}: ${JSON.stringify(items).slice(0, 1500)}`);
  return items[0];
}

// Audit entries (newest first) with action, optionally about target.
export async function audit(mod, action, { kind, id } = {}) {
  const msg = { type: 'audit.list', action, limit: 200 };
  if (kind) msg.target_kind = kind;
  if (id) msg.target_id = id;
  return ok(await mod.ws.request(msg), 'audit.list').entries;
}

// A member's notices (newest first) and unread count.
export async function notices(who, extra = {}) {
  return ok(await who.ws.request({ type: 'notice.list', limit: 100, ...extra }), 'notice.list');
}

export async function report(who, postId, reason = 'asiaton', text) {
  const msg = { type: 'report.create', post_id: postId, reason };
  if (text !== undefined) msg.text = text;
  return ok(await who.ws.request(msg), 'report.create');
}

export async function hide(mod, postId, reason = 'Sisältää toisen jäsenen yhteystietoja') {
  return ok(await mod.ws.request({ type: 'post.hide', post_id: postId, reason }), 'post.hide').post;
}

export async function act(mod, itemId, action, extra = {}) {
  return ok(await mod.ws.request({ type: 'queue.act', item_id: itemId, action, ...extra }), `queue.act ${action}`).item;
}

// After a round trip on each ws: the events received on channel matching
// pred, removed from the inbox.
export async function eventsOn(ws, channel, pred = () => true) {
  await settle(ws);
  const evs = pendingEvents(ws, channel).filter(pred);
  ws.inbox = ws.inbox.filter((m) => !(m.json && m.json.type === 'event' && m.json.channel === channel && pred(m.json)));
  return evs;
}

// All events about post id on channel (after a round trip), removed.
export async function postEvents(ws, channel, postId) {
  return eventsOn(ws, channel, (e) => e.data && (e.data.id === postId || (e.data.post_ids || []).includes(postId)));
}

export { ok, settle, pendingEvents, dropEvents, subscribe };

// The post as topic.get shows it to ws (or undefined when it is not there).
export async function seenPost(ws, topicId, postId) {
  const r = ok(await ws.request({ type: 'topic.get', topic_id: topicId, limit: 200 }), 'topic.get');
  return r.posts.find((p) => p.id === postId);
}

// The post as post.list (after the opening post) shows it.
export async function listedPost(ws, topicId, openingId, postId) {
  const r = ok(await ws.request({ type: 'post.list', topic_id: topicId, after: openingId, limit: 200 }), 'post.list');
  return r.posts.find((p) => p.id === postId);
}

// The post as a subscribe catch-up from since shows it.
export async function caughtUpPost(ws, channel, since, postId) {
  const r = ok(await ws.request({ type: 'subscribe', channel, since }), 'subscribe');
  const evs = (r.events || []).filter((e) => e.data && e.data.id === postId);
  return evs.length ? evs[evs.length - 1].data : undefined;
}

// Sets a member's join time n days back (for --premoderate-days).
export function joinedDaysAgo(srv, memberId, days) {
  const t = new Date(Date.now() - days * 24 * 3600 * 1000).toISOString();
  sqlite(srv.db, `UPDATE member SET created_at = '${t}' WHERE id = ${memberId};`);
}

// Asserts a hidden post as someone else (not author, not moderator) sees it.
export function assertHiddenToOthers(p, by = undefined) {
  assert.ok(p, 'the hidden post keeps its place in the thread');
  assert.equal(p.status, 'hidden', `status: ${JSON.stringify(p)}`);
  assert.equal(p.author, null, `others see no author: ${JSON.stringify(p)}`);
  assert.equal(p.body, '', `others see no body: ${JSON.stringify(p)}`);
  assert.equal(p.body_html, '', `others see no body_html: ${JSON.stringify(p)}`);
  assert.ok(p.hidden && typeof p.hidden === 'object', `hidden object: ${JSON.stringify(p)}`);
  if (by) assert.equal(p.hidden.by, by);
  assert.ok(!('reason' in p.hidden), `others do not get the reason: ${JSON.stringify(p.hidden)}`);
  assert.ok(!('appeal' in p.hidden), `others do not get appeal: ${JSON.stringify(p.hidden)}`);
}

// Asserts a hidden post as its author or a moderator sees it.
export function assertHiddenToInsider(p, body, { by, reason, appeal = null } = {}) {
  assert.ok(p, 'the hidden post is there for its author and moderators');
  assert.equal(p.status, 'hidden', `status: ${JSON.stringify(p)}`);
  assert.equal(p.body, body, `body: ${JSON.stringify(p)}`);
  assert.ok(p.body_html.length > 0, 'body_html');
  assert.ok(p.author && p.author.id, `author: ${JSON.stringify(p)}`);
  assert.ok(p.hidden && typeof p.hidden === 'object', `hidden: ${JSON.stringify(p)}`);
  if (by) assert.equal(p.hidden.by, by);
  if (reason !== undefined) assert.equal(p.hidden.reason, reason);
  assert.equal(p.hidden.appeal, appeal, `hidden.appeal: ${JSON.stringify(p.hidden)}`);
  assert.match(p.hidden.at, /Z$/);
}

export function assertPublished(p, body) {
  assert.ok(p, 'the post is there');
  assert.equal(p.status, 'published', `status: ${JSON.stringify(p)}`);
  assert.equal(p.hidden, null, `hidden: ${JSON.stringify(p)}`);
  if (body !== undefined) assert.equal(p.body, body);
}
