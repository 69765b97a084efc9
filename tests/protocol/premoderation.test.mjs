// Pre-moderation (docs/protocol.md, "Pre-moderation", "post.create", "The
// period object", "The topic object"): posts and topics that wait in the
// queue, in a premoderated period or from a member who joined less than
// --premoderate-days ago.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, createPost, stopClean, nextEvent } from './discuss.mjs';
import {
  ok, refused, queue, itemFor, audit, act, eventsOn, subscribe, seenPost, listedPost, caughtUpPost, assertPublished,
  joinedDaysAgo, modSnapshot,
} from './modkit.mjs';

test('a premoderated period', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const watcher = await moderator(srv, { display_name: 'Moderaattori Mikko' });
  const author = await member(srv, { display_name: 'Odottaja Olli' });
  const other = await member(srv, { display_name: 'Lukija Leena' });
  const period = await openPeriod(mod.ws, { premoderated: true, members_may_open_topics: true });
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Esimoderoitu' });
  const tch = `topic:${topic.id}`;
  const pch = `period:${period.id}`;
  const since = (await subscribe(other.ws, tch)).seq;
  await subscribe(other.ws, pch);
  await subscribe(author.ws, tch);
  await subscribe(author.ws, 'me');
  await subscribe(watcher.ws, tch);
  await subscribe(watcher.ws, 'moderation');

  await t.test('the period object says premoderated; a moderator\'s topic and posts are not held', async () => {
    assert.equal(period.premoderated, true);
    const got = ok(await other.ws.request({ type: 'period.get', period_id: period.id })).period;
    assert.equal(got.premoderated, true);
    assert.equal(topic.status, 'published');
    assert.equal(opening.status, 'published');
    const mp = await createPost(mod.ws, topic.id, 'Moderaattorin viesti', opening.id);
    assert.equal(mp.status, 'published');
    const ev = await nextEvent(other.ws, tch, 'post.created', (e) => e.data.id === mp.id);
    assert.equal(ev.data.status, 'published');
    assert.deepEqual(await queue(mod), [], 'nothing waits');
  });

  let pending;
  let before;
  await t.test('a member\'s post is saved pending; the reply carries it; a review item opens', async () => {
    await eventsOn(other.ws, tch);
    await eventsOn(other.ws, pch);
    before = ok(await other.ws.request({ type: 'topic.get', topic_id: topic.id }));
    const r = ok(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Odotan hyväksyntää' }));
    pending = r.post;
    assert.equal(pending.status, 'pending');
    assert.equal(pending.body, 'Odotan hyväksyntää');
    assert.equal(pending.parent_id, opening.id);
    const item = await itemFor(mod, pending.id, 'review');
    assert.equal(item.why, 'premoderated_period');
    assert.deepEqual(item.words, []);
    assert.equal(item.post.status, 'pending');
    const qev = await nextEvent(watcher.ws, 'moderation', 'queue.changed', (e) => e.data.id === item.id);
    assert.equal(qev.data.kind, 'review');
  });

  await t.test('nobody else sees it: no live event, not in topic.get, post.list, the catch-up or the counts', async () => {
    assert.deepEqual((await eventsOn(other.ws, tch)).filter((e) => e.event !== 'topic.viewers'), [], 'no event on the topic');
    assert.deepEqual((await eventsOn(other.ws, pch)).filter((e) => e.event !== 'topic.viewers'), [], 'no topic.changed either');
    assert.equal(await seenPost(other.ws, topic.id, pending.id), undefined);
    assert.equal(await listedPost(other.ws, topic.id, opening.id, pending.id), undefined);
    assert.equal(await caughtUpPost(other.ws, tch, since, pending.id), undefined);
    await eventsOn(other.ws, tch);
    const now = ok(await other.ws.request({ type: 'topic.get', topic_id: topic.id }));
    assert.equal(now.topic.post_count, before.topic.post_count, 'post_count');
    assert.equal(now.topic.unread, before.topic.unread, 'unread');
    assert.equal(now.topic.last_post_author_id, before.topic.last_post_author_id, 'last_post_author_id');
    assert.equal(now.period.post_count, before.period.post_count, 'period post_count');
    assert.equal(now.period.participant_count, before.period.participant_count, 'participant_count');
    const stale = ok(await other.ws.request({ type: 'subscribe', channel: tch, since: now.topic.seq }));
    assert.ok(!stale.events.some((e) => e.data && e.data.id === pending.id));
    // The doc lists invalid_field for reacting to a pending post, and
    // not_found for a post the member may not see: either refusal will do
    // for someone who cannot see it, as long as nothing is written.
    for (const msg of [{ type: 'reaction.add', post_id: pending.id, reaction: 'agree' },
      { type: 'report.create', post_id: pending.id, reason: 'asiaton' }]) {
      const snap = modSnapshot(srv.db);
      const r = await other.ws.request(msg);
      assert.equal(r.ok, false, `${msg.type} on a pending post: ${JSON.stringify(r)}`);
      assert.ok(['not_found', 'invalid_field'].includes(r.error.code), JSON.stringify(r.error));
      assert.equal(r.error.field, 'post_id');
      assert.equal(modSnapshot(srv.db), snap, 'nothing written');
    }
  });

  await t.test('its author sees it marked pending in every read path; the author and moderators get it live', async () => {
    const mine = await seenPost(author.ws, topic.id, pending.id);
    assert.equal(mine.status, 'pending');
    assert.equal(mine.body, 'Odotan hyväksyntää');
    assert.equal((await listedPost(author.ws, topic.id, opening.id, pending.id)).status, 'pending');
    assert.equal((await caughtUpPost(author.ws, tch, since, pending.id)).status, 'pending');
    const aev = (await eventsOn(author.ws, tch)).filter((e) => e.data && e.data.id === pending.id);
    assert.ok(aev.length >= 1 && aev.every((e) => e.data.status === 'pending' && e.data.body === 'Odotan hyväksyntää'),
      `the author gets the pending post live: ${JSON.stringify(aev)}`);
    assert.equal((await seenPost(mod.ws, topic.id, pending.id)).status, 'pending', 'moderators see it');
    const wev = (await eventsOn(watcher.ws, tch)).filter((e) => e.data && e.data.id === pending.id);
    assert.equal(wev.length, 1, `a moderator viewing the topic gets the pending post once: ${JSON.stringify(wev)}`);
    assert.equal(wev[0].data.status, 'pending');
  });

  await t.test('a pending post cannot be replied to, reacted to or reported', async () => {
    await refused(srv, author.ws, { type: 'post.create', topic_id: topic.id, parent_id: pending.id, body: 'Jatkan' }, 'invalid_field', 'parent_id');
    await refused(srv, mod.ws, { type: 'post.create', topic_id: topic.id, parent_id: pending.id, body: 'Vastaan' }, 'invalid_field', 'parent_id');
    await refused(srv, mod.ws, { type: 'reaction.add', post_id: pending.id, reaction: 'agree' }, 'invalid_field', 'post_id');
    await refused(srv, mod.ws, { type: 'report.create', post_id: pending.id, reason: 'asiaton' }, 'invalid_field', 'post_id');
    await refused(srv, mod.ws, { type: 'post.hide', post_id: pending.id, reason: 'Syy' }, 'invalid_field', 'post_id');
  });

  await t.test('approve: published, post.created live to everyone, counted from now; audited', async () => {
    const item = await itemFor(mod, pending.id, 'review');
    const done = await act(mod, item.id, 'approve');
    assert.equal(done.status, 'resolved');
    assert.equal(done.post.status, 'published');
    const ev = await nextEvent(other.ws, tch, 'post.created', (e) => e.data.id === pending.id);
    assertPublished(ev.data, 'Odotan hyväksyntää');
    assert.equal(ev.data.author.id, author.member.id);
    const now = ok(await other.ws.request({ type: 'topic.get', topic_id: topic.id }));
    assert.equal(now.topic.post_count, before.topic.post_count + 1);
    assert.equal(now.period.post_count, before.period.post_count + 1);
    assert.equal(now.period.participant_count, before.period.participant_count + 1);
    assert.equal(now.topic.unread, before.topic.unread + 1);
    assertPublished(now.posts.find((p) => p.id === pending.id));
    assertPublished(await caughtUpPost(other.ws, tch, since, pending.id));
    await eventsOn(other.ws, tch);
    const log = (await audit(mod, 'post.approve')).find((e) => e.details?.item_id === item.id);
    assert.deepEqual([log.target.kind, log.target.id], ['post', pending.id]);
    ok(await other.ws.request({ type: 'reaction.add', post_id: pending.id, reaction: 'thanks' }));
  });

  await t.test('deleting it from the queue tells the author why; nobody else ever saw it', async () => {
    await eventsOn(author.ws, 'me');
    await eventsOn(other.ws, tch);
    const p = ok(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Tämä ei pääse läpi' })).post;
    assert.equal(p.status, 'pending');
    const item = await itemFor(mod, p.id, 'review');
    await act(mod, item.id, 'delete', { reason: 'Ei liity aiheeseen' });
    const told = (await eventsOn(author.ws, 'me')).map((e) => e.data);
    assert.deepEqual(told.map((x) => [x.kind, x.reason, x.post_id]), [['post.deleted', 'Ei liity aiheeseen', p.id]]);
    const seen = await seenPost(other.ws, topic.id, p.id);
    assert.ok(seen === undefined || (seen.deleted === true && seen.body === ''), `others: ${JSON.stringify(seen)}`);
    assert.ok(!(await eventsOn(other.ws, tch)).some((e) => e.data && e.data.id === p.id && e.data.body), 'its text never went out');
  });

  await t.test('edit from the queue publishes the new text', async () => {
    const p = ok(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Alkuperäinen' })).post;
    const item = await itemFor(mod, p.id, 'review');
    await act(mod, item.id, 'edit', { body: 'Muokattu', reason: 'Lyhensin' });
    const ev = await nextEvent(other.ws, tch, 'post.created', (e) => e.data.id === p.id);
    assertPublished(ev.data, 'Muokattu');
    assert.equal(ev.data.moderator_edit.reason, 'Lyhensin');
  });

  await t.test('a member\'s new topic waits: only its author and moderators see it; approving publishes it', async () => {
    await eventsOn(other.ws, pch);
    const psince = (await subscribe(other.ws, pch)).seq;
    const r = ok(await author.ws.request({ type: 'topic.create', period_id: period.id, title: 'Jäsenen aihe', body: 'Aloitus' }));
    assert.equal(r.topic.status, 'pending');
    assert.equal(r.post.status, 'pending');
    const pt = r.topic;
    assert.deepEqual((await eventsOn(other.ws, pch)).filter((e) => e.data && e.data.id === pt.id), [], 'no topic.created for others');
    const list = ok(await other.ws.request({ type: 'period.get', period_id: period.id }));
    assert.ok(!list.topics.some((x) => x.id === pt.id), 'others do not see it in period.get');
    const cu = ok(await other.ws.request({ type: 'subscribe', channel: pch, since: psince }));
    assert.ok(!cu.events.some((e) => e.data && e.data.id === pt.id && e.event.startsWith('topic.')), 'nor in the catch-up');
    assert.ok(!ok(await other.ws.request({ type: 'period.list' })).open.some((x) => x.id === period.id && x.topic_count !== list.period.topic_count));
    await refused(srv, other.ws, { type: 'topic.get', topic_id: pt.id }, 'not_found', 'topic_id');
    await refused(srv, other.ws, { type: 'subscribe', channel: `topic:${pt.id}` }, 'not_found', 'channel');
    await refused(srv, other.ws, { type: 'post.create', topic_id: pt.id, body: 'Hei' }, 'not_found', 'topic_id');
    const own = ok(await author.ws.request({ type: 'period.get', period_id: period.id })).topics.find((x) => x.id === pt.id);
    assert.equal(own?.status, 'pending', 'its author sees it');
    assert.equal(ok(await author.ws.request({ type: 'topic.get', topic_id: pt.id })).topic.status, 'pending');
    const modSees = ok(await mod.ws.request({ type: 'period.get', period_id: period.id })).topics.find((x) => x.id === pt.id);
    assert.equal(modSees?.status, 'pending', 'moderators see it');
    const countBefore = list.period.topic_count;

    const item = await itemFor(mod, r.post.id, 'review');
    assert.equal(item.why, 'premoderated_period');
    await act(mod, item.id, 'approve');
    const ev = await nextEvent(other.ws, pch, 'topic.created', (e) => e.data.id === pt.id);
    assert.equal(ev.data.status, 'published');
    const after = ok(await other.ws.request({ type: 'period.get', period_id: period.id }));
    assert.ok(after.topics.some((x) => x.id === pt.id && x.status === 'published'));
    assert.equal(after.period.topic_count, countBefore + 1);
    const got = ok(await other.ws.request({ type: 'topic.get', topic_id: pt.id }));
    assertPublished(got.posts[0], 'Aloitus');
  });

  await t.test('period.update turns it off: posts go straight through again', async () => {
    const r = ok(await mod.ws.request({ type: 'period.update', period_id: period.id, premoderated: false }));
    assert.equal(r.period.premoderated, false);
    const p = await createPost(author.ws, topic.id, 'Suoraan läpi');
    assert.equal(p.status, 'published');
    ok(await mod.ws.request({ type: 'period.update', period_id: period.id, premoderated: true }));
    assert.equal((await createPost(author.ws, topic.id, 'Taas jonoon')).status, 'pending');
    await refused(srv, mod.ws, { type: 'period.update', period_id: period.id, premoderated: 'kyllä' }, 'invalid_field', 'premoderated');
  });
});

for (const [name, opts] of [
  ['--premoderate-days 3', { args: ['--premoderate-days', '3'] }],
  ['RAATI_PREMODERATE_DAYS=3', { env: { RAATI_PREMODERATE_DAYS: '3' } }],
]) {
  test(`new members: ${name}`, async (t) => {
    const srv = await start(opts);
    t.after(() => stopClean(srv));
    const mod = await moderator(srv);
    const fresh = await member(srv, { display_name: 'Uusi Ulla' });
    const old = await member(srv, { display_name: 'Vanha Veikko' });
    const borderline = await member(srv, { display_name: 'Melkein Vanha' });
    const other = await member(srv);
    joinedDaysAgo(srv, old.member.id, 4);
    joinedDaysAgo(srv, other.member.id, 4);
    joinedDaysAgo(srv, borderline.member.id, 2.9);
    const period = await openPeriod(mod.ws, { members_may_open_topics: true });
    assert.equal(period.premoderated, false);
    const { topic, post: opening } = await createTopic(mod.ws, period.id);
    assert.equal(topic.status, 'published', 'a new moderator is not held');
    await subscribe(other.ws, `topic:${topic.id}`);

    await t.test('a member who joined less than N days ago waits (why new_member)', async () => {
      for (const who of [fresh, borderline]) {
        const p = ok(await who.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Uuden viesti' })).post;
        assert.equal(p.status, 'pending');
        assert.equal((await itemFor(mod, p.id, 'review')).why, 'new_member');
        assert.equal(await seenPost(other.ws, topic.id, p.id), undefined);
      }
      assert.deepEqual((await eventsOn(other.ws, `topic:${topic.id}`)).filter((e) => e.event === 'post.created'), []);
      const tp = ok(await fresh.ws.request({ type: 'topic.create', period_id: period.id, title: 'Uuden aihe', body: 'Hei' }));
      assert.equal(tp.topic.status, 'pending');
      assert.equal((await itemFor(mod, tp.post.id, 'review')).why, 'new_member');
    });

    await t.test('an older member and moderators are not held', async () => {
      const p = await createPost(old.ws, topic.id, 'Vanhan viesti', opening.id);
      assert.equal(p.status, 'published');
      const ev = await nextEvent(other.ws, `topic:${topic.id}`, 'post.created', (e) => e.data.id === p.id);
      assert.equal(ev.data.status, 'published');
      assert.equal((await createPost(mod.ws, topic.id, 'Moderaattori')).status, 'published');
      assert.equal((await queue(mod, { postId: p.id })).length, 0);
    });
  });
}

test('--premoderate-days defaults to 0: a brand-new member posts at once', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const fresh = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic } = await createTopic(mod.ws, period.id);
  assert.equal(period.premoderated, false, 'premoderated defaults to false');
  assert.equal((await createPost(fresh.ws, topic.id, 'Heti')).status, 'published');
  assert.deepEqual(await queue(mod), []);
});

test('pending posts: client_key resend, the author withdrawing, editing while pending', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv);
  const other = await member(srv);
  const period = await openPeriod(mod.ws, { premoderated: true });
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const tch = `topic:${topic.id}`;
  await subscribe(other.ws, tch);

  await t.test('sending again with the same client_key returns the pending post; one review item', async () => {
    const msg = { type: 'post.create', topic_id: topic.id, body: 'Varmistettu lähetys', client_key: 'avain-12345678' };
    const a = ok(await author.ws.request(msg)).post;
    const b = ok(await author.ws.request(msg)).post;
    assert.equal(a.status, 'pending');
    assert.equal(b.id, a.id);
    assert.equal(b.status, 'pending');
    assert.equal((await queue(mod, { postId: a.id })).length, 1);
  });

  await t.test('the author deletes their pending post: the review item does not stay pending', async () => {
    const p = ok(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Peruutan tämän' })).post;
    await itemFor(mod, p.id, 'review');
    ok(await author.ws.request({ type: 'post.delete', post_id: p.id }));
    assert.deepEqual(await queue(mod, { postId: p.id }), [], 'nothing left to decide');
    assert.ok(!(await eventsOn(other.ws, tch)).some((e) => e.data && e.data.id === p.id && e.data.body), 'no text ever went out');
  });

  await t.test('the author edits a pending post: still pending, still invisible to others; approval shows the edit', async () => {
    const p = ok(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Ensimmäinen versio' })).post;
    const r = await author.ws.request({ type: 'post.edit', post_id: p.id, body: 'Toinen versio' });
    if (r.ok) assert.equal(r.post.status, 'pending');
    assert.equal(await seenPost(other.ws, topic.id, p.id), undefined);
    assert.ok(!(await eventsOn(other.ws, tch)).some((e) => e.data && e.data.id === p.id), 'no event for the edit');
    const items = await queue(mod, { postId: p.id });
    assert.equal(items.length, 1, 'one review item');
    await act(mod, items[0].id, 'approve');
    const seen = await seenPost(other.ws, topic.id, p.id);
    assertPublished(seen, r.ok ? 'Toinen versio' : 'Ensimmäinen versio');
    void opening;
  });
});
