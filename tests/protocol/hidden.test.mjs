// Hidden posts (docs/protocol.md, "Hidden posts", "The post object",
// "Live: channels and events", "Reports and the queue" auto-hide):
// post.hide / post.restore, what others, the author and moderators see in
// every read path and live, auto-hide at --auto-hide-reports, appeals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, createPost, stopClean, at, DAY } from './discuss.mjs';
import {
  ok, refused, queue, itemFor, audit, notices, report, hide, act, eventsOn, postEvents, subscribe, settle,
  seenPost, listedPost, caughtUpPost, assertHiddenToOthers, assertHiddenToInsider, assertPublished, assertError,
  modSnapshot,
} from './modkit.mjs';

const REASON = 'Sisältää toisen jäsenen yhteystietoja';

test('post.hide and post.restore: who sees what, read and live', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const mod2 = await moderator(srv, { display_name: 'Moderaattori Mikko' });
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const other = await member(srv, { display_name: 'Lukija Leena' });
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Piilotettavien aihe' });
  const ch = `topic:${topic.id}`;
  const body = 'Soita minulle numeroon 040 123 4567';
  const post = await createPost(author.ws, topic.id, body, opening.id);
  const since = ok(await other.ws.request({ type: 'subscribe', channel: ch })).seq;
  await subscribe(author.ws, ch);
  await subscribe(mod2.ws, ch);
  await subscribe(author.ws, 'me');
  // a report item, to see post.hide resolve it
  ok(await other.ws.request({ type: 'report.create', post_id: post.id, reason: 'henkilotiedot' }));

  await t.test('a fresh post has status published and the new fields null', async () => {
    assert.equal(post.status, 'published');
    assert.equal(post.hidden, null);
    assert.equal(post.moderator_edit, null);
    assert.equal(post.deleted_by, null);
  });

  await t.test('post.hide: bad input and permissions write nothing', async () => {
    await refused(srv, other.ws, { type: 'post.hide', post_id: post.id, reason: REASON }, 'forbidden');
    await refused(srv, author.ws, { type: 'post.hide', post_id: post.id, reason: REASON }, 'forbidden');
    await refused(srv, mod.ws, { type: 'post.hide', post_id: post.id }, 'missing_field', 'reason');
    await refused(srv, mod.ws, { type: 'post.hide', post_id: post.id, reason: null }, 'missing_field', 'reason');
    await refused(srv, mod.ws, { type: 'post.hide', post_id: post.id, reason: '   ' }, 'invalid_field', 'reason');
    const e = await refused(srv, mod.ws, { type: 'post.hide', post_id: post.id, reason: 'x'.repeat(501) }, 'too_long', 'reason');
    assert.equal(e.limit, 500);
    await refused(srv, mod.ws, { type: 'post.hide', reason: REASON }, 'missing_field', 'post_id');
    await refused(srv, mod.ws, { type: 'post.hide', post_id: 'x', reason: REASON }, 'invalid_field', 'post_id');
    await refused(srv, mod.ws, { type: 'post.hide', post_id: 999999, reason: REASON }, 'not_found', 'post_id');
    const gone = await createPost(author.ws, topic.id, 'Poistan tämän', opening.id);
    ok(await author.ws.request({ type: 'post.delete', post_id: gone.id }));
    await refused(srv, mod.ws, { type: 'post.hide', post_id: gone.id, reason: REASON }, 'invalid_field', 'post_id');
    await refused(srv, mod.ws, { type: 'post.restore', post_id: post.id }, 'conflict', 'post_id');
    await eventsOn(other.ws, ch);
    await eventsOn(author.ws, ch);
    await eventsOn(mod2.ws, ch);
  });

  await t.test('post.hide: the reply is the post as moderators see it; the report item is resolved; audited', async () => {
    const r = ok(await mod.ws.request({ type: 'post.hide', post_id: post.id, reason: `  ${REASON}  ` }));
    assertHiddenToInsider(r.post, body, { by: 'moderator', reason: REASON, appeal: null });
    assert.equal(r.post.author.id, author.member.id);
    const items = await queue(mod, { postId: post.id });
    assert.deepEqual(items, [], 'no pending item left on the post');
    const resolved = (await queue(mod, { status: 'resolved', postId: post.id }))[0];
    assert.ok(resolved, 'the report item is resolved');
    assert.equal(resolved.kind, 'report');
    const log = await audit(mod, 'post.hide');
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason, log[0].actor.id], ['post', post.id, REASON, mod.member.id]);
  });

  await t.test('post.hide live: one textless frame to everyone, then a second frame to the author and moderators', async () => {
    const seenByOther = await postEvents(other.ws, ch, post.id);
    assert.deepEqual(seenByOther.map((e) => e.event), ['post.hidden'], 'one frame to another member');
    assertHiddenToOthers(seenByOther[0].data, 'moderator');
    for (const [name, who] of [['author', author], ['moderator', mod2]]) {
      const evs = await postEvents(who.ws, ch, post.id);
      assert.deepEqual(evs.map((e) => e.event), ['post.hidden', 'post.hidden'], `${name}: two frames`);
      assertHiddenToOthers(evs[0].data, 'moderator');
      assertHiddenToInsider(evs[1].data, body, { by: 'moderator', reason: REASON, appeal: null });
      assert.equal(evs[1].channel, ch);
      assert.equal(evs[1].seq, undefined, 'the second frame has no seq');
      assert.ok(!('mine' in evs[1].data), 'events carry no mine');
    }
  });

  await t.test('the author gets a post.hidden notice with the reason and the chance to appeal', async () => {
    const ev = (await eventsOn(author.ws, 'me')).filter((e) => e.event === 'notice.created');
    assert.equal(ev.length, 1, 'notice.created on me');
    const n = ev[0].data;
    assert.equal(n.kind, 'post.hidden');
    assert.equal(n.reason, REASON);
    assert.equal(n.post_id, post.id);
    assert.deepEqual(n.topic, { id: topic.id, title: 'Piilotettavien aihe' });
    assert.equal(n.can_appeal, true);
    assert.equal(n.read, false);
    const list = await notices(author);
    assert.equal(list.notices[0].id, n.id);
    assert.equal(list.unread, 1);
  });

  await t.test('others: topic.get, post.list and the catch-up show the hidden post without author or text', async () => {
    assertHiddenToOthers(await seenPost(other.ws, topic.id, post.id), 'moderator');
    assertHiddenToOthers(await listedPost(other.ws, topic.id, opening.id, post.id), 'moderator');
    assertHiddenToOthers(await caughtUpPost(other.ws, ch, since, post.id), 'moderator');
    await eventsOn(other.ws, ch);
  });

  await t.test('the author and moderators: every read path shows the text, the reason and appeal', async () => {
    for (const who of [author, mod2]) {
      assertHiddenToInsider(await seenPost(who.ws, topic.id, post.id), body, { by: 'moderator', reason: REASON });
      assertHiddenToInsider(await listedPost(who.ws, topic.id, opening.id, post.id), body, { by: 'moderator', reason: REASON });
      assertHiddenToInsider(await caughtUpPost(who.ws, ch, since, post.id), body, { by: 'moderator', reason: REASON });
      await eventsOn(who.ws, ch);
    }
    const item = (await queue(mod, { status: 'resolved', postId: post.id }))[0];
    assert.equal(item.post.body, body, 'the queue shows moderators the text');
  });

  await t.test('hiding again is a conflict; reactions and replies on a hidden post are refused', async () => {
    await refused(srv, mod.ws, { type: 'post.hide', post_id: post.id, reason: REASON }, 'conflict', 'post_id');
    await refused(srv, other.ws, { type: 'reaction.add', post_id: post.id, reaction: 'agree' }, 'invalid_field', 'post_id');
    await refused(srv, other.ws, { type: 'reaction.remove', post_id: post.id, reaction: 'agree' }, 'invalid_field', 'post_id');
    await refused(srv, other.ws, { type: 'post.create', topic_id: topic.id, parent_id: post.id, body: 'Vastaus' }, 'invalid_field', 'parent_id');
    await refused(srv, author.ws, { type: 'post.create', topic_id: topic.id, parent_id: post.id, body: 'Vastaus' }, 'invalid_field', 'parent_id');
    await refused(srv, mod.ws, { type: 'post.create', topic_id: topic.id, parent_id: post.id, body: 'Vastaus' }, 'invalid_field', 'parent_id');
  });

  await t.test('post.restore: everyone sees it again, live; the author is told; audited', async () => {
    const r = ok(await mod.ws.request({ type: 'post.restore', post_id: post.id, reason: 'Numero oli sairaalan vaihde' }));
    assertPublished(r.post, body);
    for (const who of [other, author, mod2]) {
      const evs = await postEvents(who.ws, ch, post.id);
      assert.deepEqual(evs.map((e) => e.event), ['post.restored'], 'one post.restored frame (the post has text for all)');
      assertPublished(evs[0].data, body);
      assert.equal(evs[0].data.author.id, author.member.id);
    }
    assertPublished(await seenPost(other.ws, topic.id, post.id), body);
    assertPublished(await caughtUpPost(other.ws, ch, since, post.id), body);
    await eventsOn(other.ws, ch);
    const n = (await eventsOn(author.ws, 'me')).map((e) => e.data);
    assert.deepEqual(n.map((x) => x.kind), ['post.restored']);
    assert.equal(n[0].post_id, post.id);
    const log = await audit(mod, 'post.restore');
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason], ['post', post.id, 'Numero oli sairaalan vaihde']);
    await refused(srv, mod.ws, { type: 'post.restore', post_id: post.id }, 'conflict', 'post_id');
    ok(await other.ws.request({ type: 'reaction.add', post_id: post.id, reaction: 'thanks' }), 'reacting works again');
  });

  await t.test('post.restore without a reason works; post.hide after a restore works again', async () => {
    const p = await createPost(author.ws, topic.id, 'Toinen viesti', opening.id);
    await hide(mod, p.id, 'Eka kerta');
    ok(await mod.ws.request({ type: 'post.restore', post_id: p.id }));
    const again = await hide(mod, p.id, 'Toinen kerta');
    assert.equal(again.hidden.reason, 'Toinen kerta');
    assert.equal(again.hidden.appeal, null);
    await eventsOn(other.ws, ch); await eventsOn(author.ws, ch); await eventsOn(mod2.ws, ch); await eventsOn(author.ws, 'me');
  });

  await t.test('a moderator may hide a post in a closed period', async () => {
    const p2 = await openPeriod(mod.ws);
    const { topic: t2, post: op2 } = await createTopic(mod.ws, p2.id);
    const x = await createPost(author.ws, t2.id, 'Suljettavan jakson viesti', op2.id);
    ok(await mod.ws.request({ type: 'period.close', period_id: p2.id }));
    const h = await hide(mod, x.id);
    assert.equal(h.status, 'hidden');
    await eventsOn(author.ws, 'me');
  });
});

