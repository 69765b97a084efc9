// A topic with 500 posts in a random tree (sent pipelined, without waiting
// for each reply): paging with topic.get / post.list in thread order, the
// "unread" window, and catch-up at the 500-change limit (resync).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, openWs } from './helpers.mjs';
import {
  ok, member, moderator, openPeriod, createTopic, createPost, pipeline, subscribe, assertPost, threadOrder, stopClean, reconnect,
} from './discuss.mjs';

// A small seeded PRNG so that the tree is the same on every run.
function prng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('a topic with 500 posts', () => {
  let srv;
  let mod;
  let A;
  let B;
  let R; // a reader who never posts
  let topic;
  let op;
  let since0;
  const posts = new Map(); // id → post (as created)
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Aino' });
    B = await member(srv, { display_name: 'Bertta' });
    R = await member(srv, { display_name: 'Lukija' });
    const p = await openPeriod(mod.ws);
    ({ topic, post: op } = await createTopic(mod.ws, p.id));
    posts.set(op.id, op);
    since0 = (await subscribe(R.ws, `topic:${topic.id}`)).seq;
    await reconnect(srv, R); // R is away while the posts are written

    const rnd = prng(20261122);
    const wave = async (n, parents) => {
      const msgs = { A: [], B: [] };
      for (let i = 0; i < n; i++) {
        const parent = parents[Math.floor(rnd() * parents.length)];
        (i % 2 ? msgs.B : msgs.A).push({ type: 'post.create', topic_id: topic.id, parent_id: parent, body: `Viesti ${posts.size + i}` });
      }
      const [ra, rb] = await Promise.all([pipeline(A.ws, msgs.A), pipeline(B.ws, msgs.B)]);
      const made = [...ra, ...rb].map((r) => ok(r, 'pipelined post.create').post);
      for (const x of made) posts.set(x.id, x);
      return made.map((x) => x.id);
    };
    const w1 = await wave(60, [op.id]);
    const w2 = await wave(180, w1);
    await wave(260, [...w1, ...w2]);
  });
  after(async () => { for (const w of [mod, A, B, R]) w?.ws.destroy(); await stopClean(srv); });

  const expected = () => threadOrder([...posts.values()]);

  test('the tree is consistent: depth = parent depth + 1, reply_to names the parent\'s author', () => {
    assert.equal(posts.size, 501);
    for (const p of posts.values()) {
      if (p.parent_id === null) continue;
      const parent = posts.get(p.parent_id);
      assert.equal(p.depth, parent.depth + 1, `depth of ${p.id}`);
      assert.deepEqual(p.reply_to, { id: parent.id, display_name: parent.author.display_name });
    }
    assert.ok(Math.max(...[...posts.values()].map((p) => p.depth)) >= 3, 'the random tree is deeper than 2');
  });

  test('catch-up of exactly 500 changed posts is sent; one more change → resync', async () => {
    await reconnect(srv, R);
    const r = ok(await R.ws.request({ type: 'subscribe', channel: `topic:${topic.id}`, since: since0 }, { timeout: 20000 }));
    assert.ok(!r.resync, 'exactly 500 changes is not more than 500');
    assert.equal(r.events.length, 500);
    const ids = new Set(r.events.map((e) => e.data.id));
    assert.equal(ids.size, 500);
    assert.ok(!ids.has(op.id));
    for (const e of r.events) assert.equal(e.event, 'post.changed');
    const extra = await createPost(A.ws, topic.id, 'Viesti 501', op.id);
    posts.set(extra.id, extra);
    const r2 = ok(await R.ws.request({ type: 'subscribe', channel: `topic:${topic.id}`, since: since0 }, { timeout: 20000 }));
    assert.equal(r2.resync, true, `501 changes → resync: ${JSON.stringify(r2).slice(0, 300)}`);
    assert.ok(Number.isInteger(r2.seq) && r2.seq > r.seq);
    assert.ok(!r2.events || r2.events.length === 0, 'resync instead of events');
  });

  test('topic.get limit 50: the first 50 in thread order, has_after', async () => {
    const g = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 50 }));
    assert.deepEqual(g.posts.map((p) => p.id), expected().slice(0, 50));
    assert.equal(g.has_before, false);
    assert.equal(g.has_after, true);
    assert.equal(g.topic.post_count, posts.size);
    for (const p of g.posts) assertPost(p, { mine: true });
    const d = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id }));
    assert.equal(d.posts.length, 50, 'the default limit is 50');
  });

  for (const limit of [50, 200, 37]) {
    test(`post.list after, ${limit} at a time, walks the whole tree once in thread order`, async () => {
      const first = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id, limit }));
      const seen = first.posts.map((p) => p.id);
      let hasAfter = first.has_after;
      let rounds = 0;
      while (hasAfter) {
        const r = ok(await R.ws.request({ type: 'post.list', topic_id: topic.id, after: seen.at(-1), limit }));
        assert.ok(r.posts.length > 0 && r.posts.length <= limit, `${r.posts.length} posts`);
        assert.equal(r.has_before, true);
        seen.push(...r.posts.map((p) => p.id));
        hasAfter = r.has_after;
        assert.ok(++rounds < 100, 'the walk does not end');
      }
      assert.deepEqual(seen, expected());
    });
  }

  test('post.list before walks it backwards, each window in thread order', async () => {
    const exp = expected();
    const last = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id, at: exp.at(-1), limit: 50 }));
    assert.deepEqual(last.posts.map((p) => p.id), [exp.at(-1)]);
    assert.equal(last.has_after, false);
    assert.equal(last.has_before, true);
    let seen = [exp.at(-1)];
    let hasBefore = true;
    let rounds = 0;
    while (hasBefore) {
      const r = ok(await R.ws.request({ type: 'post.list', topic_id: topic.id, before: seen[0], limit: 50 }));
      assert.ok(r.posts.length > 0 && r.posts.length <= 50);
      assert.equal(r.has_after, true);
      seen = [...r.posts.map((p) => p.id), ...seen];
      hasBefore = r.has_before;
      assert.ok(++rounds < 100);
    }
    assert.deepEqual(seen, exp);
  });

  test('topic.get at a post id starts the window at that post', async () => {
    const exp = expected();
    const i = 237;
    const g = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id, at: exp[i], limit: 20 }));
    assert.deepEqual(g.posts.map((p) => p.id), exp.slice(i, i + 20));
    assert.equal(g.has_before, true);
    assert.equal(g.has_after, true);
    const one = ok(await R.ws.request({ type: 'post.list', topic_id: topic.id, after: exp[i], limit: 1 }));
    assert.deepEqual(one.posts.map((p) => p.id), [exp[i + 1]]);
  });

  test('at "unread" starts a few posts before the first unread one (thread order); nothing unread starts at the start', async () => {
    const exp = expected();
    // R reads up to the median id: posts with a larger id are unread, scattered through the thread
    const ids = [...posts.keys()].sort((a, b) => a - b);
    const mark = ids[300];
    const rr = ok(await R.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: mark }));
    const unread = exp.filter((id) => id > mark);
    assert.equal(rr.unread, unread.length);
    const g = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id, at: 'unread', limit: 50 }));
    assert.equal(g.topic.unread, unread.length);
    assert.equal(g.first_unread_id, unread[0]);
    const win = g.posts.map((p) => p.id);
    const start = exp.indexOf(win[0]);
    assert.deepEqual(win, exp.slice(start, start + 50), 'the window is a run of the thread');
    const k = win.indexOf(unread[0]);
    assert.ok(k >= 0, 'the window holds the first unread post');
    assert.ok(k <= 10, `the first unread post is ${k} posts into the window`);
    assert.equal(g.has_before, start > 0);

    const all = ok(await R.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: ids.at(-1) }));
    assert.equal(all.unread, 0);
    const g2 = ok(await R.ws.request({ type: 'topic.get', topic_id: topic.id, at: 'unread', limit: 10 }));
    assert.equal(g2.first_unread_id, null);
    assert.deepEqual(g2.posts.map((p) => p.id), exp.slice(0, 10));
  });
});

