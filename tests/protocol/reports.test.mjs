// Reports and the queue (docs/protocol.md, "Reports and the queue").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, assertError } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, createPost, ok, stopClean, at, DAY } from './discuss.mjs';

const ITEM_KEYS = ['id', 'kind', 'status', 'created_at', 'acted_by', 'acted_at', 'action', 'note', 'seq',
  'topic', 'period', 'post', 'parent', 'reports', 'appeal', 'why', 'words', 'author_history'];

test('reports and the queue', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const r1 = await member(srv, { display_name: 'Raportoija Risto' });
  const r2 = await member(srv, { display_name: 'Raportoija Riikka' });
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Raportoitava aihe' });
  const bad = await createPost(author.ws, topic.id, 'Tämä viesti on asiaton', opening.id);

  await t.test('report.create: the first report opens a pending item, the next joins it', async () => {
    const r = ok(await r1.ws.request({ type: 'report.create', post_id: bad.id, reason: 'asiaton' }));
    assert.deepEqual(r, { type: 'reply', re: r.re, ok: true, post_id: bad.id, reported: true });
    ok(await r2.ws.request({ type: 'report.create', post_id: bad.id, reason: 'muu', text: '  Ei kuulu tänne  ' }));
    const { items, next, pending } = ok(await mod.ws.request({ type: 'queue.list' }));
    assert.equal(items.length, 1);
    assert.equal(pending, 1);
    assert.equal(next, null);
    const item = items[0];
    assert.deepEqual(Object.keys(item).sort(), [...ITEM_KEYS].sort());
    assert.equal(item.kind, 'report');
    assert.equal(item.status, 'pending');
    assert.equal(item.post.id, bad.id);
    assert.equal(item.post.body, 'Tämä viesti on asiaton');
    assert.equal(item.parent.id, opening.id, 'the post it answers, for context');
    assert.deepEqual(item.topic, { id: topic.id, title: 'Raportoitava aihe' });
    assert.deepEqual(item.period, { id: period.id, title: period.title });
    assert.deepEqual([item.appeal, item.why, item.words], [null, null, []]);
    assert.deepEqual(item.reports.map((x) => [x.reason, x.text, x.by.display_name]), [
      ['asiaton', '', 'Raportoija Risto'], ['muu', 'Ei kuulu tänne', 'Raportoija Riikka'],
    ]);
    assert.deepEqual(item.author_history, { queue_items: 0, resolved: 0, dismissed: 0, warnings: 0, suspensions: 0 });
  });

  await t.test('the post says whether the asking member reported it (not in events)', async () => {
    const seen = async (who) => ok(await who.ws.request({ type: 'topic.get', topic_id: topic.id }))
      .posts.find((p) => p.id === bad.id);
    assert.equal((await seen(r1)).reported, true);
    assert.equal((await seen(r2)).reported, true);
    assert.equal((await seen(author)).reported, false);
    assert.equal((await seen(mod)).reported, false);
  });

  await t.test('report.create: bad input and the rules', async () => {
    assertError(await r1.ws.request({ type: 'report.create', post_id: bad.id, reason: 'asiaton' }), 'conflict', 'post_id');
    assertError(await author.ws.request({ type: 'report.create', post_id: bad.id, reason: 'asiaton' }), 'forbidden', 'post_id');
    assertError(await r1.ws.request({ type: 'report.create', post_id: 999999, reason: 'asiaton' }), 'not_found', 'post_id');
    assertError(await r1.ws.request({ type: 'report.create', post_id: opening.id, reason: 'huono' }), 'invalid_field', 'reason');
    assertError(await r1.ws.request({ type: 'report.create', post_id: opening.id }), 'missing_field', 'reason');
    assertError(await r1.ws.request({ type: 'report.create', post_id: opening.id, reason: 'muu' }), 'missing_field', 'text');
    assertError(await r1.ws.request({ type: 'report.create', post_id: opening.id, reason: 'muu', text: '   ' }), 'invalid_field', 'text');
    assertError(await r1.ws.request({ type: 'report.create', post_id: opening.id, reason: 'asiaton', text: 'x'.repeat(501) }), 'too_long', 'text');
    const gone = await createPost(author.ws, topic.id, 'Poistettava', opening.id);
    ok(await author.ws.request({ type: 'post.delete', post_id: gone.id }));
    assertError(await r1.ws.request({ type: 'report.create', post_id: gone.id, reason: 'asiaton' }), 'invalid_field', 'post_id');
    assertError(await r1.ws.request({ type: 'queue.list' }), 'forbidden');
  });

  await t.test('a suspended member can still report', async () => {
    ok(await mod.ws.request({ type: 'member.suspend', member_id: r1.member.id, until: at(DAY), reason: 'Testi' }));
    ok(await r1.ws.request({ type: 'report.create', post_id: opening.id, reason: 'roskaposti' }));
    ok(await mod.ws.request({ type: 'member.unsuspend', member_id: r1.member.id }));
  });

  await t.test('queue.act keep dismisses the reports, records who and why; a new report opens a new item', async () => {
    const item = ok(await mod.ws.request({ type: 'queue.list' })).items.find((i) => i.post.id === bad.id);
    const kept = ok(await mod.ws.request({ type: 'queue.act', item_id: item.id, action: 'keep', reason: 'Asiallinen, vaikka jyrkkä' })).item;
    assert.equal(kept.status, 'dismissed');
    assert.equal(kept.action, 'keep');
    assert.equal(kept.note, 'Asiallinen, vaikka jyrkkä');
    assert.deepEqual(kept.acted_by, { id: mod.member.id, display_name: 'Moderaattori Mari' });
    assert.ok(kept.acted_at);
    assertError(await mod.ws.request({ type: 'queue.act', item_id: item.id, action: 'keep' }), 'conflict', 'item_id');
    assertError(await mod.ws.request({ type: 'queue.act', item_id: 999999, action: 'keep' }), 'not_found', 'item_id');
    assertError(await mod.ws.request({ type: 'queue.keep', item_id: item.id }), 'unknown_type');
    const pending = ok(await mod.ws.request({ type: 'queue.list' })).items;
    assert.ok(!pending.some((i) => i.id === item.id), 'no longer pending');
    const dismissed = ok(await mod.ws.request({ type: 'queue.list', status: 'dismissed' })).items;
    assert.equal(dismissed[0].id, item.id);
    const log = ok(await mod.ws.request({ type: 'audit.list', action: 'queue.keep' })).entries;
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].target.kind, log[0].target.id, log[0].reason], ['post', bad.id, 'Asiallinen, vaikka jyrkkä']);
    assert.deepEqual(log[0].details, { item_id: item.id });

    const r3 = await member(srv);
    ok(await r3.ws.request({ type: 'report.create', post_id: bad.id, reason: 'hairinta' }));
    const again = ok(await mod.ws.request({ type: 'queue.list' })).items.find((i) => i.post.id === bad.id);
    assert.notEqual(again.id, item.id, 'a new item');
    assert.deepEqual(again.reports.map((x) => x.reason), ['hairinta'], 'only the new report');
    assert.deepEqual(again.author_history, { queue_items: 1, resolved: 0, dismissed: 1, warnings: 0, suspensions: 0 });
  });

  await t.test('queue.list: pages and bad input', async () => {
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await createPost(author.ws, topic.id, `Viesti ${i}`, opening.id));
    for (const p of others) ok(await r2.ws.request({ type: 'report.create', post_id: p.id, reason: 'roskaposti' }));
    const all = ok(await mod.ws.request({ type: 'queue.list' })).items;
    assert.deepEqual(all.map((i) => i.id), [...all.map((i) => i.id)].sort((a, b) => a - b), 'pending: oldest first');
    const page1 = ok(await mod.ws.request({ type: 'queue.list', limit: 2 }));
    assert.equal(page1.items.length, 2);
    const page2 = ok(await mod.ws.request({ type: 'queue.list', limit: 2, cursor: page1.next }));
    assert.ok(page2.items[0].id > page1.items[1].id);
    assertError(await mod.ws.request({ type: 'queue.list', status: 'kaikki' }), 'invalid_field', 'status');
    assertError(await mod.ws.request({ type: 'queue.list', limit: 101 }), 'invalid_field', 'limit');
  });
});
