// Topics: lock, pin, move (docs/protocol.md, "Topics: lock, pin, move",
// "The topic object", "Live: channels and events").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers.mjs';
import {
  member, moderator, openPeriod, createPeriod, createTopic, createPost, stopClean, nextEvent, threadOrder,
} from './discuss.mjs';
import { ok, refused, audit, report, eventsOn, subscribe, seenPost, itemFor } from './modkit.mjs';

test('topic.lock and topic.unlock', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const alice = await member(srv, { display_name: 'Alisa' });
  const bob = await member(srv, { display_name: 'Bertta' });
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Lukittava aihe' });
  const own = await createPost(alice.ws, topic.id, 'Alisan viesti', opening.id);
  await subscribe(bob.ws, `period:${period.id}`);
  await subscribe(bob.ws, `topic:${topic.id}`);

  await t.test('a new topic is not locked, not pinned, published', async () => {
    assert.equal(topic.locked, null);
    assert.equal(topic.pinned, false);
    assert.equal(topic.status, 'published');
  });

  await t.test('bad input and members: refused, nothing written', async () => {
    await refused(srv, alice.ws, { type: 'topic.lock', topic_id: topic.id }, 'forbidden');
    await refused(srv, mod.ws, { type: 'topic.lock' }, 'missing_field', 'topic_id');
    await refused(srv, mod.ws, { type: 'topic.lock', topic_id: 'x' }, 'invalid_field', 'topic_id');
    await refused(srv, mod.ws, { type: 'topic.lock', topic_id: 999999 }, 'not_found', 'topic_id');
    const e = await refused(srv, mod.ws, { type: 'topic.lock', topic_id: topic.id, reason: 'x'.repeat(501) }, 'too_long', 'reason');
    assert.equal(e.limit, 500);
    await refused(srv, mod.ws, { type: 'topic.unlock', topic_id: topic.id }, 'conflict', 'topic_id');
    await refused(srv, mod.ws, { type: 'topic.unlock', topic_id: 999999 }, 'not_found', 'topic_id');
    await refused(srv, alice.ws, { type: 'topic.unlock', topic_id: topic.id }, 'forbidden');
  });

  await t.test('topic.lock: the reply, the live topic.changed, the audit entry', async () => {
    const r = ok(await mod.ws.request({ type: 'topic.lock', topic_id: topic.id, reason: '  Keskustelu on käyty  ' }));
    assert.equal(r.topic.id, topic.id);
    assert.equal(r.topic.locked.reason, 'Keskustelu on käyty');
    assert.match(r.topic.locked.at, /Z$/);
    const ev = await nextEvent(bob.ws, `period:${period.id}`, 'topic.changed', (e) => e.data.id === topic.id);
    assert.deepEqual(ev.data.locked, r.topic.locked);
    assert.ok(!('unread' in ev.data));
    const log = await audit(mod, 'topic.lock');
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason], ['topic', topic.id, 'Keskustelu on käyty']);
    const seen = ok(await bob.ws.request({ type: 'topic.get', topic_id: topic.id }));
    assert.deepEqual(seen.topic.locked, r.topic.locked, 'members see the lock in topic.get');
    const listed = ok(await bob.ws.request({ type: 'period.get', period_id: period.id })).topics.find((x) => x.id === topic.id);
    assert.deepEqual(listed.locked, r.topic.locked, 'and in period.get');
    await refused(srv, mod.ws, { type: 'topic.lock', topic_id: topic.id }, 'conflict', 'topic_id');
  });

  await t.test('in a locked topic members cannot post or edit: topic_locked, nothing written', async () => {
    await refused(srv, bob.ws, { type: 'post.create', topic_id: topic.id, body: 'Myöhästyin' }, 'topic_locked', 'topic_id');
    await refused(srv, bob.ws, { type: 'post.create', topic_id: topic.id, parent_id: own.id, body: 'Vastaus' }, 'topic_locked', 'topic_id');
    await refused(srv, alice.ws, { type: 'post.edit', post_id: own.id, body: 'Muutan mieleni' }, 'topic_locked', 'post_id');
    await eventsOn(bob.ws, `topic:${topic.id}`);
  });

  await t.test('reading, reacting and reporting go on; moderators may still post', async () => {
    ok(await bob.ws.request({ type: 'topic.get', topic_id: topic.id }));
    ok(await bob.ws.request({ type: 'reaction.add', post_id: own.id, reaction: 'agree' }));
    await report(bob, own.id);
    const p = ok(await mod.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Lukitsin aiheen, kiitos kaikille' })).post;
    assert.equal(p.status, 'published');
    const ev = await nextEvent(bob.ws, `topic:${topic.id}`, 'post.created', (e) => e.data.id === p.id);
    assert.equal(ev.data.body, 'Lukitsin aiheen, kiitos kaikille');
  });

  await t.test('a member may still delete their own post in a locked topic (taking words back)', async () => {
    ok(await alice.ws.request({ type: 'post.delete', post_id: own.id }));
  });

  await t.test('topic.unlock: members may post again; live and audited', async () => {
    await eventsOn(bob.ws, `period:${period.id}`);
    const r = ok(await mod.ws.request({ type: 'topic.unlock', topic_id: topic.id }));
    assert.equal(r.topic.locked, null);
    const ev = await nextEvent(bob.ws, `period:${period.id}`, 'topic.changed', (e) => e.data.id === topic.id);
    assert.equal(ev.data.locked, null);
    ok(await bob.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Taas auki' }));
    const log = await audit(mod, 'topic.unlock');
    assert.deepEqual([log[0].target.kind, log[0].target.id], ['topic', topic.id]);
  });

  await t.test('a lock without a reason', async () => {
    const r = ok(await mod.ws.request({ type: 'topic.lock', topic_id: topic.id }));
    assert.ok(r.topic.locked, 'locked');
    assert.ok(r.topic.locked.reason === '' || r.topic.locked.reason === null, `reason ${JSON.stringify(r.topic.locked)}`);
  });
});