// Regression (found by this describe): a reply bigger than the per-connection
// send queue (4 MiB, WS_QUEUE_MAX_BYTES) was treated as a slow reader and the
// connection dropped, so a topic with long posts could not be opened.
describe('a topic with long posts', () => {
  let srv;
  let mod;
  let A;
  let topic;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv);
    const p = await openPeriod(mod.ws);
    ({ topic } = await createTopic(mod.ws, p.id));
    // 30 posts of 20,000 four-byte characters: each ~160 KB as JSON (body and body_html)
    const rs = await pipeline(A.ws, Array.from({ length: 30 }, (_, i) => ({ type: 'post.create', topic_id: topic.id, body: `${i} ${'😀'.repeat(19990)}` })));
    for (const r of rs) ok(r);
  });
  after(async () => { for (const w of [mod, A]) w?.ws.destroy(); await stopClean(srv); });

  test('topic.get limit 50 is answered (the connection is not dropped)', async () => {
    const { ws } = await openWs(srv, { cookie: A.cookie });
    try {
      const r = await Promise.race([
        ws.request({ type: 'topic.get', topic_id: topic.id, limit: 50 }, { timeout: 20000 }),
        ws.closed.then((c) => ({ closedWith: c })),
      ]);
      assert.ok(!r.closedWith, `the connection was closed (${JSON.stringify(r.closedWith)}) instead of answering topic.get: ${srv.log().split('\n').filter((l) => /slow_reader/.test(l)).join(' ')}`);
      ok(r);
      assert.ok(r.posts.length >= 1);
      if (r.posts.length < 31) assert.equal(r.has_after, true, 'a shortened window says there is more');
    } finally { ws.destroy(); }
  });

  test('windows cut short by size still walk the whole topic once, both ways', async () => {
    const all = ok(await A.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 1 }));
    const seen = all.posts.map((p) => p.id);
    let r = all;
    let rounds = 0;
    while (r.has_after) {
      r = ok(await A.ws.request({ type: 'post.list', topic_id: topic.id, after: seen.at(-1), limit: 200 }, { timeout: 20000 }));
      assert.ok(r.posts.length >= 1);
      seen.push(...r.posts.map((p) => p.id));
      assert.ok(++rounds < 50);
    }
    assert.equal(seen.length, 31);
    assert.equal(new Set(seen).size, 31);
    assert.deepEqual(seen, [...seen].sort((x, y) => x - y), 'replies to the opening post come oldest first');
    let back = [seen.at(-1)];
    r = { has_before: true };
    rounds = 0;
    while (r.has_before) {
      r = ok(await A.ws.request({ type: 'post.list', topic_id: topic.id, before: back[0], limit: 200 }, { timeout: 20000 }));
      back = [...r.posts.map((p) => p.id), ...back];
      assert.ok(++rounds < 50);
    }
    assert.deepEqual(back, seen);
  });

  test('catch-up from the start is answered (events or resync), not a dropped connection', async () => {
    const { ws } = await openWs(srv, { cookie: A.cookie });
    try {
      const r = await Promise.race([
        ws.request({ type: 'subscribe', channel: `topic:${topic.id}`, since: 0 }, { timeout: 20000 }),
        ws.closed.then((c) => ({ closedWith: c })),
      ]);
      assert.ok(!r.closedWith, `the connection was closed (${JSON.stringify(r.closedWith)}) instead of answering subscribe`);
      ok(r);
      assert.ok(r.resync === true || r.events.length === 31);
    } finally { ws.destroy(); }
  });
});
