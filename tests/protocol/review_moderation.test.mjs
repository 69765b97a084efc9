// Review regressions for the rest of moderation (docs/protocol.md,
// "Moderation", "The topic object", "The post object", "Live: channels and
// events"): pending topics, hidden posts, the queue, post.move, watched
// words and role changes on open connections.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, assertError } from './helpers.mjs';
import { ok, member, moderator, openPeriod, createPeriod, createTopic, createPost, stopClean } from './discuss.mjs';
import { queue, itemFor, hide, act, eventsOn, subscribe, seenPost, settle, dropEvents } from './modkit.mjs';

// Events on ws's channel about the topic topicId (topic.* data is a topic
// object; post.moved names the topic ids), after a round trip.
function aboutTopic(ws, channel, topicId) {
  return eventsOn(ws, channel, (e) => e.data && (e.data.id === topicId || e.data.topic_id === topicId
    || e.data.to_topic_id === topicId || e.data.from_topic_id === topicId));
}

describe('review: a pending topic stays between its author and moderators', () => {
  let srv; let mod; let author; let other;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    author = await member(srv, { display_name: 'Odottava Oona' });
    other = await member(srv, { display_name: 'Utelias Urho' });
  });
  after(async () => { for (const w of [mod, author, other]) w?.ws.destroy(); await stopClean(srv); });

  // A premoderated period where members open topics: the author's topic is pending.
  async function pendingTopic(title) {
    const period = await openPeriod(mod.ws, { premoderated: true, members_may_open_topics: true });
    const r = ok(await author.ws.request({ type: 'topic.create', period_id: period.id, title, body: 'Odottaa vielä' }));
    assert.equal(r.topic.status, 'pending');
    await subscribe(other.ws, `period:${period.id}`);
    await settle(other.ws);
    dropEvents(other.ws);
    return { period, topic: r.topic, post: r.post };
  }

  // forum_routes.c out_topic() publishes topic_json() on period:<id> without
  // looking at topic.status; h_topic_moderate() calls it for any topic.
  test('topic.pin of a pending topic: period viewers get no topic.changed naming it', async () => {
    const { period, topic } = await pendingTopic('Salainen odottava aihe (pin)');
    ok(await mod.ws.request({ type: 'topic.pin', topic_id: topic.id }), 'topic.pin');
    const evs = await aboutTopic(other.ws, `period:${period.id}`, topic.id);
    assert.deepEqual(evs.map((e) => `${e.event} ${e.data.title}`), [],
      'a member who is not the author sees nothing of a pending topic');
  });

  // actions.c queue_act() "delete" on a review item sets *event
  // "post.deleted"; h_queue_act() then sends topic.changed for the (still
  // pending) topic to period:<id>.
  test('queue.act delete of a pending topic\'s opening post: nothing about the topic on period:<id>', async () => {
    const { period, topic, post } = await pendingTopic('Salainen odottava aihe (delete)');
    const item = await itemFor(mod, post.id, 'review');
    await act(mod, item.id, 'delete', { reason: 'Ei sovi tähän jaksoon' });
    const evs = await aboutTopic(other.ws, `period:${period.id}`, topic.id);
    assert.deepEqual(evs.map((e) => `${e.event} ${e.data.title}`), []);
  });

  // post_write() at e6c1d7b always adds topic.changed for the post's topic,
  // also when the topic is pending (the working tree's post_pending() check
  // fixes this path; the test guards it).
  test('the author deleting their own pending topic\'s opening post: nothing about it on period:<id>', async () => {
    const { period, topic, post } = await pendingTopic('Salainen odottava aihe (own delete)');
    ok(await author.ws.request({ type: 'post.delete', post_id: post.id }), 'post.delete');
    const evs = await aboutTopic(other.ws, `period:${period.id}`, topic.id);
    assert.deepEqual(evs.map((e) => `${e.event} ${e.data.title}`), []);
  });

  // h_post_move() sends topic.changed (and post.moved) for the target topic,
  // pending or not.
  test('post.move into a pending topic: the period does not hear of the pending topic', async () => {
    const { period, topic } = await pendingTopic('Salainen odottava aihe (move)');
    const { topic: open, post: opening } = await createTopic(mod.ws, period.id, { title: 'Julkinen aihe' });
    const reply = await createPost(other.ws, open.id, 'Siirrettävä viesti', opening.id);
    await settle(other.ws);
    dropEvents(other.ws);
    const r = await mod.ws.request({ type: 'post.move', post_id: reply.id, topic_id: topic.id });
    if (r.ok) {
      const evs = await aboutTopic(other.ws, `period:${period.id}`, topic.id);
      assert.deepEqual(evs.map((e) => `${e.event} ${e.data.title}`), [],
        'moving posts into a pending topic must not announce it');
      // The moved post's author is told where it went: a topic they may not see.
      const n = ok(await other.ws.request({ type: 'notice.list' })).notices.find((x) => x.kind === 'post.moved');
      assert.ok(!n || n.topic?.title !== topic.title, `the notice names the pending topic: ${JSON.stringify(n)}`);
    } else {
      assertError(r, 'invalid_field', 'topic_id');
    }
  });

  // discussions.c post_create(): without parent_id the reply goes to the
  // opening post with no check that it (and so the topic) is pending; a
  // moderator's reply is published, counted into the pending topic, and
  // announced with topic.changed on period:<id>.
  test('a reply into a pending topic is refused (invalid_field) and the period hears nothing', async () => {
    const { period, topic } = await pendingTopic('Salainen odottava aihe (reply)');
    const r = await mod.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Moderaattori kysyy tarkennusta' });
    const evs = await aboutTopic(other.ws, `period:${period.id}`, topic.id);
    assert.deepEqual(evs.map((e) => `${e.event} ${e.data.title}`), [], 'no topic.changed naming the pending topic');
    assert.equal(r.ok, false, `a pending topic's only post is its opening post: ${JSON.stringify(r).slice(0, 400)}`);
    assertError(r, 'invalid_field');
    const p = ok(await other.ws.request({ type: 'period.get', period_id: period.id })).period;
    assert.equal(p.post_count, 0, 'the period counts nothing of a pending topic');
  });
});

