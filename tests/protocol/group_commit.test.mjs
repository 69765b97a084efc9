// Group commit (docs/architecture.md, "Group commit"): posts that arrive
// in one turn of the loop share one commit. What members rely on: every
// reply comes, in the order the messages were sent; a refused post in the
// middle of a group refuses only itself and writes nothing; events go out
// for exactly the posts that were saved; and anything read after a reply
// (on the same or another connection) already holds the post.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, sqlite } from './helpers.mjs';
import { ok, member, moderator, openPeriod, createTopic, subscribe, settle, pendingEvents, stopClean } from './discuss.mjs';
import { encodeFrame, OP } from './wsclient.mjs';

async function setup() {
  const srv = await start({ args: ['--post-limit', '1000', '--post-limit-new', '1000'] });
  const mod = await moderator(srv);
  const period = await openPeriod(mod.ws);
  const { topic } = await createTopic(mod.ws, period.id);
  return { srv, mod, topic };
}

// Writes every message in one TCP write, so the server reads them in one
// turn of its loop; resolves with the replies in the order they arrived.
function burst(ws, msgs) {
  const replies = [];
  const done = new Promise((resolve, reject) => {
    const want = new Set(msgs.map((m) => m.id));
    const timer = setTimeout(() => reject(new Error(`replies missing: ${[...want]}`)), 20000);
    const check = () => {
      for (let i = 0; i < ws.inbox.length; i++) {
        const j = ws.inbox[i].json;
        if (j && j.type === 'reply' && want.has(j.re)) {
          want.delete(j.re);
          replies.push(j);
          ws.inbox.splice(i--, 1);
        }
      }
      if (!want.size) { clearTimeout(timer); resolve(replies); } else setTimeout(check, 5);
    };
    check();
  });
  ws.sendRaw(Buffer.concat(msgs.map(frameOf)));
  return done;
}

function frameOf(m) { return encodeFrame(OP.TEXT, Buffer.from(JSON.stringify(m))); }

test('a burst of posts and a ping: every reply, in the order sent, and the posts are saved', async (t) => {
  const { srv, topic } = await setup();
  t.after(() => stopClean(srv));
  const a = await member(srv);
  const msgs = [];
  for (let i = 1; i <= 40; i++) msgs.push({ type: 'post.create', id: i, topic_id: topic.id, body: `Ryhmäviesti ${i}` });
  msgs.push({ type: 'ping', id: 41 });
  const replies = await burst(a.ws, msgs);
  assert.deepEqual(replies.map((r) => r.re), msgs.map((m) => m.id), 'replies in the order sent');
  for (const r of replies) assert.equal(r.ok, true, JSON.stringify(r));
  const ids = replies.slice(0, 40).map((r) => r.post.id);
  assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'post ids in the order sent');
  assert.equal(sqlite(srv.db, `SELECT count(*) FROM post WHERE topic_id = ${topic.id} AND body LIKE 'Ryhmäviesti %';`).trim(), '40');
});

test('a refused post in the middle of a group refuses only itself and writes nothing', async (t) => {
  const { srv, mod, topic } = await setup();
  t.after(() => stopClean(srv));
  const a = await member(srv);
  const watcher = await member(srv);
  await subscribe(watcher.ws, `topic:${topic.id}`);
  const msgs = [
    { type: 'post.create', id: 1, topic_id: topic.id, body: 'Ensimmäinen' },
    { type: 'post.create', id: 2, topic_id: topic.id, body: '' },                 // invalid_field
    { type: 'post.create', id: 3, topic_id: topic.id, body: 'x'.repeat(20001) },  // too_long
    { type: 'post.create', id: 4, topic_id: 999999, body: 'Ei aihetta' },         // not_found
    { type: 'post.create', id: 5, topic_id: topic.id, body: 'Toinen' },
  ];
  const replies = await burst(a.ws, msgs);
  assert.deepEqual(replies.map((r) => r.re), [1, 2, 3, 4, 5]);
  assert.deepEqual(replies.map((r) => r.ok), [true, false, false, false, true]);
  assert.deepEqual(replies.slice(1, 4).map((r) => r.error.code), ['invalid_field', 'too_long', 'not_found']);
  const rows = sqlite(srv.db, `SELECT body FROM post WHERE topic_id = ${topic.id} AND author_id = ${a.member.id} ORDER BY id;`).trim().split('\n');
  assert.deepEqual(rows, ['Ensimmäinen', 'Toinen']);
  // The topic counts both, and only both; the watcher got exactly their events.
  const t2 = ok(await mod.ws.request({ type: 'topic.get', topic_id: topic.id }), 'topic.get').topic;
  assert.equal(t2.post_count, 3, 'the opening post and the two saved');
  await settle(watcher.ws);
  const created = pendingEvents(watcher.ws, `topic:${topic.id}`).filter((e) => e.event === 'post.created');
  assert.deepEqual(created.map((e) => e.data.body), ['Ensimmäinen', 'Toinen']);
  assert.ok(created[0].seq < created[1].seq, 'seq grows');
});

test('posts from many members at once: each gets its reply, another connection reads them all at once', async (t) => {
  const { srv, topic } = await setup();
  t.after(() => stopClean(srv));
  const posters = [];
  for (let i = 0; i < 8; i++) posters.push(await member(srv));
  const reader = await member(srv);
  const sent = posters.map((p, i) => p.ws.request({ type: 'post.create', topic_id: topic.id, body: `Samaan aikaan ${i}` }));
  // A read that arrives with the posts commits the group before it is answered.
  const read = reader.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 200 });
  const replies = await Promise.all(sent);
  for (const r of replies) ok(r, 'post.create');
  ok(await read, 'topic.get');
  const after = ok(await reader.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 200 }), 'topic.get');
  const bodies = after.posts.map((p) => p.body);
  for (let i = 0; i < 8; i++) assert.ok(bodies.includes(`Samaan aikaan ${i}`), `post ${i} is read back`);
});
