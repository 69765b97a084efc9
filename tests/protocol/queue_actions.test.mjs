// queue.act (docs/protocol.md, "Reports and the queue"): every action for
// every kind of item it fits, the combinations that do not fit, missing
// reason / body / until, a second decision, other items on the same post,
// the audit entry of each, and the live `moderation` channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, createPost, stopClean, at, DAY, HOUR, nextEvent } from './discuss.mjs';
import {
  ok, refused, queue, itemFor, audit, notices, report, hide, act, eventsOn, subscribe,
  seenPost, assertHiddenToOthers, assertPublished, assertError,
} from './modkit.mjs';

const ITEM_KEYS = ['id', 'kind', 'status', 'created_at', 'acted_by', 'acted_at', 'action', 'note', 'seq',
  'topic', 'period', 'post', 'parent', 'reports', 'appeal', 'why', 'words', 'author_history'];

const KINDS = ['report', 'appeal', 'review'];
// action → the kinds it fits (the table in "queue.act").
const FITS = {
  keep: ['report', 'appeal'],
  hide: ['report'],
  restore: ['appeal'],
  approve: ['review'],
  edit: ['report', 'appeal', 'review'],
  delete: ['report', 'appeal', 'review'],
  warn: ['report'],
  suspend: ['report'],
};
// What each action needs besides item_id and action.
const NEEDS = {
  keep: {}, restore: {}, approve: {},
  hide: { reason: 'Nimittelyä' },
  edit: { reason: 'Poistettu nimittely', body: 'Muokattu teksti' },
  delete: { reason: 'Ei kuulu keskusteluun' },
  warn: { reason: 'Asiaton sävy' },
  suspend: { reason: 'Toistuvaa häirintää', until: at(3 * DAY) },
};
// The audit action each writes, and its target kind.
const AUDIT = {
  keep: ['queue.keep', 'post'], hide: ['post.hide', 'post'], restore: ['post.restore', 'post'],
  approve: ['post.approve', 'post'], edit: ['post.edit', 'post'], delete: ['post.delete', 'post'],
  warn: ['member.warn', 'member'], suspend: ['member.suspend', 'member'],
};