describe('review: a pending post stays between its author and moderators', () => {
  let srv; let mod; let author; let other;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    author = await member(srv, { display_name: 'Odottava Olli' });
    other = await member(srv, { display_name: 'Utelias Ulla' });
  });
  after(async () => { for (const w of [mod, author, other]) w?.ws.destroy(); await stopClean(srv); });

  // discussions.c topic_get() / post_list() / topic_read() look a post id up
  // with post_path() / post_topic(), which do not check status: a pending
  // post's id answers ok (and positions the window) for anyone.
  test('topic.get at, post.list after/before and topic.read with a pending post\'s id: not_found for others', async () => {
    const period = await openPeriod(mod.ws, { premoderated: true });
    const { topic, post: opening } = await createTopic(mod.ws, period.id);
    const visible = await createPost(mod.ws, topic.id, 'Näkyvä viesti', opening.id);
    const pending = ok(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Odotan', parent_id: visible.id })).post;
    assert.equal(pending.status, 'pending');
    const got = [];
    for (const msg of [
      { type: 'topic.get', topic_id: topic.id, at: pending.id },
      { type: 'post.list', topic_id: topic.id, after: pending.id },
      { type: 'post.list', topic_id: topic.id, before: pending.id },
      { type: 'topic.read', topic_id: topic.id, post_id: pending.id },
    ]) {
      const r = await other.ws.request(msg);
      got.push(`${msg.type} ${Object.keys(msg).filter((k) => !['type', 'topic_id', 'id'].includes(k))[0]}: ${r.ok ? 'ok' : r.error.code}`);
    }
    assert.deepEqual(got, ['topic.get at: not_found', 'post.list after: not_found', 'post.list before: not_found',
      'topic.read post_id: not_found'], 'nobody else learns that the pending post exists');
  });
});

