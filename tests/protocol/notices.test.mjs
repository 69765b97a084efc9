// Notices (docs/protocol.md, "Notices"): every kind the doc lists, made
// by its action; notice.list paging and unread; notice.read; live
// notice.created on `me` and its catch-up; one member's notices are theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, ISO_MS, openWs } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, createPost, stopClean, at, DAY, nextEvent } from './discuss.mjs';
import { ok, refused, itemFor, notices, report, hide, act, eventsOn, subscribe, modSnapshot, assertError } from './modkit.mjs';

const NOTICE_KEYS = ['id', 'kind', 'created_at', 'read', 'reason', 'post_id', 'topic', 'can_appeal', 'results', 'quote'];

function assertNotice(n) {
  for (const k of NOTICE_KEYS) assert.ok(k in n, `notice lacks ${k}: ${JSON.stringify(n)}`);
  assert.ok(Number.isInteger(n.id) && n.id > 0);
  assert.match(n.created_at, ISO_MS);
  assert.equal(typeof n.read, 'boolean');
  assert.equal(typeof n.can_appeal, 'boolean');
  return n;
}

test('every kind of notice, made by its action', async (t) => {
  const srv = await start({ args: ['--auto-hide-reports', '1'] });
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const bystander = await member(srv, { display_name: 'Sivullinen Sini' });
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Ilmoitusten aihe' });
  const { topic: topic2 } = await createTopic(mod.ws, period.id, { title: 'Toinen aihe' });
  const sub = await subscribe(author.ws, 'me');
  const since = sub.seq;
  await subscribe(bystander.ws, 'me');
  const seen = [];

  // The notice.created the author gets next: asserted shape, kind, post.
  async function told(kind, { reason, postId = null, topicRef = null, canAppeal = false } = {}) {
    const ev = await nextEvent(author.ws, 'me', 'notice.created');
    seen.push(ev.data);
    const n = assertNotice(ev.data);
    assert.equal(n.kind, kind);
    if (reason !== undefined) assert.equal(n.reason, reason);
    assert.equal(n.post_id, postId);
    assert.deepEqual(n.topic, topicRef);
    assert.equal(n.can_appeal, canAppeal);
    assert.equal(n.read, false);
    assert.ok(Number.isInteger(ev.seq));
    return n;
  }
  const tref = { id: topic.id, title: 'Ilmoitusten aihe' };

  await t.test('post.hidden (by a moderator): the reason and can_appeal', async () => {
    const p = await createPost(author.ws, topic.id, 'Piilotettava', opening.id);
    await hide(mod, p.id, 'Yhteystietoja');
    await told('post.hidden', { reason: 'Yhteystietoja', postId: p.id, topicRef: tref, canAppeal: true });
  });

  await t.test('post.hidden (by reports): reason null', async () => {
    const p = await createPost(author.ws, topic.id, 'Raportoitava', opening.id);
    await report(bystander, p.id);
    await told('post.hidden', { reason: null, postId: p.id, topicRef: tref, canAppeal: true });
  });

  await t.test('post.restored', async () => {
    const p = await createPost(author.ws, topic.id, 'Palautettava', opening.id);
    await hide(mod, p.id, 'Hetkeksi');
    await told('post.hidden', { postId: p.id, topicRef: tref, canAppeal: true });
    ok(await mod.ws.request({ type: 'post.restore', post_id: p.id, reason: 'Virhe' }));
    await told('post.restored', { postId: p.id, topicRef: tref });
    const list = (await notices(author)).notices;
    const hiddenOne = list.find((x) => x.kind === 'post.hidden' && x.post_id === p.id);
    assert.equal(hiddenOne.can_appeal, false, 'no longer hidden: nothing to appeal');
  });

  await t.test('post.edited: a moderator edits with a reason everyone sees', async () => {
    const p = await createPost(author.ws, topic.id, 'Muokattava', opening.id);
    await refused(srv, mod.ws, { type: 'post.edit', post_id: p.id, body: 'Ilman syytä' }, 'missing_field', 'reason');
    const e = await refused(srv, mod.ws, { type: 'post.edit', post_id: p.id, body: 'x', reason: 'r'.repeat(501) }, 'too_long', 'reason');
    assert.equal(e.limit, 500);
    const r = ok(await mod.ws.request({ type: 'post.edit', post_id: p.id, body: 'Muokattu', reason: 'Poistin nimen' }));
    assert.equal(r.post.moderator_edit.reason, 'Poistin nimen');
    assert.equal(r.post.body, 'Muokattu');
    await told('post.edited', { reason: 'Poistin nimen', postId: p.id, topicRef: tref });
    const others = ok(await bystander.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 200 })).posts.find((x) => x.id === p.id);
    assert.equal(others.moderator_edit.reason, 'Poistin nimen', 'everyone sees the reason');
    const log = (await mod.ws.request({ type: 'audit.list', action: 'post.edit' })).entries;
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason], ['post', p.id, 'Poistin nimen']);
  });

  await t.test('post.deleted: a moderator deletes with a reason; deleted_by moderator', async () => {
    const p = await createPost(author.ws, topic.id, 'Poistettava', opening.id);
    await refused(srv, mod.ws, { type: 'post.delete', post_id: p.id }, 'missing_field', 'reason');
    const r = ok(await mod.ws.request({ type: 'post.delete', post_id: p.id, reason: 'Ei kuulu tänne' }));
    assert.equal(r.post.deleted, true);
    assert.equal(r.post.deleted_by, 'moderator');
    await told('post.deleted', { reason: 'Ei kuulu tänne', postId: p.id, topicRef: tref });
    const log = (await mod.ws.request({ type: 'audit.list', action: 'post.delete' })).entries;
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason], ['post', p.id, 'Ei kuulu tänne']);
  });

  await t.test('the author\'s own edit and delete make no notice; deleted_by author', async () => {
    const p = await createPost(author.ws, topic.id, 'Oma', opening.id);
    ok(await author.ws.request({ type: 'post.edit', post_id: p.id, body: 'Oma muokattu' }));
    const d = ok(await author.ws.request({ type: 'post.delete', post_id: p.id }));
    assert.equal(d.post.deleted_by, 'author');
    assert.deepEqual(await eventsOn(author.ws, 'me'), []);
  });

  await t.test('post.moved', async () => {
    const p = await createPost(author.ws, topic.id, 'Siirrettävä', opening.id);
    ok(await mod.ws.request({ type: 'post.move', post_id: p.id, topic_id: topic2.id, reason: 'Väärä aihe' }));
    await told('post.moved', { reason: 'Väärä aihe', postId: p.id, topicRef: { id: topic2.id, title: 'Toinen aihe' } });
  });

  await t.test('appeal.refused', async () => {
    const p = await createPost(author.ws, topic.id, 'Valitettava', opening.id);
    await hide(mod, p.id, 'Syy');
    await told('post.hidden', { postId: p.id, topicRef: tref, canAppeal: true });
    ok(await author.ws.request({ type: 'appeal.create', post_id: p.id, text: 'Pyydän' }));
    await act(mod, (await itemFor(mod, p.id, 'appeal')).id, 'keep', { reason: 'Pysyy piilossa' });
    await told('appeal.refused', { reason: 'Pysyy piilossa', postId: p.id, topicRef: tref });
  });

  await t.test('member.warned', async () => {
    const p = await createPost(author.ws, topic.id, 'Varoitettava', opening.id);
    await report(bystander, p.id);
    await told('post.hidden', { postId: p.id, topicRef: tref, canAppeal: true });
    await act(mod, (await itemFor(mod, p.id, 'report')).id, 'warn', { reason: 'Asiaton sävy' });
    // The post hidden by reports comes back with a warning; whether that
    // also makes a post.restored notice the doc does not say.
    const evs = (await eventsOn(author.ws, 'me')).map((e) => assertNotice(e.data));
    seen.push(...evs);
    const w = evs.filter((n) => n.kind === 'member.warned');
    assert.equal(w.length, 1, `one member.warned: ${JSON.stringify(evs)}`);
    assert.equal(w[0].reason, 'Asiaton sävy');
    assert.ok(evs.every((n) => ['member.warned', 'post.restored'].includes(n.kind)), JSON.stringify(evs));
  });

  await t.test('member.suspended: by member.suspend (about the account: post_id and topic null)', async () => {
    ok(await mod.ws.request({ type: 'member.suspend', member_id: author.member.id, until: at(DAY), reason: 'Tauko' }));
    await told('member.suspended', { reason: 'Tauko', postId: null, topicRef: null });
    ok(await mod.ws.request({ type: 'member.unsuspend', member_id: author.member.id }));
  });

  await t.test('member.suspended: by queue.act suspend', async () => {
    const p = await createPost(author.ws, topic.id, 'Jäädytyksen syy', opening.id);
    await report(bystander, p.id);
    await told('post.hidden', { postId: p.id, topicRef: tref, canAppeal: true });
    await act(mod, (await itemFor(mod, p.id, 'report')).id, 'suspend', { reason: 'Häirintää', until: at(DAY) });
    const evs = (await eventsOn(author.ws, 'me')).map((e) => assertNotice(e.data));
    seen.push(...evs);
    assert.deepEqual(evs.map((n) => [n.kind, n.reason, n.post_id, n.topic]), [['member.suspended', 'Häirintää', null, null]]);
    ok(await mod.ws.request({ type: 'member.unsuspend', member_id: author.member.id }));
  });

  await t.test('the notice object has the fields the doc lists, and no others', async () => {
    const n = (await notices(author)).notices[0];
    assert.deepEqual(Object.keys(n).sort(), [...NOTICE_KEYS].sort(), `notice keys: ${JSON.stringify(n)}`);
  });

  await t.test('nothing went to another member; notice.list has them all, newest first', async () => {
    assert.deepEqual(await eventsOn(bystander.ws, 'me'), []);
    assert.deepEqual((await notices(bystander)).notices, []);
    assert.equal((await notices(bystander)).unread, 0);
    const list = await notices(author);
    assert.deepEqual(list.notices.map((n) => n.id), seen.map((n) => n.id).reverse());
    assert.equal(list.unread, seen.length);
    assert.equal(list.next_before, null);
    const kinds = new Set(list.notices.map((n) => n.kind));
    for (const k of ['post.hidden', 'post.restored', 'post.edited', 'post.deleted', 'post.moved', 'appeal.refused', 'member.warned', 'member.suspended']) {
      assert.ok(kinds.has(k), `a ${k} notice`);
    }
  });

  await t.test('subscribe to me with since: the notices made since', async () => {
    const r = ok(await author.ws.request({ type: 'subscribe', channel: 'me', since }));
    const ids = r.events.filter((e) => e.event === 'notice.created').map((e) => e.data.id);
    assert.deepEqual(ids, seen.map((n) => n.id), 'every notice made since, oldest first');
    const last = ok(await author.ws.request({ type: 'subscribe', channel: 'me', since: r.seq }));
    assert.deepEqual(last.events, []);
    const b = ok(await bystander.ws.request({ type: 'subscribe', channel: 'me', since }));
    assert.deepEqual(b.events, [], 'another member\'s catch-up has none of them');
  });

  await t.test('one member cannot reach another\'s notices', async () => {
    for (const ch of [`me:${author.member.id}`, `member:${author.member.id}`, `notices:${author.member.id}`]) {
      const r = await bystander.ws.request({ type: 'subscribe', channel: ch });
      assert.equal(r.ok, false, `subscribe ${ch}: ${JSON.stringify(r)}`);
    }
    const before = (await notices(author)).unread;
    ok(await bystander.ws.request({ type: 'notice.read', upto: seen.at(-1).id }));
    assert.equal((await notices(author)).unread, before, 'marking read touches only one\'s own');
    const r = await bystander.ws.request({ type: 'notice.list', member_id: author.member.id });
    assert.ok(!r.ok || r.notices.length === 0, `notice.list does not take another member: ${JSON.stringify(r)}`);
  });
});