test('auto-hide: exactly at --auto-hide-reports reports (default 3), not before', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const viewer = await member(srv);
  const reporters = [];
  for (let i = 0; i < 3; i++) reporters.push(await member(srv, { display_name: `Raportoija ${i}` }));
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const ch = `topic:${topic.id}`;
  const body = 'Tämä kerää raportteja';
  const post = await createPost(author.ws, topic.id, body, opening.id);
  await subscribe(viewer.ws, ch);
  await subscribe(author.ws, ch);
  await subscribe(author.ws, 'me');

  await t.test('two reports: still published, nothing sent', async () => {
    await report(reporters[0], post.id);
    await report(reporters[1], post.id, 'hairinta');
    assertPublished(await seenPost(viewer.ws, topic.id, post.id), body);
    assert.deepEqual((await postEvents(viewer.ws, ch, post.id)).map((e) => e.event), []);
    assert.deepEqual(await eventsOn(author.ws, 'me'), []);
    assert.deepEqual((await notices(author)).notices, []);
  });

  await t.test('the third report hides it: hidden.by reports, reason null; post.hidden live and notice', async () => {
    await report(reporters[2], post.id, 'roskaposti');
    const seen = await seenPost(viewer.ws, topic.id, post.id);
    assertHiddenToOthers(seen, 'reports');
    const mine = await seenPost(author.ws, topic.id, post.id);
    assertHiddenToInsider(mine, body, { by: 'reports', reason: null, appeal: null });
    const evs = await postEvents(viewer.ws, ch, post.id);
    assert.deepEqual(evs.map((e) => e.event), ['post.hidden']);
    assertHiddenToOthers(evs[0].data, 'reports');
    const aev = await postEvents(author.ws, ch, post.id);
    assert.deepEqual(aev.map((e) => e.event), ['post.hidden', 'post.hidden'], 'the author gets the second frame');
    assertHiddenToInsider(aev[1].data, body, { by: 'reports', reason: null });
    const n = (await eventsOn(author.ws, 'me')).map((e) => e.data);
    assert.deepEqual(n.map((x) => [x.kind, x.reason, x.post_id, x.can_appeal]), [['post.hidden', null, post.id, true]]);
    const item = await itemFor(mod, post.id);
    assert.equal(item.status, 'pending', 'the item stays pending until a moderator reviews it');
    assert.equal(item.reports.length, 3);
    assert.equal(item.post.status, 'hidden');
    assert.equal(item.post.hidden.by, 'reports');
  });

  await t.test('a moderator may still hide it themself (it was hidden by reports, not by a moderator)', async () => {
    const h = await hide(mod, post.id, 'Roskapostia');
    assert.equal(h.hidden.by, 'moderator');
    assert.equal(h.hidden.reason, 'Roskapostia');
    assert.deepEqual(await queue(mod, { postId: post.id }), [], 'the report item is resolved with it');
  });
});