describe('review: hidden posts', () => {
  let srv; let mod; let A; let B; let C;
  before(async () => {
    srv = await start({ args: ['--auto-hide-reports', '1'] });
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Vastaaja Ville' });
    B = await member(srv, { display_name: 'Piilotettu Pirjo' });
    C = await member(srv, { display_name: 'Katsoja Kalle' });
  });
  after(async () => { for (const w of [mod, A, B, C]) w?.ws.destroy(); await stopClean(srv); });

  // forum_routes.c out_post() builds the frame for the author's member
  // channel with post_json(..., 0, POST_STAFF); post_from_row() then shows
  // reply_to.display_name even when the parent is hidden from that author.
  test('a hidden reply\'s frame to its author does not name the author of a hidden parent', async () => {
    const period = await openPeriod(mod.ws);
    const { topic, post: opening } = await createTopic(mod.ws, period.id);
    const y = await createPost(B.ws, topic.id, 'Pirjon viesti', opening.id);
    const x = await createPost(A.ws, topic.id, 'Villen vastaus Pirjolle', y.id);
    await hide(mod, y.id, 'Henkilötietoja');
    const seen = await seenPost(A.ws, topic.id, x.id);
    assert.equal(seen.reply_to.display_name, null, 'topic.get hides the hidden parent\'s author from A');
    await settle(A.ws);
    dropEvents(A.ws);
    await hide(mod, x.id, 'Lainaa piilotettua viestiä');
    const evs = await eventsOn(A.ws, `topic:${topic.id}`, (e) => e.data && e.data.id === x.id);
    assert.ok(evs.length >= 1, 'A (the author) gets the post as authors see it');
    for (const e of evs)
      assert.equal(e.data.reply_to.display_name, null,
        `the event must not name the hidden parent's author: ${JSON.stringify(e.data.reply_to)}`);
  });

  // count_post() sets topic.last_post_author_id; hiding the post leaves it,
  // so everyone learns who wrote the hidden post.
  test('topic.last_post_author_id does not name the author of a hidden last post', async () => {
    const period = await openPeriod(mod.ws);
    const { topic, post: opening } = await createTopic(mod.ws, period.id);
    const y = await createPost(B.ws, topic.id, 'Viimeinen viesti', opening.id);
    await hide(mod, y.id, 'Asiaton');
    const seen = await seenPost(C.ws, topic.id, y.id);
    assert.equal(seen.author, null, 'the post itself names no author');
    const r = ok(await C.ws.request({ type: 'topic.get', topic_id: topic.id }));
    assert.notEqual(r.topic.last_post_author_id, B.member.id, 'the topic must not name the hidden post\'s author');
    const list = ok(await C.ws.request({ type: 'period.get', period_id: period.id })).topics;
    assert.notEqual(list.find((t) => t.id === topic.id).last_post_author_id, B.member.id);
  });

  // actions.c post_hide() -> post_hide_by() + queue_settle(): a post hidden
  // by reports whose author has appealed can still be hidden by a
  // moderator; that settles the appeal item, but post.appealed stays 1, so
  // the post claims an appeal is pending (and can never be appealed) while
  // the queue holds none.
  test('post.hide of a post hidden by reports with a pending appeal: the post does not claim a pending appeal afterwards', async () => {
    const period = await openPeriod(mod.ws);
    const { topic, post: opening } = await createTopic(mod.ws, period.id);
    const y = await createPost(B.ws, topic.id, 'Raportoitu viesti', opening.id);
    ok(await C.ws.request({ type: 'report.create', post_id: y.id, reason: 'asiaton' }), 'report.create');
    assert.equal((await seenPost(B.ws, topic.id, y.id)).hidden?.by, 'reports', 'hidden by one report (--auto-hide-reports 1)');
    ok(await B.ws.request({ type: 'appeal.create', post_id: y.id, text: 'Ei siinä ollut mitään' }), 'appeal.create');
    await itemFor(mod, y.id, 'appeal');
    await hide(mod, y.id, 'Moderaattori katsoi ja piilotti');
    assert.deepEqual(await queue(mod, { postId: y.id, kind: 'appeal' }), [], 'the appeal item was settled with the hide');
    const seen = await seenPost(B.ws, topic.id, y.id);
    assert.notEqual(seen.hidden.appeal, 'pending', `no appeal waits, yet: ${JSON.stringify(seen.hidden)}`);
  });
});