test('notice.list paging, unread and notice.read', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const p = await createPost(author.ws, topic.id, 'Monesti piilotettu', opening.id);
  for (let i = 0; i < 12; i++) {
    await hide(mod, p.id, `Kerta ${i}`);
    ok(await mod.ws.request({ type: 'post.restore', post_id: p.id }));
  }
  const all = [];

  await t.test('default limit 20, newest first, next_before pages on', async () => {
    const first = await author.ws.request({ type: 'notice.list' });
    ok(first);
    assert.equal(first.notices.length, 20);
    assert.equal(first.unread, 24);
    const ids = first.notices.map((n) => n.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal(first.notices[0].kind, 'post.restored');
    assert.equal(first.next_before, ids.at(-1));
    const second = ok(await author.ws.request({ type: 'notice.list', before: first.next_before }));
    assert.equal(second.notices.length, 4);
    assert.equal(second.next_before, null);
    assert.ok(second.notices.every((n) => n.id < ids.at(-1)));
    all.push(...first.notices, ...second.notices);
    const small = ok(await author.ws.request({ type: 'notice.list', limit: 1 }));
    assert.equal(small.notices.length, 1);
    assert.equal(small.next_before, small.notices[0].id);
    assert.equal(ok(await author.ws.request({ type: 'notice.list', limit: 100 })).notices.length, 24);
  });

  await t.test('bad input: invalid_field, nothing written', async () => {
    for (const [k, v] of [['limit', 0], ['limit', 101], ['limit', 'x'], ['limit', 1.5], ['before', 'x'], ['before', -1]]) {
      await refused(srv, author.ws, { type: 'notice.list', [k]: v }, 'invalid_field', k);
    }
    await refused(srv, author.ws, { type: 'notice.read' }, 'missing_field', 'upto');
    await refused(srv, author.ws, { type: 'notice.read', upto: 'x' }, 'invalid_field', 'upto');
    const anon = await openWs(srv);
    assertError(await anon.ws.request({ type: 'notice.list' }), 'unauthenticated');
    assertError(await anon.ws.request({ type: 'notice.read', upto: 1 }), 'unauthenticated');
    assertError(await anon.ws.request({ type: 'subscribe', channel: 'me' }), 'unauthenticated');
    anon.ws.destroy();
  });

  await t.test('notice.read marks every notice up to an id read', async () => {
    const mid = all[10].id; // the 11th newest
    const r = ok(await author.ws.request({ type: 'notice.read', upto: mid }));
    assert.equal(r.unread, 10);
    const list = ok(await author.ws.request({ type: 'notice.list', limit: 100 }));
    assert.equal(list.unread, 10);
    for (const n of list.notices) assert.equal(n.read, n.id <= mid, `notice ${n.id}`);
    const back = ok(await author.ws.request({ type: 'notice.read', upto: all.at(-1).id }));
    assert.equal(back.unread, 10, 'marks only move forward');
    const done = ok(await author.ws.request({ type: 'notice.read', upto: all[0].id }));
    assert.equal(done.unread, 0);
    assert.ok(ok(await author.ws.request({ type: 'notice.list' })).notices.every((n) => n.read));
  });

  await t.test('a suspended member may still list and read notices', async () => {
    ok(await mod.ws.request({ type: 'member.suspend', member_id: author.member.id, until: at(DAY), reason: 'Testi' }));
    const l = ok(await author.ws.request({ type: 'notice.list' }));
    assert.equal(l.notices[0].kind, 'member.suspended');
    assert.equal(l.unread, 1);
    assert.equal(ok(await author.ws.request({ type: 'notice.read', upto: l.notices[0].id })).unread, 0);
  });
  void modSnapshot;
});

