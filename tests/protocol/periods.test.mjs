// Activity periods: period.create / update / announce / open / close,
// period.get and period.list, the status machine, who may do what, and bad
// input for each (docs/protocol.md, "Activity periods and discussions").
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, getConfig, openWs, assertError } from './helpers.mjs';
import {
  ok, at, DAY, HOUR, member, moderator, setRole, reconnect, createPeriodRaw, createPeriod, openPeriod, createTopic,
  assertPeriod, snapshot, snapshotRun, stopClean,
} from './discuss.mjs';

// Every message of the new sections, with a body that would otherwise pass.
export const NEW_TYPES = ['period.list', 'period.get', 'period.create', 'period.update', 'period.announce',
  'period.open', 'period.close', 'period.participation', 'topic.create', 'topic.get', 'post.list', 'topic.read',
  'post.create', 'post.edit', 'post.delete', 'post.versions', 'reaction.add', 'reaction.remove', 'subscribe'];

describe('periods', () => {
  let srv;
  let cfg;
  let mod;
  let mem;
  before(async () => {
    srv = await start();
    cfg = await getConfig(srv);
    mod = await moderator(srv);
    mem = await member(srv, { display_name: 'Maija' });
  });
  after(async () => { mod?.ws.destroy(); mem?.ws.destroy(); await stopClean(srv); });

  async function now(ws = mod.ws) { return ok(await ws.request({ type: 'ping' })).now; }

  describe('period.create', () => {
    test('a draft with only the required fields: defaults, rendered description, times with milliseconds', async () => {
      const startsDay = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
      const endsDay = new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10);
      const before = await now();
      const r = ok(await mod.ws.request({
        type: 'period.create', title: 'Hyvä potilasohje',
        description: 'Mikä tekee potilasohjeesta **hyvän**?',
        starts_at: `${startsDay}T07:00:00Z`, ends_at: `${endsDay}T20:00:00.000Z`,
      }));
      const p = assertPeriod(r.period);
      assert.equal(p.title, 'Hyvä potilasohje');
      assert.equal(p.description, 'Mikä tekee potilasohjeesta **hyvän**?');
      assert.equal(p.description_html, '<p>Mikä tekee potilasohjeesta <strong>hyvän</strong>?</p>\n');
      assert.equal(p.prematerial, '');
      assert.equal(p.prematerial_html, '');
      assert.equal(p.starts_at, `${startsDay}T07:00:00.000Z`, 'a time without milliseconds comes back with .000');
      assert.equal(p.ends_at, `${endsDay}T20:00:00.000Z`);
      assert.equal(p.status, 'draft');
      assert.equal(p.members_may_open_topics, false);
      assert.deepEqual(p.interest_areas, []);
      assert.equal(p.topic_count, 0);
      assert.equal(p.post_count, 0);
      assert.equal(p.participant_count, 0);
      assert.ok(p.created_at >= before && p.created_at <= await now(), `created_at ${p.created_at} is now`);
      const g = ok(await mod.ws.request({ type: 'period.get', period_id: p.id }));
      assert.deepEqual(g.period, p, 'period.get returns what period.create returned');
      assert.deepEqual(g.topics, []);
    });

    test('every optional field; status upcoming', async () => {
      const areas = cfg.interest_areas.slice(0, 2).map((a) => a.id);
      const p = assertPeriod(await createPeriod(mod.ws, {
        prematerial: 'Lue ennen jaksoa: *ohje*', interest_areas: areas,
        members_may_open_topics: true, status: 'upcoming',
      }));
      assert.equal(p.status, 'upcoming');
      assert.equal(p.prematerial, 'Lue ennen jaksoa: *ohje*');
      assert.equal(p.prematerial_html, '<p>Lue ennen jaksoa: <em>ohje</em></p>\n');
      assert.deepEqual([...p.interest_areas].sort(), [...areas].sort());
      assert.equal(p.members_may_open_topics, true);
    });

    test('status upcoming with starts_at already passed opens at once and the reply says open', async () => {
      const p = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(DAY) });
      assert.equal(p.status, 'open');
      const g = ok(await mem.ws.request({ type: 'period.get', period_id: p.id }));
      assert.equal(g.period.status, 'open');
    });

    test('status draft with starts_at passed stays a draft', async () => {
      const p = await createPeriod(mod.ws, { status: 'draft', starts_at: at(-HOUR), ends_at: at(DAY) });
      assert.equal(p.status, 'draft');
    });

    test('a title of 200 characters (ä, two bytes each) and a description of 20,000 are accepted', async () => {
      const p = await createPeriod(mod.ws, { title: 'ä'.repeat(200), description: 'd'.repeat(20000), prematerial: 'p'.repeat(20000) });
      assert.equal([...p.title].length, 200);
      assert.equal(p.description.length, 20000);
      assert.equal(p.prematerial.length, 20000);
    });

    test('white space around a title does not count toward its length', async () => {
      const p = await createPeriod(mod.ws, { title: `   ${'t'.repeat(200)}  \n` });
      assert.equal(p.title.trim(), 't'.repeat(200));
    });

    test('an admin may create a period too', async () => {
      const adm = await moderator(srv, { role: 'admin', display_name: 'Ylläpitäjä' });
      try {
        const p = await createPeriod(adm.ws);
        assert.equal(p.status, 'draft');
        const l = ok(await adm.ws.request({ type: 'period.list' }));
        assert.ok(l.drafts.some((d) => d.id === p.id), 'an admin sees drafts');
      } finally { adm.ws.destroy(); }
    });
  });

  describe('drafts are for moderators', () => {
    test('a member gets not_found for a draft and never sees it in period.list, which has no drafts', async () => {
      const p = await createPeriod(mod.ws);
      assertError(await mem.ws.request({ type: 'period.get', period_id: p.id }), 'not_found');
      const l = ok(await mem.ws.request({ type: 'period.list' }));
      assert.ok(!('drafts' in l), `a member's period.list must not have drafts: ${Object.keys(l)}`);
      for (const k of ['open', 'upcoming', 'past']) {
        assert.ok(Array.isArray(l[k]), `period.list.${k}`);
        assert.ok(!l[k].some((x) => x.id === p.id), `the draft is in ${k}`);
        for (const x of l[k]) assert.notEqual(x.status, 'draft');
      }
      const ml = ok(await mod.ws.request({ type: 'period.list' }));
      assert.ok(ml.drafts.some((x) => x.id === p.id), 'the moderator sees the draft');
      for (const x of ml.drafts) assert.equal(x.status, 'draft');
    });

    test('topics prepared in a draft are not visible to a member (not_found)', async () => {
      const p = await createPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      assertError(await mem.ws.request({ type: 'topic.get', topic_id: topic.id }), 'not_found');
      assertError(await mem.ws.request({ type: 'post.list', topic_id: topic.id, after: topic.opening_post_id }), 'not_found');
    });
  });

  describe('status changes', () => {
    test('announce: draft → upcoming; the member now sees it; announcing again → conflict', async () => {
      const p = await createPeriod(mod.ws);
      const r = ok(await mod.ws.request({ type: 'period.announce', period_id: p.id }));
      assertPeriod(r.period);
      assert.equal(r.period.status, 'upcoming');
      assert.equal(r.period.starts_at, p.starts_at, 'announcing keeps starts_at');
      assert.ok(r.period.seq > p.seq, `seq grows: ${p.seq} → ${r.period.seq}`);
      const g = ok(await mem.ws.request({ type: 'period.get', period_id: p.id }));
      assert.equal(g.period.status, 'upcoming');
      assert.ok(ok(await mem.ws.request({ type: 'period.list' })).upcoming.some((x) => x.id === p.id));
      assertError(await mod.ws.request({ type: 'period.announce', period_id: p.id }), 'conflict');
    });

    test('announce with starts_at passed → open', async () => {
      const p = await createPeriod(mod.ws, { starts_at: at(-HOUR), ends_at: at(DAY) });
      const r = ok(await mod.ws.request({ type: 'period.announce', period_id: p.id }));
      assert.equal(r.period.status, 'open');
    });

    test('open from a draft: open now, starts_at becomes now', async () => {
      const p = await createPeriod(mod.ws);
      const t0 = await now();
      const r = ok(await mod.ws.request({ type: 'period.open', period_id: p.id }));
      const t1 = await now();
      assert.equal(r.period.status, 'open');
      assert.ok(r.period.starts_at >= t0 && r.period.starts_at <= t1, `starts_at ${r.period.starts_at} between ${t0} and ${t1}`);
      assert.equal(r.period.ends_at, p.ends_at);
      assertError(await mod.ws.request({ type: 'period.open', period_id: p.id }), 'conflict');
      assertError(await mod.ws.request({ type: 'period.announce', period_id: p.id }), 'conflict');
    });

    test('open from upcoming', async () => {
      const p = await createPeriod(mod.ws, { status: 'upcoming' });
      const r = ok(await mod.ws.request({ type: 'period.open', period_id: p.id }));
      assert.equal(r.period.status, 'open');
      assert.ok(r.period.starts_at < p.starts_at);
    });

    test('close: open → closed, ends_at becomes now; then close, open, announce → conflict', async () => {
      const p = await openPeriod(mod.ws);
      const t0 = await now();
      const r = ok(await mod.ws.request({ type: 'period.close', period_id: p.id }));
      const t1 = await now();
      assert.equal(r.period.status, 'closed');
      assert.ok(r.period.ends_at >= t0 && r.period.ends_at <= t1, `ends_at ${r.period.ends_at} between ${t0} and ${t1}`);
      for (const type of ['period.close', 'period.open', 'period.announce']) {
        assertError(await mod.ws.request({ type, period_id: p.id }), 'conflict');
      }
      assert.equal(ok(await mem.ws.request({ type: 'period.get', period_id: p.id })).period.status, 'closed');
      assert.ok(ok(await mem.ws.request({ type: 'period.list' })).past.some((x) => x.id === p.id));
    });

    test('closing a draft or an upcoming period → conflict', async () => {
      const d = await createPeriod(mod.ws);
      assertError(await mod.ws.request({ type: 'period.close', period_id: d.id }), 'conflict');
      const u = await createPeriod(mod.ws, { status: 'upcoming' });
      assertError(await mod.ws.request({ type: 'period.close', period_id: u.id }), 'conflict');
      assert.equal(ok(await mod.ws.request({ type: 'period.get', period_id: d.id })).period.status, 'draft');
      assert.equal(ok(await mod.ws.request({ type: 'period.get', period_id: u.id })).period.status, 'upcoming');
    });
  });

  describe('period.update', () => {
    test('changes the fields sent, keeps the rest, re-renders markdown, seq grows', async () => {
      const p = await createPeriod(mod.ws, { prematerial: 'vanha', interest_areas: [cfg.interest_areas[0].id] });
      const newEnds = at(40 * DAY);
      const r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, description: '# Uusi\n\n_kuvaus_', ends_at: newEnds }));
      assertPeriod(r.period);
      assert.equal(r.period.description, '# Uusi\n\n_kuvaus_');
      assert.equal(r.period.description_html, '<h3>Uusi</h3>\n<p><em>kuvaus</em></p>\n');
      assert.equal(r.period.ends_at, newEnds);
      for (const k of ['title', 'prematerial', 'prematerial_html', 'starts_at', 'status', 'members_may_open_topics', 'interest_areas', 'created_at']) {
        assert.deepEqual(r.period[k], p[k], `${k} must stay`);
      }
      assert.ok(r.period.seq > p.seq);
      assert.deepEqual(ok(await mod.ws.request({ type: 'period.get', period_id: p.id })).period, r.period);
    });

    test('interest_areas and members_may_open_topics can be changed; [] clears the areas', async () => {
      const p = await createPeriod(mod.ws, { interest_areas: [cfg.interest_areas[0].id] });
      let r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, interest_areas: [], members_may_open_topics: true }));
      assert.deepEqual(r.period.interest_areas, []);
      assert.equal(r.period.members_may_open_topics, true);
      r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, interest_areas: [cfg.interest_areas.at(-1).id] }));
      assert.deepEqual(r.period.interest_areas, [cfg.interest_areas.at(-1).id]);
    });

    test('a field sent as null stays as it was (null counts as absent)', async () => {
      const p = await createPeriod(mod.ws, { prematerial: 'pysyy' });
      const r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, title: null, prematerial: null, interest_areas: null }));
      assert.equal(r.period.title, p.title);
      assert.equal(r.period.prematerial, 'pysyy');
    });

    test('an update cannot change status', async () => {
      const p = await createPeriod(mod.ws);
      const r = await mod.ws.request({ type: 'period.update', period_id: p.id, status: 'open' });
      if (!r.ok) assertError(r, 'invalid_field', 'status');
      assert.equal(ok(await mod.ws.request({ type: 'period.get', period_id: p.id })).period.status, 'draft');
    });

    test('moving ends_at of an open period into the past closes it', async () => {
      const p = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-2 * HOUR), ends_at: at(DAY) });
      assert.equal(p.status, 'open');
      const r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, ends_at: at(-HOUR) }));
      assert.equal(r.period.status, 'closed');
      assert.equal(ok(await mem.ws.request({ type: 'period.get', period_id: p.id })).period.status, 'closed');
    });

    test('moving starts_at of an upcoming period into the past opens it', async () => {
      const p = await createPeriod(mod.ws, { status: 'upcoming' });
      const r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, starts_at: at(-HOUR) }));
      assert.equal(r.period.status, 'open');
    });

    test('moving starts_at of a draft into the past keeps it a draft', async () => {
      const p = await createPeriod(mod.ws);
      const r = ok(await mod.ws.request({ type: 'period.update', period_id: p.id, starts_at: at(-HOUR) }));
      assert.equal(r.period.status, 'draft');
    });

    test('a closed period cannot be changed → period_closed, nothing written', async () => {
      const p = await openPeriod(mod.ws);
      ok(await mod.ws.request({ type: 'period.close', period_id: p.id }));
      const before = snapshot(srv.db);
      assertError(await mod.ws.request({ type: 'period.update', period_id: p.id, title: 'Muutettu' }), 'period_closed');
      assert.equal(snapshot(srv.db), before);
    });

    test('ends_at before the stored starts_at → invalid_field (ends_at); starts_at after the stored ends_at → invalid_field', async () => {
      const p = await createPeriod(mod.ws, { starts_at: at(2 * DAY), ends_at: at(4 * DAY) });
      const before = snapshot(srv.db);
      assertError(await mod.ws.request({ type: 'period.update', period_id: p.id, ends_at: at(DAY) }), 'invalid_field', 'ends_at');
      const e = assertError(await mod.ws.request({ type: 'period.update', period_id: p.id, starts_at: at(5 * DAY) }), 'invalid_field');
      assert.ok(['starts_at', 'ends_at'].includes(e.field), `field ${e.field}`);
      assert.equal(snapshot(srv.db), before);
    });
  });

  describe('period.list and period.get', () => {
    test('groups by status, each ordered as documented, each period with mine', async () => {
      // a few of each, with shuffled dates
      const made = new Set();
      for (const d of [5, 2, 9]) made.add((await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(d * DAY), ends_at: at((d + 10) * DAY) })).id);
      for (const d of [7, 3, 11]) made.add((await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(d * DAY) })).id);
      for (let i = 0; i < 3; i++) {
        const p = await openPeriod(mod.ws);
        made.add(p.id);
        ok(await mod.ws.request({ type: 'period.close', period_id: p.id }));
      }
      const l = ok(await mem.ws.request({ type: 'period.list' }));
      const sortedBy = (arr, key, dir) => arr.every((x, i) => i === 0 || (dir > 0 ? arr[i - 1][key] <= x[key] : arr[i - 1][key] >= x[key]));
      assert.ok(l.open.length >= 3 && l.upcoming.length >= 3 && l.past.length >= 3);
      // summaries: the period without its texts
      for (const x of l.open) { assertPeriod(x, { summary: true }); assert.equal(x.status, 'open'); }
      for (const x of l.upcoming) { assertPeriod(x, { summary: true }); assert.equal(x.status, 'upcoming'); }
      for (const x of l.past) { assertPeriod(x, { summary: true }); assert.equal(x.status, 'closed'); }
      for (const x of ok(await mod.ws.request({ type: 'period.list' })).drafts) { assertPeriod(x, { summary: true }); assert.equal(x.status, 'draft'); }
      assert.ok(sortedBy(l.open, 'ends_at', 1), `open by ends_at: ${l.open.map((x) => x.ends_at)}`);
      assert.ok(sortedBy(l.upcoming, 'starts_at', 1), `upcoming by starts_at: ${l.upcoming.map((x) => x.starts_at)}`);
      assert.ok(sortedBy(l.past, 'ends_at', -1), `past newest first: ${l.past.map((x) => x.ends_at)}`);
      for (const x of [...l.open, ...l.upcoming, ...l.past]) {
        assert.ok(x.mine && Number.isInteger(x.mine.posts) && Number.isInteger(x.mine.reactions), `mine of period ${x.id}: ${JSON.stringify(x.mine)}`);
        if (made.has(x.id)) assert.deepEqual(x.mine, { posts: 0, reactions: 0, votes: 0, responses: 0 });
      }
      assert.equal([...l.open, ...l.upcoming, ...l.past].filter((x) => made.has(x.id)).length, 9);
    });

    test('period.get of an open period: period, topics (newest last post first, with unread), mine', async () => {
      const p = await openPeriod(mod.ws);
      const t1 = await createTopic(mod.ws, p.id, { title: 'Ensimmäinen' });
      const t2 = await createTopic(mod.ws, p.id, { title: 'Toinen' });
      const t3 = await createTopic(mod.ws, p.id, { title: 'Kolmas' });
      // a post in the first makes it the newest
      ok(await mem.ws.request({ type: 'post.create', topic_id: t1.topic.id, body: 'Uusin' }));
      const g = ok(await mem.ws.request({ type: 'period.get', period_id: p.id }));
      assertPeriod(g.period);
      assert.equal(g.period.topic_count, 3);
      assert.deepEqual(g.topics.map((t) => t.id), [t1.topic.id, t3.topic.id, t2.topic.id]);
      for (const t of g.topics) assert.ok(Number.isInteger(t.unread), `unread in ${JSON.stringify(t)}`);
      assert.deepEqual(g.mine, { posts: 1, reactions: 0, votes: 0, responses: 0 });
    });

    test('period.get of an unknown period → not_found', async () => {
      assertError(await mem.ws.request({ type: 'period.get', period_id: 987654321 }), 'not_found');
    });
  });

  describe('a member may not manage periods', () => {
    test('create → forbidden, nothing written', async () => {
      const before = snapshot(srv.db);
      const r = await createPeriodRaw(mem.ws);
      assertError(r, 'forbidden');
      assert.equal(snapshot(srv.db), before);
    });

    test('update, announce, open, close and participation of a period the member can see → forbidden', async () => {
      const up = await createPeriod(mod.ws, { status: 'upcoming' });
      const open = await openPeriod(mod.ws);
      const before = snapshot(srv.db);
      assertError(await mem.ws.request({ type: 'period.update', period_id: up.id, title: 'Kaapattu' }), 'forbidden');
      assertError(await mem.ws.request({ type: 'period.update', period_id: open.id, title: 'Kaapattu' }), 'forbidden');
      assertError(await mem.ws.request({ type: 'period.open', period_id: up.id }), 'forbidden');
      assertError(await mem.ws.request({ type: 'period.close', period_id: open.id }), 'forbidden');
      assertError(await mem.ws.request({ type: 'period.participation', period_id: open.id }), 'forbidden');
      assert.equal(snapshot(srv.db), before);
    });

    test('the same on a draft → forbidden or not_found, never a change', async () => {
      const d = await createPeriod(mod.ws);
      const before = snapshot(srv.db);
      for (const [type, extra] of [['period.update', { title: 'Kaapattu' }], ['period.announce', {}], ['period.open', {}],
        ['period.close', {}], ['period.participation', {}]]) {
        const r = await mem.ws.request({ type, period_id: d.id, ...extra });
        assert.equal(r.ok, false, `${type} on a draft by a member: ${JSON.stringify(r)}`);
        assert.ok(['forbidden', 'not_found'].includes(r.error.code), `${type}: ${JSON.stringify(r)}`);
      }
      assert.equal(snapshot(srv.db), before);
    });

    test('a member made moderator can, after reconnecting', async () => {
      const m = await member(srv);
      try {
        assertError(await createPeriodRaw(m.ws), 'forbidden');
        await setRole(srv, m.email, 'moderator');
        await reconnect(srv, m);
        assert.equal(m.hello.member.role, 'moderator');
        const p = await createPeriod(m.ws);
        assert.equal(p.status, 'draft');
      } finally { m.ws.destroy(); }
    });
  });

  describe('anonymous', () => {
    for (const type of NEW_TYPES) {
      test(`${type} → unauthenticated`, async () => {
        const { ws } = await openWs(srv);
        try {
          const full = {
            period_id: 1, topic_id: 1, post_id: 1, title: 'x', description: 'x', body: 'x', after: 1,
            starts_at: at(DAY), ends_at: at(2 * DAY), reaction: 'agree', channel: 'periods',
          };
          assertError(await ws.request({ type, ...full }), 'unauthenticated');
          assertError(await ws.request({ type }), 'unauthenticated');
          assert.equal((await ws.request({ type: 'ping' })).ok, true);
        } finally { ws.destroy(); }
      });
    }
  });

  describe('bad input', () => {
    const run = snapshotRun(() => srv.db);
    const f = () => at(2 * DAY); // a future time
    const fd = () => new Date(Date.now() + 2 * DAY);
    const iso = (d) => d.toISOString();
    const createCases = [
      ['title', undefined, 'missing_field'],
      ['description', undefined, 'missing_field'],
      ['starts_at', undefined, 'missing_field'],
      ['ends_at', undefined, 'missing_field'],
      ['title', 5, 'invalid_field'],
      ['title', null, 'missing_field'], // null counts as absent, as everywhere in the protocol
      ['title', ['x'], 'invalid_field'],
      ['title', { fi: 'x' }, 'invalid_field'],
      ['title', true, 'invalid_field'],
      ['title', '', 'invalid_field'],
      ['title', '   \n\t ', 'invalid_field'],
      ['title', 'x'.repeat(201), 'too_long', 200],
      ['title', 'ä'.repeat(201), 'too_long', 200],
      ['description', 5, 'invalid_field'],
      ['description', null, 'missing_field'],
      ['description', '', 'invalid_field'],
      ['description', '  \n ', 'invalid_field'],
      ['description', 'x'.repeat(20001), 'too_long', 20000],
      ['prematerial', 5, 'invalid_field'],
      ['prematerial', ['x'], 'invalid_field'],
      ['prematerial', 'x'.repeat(20001), 'too_long', 20000],
      ['starts_at', 'huomenna', 'invalid_field'],
      ['starts_at', () => iso(fd()).slice(0, 10), 'invalid_field'],
      ['starts_at', () => iso(fd()).replace('Z', ''), 'invalid_field'],
      ['starts_at', () => iso(fd()).replace('Z', '+02:00'), 'invalid_field'],
      ['starts_at', () => iso(fd()).replace('T', ' '), 'invalid_field'],
      ['starts_at', `${new Date().getUTCFullYear() + 1}-13-01T00:00:00Z`, 'invalid_field'],
      ['starts_at', `${new Date().getUTCFullYear() + 1}-02-30T00:00:00Z`, 'invalid_field'],
      ['starts_at', `${new Date().getUTCFullYear() + 1}-06-01T25:00:00Z`, 'invalid_field'],
      ['starts_at', `${new Date().getUTCFullYear() + 1}-06-01T12:60:00Z`, 'invalid_field'],
      ['starts_at', () => Date.now() + DAY, 'invalid_field'],
      ['starts_at', null, 'missing_field'],
      ['starts_at', '', 'invalid_field'],
      ['ends_at', 'ensi kuussa', 'invalid_field'],
      ['ends_at', () => at(DAY), 'invalid_field'], // before starts_at (2 days)
      ['ends_at', f, 'invalid_field'], // equal to starts_at, to the millisecond
      ['interest_areas', 'digipalvelut', 'invalid_field'],
      ['interest_areas', ['ei-tallaista-aluetta'], 'invalid_field'],
      ['interest_areas', [1], 'invalid_field'],
      ['interest_areas', () => [cfg.interest_areas[0].id, cfg.interest_areas[0].id], 'invalid_field'],
      ['interest_areas', { a: 1 }, 'invalid_field'],
      ['members_may_open_topics', 'true', 'invalid_field'],
      ['members_may_open_topics', 1, 'invalid_field'],
      ['status', 'open', 'invalid_field'],
      ['status', 'closed', 'invalid_field'],
      ['status', 'DRAFT', 'invalid_field'],
      ['status', 5, 'invalid_field'],
    ];
    for (const [field, value, code, limit] of createCases) {
      const shown = typeof value === 'function' ? String(value).replace(/^\(\) => /, '') : JSON.stringify(value);
      test(`period.create ${field}: ${String(shown).slice(0, 40)} → ${code} (field ${field}), nothing written`, async () => {
        const starts = f();
        const body = { type: 'period.create', title: 'Ei tallennu', description: 'kuvaus', starts_at: starts, ends_at: at(10 * DAY) };
        if (value === undefined) delete body[field];
        else body[field] = typeof value === 'function' ? value() : value;
        if (field === 'ends_at' && value === f) body.ends_at = starts;
        const before = run.before();
        const err = assertError(await mod.ws.request(body), code, field);
        if (limit !== undefined) assert.equal(err.limit, limit, `limit in ${JSON.stringify(err)}`);
        assert.equal(run.after(), before, 'a refused period.create wrote something');
        assert.equal((await mod.ws.request({ type: 'ping' })).ok, true);
      });
    }

    test('period.create with ends_at in the past (after a past starts_at) → invalid_field (ends_at)', async () => {
      run.reset();
      const before = snapshot(srv.db);
      assertError(await createPeriodRaw(mod.ws, { starts_at: at(-2 * DAY), ends_at: at(-DAY) }), 'invalid_field', 'ends_at');
      assert.equal(snapshot(srv.db), before);
    });

    test('period.create accepts a leap day and a time without milliseconds', async () => {
      run.reset();
      let y = new Date().getUTCFullYear() + 1;
      while (!((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) y += 1;
      const p = await createPeriod(mod.ws, { starts_at: `${y}-02-29T10:00:00Z`, ends_at: `${y}-03-01T10:00:00.500Z` });
      assert.equal(p.starts_at, `${y}-02-29T10:00:00.000Z`);
      assert.equal(p.ends_at, `${y}-03-01T10:00:00.500Z`);
    });

    const idCases = [
      [undefined, 'missing_field'],
      ['1', 'invalid_field'],
      [1.5, 'invalid_field'],
      [null, 'missing_field'],
      [[1], 'invalid_field'],
      [{ id: 1 }, 'invalid_field'],
      [true, 'invalid_field'],
      [987654321, 'not_found'],
    ];
    for (const type of ['period.get', 'period.update', 'period.announce', 'period.open', 'period.close', 'period.participation']) {
      for (const [value, code] of idCases) {
        test(`${type} period_id ${JSON.stringify(value) ?? 'missing'} → ${code}`, async () => {
          const body = { type, title: 'Ei tallennu' };
          if (value !== undefined) body.period_id = value;
          const before = run.before();
          const err = assertError(await mod.ws.request(body), code);
          if (code !== 'not_found') assert.equal(err.field, 'period_id', JSON.stringify(err));
          assert.equal(run.after(), before);
          assert.equal((await mod.ws.request({ type: 'ping' })).ok, true);
        });
      }
    }

    test('period_id 0 and -1 → not_found or invalid_field', async () => {
      for (const v of [0, -1]) {
        const r = await mod.ws.request({ type: 'period.get', period_id: v });
        assert.equal(r.ok, false);
        assert.ok(['not_found', 'invalid_field'].includes(r.error.code), JSON.stringify(r));
      }
    });

    const updateCases = [
      ['title', '', 'invalid_field'],
      ['title', 7, 'invalid_field'],
      ['title', 'x'.repeat(201), 'too_long', 200],
      ['description', '  ', 'invalid_field'],
      ['description', 'x'.repeat(20001), 'too_long', 20000],
      ['prematerial', 'x'.repeat(20001), 'too_long', 20000],
      ['starts_at', 'ylihuomenna', 'invalid_field'],
      ['ends_at', '2026-11-17T07:00:00+02:00', 'invalid_field'],
      ['interest_areas', ['ei-tallaista-aluetta'], 'invalid_field'],
      ['members_may_open_topics', 'no', 'invalid_field'],
    ];
    for (const [field, value, code, limit] of updateCases) {
      test(`period.update ${field}: ${JSON.stringify(value).slice(0, 40)} → ${code}, nothing changed`, async () => {
        const p = await createPeriod(mod.ws, { status: 'upcoming' });
        const before = snapshot(srv.db);
        const err = assertError(await mod.ws.request({ type: 'period.update', period_id: p.id, title: 'Ei tallennu', [field]: value }), code, field);
        if (limit !== undefined) assert.equal(err.limit, limit);
        assert.equal(snapshot(srv.db), before);
        assert.deepEqual(ok(await mod.ws.request({ type: 'period.get', period_id: p.id })).period, p);
      });
    }
  });
});