describe('review: the queue and post.move', () => {
  let srv; let mod; let A; let B;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Poistaja Paula' });
    B = await member(srv, { display_name: 'Siirretty Sami' });
  });
  after(async () => { for (const w of [mod, A, B]) w?.ws.destroy(); await stopClean(srv); });

  // post_delete() by the author tombstones a pending post but leaves its
  // review item pending; queue_act() then refuses every action: keep does
  // not fit a review item, and approve / edit / delete answer "the post has
  // been deleted: keep the item to close it".
  test('a pending post its author deleted does not leave a review item nobody can close', async () => {
    const period = await openPeriod(mod.ws, { premoderated: true });
    const { topic } = await createTopic(mod.ws, period.id);
    const r = ok(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Kadun tätä' }));
    assert.equal(r.post.status, 'pending');
    ok(await A.ws.request({ type: 'post.delete', post_id: r.post.id }), 'post.delete');
    const items = await queue(mod, { postId: r.post.id, kind: 'review' });
    if (!items.length) return; // settled with the deletion: fine
    const tried = [];
    for (const [action, extra] of [['keep', {}], ['approve', {}], ['delete', { reason: 'Poistettu' }]]) {
      const res = await mod.ws.request({ type: 'queue.act', item_id: items[0].id, action, ...extra });
      if (res.ok) return;
      tried.push(`${action}: ${res.error.code} ${res.error.message}`);
    }
    assert.fail(`the review item stays pending forever:\n${tried.join('\n')}`);
  });

  // actions.c queue_act(): "approve" always tells viewers post.created,
  // also for a review item about an edit of a post that was published all
  // along (post_publish() changes nothing then): viewers get a second
  // post.created for a post they already have, and topic.changed.
  test('approve on the review item of an edited (already published) post sends no second post.created', async () => {
    ok(await mod.ws.request({ type: 'word.add', word: 'zzarvioitava', action: 'review' }), 'word.add');
    const period = await openPeriod(mod.ws);
    const { topic, post: opening } = await createTopic(mod.ws, period.id);
    const p = await createPost(A.ws, topic.id, 'Alkuperäinen teksti', opening.id);
    await subscribe(B.ws, `topic:${topic.id}`);
    const edited = ok(await A.ws.request({ type: 'post.edit', post_id: p.id, body: 'Muokattu: zzarvioitava' })).post;
    assert.equal(edited.status, 'published', 'an edit with a review word stays up');
    const item = await itemFor(mod, p.id, 'review');
    await settle(B.ws);
    dropEvents(B.ws);
    await act(mod, item.id, 'approve');
    const evs = await eventsOn(B.ws, `topic:${topic.id}`, (e) => e.data && e.data.id === p.id);
    assert.ok(!evs.some((e) => e.event === 'post.created'),
      `post ${p.id} was created long ago: ${JSON.stringify(evs.map((e) => e.event))}`);
  });

  // topic_changes() selects posts by their current topic_id, so a client of
  // the source topic that catches up with since after a post.move is told
  // nothing: the moved posts stay in its copy of the thread.
  test('subscribe topic:<from> with since after a post.move tells of the posts that left (or asks for a resync)', async () => {
    const period = await openPeriod(mod.ws);
    const { topic: t1, post: o1 } = await createTopic(mod.ws, period.id, { title: 'Lähde' });
    const { topic: t2 } = await createTopic(mod.ws, period.id, { title: 'Kohde' });
    const moved = await createPost(B.ws, t1.id, 'Lähtee pian', o1.id);
    const since = (await subscribe(A.ws, `topic:${t1.id}`)).seq;
    ok(await A.ws.request({ type: 'unsubscribe', channel: `topic:${t1.id}` }));
    ok(await mod.ws.request({ type: 'post.move', post_id: moved.id, topic_id: t2.id }), 'post.move');
    const r = await subscribe(A.ws, `topic:${t1.id}`, { since });
    const told = r.resync === true || (r.events || []).some((e) => e.data
      && (e.data.id === moved.id || (e.data.post_ids || []).includes(moved.id)));
    assert.ok(told, `the catch-up of topic:${t1.id} says nothing of post ${moved.id} leaving: ${JSON.stringify(r)}`);
  });

  // actions.c post_move() recounts post_count, participant_count and
  // last_post_at of both topics but not last_post_author_id.
  test('post.move: both topics\' last_post_author_id follow their last posts', async () => {
    const period = await openPeriod(mod.ws);
    const { topic: t1, post: o1 } = await createTopic(mod.ws, period.id, { title: 'Lähtöaihe' });
    const { topic: t2 } = await createTopic(mod.ws, period.id, { title: 'Kohdeaihe' });
    const moved = await createPost(B.ws, t1.id, 'Väärässä paikassa', o1.id);
    ok(await mod.ws.request({ type: 'post.move', post_id: moved.id, topic_id: t2.id }), 'post.move');
    const from = ok(await A.ws.request({ type: 'topic.get', topic_id: t1.id })).topic;
    const to = ok(await A.ws.request({ type: 'topic.get', topic_id: t2.id })).topic;
    assert.equal(from.post_count, 1);
    assert.equal(from.last_post_at, o1.created_at, 'the source topic\'s last post is its opening post again');
    assert.equal(from.last_post_author_id, mod.member.id,
      `the source topic names the author of a post it no longer holds: ${JSON.stringify(from)}`);
    assert.equal(to.last_post_at, moved.created_at);
    assert.equal(to.last_post_author_id, B.member.id, 'the target topic\'s last post is the moved one');
  });
});

