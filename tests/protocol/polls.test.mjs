// Polls (docs/protocol.md, "Polls"): the four kinds and their answers, who
// sees the results when, named and secret polls (and that a closed secret
// poll leaves no link from ballot to member, not even in the database
// files), changing one's vote, one ballot per member under concurrent votes,
// bad input, poll.update, closing by a moderator and by closes_at, the live
// poll:<id> channel with coalesced results, and permissions.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { start, openWs, assertError, sqlite, ISO_MS } from './helpers.mjs';
import {
  ok, at, DAY, member, moderator, createPeriod, openPeriod, createTopic, reconnect,
  nextEvent, settle, subscribe, pipeline, stopClean,
} from './discuss.mjs';

export const POLL_KEYS = ['id', 'period_id', 'topic_id', 'question', 'help', 'kind', 'options', 'min_picks', 'max_picks',
  'scale', 'results_visibility', 'secret', 'status', 'closes_at', 'closed_at', 'voters', 'created_at', 'seq'];
const ASKER_KEYS = ['voted', 'my_answer', 'results'];
const VISIBILITIES = ['always', 'after_vote', 'after_close', 'moderators'];
const isId = (v) => Number.isInteger(v) && v > 0;

// Checks a poll object; event: true for the poll.changed form (no
// voted / my_answer / results).
function assertPoll(p, { event = false } = {}) {
  assert.ok(p && typeof p === 'object', `poll must be an object: ${JSON.stringify(p)}`);
  for (const k of POLL_KEYS) assert.ok(k in p, `poll lacks ${k}: ${JSON.stringify(p)}`);
  for (const k of ASKER_KEYS) {
    if (event) assert.ok(!(k in p), `an event's poll has ${k}: ${JSON.stringify(p)}`);
    else assert.ok(k in p, `poll lacks ${k}: ${JSON.stringify(p)}`);
  }
  assert.ok(isId(p.id) && isId(p.period_id));
  assert.ok(p.topic_id === null || isId(p.topic_id));
  assert.equal(typeof p.question, 'string');
  assert.equal(typeof p.help, 'string');
  assert.ok(['single', 'multiple', 'scale', 'ranking'].includes(p.kind), `kind ${p.kind}`);
  assert.ok(VISIBILITIES.includes(p.results_visibility), `results_visibility ${p.results_visibility}`);
  assert.equal(typeof p.secret, 'boolean');
  assert.ok(['open', 'closed'].includes(p.status), `status ${p.status}`);
  assert.ok(p.closes_at === null || ISO_MS.test(p.closes_at), `closes_at ${p.closes_at}`);
  if (p.status === 'open') assert.equal(p.closed_at, null, 'an open poll has closed_at null');
  else assert.match(p.closed_at, ISO_MS, 'a closed poll has closed_at');
  assert.ok(Number.isInteger(p.voters) && p.voters >= 0);
  assert.match(p.created_at, ISO_MS);
  assert.ok(Number.isInteger(p.seq));
  if (p.kind === 'scale') {
    assert.ok(p.scale && typeof p.scale === 'object', `scale poll has scale: ${JSON.stringify(p)}`);
    for (const k of ['min', 'max', 'min_label', 'max_label']) assert.ok(k in p.scale, `scale lacks ${k}`);
  } else {
    assert.equal(p.scale, null, 'scale is null except for scale polls');
    assert.ok(Array.isArray(p.options) && p.options.length >= 2, `options ${JSON.stringify(p.options)}`);
    for (const o of p.options) { assert.ok(isId(o.id)); assert.equal(typeof o.label, 'string'); }
  }
  if (p.kind !== 'multiple') {
    assert.equal(p.min_picks, null, 'min_picks is null except for multiple');
    assert.equal(p.max_picks, null, 'max_picks is null except for multiple');
  }
  if (!event) {
    assert.equal(typeof p.voted, 'boolean');
    if (p.results !== null) {
      assert.ok(typeof p.results === 'object', `results ${JSON.stringify(p.results)}`);
      assert.equal(p.results.voters, p.voters, `results.voters matches voters: ${JSON.stringify(p)}`);
    }
  }
  return p;
}

let pollCounter = 0;
function createPollRaw(ws, periodId, fields = {}) {
  pollCounter += 1;
  const kind = fields.kind ?? 'single';
  const base = { type: 'poll.create', period_id: periodId, question: `Kysymys ${pollCounter}?`, kind, results_visibility: 'always' };
  if (kind === 'scale') base.scale = { min: 1, max: 5, min_label: 'Huono', max_label: 'Erinomainen' };
  else base.options = ['Selkeä kieli', 'Kuvat', 'Yhteystiedot'];
  return ws.request({ ...base, ...fields });
}
async function createPoll(ws, periodId, fields = {}) {
  const r = ok(await createPollRaw(ws, periodId, fields), 'poll.create');
  return assertPoll(r.poll);
}
const vote = (ws, poll, answer) => ws.request({ type: 'poll.vote', poll_id: poll.id ?? poll, answer });
async function voteOk(ws, poll, answer) { return assertPoll(ok(await vote(ws, poll, answer), `poll.vote ${JSON.stringify(answer)}`).poll); }
async function getPoll(ws, poll) { return assertPoll(ok(await ws.request({ type: 'poll.get', poll_id: poll.id ?? poll }), 'poll.get').poll); }
async function closePoll(ws, poll) { return assertPoll(ok(await ws.request({ type: 'poll.close', poll_id: poll.id ?? poll }), 'poll.close').poll); }
const counts = (results) => Object.fromEntries(results.options.map((o) => [o.id, o.count]));
const pollEvents = (ws, id, event) => ws.received.map((m) => m.json)
  .filter((j) => j && j.type === 'event' && j.channel === `poll:${id}` && (event === undefined || j.event === event));