for (const [name, opts, n] of [
  ['--auto-hide-reports 1', { args: ['--auto-hide-reports', '1'] }, 1],
  ['RAATI_AUTO_HIDE_REPORTS=2', { env: { RAATI_AUTO_HIDE_REPORTS: '2' } }, 2],
  ['--auto-hide-reports 0 turns it off', { args: ['--auto-hide-reports', '0'] }, 0],
]) {
  test(`auto-hide: ${name}`, async () => {
    const srv = await start(opts);
    try {
      const mod = await moderator(srv);
      const author = await member(srv);
      const period = await openPeriod(mod.ws);
      const { topic, post: opening } = await createTopic(mod.ws, period.id);
      const post = await createPost(author.ws, topic.id, 'Raportoitava', opening.id);
      const count = n === 0 ? 5 : n;
      for (let i = 0; i < count; i++) {
        const r = await member(srv);
        await report(r, post.id);
        const p = await seenPost(mod.ws, topic.id, post.id);
        const shouldHide = n > 0 && i + 1 >= n;
        assert.equal(p.status, shouldHide ? 'hidden' : 'published', `after ${i + 1} report(s) with N=${n}`);
        r.ws.destroy();
      }
      if (n === 0) {
        assert.equal((await notices({ ws: author.ws })).notices.length, 0);
        assert.equal((await itemFor(mod, post.id)).reports.length, 5);
      }
    } finally {
      await stopClean(srv);
    }
  });
}