describe('review: watched words that replace', () => {
  let srv; let mod; let A;
  before(async () => {
    srv = await start({ args: ['--max-post-chars', '1000'] });
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Kirjoittaja Kirsi' });
  });
  after(async () => { for (const w of [mod, A]) w?.ws.destroy(); await stopClean(srv); });

  // words.c words_apply() runs after text_field() checked the length: an
  // empty replacement can leave an empty body, a long one a body past the
  // limit, and both are saved.
  test('a replacement that empties the body: the post is not saved empty', async () => {
    ok(await mod.ws.request({ type: 'word.add', word: 'zzkirosana', action: 'replace', replacement: '' }), 'word.add');
    const period = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, period.id);
    const r = await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'zzkirosana' });
    if (r.ok) assert.notEqual(r.post.body.trim(), '', `a post body is 1–20,000 characters: ${JSON.stringify(r.post)}`);
    else assertError(r, 'invalid_field', 'body');
  });

  test('a replacement that lengthens the body past --max-post-chars: not saved too long', async () => {
    ok(await mod.ws.request({ type: 'word.add', word: 'zq', action: 'replace', replacement: 'x'.repeat(100) }), 'word.add');
    const period = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, period.id);
    const body = Array(400).fill('zq').join(' '); // 1199 characters... cut to the limit
    const r = await A.ws.request({ type: 'post.create', topic_id: topic.id, body: body.slice(0, 1000).trim() });
    if (r.ok) assert.ok([...r.post.body].length <= 1000, `saved ${[...r.post.body].length} characters; the most is 1000`);
    else assertError(r, 'too_long', 'body');
  });
});

describe('review: a replace word inside a review word', () => {
  let srv; let mod; let A;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Kirjoittaja Kalle' });
  });
  after(async () => { for (const w of [mod, A]) w?.ws.destroy(); await stopClean(srv); });

  // words.c words_apply(): at each position the first non-block word that
  // matches wins and its whole match is copied as it is, so a replace word
  // inside a review word's match (a word of several words) is never replaced.
  test('a replace word is replaced also where a review word of several words matches', async () => {
    ok(await mod.ws.request({ type: 'word.add', word: 'ei kuulu', action: 'review' }), 'word.add review');
    ok(await mod.ws.request({ type: 'word.add', word: 'kuulu', action: 'replace', replacement: '[poistettu]' }), 'word.add replace');
    const period = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, period.id);
    const alone = ok(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Tämä kuulu asiaan' })).post;
    assert.equal(alone.body, 'Tämä [poistettu] asiaan', 'the replace word on its own');
    const both = ok(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Tämä ei kuulu tänne' })).post;
    assert.equal(both.status, 'pending', 'the review word holds it');
    assert.equal(both.body, 'Tämä ei [poistettu] tänne', `the replace word is replaced before the post is saved: ${both.body}`);
  });
});

