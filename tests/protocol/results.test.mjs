// Results over the WebSocket (docs/protocol.md, "Results"): who may send
// results.*, follow_up.* and quote.withdraw; results.get; results.save
// (the first save and its slug, rev conflicts, every validation error with
// nothing half-written, quotes as words of a post); publish / unpublish and
// versions; follow-ups and their rules; the notices participants get (and
// others do not), live on `me`; quote.withdraw; quote_consent and
// results.quotable; period.participation's votes per group. The public
// pages are in results_http.test.mjs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, openWs, assertError, ISO_MS } from './helpers.mjs';
import {
  ok, member, moderator, openPeriod, createPeriod, createTopic, createPost, stopClean, nextEvent, subscribe, settle,
} from './discuss.mjs';
import { notices, eventsOn } from './modkit.mjs';
import {
  assertResults, getResults, saveRaw, save, publish, unpublish, addFollowUp, refusedR, resultsSnapshot,
  closedPoll, openSurvey, submitSurvey, periodWithPosts, closePeriod,
} from './resultskit.mjs';

const MOD_TYPES = {
  'results.get': { period_id: 1 },
  'results.save': { period_id: 1, rev: 0, summary: 'x', findings: [], polls: [], surveys: [], quotes: [] },
  'results.publish': { period_id: 1 },
  'results.unpublish': { period_id: 1 },
  'results.versions': { period_id: 1 },
  'results.quotable': { period_id: 1 },
  'follow_up.add': { finding_id: 1, date: '2026-11-15', status: 'done', text: 'x' },
  'follow_up.edit': { follow_up_id: 1, date: '2026-11-15', status: 'done', text: 'x' },
  'follow_up.delete': { follow_up_id: 1 },
};