test('auto-hide counts the pending item only: a report after keep starts again', async (t) => {
  const srv = await start({ args: ['--auto-hide-reports', '2'] });
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const post = await createPost(author.ws, topic.id, 'Kiistanalainen', opening.id);
  const rs = [];
  for (let i = 0; i < 4; i++) rs.push(await member(srv));
  await report(rs[0], post.id);
  await report(rs[1], post.id);
  assert.equal((await seenPost(mod.ws, topic.id, post.id)).status, 'hidden');
  const item = await itemFor(mod, post.id);
  const kept = await act(mod, item.id, 'keep', { reason: 'Asiallinen' });
  assert.equal(kept.status, 'dismissed');
  const back = await seenPost(rs[2].ws, topic.id, post.id);
  assertPublished(back, 'Kiistanalainen');
  await report(rs[2], post.id);
  assert.equal((await seenPost(mod.ws, topic.id, post.id)).status, 'published', 'one report on the new item is not 2');
  await report(rs[3], post.id);
  assert.equal((await seenPost(mod.ws, topic.id, post.id)).status, 'hidden', 'two on the new item');
});

test('appeal.create: once, only by the author, and both outcomes', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Valittaja Ville' });
  const other = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Valitusten aihe' });
  const ch = `topic:${topic.id}`;
  const p1 = await createPost(author.ws, topic.id, 'Ensimmäinen viesti', opening.id);
  const p2 = await createPost(author.ws, topic.id, 'Toinen viesti', opening.id);
  const visible = await createPost(author.ws, topic.id, 'Näkyvä viesti', opening.id);
  await hide(mod, p1.id, 'Syy yksi');
  await hide(mod, p2.id, 'Syy kaksi');
  await subscribe(author.ws, 'me');
  await subscribe(other.ws, ch);
  const text = 'Viestissä ei ollut yhteystietoja, vaan sairaalan vaihteen numero.';

  await t.test('bad input, someone else, a post that is not hidden: refused, nothing written', async () => {
    await refused(srv, other.ws, { type: 'appeal.create', post_id: p1.id, text }, 'forbidden', 'post_id');
    await refused(srv, mod.ws, { type: 'appeal.create', post_id: p1.id, text }, 'forbidden', 'post_id');
    await refused(srv, author.ws, { type: 'appeal.create', post_id: p1.id }, 'missing_field', 'text');
    await refused(srv, author.ws, { type: 'appeal.create', post_id: p1.id, text: '  ' }, 'invalid_field', 'text');
    const e = await refused(srv, author.ws, { type: 'appeal.create', post_id: p1.id, text: 'x'.repeat(1001) }, 'too_long', 'text');
    assert.equal(e.limit, 1000);
    await refused(srv, author.ws, { type: 'appeal.create', text }, 'missing_field', 'post_id');
    await refused(srv, author.ws, { type: 'appeal.create', post_id: 999999, text }, 'not_found', 'post_id');
    await refused(srv, author.ws, { type: 'appeal.create', post_id: visible.id, text }, 'invalid_field', 'post_id');
  });

  await t.test('the author appeals (1000 characters is fine): the reply shows appeal pending; an appeal item opens', async () => {
    const r = ok(await author.ws.request({ type: 'appeal.create', post_id: p1.id, text: `  ${text}  ` }));
    assertHiddenToInsider(r.post, 'Ensimmäinen viesti', { by: 'moderator', reason: 'Syy yksi', appeal: 'pending' });
    const item = await itemFor(mod, p1.id, 'appeal');
    assert.equal(item.appeal, text);
    assert.equal(item.status, 'pending');
    assert.equal(item.post.hidden.appeal, 'pending');
    assert.deepEqual(item.reports, []);
    assertHiddenToInsider(await seenPost(author.ws, topic.id, p1.id), 'Ensimmäinen viesti', { appeal: 'pending' });
    assertHiddenToOthers(await seenPost(other.ws, topic.id, p1.id));
    const list = await notices(author);
    const n = list.notices.find((x) => x.kind === 'post.hidden' && x.post_id === p1.id);
    assert.equal(n.can_appeal, false, 'no longer appealable once appealed');
    ok(await author.ws.request({ type: 'appeal.create', post_id: p2.id, text: 'y'.repeat(1000) }), '1000 characters');
  });

  await t.test('an appeal sends other members nothing (the doc lists no event for it)', async () => {
    const leaked = [...await postEvents(other.ws, ch, p1.id), ...await postEvents(other.ws, ch, p2.id)];
    for (const e of leaked) assertHiddenToOthers(e.data);
    assert.deepEqual(leaked.map((e) => e.event), [], `no event to others for an appeal: ${JSON.stringify(leaked)}`);
  });

  await t.test('appealing again is a conflict', async () => {
    await refused(srv, author.ws, { type: 'appeal.create', post_id: p1.id, text: 'Uudestaan' }, 'conflict', 'post_id');
  });

  await t.test('restore from the queue: the post comes back, the author is told, the item is resolved', async () => {
    await eventsOn(author.ws, 'me');
    await eventsOn(other.ws, ch);
    const item = await itemFor(mod, p1.id, 'appeal');
    const done = await act(mod, item.id, 'restore', { reason: 'Olit oikeassa' });
    assert.equal(done.status, 'resolved');
    assert.equal(done.action, 'restore');
    assertPublished(done.post, 'Ensimmäinen viesti');
    assertPublished(await seenPost(other.ws, topic.id, p1.id), 'Ensimmäinen viesti');
    const evs = await postEvents(other.ws, ch, p1.id);
    assert.deepEqual(evs.map((e) => e.event), ['post.restored']);
    const n = (await eventsOn(author.ws, 'me')).map((e) => e.data);
    assert.deepEqual(n.map((x) => [x.kind, x.post_id]), [['post.restored', p1.id]]);
    const log = await audit(mod, 'post.restore');
    assert.equal(log[0].target.id, p1.id);
    assert.deepEqual(log[0].details, { item_id: item.id });
  });

  await t.test('keep from the queue: the post stays hidden, appeal refused, the author is told', async () => {
    await eventsOn(author.ws, 'me');
    await eventsOn(other.ws, ch);
    const item = await itemFor(mod, p2.id, 'appeal');
    const done = await act(mod, item.id, 'keep', { reason: 'Yhteystiedot näkyvät yhä' });
    assert.equal(done.status, 'dismissed');
    assert.equal(done.action, 'keep');
    const mine = await seenPost(author.ws, topic.id, p2.id);
    assertHiddenToInsider(mine, 'Toinen viesti', { by: 'moderator', reason: 'Syy kaksi', appeal: 'refused' });
    assertHiddenToOthers(await seenPost(other.ws, topic.id, p2.id));
    const n = (await eventsOn(author.ws, 'me')).map((e) => e.data);
    assert.deepEqual(n.map((x) => [x.kind, x.post_id, x.reason]), [['appeal.refused', p2.id, 'Yhteystiedot näkyvät yhä']]);
    await refused(srv, author.ws, { type: 'appeal.create', post_id: p2.id, text: 'Vielä kerran' }, 'conflict', 'post_id');
    const hiddenNotice = (await notices(author)).notices.find((x) => x.kind === 'post.hidden' && x.post_id === p2.id);
    assert.equal(hiddenNotice.can_appeal, false);
  });

  await t.test('post.restore resolves a pending appeal; a suspended author may still appeal', async () => {
    const p3 = await createPost(author.ws, topic.id, 'Kolmas viesti', opening.id);
    await hide(mod, p3.id, 'Syy kolme');
    ok(await mod.ws.request({ type: 'member.suspend', member_id: author.member.id, until: at(DAY), reason: 'Tauko' }));
    ok(await author.ws.request({ type: 'appeal.create', post_id: p3.id, text: 'Pyydän' }), 'appeal while suspended');
    const item = await itemFor(mod, p3.id, 'appeal');
    ok(await mod.ws.request({ type: 'post.restore', post_id: p3.id }));
    assert.deepEqual(await queue(mod, { postId: p3.id }), [], 'the appeal is no longer pending');
    const settled = (await queue(mod, { status: 'resolved', postId: p3.id })).find((i) => i.id === item.id);
    assert.ok(settled, 'the appeal item is resolved');
    assertPublished(await seenPost(other.ws, topic.id, p3.id), 'Kolmas viesti');
    ok(await mod.ws.request({ type: 'member.unsuspend', member_id: author.member.id }));
  });

  await t.test('a post hidden by reports can be appealed too', async () => {
    const srv2 = await start({ args: ['--auto-hide-reports', '1'] });
    try {
      const m2 = await moderator(srv2);
      const a2 = await member(srv2);
      const r2 = await member(srv2);
      const per = await openPeriod(m2.ws);
      const { topic: tt, post: op } = await createTopic(m2.ws, per.id);
      const x = await createPost(a2.ws, tt.id, 'Raportoitu', op.id);
      await report(r2, x.id);
      const r = ok(await a2.ws.request({ type: 'appeal.create', post_id: x.id, text: 'Ei ollut asiaton' }));
      assert.equal(r.post.hidden.by, 'reports');
      assert.equal(r.post.hidden.appeal, 'pending');
      const kinds = (await queue(m2, { postId: x.id })).map((i) => i.kind).sort();
      assert.deepEqual(kinds, ['appeal', 'report']);
      a2.ws.destroy(); r2.ws.destroy(); m2.ws.destroy();
    } finally {
      await stopClean(srv2);
    }
  });
  void modSnapshot; void settle; void assertError;
});