describe('review: role changes on open connections', () => {
  let srv; let admin; let mod; let other; let writer;
  before(async () => {
    srv = await start();
    admin = await moderator(srv, { role: 'admin', display_name: 'Ylläpitäjä Ylva' });
    mod = await moderator(srv, { display_name: 'Entinen Moderaattori' });
    other = await moderator(srv, { display_name: 'Toinen Moderaattori' });
    writer = await member(srv, { display_name: 'Kirjoittaja Kaarlo' });
  });
  after(async () => { for (const w of [admin, mod, other, writer]) w?.ws.destroy(); await stopClean(srv); });

  // forum_sync_channels() drops only staff:posts:all and moderation: a
  // demoted moderator's connection keeps period:<draft> (and topic:<id> of
  // pending topics) and goes on getting what only moderators may see.
  test('a moderator made member by member.role stops getting a draft period\'s events at once', async () => {
    const draft = await createPeriod(other.ws, { title: 'Luonnosjakso' });
    assert.equal(draft.status, 'draft');
    await subscribe(mod.ws, `period:${draft.id}`);
    ok(await admin.ws.request({ type: 'member.role', member_id: mod.member.id, role: 'member', reason: 'Kausi päättyi' }), 'member.role');
    await settle(mod.ws);
    dropEvents(mod.ws);
    ok(await other.ws.request({ type: 'topic.create', period_id: draft.id, title: 'Luonnoksen salainen aihe', body: 'Valmistelua' }), 'topic.create');
    ok(await other.ws.request({ type: 'period.update', period_id: draft.id, title: 'Luonnosjakso, uusi nimi' }), 'period.update');
    await settle(other.ws);
    const evs = (await eventsOn(mod.ws, `period:${draft.id}`)).map((e) => `${e.event} ${e.data.title}`);
    assert.deepEqual(evs, [], 'a member sees nothing of a draft period');
  });

  // h_unsubscribe() takes any channel name, so a moderator's connection can
  // leave its own member:<id>:me; member_change() finds the member's
  // connections only through that channel, so after member.role the
  // connection keeps staff:posts:all and gets hidden posts in full.
  test('leaving the hidden member channel does not let a demoted moderator keep staff:posts:all', async (t) => {
    const mod = await moderator(srv, { display_name: 'Lähtevä Moderaattori' });
    t.after(() => mod.ws.destroy());
    // A hidden channel is not a name a client may use (invalid_field); the
    // demotion must take staff:posts:all away either way.
    const r = await mod.ws.request({ type: 'unsubscribe', channel: `member:${mod.member.id}:me` });
    assertError(r, 'invalid_field', 'channel');
    ok(await admin.ws.request({ type: 'member.role', member_id: mod.member.id, role: 'member', reason: 'Luottamus meni' }), 'member.role');
    await settle(admin.ws);
    const period = await openPeriod(other.ws);
    const { topic, post: opening } = await createTopic(other.ws, period.id);
    const secret = await createPost(writer.ws, topic.id, 'Puhelinnumeroni on 040 123 4567', opening.id);
    dropEvents(mod.ws);
    await hide(other, secret.id, 'Puhelinnumero');
    // No message from mod in between: what reached it, it got as a member.
    await new Promise((res) => setTimeout(res, 300));
    const leaked = mod.ws.inbox.map((m) => m.json)
      .filter((j) => j && j.type === 'event' && j.data && j.data.id === secret.id && j.data.body);
    assert.deepEqual(leaked.map((j) => j.data.body), [], 'a member gets no hidden post\'s body');
  });
});
