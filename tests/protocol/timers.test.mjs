// Period timers: an upcoming period opens by itself at starts_at and an open
// one closes by itself at ends_at; moving the times reschedules; drafts never
// open by themselves. Subscribers see the changes live. The tests run
// concurrently and wait on events (a few seconds in all).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, assertError, sleep } from './helpers.mjs';
import {
  ok, at, HOUR, member, moderator, createPeriod, createTopic, createPost, nextEvent, subscribe, pipeline, stopClean,
} from './discuss.mjs';

describe('period timers', { concurrency: true }, () => {
  let srv;
  let mod;
  before(async () => { srv = await start(); mod = await moderator(srv); });
  after(async () => { mod?.ws.destroy(); await stopClean(srv); });

  const statusIs = (id, status) => (e) => e.data?.id === id && e.data?.status === status;

  test('opens at starts_at and closes at ends_at by itself; periods and period:<id> subscribers see both', async () => {
    const m = await member(srv);
    try {
      await subscribe(m.ws, 'periods');
      const p = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(1500), ends_at: at(3500) });
      assert.equal(p.status, 'upcoming');
      const { topic } = await createTopic(mod.ws, p.id);
      await subscribe(m.ws, `period:${p.id}`);
      const opened = await nextEvent(m.ws, `period:${p.id}`, 'period.changed', statusIs(p.id, 'open'), { timeout: 8000 });
      await nextEvent(m.ws, 'periods', 'period.changed', statusIs(p.id, 'open'), { timeout: 3000 });
      assert.equal(opened.data.starts_at, p.starts_at, 'opening by the timer keeps starts_at');
      // open now: a member can post (the period stays open until ends_at)
      const got = await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Heti kun aukesi' });
      if (!got.ok) assertError(got, 'period_closed'); // only if the close already happened
      const closed = await nextEvent(m.ws, `period:${p.id}`, 'period.changed', statusIs(p.id, 'closed'), { timeout: 8000 });
      await nextEvent(m.ws, 'periods', 'period.changed', statusIs(p.id, 'closed'), { timeout: 3000 });
      assert.equal(closed.data.ends_at, p.ends_at, 'closing by the timer keeps ends_at');
      assert.equal(ok(await m.ws.request({ type: 'period.get', period_id: p.id })).period.status, 'closed');
      assertError(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Myöhässä' }), 'period_closed');
    } finally { m.ws.destroy(); }
  });

  test('period.update moving starts_at and ends_at closer reschedules both timers', async () => {
    const m = await member(srv);
    try {
      const p = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(HOUR), ends_at: at(2 * HOUR) });
      await subscribe(m.ws, `period:${p.id}`);
      const u = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, starts_at: at(1500), ends_at: at(3000) })).period;
      assert.equal(u.status, 'upcoming');
      await nextEvent(m.ws, `period:${p.id}`, 'period.changed', statusIs(p.id, 'open'), { timeout: 8000 });
      await nextEvent(m.ws, `period:${p.id}`, 'period.changed', statusIs(p.id, 'closed'), { timeout: 8000 });
    } finally { m.ws.destroy(); }
  });

  test('a period whose ends_at was moved later does not close at the old time', async () => {
    const m = await member(srv);
    try {
      await subscribe(m.ws, 'periods');
      const x = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(1500) });
      const y = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(2500) });
      assert.equal(x.status, 'open');
      ok(await mod.ws.request({ type: 'period.update', period_id: x.id, ends_at: at(HOUR) }));
      await nextEvent(m.ws, 'periods', 'period.changed', statusIs(y.id, 'closed'), { timeout: 8000 });
      assert.equal(ok(await m.ws.request({ type: 'period.get', period_id: x.id })).period.status, 'open', 'x closed at its old ends_at');
      const { topic } = await createTopic(mod.ws, x.id);
      await createPost(m.ws, topic.id, 'Yhä auki');
    } finally { m.ws.destroy(); }
  });

  // Regression (found by this test): periods changed by one timer run shared
  // one seq, so a client that saw the first event and reconnected with that
  // seq as since never heard about the others.
  test('periods opened by the same timer run get distinct, growing seqs, and a since between them catches up the rest', async () => {
    const m = await member(srv);
    try {
      await subscribe(m.ws, 'periods');
      const startsAt = at(1500);
      const rs = await pipeline(mod.ws, [0, 1, 2].map((i) => ({
        type: 'period.create', title: `Samaan aikaan ${i}`, description: 'x', starts_at: startsAt, ends_at: at(HOUR), status: 'upcoming',
      })));
      const ids = rs.map((r) => ok(r).period.id);
      const evs = [];
      for (let i = 0; i < 3; i++) {
        evs.push(await nextEvent(m.ws, 'periods', 'period.changed', (x) => ids.includes(x.data.id) && x.data.status === 'open', { timeout: 8000 }));
      }
      const seqs = evs.map((e) => e.seq);
      const since = seqs[0];
      // a client that saw only the first of them reconnects with its seq
      const r = await subscribe(m.ws, 'periods', { since });
      const caught = new Set((r.events || []).map((e) => e.data.id));
      for (const e of evs.slice(1)) {
        assert.ok(caught.has(e.data.id), `period ${e.data.id} opened after seq ${since} but catch-up from it does not bring it; event seqs ${JSON.stringify(seqs)}`);
      }
      assert.ok(seqs[1] > seqs[0] && seqs[2] > seqs[1], `seq must grow within a channel: ${JSON.stringify(seqs)}`);
    } finally { m.ws.destroy(); }
  });

  test('70 periods due at the same moment all open (more than one batch)', async () => {
    const m = await member(srv);
    try {
      await subscribe(m.ws, 'periods');
      const startsAt = at(2000);
      const rs = await pipeline(mod.ws, Array.from({ length: 70 }, (_, i) => ({
        type: 'period.create', title: `Yhtä aikaa ${i}`, description: 'x', starts_at: startsAt, ends_at: at(HOUR), status: 'upcoming',
      })));
      const ids = new Set(rs.map((r) => ok(r).period.id));
      const opened = new Set();
      while (opened.size < ids.size) {
        const e = await nextEvent(m.ws, 'periods', 'period.changed', (x) => ids.has(x.data.id) && x.data.status === 'open' && !opened.has(x.data.id), { timeout: 8000 });
        opened.add(e.data.id);
      }
      const l = ok(await m.ws.request({ type: 'period.list' }));
      for (const id of ids) assert.ok(l.open.some((x) => x.id === id), `period ${id} is open`);
    } finally { m.ws.destroy(); }
  });

  test('a draft whose ends_at has passed cannot be announced or opened (an error, and it stays a draft)', async () => {
    const d = await createPeriod(mod.ws, { starts_at: at(-HOUR), ends_at: at(800) });
    const d2 = await createPeriod(mod.ws, { starts_at: at(500), ends_at: at(800) });
    await sleep(Date.parse(d.ends_at) - Date.now() + 100); // the clock passes ends_at
    for (const [type, id] of [['period.open', d.id], ['period.announce', d.id], ['period.announce', d2.id], ['period.open', d2.id]]) {
      const r = await mod.ws.request({ type, period_id: id });
      assert.equal(r.ok, false, `${type} of a draft past its end: ${JSON.stringify(r)}`);
      assert.ok(['invalid_field', 'conflict'].includes(r.error.code), JSON.stringify(r));
    }
    for (const id of [d.id, d2.id]) assert.equal(ok(await mod.ws.request({ type: 'period.get', period_id: id })).period.status, 'draft');
    // moving ends_at makes it usable again
    ok(await mod.ws.request({ type: 'period.update', period_id: d.id, ends_at: at(HOUR) }));
    assert.equal(ok(await mod.ws.request({ type: 'period.open', period_id: d.id })).period.status, 'open');
  });

  test('a draft never opens by itself; announcing it starts its timer', async () => {
    const m = await member(srv);
    try {
      await subscribe(m.ws, 'periods');
      const d = await createPeriod(mod.ws, { starts_at: at(1000), ends_at: at(HOUR) });
      const a = await createPeriod(mod.ws, { starts_at: at(1500), ends_at: at(HOUR) });
      ok(await mod.ws.request({ type: 'period.announce', period_id: a.id }));
      await nextEvent(m.ws, 'periods', 'period.changed', statusIs(a.id, 'open'), { timeout: 8000 });
      assert.equal(ok(await mod.ws.request({ type: 'period.get', period_id: d.id })).period.status, 'draft');
      assertError(await m.ws.request({ type: 'period.get', period_id: d.id }), 'not_found');
    } finally { m.ws.destroy(); }
  });

  test('a period closed by hand before its ends_at is not changed again by the timer', async () => {
    const m = await member(srv);
    try {
      const p = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(1500) });
      const ref = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(2500) });
      const c = ok(await mod.ws.request({ type: 'period.close', period_id: p.id })).period;
      await subscribe(m.ws, 'periods');
      await nextEvent(m.ws, 'periods', 'period.changed', statusIs(ref.id, 'closed'), { timeout: 8000 });
      const g = ok(await m.ws.request({ type: 'period.get', period_id: p.id })).period;
      assert.equal(g.status, 'closed');
      assert.equal(g.ends_at, c.ends_at, 'ends_at stays the time it was closed');
      assert.equal(g.seq, c.seq, 'the timer did not touch it');
      assert.ok(!m.ws.received.some((x) => x.json?.type === 'event' && x.json.data?.id === p.id), 'no event for the already closed period');
    } finally { m.ws.destroy(); }
  });
});