test('hidden posts: edits by the author never leak the text; one appeal per post, also after hiding again', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const other = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const ch = `topic:${topic.id}`;
  const p = await createPost(author.ws, topic.id, 'Salainen alkuteksti', opening.id);
  await hide(mod, p.id, 'Syy');
  await subscribe(other.ws, ch);
  await subscribe(author.ws, 'me');

  await t.test('if the author edits a hidden post, others get no text, live or on reading', async () => {
    const r = await author.ws.request({ type: 'post.edit', post_id: p.id, body: 'Uusi salainen teksti' });
    const evs = await postEvents(other.ws, ch, p.id);
    for (const e of evs) assertHiddenToOthers(e.data);
    assertHiddenToOthers(await seenPost(other.ws, topic.id, p.id));
    if (r.ok) {
      assert.equal(r.post.status, 'hidden', 'an edit does not bring a hidden post back');
      assert.equal(r.post.body, 'Uusi salainen teksti');
    }
    await eventsOn(other.ws, ch);
  });

  await t.test('appeal, restore, hide again: the second hide cannot be appealed (once per post)', async () => {
    ok(await author.ws.request({ type: 'appeal.create', post_id: p.id, text: 'Pyydän' }));
    await act(mod, (await itemFor(mod, p.id, 'appeal')).id, 'restore');
    await eventsOn(author.ws, 'me');
    await hide(mod, p.id, 'Uudestaan');
    const n = (await eventsOn(author.ws, 'me')).map((e) => e.data);
    assert.deepEqual(n.map((x) => [x.kind, x.can_appeal]), [['post.hidden', false]], 'the notice offers no second appeal');
    await refused(srv, author.ws, { type: 'appeal.create', post_id: p.id, text: 'Taas' }, 'conflict', 'post_id');
    await eventsOn(other.ws, ch);
  });

  await t.test('the author deleting a hidden post: a tombstone for all, no text anywhere', async () => {
    ok(await author.ws.request({ type: 'post.delete', post_id: p.id }));
    const evs = await postEvents(other.ws, ch, p.id);
    assert.ok(evs.length >= 1 && evs.every((e) => e.data.body === '' && e.data.author === null), JSON.stringify(evs));
    const seen = await seenPost(other.ws, topic.id, p.id);
    assert.equal(seen.deleted, true);
    assert.equal(seen.body, '');
  });
});