test('topic.pin and topic.unpin', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const m = await member(srv);
  const period = await openPeriod(mod.ws);
  const a = (await createTopic(mod.ws, period.id, { title: 'A' })).topic;
  const b = (await createTopic(mod.ws, period.id, { title: 'B' })).topic;
  const c = (await createTopic(mod.ws, period.id, { title: 'C' })).topic;
  await subscribe(m.ws, `period:${period.id}`);
  const order = async () => ok(await m.ws.request({ type: 'period.get', period_id: period.id })).topics.map((x) => x.title);

  await t.test('unpinned: by last post, newest first', async () => {
    assert.deepEqual(await order(), ['C', 'B', 'A']);
  });

  await t.test('bad input and members: refused', async () => {
    await refused(srv, m.ws, { type: 'topic.pin', topic_id: a.id }, 'forbidden');
    await refused(srv, mod.ws, { type: 'topic.pin' }, 'missing_field', 'topic_id');
    await refused(srv, mod.ws, { type: 'topic.pin', topic_id: 999999 }, 'not_found', 'topic_id');
    await refused(srv, mod.ws, { type: 'topic.unpin', topic_id: a.id }, 'conflict', 'topic_id');
  });

  await t.test('a pinned topic comes first; live topic.changed; audited', async () => {
    const r = ok(await mod.ws.request({ type: 'topic.pin', topic_id: a.id }));
    assert.equal(r.topic.pinned, true);
    const ev = await nextEvent(m.ws, `period:${period.id}`, 'topic.changed', (e) => e.data.id === a.id);
    assert.equal(ev.data.pinned, true);
    assert.deepEqual(await order(), ['A', 'C', 'B']);
    await createPost(m.ws, b.id, 'B saa uuden viestin');
    assert.deepEqual(await order(), ['A', 'B', 'C'], 'a new post does not lift another topic above the pinned one');
    await refused(srv, mod.ws, { type: 'topic.pin', topic_id: a.id }, 'conflict', 'topic_id');
    const log = await audit(mod, 'topic.pin');
    assert.deepEqual([log[0].target.kind, log[0].target.id], ['topic', a.id]);
  });

  await t.test('two pinned topics come first, by last post among themselves', async () => {
    ok(await mod.ws.request({ type: 'topic.pin', topic_id: c.id }));
    assert.deepEqual(await order(), ['C', 'A', 'B']);
  });

  await t.test('topic.unpin: back in last-post order; live; audited', async () => {
    await eventsOn(m.ws, `period:${period.id}`);
    const r = ok(await mod.ws.request({ type: 'topic.unpin', topic_id: c.id }));
    assert.equal(r.topic.pinned, false);
    const ev = await nextEvent(m.ws, `period:${period.id}`, 'topic.changed', (e) => e.data.id === c.id);
    assert.equal(ev.data.pinned, false);
    assert.deepEqual(await order(), ['A', 'B', 'C']);
    const log = await audit(mod, 'topic.unpin');
    assert.deepEqual([log[0].target.kind, log[0].target.id], ['topic', c.id]);
  });
});