test('a moderator\'s post.edit and post.delete of another\'s post: reason, live, closed periods', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const viewer = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const ch = `topic:${topic.id}`;
  const a = await createPost(author.ws, topic.id, 'Ensimmäinen', opening.id);
  const b = await createPost(author.ws, topic.id, 'Toinen', opening.id);
  const c = await createPost(author.ws, topic.id, 'Kolmas', opening.id);
  await subscribe(viewer.ws, ch);
  await subscribe(author.ws, 'me');

  await t.test('a member may not edit or delete another\'s post', async () => {
    await refused(srv, viewer.ws, { type: 'post.edit', post_id: a.id, body: 'Muutan', reason: 'Syy' }, 'forbidden');
    await refused(srv, viewer.ws, { type: 'post.delete', post_id: a.id, reason: 'Syy' }, 'forbidden');
  });

  await t.test('the edit goes out live with moderator_edit; versions keep the earlier text', async () => {
    ok(await mod.ws.request({ type: 'post.edit', post_id: a.id, body: 'Siistitty', reason: 'Poistin puhelinnumeron' }));
    const ev = await nextEvent(viewer.ws, ch, 'post.edited', (e) => e.data.id === a.id);
    assert.equal(ev.data.body, 'Siistitty');
    assert.equal(ev.data.moderator_edit.reason, 'Poistin puhelinnumeron');
    assert.match(ev.data.moderator_edit.at, ISO_MS);
    assert.equal(ev.data.author.id, author.member.id, 'the post is still the author\'s');
    const v = ok(await mod.ws.request({ type: 'post.versions', post_id: a.id })).versions;
    assert.deepEqual(v.map((x) => x.body), ['Ensimmäinen', 'Siistitty']);
  });

  await t.test('a moderator\'s own post needs no reason and gets no moderator_edit', async () => {
    const r = ok(await mod.ws.request({ type: 'post.edit', post_id: opening.id, body: 'Oma muokkaus' }));
    assert.equal(r.post.moderator_edit, null);
  });

  await t.test('in a closed period a moderator may still edit and delete; the author may not', async () => {
    ok(await mod.ws.request({ type: 'period.close', period_id: period.id }));
    await refused(srv, author.ws, { type: 'post.edit', post_id: b.id, body: 'Myöhässä' }, 'period_closed');
    await refused(srv, author.ws, { type: 'post.delete', post_id: b.id }, 'period_closed');
    await eventsOn(author.ws, 'me');
    const e = ok(await mod.ws.request({ type: 'post.edit', post_id: b.id, body: 'Suljettu ja siistitty', reason: 'Jälkikäteen' }));
    assert.equal(e.post.moderator_edit.reason, 'Jälkikäteen');
    const d = ok(await mod.ws.request({ type: 'post.delete', post_id: c.id, reason: 'Jälkikäteen poistettu' }));
    assert.equal(d.post.deleted_by, 'moderator');
    const told = (await eventsOn(author.ws, 'me')).map((x) => [x.data.kind, x.data.post_id]);
    assert.deepEqual(told, [['post.edited', b.id], ['post.deleted', c.id]]);
    await refused(srv, mod.ws, { type: 'post.delete', post_id: c.id, reason: 'Uudestaan' }, 'invalid_field', 'post_id');
  });
});