test('a hidden post\'s author is not revealed through the replies to it', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Piilotettu Pekka' });
  const replier = await member(srv, { display_name: 'Vastaaja Veera' });
  const other = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const p = await createPost(author.ws, topic.id, 'Piilotettava', opening.id);
  const c = await createPost(replier.ws, topic.id, 'Vastaus siihen', p.id);
  assert.equal(c.reply_to.display_name, 'Piilotettu Pekka');
  const ch = `topic:${topic.id}`;
  const since = (await subscribe(other.ws, ch)).seq;
  await hide(mod, p.id);

  await t.test('others see reply_to.display_name null on the reply, as for a deleted parent', async () => {
    const seen = await seenPost(other.ws, topic.id, c.id);
    assert.equal(seen.reply_to.id, p.id);
    assert.equal(seen.reply_to.display_name, null, `reply_to: ${JSON.stringify(seen.reply_to)}`);
    const listed = await listedPost(other.ws, topic.id, opening.id, c.id);
    assert.equal(listed.reply_to.display_name, null);
    const caught = await caughtUpPost(other.ws, ch, since, c.id);
    if (caught) assert.equal(caught.reply_to.display_name, null);
    const frames = JSON.stringify(await eventsOn(other.ws, ch));
    assert.ok(!frames.includes('Piilotettu Pekka'), `no frame to others names the hidden post's author: ${frames}`);
  });

  await t.test('the author of the hidden post and moderators still see the name', async () => {
    assert.equal((await seenPost(mod.ws, topic.id, c.id)).reply_to.display_name, 'Piilotettu Pekka');
    assert.equal((await seenPost(author.ws, topic.id, c.id)).reply_to.display_name, 'Piilotettu Pekka');
  });
});