test('queue.act', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const watcher = await moderator(srv, { display_name: 'Moderaattori Mikko' });
  const author = await member(srv, { display_name: 'Kirjoittaja Kaisa' });
  const reporter = await member(srv, { display_name: 'Raportoija Risto' });
  const reader = await member(srv, { display_name: 'Lukija Leena' });
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Jonon aihe' });
  const pm = await openPeriod(mod.ws, { premoderated: true });
  assert.equal(pm.premoderated, true, 'period.create takes premoderated');
  const { topic: pmTopic, post: pmOpening } = await createTopic(mod.ws, pm.id, { title: 'Esimoderoitu aihe' });
  await subscribe(author.ws, 'me');
  let n = 0;

  // A fresh item of kind, on a fresh post by author.
  async function makeItem(kind) {
    n += 1;
    const body = `Viesti ${kind} ${n}`;
    if (kind === 'review') {
      const p = ok(await author.ws.request({ type: 'post.create', topic_id: pmTopic.id, parent_id: pmOpening.id, body })).post;
      assert.equal(p.status, 'pending', 'a post in a premoderated period waits');
      return { post: p, body, item: await itemFor(mod, p.id, 'review'), topicId: pmTopic.id };
    }
    const p = await createPost(author.ws, topic.id, body, opening.id);
    if (kind === 'report') {
      await report(reporter, p.id, 'hairinta', 'Nimittelyä');
      return { post: p, body, item: await itemFor(mod, p.id, 'report'), topicId: topic.id };
    }
    await hide(mod, p.id, 'Piilotettu ensin');
    ok(await author.ws.request({ type: 'appeal.create', post_id: p.id, text: 'Palauttakaa' }));
    return { post: p, body, item: await itemFor(mod, p.id, 'appeal'), topicId: topic.id };
  }

  await t.test('the item has every field the doc lists; queue.list has pending', async () => {
    const { item, post } = await makeItem('report');
    assert.deepEqual(Object.keys(item).sort(), [...ITEM_KEYS].sort());
    assert.deepEqual(item.period, { id: period.id, title: period.title });
    assert.equal(item.appeal, null);
    assert.equal(item.why, null);
    assert.deepEqual(item.words, []);
    assert.equal(item.post.id, post.id);
    assert.deepEqual(Object.keys(item.author_history).sort(), ['dismissed', 'queue_items', 'resolved', 'suspensions', 'warnings']);
    const r = ok(await mod.ws.request({ type: 'queue.list' }));
    assert.equal(r.pending, r.items.length);
    const rv = await makeItem('review');
    assert.equal(rv.item.why, 'premoderated_period');
    assert.deepEqual(rv.item.reports, []);
    assert.equal(rv.item.post.status, 'pending');
    const ap = await makeItem('appeal');
    assert.equal(ap.item.appeal, 'Palauttakaa');
    assert.equal(ok(await mod.ws.request({ type: 'queue.list' })).pending, r.pending + 2);
    // settle them so that later tests start clean
    await act(mod, item.id, 'keep');
    await act(mod, rv.item.id, 'approve');
    await act(mod, ap.item.id, 'keep');
    await eventsOn(author.ws, 'me');
  });

  await t.test('actions that do not fit the kind, unknown actions: invalid_field action, nothing written', async () => {
    const items = {};
    for (const k of KINDS) items[k] = (await makeItem(k)).item;
    for (const [action, fits] of Object.entries(FITS)) {
      for (const k of KINDS) {
        if (fits.includes(k)) continue;
        await refused(srv, mod.ws, { type: 'queue.act', item_id: items[k].id, action, ...NEEDS[action] }, 'invalid_field', 'action');
      }
    }
    await refused(srv, mod.ws, { type: 'queue.act', item_id: items.report.id, action: 'ban', reason: 'x' }, 'invalid_field', 'action');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: items.report.id, action: 'KEEP' }, 'invalid_field', 'action');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: items.report.id, action: 3 }, 'invalid_field', 'action');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: items.report.id }, 'missing_field', 'action');
    await refused(srv, mod.ws, { type: 'queue.act', action: 'keep' }, 'missing_field', 'item_id');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: 'x', action: 'keep' }, 'invalid_field', 'item_id');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: 999999, action: 'keep' }, 'not_found', 'item_id');
    await refused(srv, reporter.ws, { type: 'queue.act', item_id: items.report.id, action: 'keep' }, 'forbidden');
    await refused(srv, author.ws, { type: 'queue.act', item_id: items.report.id, action: 'keep' }, 'forbidden');
    for (const k of KINDS) await act(mod, items[k].id, 'delete', { reason: 'Siivous' });
    await eventsOn(author.ws, 'me');
  });

  await t.test('missing or bad reason, body and until: refused, nothing written', async () => {
    const { item } = await makeItem('report');
    for (const action of ['hide', 'edit', 'delete', 'warn', 'suspend']) {
      const { reason, ...rest } = NEEDS[action];
      await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action, ...rest }, 'missing_field', 'reason');
      await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action, ...rest, reason: '  ' }, 'invalid_field', 'reason');
      const e = await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action, ...rest, reason: 'x'.repeat(501) }, 'too_long', 'reason');
      assert.equal(e.limit, 500);
    }
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'keep', reason: 'x'.repeat(501) }, 'too_long', 'reason');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'edit', reason: 'Syy' }, 'missing_field', 'body');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'edit', reason: 'Syy', body: '   ' }, 'invalid_field', 'body');
    const e = await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'edit', reason: 'Syy', body: 'x'.repeat(20001) }, 'too_long', 'body');
    assert.equal(e.limit, 20000);
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'edit', reason: 'Syy', body: 'Hetu 131052-308T tässä' }, 'personal_id', 'body');
    ok(await mod.ws.request({ type: 'word.add', word: 'kirosana', action: 'block' }));
    const w = await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'edit', reason: 'Syy', body: 'Tässä kirosana' }, 'watched_word', 'body');
    assert.equal(w.word, 'kirosana', 'the block list applies to moderators too');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'suspend', reason: 'Syy' }, 'missing_field', 'until');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'suspend', reason: 'Syy', until: at(-HOUR) }, 'invalid_field', 'until');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'suspend', reason: 'Syy', until: 'huomenna' }, 'invalid_field', 'until');
    await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action: 'suspend', reason: 'Syy', until: at(4000 * DAY) }, 'invalid_field', 'until');
    await act(mod, item.id, 'keep');
  });

  for (const [action, fits] of Object.entries(FITS)) {
    for (const kind of fits) {
      await t.test(`${action} on a ${kind} item`, async () => {
        const made = await makeItem(kind);
        const { item, post, body } = made;
        await eventsOn(author.ws, 'me');
        const extra = { ...NEEDS[action] };
        if (action === 'suspend') extra.until = at(3 * DAY);
        const done = await act(mod, item.id, action, extra);
        assert.equal(done.id, item.id);
        assert.equal(done.action, action);
        assert.equal(done.status, action === 'keep' ? 'dismissed' : 'resolved');
        assert.deepEqual(done.acted_by, { id: mod.member.id, display_name: 'Moderaattori Mari' });
        assert.match(done.acted_at, /Z$/);
        assert.equal(done.note, extra.reason ?? '');
        assert.ok(done.seq > item.seq, 'a decision is a change: seq moves on');

        const seen = await seenPost(reader.ws, made.topicId, post.id);
        const told = (await eventsOn(author.ws, 'me')).map((e) => e.data);
        switch (action) {
          case 'keep':
            if (kind === 'report') {
              assertPublished(seen, body);
              assert.deepEqual(told, []);
            } else {
              assertHiddenToOthers(seen);
              assert.equal((await seenPost(author.ws, made.topicId, post.id)).hidden.appeal, 'refused');
              assert.deepEqual(told.map((x) => x.kind), ['appeal.refused']);
            }
            break;
          case 'hide':
            assertHiddenToOthers(seen, 'moderator');
            assert.equal(done.post.hidden.reason, extra.reason);
            assert.deepEqual(told.map((x) => [x.kind, x.reason, x.post_id]), [['post.hidden', extra.reason, post.id]]);
            break;
          case 'restore':
            assertPublished(seen, body);
            assert.deepEqual(told.map((x) => [x.kind, x.post_id]), [['post.restored', post.id]]);
            break;
          case 'approve':
            assertPublished(seen, body);
            break;
          case 'edit':
            assertPublished(seen, 'Muokattu teksti');
            assert.equal(seen.moderator_edit.reason, extra.reason);
            assert.match(seen.moderator_edit.at, /Z$/);
            assert.deepEqual(told.map((x) => [x.kind, x.reason, x.post_id]), [['post.edited', extra.reason, post.id]]);
            break;
          case 'delete':
            if (kind === 'review') {
              // never published: others need not even see a tombstone
              assert.ok(seen === undefined || (seen.deleted === true && seen.body === ''), JSON.stringify(seen));
            } else {
              assert.equal(seen.deleted, true);
              assert.equal(seen.deleted_by, 'moderator');
              assert.equal(seen.body, '');
            }
            assert.deepEqual(told.map((x) => [x.kind, x.reason, x.post_id]), [['post.deleted', extra.reason, post.id]]);
            break;
          case 'warn':
            assertPublished(seen, body);
            assert.deepEqual(told.map((x) => [x.kind, x.reason]), [['member.warned', extra.reason]]);
            break;
          case 'suspend': {
            assertPublished(seen, body);
            assert.deepEqual(told.map((x) => [x.kind, x.reason]), [['member.suspended', extra.reason]]);
            const me = ok(await author.ws.request({ type: 'profile.get' })).member;
            assert.equal(me.suspension.reason, extra.reason);
            assert.equal(new Date(me.suspension.until).getTime(), new Date(extra.until).getTime());
            assertError(await author.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Hei' }), 'suspended');
            ok(await mod.ws.request({ type: 'member.unsuspend', member_id: author.member.id }));
            break;
          }
          default: break;
        }

        // Keeping a post hidden on an appeal is logged as refusing it.
        const [auditAction, targetKind] = action === 'keep' && kind === 'appeal' ? ['appeal.refuse', 'post'] : AUDIT[action];
        const entries = await audit(mod, auditAction);
        const entry = entries.find((e) => e.details && e.details.item_id === item.id);
        assert.ok(entry, `an audit entry ${auditAction} with details.item_id ${item.id}; newest: ${JSON.stringify(entries[0])}`);
        assert.equal(entry.target.kind, targetKind);
        assert.equal(entry.target.id, targetKind === 'post' ? post.id : author.member.id);
        assert.equal(entry.actor.id, mod.member.id);
        if (extra.reason) assert.equal(entry.reason, extra.reason);

        await refused(srv, mod.ws, { type: 'queue.act', item_id: item.id, action, ...extra }, 'conflict', 'item_id');
        await refused(srv, watcher.ws, { type: 'queue.act', item_id: item.id, action: FITS.delete.includes(kind) ? 'delete' : action, reason: 'Toinen päätös' }, 'conflict', 'item_id');
        assert.ok(!(await queue(mod)).some((i) => i.id === item.id), 'no longer pending');
        const listed = (await queue(mod, { status: done.status })).find((i) => i.id === item.id);
        assert.ok(listed, `listed under ${done.status}`);
      });
    }
  }

  await t.test('queue.list: decided items newest first; pending counts only what is left', async () => {
    for (const status of ['resolved', 'dismissed']) {
      const r = ok(await mod.ws.request({ type: 'queue.list', status }));
      assert.ok(r.items.length > 0, status);
      assert.ok(r.items.every((i) => i.status === status));
      const ids = r.items.map((i) => i.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), `${status}: newest first`);
    }
    const p = ok(await mod.ws.request({ type: 'queue.list' }));
    assert.equal(p.pending, (await queue(mod)).length);
  });

  await t.test('keep on a report of a post hidden by reports brings it back; warn too; suspend keeps it hidden', async () => {
    const srv2 = await start({ args: ['--auto-hide-reports', '1'] });
    try {
      const m = await moderator(srv2);
      const a = await member(srv2);
      const r = await member(srv2);
      const per = await openPeriod(m.ws);
      const { topic: tt, post: op } = await createTopic(m.ws, per.id);
      for (const [action, extra, expect] of [
        ['keep', {}, 'published'], ['warn', { reason: 'Varoitus' }, 'published'],
        ['suspend', { reason: 'Tauko', until: at(DAY) }, 'hidden'],
      ]) {
        const p = await createPost(a.ws, tt.id, `Viesti ${action}`, op.id);
        await report(r, p.id);
        assert.equal((await seenPost(m.ws, tt.id, p.id)).status, 'hidden');
        const it = await itemFor(m, p.id, 'report');
        await act(m, it.id, action, extra);
        assert.equal((await seenPost(r.ws, tt.id, p.id)).status, expect, `after ${action}`);
        if (action === 'suspend') ok(await m.ws.request({ type: 'member.unsuspend', member_id: a.member.id }));
      }
      // author_history counts warnings and suspensions
      const p = await createPost(a.ws, tt.id, 'Vielä yksi', op.id);
      const r2 = await member(srv2);
      await report(r2, p.id);
      const it = await itemFor(m, p.id, 'report');
      assert.deepEqual(it.author_history, { queue_items: 3, resolved: 2, dismissed: 1, warnings: 1, suspensions: 1 });
      a.ws.destroy(); r.ws.destroy(); r2.ws.destroy(); m.ws.destroy();
    } finally {
      await stopClean(srv2);
    }
  });

  await t.test('other pending items on the same post are settled with the decision', async () => {
    const srv2 = await start({ args: ['--auto-hide-reports', '1'] });
    try {
      const m = await moderator(srv2);
      const a = await member(srv2);
      const per = await openPeriod(m.ws);
      const { topic: tt, post: op } = await createTopic(m.ws, per.id);
      for (const [on, action, extra] of [
        ['report', 'delete', { reason: 'Poistettu' }],
        ['appeal', 'restore', {}],
        ['report', 'keep', {}],
      ]) {
        const p = await createPost(a.ws, tt.id, `Viesti ${on} ${action}`, op.id);
        const r = await member(srv2);
        await report(r, p.id);
        ok(await a.ws.request({ type: 'appeal.create', post_id: p.id, text: 'Palauttakaa' }));
        const items = await queue(m, { postId: p.id });
        assert.deepEqual(items.map((i) => i.kind).sort(), ['appeal', 'report']);
        const target = items.find((i) => i.kind === on);
        const othr = items.find((i) => i.kind !== on);
        await act(m, target.id, action, extra);
        assert.deepEqual(await queue(m, { postId: p.id }), [], `${action} on the ${on} item leaves nothing pending on the post`);
        const all = [...await queue(m, { status: 'resolved', postId: p.id }), ...await queue(m, { status: 'dismissed', postId: p.id })];
        const settled = all.find((i) => i.id === othr.id);
        assert.ok(settled, `the ${othr.kind} item is settled too`);
        assert.ok(settled.acted_by && settled.acted_by.id === m.member.id, 'settled by the same moderator');
        r.ws.destroy();
      }
      a.ws.destroy(); m.ws.destroy();
    } finally {
      await stopClean(srv2);
    }
  });
});