describe('polls', () => {
  let srv;
  let mod;
  let A;
  let B;
  let C;
  let period; // an open period most tests use
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    [A, B, C] = await Promise.all([member(srv, { display_name: 'Aino' }), member(srv, { display_name: 'Bertta' }), member(srv, { display_name: 'Cecilia' })]);
    period = await openPeriod(mod.ws);
  });
  after(async () => { for (const w of [mod, A, B, C]) w?.ws.destroy(); await stopClean(srv); });

  async function fresh(...who) { for (const w of who) await reconnect(srv, w); }

  // The database files as they are now: [[path, bytes], …].
  const dbFiles = () => [srv.db, `${srv.db}-wal`].filter((f) => existsSync(f)).map((f) => [f, readFileSync(f)]);
  // An open secret poll's voter tags (hex), checked to be findable in the files.
  function openTags(pollId, n) {
    const tags = sqlite(srv.db, `SELECT hex(voter_tag) FROM ballot WHERE poll_id = ${pollId};`).split('\n').filter(Boolean);
    assert.equal(tags.length, n, `${n} tagged ballots while open: ${JSON.stringify(tags)}`);
    for (const t of tags) {
      assert.ok(t.length >= 16, `a voter tag of at least 8 bytes while open: ${t}`);
      assert.ok(dbFiles().some(([, b]) => b.indexOf(Buffer.from(t, 'hex')) >= 0), `the open poll's tag ${t} is in the .db or -wal`);
    }
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM poll_key WHERE poll_id = ${pollId};`).trim(), '1', 'the poll has a key while open');
    return tags;
  }
  // After a secret poll closed: no ballot names or tags a member, the key is
  // gone, and no earlier tag is left in the bytes of the .db or the -wal.
  function assertUnlinked(pollId, tags, n) {
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot WHERE poll_id = ${pollId};`).trim(), String(n), 'the ballots stay');
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot WHERE poll_id = ${pollId} AND (member_id IS NOT NULL OR voter_tag IS NOT NULL OR cast_at IS NOT NULL);`).trim(), '0',
      'no ballot keeps member_id, voter_tag or cast_at');
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM poll_key WHERE poll_id = ${pollId};`).trim(), '0', 'the key is gone');
    const files = dbFiles();
    assert.ok(files.length >= 1);
    for (const [f, bytes] of files) {
      for (const t of tags) assert.equal(bytes.indexOf(Buffer.from(t, 'hex')), -1, `${f} still holds the voter tag ${t}`);
    }
  }

  test('permissions: an anonymous connection gets unauthenticated; members cannot create, update, close or read ballots', async () => {
    const poll = await createPoll(mod.ws, period.id);
    const { ws } = await openWs(srv);
    try {
      for (const m of [
        { type: 'poll.create', period_id: period.id, question: 'Q', kind: 'single', options: ['a', 'b'], results_visibility: 'always' },
        { type: 'poll.get', poll_id: poll.id },
        { type: 'poll.list', period_id: period.id },
        { type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id },
        { type: 'poll.update', poll_id: poll.id, results_visibility: 'moderators' },
        { type: 'poll.close', poll_id: poll.id },
        { type: 'poll.ballots', poll_id: poll.id },
        { type: 'subscribe', channel: `poll:${poll.id}` },
      ]) assertError(await ws.request(m), 'unauthenticated');
    } finally { ws.destroy(); }
    assertError(await createPollRaw(A.ws, period.id), 'forbidden');
    assertError(await A.ws.request({ type: 'poll.update', poll_id: poll.id, results_visibility: 'moderators' }), 'forbidden');
    assertError(await A.ws.request({ type: 'poll.close', poll_id: poll.id }), 'forbidden');
    assertError(await A.ws.request({ type: 'poll.ballots', poll_id: poll.id }), 'forbidden');
    const still = await getPoll(A.ws, poll);
    assert.equal(still.status, 'open');
    assert.equal(still.results_visibility, 'always');
  });

  test('single: one option id; counts per option; poll.get and poll.list for a member', async () => {
    const { topic } = await createTopic(mod.ws, period.id);
    const poll = await createPoll(mod.ws, period.id, { topic_id: topic.id, help: 'Valitse yksi.' });
    assert.equal(poll.kind, 'single');
    assert.equal(poll.topic_id, topic.id);
    assert.equal(poll.period_id, period.id);
    assert.equal(poll.help, 'Valitse yksi.');
    assert.deepEqual(poll.options.map((o) => o.label), ['Selkeä kieli', 'Kuvat', 'Yhteystiedot']);
    assert.equal(poll.status, 'open');
    assert.equal(poll.secret, false, 'secret defaults to false');
    assert.equal(poll.closes_at, null);
    assert.equal(poll.voters, 0);
    const [o1, o2, o3] = poll.options.map((o) => o.id);

    const a = await voteOk(A.ws, poll, o1);
    assert.equal(a.voted, true);
    assert.equal(a.my_answer, o1);
    assert.equal(a.voters, 1);
    await voteOk(B.ws, poll, o1);
    const c = await voteOk(C.ws, poll, o3);
    assert.equal(c.voters, 3);
    assert.deepEqual(counts(c.results), { [o1]: 2, [o2]: 0, [o3]: 1 });
    assert.deepEqual(c.results.options.map((o) => o.id), [o1, o2, o3], 'results list every option');

    const g = await getPoll(B.ws, poll);
    assert.equal(g.my_answer, o1);
    assert.equal(g.voted, true);
    const other = await createPoll(mod.ws, period.id);
    const l = ok(await A.ws.request({ type: 'poll.list', period_id: period.id }), 'poll.list');
    assert.ok(Array.isArray(l.polls));
    const ids = l.polls.map((p) => p.id);
    assert.ok(ids.indexOf(other.id) >= 0 && ids.indexOf(other.id) < ids.indexOf(poll.id), `newest first: ${ids}`);
    const lt = ok(await A.ws.request({ type: 'poll.list', period_id: period.id, topic_id: topic.id }), 'poll.list topic');
    assert.deepEqual(lt.polls.map((p) => p.id), [poll.id], 'only the topic\'s polls');
    assertError(await A.ws.request({ type: 'poll.get', poll_id: 999999 }), 'not_found');
  });

  test('multiple: min_picks / max_picks, defaults, and too few / too many / duplicate picks', async () => {
    const poll = await createPoll(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c', 'd'], min_picks: 2, max_picks: 3 });
    assert.equal(poll.min_picks, 2);
    assert.equal(poll.max_picks, 3);
    const [o1, o2, o3, o4] = poll.options.map((o) => o.id);
    assertError(await vote(A.ws, poll, [o1]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, [o1, o2, o3, o4]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, [o1, o1]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, [o1, o2, o2]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, o1), 'invalid_field', 'answer');
    assert.equal((await getPoll(A.ws, poll)).voters, 0, 'refused votes count for nothing');
    const a = await voteOk(A.ws, poll, [o1, o2]);
    assert.deepEqual([...a.my_answer].sort(), [o1, o2].sort());
    const b = await voteOk(B.ws, poll, [o2, o3, o4]);
    assert.equal(b.voters, 2);
    assert.deepEqual(counts(b.results), { [o1]: 1, [o2]: 2, [o3]: 1, [o4]: 1 });

    const d = await createPoll(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c'] });
    assert.equal(d.min_picks, 1, 'min_picks defaults to 1');
    assert.equal(d.max_picks, 3, 'max_picks defaults to the number of options');
    assertError(await createPollRaw(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c'], min_picks: 3, max_picks: 2 }), 'invalid_field');
    assertError(await createPollRaw(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c'], max_picks: 4 }), 'invalid_field');
    assertError(await createPollRaw(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c'], min_picks: 0 }), 'invalid_field');
  });

  test('scale: labels, a whole number from min to max, counts per value and the mean', async () => {
    const poll = await createPoll(mod.ws, period.id, { kind: 'scale', scale: { min: 0, max: 4, min_label: 'Ei lainkaan', max_label: 'Täysin' } });
    assert.deepEqual(poll.scale, { min: 0, max: 4, min_label: 'Ei lainkaan', max_label: 'Täysin' });
    assert.ok(poll.results, 'always: results at once');
    assert.equal(poll.results.mean, null, 'mean is null with no votes');
    assert.deepEqual(poll.results.values.map((v) => v.value), [0, 1, 2, 3, 4]);
    for (const bad of [-1, 5, 2.5, '3', [3], true, {}]) assertError(await vote(A.ws, poll, bad), 'invalid_field', 'answer');
    await voteOk(A.ws, poll, 0);
    await voteOk(B.ws, poll, 4);
    const c = await voteOk(C.ws, poll, 4);
    assert.equal(c.my_answer, 4);
    assert.equal(c.results.voters, 3);
    assert.deepEqual(c.results.values, [{ value: 0, count: 1 }, { value: 1, count: 0 }, { value: 2, count: 0 }, { value: 3, count: 0 }, { value: 4, count: 2 }]);
    assert.ok(Math.abs(c.results.mean - 8 / 3) < 0.01, `mean ${c.results.mean}`);

    // creation rules: min 0–1, max 2–10, labels 0–60 characters
    const scale = (s) => createPollRaw(mod.ws, period.id, { kind: 'scale', scale: { min: 1, max: 5, min_label: '', max_label: '', ...s } });
    ok(await scale({ min_label: '', max_label: 'x'.repeat(60) }), 'empty and 60-character labels');
    assertError(await scale({ min: 2 }), 'invalid_field');
    assertError(await scale({ max: 11 }), 'invalid_field');
    assertError(await scale({ min: 1, max: 1 }), 'invalid_field');
    const long = await scale({ max_label: 'x'.repeat(61) });
    assert.ok(['too_long', 'invalid_field'].includes(long.error?.code), `a 61-character label: ${JSON.stringify(long)}`);
  });

  test('ranking: every option once, points n−1 … 0, mean_rank from 1, best first', async () => {
    const poll = await createPoll(mod.ws, period.id, { kind: 'ranking', options: ['x', 'y', 'z'] });
    const [x, y, z] = poll.options.map((o) => o.id);
    assertError(await vote(A.ws, poll, [x, y]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, [x, y, y]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, [x, y, z, x]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, poll, x), 'invalid_field', 'answer');
    await voteOk(A.ws, poll, [y, x, z]);
    await voteOk(B.ws, poll, [y, z, x]);
    const c = await voteOk(C.ws, poll, [x, y, z]);
    assert.deepEqual(c.my_answer, [x, y, z]);
    // y: 2+2+1 = 5, ranks 1,1,2; x: 1+0+2 = 3, ranks 2,3,1; z: 0+1+0 = 1, ranks 3,2,3
    assert.deepEqual(c.results.options.map((o) => o.id), [y, x, z], `best first: ${JSON.stringify(c.results)}`);
    assert.deepEqual(c.results.options.map((o) => o.points), [5, 3, 1]);
    const mr = c.results.options.map((o) => o.mean_rank);
    for (const [got, want] of [[mr[0], 4 / 3], [mr[1], 2], [mr[2], 8 / 3]]) assert.ok(Math.abs(got - want) < 0.01, `mean_rank ${mr}`);
    assertError(await createPollRaw(mod.ws, period.id, { kind: 'ranking', options: Array.from({ length: 11 }, (_, i) => `o${i}`) }), 'invalid_field');
  });

  test('bad votes: another poll\'s option, out of range ids, wrong types, and unknown polls', async () => {
    const p1 = await createPoll(mod.ws, period.id);
    const p2 = await createPoll(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c'] });
    const foreign = p2.options[0].id;
    assertError(await vote(A.ws, p1, foreign), 'invalid_field', 'answer');
    assertError(await vote(A.ws, p2, [p1.options[0].id]), 'invalid_field', 'answer');
    assertError(await vote(A.ws, p2, [p2.options[0].id, p1.options[0].id]), 'invalid_field', 'answer');
    for (const bad of [0, -1, 2 ** 40, 1.5, 'x', String(p1.options[0].id), [p1.options[0].id], {}, true]) {
      assertError(await vote(A.ws, p1, bad), 'invalid_field', 'answer');
    }
    for (const bad of [[], [p2.options[0].id, 'x'], 'x', {}]) assertError(await vote(A.ws, p2, bad), 'invalid_field', 'answer');
    // null is the same as leaving the field out (docs/protocol.md, Conventions)
    assertError(await A.ws.request({ type: 'poll.vote', poll_id: p1.id }), 'missing_field', 'answer');
    assertError(await vote(A.ws, p1, null), 'missing_field', 'answer');
    assertError(await A.ws.request({ type: 'poll.vote', answer: p1.options[0].id }), 'missing_field', 'poll_id');
    assertError(await vote(A.ws, 999999, 1), 'not_found');
    assertError(await A.ws.request({ type: 'poll.vote', poll_id: 'x', answer: 1 }), 'invalid_field');
    assert.equal((await getPoll(A.ws, p1)).voters, 0);
    assert.equal((await getPoll(A.ws, p2)).voters, 0);
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot WHERE poll_id IN (${p1.id}, ${p2.id});`).trim(), '0');
  });

  test('poll.create: required fields, lengths and limits', async () => {
    const base = { type: 'poll.create', period_id: period.id, question: 'Q?', kind: 'single', options: ['a', 'b'], results_visibility: 'always' };
    const req = (f) => mod.ws.request({ ...base, ...f });
    const without = (k) => { const m = { ...base }; delete m[k]; return mod.ws.request(m); };
    for (const k of ['period_id', 'question', 'kind', 'results_visibility', 'options']) assertError(await without(k), 'missing_field', k);
    assertError(await mod.ws.request({ ...base, kind: 'scale', options: undefined }), 'missing_field', 'scale');
    assertError(await req({ question: '' }), 'invalid_field', 'question');
    assert.equal(assertError(await req({ question: 'x'.repeat(301) }), 'too_long', 'question').limit, 300);
    assertError(await req({ question: null }), 'missing_field', 'question');
    ok(await req({ question: 'x'.repeat(300) }), '300-character question');
    assert.equal(assertError(await req({ help: 'x'.repeat(2001) }), 'too_long', 'help').limit, 2000);
    ok(await req({ help: '' }), 'empty help');
    assertError(await req({ kind: 'essay' }), 'invalid_field', 'kind');
    assertError(await req({ results_visibility: 'everyone' }), 'invalid_field', 'results_visibility');
    assertError(await req({ options: ['a'] }), 'invalid_field', 'options');
    assertError(await req({ options: Array.from({ length: 21 }, (_, i) => `o${i}`) }), 'invalid_field', 'options');
    ok(await req({ options: Array.from({ length: 20 }, (_, i) => `o${i}`) }), '20 options');
    assertError(await req({ options: ['a', 'a'] }), 'invalid_field', 'options');
    assertError(await req({ options: ['a', ''] }), 'invalid_field', 'options');
    const long = await req({ options: ['a', 'x'.repeat(201)] });
    assert.ok(['too_long', 'invalid_field'].includes(long.error?.code), `a 201-character option: ${JSON.stringify(long)}`);
    assertError(await req({ secret: 'yes' }), 'invalid_field', 'secret');
    assertError(await req({ closes_at: at(-60000) }), 'invalid_field', 'closes_at');
    assertError(await req({ closes_at: at(60 * DAY) }), 'invalid_field', 'closes_at');
    assertError(await req({ period_id: 999999 }), 'not_found');
    const other = await openPeriod(mod.ws);
    const { topic } = await createTopic(mod.ws, other.id);
    const wrongTopic = await req({ topic_id: topic.id });
    assert.ok(['invalid_field', 'not_found'].includes(wrongTopic.error?.code), `a topic of another period: ${JSON.stringify(wrongTopic)}`);
  });

  // Each visibility rule as a member sees it before voting, after voting and
  // after closing (also one who never voted), and as a moderator.
  for (const [vis, before, afterVote, afterClose] of [
    ['always', true, true, true],
    ['after_vote', false, true, true],
    ['after_close', false, false, true],
    ['moderators', false, false, false],
  ]) {
    test(`results_visibility ${vis}: member before voting ${before}, after voting ${afterVote}, after closing ${afterClose}; moderator always`, async () => {
      const poll = await createPoll(mod.ws, period.id, { results_visibility: vis });
      const o = poll.options[0].id;
      assert.equal(poll.results_visibility, vis);
      assert.ok(poll.results, 'the moderator sees results in the create reply');
      await voteOk(B.ws, poll, o);
      const seen = (p) => p.results !== null;
      const a0 = await getPoll(A.ws, poll);
      assert.equal(a0.voted, false);
      assert.equal(a0.my_answer, null);
      assert.equal(a0.voters, 1, 'voters is public');
      assert.equal(seen(a0), before, `before voting: ${JSON.stringify(a0.results)}`);
      const a1 = await voteOk(A.ws, poll, o);
      assert.equal(seen(a1), afterVote, `in the vote reply: ${JSON.stringify(a1.results)}`);
      assert.equal(seen(await getPoll(A.ws, poll)), afterVote, 'after voting');
      const m = await getPoll(mod.ws, poll);
      assert.ok(m.results, 'a moderator sees the results while open');
      assert.deepEqual(counts(m.results), { [o]: 2, [poll.options[1].id]: 0, [poll.options[2].id]: 0 });
      const listed = ok(await C.ws.request({ type: 'poll.list', period_id: period.id }), 'poll.list').polls.find((p) => p.id === poll.id);
      assert.equal(seen(listed), before, 'poll.list follows the same rule');
      await closePoll(mod.ws, poll);
      const a2 = await getPoll(A.ws, poll);
      assert.equal(seen(a2), afterClose, `after closing, a voter: ${JSON.stringify(a2.results)}`);
      assert.equal(seen(await getPoll(C.ws, poll)), afterClose, 'after closing, a member who never voted');
      const m2 = await getPoll(mod.ws, poll);
      assert.ok(m2.results, 'a moderator sees the results after closing');
      assert.equal(m2.results.voters, 2);
    });
  }

  test('changing one\'s vote replaces the earlier answer; voters stays the same', async () => {
    const poll = await createPoll(mod.ws, period.id);
    const [o1, o2] = poll.options.map((o) => o.id);
    await voteOk(A.ws, poll, o1);
    const r = await voteOk(A.ws, poll, o2);
    assert.equal(r.my_answer, o2);
    assert.equal(r.voters, 1);
    assert.equal(counts(r.results)[o1], 0);
    assert.equal(counts(r.results)[o2], 1);
    const s = await createPoll(mod.ws, period.id, { secret: true, kind: 'multiple', options: ['a', 'b', 'c'] });
    const [s1, s2, s3] = s.options.map((o) => o.id);
    await voteOk(A.ws, s, [s1, s2]);
    const t = await voteOk(A.ws, s, [s3]);
    assert.deepEqual(t.my_answer, [s3], 'a secret poll shows my answer while open');
    assert.equal(t.voters, 1);
    assert.deepEqual(counts(t.results), { [s1]: 0, [s2]: 0, [s3]: 1 });
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot WHERE poll_id = ${s.id};`).trim(), '1');
  });

  for (const secret of [false, true]) {
    test(`one ballot per member: 10 votes at once from each of 5 connections of one member (${secret ? 'secret' : 'named'})`, async () => {
      const poll = await createPoll(mod.ws, period.id, { secret, kind: 'multiple', options: ['a', 'b', 'c'] });
      const ids = poll.options.map((o) => o.id);
      const conns = await Promise.all(Array.from({ length: 5 }, () => openWs(srv, { cookie: A.cookie })));
      try {
        const replies = await Promise.all(conns.map(({ ws }, c) => pipeline(ws,
          Array.from({ length: 10 }, (_, i) => ({ type: 'poll.vote', poll_id: poll.id, answer: [ids[(c + i) % 3]] })))));
        for (const r of replies.flat()) ok(r, 'a concurrent vote');
        for (const r of replies.flat()) assert.equal(r.poll.voters, 1, `voters in a reply: ${JSON.stringify(r.poll)}`);
      } finally { for (const { ws } of conns) ws.destroy(); }
      const g = await getPoll(A.ws, poll);
      assert.equal(g.voters, 1);
      assert.equal(g.results.voters, 1);
      assert.equal(g.results.options.reduce((n, o) => n + o.count, 0), 1, `one pick counted: ${JSON.stringify(g.results)}`);
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot WHERE poll_id = ${poll.id};`).trim(), '1');
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot_choice WHERE ballot_id IN (SELECT id FROM ballot WHERE poll_id = ${poll.id});`).trim(), '1');
    });
  }

  test('named poll: poll.ballots lists who voted what; members cannot read it', async () => {
    const poll = await createPoll(mod.ws, period.id, { kind: 'multiple', options: ['a', 'b', 'c'] });
    const [o1, o2, o3] = poll.options.map((o) => o.id);
    await voteOk(A.ws, poll, [o1, o3]);
    await voteOk(B.ws, poll, [o2]);
    const r = ok(await mod.ws.request({ type: 'poll.ballots', poll_id: poll.id }), 'poll.ballots');
    assert.ok(Array.isArray(r.ballots));
    const byMember = Object.fromEntries(r.ballots.map((b) => [b.member.id, b]));
    assert.equal(r.ballots.length, 2);
    assert.deepEqual(byMember[A.member.id].member, { id: A.member.id, display_name: 'Aino' });
    assert.deepEqual([...byMember[A.member.id].answer].sort(), [o1, o3].sort());
    assert.deepEqual(byMember[B.member.id].answer, [o2]);
    assertError(await B.ws.request({ type: 'poll.ballots', poll_id: poll.id }), 'forbidden');
    assertError(await mod.ws.request({ type: 'poll.ballots', poll_id: 999999 }), 'not_found');
    // still readable after closing
    await closePoll(mod.ws, poll);
    assert.equal(ok(await mod.ws.request({ type: 'poll.ballots', poll_id: poll.id })).ballots.length, 2);
  });

  test('secret poll: poll.ballots is forbidden; after closing my_answer is null and voted stays true', async () => {
    const poll = await createPoll(mod.ws, period.id, { secret: true });
    assert.equal(poll.secret, true);
    const o = poll.options[1].id;
    await voteOk(A.ws, poll, o);
    assertError(await mod.ws.request({ type: 'poll.ballots', poll_id: poll.id }), 'forbidden');
    assert.equal((await getPoll(A.ws, poll)).my_answer, o, 'my own answer while open');
    await closePoll(mod.ws, poll);
    const g = await getPoll(A.ws, poll);
    assert.equal(g.voted, true);
    assert.equal(g.my_answer, null);
    assert.equal(counts(g.results)[o], 1, 'the ballot still counts');
    assert.equal((await getPoll(B.ws, poll)).voted, false);
    assertError(await mod.ws.request({ type: 'poll.ballots', poll_id: poll.id }), 'forbidden');
  });

  test('secret poll closed: no link from ballot to member in the database, its key gone, and the old tags in neither .db nor .db-wal', async () => {
    const poll = await createPoll(mod.ws, period.id, { secret: true, kind: 'ranking', options: ['x', 'y', 'z'] });
    const ids = poll.options.map((o) => o.id);
    await voteOk(A.ws, poll, ids);
    await voteOk(B.ws, poll, [ids[2], ids[1], ids[0]]);
    await voteOk(C.ws, poll, [ids[1], ids[0], ids[2]]);
    await voteOk(A.ws, poll, [ids[1], ids[2], ids[0]]); // a changed vote rewrites a row
    const rows = sqlite(srv.db, `SELECT member_id IS NULL, cast_at IS NULL FROM ballot WHERE poll_id = ${poll.id};`)
      .split('\n').filter(Boolean).map((l) => l.split('|'));
    for (const r of rows) { assert.equal(r[0], '1', 'a secret ballot has no member_id'); assert.equal(r[1], '1', 'a secret ballot has no time'); }
    const tags = openTags(poll.id, 3);
    assert.equal(new Set(tags).size, 3, 'distinct tags');
    const ballotIds = sqlite(srv.db, `SELECT id FROM ballot WHERE poll_id = ${poll.id} ORDER BY id;`).split('\n').filter(Boolean).map(Number);
    assert.ok(!(ballotIds[1] === ballotIds[0] + 1 && ballotIds[2] === ballotIds[1] + 1), `ballot ids are not sequential: ${ballotIds}`);

    await closePoll(mod.ws, poll);
    assertUnlinked(poll.id, tags, 3);
    // the result is intact
    const g = await getPoll(mod.ws, poll);
    assert.equal(g.voters, 3);
    // final answers: A [y, z, x], B [z, y, x], C [y, x, z] → y 5, z 3, x 1
    assert.deepEqual(g.results.options.map((o) => o.id), [ids[1], ids[2], ids[0]]);
    assert.deepEqual(g.results.options.map((o) => o.points), [5, 3, 1]);
  });

  test('poll.update: anything before votes; after, results_visibility only tightens and secret stays; secret never becomes named', async () => {
    const poll = await createPoll(mod.ws, period.id, { results_visibility: 'after_close' });
    const upd = (f) => mod.ws.request({ type: 'poll.update', poll_id: poll.id, ...f });
    let r = ok(await upd({ results_visibility: 'always' }), 'loosen before votes');
    assertPoll(r.poll);
    assert.equal(r.poll.results_visibility, 'always');
    assertError(await upd({ results_visibility: 'public' }), 'invalid_field', 'results_visibility');
    assertError(await upd({ secret: 1 }), 'invalid_field', 'secret');
    assertError(await mod.ws.request({ type: 'poll.update', poll_id: 999999, results_visibility: 'always' }), 'not_found');
    await voteOk(A.ws, poll, poll.options[0].id);
    r = ok(await upd({ results_visibility: 'after_vote' }), 'tighten after votes');
    assert.equal(r.poll.results_visibility, 'after_vote');
    assertError(await upd({ results_visibility: 'always' }), 'conflict');
    r = ok(await upd({ results_visibility: 'moderators' }), 'tighten to moderators');
    for (const v of ['always', 'after_vote', 'after_close']) assertError(await upd({ results_visibility: v }), 'conflict');
    assertError(await upd({ secret: true }), 'conflict');
    const g = await getPoll(mod.ws, poll);
    assert.equal(g.results_visibility, 'moderators');
    assert.equal(g.secret, false);

    const s = await createPoll(mod.ws, period.id, { secret: true });
    assertError(await mod.ws.request({ type: 'poll.update', poll_id: s.id, secret: false }), 'conflict');
    const n = await createPoll(mod.ws, period.id);
    r = ok(await mod.ws.request({ type: 'poll.update', poll_id: n.id, secret: true }), 'named → secret with no votes');
    assert.equal(r.poll.secret, true);
    assertError(await mod.ws.request({ type: 'poll.update', poll_id: n.id, secret: false }), 'conflict');
    await voteOk(A.ws, n, n.options[0].id);
    assert.equal(sqlite(srv.db, `SELECT count(*) FROM ballot WHERE poll_id = ${n.id} AND member_id IS NULL AND voter_tag IS NOT NULL;`).trim(), '1',
      'a poll made secret keeps its ballot unnamed');
    await closePoll(mod.ws, n);
    assertError(await mod.ws.request({ type: 'poll.update', poll_id: n.id, results_visibility: 'moderators' }), 'conflict');
  });

  test('poll.close by a moderator: subscribers see poll.changed closed live; closing again and voting are conflicts', async () => {
    await fresh(A, B);
    const poll = await createPoll(mod.ws, period.id, { results_visibility: 'after_close' });
    const ch = `poll:${poll.id}`;
    await subscribe(A.ws, ch);
    await subscribe(B.ws, ch);
    await voteOk(A.ws, poll, poll.options[0].id);
    const closed = await closePoll(mod.ws, poll);
    assert.equal(closed.status, 'closed');
    assert.match(closed.closed_at, ISO_MS);
    for (const w of [A, B]) {
      const e = await nextEvent(w.ws, ch, 'poll.changed', (x) => x.data.status === 'closed');
      assertPoll(e.data, { event: true });
      assert.equal(e.data.id, poll.id);
      assert.ok(Number.isInteger(e.seq));
      // after_close: results now reach both, without subscribing again
      const res = await nextEvent(w.ws, ch, 'poll.results');
      assert.equal(res.data.poll_id, poll.id);
      assert.equal(res.data.results.voters, 1);
    }
    assertError(await mod.ws.request({ type: 'poll.close', poll_id: poll.id }), 'conflict');
    assertError(await vote(B.ws, poll, poll.options[0].id), 'conflict');
    assertError(await vote(A.ws, poll, poll.options[1].id), 'conflict');
    assertError(await mod.ws.request({ type: 'poll.close', poll_id: 999999 }), 'not_found');
    assert.equal((await getPoll(A.ws, poll)).my_answer, poll.options[0].id, 'the refused change left the named answer');
  });

  test('closes_at: the poll closes by itself and subscribers see it live', async () => {
    await fresh(A);
    const poll = await createPoll(mod.ws, period.id, { closes_at: at(2000), results_visibility: 'after_close' });
    assert.match(poll.closes_at, ISO_MS);
    const ch = `poll:${poll.id}`;
    await subscribe(A.ws, ch);
    await voteOk(A.ws, poll, poll.options[2].id);
    const e = await nextEvent(A.ws, ch, 'poll.changed', (x) => x.data.status === 'closed', { timeout: 8000 });
    assertPoll(e.data, { event: true });
    assert.ok(Date.parse(e.data.closed_at) >= Date.parse(poll.closes_at) - 1000, `closed_at ${e.data.closed_at} near closes_at ${poll.closes_at}`);
    await nextEvent(A.ws, ch, 'poll.results', (x) => x.data.poll_id === poll.id);
    assertError(await vote(A.ws, poll, poll.options[0].id), 'conflict');
    const g = await getPoll(B.ws, poll);
    assert.equal(g.status, 'closed');
    assert.ok(g.results, 'after_close results after the timed close');
  });

  test('periods: a poll may be made in an upcoming period but votes wait for it to open; a closed period takes its polls with it', async () => {
    const up = await createPeriod(mod.ws);
    ok(await mod.ws.request({ type: 'period.announce', period_id: up.id }), 'period.announce');
    const pu = await createPoll(mod.ws, up.id);
    assertError(await vote(A.ws, pu, pu.options[0].id), 'period_not_open');

    const draft = await createPeriod(mod.ws);
    const pd = await createPoll(mod.ws, draft.id);
    assertError(await A.ws.request({ type: 'poll.get', poll_id: pd.id }), 'not_found');
    const dl = await A.ws.request({ type: 'poll.list', period_id: draft.id });
    assertError(dl, 'not_found');

    const p = await openPeriod(mod.ws);
    const poll = await createPoll(mod.ws, p.id);
    await subscribe(B.ws, `poll:${poll.id}`);
    await voteOk(A.ws, poll, poll.options[0].id);
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }), 'period.close');
    const e = await nextEvent(B.ws, `poll:${poll.id}`, 'poll.changed', (x) => x.data.status === 'closed');
    assert.equal(e.data.id, poll.id);
    assertError(await vote(A.ws, poll, poll.options[1].id), 'period_closed');
    assertError(await createPollRaw(mod.ws, p.id), 'period_closed');
    assert.equal((await getPoll(A.ws, poll)).status, 'closed');
  });

  test('live: votes arriving at once reach subscribers as coalesced poll.changed and poll.results', async () => {
    await fresh(A, B);
    const poll = await createPoll(mod.ws, period.id, { kind: 'single' });
    const ch = `poll:${poll.id}`;
    await subscribe(A.ws, ch);
    await subscribe(B.ws, ch);
    const voters = await Promise.all(Array.from({ length: 20 }, (_, i) => member(srv, { display_name: `Äänestäjä ${i}` })));
    try {
      const t0 = Date.now();
      const replies = await Promise.all(voters.map((v, i) => vote(v.ws, poll, poll.options[i % 3].id)));
      for (const r of replies) ok(r, 'a vote');
      for (const w of [A, B]) {
        const e = await nextEvent(w.ws, ch, 'poll.results', (x) => x.data.results.voters === 20, { timeout: 5000 });
        assert.equal(e.data.poll_id, poll.id);
        assert.deepEqual(e.data.results.options.map((o) => o.count), [7, 7, 6]);
        await nextEvent(w.ws, ch, 'poll.changed', (x) => x.data.voters === 20);
      }
      const elapsed = Date.now() - t0;
      await settle(A.ws);
      await settle(B.ws);
      for (const w of [A, B]) {
        const results = pollEvents(w.ws, poll.id, 'poll.results');
        const changed = pollEvents(w.ws, poll.id, 'poll.changed');
        assert.ok(results.length < 20, `20 votes gave ${results.length} poll.results events`);
        assert.ok(changed.length < 20, `20 votes gave ${changed.length} poll.changed events`);
        const bound = Math.ceil(elapsed / 250) + 1;
        assert.ok(results.length <= bound, `${results.length} poll.results in ${elapsed} ms (at most one per 250 ms)`);
        for (let i = 1; i < results.length; i++) {
          assert.ok(results[i].data.results.voters >= results[i - 1].data.results.voters, 'voters only grow');
          assert.ok(results[i].seq > results[i - 1].seq, 'seq grows');
        }
        const times = w.ws.received.filter((m) => m.json?.type === 'event' && m.json.channel === ch && m.json.event === 'poll.results').map((m) => m.at);
        for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 200, `poll.results ${times[i] - times[i - 1]} ms apart`);
      }
    } finally { for (const v of voters) v.ws.destroy(); }
  });

  test('live: on an after_vote poll a member gets poll.results only after voting, without subscribing again', async () => {
    await fresh(A, B, C);
    const poll = await createPoll(mod.ws, period.id, { results_visibility: 'after_vote' });
    const ch = `poll:${poll.id}`;
    await subscribe(A.ws, ch);
    await subscribe(B.ws, ch);
    await subscribe(mod.ws, ch);
    await voteOk(B.ws, poll, poll.options[0].id);
    // A sees the count change but no results
    await nextEvent(A.ws, ch, 'poll.changed', (x) => x.data.voters === 1);
    await nextEvent(B.ws, ch, 'poll.results', (x) => x.data.results.voters === 1);
    await nextEvent(mod.ws, ch, 'poll.results', (x) => x.data.results.voters === 1);
    await settle(A.ws);
    assert.deepEqual(pollEvents(A.ws, poll.id, 'poll.results'), [], 'no results before voting');
    await voteOk(A.ws, poll, poll.options[1].id);
    await nextEvent(A.ws, ch, 'poll.changed', (x) => x.data.voters === 2);
    const before = pollEvents(A.ws, poll.id, 'poll.results').length;
    await voteOk(C.ws, poll, poll.options[1].id);
    const e = await nextEvent(A.ws, ch, 'poll.results', (x) => x.data.results.voters === 3);
    assert.deepEqual(counts(e.data.results), { [poll.options[0].id]: 1, [poll.options[1].id]: 2, [poll.options[2].id]: 0 });
    assert.ok(pollEvents(A.ws, poll.id, 'poll.results').length >= before + 1);
  });

  test('subscribe to poll:<id> with since catches up with the poll as the member sees it', async () => {
    await fresh(A);
    const poll = await createPoll(mod.ws, period.id, { results_visibility: 'after_vote' });
    const s = await subscribe(A.ws, `poll:${poll.id}`);
    await voteOk(A.ws, poll, poll.options[0].id);
    A.ws.destroy();
    await voteOk(B.ws, poll, poll.options[1].id);
    await reconnect(srv, A);
    const r = await subscribe(A.ws, `poll:${poll.id}`, { since: s.seq });
    assert.ok(Array.isArray(r.events), `catch-up events: ${JSON.stringify(r)}`);
    const e = r.events.find((x) => x.event === 'poll.changed');
    assert.ok(e, `a poll.changed in the catch-up: ${JSON.stringify(r.events)}`);
    assert.equal(e.data.id, poll.id);
    assert.equal(e.data.voters, 2);
    assert.equal(e.data.voted, true);
    assert.equal(e.data.my_answer, poll.options[0].id);
    assert.equal(e.data.results.voters, 2);
    assertError(await A.ws.request({ type: 'subscribe', channel: 'poll:999999' }), 'not_found');
  });
  test('secret polls closed by closes_at and by their period closing are unlinked too', async () => {
    const p = await openPeriod(mod.ws);
    const timed = await createPoll(mod.ws, p.id, { secret: true, closes_at: at(2000) });
    const byPeriod = await createPoll(mod.ws, p.id, { secret: true, kind: 'scale' });
    await subscribe(B.ws, `poll:${timed.id}`);
    await subscribe(B.ws, `poll:${byPeriod.id}`);
    await voteOk(A.ws, timed, timed.options[0].id);
    await voteOk(C.ws, timed, timed.options[1].id);
    await voteOk(A.ws, byPeriod, 3);
    await voteOk(B.ws, byPeriod, 5);
    const t1 = openTags(timed.id, 2);
    const t2 = openTags(byPeriod.id, 2);
    await nextEvent(B.ws, `poll:${timed.id}`, 'poll.changed', (x) => x.data.status === 'closed', { timeout: 8000 });
    await settle(mod.ws); // the close is committed and the WAL truncated before the event is sent
    assertUnlinked(timed.id, t1, 2);
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }), 'period.close');
    await nextEvent(B.ws, `poll:${byPeriod.id}`, 'poll.changed', (x) => x.data.status === 'closed');
    await settle(mod.ws);
    assertUnlinked(byPeriod.id, [...t1, ...t2], 2);
    const g = await getPoll(A.ws, byPeriod);
    assert.equal(g.voted, true);
    assert.equal(g.my_answer, null);
    assert.equal(g.results.mean, 4);
  });

  test('a vote sent right after its period closed gets period_closed', async () => {
    const p = await openPeriod(mod.ws);
    const poll = await createPoll(mod.ws, p.id);
    const closing = mod.ws.request({ type: 'period.close', period_id: p.id });
    await closing;
    assertError(await vote(A.ws, poll, poll.options[0].id), 'period_closed');
  });

  test('live: tightening results_visibility stops poll.results to members at once', async () => {
    await fresh(A, B);
    const poll = await createPoll(mod.ws, period.id, { results_visibility: 'always' });
    const ch = `poll:${poll.id}`;
    await subscribe(A.ws, ch);
    await voteOk(B.ws, poll, poll.options[0].id);
    await nextEvent(A.ws, ch, 'poll.results', (x) => x.data.results.voters === 1);
    ok(await mod.ws.request({ type: 'poll.update', poll_id: poll.id, results_visibility: 'moderators' }), 'poll.update');
    await nextEvent(A.ws, ch, 'poll.changed', (x) => x.data.results_visibility === 'moderators');
    const n = pollEvents(A.ws, poll.id, 'poll.results').length;
    await voteOk(C.ws, poll, poll.options[1].id);
    await nextEvent(A.ws, ch, 'poll.changed', (x) => x.data.voters === 2);
    await settle(A.ws);
    assert.equal(pollEvents(A.ws, poll.id, 'poll.results').length, n, 'no results after the tightening');
    assert.equal((await getPoll(A.ws, poll)).results, null);
  });
  test('live: on an after_vote poll, the voter\'s other connection (another tab) also starts getting poll.results', async () => {
    await fresh(A);
    const poll = await createPoll(mod.ws, period.id, { results_visibility: 'after_vote' });
    const ch = `poll:${poll.id}`;
    const { ws: tab2 } = await openWs(srv, { cookie: A.cookie });
    try {
      await subscribe(A.ws, ch);
      await subscribe(tab2, ch);
      await voteOk(A.ws, poll, poll.options[0].id);
      await nextEvent(A.ws, ch, 'poll.results', (x) => x.data.results.voters === 1);
      assert.ok((await getPoll(tab2, poll)).results, 'poll.get on the other tab shows the results');
      await voteOk(B.ws, poll, poll.options[1].id);
      const e = await nextEvent(tab2, ch, 'poll.results', (x) => x.data.results.voters === 2);
      assert.equal(e.data.poll_id, poll.id);
    } finally { tab2.destroy(); }
  });

  // Regression: each poll a connection watches with results visible also
  // holds a hidden results channel, which must not count against the 32
  // channels a client may ask for.
  test('32 poll channels with visible results fit; the 33rd channel is limit_reached', async () => {
    await fresh(A);
    const polls = await pipeline(mod.ws, Array.from({ length: 32 }, (_, i) => ({
      type: 'poll.create', period_id: period.id, question: `Raja ${i}?`, kind: 'single',
      options: ['a', 'b'], results_visibility: 'always',
    })));
    for (const r of polls) ok(r, 'poll.create');
    for (const r of polls) await subscribe(A.ws, `poll:${r.poll.id}`);
    assertError(await A.ws.request({ type: 'subscribe', channel: `period:${period.id}` }), 'limit_reached', 'channel');
    ok(await A.ws.request({ type: 'subscribe', channel: `poll:${polls[0].poll.id}` }), 'subscribing again to one it has is fine');
  });
});