test('post.move', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const alice = await member(srv, { display_name: 'Alisa' });
  const bob = await member(srv, { display_name: 'Bertta' });
  const period = await openPeriod(mod.ws);
  const from = await createTopic(mod.ws, period.id, { title: 'Lähtö' });
  const to = await createTopic(mod.ws, period.id, { title: 'Kohde' });
  const p = await createPost(alice.ws, from.topic.id, 'Siirrettävä', from.post.id);
  const c1 = await createPost(bob.ws, from.topic.id, 'Vastaus siirrettävään', p.id);
  const c2 = await createPost(alice.ws, from.topic.id, 'Vastaus vastaukseen', c1.id);
  const stay = await createPost(bob.ws, from.topic.id, 'Jää paikalleen', from.post.id);
  ok(await alice.ws.request({ type: 'reaction.add', post_id: c1.id, reaction: 'thanks' }));
  await subscribe(bob.ws, `topic:${from.topic.id}`);
  await subscribe(bob.ws, `topic:${to.topic.id}`);
  await subscribe(alice.ws, 'me');
  const other = await openPeriod(mod.ws);
  const elsewhere = await createTopic(mod.ws, other.id);
  const draft = await createPeriod(mod.ws);
  const draftTopic = await createTopic(mod.ws, draft.id);

  await t.test('bad input and members: refused, nothing written', async () => {
    await refused(srv, alice.ws, { type: 'post.move', post_id: p.id, topic_id: to.topic.id }, 'forbidden');
    await refused(srv, mod.ws, { type: 'post.move', topic_id: to.topic.id }, 'missing_field', 'post_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: p.id }, 'missing_field', 'topic_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: 999999, topic_id: to.topic.id }, 'not_found', 'post_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: p.id, topic_id: 999999 }, 'not_found', 'topic_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: from.post.id, topic_id: to.topic.id }, 'invalid_field', 'post_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: p.id, topic_id: from.topic.id }, 'invalid_field', 'topic_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: p.id, topic_id: elsewhere.topic.id }, 'invalid_field', 'topic_id');
    await refused(srv, mod.ws, { type: 'post.move', post_id: p.id, topic_id: draftTopic.topic.id }, 'invalid_field', 'topic_id');
    const e = await refused(srv, mod.ws, { type: 'post.move', post_id: p.id, topic_id: to.topic.id, reason: 'x'.repeat(501) }, 'too_long', 'reason');
    assert.equal(e.limit, 500);
  });

  await t.test('the post moves with its replies: depths, parents, counts, reactions', async () => {
    const before = ok(await bob.ws.request({ type: 'period.get', period_id: period.id }));
    const r = ok(await mod.ws.request({ type: 'post.move', post_id: p.id, topic_id: to.topic.id, reason: 'Kuuluu toiseen aiheeseen' }));
    assert.equal(r.moved, 3);
    assert.equal(r.post.id, p.id);
    assert.equal(r.post.topic_id, to.topic.id);
    assert.equal(r.post.parent_id, to.post.id, 'a reply to the other topic\'s opening post');
    assert.equal(r.post.depth, 1);
    const dest = ok(await bob.ws.request({ type: 'topic.get', topic_id: to.topic.id, limit: 200 }));
    assert.deepEqual(dest.posts.map((x) => x.id), [to.post.id, p.id, c1.id, c2.id]);
    assert.deepEqual(dest.posts.map((x) => x.depth), [0, 1, 2, 3]);
    assert.deepEqual(dest.posts.map((x) => x.id), threadOrder(dest.posts));
    assert.ok(dest.posts.every((x) => x.topic_id === to.topic.id));
    assert.equal(dest.posts[2].reactions.thanks, 1, 'reactions go with them');
    assert.equal(dest.posts[1].reply_to.id, to.post.id);
    assert.equal(dest.topic.post_count, 4);
    const src = ok(await bob.ws.request({ type: 'topic.get', topic_id: from.topic.id, limit: 200 }));
    assert.deepEqual(src.posts.map((x) => x.id), [from.post.id, stay.id]);
    assert.equal(src.topic.post_count, 2);
    const after = ok(await bob.ws.request({ type: 'period.get', period_id: period.id }));
    assert.equal(after.period.post_count, before.period.post_count, 'the period\'s count is unchanged');
    const versions = ok(await mod.ws.request({ type: 'post.versions', post_id: c1.id }));
    assert.equal(versions.versions.at(-1).body, 'Vastaus siirrettävään');
    await refused(srv, alice.ws, { type: 'post.list', topic_id: from.topic.id, after: p.id }, 'not_found', 'after');
  });

  await t.test('post.moved goes to both topics; the author is told; audited', async () => {
    for (const id of [from.topic.id, to.topic.id]) {
      const ev = await nextEvent(bob.ws, `topic:${id}`, 'post.moved');
      assert.deepEqual([...ev.data.post_ids].sort((x, y) => x - y), [p.id, c1.id, c2.id]);
      assert.equal(ev.data.from_topic_id, from.topic.id);
      assert.equal(ev.data.to_topic_id, to.topic.id);
      assert.ok(Number.isInteger(ev.seq));
    }
    // Alisa wrote the moved post and a reply under it; she is told about
    // the post that was moved (whether also about the reply that went
    // with it, the doc does not say).
    const n = (await eventsOn(alice.ws, 'me')).map((e) => e.data);
    assert.ok(n.every((x) => x.kind === 'post.moved' && [p.id, c2.id].includes(x.post_id)), JSON.stringify(n));
    const top = n.filter((x) => x.post_id === p.id);
    assert.deepEqual(top.map((x) => [x.kind, x.post_id, x.reason]), [['post.moved', p.id, 'Kuuluu toiseen aiheeseen']]);
    assert.deepEqual(top[0].topic, { id: to.topic.id, title: 'Kohde' }, 'the notice names the topic it is in now');
    const log = await audit(mod, 'post.move');
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason], ['post', p.id, 'Kuuluu toiseen aiheeseen']);
  });

  await t.test('viewers of the period see both topics\' new counts', async () => {
    const viewer = await member(srv);
    const pr = ok(await viewer.ws.request({ type: 'subscribe', channel: `period:${period.id}`, since: 0 }));
    const latest = new Map();
    for (const e of pr.events) if (e.event === 'topic.changed' || e.event === 'topic.created') latest.set(e.data.id, e.data);
    if (!pr.resync) {
      assert.equal(latest.get(from.topic.id)?.post_count, 2, 'the topic the posts left');
      assert.equal(latest.get(to.topic.id)?.post_count, 4, 'the topic they went to');
    }
    viewer.ws.destroy();
  });

  await t.test('a reply deep in a thread moves with its own replies only', async () => {
    const r = ok(await mod.ws.request({ type: 'post.move', post_id: c1.id, topic_id: from.topic.id }));
    assert.equal(r.moved, 2);
    const src = ok(await bob.ws.request({ type: 'topic.get', topic_id: from.topic.id, limit: 200 }));
    const moved = src.posts.filter((x) => [c1.id, c2.id].includes(x.id));
    assert.deepEqual(moved.map((x) => [x.id, x.depth, x.parent_id]), [[c1.id, 1, from.post.id], [c2.id, 2, c1.id]]);
    const dest = ok(await bob.ws.request({ type: 'topic.get', topic_id: to.topic.id, limit: 200 }));
    assert.deepEqual(dest.posts.map((x) => x.id), [to.post.id, p.id]);
    assert.equal(dest.topic.post_count, 2);
    assert.equal((await seenPost(bob.ws, from.topic.id, c1.id)).topic_id, from.topic.id);
  });
});