test('live: queue.changed on moderation', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const other = await moderator(srv, { display_name: 'Moderaattori Mikko' });
  const author = await member(srv);
  const r1 = await member(srv);
  const r2 = await member(srv);
  const period = await openPeriod(mod.ws);
  const { topic, post: opening } = await createTopic(mod.ws, period.id);
  const post = await createPost(author.ws, topic.id, 'Valvottava', opening.id);
  const sub = await subscribe(other.ws, 'moderation');
  const since = sub.seq;
  assert.ok(Number.isInteger(since));

  await t.test('a member cannot subscribe to moderation', async () => {
    assertError(await r1.ws.request({ type: 'subscribe', channel: 'moderation' }), 'forbidden', 'channel');
    assertError(await author.ws.request({ type: 'subscribe', channel: 'moderation', since: 0 }), 'forbidden', 'channel');
  });

  let itemId;
  await t.test('a new report sends queue.changed with the new item', async () => {
    await report(r1, post.id);
    const ev = await nextEvent(other.ws, 'moderation', 'queue.changed');
    assert.equal(ev.data.kind, 'report');
    assert.equal(ev.data.status, 'pending');
    assert.equal(ev.data.post.id, post.id);
    assert.equal(ev.data.reports.length, 1);
    assert.equal(ev.seq, ev.data.seq);
    itemId = ev.data.id;
    assert.deepEqual(await eventsOn(r1.ws, 'moderation'), [], 'members get nothing');
  });

  await t.test('a report joining it sends queue.changed with both reports', async () => {
    await report(r2, post.id, 'hairinta');
    const ev = await nextEvent(other.ws, 'moderation', 'queue.changed');
    assert.equal(ev.data.id, itemId);
    assert.deepEqual(ev.data.reports.map((x) => x.reason), ['asiaton', 'hairinta']);
  });

  await t.test('a decision sends queue.changed with the decided item', async () => {
    await act(mod, itemId, 'hide', { reason: 'Nimittelyä' });
    const ev = await nextEvent(other.ws, 'moderation', 'queue.changed');
    assert.equal(ev.data.id, itemId);
    assert.equal(ev.data.status, 'resolved');
    assert.equal(ev.data.action, 'hide');
    assert.equal(ev.data.post.status, 'hidden');
    assert.equal(ev.data.post.body, 'Valvottava', 'moderators see the text');
  });

  await t.test('an appeal and a review item each send queue.changed', async () => {
    ok(await author.ws.request({ type: 'appeal.create', post_id: post.id, text: 'Pyydän' }));
    const ev = await nextEvent(other.ws, 'moderation', 'queue.changed');
    assert.equal(ev.data.kind, 'appeal');
    const pm = await openPeriod(mod.ws, { premoderated: true });
    const { topic: pt } = await createTopic(mod.ws, pm.id);
    ok(await author.ws.request({ type: 'post.create', topic_id: pt.id, body: 'Odottaa' }));
    const ev2 = await nextEvent(other.ws, 'moderation', 'queue.changed');
    assert.equal(ev2.data.kind, 'review');
    assert.equal(ev2.data.why, 'premoderated_period');
  });

  await t.test('since catches up the items changed since, each once, as they are now', async () => {
    const late = await moderator(srv, { display_name: 'Myöhäinen Moderaattori' });
    const r = ok(await late.ws.request({ type: 'subscribe', channel: 'moderation', since }));
    const evs = r.events;
    assert.ok(Array.isArray(evs), `events in ${JSON.stringify(r).slice(0, 500)}`);
    assert.ok(evs.every((e) => e.event === 'queue.changed' && e.channel === 'moderation'));
    const ids = evs.map((e) => e.data.id);
    assert.equal(new Set(ids).size, ids.length, 'each item once');
    const mine = evs.find((e) => e.data.id === itemId);
    assert.ok(mine, 'the decided item is caught up');
    assert.equal(mine.data.status, 'resolved');
    assert.equal(evs.length, 3, 'the report item, the appeal item, the review item');
    const seqs = evs.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'oldest change first');
    const r2b = ok(await late.ws.request({ type: 'subscribe', channel: 'moderation', since: r.seq }));
    assert.deepEqual(r2b.events, []);
  });
});

test('moderation: a moderator made a member again stops getting queue.changed', async () => {
  const srv = await start();
  try {
    const admin = await moderator(srv, { role: 'admin', display_name: 'Ylläpitäjä Ari' });
    const demoted = await moderator(srv, { display_name: 'Entinen Moderaattori' });
    const author = await member(srv);
    const reporter = await member(srv);
    const period = await openPeriod(admin.ws);
    const { topic, post: opening } = await createTopic(admin.ws, period.id);
    const p = await createPost(author.ws, topic.id, 'Raportoitava', opening.id);
    await subscribe(demoted.ws, 'moderation');
    ok(await admin.ws.request({ type: 'member.role', member_id: demoted.member.id, role: 'member', reason: 'Tehtävä päättyi' }));
    await report(reporter, p.id);
    assert.deepEqual(await eventsOn(demoted.ws, 'moderation'), [], 'no queue.changed after the role change');
    assertError(await demoted.ws.request({ type: 'queue.list' }), 'forbidden');
    assertError(await demoted.ws.request({ type: 'subscribe', channel: 'moderation' }), 'forbidden', 'channel');
    for (const w of [admin, demoted, author, reporter]) w.ws.destroy();
  } finally {
    await stopClean(srv);
  }
});