describe('results: who may send what', () => {
  let srv; let mod; let A; let B; let anon; let period; let quoteId;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    [A, B] = await Promise.all([member(srv, { display_name: 'Aino' }), member(srv, { display_name: 'Bertta' })]);
    anon = (await openWs(srv)).ws;
    const made = await periodWithPosts(mod, [[A, 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla.']]);
    period = made.period;
    for (const m of Object.values(MOD_TYPES)) if ('period_id' in m) m.period_id = period.id;
    const r = await save(mod.ws, period.id, 0, { summary: 'Yhteenveto', findings: [{ title: 'Havainto', body: '' }],
      quotes: [{ post_id: made.posts[0].id, text: 'milloin pitää olla paikalla' }] });
    quoteId = r.quotes[0].id;
    const f = r.findings[0].id;
    MOD_TYPES['follow_up.add'].finding_id = f;
    const fu = await addFollowUp(mod.ws, f);
    MOD_TYPES['follow_up.edit'].follow_up_id = fu.follow_up.id;
    MOD_TYPES['follow_up.delete'].follow_up_id = fu.follow_up.id;
  });
  after(async () => { await stopClean(srv); });

  test('a member gets forbidden for every results.* and follow_up.* message, and nothing changes', async () => {
    for (const [type, fields] of Object.entries(MOD_TYPES)) {
      await refusedR(srv, A.ws, { type, ...fields }, 'forbidden');
    }
  });

  test('signed out: unauthenticated for every results message, follow-up and quote.withdraw', async () => {
    for (const [type, fields] of Object.entries({ ...MOD_TYPES, 'quote.withdraw': { quote_id: quoteId } })) {
      await refusedR(srv, anon, { type, ...fields }, 'unauthenticated');
    }
  });

  test('quote.withdraw: not_found for another member, for a moderator, and for a quote that does not exist', async () => {
    await refusedR(srv, B.ws, { type: 'quote.withdraw', quote_id: quoteId }, 'not_found');
    await refusedR(srv, mod.ws, { type: 'quote.withdraw', quote_id: quoteId }, 'not_found');
    await refusedR(srv, A.ws, { type: 'quote.withdraw', quote_id: quoteId + 1000 }, 'not_found');
    await refusedR(srv, A.ws, { type: 'quote.withdraw' }, 'missing_field', 'quote_id');
  });

  test('quote.withdraw by the author works, twice too', async () => {
    const r1 = ok(await A.ws.request({ type: 'quote.withdraw', quote_id: quoteId }), 'quote.withdraw');
    assert.equal(r1.quote_id, quoteId);
    const r2 = ok(await A.ws.request({ type: 'quote.withdraw', quote_id: quoteId }), 'quote.withdraw again');
    assert.equal(r2.quote_id, quoteId);
    const q = (await getResults(mod.ws, period.id)).results.quotes.find((x) => x.id === quoteId);
    assert.equal(q.withdrawn, true, JSON.stringify(q));
  });
});

describe('results over the WebSocket', () => {
  let srv; let mod; let mod2; let A; let B; let C; let D; let N;
  let P; // { period, topic, posts } open, with polls and a survey
  let pollClosed; let pollOpen; let surveyClosed; let surveyOpen; let otherPeriod; let otherPoll; let otherPost;
  const TITLE = 'Hyvä potilasohje Åland Öljy';
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    mod2 = await moderator(srv, { display_name: 'Moderaattori Mia' });
    [A, B, C, D, N] = await Promise.all(['Aino', 'Bertta', 'Cecilia', 'Daniel', 'Niilo'].map((n) => member(srv, { display_name: `${n} Osallinen` })));
    P = await periodWithPosts(mod, [
      [A, 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla. Kuvat auttoivat paljon.'],
      [B, 'Minusta **lihavoitu** teksti ja _kursiivi_   auttavat lukemaan.'],
      [A, 'Toinen viestini: ajanvaraus netissä on hankala.'],
    ], { title: TITLE });
    pollClosed = await closedPoll(mod, P.period.id);
    ok(await C.ws.request({ type: 'poll.vote', poll_id: pollClosed.id, answer: pollClosed.options[0].id }), 'poll.vote');
    ok(await mod.ws.request({ type: 'poll.close', poll_id: pollClosed.id }), 'poll.close');
    pollOpen = await closedPoll(mod, P.period.id);
    surveyClosed = await openSurvey(mod, P.period.id);
    await submitSurvey(D, surveyClosed);
    ok(await mod.ws.request({ type: 'survey.close', survey_id: surveyClosed.id }), 'survey.close');
    surveyOpen = await openSurvey(mod, P.period.id);
    const O = await periodWithPosts(mod, [[A, 'Toisen jakson viesti, jota ei saa lainata.']], { title: 'Toinen jakso' });
    otherPeriod = O.period; otherPost = O.posts[0];
    otherPoll = await closedPoll(mod, otherPeriod.id);
    ok(await mod.ws.request({ type: 'poll.close', poll_id: otherPoll.id }));
  });
  after(async () => { await stopClean(srv); });

  test('results.get before any save: results null, the period, its polls and surveys, figures', async () => {
    const r = await getResults(mod.ws, P.period.id);
    assert.equal(r.results, null);
    assert.equal(r.period.id, P.period.id);
    assert.equal(r.period.title, TITLE);
    assert.deepEqual(r.polls.map((p) => p.id).sort((a, b) => a - b), [pollClosed.id, pollOpen.id].sort((a, b) => a - b));
    assert.deepEqual(r.surveys.map((s) => s.id).sort((a, b) => a - b), [surveyClosed.id, surveyOpen.id].sort((a, b) => a - b));
    assert.ok(r.figures && typeof r.figures === 'object', `figures: ${JSON.stringify(r.figures)}`);
    for (const k of ['participants', 'posts', 'votes', 'responses', 'by_age_group', 'by_municipality']) assert.ok(k in r.figures, `figures lacks ${k}`);
    assert.ok(Array.isArray(r.figures.by_age_group) && Array.isArray(r.figures.by_municipality));
  });

  test('results.get: not_found for a missing period and for a draft period; missing_field without period_id', async () => {
    assertError(await mod.ws.request({ type: 'results.get', period_id: 999999 }), 'not_found');
    const draft = await createPeriod(mod.ws);
    assertError(await mod.ws.request({ type: 'results.get', period_id: draft.id }), 'not_found');
    assertError(await mod.ws.request({ type: 'results.get' }), 'missing_field', 'period_id');
  });

  let R; // the saved working copy
  test('the first save with rev 0 makes the page: slug from the title with ä, ö, å folded', async () => {
    R = await save(mod.ws, P.period.id, 0, {
      summary: 'Asukkaat toivoivat **lyhyempiä** ohjeita.',
      findings: [{ title: 'Ohjeet ovat liian pitkiä', body: 'Moni *jätti* kesken.' }, { title: 'Kuvat auttavat', body: '' }],
      polls: [pollClosed.id], surveys: [surveyClosed.id],
      quotes: [{ post_id: P.posts[0].id, text: 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla.' }],
    });
    assert.equal(R.period_id, P.period.id);
    assert.equal(R.slug, 'hyva-potilasohje-aland-oljy', `slug ${R.slug}`);
    assert.equal(R.status, 'draft');
    assert.equal(R.version, 0);
    assert.equal(R.first_published_at, null);
    assert.equal(R.published_at, null);
    assert.match(R.updated_at, ISO_MS);
    assert.equal(R.updated_by.id, mod.member.id);
    assert.equal(R.summary, 'Asukkaat toivoivat **lyhyempiä** ohjeita.');
    assert.match(R.summary_html, /<strong>lyhyempiä<\/strong>/);
    assert.equal(R.show_figures, true);
    assert.deepEqual(R.findings.map((f) => f.title), ['Ohjeet ovat liian pitkiä', 'Kuvat auttavat']);
    assert.match(R.findings[0].body_html, /<em>jätti<\/em>/);
    assert.deepEqual(R.findings[0].follow_ups, []);
    assert.deepEqual(R.polls, [pollClosed.id]);
    assert.deepEqual(R.surveys, [surveyClosed.id]);
    assert.equal(R.quotes.length, 1);
    const q = R.quotes[0];
    assert.equal(q.post_id, P.posts[0].id);
    assert.deepEqual(q.topic, { id: P.topic.id, title: P.topic.title });
    assert.equal(q.shown, true);
    assert.equal(q.withdrawn, false);
    assert.ok(!JSON.stringify(q).includes('Aino'), 'a quote carries no author name');
    const g = await getResults(mod.ws, P.period.id);
    assert.deepEqual(g.results, R, 'results.get returns what the save replied');
  });

  test('a second period with the same title gets a slug of its own', async () => {
    const Q = await periodWithPosts(mod, [], { title: TITLE });
    const r = await save(mod.ws, Q.period.id, 0, { summary: 'Toinen' });
    assert.notEqual(r.slug, R.slug);
    assert.ok(r.slug.startsWith('hyva-potilasohje-aland-oljy'), `slug ${r.slug}`);
  });

  test('rev: a stale rev or a second rev 0 is conflict and changes nothing', async () => {
    const before = await getResults(mod.ws, P.period.id);
    await refusedR(srv, mod.ws, { type: 'results.save', period_id: P.period.id, rev: 0, summary: 'Ohitettu', findings: [], polls: [], surveys: [], quotes: [] }, 'conflict');
    await refusedR(srv, mod2.ws, { type: 'results.save', period_id: P.period.id, rev: R.rev - 1, summary: 'Vanha', findings: [], polls: [], surveys: [], quotes: [] }, 'conflict');
    await refusedR(srv, mod2.ws, { type: 'results.save', period_id: P.period.id, rev: R.rev + 5, summary: 'Tuleva', findings: [], polls: [], surveys: [], quotes: [] }, 'conflict');
    assert.deepEqual(await getResults(mod.ws, P.period.id), before);
    // two moderators from the same rev: the first wins, the second is conflict
    const keep = R.findings.map((f) => ({ id: f.id, title: f.title, body: f.body }));
    const common = { findings: keep, polls: R.polls, surveys: R.surveys, quotes: R.quotes.map((q) => ({ id: q.id, text: q.text })) };
    const first = await save(mod2.ws, P.period.id, R.rev, { ...common, summary: 'Mian versio' });
    assert.ok(first.rev > R.rev, 'rev grows');
    assert.equal(first.updated_by.id, mod2.member.id);
    await refusedR(srv, mod.ws, { type: 'results.save', period_id: P.period.id, rev: R.rev, ...common, summary: 'Marin versio' }, 'conflict');
    assert.equal((await getResults(mod.ws, P.period.id)).results.summary, 'Mian versio');
    R = first;
  });

  test('every invalid save is refused with its code and field, and nothing is half-written', async () => {
    const before = await getResults(mod.ws, P.period.id);
    const keep = R.findings.map((f) => ({ id: f.id, title: f.title, body: f.body }));
    const base = { type: 'results.save', period_id: P.period.id, rev: R.rev, summary: 'Uusi', show_figures: true,
      findings: keep, polls: R.polls, surveys: R.surveys, quotes: R.quotes.map((q) => ({ id: q.id, text: q.text })) };
    const inList = (name) => (f) => f === name || (typeof f === 'string' && f.startsWith(`${name}.`));
    const cases = [
      ['no period_id', { period_id: undefined }, 'missing_field', 'period_id'],
      ['no such period', { period_id: 999999 }, 'not_found'],
      ['no rev', { rev: undefined }, 'missing_field', 'rev'],
      ['rev not a number', { rev: 'x' }, 'invalid_field', 'rev'],
      ['summary not a string', { summary: 5 }, 'invalid_field', 'summary'],
      ['summary too long', { summary: 'a'.repeat(20001) }, 'too_long', 'summary'],
      ['show_figures not a boolean', { show_figures: 'yes' }, 'invalid_field', 'show_figures'],
      ['findings not a list', { findings: 'x' }, 'invalid_field', 'findings'],
      ['a finding without a title', { findings: [...keep, { body: 'x' }] }, ['missing_field', 'invalid_field'], inList('findings')],
      ['a finding with an empty title', { findings: [...keep, { title: '', body: 'x' }] }, 'invalid_field', inList('findings')],
      ['a finding title of 201', { findings: [...keep, { title: 't'.repeat(201), body: '' }] }, 'too_long', inList('findings')],
      ['a finding body of 5001', { findings: [...keep, { title: 't', body: 'b'.repeat(5001) }] }, 'too_long', inList('findings')],
      ['31 findings', { findings: Array.from({ length: 31 }, (_, i) => ({ title: `H${i}`, body: '' })).map((f, i) => (i < keep.length ? keep[i] : f)) }, 'invalid_field', inList('findings')],
      ['a finding id of another page', { findings: [...keep, { id: 999999, title: 'x', body: '' }] }, 'invalid_field', inList('findings')],
      ['the same finding twice', { findings: [...keep, keep[0]] }, 'invalid_field', inList('findings')],
      ['polls not a list', { polls: 3 }, 'invalid_field', 'polls'],
      ['an open poll', { polls: [pollClosed.id, pollOpen.id] }, 'invalid_field', inList('polls')],
      ['a poll of another period', { polls: [otherPoll.id] }, 'invalid_field', inList('polls')],
      ['a poll that does not exist', { polls: [999999] }, 'invalid_field', inList('polls')],
      ['a poll twice', { polls: [pollClosed.id, pollClosed.id] }, 'invalid_field', inList('polls')],
      ['21 polls', { polls: Array.from({ length: 21 }, () => pollClosed.id) }, 'invalid_field', inList('polls')],
      ['an open survey', { surveys: [surveyOpen.id] }, 'invalid_field', inList('surveys')],
      ['a survey that does not exist', { surveys: [999999] }, 'invalid_field', inList('surveys')],
      ['a poll id as a survey', { surveys: [pollClosed.id + 100000] }, 'invalid_field', inList('surveys')],
      ['quotes not a list', { quotes: {} }, 'invalid_field', 'quotes'],
      ['a quote whose text is not in the post', { quotes: [{ post_id: P.posts[0].id, text: 'Ohjeessa ei lue mitään.' }] }, 'invalid_field', inList('quotes')],
      ['a quote with its parts out of order', { quotes: [{ post_id: P.posts[0].id, text: 'Kuvat auttoivat … milloin pitää olla paikalla' }] }, 'invalid_field', inList('quotes')],
      ['a quote of another post\'s words', { quotes: [{ post_id: P.posts[2].id, text: 'Kuvat auttoivat paljon.' }] }, 'invalid_field', inList('quotes')],
      ['an empty quote', { quotes: [{ post_id: P.posts[0].id, text: '' }] }, 'invalid_field', inList('quotes')],
      ['a quote of 1001', { quotes: [{ post_id: P.posts[0].id, text: 'a'.repeat(1001) }] }, 'too_long', inList('quotes')],
      ['a quote without text', { quotes: [{ post_id: P.posts[0].id }] }, ['missing_field', 'invalid_field'], inList('quotes')],
      ['a quote of a post in another period', { quotes: [{ post_id: otherPost.id, text: 'Toisen jakson viesti' }] }, 'invalid_field', inList('quotes')],
      ['a quote of a post that does not exist', { quotes: [{ post_id: 999999, text: 'x' }] }, 'invalid_field', inList('quotes')],
      ['a quote id of another page', { quotes: [{ id: 999999, text: 'x' }] }, 'invalid_field', inList('quotes')],
      ['31 quotes', { quotes: Array.from({ length: 31 }, () => ({ post_id: P.posts[2].id, text: 'ajanvaraus' })) }, 'invalid_field', inList('quotes')],
    ];
    for (const [what, change, code, field] of cases) {
      const msg = { ...base, ...change };
      for (const k of Object.keys(msg)) if (msg[k] === undefined) delete msg[k];
      await t_refused(what, msg, code, field);
    }
    async function t_refused(what, msg, code, field) {
      try {
        await refusedR(srv, mod.ws, msg, code, field);
      } catch (e) {
        e.message = `${what}: ${e.message}`;
        throw e;
      }
    }
    assert.deepEqual(await getResults(mod.ws, P.period.id), before, 'results.get shows the copy as it was');
  });

  test('quotes: parts left out with … or ..., markdown marks and spacing aside; text may be trimmed by id', async () => {
    const keep = R.findings.map((f) => ({ id: f.id, title: f.title, body: f.body }));
    const r = await save(mod.ws, P.period.id, R.rev, {
      summary: R.summary, findings: keep, polls: R.polls, surveys: R.surveys,
      quotes: [
        { id: R.quotes[0].id, text: 'milloin pitää olla paikalla' },
        { post_id: P.posts[0].id, text: 'Ohjeessa pitäisi lukea … Kuvat auttoivat paljon.' },
        { post_id: P.posts[0].id, text: 'heti alussa... Kuvat auttoivat' },
        { post_id: P.posts[1].id, text: 'Minusta lihavoitu teksti ja kursiivi auttavat lukemaan.' },
      ],
    });
    assert.equal(r.quotes.length, 4);
    assert.equal(r.quotes[0].id, R.quotes[0].id, 'a quote sent by id keeps its id');
    assert.equal(r.quotes[0].text, 'milloin pitää olla paikalla');
    assert.deepEqual(r.quotes.map((q) => q.post_id), [P.posts[0].id, P.posts[0].id, P.posts[0].id, P.posts[1].id], 'in the order sent');
    R = r;
  });

  test('quotes of a hidden post, a deleted post, or a member who does not consent are refused', async () => {
    const keep = R.findings.map((f) => ({ id: f.id, title: f.title, body: f.body }));
    const base = { type: 'results.save', period_id: P.period.id, rev: R.rev, summary: R.summary, findings: keep,
      polls: R.polls, surveys: R.surveys, quotes: [] };
    const hidden = await createPost(C.ws, P.topic.id, 'Piilotettu mielipide ohjeista.');
    ok(await mod.ws.request({ type: 'post.hide', post_id: hidden.id, reason: 'Asiaton' }));
    await refusedR(srv, mod.ws, { ...base, quotes: [{ post_id: hidden.id, text: 'Piilotettu mielipide' }] }, 'invalid_field', (f) => f?.startsWith('quotes'));
    const deleted = await createPost(C.ws, P.topic.id, 'Poistettu mielipide ohjeista.');
    ok(await C.ws.request({ type: 'post.delete', post_id: deleted.id }));
    await refusedR(srv, mod.ws, { ...base, quotes: [{ post_id: deleted.id, text: 'Poistettu mielipide' }] }, 'invalid_field', (f) => f?.startsWith('quotes'));
    const shy = await member(srv, { display_name: 'Ujo Ulla' });
    const p = await createPost(shy.ws, P.topic.id, 'En halua tulla lainatuksi.');
    const u = ok(await shy.ws.request({ type: 'profile.update', quote_consent: false }), 'profile.update');
    assert.equal(u.member.quote_consent, false);
    await refusedR(srv, mod.ws, { ...base, quotes: [{ post_id: p.id, text: 'En halua tulla lainatuksi.' }] }, 'invalid_field', (f) => f?.startsWith('quotes'));
    const q = ok(await mod.ws.request({ type: 'results.quotable', period_id: P.period.id }), 'results.quotable');
    const ids = q.posts.map((x) => x.id);
    for (const bad of [hidden.id, deleted.id, p.id]) assert.ok(!ids.includes(bad), `quotable lists post ${bad}`);
  });

  test('results.quotable: the period\'s quotable posts, newest first, no names; topic_id narrows', async () => {
    const r = ok(await mod.ws.request({ type: 'results.quotable', period_id: P.period.id }), 'results.quotable');
    assert.ok(Array.isArray(r.posts));
    assert.equal(r.next_before, null);
    const ids = r.posts.map((p) => p.id);
    for (const p of P.posts) assert.ok(ids.includes(p.id), `post ${p.id} is quotable`);
    assert.ok(!ids.includes(otherPost.id), 'not another period\'s post');
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    for (const p of r.posts) {
      for (const k of ['id', 'topic', 'body', 'created_at']) assert.ok(k in p, `quotable post lacks ${k}`);
      assert.ok(!('author' in p), 'no author');
    }
    const s = JSON.stringify(r);
    for (const name of ['Aino', 'Bertta', 'Cecilia', 'Osallinen']) assert.ok(!s.includes(name), `quotable names ${name}`);
    const t = ok(await mod.ws.request({ type: 'results.quotable', period_id: P.period.id, topic_id: P.topic.id }));
    assert.ok(t.posts.every((p) => p.topic.id === P.topic.id));
    const other = await createTopic(mod.ws, P.period.id, { title: 'Toinen aihe', body: 'Toisen aiheen aloitus' });
    const t2 = ok(await mod.ws.request({ type: 'results.quotable', period_id: P.period.id, topic_id: other.topic.id }));
    assert.ok(t2.posts.every((p) => p.topic.id === other.topic.id), JSON.stringify(t2));
    assert.ok(!t2.posts.some((p) => p.id === P.posts[0].id));
    assertError(await mod.ws.request({ type: 'results.quotable', period_id: 999999 }), 'not_found');
  });

  test('results.quotable pages 100 at a time with before', async () => {
    const Q = await periodWithPosts(mod, []);
    const many = [];
    for (let i = 0; i < 105; i++) many.push(C.ws.request({ type: 'post.create', topic_id: Q.topic.id, body: `Viesti numero ${i}` }));
    (await Promise.all(many)).forEach((r) => ok(r, 'post.create'));
    const p1 = ok(await mod.ws.request({ type: 'results.quotable', period_id: Q.period.id }));
    assert.equal(p1.posts.length, 100);
    assert.ok(Number.isInteger(p1.next_before), `next_before ${p1.next_before}`);
    const p2 = ok(await mod.ws.request({ type: 'results.quotable', period_id: Q.period.id, before: p1.next_before }));
    assert.ok(p2.posts.length >= 5 && p2.posts.length <= 6, `the rest: ${p2.posts.length}`);
    assert.equal(p2.next_before, null);
    const all = [...p1.posts, ...p2.posts].map((p) => p.id);
    assert.equal(new Set(all).size, all.length, 'no post twice');
  });

  test('publish needs a closed period; unpublish needs a published page', async () => {
    await refusedR(srv, mod.ws, { type: 'results.publish', period_id: P.period.id }, ['period_not_open', 'conflict']);
    await refusedR(srv, mod.ws, { type: 'results.unpublish', period_id: P.period.id }, 'conflict');
    await refusedR(srv, mod.ws, { type: 'results.publish', period_id: 999999 }, 'not_found');
  });

  test('publish needs a summary or a finding', async () => {
    const Q = await periodWithPosts(mod, []);
    await save(mod.ws, Q.period.id, 0, { summary: '   ', findings: [] });
    await closePeriod(mod, Q.period.id);
    await refusedR(srv, mod.ws, { type: 'results.publish', period_id: Q.period.id }, 'invalid_field', 'summary');
  });

  test('publishing before any save is refused', async () => {
    const Q = await periodWithPosts(mod, []);
    await closePeriod(mod, Q.period.id);
    const r = await mod.ws.request({ type: 'results.publish', period_id: Q.period.id });
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.ok(['not_found', 'invalid_field', 'conflict'].includes(r.error.code), JSON.stringify(r));
  });

  let published;
  test('participants get results.published on the first publish (live on me and in notice.list); others nothing', async () => {
    // A posted, B posted (and reacts), C voted, D answered a survey; E only reacted; N nothing
    const E = await member(srv, { display_name: 'Eino Reagoija' });
    ok(await E.ws.request({ type: 'reaction.add', post_id: P.posts[1].id, reaction: 'agree' }), 'reaction.add');
    const people = { A, B, C, D, E };
    for (const w of [A, B, C, D, E, N]) await subscribe(w.ws, 'me');
    await closePeriod(mod, P.period.id);
    published = await publish(mod.ws, P.period.id);
    const link = { period_id: P.period.id, title: TITLE, slug: published.slug, url: `/tulokset/${published.slug}` };
    for (const [name, w] of Object.entries(people)) {
      const ev = await nextEvent(w.ws, 'me', 'notice.created', (e) => e.data.kind === 'results.published');
      assert.deepEqual(ev.data.results, link, `${name}: the notice's results`);
      const list = (await notices(w)).notices.filter((n) => n.kind === 'results.published');
      assert.equal(list.length, 1, `${name}: one results.published in notice.list`);
      assert.deepEqual(list[0].results, link);
      assert.equal(list[0].read, false);
    }
    await settle(N.ws);
    assert.deepEqual((await eventsOn(N.ws, 'me')), [], 'a member who did not take part gets no event');
    assert.deepEqual((await notices(N)).notices, [], 'nor a notice');
    assert.equal(published.status, 'published');
    assert.equal(published.version, 1);
    assert.equal(published.changed_since_publish, false);
    assert.match(String(published.first_published_at), ISO_MS, 'first_published_at after publishing');
    assert.equal(published.published_at, published.first_published_at);
  });

  test('the quote\'s author gets post.quoted with the quote when it becomes public', async () => {
    const list = (await notices(A)).notices.filter((n) => n.kind === 'post.quoted');
    const quotesOfA = published.quotes.filter((q) => q.post_id === P.posts[0].id);
    assert.equal(list.length, quotesOfA.length, `one post.quoted per quote of A's: ${JSON.stringify(list)}`);
    for (const n of list) {
      assert.ok(n.quote && Number.isInteger(n.quote.id), `quote in ${JSON.stringify(n)}`);
      assert.ok(quotesOfA.some((q) => q.id === n.quote.id && q.text === n.quote.text), JSON.stringify(n.quote));
      assert.equal(n.quote.withdrawn, false);
      assert.equal(n.post_id, P.posts[0].id);
      assert.equal(n.results.slug, published.slug);
    }
    const listB = (await notices(B)).notices.filter((n) => n.kind === 'post.quoted');
    assert.equal(listB.length, 1, 'B\'s one quote');
    assert.equal((await notices(C)).notices.filter((n) => n.kind === 'post.quoted').length, 0, 'C was not quoted');
  });

  test('saving after publishing: changed_since_publish, then a new version; no second results.published', async () => {
    const keep = published.findings.map((f) => ({ id: f.id, title: f.title, body: f.body }));
    const s = await save(mod.ws, P.period.id, published.rev, { summary: 'Päivitetty yhteenveto.', findings: keep,
      polls: published.polls, surveys: published.surveys, quotes: published.quotes.map((q) => ({ id: q.id, text: q.text })) });
    assert.equal(s.status, 'published');
    assert.equal(s.version, 1);
    assert.equal(s.changed_since_publish, true);
    const v2 = await publish(mod2.ws, P.period.id);
    const prev = published;
    published = v2;
    await settle(A.ws);
    const again = (await eventsOn(A.ws, 'me')).filter((e) => e.data.kind === 'results.published');
    assert.equal(v2.version, 2);
    assert.equal(v2.changed_since_publish, false);
    assert.equal(v2.first_published_at, prev.first_published_at);
    assert.ok(v2.published_at >= prev.published_at);
    const v = ok(await mod.ws.request({ type: 'results.versions', period_id: P.period.id }), 'results.versions');
    assert.deepEqual(v.versions.map((x) => x.version), [2, 1]);
    assert.deepEqual(v.versions[0].published_by, { id: mod2.member.id, display_name: 'Moderaattori Mia' });
    assert.equal(v.versions[1].published_by.id, mod.member.id);
    for (const x of v.versions) assert.match(x.published_at, ISO_MS);
    assert.deepEqual(again, [], 'no second results.published');
    assert.equal((await notices(A)).notices.filter((n) => n.kind === 'post.quoted').length,
      prev.quotes.filter((q) => q.post_id === P.posts[0].id).length, 'no second post.quoted for the same quotes');
  });

  test('unpublish and publish again: statuses, versions kept, conflict on a second unpublish', async () => {
    const before = ok(await A.ws.request({ type: 'period.get', period_id: P.period.id }));
    assert.equal(before.period.results_url, `/tulokset/${R.slug}`, 'a member sees where the published page is');
    const u = await unpublish(mod.ws, P.period.id);
    assert.equal(u.status, 'unpublished');
    assert.equal(u.version, 2);
    const after = ok(await A.ws.request({ type: 'period.get', period_id: P.period.id }));
    assert.equal(after.period.results_url, null, 'no link while the page is not published');
    await refusedR(srv, mod.ws, { type: 'results.unpublish', period_id: P.period.id }, 'conflict');
    const p = await publish(mod.ws, P.period.id);
    published = p;
    assert.equal(p.status, 'published');
    assert.equal(p.version, 3);
    const v = ok(await mod.ws.request({ type: 'results.versions', period_id: P.period.id }));
    assert.deepEqual(v.versions.map((x) => x.version), [3, 2, 1]);
    await settle(A.ws);
    assert.deepEqual((await eventsOn(A.ws, 'me')).filter((e) => e.data.kind === 'results.published'), [], 'republishing tells nobody again');
  });

  test('follow_up.add: every rule for date, status, text and reason; nothing written when refused', async () => {
    const f = published.findings[0].id;
    const base = { type: 'follow_up.add', finding_id: f, date: '2026-11-15', status: 'considering', text: 'Selvitetään.' };
    const cases = [
      ['no finding_id', { finding_id: undefined }, 'missing_field', 'finding_id'],
      ['no such finding', { finding_id: 999999 }, 'not_found'],
      ['no date', { date: undefined }, 'missing_field', 'date'],
      ['date not a string', { date: 20261115 }, 'invalid_field', 'date'],
      ['13th month', { date: '2026-13-01' }, 'invalid_field', 'date'],
      ['30 February', { date: '2026-02-30' }, 'invalid_field', 'date'],
      ['29 February of a common year', { date: '2027-02-29' }, 'invalid_field', 'date'],
      ['day 0', { date: '2026-11-00' }, 'invalid_field', 'date'],
      ['no leading zeros', { date: '2026-2-3' }, 'invalid_field', 'date'],
      ['Finnish format', { date: '15.11.2026' }, 'invalid_field', 'date'],
      ['a time too', { date: '2026-11-15T10:00:00Z' }, ['invalid_field', 'too_long'], 'date'],
      ['no status', { status: undefined }, 'missing_field', 'status'],
      ['unknown status', { status: 'maybe' }, 'invalid_field', 'status'],
      ['status in Finnish', { status: 'toteutettu' }, 'invalid_field', 'status'],
      ['declined without a reason', { status: 'declined' }, 'missing_field', 'reason'],
      ['declined with an empty reason', { status: 'declined', reason: '' }, ['missing_field', 'invalid_field'], 'reason'],
      ['a reason when not declined', { status: 'done', reason: 'Miksi' }, 'invalid_field', 'reason'],
      ['text of 2001', { text: 't'.repeat(2001) }, 'too_long', 'text'],
      ['reason of 1001', { status: 'declined', reason: 'r'.repeat(1001) }, 'too_long', 'reason'],
      ['text not a string', { text: 5 }, 'invalid_field', 'text'],
    ];
    for (const [what, change, code, field] of cases) {
      const msg = { ...base, ...change };
      for (const k of Object.keys(msg)) if (msg[k] === undefined) delete msg[k];
      try { await refusedR(srv, mod.ws, msg, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
    }
  });

  let fu;
  test('follow_up.add on a published page: participants get follow_up.added; others do not', async () => {
    const f = published.findings[0].id;
    const r = await addFollowUp(mod.ws, f, { date: '2028-02-29', status: 'declined', text: 'Sähköistä ajanvarausta ei laajenneta.', reason: 'Järjestelmän vaihto on vasta 2028.' });
    fu = r.follow_up;
    assert.equal(fu.finding_id, f);
    assert.equal(fu.date, '2028-02-29');
    assert.equal(fu.status, 'declined');
    assert.equal(fu.reason, 'Järjestelmän vaihto on vasta 2028.');
    assert.match(fu.created_at, ISO_MS);
    assert.deepEqual(r.results.findings[0].follow_ups.map((x) => x.id), [fu.id]);
    assert.equal(r.results.version, published.version, 'a follow-up makes no new version');
    for (const [name, w] of Object.entries({ A, B, C, D })) {
      const ev = await nextEvent(w.ws, 'me', 'notice.created', (e) => e.data.kind === 'follow_up.added');
      assert.equal(ev.data.results.slug, published.slug, `${name}`);
      assert.equal(ev.data.results.period_id, P.period.id);
    }
    await settle(N.ws);
    assert.deepEqual(await eventsOn(N.ws, 'me'), []);
    assert.deepEqual((await notices(N)).notices, []);
    // empty text, null reason, other statuses
    for (const status of ['considering', 'in_progress', 'done']) {
      const x = await addFollowUp(mod.ws, f, { status, text: '', reason: null });
      assert.equal(x.follow_up.reason, null);
      assert.equal(x.follow_up.text, '');
    }
  });

  test('follow_up.edit takes every field; follow_up.delete; not_found after', async () => {
    await refusedR(srv, mod.ws, { type: 'follow_up.edit', follow_up_id: fu.id, date: '2026-12-01', text: 'x' }, 'missing_field', 'status');
    await refusedR(srv, mod.ws, { type: 'follow_up.edit', follow_up_id: fu.id, date: '2026-12-01', status: 'declined', text: 'x' }, 'missing_field', 'reason');
    await refusedR(srv, mod.ws, { type: 'follow_up.edit', follow_up_id: 999999, date: '2026-12-01', status: 'done', text: 'x' }, 'not_found');
    await refusedR(srv, mod.ws, { type: 'follow_up.edit', follow_up_id: fu.id, date: '2026-02-30', status: 'done', text: 'x' }, 'invalid_field', 'date');
    const e = ok(await mod.ws.request({ type: 'follow_up.edit', follow_up_id: fu.id, date: '2026-12-01', status: 'done', text: 'Tehty sittenkin.' }), 'follow_up.edit');
    assert.equal(e.follow_up.id, fu.id);
    assert.equal(e.follow_up.status, 'done');
    assert.equal(e.follow_up.reason, null, 'the reason goes with declined');
    assert.equal(e.follow_up.text, 'Tehty sittenkin.');
    assert.ok(e.follow_up.updated_at >= fu.updated_at);
    const extra = (await addFollowUp(mod.ws, published.findings[0].id)).follow_up;
    const d = ok(await mod.ws.request({ type: 'follow_up.delete', follow_up_id: extra.id }), 'follow_up.delete');
    assert.equal(d.follow_up_id, extra.id);
    assert.ok(!d.results.findings[0].follow_ups.some((x) => x.id === extra.id));
    await refusedR(srv, mod.ws, { type: 'follow_up.delete', follow_up_id: extra.id }, 'not_found');
  });

  test('removing a finding that has follow-ups is conflict (field findings); after deleting them it goes', async () => {
    const cur = (await getResults(mod.ws, P.period.id)).results;
    const [f0, ...rest] = cur.findings;
    assert.ok(f0.follow_ups.length > 0);
    const common = { summary: cur.summary, polls: cur.polls, surveys: cur.surveys, quotes: cur.quotes.map((q) => ({ id: q.id, text: q.text })) };
    await refusedR(srv, mod.ws, { type: 'results.save', period_id: P.period.id, rev: cur.rev, ...common,
      findings: rest.map((f) => ({ id: f.id, title: f.title, body: f.body })) }, 'conflict', 'findings');
    assert.deepEqual((await getResults(mod.ws, P.period.id)).results, cur);
    // keeping it by id (renamed) keeps its follow-ups
    const kept = await save(mod.ws, P.period.id, cur.rev, { ...common,
      findings: [{ id: f0.id, title: 'Uusi otsikko', body: f0.body }, ...rest.map((f) => ({ id: f.id, title: f.title, body: f.body }))] });
    assert.deepEqual(kept.findings[0].follow_ups.map((x) => x.id), f0.follow_ups.map((x) => x.id));
    for (const u of f0.follow_ups) ok(await mod.ws.request({ type: 'follow_up.delete', follow_up_id: u.id }));
    const gone = await save(mod.ws, P.period.id, kept.rev, { ...common, findings: rest.map((f) => ({ id: f.id, title: f.title, body: f.body })) });
    assert.deepEqual(gone.findings.map((f) => f.id), rest.map((f) => f.id));
    await refusedR(srv, mod.ws, { type: 'follow_up.add', finding_id: f0.id, date: '2026-11-15', status: 'done', text: '' }, 'not_found');
  });

  test('a follow-up on a draft page tells nobody', async () => {
    const Q = await periodWithPosts(mod, [[A, 'Luonnossivun viesti.']]);
    const r = await save(mod.ws, Q.period.id, 0, { findings: [{ title: 'Luonnos', body: '' }] });
    await settle(A.ws);
    await eventsOn(A.ws, 'me');
    await addFollowUp(mod.ws, r.findings[0].id);
    await settle(A.ws);
    assert.deepEqual((await eventsOn(A.ws, 'me')).filter((e) => e.data.kind === 'follow_up.added'), []);
  });

  test('quote.withdraw: the notice shows it withdrawn; results.get too', async () => {
    const cur = (await getResults(mod.ws, P.period.id)).results;
    const q = cur.quotes.find((x) => x.post_id === P.posts[0].id);
    ok(await A.ws.request({ type: 'quote.withdraw', quote_id: q.id }), 'quote.withdraw');
    const after = (await getResults(mod.ws, P.period.id)).results.quotes.find((x) => x.id === q.id);
    assert.equal(after.withdrawn, true);
    const n = (await notices(A)).notices.find((x) => x.kind === 'post.quoted' && x.quote.id === q.id);
    assert.equal(n.quote.withdrawn, true, `the notice tells it is withdrawn: ${JSON.stringify(n)}`);
  });

  test('quote_consent false: shown false on every quote of the member, and their posts leave results.quotable', async () => {
    const Q = await periodWithPosts(mod, [[B, 'Toinen lainattava viesti Bertalta.'], [C, 'Cecilian viesti.']]);
    await save(mod.ws, Q.period.id, 0, { summary: 'x', quotes: [{ post_id: Q.posts[0].id, text: 'Toinen lainattava viesti' }] });
    const pm = ok(await B.ws.request({ type: 'profile.get' }));
    assert.equal(pm.member.quote_consent, true, 'quote_consent is on by default');
    const u = ok(await B.ws.request({ type: 'profile.update', quote_consent: false }), 'profile.update');
    assert.equal(u.member.quote_consent, false);
    assertError(await B.ws.request({ type: 'profile.update', quote_consent: 'no' }), 'invalid_field', 'quote_consent');
    for (const pid of [P.period.id, Q.period.id]) {
      const r = (await getResults(mod.ws, pid)).results;
      for (const q of r.quotes.filter((x) => [P.posts[1].id, Q.posts[0].id].includes(x.post_id))) assert.equal(q.shown, false, JSON.stringify(q));
    }
    const ql = ok(await mod.ws.request({ type: 'results.quotable', period_id: Q.period.id }));
    assert.ok(!ql.posts.some((p) => p.id === Q.posts[0].id), 'B\'s post is no longer quotable');
    assert.ok(ql.posts.some((p) => p.id === Q.posts[1].id), 'C\'s still is');
    ok(await B.ws.request({ type: 'profile.update', quote_consent: true }));
    const r = (await getResults(mod.ws, Q.period.id)).results;
    assert.equal(r.quotes[0].shown, true, 'consenting again shows it again');
  });

  test('period.participation counts votes per group', async () => {
    const r = ok(await mod.ws.request({ type: 'period.participation', period_id: P.period.id }), 'period.participation');
    for (const g of [...r.by_age_group, ...r.by_municipality]) {
      for (const k of ['participants', 'posts', 'votes']) assert.ok(Number.isInteger(g[k]), `${k} in ${JSON.stringify(g)}`);
    }
    assert.equal(r.by_age_group.reduce((s, g) => s + g.votes, 0), r.votes, 'votes per age group add up');
    assert.equal(r.by_municipality.reduce((s, g) => s + g.votes, 0), r.votes, 'votes per municipality add up');
    assert.ok(r.votes >= 1);
  });

  test('nothing in the results tables changes on a refused message (a final check of the snapshot helper)', () => {
    assert.equal(resultsSnapshot(srv.db), resultsSnapshot(srv.db));
  });
});