test('post.move with pending replies, into a pending topic, and the source topic\'s catch-up', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const alice = await member(srv);
  const bob = await member(srv);
  const period = await openPeriod(mod.ws, { members_may_open_topics: true });
  const from = await createTopic(mod.ws, period.id, { title: 'Lähtö' });
  const to = await createTopic(mod.ws, period.id, { title: 'Kohde' });
  const p = await createPost(alice.ws, from.topic.id, 'Siirrettävä', from.post.id);
  const since = (await subscribe(bob.ws, `topic:${from.topic.id}`)).seq;
  await subscribe(bob.ws, `topic:${to.topic.id}`);
  ok(await mod.ws.request({ type: 'period.update', period_id: period.id, premoderated: true }));
  const pendingReply = ok(await alice.ws.request({ type: 'post.create', topic_id: from.topic.id, parent_id: p.id, body: 'Odottava vastaus' })).post;
  assert.equal(pendingReply.status, 'pending');
  const pendingTopic = ok(await alice.ws.request({ type: 'topic.create', period_id: period.id, title: 'Odottava aihe', body: 'Hei' }));
  assert.equal(pendingTopic.topic.status, 'pending');

  await t.test('a topic that waits for a moderator takes no moves and no replies', async () => {
    await refused(srv, mod.ws, { type: 'post.move', post_id: p.id, topic_id: pendingTopic.topic.id }, 'invalid_field', 'topic_id');
    await refused(srv, alice.ws, { type: 'post.create', topic_id: pendingTopic.topic.id, body: 'Jatkan omaa aihettani' }, 'invalid_field', 'topic_id');
  });

  await t.test('post.moved names only the posts everyone may see; the pending reply moves along', async () => {
    await eventsOn(bob.ws, `topic:${from.topic.id}`);
    await eventsOn(bob.ws, `topic:${to.topic.id}`);
    const r = ok(await mod.ws.request({ type: 'post.move', post_id: p.id, topic_id: to.topic.id }));
    for (const id of [from.topic.id, to.topic.id]) {
      const ev = await nextEvent(bob.ws, `topic:${id}`, 'post.moved');
      assert.deepEqual(ev.data.post_ids, [p.id], `no pending post named on topic:${id}`);
    }
    const mine = ok(await alice.ws.request({ type: 'topic.get', topic_id: to.topic.id, limit: 200 })).posts.find((x) => x.id === pendingReply.id);
    assert.equal(mine?.status, 'pending', 'the author finds the pending reply in the new topic');
    assert.equal(mine.depth, 2);
    const item = await itemFor(mod, pendingReply.id, 'review');
    assert.equal(item.topic.id, to.topic.id, 'the review item names the new topic');
    // "moves a post with all its replies … Reply {post, moved: 3} (how many
    // posts moved)": the pending reply moved too, so it counts.
    assert.equal(r.moved, 2, 'moved counts the post and its pending reply');
  });

  await t.test('catching up on the topic the posts left, from before the move, says resync', async () => {
    const r = ok(await bob.ws.request({ type: 'subscribe', channel: `topic:${from.topic.id}`, since }));
    assert.equal(r.resync, true, JSON.stringify(r).slice(0, 500));
  });
});
