// Topics and threaded posts: the whole life cycle of a period's discussion,
// nested replies, edits and versions, tombstones, reactions, unread marks,
// participation counts, markdown safety, who may do what, and bad input
// (docs/protocol.md, "Activity periods and discussions").
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, getConfig, openWs, assertError, sqlite, ISO_MS } from './helpers.mjs';
import { OP } from './wsclient.mjs';
import {
  ok, at, DAY, member, moderator, staff, createPeriod, openPeriod, createTopic, createPost,
  assertPeriod, assertTopic, assertPost, threadOrder, snapshot, snapshotRun, stopClean,
  subscribe, settle, pendingEvents,
} from './discuss.mjs';

const ZERO = { agree: 0, good_idea: 0, thanks: 0 };

describe('discussions', () => {
  let srv;
  let cfg;
  let mod;
  let A;
  let B;
  before(async () => {
    srv = await start();
    cfg = await getConfig(srv);
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Aino' });
    B = await member(srv, { display_name: 'Bertta' });
  });
  after(async () => { for (const w of [mod, A, B]) w?.ws.destroy(); await stopClean(srv); });

  const getTopic = async (who, topicId, extra = {}) => ok(await who.ws.request({ type: 'topic.get', topic_id: topicId, limit: 200, ...extra }), 'topic.get');

  test('life cycle: draft, announce, open, topic, nested replies, edit, versions, delete, reactions, close', async () => {
    // a draft, with a topic prepared in it
    const draft = await createPeriod(mod.ws, { title: 'Hyvä potilasohje' });
    assert.equal(draft.status, 'draft');
    const prep = await createTopic(mod.ws, draft.id, { title: 'Valmisteltu aihe', body: 'Valmisteltu avaus' });
    assertTopic(prep.topic);
    assertPost(prep.post);
    // announced: members see it but cannot post yet
    assert.equal(ok(await mod.ws.request({ type: 'period.announce', period_id: draft.id })).period.status, 'upcoming');
    assertError(await A.ws.request({ type: 'post.create', topic_id: prep.topic.id, body: 'Liian aikaisin' }), 'period_not_open');
    // open
    const p = ok(await mod.ws.request({ type: 'period.open', period_id: draft.id })).period;
    assert.equal(p.status, 'open');

    const { topic, post: op } = await createTopic(mod.ws, p.id, {
      title: 'Mikä ohjeessa jää epäselväksi?', body: 'Kertokaa esimerkkejä ohjeista, joita ette ymmärtäneet.',
    });
    assertTopic(topic);
    assert.equal(topic.period_id, p.id);
    assert.equal(topic.title, 'Mikä ohjeessa jää epäselväksi?');
    assert.deepEqual(topic.author, { id: mod.member.id, display_name: 'Moderaattori Mari' });
    assert.equal(topic.opening_post_id, op.id);
    assert.equal(topic.post_count, 1);
    assertPost(op, { mine: true });
    assert.equal(op.topic_id, topic.id);
    assert.equal(op.depth, 0);
    assert.equal(op.parent_id, null);
    assert.equal(op.reply_to, null);
    assert.deepEqual(op.author, { id: mod.member.id, display_name: 'Moderaattori Mari' });
    assert.equal(op.body, 'Kertokaa esimerkkejä ohjeista, joita ette ymmärtäneet.');
    assert.equal(op.body_html, '<p>Kertokaa esimerkkejä ohjeista, joita ette ymmärtäneet.</p>\n');
    assert.equal(op.edited_at, null);
    assert.equal(op.deleted, false);
    assert.deepEqual(op.reactions, ZERO);
    assert.deepEqual(op.mine, []);

    // a reply to the topic (no parent_id) replies to the opening post
    const a1 = assertPost(await createPost(A.ws, topic.id, 'Samaa mieltä, **lyhyesti** ja selkeästi.'), { mine: true });
    assert.equal(a1.parent_id, op.id);
    assert.equal(a1.depth, 1);
    assert.deepEqual(a1.reply_to, { id: op.id, display_name: 'Moderaattori Mari' });
    assert.deepEqual(a1.author, { id: A.member.id, display_name: 'Aino' });
    assert.equal(a1.body_html, '<p>Samaa mieltä, <strong>lyhyesti</strong> ja selkeästi.</p>\n');
    assert.ok(a1.seq > op.seq);

    // a chain down to depth 7, authors alternating
    const chain = [a1];
    for (let d = 2; d <= 7; d++) {
      const who = d % 2 === 0 ? B : A;
      const parent = chain.at(-1);
      const c = assertPost(await createPost(who.ws, topic.id, `Syvyys ${d}`, parent.id));
      assert.equal(c.depth, d, `depth of reply ${d}`);
      assert.equal(c.parent_id, parent.id);
      assert.deepEqual(c.reply_to, { id: parent.id, display_name: parent.author.display_name });
      chain.push(c);
    }
    const b1 = await createPost(B.ws, topic.id, 'Toinen haara', op.id);
    assert.equal(b1.depth, 1);
    const a1b = await createPost(A.ws, topic.id, 'Myöhempi vastaus Ainolle', a1.id);
    assert.equal(a1b.depth, 2);

    // thread order: op, a1, its chain, the later reply to a1, then b1
    const expected = [op.id, ...chain.map((c) => c.id), a1b.id, b1.id];
    let g = await getTopic(A, topic.id);
    assertTopic(g.topic, { unread: true });
    assertPeriod(g.period);
    assert.equal(g.topic.post_count, expected.length);
    assert.equal(g.period.id, p.id);
    assert.deepEqual(g.posts.map((x) => x.id), expected);
    assert.deepEqual(threadOrder(g.posts), expected);
    for (const x of g.posts) assertPost(x, { mine: true });
    assert.equal(g.has_before, false);
    assert.equal(g.has_after, false);
    assert.ok(Number.isInteger(g.viewers), `viewers ${g.viewers}`);
    assert.deepEqual(g.posts.map((x) => x.depth), [0, 1, 2, 3, 4, 5, 6, 7, 2, 1]);

    // edit
    const e1 = assertPost(ok(await A.ws.request({ type: 'post.edit', post_id: a1.id, body: 'Samaa mieltä, mutta *kuvat* auttavat.' })).post);
    assert.equal(e1.id, a1.id);
    assert.equal(e1.body, 'Samaa mieltä, mutta *kuvat* auttavat.');
    assert.equal(e1.body_html, '<p>Samaa mieltä, mutta <em>kuvat</em> auttavat.</p>\n');
    assert.match(e1.edited_at, ISO_MS);
    assert.ok(e1.edited_at >= a1.created_at);
    assert.equal(e1.created_at, a1.created_at);
    assert.equal(e1.parent_id, a1.parent_id);
    assert.ok(e1.seq > a1.seq);
    const e2 = ok(await A.ws.request({ type: 'post.edit', post_id: a1.id, body: 'Kolmas versio' })).post;
    assert.ok(e2.edited_at >= e1.edited_at);
    g = await getTopic(B, topic.id);
    const a1now = g.posts.find((x) => x.id === a1.id);
    assert.equal(a1now.body, 'Kolmas versio');
    assert.equal(a1now.edited_at, e2.edited_at);
    assert.deepEqual(g.posts.map((x) => x.id), expected, 'editing does not move a post');

    // versions: for moderators only
    const v = ok(await mod.ws.request({ type: 'post.versions', post_id: a1.id }));
    assert.deepEqual(v.versions.map((x) => x.body), ['Samaa mieltä, **lyhyesti** ja selkeästi.', 'Samaa mieltä, mutta *kuvat* auttavat.', 'Kolmas versio']);
    for (const x of v.versions) assert.match(x.at, ISO_MS);
    assert.equal(v.versions[0].at, a1.created_at);
    assert.equal(v.versions.at(-1).at, e2.edited_at);
    assert.equal(v.deleted_at, null);
    assertError(await A.ws.request({ type: 'post.versions', post_id: a1.id }), 'forbidden');
    assertError(await B.ws.request({ type: 'post.versions', post_id: a1.id }), 'forbidden');

    // delete a post that has replies: a tombstone that keeps its place
    const victim = chain[1]; // B's, depth 2, with replies under it
    const d = assertPost(ok(await B.ws.request({ type: 'post.delete', post_id: victim.id })).post);
    assert.equal(d.id, victim.id);
    assert.equal(d.deleted, true);
    assert.equal(d.author, null);
    assert.equal(d.body, '');
    assert.equal(d.body_html, '');
    assert.equal(d.parent_id, victim.parent_id);
    assert.equal(d.depth, victim.depth);
    g = await getTopic(A, topic.id);
    assert.deepEqual(g.posts.map((x) => x.id), expected, 'the tombstone and its replies keep their places');
    assert.equal(g.topic.post_count, expected.length - 1, 'post_count does not count the deleted post');
    const tomb = g.posts.find((x) => x.id === victim.id);
    assertPost(tomb);
    assert.equal(tomb.deleted, true);
    const under = g.posts.find((x) => x.id === chain[2].id);
    assert.deepEqual(under.reply_to, { id: victim.id, display_name: null }, 'a reply to a deleted post names no one');
    assert.equal(under.body, 'Syvyys 3');
    const vd = ok(await mod.ws.request({ type: 'post.versions', post_id: victim.id }));
    assert.match(vd.deleted_at, ISO_MS);
    assert.equal(vd.versions.at(-1).body, 'Syvyys 2', 'the last text is kept for moderators');
    // a deleted post cannot be edited, deleted again or replied to
    let before = snapshot(srv.db);
    assertError(await B.ws.request({ type: 'post.edit', post_id: victim.id, body: 'Takaisin' }), 'invalid_field');
    assertError(await B.ws.request({ type: 'post.delete', post_id: victim.id }), 'invalid_field');
    assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, parent_id: victim.id, body: 'Vastaus poistettuun' }), 'invalid_field');
    assert.equal(snapshot(srv.db), before);

    // reactions
    let r = ok(await B.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'agree' }));
    assert.equal(r.post_id, a1.id);
    assert.deepEqual(r.reactions, { agree: 1, good_idea: 0, thanks: 0 });
    assert.deepEqual(r.mine, ['agree']);
    r = ok(await B.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'agree' }));
    assert.deepEqual(r.reactions, { agree: 1, good_idea: 0, thanks: 0 }, 'adding the same kind twice changes nothing');
    assert.deepEqual(r.mine, ['agree']);
    r = ok(await B.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'good_idea' }));
    assert.deepEqual(r.reactions, { agree: 1, good_idea: 1, thanks: 0 });
    assert.deepEqual([...r.mine].sort(), ['agree', 'good_idea']);
    r = ok(await mod.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'agree' }));
    assert.deepEqual(r.reactions, { agree: 2, good_idea: 1, thanks: 0 });
    assert.deepEqual(r.mine, ['agree']);
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM reaction WHERE post_id = ${a1.id};`).trim(), '3');
    before = snapshot(srv.db);
    assertError(await A.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'thanks' }), 'invalid_field');
    assertError(await A.ws.request({ type: 'reaction.add', post_id: victim.id, reaction: 'thanks' }), 'invalid_field');
    assert.equal(snapshot(srv.db), before);
    g = await getTopic(A, topic.id);
    let mine = g.posts.find((x) => x.id === a1.id);
    assert.deepEqual(mine.reactions, { agree: 2, good_idea: 1, thanks: 0 });
    assert.deepEqual(mine.mine, [], 'the author gave none');
    g = await getTopic(B, topic.id);
    mine = g.posts.find((x) => x.id === a1.id);
    assert.deepEqual([...mine.mine].sort(), ['agree', 'good_idea']);
    r = ok(await B.ws.request({ type: 'reaction.remove', post_id: a1.id, reaction: 'agree' }));
    assert.deepEqual(r.reactions, { agree: 1, good_idea: 1, thanks: 0 });
    assert.deepEqual(r.mine, ['good_idea']);
    r = ok(await B.ws.request({ type: 'reaction.remove', post_id: a1.id, reaction: 'agree' }));
    assert.deepEqual(r.reactions, { agree: 1, good_idea: 1, thanks: 0 }, 'removing one not given changes nothing');
    r = ok(await B.ws.request({ type: 'reaction.remove', post_id: a1.id, reaction: 'thanks' }));
    assert.deepEqual(r.reactions, { agree: 1, good_idea: 1, thanks: 0 });
    assert.deepEqual(r.mine, ['good_idea']);

    // a reacted post that gets deleted shows zero reactions
    ok(await A.ws.request({ type: 'reaction.add', post_id: b1.id, reaction: 'thanks' }));
    const db1 = ok(await B.ws.request({ type: 'post.delete', post_id: b1.id })).post;
    assert.deepEqual(db1.reactions, ZERO);

    // close: everything is read-only
    const closed = ok(await mod.ws.request({ type: 'period.close', period_id: p.id })).period;
    assert.equal(closed.status, 'closed');
    before = snapshot(srv.db);
    assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Myöhässä' }), 'period_closed');
    assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, parent_id: a1.id, body: 'Myöhässä' }), 'period_closed');
    assertError(await A.ws.request({ type: 'post.edit', post_id: a1b.id, body: 'Myöhässä' }), 'period_closed');
    assertError(await A.ws.request({ type: 'post.delete', post_id: a1b.id }), 'period_closed');
    assertError(await B.ws.request({ type: 'reaction.add', post_id: a1b.id, reaction: 'agree' }), 'period_closed');
    assertError(await B.ws.request({ type: 'reaction.remove', post_id: a1.id, reaction: 'good_idea' }), 'period_closed');
    assertError(await mod.ws.request({ type: 'topic.create', period_id: p.id, title: 'Myöhässä', body: 'x' }), 'period_closed');
    assertError(await mod.ws.request({ type: 'post.edit', post_id: op.id, body: 'Myöhässä' }), 'period_closed');
    assert.equal(snapshot(srv.db), before, 'nothing written in a closed period');
    // marking read is not writing in the period: it still works
    ok(await A.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: a1b.id }));
    g = await getTopic(A, topic.id);
    assert.deepEqual(g.posts.map((x) => x.id), expected, 'a closed period can still be read');
    assert.equal(g.period.status, 'closed');
  });

  test('a chain of 60 replies: depth 60, thread order, and a reply at the top still comes after the whole chain', async () => {
    const p = await openPeriod(mod.ws);
    const { topic, post: op } = await createTopic(mod.ws, p.id);
    const ids = [op.id];
    let parent = op.id;
    for (let d = 1; d <= 60; d++) {
      const x = await createPost((d % 2 ? A : B).ws, topic.id, `Taso ${d}`, parent);
      assert.equal(x.depth, d);
      ids.push(x.id);
      parent = x.id;
    }
    const top = await createPost(A.ws, topic.id, 'Ylätasolle');
    const g = await getTopic(B, topic.id);
    assert.deepEqual(g.posts.map((x) => x.id), [...ids, top.id]);
    assert.equal(g.posts[60].depth, 60);
  });

  test('after the opening post is deleted, a reply to the topic (no parent_id) is still accepted; parent_id of it is not', async () => {
    // Not in protocol.md: the server's message says "reply to the thread instead".
    const p = await openPeriod(mod.ws);
    const { topic, post: op } = await createTopic(mod.ws, p.id);
    ok(await mod.ws.request({ type: 'post.delete', post_id: op.id }));
    assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, parent_id: op.id, body: 'x' }), 'invalid_field', 'parent_id');
    const r = await createPost(A.ws, topic.id, 'Ketjuun');
    assert.equal(r.parent_id, op.id);
    assert.deepEqual(r.reply_to, { id: op.id, display_name: null });
  });

  test('post.create with a client_key is safe to send again: one post, one event, the same reply', async () => {
    const p = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, p.id);
    await subscribe(B.ws, `topic:${topic.id}`);
    const msg = { type: 'post.create', topic_id: topic.id, body: 'Lähetetty kahdesti', client_key: 'k3y-Aino_0001' };
    const first = ok(await A.ws.request(msg), 'first send');
    const again = ok(await A.ws.request(msg), 'the same message again');
    assert.equal(again.post.id, first.post.id, 'the second send answers with the post already written');
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM post WHERE topic_id = ${topic.id} AND body = 'Lähetetty kahdesti';`).trim(), '1');
    const g = await getTopic(B, topic.id);
    assert.equal(g.topic.post_count, 2, 'the opening post and one reply');
    // the key is the member's own: another member may use the same string
    const other = ok(await B.ws.request({ ...msg, body: 'Bertan viesti' }), 'B with the same key');
    assert.notEqual(other.post.id, first.post.id);
    // another topic with a used key is a conflict; a malformed key is invalid
    const t2 = await createTopic(mod.ws, p.id);
    assertError(await A.ws.request({ ...msg, topic_id: t2.topic.id }), 'conflict', 'client_key');
    assertError(await A.ws.request({ ...msg, client_key: 'short' }), 'invalid_field', 'client_key');
    assertError(await A.ws.request({ ...msg, client_key: 'ei välilyöntejä 123' }), 'invalid_field', 'client_key');
    assertError(await A.ws.request({ ...msg, client_key: 12345678 }), 'invalid_field', 'client_key');
    // B saw exactly one post.created for A's post
    await settle(B.ws);
    const created = pendingEvents(B.ws, `topic:${topic.id}`).filter((j) => j.event === 'post.created' && j.data.id === first.post.id);
    assert.equal(created.length, 1, 'one post.created for the post sent twice');
  });

  describe('not open yet', () => {
    test('in an upcoming period: post, edit, delete and react → period_not_open; the moderator prepares topics', async () => {
      const p = await createPeriod(mod.ws, { status: 'upcoming' });
      const { topic, post: op } = await createTopic(mod.ws, p.id);
      const before = snapshot(srv.db);
      assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Liian aikaisin' }), 'period_not_open');
      assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, parent_id: op.id, body: 'Liian aikaisin' }), 'period_not_open');
      assertError(await A.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'agree' }), 'period_not_open');
      assertError(await A.ws.request({ type: 'reaction.remove', post_id: op.id, reaction: 'agree' }), 'period_not_open');
      assertError(await mod.ws.request({ type: 'post.edit', post_id: op.id, body: 'Muokattu' }), 'period_not_open');
      assertError(await mod.ws.request({ type: 'post.delete', post_id: op.id }), 'period_not_open');
      assert.equal(snapshot(srv.db), before);
      // members can read it
      const g = await getTopic(A, topic.id);
      assert.deepEqual(g.posts.map((x) => x.id), [op.id]);
    });

    test('in a draft: everything a member tries on it is not_found, as if it did not exist', async () => {
      const p = await createPeriod(mod.ws, { members_may_open_topics: true });
      const { topic, post: op } = await createTopic(mod.ws, p.id);
      const before = snapshot(srv.db);
      for (const msg of [
        { type: 'topic.create', period_id: p.id, title: 'Luonnokseen', body: 'x' },
        { type: 'post.create', topic_id: topic.id, body: 'Luonnokseen' },
        { type: 'post.create', topic_id: topic.id, parent_id: op.id, body: 'Luonnokseen' },
        { type: 'post.edit', post_id: op.id, body: 'x' },
        { type: 'post.delete', post_id: op.id },
        { type: 'reaction.add', post_id: op.id, reaction: 'agree' },
        { type: 'reaction.remove', post_id: op.id, reaction: 'agree' },
        { type: 'topic.read', topic_id: topic.id, post_id: op.id },
        { type: 'topic.get', topic_id: topic.id },
        { type: 'post.list', topic_id: topic.id, after: op.id },
      ]) {
        assertError(await A.ws.request(msg), 'not_found');
      }
      assert.equal(snapshot(srv.db), before);
    });
  });

  describe('topic.create', () => {
    test('by a member: forbidden unless the period has members_may_open_topics', async () => {
      const p = await openPeriod(mod.ws);
      const before = snapshot(srv.db);
      assertError(await A.ws.request({ type: 'topic.create', period_id: p.id, title: 'Oma aihe', body: 'Avaus' }), 'forbidden');
      assert.equal(snapshot(srv.db), before);
      const q = await openPeriod(mod.ws, { members_may_open_topics: true });
      const r = ok(await A.ws.request({ type: 'topic.create', period_id: q.id, title: 'Oma aihe', body: 'Avaus' }));
      assertTopic(r.topic);
      assertPost(r.post);
      assert.deepEqual(r.topic.author, { id: A.member.id, display_name: 'Aino' });
      assert.deepEqual(r.post.author, { id: A.member.id, display_name: 'Aino' });
      assert.equal(r.topic.opening_post_id, r.post.id);
      // and the moderator flips it off again
      ok(await mod.ws.request({ type: 'period.update', period_id: q.id, members_may_open_topics: false }));
      assertError(await A.ws.request({ type: 'topic.create', period_id: q.id, title: 'Toinen', body: 'Avaus' }), 'forbidden');
    });

    test('by a member with members_may_open_topics, in an upcoming period → period_not_open; closed → period_closed', async () => {
      const u = await createPeriod(mod.ws, { status: 'upcoming', members_may_open_topics: true });
      const before = snapshot(srv.db);
      assertError(await A.ws.request({ type: 'topic.create', period_id: u.id, title: 'Aikaisin', body: 'Avaus' }), 'period_not_open');
      assert.equal(snapshot(srv.db), before);
      const c = await openPeriod(mod.ws, { members_may_open_topics: true });
      ok(await mod.ws.request({ type: 'period.close', period_id: c.id }));
      const before2 = snapshot(srv.db);
      assertError(await A.ws.request({ type: 'topic.create', period_id: c.id, title: 'Myöhään', body: 'Avaus' }), 'period_closed');
      assertError(await mod.ws.request({ type: 'topic.create', period_id: c.id, title: 'Myöhään', body: 'Avaus' }), 'period_closed');
      assert.equal(snapshot(srv.db), before2);
    });

    test('counts: topic_count, post_count, participant_count, last_post_at and last_post_author_id follow posts', async () => {
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const x = await createPost(A.ws, topic.id, 'Yksi');
      await createPost(A.ws, topic.id, 'Kaksi', x.id);
      const y = await createPost(B.ws, topic.id, 'Kolme');
      const g = await getTopic(A, topic.id);
      assert.equal(g.topic.post_count, 4);
      assert.equal(g.topic.last_post_author_id, B.member.id);
      assert.equal(g.topic.last_post_at, y.created_at);
      assert.ok(g.topic.participant_count >= 2, `participant_count ${g.topic.participant_count}`);
      const pg = ok(await A.ws.request({ type: 'period.get', period_id: p.id }));
      assert.equal(pg.period.topic_count, 1);
      assert.equal(pg.period.post_count, g.topic.post_count);
      assert.equal(pg.topics[0].post_count, 4);
    });
  });

  describe('someone else\'s post', () => {
    test('a member cannot edit or delete another member\'s post or the moderator\'s (forbidden); a moderator editing a member\'s needs a reason', async () => {
      const p = await openPeriod(mod.ws);
      const { topic, post: op } = await createTopic(mod.ws, p.id);
      const a = await createPost(A.ws, topic.id, 'Ainon viesti');
      const before = snapshot(srv.db);
      assertError(await B.ws.request({ type: 'post.edit', post_id: a.id, body: 'Kaapattu' }), 'forbidden');
      assertError(await B.ws.request({ type: 'post.delete', post_id: a.id }), 'forbidden');
      assertError(await A.ws.request({ type: 'post.edit', post_id: op.id, body: 'Kaapattu' }), 'forbidden');
      assertError(await A.ws.request({ type: 'post.delete', post_id: op.id }), 'forbidden');
      assertError(await mod.ws.request({ type: 'post.edit', post_id: a.id, body: 'Moderaattorin sanoin' }), 'missing_field', 'reason');
      assert.equal(snapshot(srv.db), before);
      const g = await getTopic(B, topic.id);
      assert.equal(g.posts.find((x) => x.id === a.id).body, 'Ainon viesti');
    });

    test('post.versions of a post with no edits: one version', async () => {
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const a = await createPost(A.ws, topic.id, 'Ainoa versio');
      const v = ok(await mod.ws.request({ type: 'post.versions', post_id: a.id }));
      assert.deepEqual(v.versions, [{ body: 'Ainoa versio', at: a.created_at }]);
      assert.equal(v.deleted_at, null);
    });
  });

  describe('unread', () => {
    test('topic.unread and first_unread_id (thread order), topic.read forward only, deleted and own posts never unread', async () => {
      const R = await member(srv, { display_name: 'Lukija' });
      try {
        const p = await openPeriod(mod.ws);
        const { topic, post: op } = await createTopic(mod.ws, p.id);
        let g = await getTopic(R, topic.id);
        assert.equal(g.topic.unread, 1, 'the opening post is unread for a new reader');
        assert.equal(g.first_unread_id, op.id);
        assert.equal(g.read_upto, 0, 'nothing is marked read yet');
        // the moderator's own post is not unread for them
        assert.equal((await getTopic(mod, topic.id)).topic.unread, 0);
        assert.equal((await getTopic(mod, topic.id)).first_unread_id, null);
        const r1 = await createPost(R.ws, topic.id, 'Oma');
        const b1 = await createPost(B.ws, topic.id, 'B yksi');
        const b2 = await createPost(B.ws, topic.id, 'B kaksi');
        g = await getTopic(R, topic.id);
        assert.equal(g.topic.unread, 3, 'own posts are never unread');
        assert.equal(g.first_unread_id, op.id);
        let rr = ok(await R.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: b2.id }));
        assert.equal(rr.unread, 0);
        g = await getTopic(R, topic.id);
        assert.equal(g.topic.unread, 0);
        assert.equal(g.first_unread_id, null);
        // b3 replies to b2, b4 to b1: b4 has the larger id but comes first in thread order
        const b3 = await createPost(B.ws, topic.id, 'B kolme', b2.id);
        const b4 = await createPost(B.ws, topic.id, 'B neljä', b1.id);
        g = await getTopic(R, topic.id);
        assert.deepEqual(g.posts.map((x) => x.id), [op.id, r1.id, b1.id, b4.id, b2.id, b3.id]);
        assert.equal(g.topic.unread, 2);
        assert.equal(g.first_unread_id, b4.id, 'the first unread post in thread order');
        // marks only move forward
        rr = ok(await R.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: b1.id }));
        assert.equal(rr.unread, 2);
        assert.equal((await getTopic(R, topic.id)).topic.unread, 2);
        assert.equal((await getTopic(R, topic.id)).read_upto, b2.id, 'the mark stayed at b2');
        // period.get's topics carry unread
        const pg = ok(await R.ws.request({ type: 'period.get', period_id: p.id }));
        assert.equal(pg.topics.find((t) => t.id === topic.id).unread, 2);
        // a deleted post is not unread
        ok(await B.ws.request({ type: 'post.delete', post_id: b4.id }));
        g = await getTopic(R, topic.id);
        assert.equal(g.topic.unread, 1);
        assert.equal(g.first_unread_id, b3.id);
        rr = ok(await R.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: b4.id }));
        assert.equal(rr.unread, 0);
        await createPost(R.ws, topic.id, 'Oma taas');
        assert.equal((await getTopic(R, topic.id)).topic.unread, 0);
        // reading one topic does not touch another
        const t2 = await createTopic(mod.ws, p.id);
        assert.equal((await getTopic(R, t2.topic.id)).topic.unread, 1);
        // a post of another topic cannot mark this one
        const before = snapshot(srv.db);
        assertError(await R.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: t2.post.id }), 'not_found');
        assert.equal(snapshot(srv.db), before);
      } finally { R.ws.destroy(); }
    });
  });

  describe('participation', () => {
    test('mine in period.get and period.list; period.participation by age group and municipality', async () => {
      const boss = await staff(srv, { role: 'moderator', name: 'Ohjaaja' });
      const y = cfg.current_year;
      const munis = cfg.municipalities.map((m) => m.id);
      const ages = [15, 24, 25, 44, 45, 64, 65, 74, 75, 100];
      const groupOf = (age) => (age <= 24 ? '15-24' : age <= 44 ? '25-44' : age <= 64 ? '45-64' : age <= 74 ? '65-74' : '75+');
      const people = [];
      try {
        const p = await openPeriod(boss.ws);
        const { topic, post: op } = await createTopic(boss.ws, p.id);
        for (let i = 0; i < ages.length; i++) {
          const m = await member(srv, { birth_year: y - ages[i], municipality: munis[i % munis.length], display_name: `Osallistuja ${i}` });
          people.push({ ...m, age: ages[i], muni: munis[i % munis.length], posts: (i % 3) + 1 });
        }
        for (const m of people) for (let k = 0; k < m.posts; k++) await createPost(m.ws, topic.id, `Viesti ${k}`);
        // one member only reacts (twice on the same kind: counts once)
        const reactor = await member(srv, { birth_year: y - 30, municipality: munis[0], display_name: 'Reagoija' });
        people.push({ ...reactor, age: 30, muni: munis[0], posts: 0 });
        ok(await reactor.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'thanks' }));
        ok(await reactor.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'thanks' }));
        // taking it back and giving it again does not count twice either
        ok(await reactor.ws.request({ type: 'reaction.remove', post_id: op.id, reaction: 'thanks' }));
        ok(await reactor.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'thanks' }));
        const first = people[0];
        const own = await createPost(first.ws, topic.id, 'Poistettava');
        first.posts += 1;
        ok(await first.ws.request({ type: 'post.delete', post_id: own.id }));
        ok(await first.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'agree' }));

        // mine
        let g = ok(await first.ws.request({ type: 'period.get', period_id: p.id }));
        assert.deepEqual(g.mine, { posts: first.posts, reactions: 1, votes: 0, responses: 0 }, 'deleting a post does not take back participation');
        const l = ok(await first.ws.request({ type: 'period.list' }));
        assert.deepEqual(l.open.find((x) => x.id === p.id).mine, { posts: first.posts, reactions: 1, votes: 0, responses: 0 });
        g = ok(await reactor.ws.request({ type: 'period.get', period_id: p.id }));
        assert.deepEqual(g.mine, { posts: 0, reactions: 1, votes: 0, responses: 0 }, 'the same reaction twice counts once');

        const r = ok(await boss.ws.request({ type: 'period.participation', period_id: p.id }));
        const totalPosts = people.reduce((s, m) => s + m.posts, 0);
        // the staff account (no birth year) wrote the opening post; it may or may not count
        const staffGroup = r.by_age_group.find((x) => x.group === 'unknown');
        assert.ok(staffGroup, 'an unknown group is always listed');
        assert.equal(r.participants, people.length + staffGroup.participants);
        assert.equal(r.posts, totalPosts + staffGroup.posts);
        assert.equal(r.reactions, 2);
        assert.deepEqual(r.by_age_group.map((x) => x.group), ['15-24', '25-44', '45-64', '65-74', '75+', 'unknown']);
        for (const grp of ['15-24', '25-44', '45-64', '65-74', '75+']) {
          const inGroup = people.filter((m) => groupOf(m.age) === grp);
          const row = r.by_age_group.find((x) => x.group === grp);
          assert.deepEqual({ participants: row.participants, posts: row.posts },
            { participants: inGroup.length, posts: inGroup.reduce((s, m) => s + m.posts, 0) }, `age group ${grp}`);
        }
        assert.deepEqual(new Set(r.by_municipality.map((x) => x.municipality)), new Set([...munis, 'unknown']), 'every municipality and unknown are listed');
        for (const mu of munis) {
          const inMuni = people.filter((m) => m.muni === mu);
          const row = r.by_municipality.find((x) => x.municipality === mu);
          assert.deepEqual({ participants: row.participants, posts: row.posts },
            { participants: inMuni.length, posts: inMuni.reduce((s, m) => s + m.posts, 0) }, `municipality ${mu}`);
        }
        const sum = (arr, k) => arr.reduce((s, x) => s + x[k], 0);
        assert.equal(sum(r.by_age_group, 'participants'), r.participants);
        assert.equal(sum(r.by_age_group, 'posts'), r.posts);
        assert.equal(sum(r.by_municipality, 'participants'), r.participants);
        assert.equal(sum(r.by_municipality, 'posts'), r.posts);
        const pr = ok(await boss.ws.request({ type: 'period.get', period_id: p.id }));
        assert.equal(pr.period.participant_count, r.participants, 'period.participant_count agrees with period.participation');
      } finally { boss.ws.destroy(); for (const m of people) m.ws.destroy(); }
    });
  });

  describe('markdown', () => {
    let topic;
    before(async () => {
      const p = await openPeriod(mod.ws);
      ({ topic } = await createTopic(mod.ws, p.id));
    });
    const html = async (body) => (await createPost(A.ws, topic.id, body)).body_html;

    // Every tag in the rendered HTML, with its attributes.
    function tags(s) {
      const out = [];
      const re = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*(\/?)>/g;
      let m;
      while ((m = re.exec(s))) {
        const attrs = {};
        for (const a of m[3].matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) attrs[a[1].toLowerCase()] = a[2] ?? '';
        out.push({ close: m[1] === '/', name: m[2].toLowerCase(), attrs });
      }
      return out;
    }
    const ALLOWED = new Set(['p', 'strong', 'em', 'a', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'hr', 'br', 'img']);
    function assertSafe(s) {
      // anything that looks like a tag must be one we allow, with harmless attributes
      const stripped = s.replace(/<!-- raw HTML omitted -->/g, '');
      const looksLikeTags = stripped.match(/<[^>]*>/g) || [];
      const parsed = tags(stripped);
      assert.equal(parsed.length, looksLikeTags.length, `unparsed markup in ${s}`);
      for (const t of parsed) {
        assert.ok(ALLOWED.has(t.name), `<${t.name}> in ${s}`);
        for (const [k, v] of Object.entries(t.attrs)) {
          assert.ok(['href', 'rel', 'title', 'src', 'alt', 'start', 'class'].includes(k), `attribute ${k} in ${s}`);
          if (k === 'href' || k === 'src') assert.doesNotMatch(v.replace(/&#?\w+;|[\s\x00-\x1f]/g, ''), /^(javascript|vbscript|file|data):/i, `${k}="${v}" in ${s}`);
        }
        if (t.name === 'a' && !t.close) assert.equal(t.attrs.rel, 'nofollow noopener ugc', `rel of a link in ${s}`);
      }
    }

    test('<script> is dropped: never live HTML', async () => {
      const h = await html('<script>alert(1)</script>');
      assert.doesNotMatch(h, /<script/i);
      assert.match(h, /<!-- raw HTML omitted -->/);
      assertSafe(h);
    });

    test('inline raw HTML and event handlers are dropped', async () => {
      for (const body of ['Kuva <img src=x onerror=alert(1)> tässä', '<a href="javascript:alert(1)">klik</a>', '<iframe src="https://evil.example"></iframe>',
        '<div onclick="alert(1)">x</div>', 'teksti <svg onload=alert(1)>', '<style>body{display:none}</style>']) {
        const h = await html(body);
        assert.doesNotMatch(h, /<(img|a|iframe|div|svg|style)\b[^>]*\bon\w+=|<iframe|<svg|<style|<div/i, `${body} → ${h}`);
        assertSafe(h);
      }
    });

    test('javascript:, vbscript:, file: and data: links lose their target', async () => {
      for (const body of ['[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](javascript&#58;alert(1))', '<javascript:alert(1)>',
        '[x](vbscript:msgbox(1))', '[x](file:///etc/passwd)', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
        '[x][r]\n\n[r]: javascript:alert(1)', '![i](javascript:alert(1))', '![i](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)']) {
        const h = await html(body);
        assert.doesNotMatch(h, /(href|src)="\s*(javascript|vbscript|file|data):/i, `${body} → ${h}`);
        assertSafe(h);
      }
    });

    test('a data: image of type png is kept', async () => {
      const h = await html('![kuva](data:image/png;base64,iVBORw0KGgo=)');
      assert.match(h, /<img src="data:image\/png;base64,iVBORw0KGgo="/);
    });

    test('every link gets rel="nofollow noopener ugc"', async () => {
      const h = await html('[Keusote](https://www.keusote.fi) ja <https://example.com/a?b=1> ja [viite][1] ja [otsikolla](https://e.example "Otsikko")\n\n[1]: https://ref.example');
      const links = tags(h).filter((t) => t.name === 'a' && !t.close);
      assert.equal(links.length, 4, h);
      for (const a of links) assert.equal(a.attrs.rel, 'nofollow noopener ugc', h);
      assert.ok(links.some((a) => a.attrs.href === 'https://www.keusote.fi'));
      assertSafe(h);
    });

    test('headings are shifted down two levels and never past h6', async () => {
      assert.equal(await html('# Otsikko'), '<h3>Otsikko</h3>\n');
      assert.equal(await html('## Alaotsikko'), '<h4>Alaotsikko</h4>\n');
      assert.equal(await html('Otsikko\n======='), '<h3>Otsikko</h3>\n');
      assert.equal(await html('Toinen\n------'), '<h4>Toinen</h4>\n');
      for (const body of ['##### Viisi', '###### Kuusi']) {
        const h = await html(body);
        assert.match(h, /^<h[3-6]>/, `${body} → ${h}`);
        assert.doesNotMatch(h, /<h[7-9]|<h1\d/, `${body} → ${h}`);
      }
    });

    test('a quote, lists and code render as CommonMark', async () => {
      assert.equal(await html('> Samaa mieltä\n\nMinusta myös kuvat auttavat.'), '<blockquote>\n<p>Samaa mieltä</p>\n</blockquote>\n<p>Minusta myös kuvat auttavat.</p>\n');
      assert.equal(await html('- yksi\n- kaksi'), '<ul>\n<li>yksi</li>\n<li>kaksi</li>\n</ul>\n');
      assert.equal(await html('`<b>`'), '<p><code>&lt;b&gt;</code></p>\n');
    });

    test('period description and pre-material are rendered safely too', async () => {
      const p = await createPeriod(mod.ws, { description: '# Otsikko\n\n<script>alert(1)</script>', prematerial: '[x](javascript:alert(1)) [y](https://y.example)' });
      assert.match(p.description_html, /^<h3>Otsikko<\/h3>/);
      assert.doesNotMatch(p.description_html, /<script/i);
      assertSafe(p.description_html);
      assert.doesNotMatch(p.prematerial_html, /javascript:/i);
      assertSafe(p.prematerial_html);
      const link = tags(p.prematerial_html).find((t) => t.name === 'a' && t.attrs.href === 'https://y.example');
      assert.ok(link, p.prematerial_html);
      assert.equal(link.attrs.rel, 'nofollow noopener ugc');
    });

    test('an edit is rendered safely too', async () => {
      const a = await createPost(A.ws, topic.id, 'Alku');
      const e = ok(await A.ws.request({ type: 'post.edit', post_id: a.id, body: '<script>alert(1)</script> [x](javascript:alert(1))' })).post;
      assert.doesNotMatch(e.body_html, /<script|javascript:/i);
      assertSafe(e.body_html);
    });
  });

  describe('lengths', () => {
    let topic;
    before(async () => {
      const p = await openPeriod(mod.ws);
      ({ topic } = await createTopic(mod.ws, p.id));
    });

    for (const [what, ch] of [['x', 'x'], ['ä (2 bytes)', 'ä'], ['😀 (4 bytes)', '😀']]) {
      test(`a body of exactly 20,000 characters of ${what} is accepted; 20,001 → too_long (body, 20000)`, async () => {
        const ok20k = await createPost(A.ws, topic.id, ch.repeat(20000));
        assert.equal([...ok20k.body].length, 20000);
        const before = snapshot(srv.db);
        const err = assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: ch.repeat(20001) }), 'too_long', 'body');
        assert.equal(err.limit, 20000);
        const e2 = assertError(await A.ws.request({ type: 'post.edit', post_id: ok20k.id, body: ch.repeat(20001) }), 'too_long', 'body');
        assert.equal(e2.limit, 20000);
        assert.equal(snapshot(srv.db), before);
        assert.equal((await A.ws.request({ type: 'ping' })).ok, true);
      });
    }

    test('a body of only Unicode white space (no-break, em and ideographic spaces) → invalid_field, like an empty one', async () => {
      // protocol.md: "An empty one (after trimming) fails with invalid_field". The server trims only ASCII white space.
      const before = snapshot(srv.db);
      assertError(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: '\u00a0\u2003\u3000' }), 'invalid_field', 'body');
      assert.equal(snapshot(srv.db), before);
    });

    test('white space around a 20,000-character body does not count', async () => {
      const p = await createPost(A.ws, topic.id, `  \n${'y'.repeat(20000)}\n\n  `);
      assert.equal(p.body.trim(), 'y'.repeat(20000));
    });

    test('topic.create: a body of 20,001 characters → too_long (body); a title of 201 → too_long (title, 200)', async () => {
      const before = snapshot(srv.db);
      const e1 = assertError(await mod.ws.request({ type: 'topic.create', period_id: topic.period_id, title: 'Pitkä', body: 'b'.repeat(20001) }), 'too_long', 'body');
      assert.equal(e1.limit, 20000);
      const e2 = assertError(await mod.ws.request({ type: 'topic.create', period_id: topic.period_id, title: 't'.repeat(201), body: 'b' }), 'too_long', 'title');
      assert.equal(e2.limit, 200);
      assert.equal(snapshot(srv.db), before);
    });
  });

  describe('bad input', () => {
    // A server of its own, so that the database compared before and after
    // each refused request stays small. These shadow the outer ones.
    let srv;
    let mod;
    let A;
    let B;
    let fx; // fixture: period, topic, opening post, A's post, a deleted post, a post in another topic
    after(async () => { for (const w of [mod, A, B]) w?.ws.destroy(); await stopClean(srv); });
    before(async () => {
      srv = await start();
      mod = await moderator(srv);
      A = await member(srv, { display_name: 'Aino' });
      B = await member(srv, { display_name: 'Bertta' });
      const p = await openPeriod(mod.ws);
      const t = await createTopic(mod.ws, p.id);
      const t2 = await createTopic(mod.ws, p.id);
      const a = await createPost(A.ws, t.topic.id, 'Ainon viesti');
      const gone = await createPost(A.ws, t.topic.id, 'Poistuu');
      ok(await A.ws.request({ type: 'post.delete', post_id: gone.id }));
      const other = await createPost(B.ws, t2.topic.id, 'Toisessa aiheessa');
      fx = { period: p.id, topic: t.topic.id, op: t.post.id, a: a.id, gone: gone.id, otherTopic: t2.topic.id, other: other.id };
    });

    const NF = 987654321;
    const idBad = (field) => [
      [field, undefined, 'missing_field'],
      [field, '1', 'invalid_field'],
      [field, 1.5, 'invalid_field'],
      [field, null, 'missing_field'], // null counts as absent
      [field, [1], 'invalid_field'],
      [field, { id: 1 }, 'invalid_field'],
      [field, true, 'invalid_field'],
      [field, NF, 'not_found'],
    ];
    const bodyBad = (field = 'body') => [
      [field, undefined, 'missing_field'],
      [field, 5, 'invalid_field'],
      [field, null, 'missing_field'],
      [field, ['x'], 'invalid_field'],
      [field, { md: 'x' }, 'invalid_field'],
      [field, false, 'invalid_field'],
      [field, '', 'invalid_field'],
      [field, ' \n\t  \r\n', 'invalid_field'],
      [field, 'x'.repeat(20001), 'too_long', 20000],
    ];
    // [who, base(fx), cases]; a case value may be a function of fx
    const plans = {
      'topic.create': ['mod', (x) => ({ period_id: x.period, title: 'Ei tallennu', body: 'Ei tallennu' }), [
        ...idBad('period_id'),
        ['title', undefined, 'missing_field'], ['title', '', 'invalid_field'], ['title', '  ', 'invalid_field'], ['title', 3, 'invalid_field'],
        ['title', null, 'missing_field'], ['title', 'x'.repeat(201), 'too_long', 200],
        ...bodyBad(),
      ]],
      'topic.get': ['A', (x) => ({ topic_id: x.topic }), [
        ...idBad('topic_id'),
        ['at', 'middle', 'invalid_field'], ['at', '', 'invalid_field'], ['at', 2.5, 'invalid_field'], ['at', true, 'invalid_field'],
        ['at', NF, 'not_found'], ['at', (x) => x.other, 'not_found'],
        ['limit', 0, 'invalid_field'], ['limit', 201, 'invalid_field'], ['limit', -1, 'invalid_field'], ['limit', '50', 'invalid_field'],
        ['limit', 1.5, 'invalid_field'],
      ]],
      'post.list': ['A', (x) => ({ topic_id: x.topic, after: x.op }), [
        ...idBad('topic_id'),
        ['after', '1', 'invalid_field'], ['after', 1.5, 'invalid_field'], ['after', NF, 'not_found'],
        ['after', (x) => x.other, 'not_found'],
        ['limit', 0, 'invalid_field'], ['limit', 201, 'invalid_field'], ['limit', 'kaikki', 'invalid_field'],
      ]],
      'topic.read': ['A', (x) => ({ topic_id: x.topic, post_id: x.op }), [
        ...idBad('topic_id'), ...idBad('post_id'), ['post_id', (x) => x.other, 'not_found'],
      ]],
      'post.create': ['A', (x) => ({ topic_id: x.topic, body: 'Ei tallennu' }), [
        ...idBad('topic_id'), ...bodyBad(),
        ['body', 'ä'.repeat(20001), 'too_long', 20000],
        ['parent_id', '1', 'invalid_field'], ['parent_id', 1.5, 'invalid_field'], ['parent_id', [1], 'invalid_field'],
        ['parent_id', NF, 'not_found'], ['parent_id', (x) => x.other, 'not_found'], ['parent_id', (x) => x.gone, 'invalid_field'],
      ]],
      'post.edit': ['A', (x) => ({ post_id: x.a, body: 'Ei tallennu' }), [
        ...idBad('post_id'), ...bodyBad(),
      ]],
      'post.delete': ['A', (x) => ({ post_id: x.a }), [...idBad('post_id')]],
      'post.versions': ['mod', (x) => ({ post_id: x.a }), [...idBad('post_id')]],
      'reaction.add': ['B', (x) => ({ post_id: x.a, reaction: 'agree' }), [
        ...idBad('post_id'),
        ['reaction', undefined, 'missing_field'], ['reaction', 'like', 'invalid_field'], ['reaction', 'AGREE', 'invalid_field'],
        ['reaction', '', 'invalid_field'], ['reaction', 1, 'invalid_field'], ['reaction', null, 'missing_field'], ['reaction', ['agree'], 'invalid_field'],
        ['post_id', (x) => x.gone, 'invalid_field', undefined, false],
      ]],
      'reaction.remove': ['B', (x) => ({ post_id: x.a, reaction: 'agree' }), [
        ...idBad('post_id'),
        ['reaction', undefined, 'missing_field'], ['reaction', 'like', 'invalid_field'], ['reaction', 2, 'invalid_field'],
        ['post_id', (x) => x.gone, 'invalid_field', undefined, false],
        ['post_id', (x) => x.other, 'invalid_field', undefined, false], // B's own post
      ]],
    };
    const who = (w) => ({ mod, A, B })[w];
    const run = snapshotRun(() => srv.db);

    for (const [type, [w, base, cases]] of Object.entries(plans)) {
      for (const [field, value, code, limit, checkField = true] of cases) {
        const shown = value === undefined ? 'missing' : typeof value === 'function' ? String(value).replace(/^\(x\) => x\./, 'fx.') : JSON.stringify(value).slice(0, 30);
        test(`${type} ${field}: ${shown} → ${code}${code === 'not_found' ? '' : ` (field ${field})`}, nothing written, connection usable`, async () => {
          const ws = who(w).ws;
          const msg = { type, ...base(fx) };
          if (value === undefined) delete msg[field];
          else msg[field] = typeof value === 'function' ? value(fx) : value;
          const before = run.before();
          const err = assertError(await ws.request(msg), code);
          if (code !== 'not_found' && checkField) assert.equal(err.field, field, `field in ${JSON.stringify(err)}`);
          if (limit !== undefined) assert.equal(err.limit, limit, `limit in ${JSON.stringify(err)}`);
          assert.equal(run.after(), before, `a refused ${type} wrote something`);
          assert.equal((await ws.request({ type: 'ping' })).ok, true);
        });
      }
    }

    test('optional fields sent as null count as absent: parent_id, at, limit', async () => {
      const p = ok(await A.ws.request({ type: 'post.create', topic_id: fx.topic, parent_id: null, body: 'Null-vanhempi' })).post;
      assert.equal(p.parent_id, fx.op);
      const g = ok(await A.ws.request({ type: 'topic.get', topic_id: fx.topic, at: null, limit: null }));
      assert.equal(g.posts[0].id, fx.op);
      ok(await A.ws.request({ type: 'post.delete', post_id: p.id }));
    });

    test('post.list with neither after nor before → missing_field', async () => {
      assertError(await A.ws.request({ type: 'post.list', topic_id: fx.topic }), 'missing_field');
      assertError(await A.ws.request({ type: 'post.list', topic_id: fx.topic, before: fx.other }), 'not_found');
    });

    test('ids of 0 and -1 → not_found or invalid_field', async () => {
      for (const v of [0, -1]) {
        for (const msg of [{ type: 'topic.get', topic_id: v }, { type: 'post.edit', post_id: v, body: 'x' }, { type: 'post.create', topic_id: fx.topic, parent_id: v, body: 'x' }]) {
          const r = await A.ws.request(msg);
          assert.equal(r.ok, false, JSON.stringify(msg));
          assert.ok(['not_found', 'invalid_field'].includes(r.error.code), `${JSON.stringify(msg)} → ${JSON.stringify(r)}`);
        }
      }
    });

    test('an integer id too big for 64 bits → an error, not a crash', async () => {
      const before = snapshot(srv.db);
      A.ws.sendText(`{"type":"post.create","id":"big","topic_id":123456789012345678901234567890,"body":"x"}`);
      // bad_json (the number cannot be read) has re null; invalid_field echoes the id
      const r = await A.ws.waitFor((m) => m.type === 'reply' && (m.re === 'big' || m.re === null));
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.ok(['bad_json', 'invalid_field', 'not_found'].includes(r.error.code), JSON.stringify(r));
      assert.equal(snapshot(srv.db), before);
      assert.equal((await A.ws.request({ type: 'ping' })).ok, true);
    });

    test('a body with \\u0000 or a lone surrogate escape is refused or kept exactly', async () => {
      for (const esc of ['a\\u0000b', 'a\\ud800b']) {
        const before = snapshot(srv.db);
        A.ws.sendText(`{"type":"post.create","id":"esc","topic_id":${fx.topic},"body":"${esc}"}`);
        const r = await A.ws.waitFor((m) => m.type === 'reply' && (m.re === 'esc' || m.re === null));
        if (r.ok) {
          assert.equal(r.post.body, JSON.parse(`"${esc}"`), `${esc} stored as something else`);
        } else {
          assert.ok(['bad_json', 'invalid_field'].includes(r.error.code), JSON.stringify(r));
          assert.equal(snapshot(srv.db), before);
        }
        assert.equal((await A.ws.request({ type: 'ping' })).ok, true);
      }
    });

    test('a post.create whose text frame is not valid UTF-8 closes the connection with 1007 and writes nothing', async () => {
      const { ws } = await openWs(srv, { cookie: A.cookie });
      const before = snapshot(srv.db);
      ws.sendFrame(OP.TEXT, Buffer.concat([Buffer.from(`{"type":"post.create","id":1,"topic_id":${fx.topic},"body":"a`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
      assert.equal((await ws.waitClosed({ timeout: 5000 })).code, 1007);
      assert.equal(snapshot(srv.db), before);
    });

    test('a reaction on one\'s own post → invalid_field', async () => {
      const before = snapshot(srv.db);
      assertError(await A.ws.request({ type: 'reaction.add', post_id: fx.a, reaction: 'agree' }), 'invalid_field');
      assert.equal(snapshot(srv.db), before);
    });
  });
});

describe('RAATI_MAX_POST_CHARS', () => {
  let srv;
  before(async () => { srv = await start({ env: { RAATI_MAX_POST_CHARS: '100' } }); });
  after(async () => { await stopClean(srv); });

  test('sets the longest body: 100 characters pass, 101 → too_long with limit 100', async () => {
    const mod = await moderator(srv);
    try {
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      await createPost(mod.ws, topic.id, '😀'.repeat(100));
      const err = assertError(await mod.ws.request({ type: 'post.create', topic_id: topic.id, body: '😀'.repeat(101) }), 'too_long', 'body');
      assert.equal(err.limit, 100);
      const e2 = assertError(await mod.ws.request({ type: 'topic.create', period_id: p.id, title: 'x', body: 'b'.repeat(101) }), 'too_long', 'body');
      assert.equal(e2.limit, 100);
    } finally { mod.ws.destroy(); }
  });
});
