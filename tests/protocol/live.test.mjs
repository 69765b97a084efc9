// Live channels: subscribe / unsubscribe, the events of each channel,
// topic.viewers, catch-up after a dropped connection, drafts kept from
// members, malformed channel names and the per-connection channel limit
// (docs/protocol.md, "Live: channels and events").
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, openWs, assertError } from './helpers.mjs';
import { postJson } from './http.mjs';
import {
  ok, member, moderator, createPeriod, openPeriod, createTopic, createPost, reconnect,
  assertPeriod, assertTopic, assertPost, nextEvent, settle, pendingEvents, dropEvents, subscribe, pipeline, stopClean,
} from './discuss.mjs';

function assertEvent(e, channel, event) {
  assert.equal(e.type, 'event');
  assert.equal(e.channel, channel);
  assert.equal(e.event, event);
  assert.ok('data' in e, `event without data: ${JSON.stringify(e)}`);
  if (event !== 'topic.viewers') assert.ok(Number.isInteger(e.seq), `event seq: ${JSON.stringify(e)}`);
  return e;
}

describe('live', () => {
  let srv;
  let mod;
  let A;
  let B;
  let C;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Aino' });
    B = await member(srv, { display_name: 'Bertta' });
    C = await member(srv, { display_name: 'Cecilia' });
  });
  after(async () => { for (const w of [mod, A, B, C]) w?.ws.destroy(); await stopClean(srv); });

  // Fresh connections for a test, so that subscriptions do not leak between tests.
  async function fresh(...who) { for (const w of who) await reconnect(srv, w); }

  test('topic:<id>: post.created, post.edited, post.deleted, reaction.added and reaction.removed reach every subscriber', async () => {
    await fresh(A, B);
    const p = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, p.id);
    const ch = `topic:${topic.id}`;
    const sa = await subscribe(A.ws, ch);
    const sb = await subscribe(B.ws, ch);
    assert.equal(sa.channel, ch);
    assert.ok(Number.isInteger(sa.seq), `subscribe reply seq: ${JSON.stringify(sa)}`);
    assert.ok(Number.isInteger(sb.viewers), `subscribe reply viewers: ${JSON.stringify(sb)}`);

    const a1 = await createPost(A.ws, topic.id, 'Ainon viesti');
    let e = assertEvent(await nextEvent(B.ws, ch, 'post.created'), ch, 'post.created');
    assertPost(e.data, { mine: false });
    assert.equal(e.data.id, a1.id);
    assert.equal(e.data.body, 'Ainon viesti');
    assert.ok(e.seq > sb.seq, `event seq ${e.seq} after the subscribe seq ${sb.seq}`);
    assert.ok(e.data.seq <= e.seq);
    const own = await nextEvent(A.ws, ch, 'post.created');
    assert.equal(own.data.id, a1.id, 'the author\'s own connection gets the event too');

    const b1 = await createPost(B.ws, topic.id, 'Bertan vastaus', a1.id);
    e = await nextEvent(A.ws, ch, 'post.created', (x) => x.data.id === b1.id);
    assert.equal(e.data.parent_id, a1.id);
    assert.deepEqual(e.data.reply_to, { id: a1.id, display_name: 'Aino' });

    ok(await B.ws.request({ type: 'post.edit', post_id: b1.id, body: 'Bertan korjattu vastaus' }));
    e = assertEvent(await nextEvent(A.ws, ch, 'post.edited'), ch, 'post.edited');
    assertPost(e.data, { mine: false });
    assert.equal(e.data.id, b1.id);
    assert.equal(e.data.body, 'Bertan korjattu vastaus');
    assert.ok(e.data.edited_at);

    ok(await B.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'good_idea' }));
    e = assertEvent(await nextEvent(A.ws, ch, 'reaction.added'), ch, 'reaction.added');
    assert.deepEqual(e.data, { post_id: a1.id, reaction: 'good_idea', by: B.member.id, reactions: { agree: 0, good_idea: 1, thanks: 0 } });
    ok(await B.ws.request({ type: 'reaction.remove', post_id: a1.id, reaction: 'good_idea' }));
    e = assertEvent(await nextEvent(A.ws, ch, 'reaction.removed'), ch, 'reaction.removed');
    assert.deepEqual(e.data, { post_id: a1.id, reaction: 'good_idea', by: B.member.id, reactions: { agree: 0, good_idea: 0, thanks: 0 } });

    ok(await A.ws.request({ type: 'post.delete', post_id: a1.id }));
    e = assertEvent(await nextEvent(B.ws, ch, 'post.deleted'), ch, 'post.deleted');
    assertPost(e.data, { mine: false });
    assert.equal(e.data.id, a1.id);
    assert.equal(e.data.deleted, true);
    assert.equal(e.data.author, null);
    assert.equal(e.data.body, '');

    // B saw everything in order, with growing seq
    await settle(B.ws);
    const seen = B.ws.received.map((m) => m.json).filter((j) => j && j.type === 'event' && j.channel === ch && j.event !== 'topic.viewers');
    assert.deepEqual(seen.map((x) => x.event), ['post.created', 'post.created', 'post.edited', 'reaction.added', 'reaction.removed', 'post.deleted']);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].seq > seen[i - 1].seq, `seq must grow: ${seen.map((x) => x.seq)}`);
  });

  test('a refused change sends no event', async () => {
    await fresh(A, B);
    const p = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, p.id);
    const ch = `topic:${topic.id}`;
    await subscribe(A.ws, ch);
    const b = await createPost(B.ws, topic.id, 'B');
    await nextEvent(A.ws, ch, 'post.created');
    assertError(await B.ws.request({ type: 'post.create', topic_id: topic.id, body: '   ' }), 'invalid_field');
    assertError(await B.ws.request({ type: 'reaction.add', post_id: b.id, reaction: 'agree' }), 'invalid_field');
    assertError(await A.ws.request({ type: 'post.edit', post_id: b.id, body: 'x' }), 'forbidden');
    // a change after them is the next event A sees
    await createPost(B.ws, topic.id, 'Seuraava');
    const e = await nextEvent(A.ws, ch);
    assert.equal(e.event, 'post.created');
    assert.equal(e.data.body, 'Seuraava');
  });

  test('events of a topic one is not subscribed to do not arrive', async () => {
    await fresh(A, B, C);
    const p = await openPeriod(mod.ws);
    const t1 = await createTopic(mod.ws, p.id);
    const t2 = await createTopic(mod.ws, p.id);
    await subscribe(A.ws, `topic:${t1.topic.id}`);
    await subscribe(C.ws, `topic:${t2.topic.id}`);
    await createPost(B.ws, t2.topic.id, 'Toiseen aiheeseen');
    await nextEvent(C.ws, `topic:${t2.topic.id}`, 'post.created');
    await settle(A.ws);
    assert.deepEqual(pendingEvents(A.ws).filter((e) => e.event !== 'topic.viewers'), []);
  });

  test('subscribing twice is fine: events are not doubled and the viewer is counted once', async () => {
    await fresh(A, B);
    const p = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, p.id);
    const ch = `topic:${topic.id}`;
    const s1 = await subscribe(A.ws, ch);
    const s2 = await subscribe(A.ws, ch);
    assert.equal(s2.viewers, s1.viewers, 'the same connection twice is one viewer');
    await createPost(B.ws, topic.id, 'Kerran');
    await nextEvent(A.ws, ch, 'post.created');
    await settle(A.ws);
    assert.deepEqual(pendingEvents(A.ws, ch).filter((e) => e.event === 'post.created'), [], 'one post, one event');
  });

  test('unsubscribe stops the events; unsubscribing a channel one does not hold is ok', async () => {
    await fresh(A, B, C);
    const p = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, p.id);
    const ch = `topic:${topic.id}`;
    await subscribe(A.ws, ch);
    await subscribe(C.ws, ch);
    await createPost(B.ws, topic.id, 'Ennen');
    await nextEvent(A.ws, ch, 'post.created');
    assert.equal(ok(await A.ws.request({ type: 'unsubscribe', channel: ch })).ok, true);
    dropEvents(A.ws);
    await createPost(B.ws, topic.id, 'Jälkeen');
    await nextEvent(C.ws, ch, 'post.created', (e) => e.data.body === 'Jälkeen');
    await settle(A.ws);
    assert.deepEqual(pendingEvents(A.ws, ch).filter((e) => e.event !== 'topic.viewers'), []);
    ok(await A.ws.request({ type: 'unsubscribe', channel: ch }));
    ok(await A.ws.request({ type: 'unsubscribe', channel: 'topic:987654321' }));
  });

  test('period:<id>: topic.created, topic.changed on a post, period.changed on an edit and on close', async () => {
    await fresh(A, B);
    const p = await openPeriod(mod.ws);
    const ch = `period:${p.id}`;
    const s = await subscribe(A.ws, ch);
    assert.ok(!('viewers' in s) || s.viewers === undefined || s.viewers === null, `viewers is for topic: channels: ${JSON.stringify(s)}`);
    const { topic } = await createTopic(mod.ws, p.id, { title: 'Uusi aihe' });
    let e = assertEvent(await nextEvent(A.ws, ch, 'topic.created'), ch, 'topic.created');
    assertTopic(e.data, { unread: false });
    assert.equal(e.data.id, topic.id);
    assert.equal(e.data.title, 'Uusi aihe');
    await createPost(B.ws, topic.id, 'Ensimmäinen vastaus');
    e = assertEvent(await nextEvent(A.ws, ch, 'topic.changed'), ch, 'topic.changed');
    assertTopic(e.data, { unread: false });
    assert.equal(e.data.id, topic.id);
    assert.equal(e.data.post_count, 2);
    assert.equal(e.data.last_post_author_id, B.member.id);
    const second = await createPost(B.ws, topic.id, 'Toinen vastaus');
    e = await nextEvent(A.ws, ch, 'topic.changed', (x) => x.data.post_count === 3);
    ok(await B.ws.request({ type: 'post.delete', post_id: second.id }));
    e = await nextEvent(A.ws, ch, 'topic.changed', (x) => x.data.post_count === 2);
    assert.equal(e.data.id, topic.id, 'a deleted post changes the topic\'s count');
    ok(await mod.ws.request({ type: 'period.update', period_id: p.id, title: 'Uusi nimi' }));
    e = assertEvent(await nextEvent(A.ws, ch, 'period.changed'), ch, 'period.changed');
    assertPeriod(e.data);
    assert.equal(e.data.title, 'Uusi nimi');
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }));
    e = await nextEvent(A.ws, ch, 'period.changed', (x) => x.data.status === 'closed');
    assert.equal(e.data.id, p.id);
  });

  test('periods: period.changed for announce, open, edit and close, and for a period created upcoming; never for a draft', async () => {
    await fresh(A);
    await subscribe(A.ws, 'periods');
    const d1 = await createPeriod(mod.ws, { title: 'Salainen luonnos' });
    ok(await mod.ws.request({ type: 'period.update', period_id: d1.id, title: 'Yhä salainen' }));
    const d2 = await createPeriod(mod.ws);
    ok(await mod.ws.request({ type: 'period.announce', period_id: d2.id }));
    let e = assertEvent(await nextEvent(A.ws, 'periods', 'period.changed'), 'periods', 'period.changed');
    assert.equal(e.data.id, d2.id, `the first period.changed must be the announced one, not the draft ${d1.id}`);
    assert.equal(e.data.status, 'upcoming');
    assertPeriod(e.data);
    ok(await mod.ws.request({ type: 'period.open', period_id: d2.id }));
    e = await nextEvent(A.ws, 'periods', 'period.changed');
    assert.deepEqual([e.data.id, e.data.status], [d2.id, 'open']);
    ok(await mod.ws.request({ type: 'period.update', period_id: d2.id, title: 'Muokattu' }));
    e = await nextEvent(A.ws, 'periods', 'period.changed');
    assert.deepEqual([e.data.id, e.data.title], [d2.id, 'Muokattu']);
    ok(await mod.ws.request({ type: 'period.close', period_id: d2.id }));
    e = await nextEvent(A.ws, 'periods', 'period.changed');
    assert.deepEqual([e.data.id, e.data.status], [d2.id, 'closed']);
    const u = await createPeriod(mod.ws, { status: 'upcoming' });
    e = await nextEvent(A.ws, 'periods', 'period.changed');
    assert.deepEqual([e.data.id, e.data.status], [u.id, 'upcoming']);
    await settle(A.ws);
    const all = A.ws.received.map((m) => m.json).filter((j) => j?.type === 'event' && j.channel === 'periods');
    assert.ok(!all.some((x) => x.data?.id === d1.id), 'a draft was sent to a member');
  });

  test('a member cannot subscribe to a draft period or its topics (not_found); a moderator can', async () => {
    await fresh(A);
    const d = await createPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, d.id);
    assertError(await A.ws.request({ type: 'subscribe', channel: `period:${d.id}` }), 'not_found');
    assertError(await A.ws.request({ type: 'subscribe', channel: `topic:${topic.id}` }), 'not_found');
    await subscribe(mod.ws, `period:${d.id}`);
    await subscribe(mod.ws, `topic:${topic.id}`);
    ok(await mod.ws.request({ type: 'period.update', period_id: d.id, title: 'Luonnos, muokattu' }));
    const e = await nextEvent(mod.ws, `period:${d.id}`, 'period.changed');
    assert.deepEqual([e.data.status, e.data.title], ['draft', 'Luonnos, muokattu'], 'a moderator viewing a draft sees its changes');
    ok(await mod.ws.request({ type: 'unsubscribe', channel: `period:${d.id}` }));
    ok(await mod.ws.request({ type: 'unsubscribe', channel: `topic:${topic.id}` }));
  });

  test('subscribe to an unknown period or topic → not_found', async () => {
    assertError(await A.ws.request({ type: 'subscribe', channel: 'period:987654321' }), 'not_found');
    assertError(await A.ws.request({ type: 'subscribe', channel: 'topic:987654321' }), 'not_found');
    assert.equal((await A.ws.request({ type: 'ping' })).ok, true);
  });

  describe('malformed subscribe', () => {
    const bad = [
      [undefined, 'missing_field'],
      [null, 'missing_field'], [5, 'invalid_field'], [['periods'], 'invalid_field'], [{ topic: 1 }, 'invalid_field'],
      ['', 'invalid_field'], ['topic', 'invalid_field'], ['topic:', 'invalid_field'], ['topic:abc', 'invalid_field'],
      ['topic:1.5', 'invalid_field'], ['topic:-1', 'invalid_field'], ['topic: 1', 'invalid_field'], ['topic:1 ', 'invalid_field'],
      ['topic:1x', 'invalid_field'], ['topic:0x10', 'invalid_field'], ['TOPIC:1', 'invalid_field'], ['period', 'invalid_field'],
      ['period:', 'invalid_field'], ['periods:1', 'invalid_field'], ['post:1', 'invalid_field'], ['members', 'invalid_field'],
      ['topic:99999999999999999999999', 'invalid_field'], ['topic:1:2', 'invalid_field'], [`topic:${'1'.repeat(300)}`, 'invalid_field'],
    ];
    for (const [channel, code] of bad) {
      test(`channel ${JSON.stringify(channel) ?? 'missing'} → ${code} (field channel)`, async () => {
        const msg = { type: 'subscribe' };
        if (channel !== undefined) msg.channel = channel;
        assertError(await A.ws.request(msg), code, 'channel');
        assert.equal((await A.ws.request({ type: 'ping' })).ok, true);
      });
    }

    test('since that is not a whole number → invalid_field (field since)', async () => {
      for (const since of ['5', 1.5, [1], true]) {
        assertError(await A.ws.request({ type: 'subscribe', channel: 'periods', since }), 'invalid_field', 'since');
      }
    });
  });

  test('a connection may hold 32 channels; the 33rd → limit_reached; re-subscribing a held one and a freed slot are fine', async () => {
    await fresh(A);
    const p = await openPeriod(mod.ws);
    const topics = await pipeline(mod.ws, Array.from({ length: 31 }, (_, i) => ({ type: 'topic.create', period_id: p.id, title: `T${i}`, body: 'x' })));
    const channels = ['periods', ...topics.map((r) => `topic:${ok(r).topic.id}`)];
    assert.equal(channels.length, 32);
    for (const c of channels) await subscribe(A.ws, c);
    assertError(await A.ws.request({ type: 'subscribe', channel: `period:${p.id}` }), 'limit_reached');
    await subscribe(A.ws, channels[5]);
    ok(await A.ws.request({ type: 'unsubscribe', channel: channels[5] }));
    await subscribe(A.ws, `period:${p.id}`);
    assertError(await A.ws.request({ type: 'subscribe', channel: channels[5] }), 'limit_reached');
    // a new connection starts with none
    await fresh(A);
    await subscribe(A.ws, channels[5]);
  });

  test('a connection closed by sign-out while subscribed gets nothing more; the others go on', async () => {
    await fresh(B, C);
    const p = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, p.id);
    const ch = `topic:${topic.id}`;
    const gone = await member(srv, { display_name: 'Lähtijä' });
    for (const c of ['periods', `period:${p.id}`, ch]) await subscribe(gone.ws, c);
    await subscribe(C.ws, ch);
    assert.equal(ok(await C.ws.request({ type: 'topic.get', topic_id: topic.id })).viewers, 2);
    const out = await postJson(srv, '/api/logout', {}, { cookie: gone.cookie });
    assert.equal(out.status, 200);
    assert.equal((await gone.ws.waitClosed({ timeout: 5000 })).code, 4001);
    await createPost(B.ws, topic.id, 'Lähdön jälkeen');
    await nextEvent(C.ws, ch, 'post.created');
    await nextEvent(C.ws, ch, 'topic.viewers', (x) => x.data.viewers === 1, { timeout: 4000 });
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }));
    assert.equal(ok(await C.ws.request({ type: 'topic.get', topic_id: topic.id })).viewers, 1);
  });

  describe('topic.viewers', () => {
    test('counts subscribers of topic:<id>: in the subscribe reply, in topic.get, and live as it changes', async () => {
      await fresh(A, B, C);
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const ch = `topic:${topic.id}`;
      const sa = await subscribe(A.ws, ch);
      assert.equal(sa.viewers, 1);
      const sb = await subscribe(B.ws, ch);
      assert.equal(sb.viewers, 2);
      let e = assertEvent(await nextEvent(A.ws, ch, 'topic.viewers', (x) => x.data.viewers === 2, { timeout: 4000 }), ch, 'topic.viewers');
      assert.deepEqual(e.data, { topic_id: topic.id, viewers: 2 });
      assert.ok(!('seq' in e) || e.seq === null || e.seq === undefined, `topic.viewers has no seq: ${JSON.stringify(e)}`);
      assert.equal(ok(await C.ws.request({ type: 'topic.get', topic_id: topic.id })).viewers, 2);
      ok(await B.ws.request({ type: 'unsubscribe', channel: ch }));
      e = await nextEvent(A.ws, ch, 'topic.viewers', (x) => x.data.viewers === 1, { timeout: 4000 });
      // a dropped connection stops being a viewer
      await subscribe(C.ws, ch);
      await nextEvent(A.ws, ch, 'topic.viewers', (x) => x.data.viewers === 2, { timeout: 4000 });
      C.ws.destroy();
      await nextEvent(A.ws, ch, 'topic.viewers', (x) => x.data.viewers === 1, { timeout: 4000 });
      assert.equal(ok(await A.ws.request({ type: 'topic.get', topic_id: topic.id })).viewers, 1);
    });

    test('many members with two connections each, leaving in a shuffled order: viewers counts members, exactly, at every step', async () => {
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const ch = `topic:${topic.id}`;
      const people = await Promise.all(Array.from({ length: 14 }, (_, i) => member(srv, { display_name: `Katsoja ${i}` })));
      const conns = [];
      try {
        for (const m of people) {
          const { ws } = await openWs(srv, { cookie: m.cookie });
          conns.push({ who: m.member.id, ws: m.ws }, { who: m.member.id, ws });
        }
        for (const c of conns) await subscribe(c.ws, ch);
        const viewers = async () => ok(await mod.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 1 })).viewers;
        assert.equal(await viewers(), people.length);
        let seed = 7;
        const order = conns.map((c, i) => [((seed = (seed * 1103515245 + 12345) >>> 0) % 1000), i]).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
        const left = new Set(conns.map((_, i) => i));
        for (const i of order) {
          ok(await conns[i].ws.request({ type: 'unsubscribe', channel: ch }));
          left.delete(i);
          const expected = new Set([...left].map((j) => conns[j].who)).size;
          assert.equal(await viewers(), expected, `after ${conns.length - left.size} left`);
        }
        // and back again
        for (const c of conns.slice(0, 6)) await subscribe(c.ws, ch);
        assert.equal(await viewers(), 3);
      } finally { for (const m of people) m.ws.destroy(); for (const c of conns) c.ws.destroy(); }
    });

    test('a burst of subscribers is coalesced: at most one topic.viewers a second, ending at the right number', async () => {
      await fresh(A);
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const ch = `topic:${topic.id}`;
      await subscribe(A.ws, ch);
      const extra = [];
      try {
        // six other members (viewers are members), ready before the burst
        for (let i = 0; i < 6; i++) extra.push(await member(srv, { display_name: `Katsoja ${i}` }));
        await Promise.all(extra.map((m) => subscribe(m.ws, ch)));
        await nextEvent(A.ws, ch, 'topic.viewers', (x) => x.data.viewers === 7, { timeout: 5000 });
        const got = A.ws.received.filter((m) => m.json?.type === 'event' && m.json.event === 'topic.viewers' && m.json.channel === ch);
        for (let i = 1; i < got.length; i++) {
          assert.ok(got[i].at - got[i - 1].at >= 800, `two topic.viewers ${got[i].at - got[i - 1].at} ms apart`);
        }
        assert.ok(got.length <= 3, `${got.length} topic.viewers events for one burst`);
      } finally { for (const m of extra) m.ws.destroy(); }
    });
  });

  describe('catch-up', () => {
    test('topic: since gives each changed post once, as it is now, oldest change first; nothing else', async () => {
      await fresh(A, B);
      const p = await openPeriod(mod.ws);
      const { topic, post: op } = await createTopic(mod.ws, p.id);
      const ch = `topic:${topic.id}`;
      const a1 = await createPost(A.ws, topic.id, 'Ainon');
      const b1 = await createPost(B.ws, topic.id, 'Bertan');
      const m1 = await createPost(mod.ws, topic.id, 'Moderaattorin');
      const untouched = await createPost(B.ws, topic.id, 'Koskematon');
      ok(await A.ws.request({ type: 'reaction.add', post_id: b1.id, reaction: 'thanks' }));
      const s = await subscribe(A.ws, ch);
      A.ws.destroy(); // A drops off

      const n1 = await createPost(B.ws, topic.id, 'Uusi yksi', a1.id);
      const n2 = await createPost(B.ws, topic.id, 'Uusi kaksi');
      ok(await B.ws.request({ type: 'post.edit', post_id: n1.id, body: 'Uusi yksi, korjattu' }));
      ok(await B.ws.request({ type: 'post.edit', post_id: n1.id, body: 'Uusi yksi, korjattu taas' }));
      ok(await B.ws.request({ type: 'post.edit', post_id: b1.id, body: 'Bertan, muokattu' }));
      ok(await B.ws.request({ type: 'reaction.add', post_id: a1.id, reaction: 'agree' }));
      ok(await mod.ws.request({ type: 'post.delete', post_id: m1.id }));

      await reconnect(srv, A);
      const r = await subscribe(A.ws, ch, { since: s.seq });
      assert.ok(Array.isArray(r.events), `events: ${JSON.stringify(r)}`);
      assert.ok(!r.resync, 'no resync for a few changes');
      for (const e of r.events) {
        assertEvent(e, ch, 'post.changed');
        assertPost(e.data, { mine: true });
        assert.ok(e.seq > s.seq, `catch-up event seq ${e.seq} after since ${s.seq}`);
      }
      const ids = r.events.map((e) => e.data.id);
      assert.equal(new Set(ids).size, ids.length, `each post once: ${ids}`);
      assert.deepEqual([...ids].sort((x, y) => x - y), [a1.id, b1.id, m1.id, n1.id, n2.id].sort((x, y) => x - y),
        `exactly the changed posts (not the opening post ${op.id} nor ${untouched.id})`);
      // oldest change first: a1's reaction came after b1's edit, n1's last edit after n2
      for (let i = 1; i < r.events.length; i++) assert.ok(r.events[i].seq > r.events[i - 1].seq, `oldest first: ${r.events.map((e) => e.seq)}`);
      assert.deepEqual(ids, [n2.id, n1.id, b1.id, a1.id, m1.id], 'ordered by each post\'s last change');
      const byId = Object.fromEntries(r.events.map((e) => [e.data.id, e.data]));
      assert.equal(byId[n1.id].body, 'Uusi yksi, korjattu taas');
      assert.equal(byId[b1.id].body, 'Bertan, muokattu');
      assert.deepEqual(byId[b1.id].mine, ['thanks'], 'catch-up posts carry mine for the asking member');
      assert.deepEqual(byId[a1.id].reactions, { agree: 1, good_idea: 0, thanks: 0 });
      assert.equal(byId[m1.id].deleted, true);
      assert.ok(r.seq >= r.events.at(-1).seq, `reply seq ${r.seq} is the latest`);
      // caught up: nothing more
      const again = await subscribe(A.ws, ch, { since: r.seq });
      assert.deepEqual(again.events ?? [], []);
      assert.equal(again.seq, r.seq);
      // and live events continue after the catch-up
      const n3 = await createPost(B.ws, topic.id, 'Live taas');
      const e = await nextEvent(A.ws, ch, 'post.created');
      assert.equal(e.data.id, n3.id);
      assert.ok(e.seq > r.seq);
    });

    test('period: since gives period.changed and topic.changed (new topics included), each once', async () => {
      await fresh(A, B);
      const p = await openPeriod(mod.ws);
      const t1 = await createTopic(mod.ws, p.id);
      const t2 = await createTopic(mod.ws, p.id);
      const ch = `period:${p.id}`;
      const s = await subscribe(A.ws, ch);
      A.ws.destroy();
      await createPost(B.ws, t1.topic.id, 'yksi');
      await createPost(B.ws, t1.topic.id, 'kaksi');
      const t3 = await createTopic(mod.ws, p.id, { title: 'Myöhemmin' });
      ok(await mod.ws.request({ type: 'period.update', period_id: p.id, title: 'Uusi otsikko' }));
      await reconnect(srv, A);
      const r = await subscribe(A.ws, ch, { since: s.seq });
      const kinds = r.events.map((e) => `${e.event}:${e.data.id}`);
      assert.equal(new Set(kinds).size, kinds.length, `each once: ${kinds}`);
      assert.deepEqual([...kinds].sort(), [`period.changed:${p.id}`, `topic.changed:${t1.topic.id}`, `topic.changed:${t3.topic.id}`].sort(),
        `not ${t2.topic.id}, which did not change`);
      const per = r.events.find((e) => e.event === 'period.changed');
      assertPeriod(per.data);
      assert.equal(per.data.title, 'Uusi otsikko');
      const tc = r.events.find((e) => e.data.id === t1.topic.id);
      assertTopic(tc.data);
      assert.equal(tc.data.post_count, 3);
      // Regression (found by this test): the period's catch-up listed period.changed first, not by seq
      assert.deepEqual(r.events.map((e) => e.seq), r.events.map((e) => e.seq).sort((x, y) => x - y),
        `catch-up events must be oldest change first (protocol.md, subscribe): ${JSON.stringify(r.events.map((e) => [e.event, e.data.id, e.seq]))}`);
    });

    test('periods: since never brings back drafts for a member', async () => {
      await fresh(A);
      const s = await subscribe(A.ws, 'periods');
      A.ws.destroy();
      const d = await createPeriod(mod.ws, { title: 'Luonnos' });
      ok(await mod.ws.request({ type: 'period.update', period_id: d.id, title: 'Luonnos 2' }));
      const u = await createPeriod(mod.ws);
      ok(await mod.ws.request({ type: 'period.announce', period_id: u.id }));
      await reconnect(srv, A);
      const r = await subscribe(A.ws, 'periods', { since: s.seq });
      const ids = r.events.map((e) => e.data.id);
      assert.ok(ids.includes(u.id), `the announced period ${u.id} is in ${ids}`);
      assert.ok(!ids.includes(d.id), `the draft ${d.id} was sent to a member`);
      for (const e of r.events) assert.notEqual(e.data.status, 'draft');
    });

    test('a since at or past the channel\'s latest seq gives no events', async () => {
      await fresh(A);
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const s = await subscribe(A.ws, `topic:${topic.id}`);
      const r = await subscribe(A.ws, `topic:${topic.id}`, { since: s.seq + 1000000 });
      assert.deepEqual(r.events ?? [], []);
      const r0 = await subscribe(A.ws, `topic:${topic.id}`, { since: 0 });
      assert.ok(r0.events.some((e) => e.data.id === topic.opening_post_id), 'since 0 brings everything (one opening post)');
    });
  });
});

describe('live at shutdown', () => {
  test('the server exits cleanly (no leaks) with subscribed connections and a viewers update pending', async () => {
    const srv = await start();
    let done = false;
    try {
      const mod = await moderator(srv);
      const a = await member(srv);
      const b = await member(srv);
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      await createPeriod(mod.ws, { status: 'upcoming', starts_at: new Date(Date.now() + 3600e3).toISOString() }); // a pending timer
      for (const w of [a, b, mod]) {
        await subscribe(w.ws, 'periods');
        await subscribe(w.ws, `period:${p.id}`);
        await subscribe(w.ws, `topic:${topic.id}`);
      }
      await createPost(a.ws, topic.id, 'Viimeinen');
      done = true;
      await stopClean(srv); // connections still open
      for (const w of [a, b, mod]) assert.equal((await w.ws.waitClosed({ timeout: 5000 })).code, 1001);
    } finally { if (!done) await srv.stop(); }
  });
});
