// Surveys (docs/protocol.md, "Surveys", and "Polls" for the choice kinds):
// survey.create with every question kind and every validation error, the
// feedback template in three languages, draft / open / closed and who sees
// what, survey.update, open / close / delete, closing by closes_at and by
// the period closing, survey.save (partial answers, replace semantics, every
// bad answer), survey.submit (required questions, once, allow_edit),
// survey.results, the CSV export, the live survey:<id> and period:<id>
// channels with catch-up, a secret survey leaving no link from response to
// member in the database once closed, one response per member under
// concurrent requests, and anonymous connections.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, openWs, assertError, assertHttpError, sqlite, sleep, ISO_MS } from './helpers.mjs';
import { get } from './http.mjs';
import {
  ok, at, DAY, member, moderator, createPeriod, openPeriod, reconnect,
  nextEvent, settle, subscribe, pipeline, stopClean,
} from './discuss.mjs';
import { leafCells as leafCellsByOffset } from './sqlitefile.mjs';

// ---- shapes -------------------------------------------------------------

export const SURVEY_KEYS = ['id', 'period_id', 'title', 'intro', 'secret', 'allow_edit', 'status', 'closes_at', 'template',
  'opened_at', 'closed_at', 'responses', 'questions', 'created_at', 'seq'];
export const QUESTION_KEYS = ['id', 'kind', 'text', 'help', 'required', 'options', 'min_picks', 'max_picks', 'scale'];
const KINDS = ['single', 'multiple', 'scale', 'ranking', 'short_text', 'long_text'];
const isId = (v) => Number.isInteger(v) && v > 0;

function assertQuestion(q) {
  assert.ok(q && typeof q === 'object', `question must be an object: ${JSON.stringify(q)}`);
  assert.deepEqual(Object.keys(q).sort(), [...QUESTION_KEYS].sort(), `question keys: ${JSON.stringify(q)}`);
  assert.ok(isId(q.id), `question id ${q.id}`);
  assert.ok(KINDS.includes(q.kind), `kind ${q.kind}`);
  assert.equal(typeof q.text, 'string');
  assert.equal(typeof q.help, 'string');
  assert.equal(typeof q.required, 'boolean');
  assert.ok(Array.isArray(q.options), `options is an array: ${JSON.stringify(q)}`);
  if (['single', 'multiple', 'ranking'].includes(q.kind)) {
    assert.ok(q.options.length >= 2, `a ${q.kind} question has options: ${JSON.stringify(q)}`);
    for (const o of q.options) {
      assert.deepEqual(Object.keys(o).sort(), ['id', 'label'], `option keys ${JSON.stringify(o)}`);
      assert.ok(isId(o.id)); assert.equal(typeof o.label, 'string');
    }
  } else {
    assert.deepEqual(q.options, [], `a ${q.kind} question has options []`);
  }
  if (q.kind === 'multiple') {
    assert.ok(Number.isInteger(q.min_picks) && Number.isInteger(q.max_picks), `picks of a multiple question: ${JSON.stringify(q)}`);
  } else {
    assert.equal(q.min_picks, null, `min_picks is null for ${q.kind}`);
    assert.equal(q.max_picks, null, `max_picks is null for ${q.kind}`);
  }
  if (q.kind === 'scale') {
    assert.ok(q.scale && typeof q.scale === 'object', `scale question has scale: ${JSON.stringify(q)}`);
    assert.deepEqual(Object.keys(q.scale).sort(), ['max', 'max_label', 'min', 'min_label']);
  } else {
    assert.equal(q.scale, null, `scale is null for ${q.kind}`);
  }
  return q;
}

// event: true for the survey.changed form (no my_response).
function assertSurvey(s, { event = false } = {}) {
  assert.ok(s && typeof s === 'object', `survey must be an object: ${JSON.stringify(s)}`);
  const want = event ? SURVEY_KEYS : [...SURVEY_KEYS, 'my_response'];
  assert.deepEqual(Object.keys(s).sort(), [...want].sort(), `survey keys (event: ${event}): ${JSON.stringify(s).slice(0, 1500)}`);
  assert.ok(isId(s.id) && isId(s.period_id));
  assert.equal(typeof s.title, 'string');
  assert.equal(typeof s.intro, 'string');
  assert.equal(typeof s.secret, 'boolean');
  assert.equal(typeof s.allow_edit, 'boolean');
  assert.ok(['draft', 'open', 'closed'].includes(s.status), `status ${s.status}`);
  assert.ok(s.closes_at === null || ISO_MS.test(s.closes_at), `closes_at ${s.closes_at}`);
  if (s.status === 'draft') { assert.equal(s.opened_at, null, 'a draft has opened_at null'); assert.equal(s.closed_at, null); }
  if (s.status === 'open') { assert.match(s.opened_at, ISO_MS, 'an open survey has opened_at'); assert.equal(s.closed_at, null); }
  if (s.status === 'closed') assert.match(s.closed_at, ISO_MS, 'a closed survey has closed_at');
  assert.ok(Number.isInteger(s.responses) && s.responses >= 0, `responses ${s.responses}`);
  assert.ok(Array.isArray(s.questions) && s.questions.length >= 1 && s.questions.length <= 50);
  for (const q of s.questions) assertQuestion(q);
  assert.match(s.created_at, ISO_MS);
  assert.ok(Number.isInteger(s.seq), `seq ${s.seq}`);
  if (!event && s.my_response !== null) {
    const r = s.my_response;
    assert.deepEqual(Object.keys(r).sort(), ['answers', 'status', 'submitted_at', 'updated_at'], `my_response keys: ${JSON.stringify(r)}`);
    assert.ok(['started', 'submitted'].includes(r.status), `my_response.status ${r.status}`);
    assert.ok(r.answers === null || (typeof r.answers === 'object' && !Array.isArray(r.answers)), `answers ${JSON.stringify(r.answers)}`);
    if (r.answers) for (const k of Object.keys(r.answers)) assert.ok(s.questions.some((q) => String(q.id) === k), `answer key ${k} names a question`);
    if (s.secret) {
      assert.equal(r.updated_at, null, 'a secret response has updated_at null');
      assert.equal(r.submitted_at, null, 'a secret response has submitted_at null');
    } else {
      assert.match(r.updated_at, ISO_MS, 'a named response has updated_at');
      if (r.status === 'submitted') assert.match(r.submitted_at, ISO_MS);
      else assert.equal(r.submitted_at, null);
    }
  }
  return s;
}

// ---- builders -----------------------------------------------------------

const Q = {
  single: (f = {}) => ({ kind: 'single', text: 'Mikä ohjeessa oli parasta?', options: ['Selkeä kieli', 'Kuvat', 'Yhteystiedot'], ...f }),
  multiple: (f = {}) => ({ kind: 'multiple', text: 'Mitkä auttoivat?', options: ['a', 'b', 'c', 'd'], min_picks: 2, max_picks: 3, ...f }),
  scale: (f = {}) => ({ kind: 'scale', text: 'Kuinka helppo ohjetta oli lukea?', scale: { min: 1, max: 5, min_label: 'Vaikea', max_label: 'Helppo' }, ...f }),
  ranking: (f = {}) => ({ kind: 'ranking', text: 'Järjestä tärkeimmästä', options: ['x', 'y', 'z'], ...f }),
  short: (f = {}) => ({ kind: 'short_text', text: 'Mikä sana oli vaikein?', ...f }),
  long: (f = {}) => ({ kind: 'long_text', text: 'Mitä pitäisi tehdä toisin?', ...f }),
};
// One question of every kind, in this order (indices used below).
const ALL = () => [Q.single({ required: true }), Q.multiple(), Q.scale(), Q.ranking(), Q.short(), Q.long()];

let surveyCounter = 0;
function createSurveyRaw(ws, periodId, fields = {}) {
  surveyCounter += 1;
  return ws.request({ type: 'survey.create', period_id: periodId, title: `Kysely ${surveyCounter}`, questions: ALL(), ...fields });
}
async function createSurvey(ws, periodId, fields = {}) {
  const s = assertSurvey(ok(await createSurveyRaw(ws, periodId, fields), 'survey.create').survey);
  assert.equal(s.status, 'draft', 'a survey starts as a draft');
  return s;
}
const sid = (s) => s.id ?? s;
async function openSurvey(ws, s) {
  const r = assertSurvey(ok(await ws.request({ type: 'survey.open', survey_id: sid(s) }), 'survey.open').survey);
  assert.equal(r.status, 'open');
  return r;
}
async function closeSurvey(ws, s) {
  const r = assertSurvey(ok(await ws.request({ type: 'survey.close', survey_id: sid(s) }), 'survey.close').survey);
  assert.equal(r.status, 'closed');
  return r;
}
// Creates a survey and opens it.
async function liveSurvey(ws, periodId, fields = {}) { return openSurvey(ws, await createSurvey(ws, periodId, fields)); }
async function getSurvey(ws, s) { return assertSurvey(ok(await ws.request({ type: 'survey.get', survey_id: sid(s) }), 'survey.get').survey); }
const save = (ws, s, answers) => ws.request({ type: 'survey.save', survey_id: sid(s), answers });
const submit = (ws, s, answers) => ws.request({ type: 'survey.submit', survey_id: sid(s), answers });
async function saveOk(ws, s, answers) { return assertSurvey(ok(await save(ws, s, answers), `survey.save ${JSON.stringify(answers)}`).survey); }
async function submitOk(ws, s, answers) { return assertSurvey(ok(await submit(ws, s, answers), `survey.submit ${JSON.stringify(answers)}`).survey); }
async function results(ws, s) { return ok(await ws.request({ type: 'survey.results', survey_id: sid(s) }), 'survey.results'); }

// The question ids and option ids of a survey made from ALL().
function ids(s) {
  const [single, multiple, scale, ranking, short, long] = s.questions;
  return {
    single: single.id, multiple: multiple.id, scale: scale.id, ranking: ranking.id, short: short.id, long: long.id,
    so: single.options.map((o) => o.id), mo: multiple.options.map((o) => o.id), ro: ranking.options.map((o) => o.id),
  };
}
const surveyEvents = (ws, channel, event = 'survey.changed') => ws.received.map((m) => m.json)
  .filter((j) => j && j.type === 'event' && j.channel === channel && j.event === event);

// ---- CSV ----------------------------------------------------------------

// Parses CSV where every cell must be quoted and every line must end in
// CRLF; returns rows of cells. Throws on anything else.
function parseStrictCsv(text, sep = ';') {
  const rows = [];
  let i = 0;
  while (i < text.length) {
    const row = [];
    for (;;) {
      assert.equal(text[i], '"', `every cell is quoted: at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
      i += 1;
      let cell = '';
      for (;;) {
        assert.ok(i < text.length, 'unterminated quoted cell');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
          i += 1; break;
        }
        cell += text[i]; i += 1;
      }
      row.push(cell);
      if (text[i] === sep) { i += 1; continue; }
      assert.equal(text.slice(i, i + 2), '\r\n', `a line ends in CRLF after a cell: ${JSON.stringify(text.slice(i, i + 10))}`);
      i += 2;
      break;
    }
    rows.push(row);
  }
  return rows;
}

// ---- the database (schema/005_surveys.sql) ----------------------------------

// The response table and its columns that could name a member: the tag
// (while open), member_id, and the times.
const SC = { response: 'survey_response', key: 'survey_key', tag: 'voter_tag', memberCols: ['member_id'], timeCols: ['updated_at', 'submitted_at'] };

describe('surveys', () => {
  let srv;
  let mod;
  let A;
  let B;
  let C;
  let period; // an open period most tests use
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    [A, B, C] = await Promise.all([
      member(srv, { display_name: 'Aino' }), member(srv, { display_name: 'Bertta' }), member(srv, { display_name: 'Cecilia' })]);
    period = await openPeriod(mod.ws, { title: 'Hyvä potilasohje' });
  });
  after(async () => { for (const w of [mod, A, B, C]) w?.ws.destroy(); await stopClean(srv); });

  async function fresh(...who) { for (const w of who) await reconnect(srv, w); }
  const dbFiles = () => [srv.db, `${srv.db}-wal`].filter((f) => existsSync(f)).map((f) => [f, readFileSync(f)]);

  // ---- permissions ------------------------------------------------------

  test('an anonymous connection gets unauthenticated for every survey message', async () => {
    const s = await liveSurvey(mod.ws, period.id);
    const { ws } = await openWs(srv);
    try {
      for (const m of [
        { type: 'survey.create', period_id: period.id, title: 'T', questions: [Q.short()] },
        { type: 'survey.create', period_id: period.id, template: 'feedback' },
        { type: 'survey.update', survey_id: s.id, title: 'T' },
        { type: 'survey.open', survey_id: s.id },
        { type: 'survey.close', survey_id: s.id },
        { type: 'survey.delete', survey_id: s.id },
        { type: 'survey.get', survey_id: s.id },
        { type: 'survey.list', period_id: period.id },
        { type: 'survey.save', survey_id: s.id, answers: {} },
        { type: 'survey.submit', survey_id: s.id, answers: { [s.questions[0].id]: s.questions[0].options[0].id } },
        { type: 'survey.results', survey_id: s.id },
        { type: 'subscribe', channel: `survey:${s.id}` },
      ]) assertError(await ws.request(m), 'unauthenticated');
    } finally { ws.destroy(); }
    assert.equal((await getSurvey(mod.ws, s)).status, 'open', 'nothing changed');
    assert.equal((await getSurvey(mod.ws, s)).responses, 0);
  });

  test('members cannot create, update, open, close, delete or read results (forbidden)', async () => {
    const d = await createSurvey(mod.ws, period.id);
    const o = await liveSurvey(mod.ws, period.id);
    assertError(await createSurveyRaw(A.ws, period.id), 'forbidden');
    assertError(await A.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback' }), 'forbidden');
    assertError(await A.ws.request({ type: 'survey.update', survey_id: o.id, title: 'Uusi' }), 'forbidden');
    assertError(await A.ws.request({ type: 'survey.close', survey_id: o.id }), 'forbidden');
    assertError(await A.ws.request({ type: 'survey.results', survey_id: o.id }), 'forbidden');
    // a draft is not_found for a member, or forbidden: either refuses
    for (const t of ['survey.open', 'survey.delete', 'survey.update']) {
      const r = await A.ws.request({ type: t, survey_id: d.id, title: 'x' });
      assert.ok(['forbidden', 'not_found'].includes(r.error?.code), `${t} of a draft by a member: ${JSON.stringify(r)}`);
    }
    assert.equal((await getSurvey(mod.ws, d)).status, 'draft');
    assert.equal((await getSurvey(mod.ws, o)).status, 'open');
    assert.equal((await getSurvey(mod.ws, o)).title, o.title);
  });

  // ---- survey.create ----------------------------------------------------

  test('survey.create: every question kind, required / optional, help; the object as documented', async () => {
    const closes = at(10 * DAY);
    const s = await createSurvey(mod.ws, period.id, {
      title: 'Potilasohjeen luettavuus', intro: 'Vastaaminen vie noin kolme minuuttia.', secret: false, allow_edit: true, closes_at: closes,
      questions: [
        Q.single({ required: true, help: 'Valitse yksi.' }),
        Q.multiple({ help: '' }),
        Q.scale({ required: true }),
        Q.ranking({ required: false }),
        Q.short({ help: 'Yksi sana riittää.' }),
        Q.long({ required: true }),
      ],
    });
    assert.equal(s.period_id, period.id);
    assert.equal(s.title, 'Potilasohjeen luettavuus');
    assert.equal(s.intro, 'Vastaaminen vie noin kolme minuuttia.');
    assert.equal(s.secret, false);
    assert.equal(s.allow_edit, true);
    assert.equal(s.status, 'draft');
    assert.equal(Date.parse(s.closes_at), Date.parse(closes));
    assert.equal(s.opened_at, null);
    assert.equal(s.closed_at, null);
    assert.equal(s.responses, 0);
    assert.equal(s.my_response, null, 'my_response is null for one who has not started');
    assert.deepEqual(s.questions.map((q) => q.kind), ['single', 'multiple', 'scale', 'ranking', 'short_text', 'long_text']);
    assert.deepEqual(s.questions.map((q) => q.required), [true, false, true, false, false, true]);
    assert.deepEqual(s.questions.map((q) => q.help), ['Valitse yksi.', '', '', '', 'Yksi sana riittää.', '']);
    assert.deepEqual(s.questions.map((q) => q.text), ['Mikä ohjeessa oli parasta?', 'Mitkä auttoivat?', 'Kuinka helppo ohjetta oli lukea?',
      'Järjestä tärkeimmästä', 'Mikä sana oli vaikein?', 'Mitä pitäisi tehdä toisin?']);
    assert.equal(new Set(s.questions.map((q) => q.id)).size, 6, 'distinct question ids');
    const [single, multiple, scale, ranking, short, long] = s.questions;
    assert.deepEqual(single.options.map((o) => o.label), ['Selkeä kieli', 'Kuvat', 'Yhteystiedot']);
    assert.deepEqual(multiple.options.map((o) => o.label), ['a', 'b', 'c', 'd']);
    assert.deepEqual([multiple.min_picks, multiple.max_picks], [2, 3]);
    assert.deepEqual(scale.scale, { min: 1, max: 5, min_label: 'Vaikea', max_label: 'Helppo' });
    assert.deepEqual(ranking.options.map((o) => o.label), ['x', 'y', 'z']);
    for (const q of [short, long]) assert.deepEqual([q.options, q.min_picks, q.max_picks, q.scale], [[], null, null, null]);

    // defaults: intro "", secret false, allow_edit false, closes_at null, required false, help ""
    const d = await createSurvey(mod.ws, period.id, { questions: [{ kind: 'short_text', text: 'Mitä?' }, Q.multiple({ min_picks: undefined, max_picks: undefined })] });
    assert.equal(d.intro, '');
    assert.equal(d.secret, false);
    assert.equal(d.allow_edit, false);
    assert.equal(d.closes_at, null);
    assert.equal(d.questions[0].required, false);
    assert.equal(d.questions[0].help, '');
    assert.equal(d.questions[1].min_picks, 1, 'min_picks defaults to 1');
    assert.equal(d.questions[1].max_picks, 4, 'max_picks defaults to the number of options');

    // fields that do not belong to the kind are ignored
    const ig = await createSurvey(mod.ws, period.id, { questions: [
      { kind: 'short_text', text: 'Teksti', options: ['a', 'b'], scale: { min: 1, max: 5 }, min_picks: 1 },
      { kind: 'scale', text: 'Asteikko', options: ['a', 'b'], min_picks: 1, max_picks: 2, scale: { min: 0, max: 10, min_label: '', max_label: '' } },
      { kind: 'single', text: 'Yksi', options: ['a', 'b'], scale: { min: 1, max: 5 }, min_picks: 1, max_picks: 2 },
    ] });
    assert.deepEqual([ig.questions[0].options, ig.questions[0].scale, ig.questions[0].min_picks], [[], null, null]);
    assert.deepEqual([ig.questions[1].options, ig.questions[1].min_picks, ig.questions[1].max_picks], [[], null, null]);
    assert.deepEqual(ig.questions[1].scale, { min: 0, max: 10, min_label: '', max_label: '' });
    assert.deepEqual([ig.questions[2].scale, ig.questions[2].min_picks, ig.questions[2].max_picks], [null, null, null]);

    // the moderator can read the draft back; survey.list has it
    const g = await getSurvey(mod.ws, s);
    assert.deepEqual(g.questions, s.questions);
    const l = ok(await mod.ws.request({ type: 'survey.list', period_id: period.id }), 'survey.list');
    assert.ok(Array.isArray(l.surveys));
    const order = l.surveys.map((x) => x.id);
    assert.ok(order.includes(s.id) && order.includes(d.id) && order.indexOf(ig.id) < order.indexOf(d.id) && order.indexOf(d.id) < order.indexOf(s.id),
      `newest first: ${order}`);
  });

  test('survey.create: 1 and 50 questions; 0 or 51 are invalid_field questions', async () => {
    ok(await createSurveyRaw(mod.ws, period.id, { questions: [Q.short()] }), 'one question');
    const fifty = Array.from({ length: 50 }, (_, i) => Q.short({ text: `Kysymys ${i}` }));
    const r = ok(await createSurveyRaw(mod.ws, period.id, { questions: fifty }), '50 questions');
    assert.equal(r.survey.questions.length, 50);
    assert.deepEqual(r.survey.questions.map((q) => q.text), fifty.map((q) => q.text), 'questions keep their order');
    assertError(await createSurveyRaw(mod.ws, period.id, { questions: [] }), 'invalid_field', 'questions');
    assertError(await createSurveyRaw(mod.ws, period.id, { questions: [...fifty, Q.short()] }), 'invalid_field', 'questions');
  });

  test('survey.create: required fields, lengths with too_long and limit, types', async () => {
    const base = { type: 'survey.create', period_id: period.id, title: 'Kysely', questions: [Q.short()] };
    const req = (f) => mod.ws.request({ ...base, ...f });
    const without = (k) => { const m = { ...base }; delete m[k]; return mod.ws.request(m); };
    const before = ok(await mod.ws.request({ type: 'survey.list', period_id: period.id })).surveys.length;
    for (const k of ['period_id', 'title', 'questions']) assertError(await without(k), 'missing_field', k);
    assertError(await req({ title: null }), 'missing_field', 'title');
    assertError(await req({ questions: null }), 'missing_field', 'questions');
    assertError(await req({ title: '' }), 'invalid_field', 'title');
    assertError(await req({ title: '   ' }), 'invalid_field', 'title');
    assertError(await req({ title: 5 }), 'invalid_field', 'title');
    assert.equal(assertError(await req({ title: 'x'.repeat(201) }), 'too_long', 'title').limit, 200);
    ok(await req({ title: 'ä'.repeat(200) }), 'a 200-character title');
    assert.equal(assertError(await req({ intro: 'x'.repeat(4001) }), 'too_long', 'intro').limit, 4000);
    ok(await req({ intro: 'ö'.repeat(4000) }), 'a 4000-character intro');
    ok(await req({ intro: '' }), 'an empty intro');
    assertError(await req({ intro: 7 }), 'invalid_field', 'intro');
    assertError(await req({ secret: 'yes' }), 'invalid_field', 'secret');
    assertError(await req({ allow_edit: 1 }), 'invalid_field', 'allow_edit');
    assertError(await req({ questions: 'kysymys' }), 'invalid_field', 'questions');
    assertError(await req({ questions: {} }), 'invalid_field', 'questions');
    assertError(await req({ period_id: 'x' }), 'invalid_field', 'period_id');
    assertError(await req({ closes_at: 'huomenna' }), 'invalid_field', 'closes_at');
    assertError(await req({ closes_at: at(-60000) }), 'invalid_field', 'closes_at');
    assertError(await req({ closes_at: at(60 * DAY) }), 'invalid_field', 'closes_at');
    assertError(await req({ period_id: 999999 }), 'not_found');
    const after = ok(await mod.ws.request({ type: 'survey.list', period_id: period.id })).surveys.length;
    assert.equal(after, before + 3, 'only the three accepted requests made surveys');
  });

  test('survey.create: a fault in one question is named questions.<n>.<field> (counting from 0)', async () => {
    const good = [Q.short(), Q.single()];
    const q = (bad) => mod.ws.request({ type: 'survey.create', period_id: period.id, title: 'Kysely', questions: [...good, bad] });
    const field = 'questions.2';
    // text
    assertError(await q({ kind: 'short_text' }), 'missing_field', `${field}.text`);
    assertError(await q(Q.short({ text: '' })), 'invalid_field', `${field}.text`);
    assertError(await q(Q.short({ text: 3 })), 'invalid_field', `${field}.text`);
    assert.equal(assertError(await q(Q.short({ text: 'x'.repeat(301) })), 'too_long', `${field}.text`).limit, 300);
    ok(await q(Q.short({ text: 'x'.repeat(300) })), 'a 300-character question');
    assert.equal(assertError(await q(Q.long({ help: 'x'.repeat(2001) })), 'too_long', `${field}.help`).limit, 2000);
    ok(await q(Q.long({ help: 'x'.repeat(2000) })), 'a 2000-character help');
    assertError(await q(Q.short({ required: 'yes' })), 'invalid_field', `${field}.required`);
    // kind
    assertError(await q({ text: 'Mitä?' }), 'missing_field', `${field}.kind`);
    assertError(await q(Q.short({ kind: 'essay' })), 'invalid_field', `${field}.kind`);
    assertError(await q(Q.short({ kind: 5 })), 'invalid_field', `${field}.kind`);
    // options, as in polls
    for (const kind of ['single', 'multiple', 'ranking']) {
      const base = kind === 'single' ? Q.single() : kind === 'multiple' ? Q.multiple({ min_picks: undefined, max_picks: undefined }) : Q.ranking();
      const without = { ...base }; delete without.options;
      assertError(await q(without), 'missing_field', `${field}.options`);
      assertError(await q({ ...base, options: ['a'] }), 'invalid_field', `${field}.options`);
      assertError(await q({ ...base, options: ['a', 'a'] }), 'invalid_field', `${field}.options`);
      assertError(await q({ ...base, options: ['a', ''] }), 'invalid_field', `${field}.options`);
      assertError(await q({ ...base, options: ['a', 5] }), 'invalid_field', `${field}.options`);
      assertError(await q({ ...base, options: 'a, b' }), 'invalid_field', `${field}.options`);
      const long = await q({ ...base, options: ['a', 'x'.repeat(201)] });
      assert.ok(['too_long', 'invalid_field'].includes(long.error?.code), `a 201-character option: ${JSON.stringify(long)}`);
      assert.ok(long.error.field?.startsWith(`${field}.options`), `field of a 201-character option: ${JSON.stringify(long)}`);
      const max = kind === 'ranking' ? 10 : 20;
      assertError(await q({ ...base, options: Array.from({ length: max + 1 }, (_, i) => `o${i}`) }), 'invalid_field', `${field}.options`);
      ok(await q({ ...base, options: Array.from({ length: max }, (_, i) => `o${i}`) }), `${max} options for ${kind}`);
    }
    // picks
    const picks = async (f) => {
      const r = await q(Q.multiple({ options: ['a', 'b', 'c'], min_picks: undefined, max_picks: undefined, ...f }));
      assertError(r, 'invalid_field');
      assert.ok(r.error.field?.startsWith(`${field}.`) && /picks/.test(r.error.field), `picks field: ${JSON.stringify(r)}`);
    };
    await picks({ min_picks: 3, max_picks: 2 });
    await picks({ max_picks: 4 });
    await picks({ min_picks: 0 });
    await picks({ min_picks: 'one' });
    // scale: min 0–1, max 2–10, labels 0–60
    const scale = async (s, code = 'invalid_field') => {
      const r = await q(Q.scale({ scale: { min: 1, max: 5, min_label: '', max_label: '', ...s } }));
      assert.equal(r.ok, false, `scale ${JSON.stringify(s)}: ${JSON.stringify(r)}`);
      assert.ok([code, 'invalid_field'].includes(r.error.code), `scale ${JSON.stringify(s)}: ${JSON.stringify(r)}`);
      assert.ok(r.error.field?.startsWith(`${field}.scale`), `scale field: ${JSON.stringify(r)}`);
    };
    await scale({ min: 2 });
    await scale({ max: 11 });
    await scale({ min: 1, max: 1 });
    await scale({ max_label: 'x'.repeat(61) }, 'too_long');
    const noScale = Q.scale(); delete noScale.scale;
    assertError(await q(noScale), 'missing_field', `${field}.scale`);
    ok(await q(Q.scale({ scale: { min: 0, max: 10, min_label: '', max_label: 'x'.repeat(60) } })), 'scale 0–10 with a 60-character label');
    // the first question's fault names questions.0
    assertError(await mod.ws.request({ type: 'survey.create', period_id: period.id, title: 'K', questions: [Q.single({ options: ['a'] }), Q.short()] }),
      'invalid_field', 'questions.0.options');
  });

  test('survey.create: a question that is not an object is a fault in that question: field questions.<n>', async () => {
    const field = 'questions.2';
    for (const bad of ['Mitä?', 5, null, []]) {
      const r = await mod.ws.request({ type: 'survey.create', period_id: period.id, title: 'Kysely', questions: [Q.short(), Q.single(), bad] });
      assert.equal(r.ok, false, `question ${JSON.stringify(bad)}`);
      assert.ok(['invalid_field', 'missing_field'].includes(r.error.code), JSON.stringify(r));
      assert.ok(r.error.field === field || r.error.field?.startsWith(`${field}.`), `field for a question ${JSON.stringify(bad)}: ${JSON.stringify(r)}`);
    }
  });

  test('survey.create: upcoming and draft periods take surveys; a closed period is period_closed; unknown period not_found', async () => {
    const up = await createPeriod(mod.ws, { status: 'upcoming' });
    assert.equal((await createSurvey(mod.ws, up.id)).period_id, up.id);
    const draft = await createPeriod(mod.ws);
    assert.equal((await createSurvey(mod.ws, draft.id)).period_id, draft.id);
    const closed = await openPeriod(mod.ws);
    ok(await mod.ws.request({ type: 'period.close', period_id: closed.id }), 'period.close');
    assertError(await createSurveyRaw(mod.ws, closed.id), 'period_closed');
    assertError(await mod.ws.request({ type: 'survey.create', period_id: closed.id, template: 'feedback' }), 'period_closed');
    assertError(await createSurveyRaw(mod.ws, 999999), 'not_found');
    assertError(await mod.ws.request({ type: 'survey.create', period_id: 999999, template: 'feedback' }), 'not_found');
    // closes_at not after the period's end
    const p = await openPeriod(mod.ws, { ends_at: at(5 * DAY) });
    assertError(await createSurveyRaw(mod.ws, p.id, { closes_at: at(6 * DAY) }), 'invalid_field', 'closes_at');
    ok(await createSurveyRaw(mod.ws, p.id, { closes_at: at(4 * DAY) }), 'closes_at before the period ends');
  });

  // ---- the feedback template -------------------------------------------

  test('the feedback template (fi): a secret draft "Palaute: <period title>" with the five documented questions', async () => {
    const r = ok(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback', language: 'fi' }), 'template');
    const s = assertSurvey(r.survey);
    assert.equal(s.status, 'draft');
    assert.equal(s.secret, true);
    assert.equal(s.title, `Palaute: ${period.title}`);
    assert.equal(s.questions.length, 5);
    const [q0, q1, q2, q3, q4] = s.questions;
    assert.equal(q0.kind, 'single');
    assert.equal(q0.text, 'Koitko, että osallistumisellasi oli vaikutusta?');
    assert.equal(q0.required, true);
    assert.deepEqual(q0.options.map((o) => o.label), ['Kyllä', 'Jonkin verran', 'En', 'En osaa sanoa']);
    assert.equal(q1.kind, 'scale');
    assert.equal(q1.required, true);
    assert.deepEqual([q1.scale.min, q1.scale.max], [1, 5]);
    assert.equal(q2.kind, 'long_text');
    assert.equal(q3.kind, 'long_text');
    assert.equal(q2.required, false);
    assert.equal(q3.required, false);
    assert.equal(q4.kind, 'single');
    assert.deepEqual(q4.options.map((o) => o.label), ['Kyllä', 'Ehkä', 'En']);
    for (const q of s.questions) assert.ok(q.text.length > 0, 'every question has its text');

    assert.equal(s.template, 'feedback');

    // one feedback survey per period at a time: a second is a conflict
    // until the first is closed
    assertError(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback' }), 'conflict', 'template');

    // other fields are ignored
    const other = await openPeriod(mod.ws);
    const ig = assertSurvey(ok(await mod.ws.request({ type: 'survey.create', period_id: other.id, template: 'feedback', language: 'fi',
      title: 'Muu otsikko', secret: false, questions: [] }), 'template with other fields').survey);
    assert.equal(ig.title, `Palaute: ${other.title}`);
    assert.equal(ig.secret, true);
    assert.equal(ig.questions.length, 5);

    // the moderator can edit it before opening
    const e = assertSurvey(ok(await mod.ws.request({ type: 'survey.update', survey_id: s.id, title: 'Palaute, muokattu',
      questions: [...s.questions.slice(0, 4).map((q) => ({ kind: q.kind, text: q.text, required: q.required, options: q.options.map((o) => o.label), scale: q.scale }))] }),
    'update the template').survey);
    assert.equal(e.title, 'Palaute, muokattu');
    assert.equal(e.questions.length, 4);
    await openSurvey(mod.ws, s);
    assertError(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback' }), 'conflict', 'template');
    ok(await mod.ws.request({ type: 'survey.close', survey_id: s.id }));
    const next = ok(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback' }), 'after the first closed').survey;
    ok(await mod.ws.request({ type: 'survey.delete', survey_id: next.id }));
  });

  test('the feedback template: language sv and en, default the moderator\'s own; a bad template or language is invalid_field', async () => {
    const svMod = await moderator(srv, { language: 'sv', display_name: 'Moderator Mia' });
    const enMod = await moderator(srv, { language: 'en', display_name: 'Moderator Max' });
    try {
      // Each made and deleted again: a period has one feedback draft at a time.
      const make = async (ws, language) => {
        const s = assertSurvey(ok(await ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback',
          ...(language ? { language } : {}) }), `template ${language}`).survey);
        ok(await mod.ws.request({ type: 'survey.delete', survey_id: s.id }));
        return s;
      };
      const fi = await make(mod.ws, 'fi');
      const fiDefault = await make(mod.ws);
      const sv = await make(mod.ws, 'sv');
      const en = await make(mod.ws, 'en');
      const svDefault = await make(svMod.ws);
      const enDefault = await make(enMod.ws);
      const texts = (s) => s.questions.map((q) => [q.kind, q.text, q.required, q.options.map((o) => o.label), q.scale]);
      for (const s of [sv, en]) {
        assert.equal(s.secret, true);
        assert.equal(s.status, 'draft');
        assert.deepEqual(s.questions.map((q) => q.kind), ['single', 'scale', 'long_text', 'long_text', 'single']);
        assert.deepEqual(s.questions.map((q) => q.required), fi.questions.map((q) => q.required));
        assert.deepEqual(s.questions.map((q) => q.options.length), [4, 0, 0, 0, 3]);
        assert.ok(s.title.endsWith(period.title), `title names the period: ${s.title}`);
      }
      assert.notEqual(sv.questions[0].text, fi.questions[0].text, 'sv is not Finnish');
      assert.notEqual(en.questions[0].text, fi.questions[0].text, 'en is not Finnish');
      assert.notEqual(en.questions[0].text, sv.questions[0].text, 'en is not Swedish');
      assert.notDeepEqual(en.questions[0].options.map((o) => o.label), fi.questions[0].options.map((o) => o.label));
      assert.deepEqual(texts(fiDefault), texts(fi), 'a Finnish moderator\'s default is fi');
      assert.deepEqual(texts(svDefault), texts(sv), 'a Swedish moderator\'s default is sv');
      assert.deepEqual(texts(enDefault), texts(en), 'an English moderator\'s default is en');
      assert.equal(svDefault.title, sv.title);
      assert.equal(enDefault.title, en.title);
      assertError(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback', language: 'de' }), 'invalid_field', 'language');
      assertError(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'palaute' }), 'invalid_field', 'template');
      assertError(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 5 }), 'invalid_field', 'template');
      assertError(await mod.ws.request({ type: 'survey.create', template: 'feedback' }), 'missing_field', 'period_id');
    } finally { svMod.ws.destroy(); enMod.ws.destroy(); }
  });

  // ---- status -----------------------------------------------------------

  test('a draft is invisible to members: survey.get, survey.list and subscribe say not_found / leave it out', async () => {
    const d = await createSurvey(mod.ws, period.id);
    const o = await liveSurvey(mod.ws, period.id);
    assertError(await A.ws.request({ type: 'survey.get', survey_id: d.id }), 'not_found');
    assertError(await A.ws.request({ type: 'subscribe', channel: `survey:${d.id}` }), 'not_found');
    assertError(await save(A.ws, d, {}), 'not_found');
    assertError(await submit(A.ws, d, {}), 'not_found');
    const l = ok(await A.ws.request({ type: 'survey.list', period_id: period.id }), 'survey.list').surveys;
    for (const x of l) assertSurvey(x);
    assert.ok(!l.some((x) => x.id === d.id), 'a member\'s list has no drafts');
    assert.ok(l.some((x) => x.id === o.id), 'a member\'s list has the open survey');
    for (const x of l) assert.notEqual(x.status, 'draft');
    const m = ok(await mod.ws.request({ type: 'survey.list', period_id: period.id }), 'survey.list').surveys;
    assert.ok(m.some((x) => x.id === d.id), 'a moderator\'s list has drafts');
    assert.equal((await getSurvey(mod.ws, d)).status, 'draft');
    await subscribe(mod.ws, `survey:${d.id}`);
    ok(await mod.ws.request({ type: 'unsubscribe', channel: `survey:${d.id}` }));
    const g = await getSurvey(A.ws, o);
    assert.equal(g.my_response, null);
    assertError(await A.ws.request({ type: 'survey.get', survey_id: 999999 }), 'not_found');
    assertError(await A.ws.request({ type: 'subscribe', channel: 'survey:999999' }), 'not_found');
    assertError(await A.ws.request({ type: 'survey.get' }), 'missing_field', 'survey_id');
    assertError(await A.ws.request({ type: 'survey.list' }), 'missing_field', 'period_id');
    assertError(await A.ws.request({ type: 'survey.list', period_id: 999999 }), 'not_found');
    // the surveys of a draft period are not a member's either
    const dp = await createPeriod(mod.ws);
    const inDraft = await liveSurvey(mod.ws, dp.id);
    assertError(await A.ws.request({ type: 'survey.get', survey_id: inDraft.id }), 'not_found');
    assertError(await A.ws.request({ type: 'survey.list', period_id: dp.id }), 'not_found');
  });

  test('survey.update: questions and secret only in a draft (conflict after opening); title, intro, allow_edit, closes_at while open; nothing once closed', async () => {
    const s = await createSurvey(mod.ws, period.id, { secret: false });
    const upd = (f) => mod.ws.request({ type: 'survey.update', survey_id: s.id, ...f });
    let r = assertSurvey(ok(await upd({ questions: [Q.long({ text: 'Uusi kysymys', required: true }), Q.scale()] }), 'replace questions').survey);
    assert.deepEqual(r.questions.map((q) => [q.kind, q.text]), [['long_text', 'Uusi kysymys'], ['scale', 'Kuinka helppo ohjetta oli lukea?']]);
    assert.equal(r.title, s.title, 'fields not sent stay');
    r = assertSurvey(ok(await upd({ secret: true }), 'secret in a draft').survey);
    assert.equal(r.secret, true);
    r = assertSurvey(ok(await upd({ secret: false }), 'named again in a draft').survey);
    assert.equal(r.secret, false);
    // validation as in survey.create
    assert.equal(assertError(await upd({ title: 'x'.repeat(201) }), 'too_long', 'title').limit, 200);
    assertError(await upd({ title: '' }), 'invalid_field', 'title');
    assertError(await upd({ questions: [] }), 'invalid_field', 'questions');
    assertError(await upd({ questions: [Q.short(), Q.ranking({ options: ['x'] })] }), 'invalid_field', 'questions.1.options');
    assertError(await upd({ closes_at: at(-60000) }), 'invalid_field', 'closes_at');
    assertError(await upd({ allow_edit: 'no' }), 'invalid_field', 'allow_edit');
    assertError(await mod.ws.request({ type: 'survey.update', survey_id: 999999, title: 'x' }), 'not_found');
    assertError(await mod.ws.request({ type: 'survey.update', title: 'x' }), 'missing_field', 'survey_id');
    assert.equal((await getSurvey(mod.ws, s)).questions.length, 2, 'refused updates changed nothing');

    const o = await openSurvey(mod.ws, s);
    assert.match(o.opened_at, ISO_MS);
    assertError(await upd({ questions: [Q.short()] }), 'conflict');
    assertError(await upd({ secret: true }), 'conflict');
    assertError(await upd({ title: 'Muutettu', questions: [Q.short()] }), 'conflict');
    assert.equal((await getSurvey(mod.ws, s)).title, s.title, 'a refused update changes no field');
    const closes = at(3 * DAY);
    r = assertSurvey(ok(await upd({ title: 'Muutettu otsikko', intro: 'Uusi johdanto', allow_edit: true, closes_at: closes }), 'edit an open survey').survey);
    assert.deepEqual([r.title, r.intro, r.allow_edit, Date.parse(r.closes_at)], ['Muutettu otsikko', 'Uusi johdanto', true, Date.parse(closes)]);
    assert.equal(r.status, 'open');
    r = assertSurvey(ok(await upd({ closes_at: null }), 'clear closes_at').survey);
    assert.equal(r.closes_at, null, 'closes_at: null clears it');
    assert.equal(r.title, 'Muutettu otsikko');
    assert.equal(r.questions.length, 2);

    await closeSurvey(mod.ws, s);
    for (const f of [{ title: 'Suljettu' }, { intro: 'x' }, { allow_edit: false }, { closes_at: at(DAY) }]) {
      assertError(await upd(f), 'conflict');
    }
    assert.equal((await getSurvey(mod.ws, s)).title, 'Muutettu otsikko');
  });

  test('survey.open / survey.close / survey.delete: transitions and conflicts', async () => {
    const s = await createSurvey(mod.ws, period.id);
    const call = (t, x = s) => mod.ws.request({ type: t, survey_id: sid(x) });
    assertError(await call('survey.close'), 'conflict', undefined);
    const o = await openSurvey(mod.ws, s);
    assert.match(o.opened_at, ISO_MS);
    assert.equal(o.closed_at, null);
    assertError(await call('survey.open'), 'conflict');
    assertError(await call('survey.delete'), 'conflict');
    assert.equal((await getSurvey(A.ws, s)).status, 'open', 'members see an open survey');
    const c = await closeSurvey(mod.ws, s);
    assert.match(c.closed_at, ISO_MS);
    assert.equal(c.opened_at, o.opened_at);
    assertError(await call('survey.close'), 'conflict');
    assertError(await call('survey.open'), 'conflict');
    assertError(await call('survey.delete'), 'conflict');
    assert.equal((await getSurvey(A.ws, s)).status, 'closed', 'members see a closed survey');

    const d = await createSurvey(mod.ws, period.id);
    const del = ok(await call('survey.delete', d), 'survey.delete');
    assert.deepEqual(Object.keys(del).filter((k) => !['type', 're', 'ok'].includes(k)), [], `survey.delete replies {ok: true}: ${JSON.stringify(del)}`);
    assertError(await mod.ws.request({ type: 'survey.get', survey_id: d.id }), 'not_found');
    assertError(await call('survey.delete', d), 'not_found');
    assertError(await call('survey.open', d), 'not_found');
    assert.ok(!ok(await mod.ws.request({ type: 'survey.list', period_id: period.id })).surveys.some((x) => x.id === d.id));
    for (const t of ['survey.open', 'survey.close', 'survey.delete']) {
      assertError(await call(t, 999999), 'not_found');
      assertError(await mod.ws.request({ type: t }), 'missing_field', 'survey_id');
    }
  });

  test('survey.open: a draft in a closed period is period_closed; a closes_at already past is refused', async () => {
    const p = await openPeriod(mod.ws);
    const d = await createSurvey(mod.ws, p.id);
    const late = await createSurvey(mod.ws, period.id, { closes_at: at(1500) });
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }), 'period.close');
    assertError(await mod.ws.request({ type: 'survey.open', survey_id: d.id }), 'period_closed');
    await sleep(2200);
    const g = await getSurvey(mod.ws, late);
    assert.equal(g.status, 'draft', 'a draft does not close by itself');
    assertError(await mod.ws.request({ type: 'survey.open', survey_id: late.id }), 'conflict', 'closes_at');
    assert.equal((await getSurvey(mod.ws, late)).status, 'draft');
    // a survey opened in an upcoming period is visible, answers wait for the period
    const up = await createPeriod(mod.ws, { status: 'upcoming' });
    const su = await liveSurvey(mod.ws, up.id);
    assert.equal((await getSurvey(A.ws, su)).status, 'open');
    assertError(await save(A.ws, su, { [su.questions[4].id]: 'sana' }), 'period_not_open');
    assertError(await submit(A.ws, su, { [su.questions[0].id]: su.questions[0].options[0].id }), 'period_not_open');
  });

  test('closes_at: the survey closes by itself; subscribers of survey:<id> and period:<id> see it live; unsubmitted answers are deleted', async () => {
    await fresh(A, B);
    const s = await liveSurvey(mod.ws, period.id, { closes_at: at(4000), questions: [Q.short({ required: true })] });
    const q = s.questions[0].id;
    await subscribe(A.ws, `survey:${s.id}`);
    await subscribe(B.ws, `period:${period.id}`);
    await submitOk(A.ws, s, { [q]: 'valmis' });
    await saveOk(B.ws, s, { [q]: 'kesken' });
    assert.equal((await results(mod.ws, s)).started, 1);
    const e = await nextEvent(A.ws, `survey:${s.id}`, 'survey.changed', (x) => x.data.status === 'closed', { timeout: 12000 });
    assertSurvey(e.data, { event: true });
    assert.ok(Date.parse(e.data.closed_at) >= Date.parse(s.closes_at) - 1000, `closed_at ${e.data.closed_at} near closes_at ${s.closes_at}`);
    const pe = await nextEvent(B.ws, `period:${period.id}`, 'survey.changed', (x) => x.data.id === s.id && x.data.status === 'closed');
    assertSurvey(pe.data, { event: true });
    assertError(await submit(B.ws, s, { [q]: 'myöhässä' }), 'conflict');
    assertError(await save(B.ws, s, { [q]: 'myöhässä' }), 'conflict');
    assert.equal((await getSurvey(B.ws, s)).my_response, null, 'the unsubmitted answer was deleted');
    const a = await getSurvey(A.ws, s);
    assert.deepEqual([a.my_response.status, a.my_response.answers], ['submitted', { [q]: 'valmis' }], 'a named survey keeps the submitted answer');
    const res = await results(mod.ws, s);
    assert.deepEqual([res.responses, res.started], [1, 0]);
  });

  test('survey.update moves closes_at of an open survey: the survey closes by itself at the new time; a past closes_at is invalid_field', async () => {
    await fresh(A);
    const s = await liveSurvey(mod.ws, period.id, { closes_at: at(20 * DAY), questions: [Q.short()] });
    await subscribe(A.ws, `survey:${s.id}`);
    assertError(await mod.ws.request({ type: 'survey.update', survey_id: s.id, closes_at: at(-60000) }), 'invalid_field', 'closes_at');
    assertError(await mod.ws.request({ type: 'survey.update', survey_id: s.id, closes_at: at(60 * DAY) }), 'invalid_field', 'closes_at');
    const r = assertSurvey(ok(await mod.ws.request({ type: 'survey.update', survey_id: s.id, closes_at: at(2500) }), 'survey.update closes_at').survey);
    assert.equal(r.status, 'open');
    await nextEvent(A.ws, `survey:${s.id}`, 'survey.changed', (x) => x.data.closes_at === r.closes_at && x.data.status === 'open');
    const e = await nextEvent(A.ws, `survey:${s.id}`, 'survey.changed', (x) => x.data.status === 'closed', { timeout: 12000 });
    assert.equal(e.data.id, s.id);
    assert.equal((await getSurvey(A.ws, s)).status, 'closed');
  });

  test('the period closing closes its open surveys live; save and submit are then refused', async () => {
    await fresh(A, B);
    const p = await openPeriod(mod.ws);
    const s = await liveSurvey(mod.ws, p.id, { questions: [Q.single({ required: true }), Q.short()] });
    const d = await createSurvey(mod.ws, p.id);
    const [q0, q1] = s.questions.map((q) => q.id);
    await subscribe(A.ws, `survey:${s.id}`);
    await subscribe(A.ws, `period:${p.id}`);
    await submitOk(A.ws, s, { [q0]: s.questions[0].options[0].id });
    await saveOk(B.ws, s, { [q1]: 'kesken jäi' });
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }), 'period.close');
    const e = await nextEvent(A.ws, `survey:${s.id}`, 'survey.changed', (x) => x.data.status === 'closed');
    assertSurvey(e.data, { event: true });
    await nextEvent(A.ws, `period:${p.id}`, 'survey.changed', (x) => x.data.id === s.id && x.data.status === 'closed');
    for (const r of [await save(B.ws, s, { [q1]: 'x' }), await submit(B.ws, s, { [q0]: s.questions[0].options[0].id })]) {
      assert.ok(['period_closed', 'conflict'].includes(r.error?.code), `answering after the period closed: ${JSON.stringify(r)}`);
    }
    assert.equal((await getSurvey(B.ws, s)).my_response, null, 'the unsubmitted answer was deleted');
    const res = await results(mod.ws, s);
    assert.deepEqual([res.responses, res.started], [1, 0]);
    assert.equal((await getSurvey(mod.ws, d)).status, 'draft', 'a draft stays a draft');
    assertError(await mod.ws.request({ type: 'survey.open', survey_id: d.id }), 'period_closed');
    await settle(A.ws);
    assert.ok(!surveyEvents(A.ws, `period:${p.id}`).some((x) => x.data.id === d.id), 'no period event for a draft');
  });

  // ---- survey.save ------------------------------------------------------

  test('survey.save: partial answers come back in my_response (started); saving replaces; null, "" and spaces are unanswered', async () => {
    const s = await liveSurvey(mod.ws, period.id, { allow_edit: false });
    const i = ids(s);
    let r = await saveOk(A.ws, s, { [i.single]: i.so[1], [i.short]: 'hoitopolku' });
    assert.equal(r.my_response.status, 'started');
    assert.deepEqual(r.my_response.answers, { [String(i.single)]: i.so[1], [String(i.short)]: 'hoitopolku' });
    assert.match(r.my_response.updated_at, ISO_MS);
    assert.equal(r.my_response.submitted_at, null);
    assert.equal(r.responses, 0, 'saving is not a response');
    assert.equal((await getSurvey(A.ws, s)).my_response.answers[String(i.short)], 'hoitopolku', 'survey.get has it');
    // another device sees it
    const { ws: other } = await openWs(srv, { cookie: A.cookie });
    try {
      const g = await getSurvey(other, s);
      assert.deepEqual(g.my_response.answers, { [String(i.single)]: i.so[1], [String(i.short)]: 'hoitopolku' });
    } finally { other.destroy(); }
    // replace, not merge
    r = await saveOk(A.ws, s, { [i.multiple]: [i.mo[0], i.mo[2]], [i.scale]: 4, [i.ranking]: [i.ro[2], i.ro[0], i.ro[1]], [i.long]: 'Rivi 1\nRivi 2' });
    assert.deepEqual(r.my_response.answers, {
      [String(i.multiple)]: [i.mo[0], i.mo[2]], [String(i.scale)]: 4, [String(i.ranking)]: [i.ro[2], i.ro[0], i.ro[1]], [String(i.long)]: 'Rivi 1\nRivi 2',
    });
    // null, "" and spaces count as unanswered
    r = await saveOk(A.ws, s, { [i.single]: null, [i.short]: '', [i.long]: '   ', [i.scale]: 2 });
    assert.deepEqual(r.my_response.answers, { [String(i.scale)]: 2 });
    assert.equal(r.my_response.status, 'started');
    const res = await results(mod.ws, s);
    assert.equal(res.responses, 0);
    assert.equal(res.started, 1);
    // a member who has not started
    assert.equal((await getSurvey(B.ws, s)).my_response, null);
  });

  test('survey.save: every answer that does not fit is invalid_field answers.<id>; answers not an object is invalid_field answers', async () => {
    const s = await liveSurvey(mod.ws, period.id);
    const other = await liveSurvey(mod.ws, period.id);
    const i = ids(s);
    const o = ids(other);
    const bad = async (answers, field) => assertError(await save(A.ws, s, answers), 'invalid_field', field);
    // unknown questions
    await bad({ 999999: 'x' }, 'answers.999999');
    await bad({ abc: 'x' }, 'answers.abc');
    await bad({ [o.short]: 'x' }, `answers.${o.short}`);
    await bad({ [i.short]: 'ok', 999999: 'x' }, 'answers.999999');
    // single
    await bad({ [i.single]: o.so[0] }, `answers.${i.single}`);
    await bad({ [i.single]: i.mo[0] }, `answers.${i.single}`); // an option of another question of the same survey
    for (const v of [0, -1, 1.5, 'x', String(i.so[0]), [i.so[0]], {}, true]) await bad({ [i.single]: v }, `answers.${i.single}`);
    // multiple: min 2, max 3 of 4
    await bad({ [i.multiple]: [i.mo[0]] }, `answers.${i.multiple}`);
    await bad({ [i.multiple]: i.mo }, `answers.${i.multiple}`);
    await bad({ [i.multiple]: [i.mo[0], i.mo[0]] }, `answers.${i.multiple}`);
    await bad({ [i.multiple]: [i.mo[0], i.so[0]] }, `answers.${i.multiple}`);
    await bad({ [i.multiple]: i.mo[0] }, `answers.${i.multiple}`);
    await bad({ [i.multiple]: [i.mo[0], 'x'] }, `answers.${i.multiple}`);
    // scale 1–5
    for (const v of [0, 6, 2.5, '3', [3], true, {}]) await bad({ [i.scale]: v }, `answers.${i.scale}`);
    // ranking: every option once
    await bad({ [i.ranking]: [i.ro[0], i.ro[1]] }, `answers.${i.ranking}`);
    await bad({ [i.ranking]: [i.ro[0], i.ro[1], i.ro[1]] }, `answers.${i.ranking}`);
    await bad({ [i.ranking]: [...i.ro, i.ro[0]] }, `answers.${i.ranking}`);
    await bad({ [i.ranking]: [i.ro[0], i.ro[1], o.ro[2]] }, `answers.${i.ranking}`);
    await bad({ [i.ranking]: i.ro[0] }, `answers.${i.ranking}`);
    // texts
    for (const v of [5, true, ['x'], { t: 'x' }]) {
      await bad({ [i.short]: v }, `answers.${i.short}`);
      await bad({ [i.long]: v }, `answers.${i.long}`);
    }
    // not an object
    for (const v of [[], [i.so[0]], 'x', 5, true]) await bad(v, 'answers');
    assert.equal((await getSurvey(A.ws, s)).my_response, null, 'refused saves wrote nothing');
    assertError(await save(A.ws, 999999, {}), 'not_found');
    assertError(await A.ws.request({ type: 'survey.save', answers: {} }), 'missing_field', 'survey_id');
  });

  test('survey.save: [] is unanswered, like null and ""', async () => {
    const s = await liveSurvey(mod.ws, period.id);
    const i = ids(s);
    const r = await saveOk(A.ws, s, { [i.multiple]: [], [i.ranking]: [], [i.short]: 'sana' });
    assert.deepEqual(r.my_response.answers, { [String(i.short)]: 'sana' });
  });

  test('survey.save: answers left out is missing_field answers; a moderator saving in a draft gets conflict', async () => {
    const s = await liveSurvey(mod.ws, period.id);
    assertError(await A.ws.request({ type: 'survey.save', survey_id: s.id }), 'missing_field', 'answers');
    assertError(await save(A.ws, s, null), 'missing_field', 'answers');
    const d = await createSurvey(mod.ws, period.id);
    assertError(await save(mod.ws, d, {}), 'conflict');
    assertError(await submit(mod.ws, d, { [d.questions[0].id]: d.questions[0].options[0].id }), 'conflict');
  });

  test('survey.save: text lengths — short 300 and long 5,000 characters; one more is too_long answers.<id> with limit', async () => {
    const s = await liveSurvey(mod.ws, period.id);
    const i = ids(s);
    let r = await saveOk(A.ws, s, { [i.short]: 'ä'.repeat(300), [i.long]: 'ö'.repeat(5000) });
    assert.equal(r.my_response.answers[String(i.short)].length, 300);
    assert.equal(r.my_response.answers[String(i.long)].length, 5000);
    assert.equal(assertError(await save(A.ws, s, { [i.short]: 'ä'.repeat(301) }), 'too_long', `answers.${i.short}`).limit, 300);
    assert.equal(assertError(await save(A.ws, s, { [i.long]: 'x'.repeat(5001) }), 'too_long', `answers.${i.long}`).limit, 5000);
    assert.equal(assertError(await submit(A.ws, s, { [i.single]: i.so[0], [i.short]: 'x'.repeat(301) }), 'too_long', `answers.${i.short}`).limit, 300);
    // counted after trimming
    r = await saveOk(A.ws, s, { [i.short]: `  ${'x'.repeat(300)}  ` });
    assert.equal(r.my_response.answers[String(i.short)].trim().length, 300);
  });

  test('survey.save: conflict after submitting (also with allow_edit) and on a closed survey', async () => {
    const s = await liveSurvey(mod.ws, period.id, { allow_edit: true });
    const i = ids(s);
    await saveOk(A.ws, s, { [i.short]: 'eka' });
    await submitOk(A.ws, s, { [i.single]: i.so[0], [i.short]: 'toka' });
    assertError(await save(A.ws, s, { [i.short]: 'kolmas' }), 'conflict');
    const g = await getSurvey(A.ws, s);
    assert.equal(g.my_response.status, 'submitted', 'a save after submitting does not make it started again');
    assert.equal(g.my_response.answers[String(i.short)], 'toka');
    await closeSurvey(mod.ws, s);
    assertError(await save(B.ws, s, { [i.short]: 'x' }), 'conflict');
  });

  // ---- survey.submit ----------------------------------------------------

  test('survey.submit: every required question must be answered (missing_field answers.<first required id>); submitting once', async () => {
    const s = await liveSurvey(mod.ws, period.id, {
      allow_edit: false,
      questions: [Q.short(), Q.scale({ required: true }), Q.single({ required: true }), Q.long({ required: true })],
    });
    const [q0, q1, q2, q3] = s.questions.map((q) => q.id);
    const o = s.questions[2].options.map((x) => x.id);
    assertError(await submit(A.ws, s, {}), 'missing_field', `answers.${q1}`);
    assertError(await submit(A.ws, s, { [q0]: 'x', [q1]: 3 }), 'missing_field', `answers.${q2}`);
    assertError(await submit(A.ws, s, { [q1]: 3, [q2]: o[0], [q3]: '   ' }), 'missing_field', `answers.${q3}`);
    assertError(await submit(A.ws, s, { [q1]: null, [q2]: o[0], [q3]: 'x' }), 'missing_field', `answers.${q1}`);
    // a bad answer is still invalid_field
    assertError(await submit(A.ws, s, { [q1]: 9, [q2]: o[0], [q3]: 'x' }), 'invalid_field', `answers.${q1}`);
    assertError(await submit(A.ws, s, 'kaikki'), 'invalid_field', 'answers');
    assert.equal((await getSurvey(A.ws, s)).responses, 0);
    // saved first, then submitted: the submit's answers are the response
    await saveOk(A.ws, s, { [q0]: 'luonnos' });
    const r = await submitOk(A.ws, s, { [q1]: 3, [q2]: o[1], [q3]: 'Enemmän kuvia' });
    assert.equal(r.my_response.status, 'submitted');
    assert.match(r.my_response.submitted_at, ISO_MS);
    assert.deepEqual(r.my_response.answers, { [String(q1)]: 3, [String(q2)]: o[1], [String(q3)]: 'Enemmän kuvia' });
    assert.equal(r.responses, 1);
    assertError(await submit(A.ws, s, { [q1]: 5, [q2]: o[0], [q3]: 'Toinen' }), 'conflict');
    const g = await getSurvey(A.ws, s);
    assert.deepEqual(g.my_response.answers, r.my_response.answers, 'the refused resubmission changed nothing');
    assert.equal(g.responses, 1);
    const b = await submitOk(B.ws, s, { [q1]: 1, [q2]: o[0], [q3]: 'x' });
    assert.equal(b.responses, 2, 'responses counts submitted members');
    assert.equal((await getSurvey(C.ws, s)).responses, 2, 'responses is public');
    await closeSurvey(mod.ws, s);
    assertError(await submit(C.ws, s, { [q1]: 1, [q2]: o[0], [q3]: 'x' }), 'conflict');
    assertError(await submit(A.ws, s, { [q1]: 1, [q2]: o[0], [q3]: 'x' }), 'conflict');
    assertError(await submit(A.ws, 999999, {}), 'not_found');
  });

  test('survey.submit with allow_edit: submitting again replaces the answers, responses stays, results follow; conflict once closed', async () => {
    const s = await liveSurvey(mod.ws, period.id, { allow_edit: true, questions: [Q.single({ required: true }), Q.short()] });
    const [q0, q1] = s.questions.map((q) => q.id);
    const o = s.questions[0].options.map((x) => x.id);
    await submitOk(A.ws, s, { [q0]: o[0], [q1]: 'ensin' });
    const r = await submitOk(A.ws, s, { [q0]: o[2] });
    assert.equal(r.responses, 1, 'a resubmission does not add a response');
    assert.deepEqual(r.my_response.answers, { [String(q0)]: o[2] }, 'the earlier answers are replaced, not merged');
    assert.equal(r.my_response.status, 'submitted');
    const res = await results(mod.ws, s);
    assert.equal(res.responses, 1);
    assert.deepEqual(res.questions[0].results.options.map((x) => x.count), [0, 0, 1]);
    assert.equal(res.questions[1].answered, 0);
    assert.deepEqual(res.questions[1].texts, []);
    await closeSurvey(mod.ws, s);
    assertError(await submit(A.ws, s, { [q0]: o[1] }), 'conflict');
    assert.equal((await getSurvey(A.ws, s)).my_response.answers[String(q0)], o[2]);
  });

  // ---- survey.results ---------------------------------------------------

  test('survey.results: counts only submitted responses; started; answered; poll-shaped results; texts with by, oldest first', async () => {
    const s = await liveSurvey(mod.ws, period.id);
    const i = ids(s);
    await submitOk(A.ws, s, { [i.single]: i.so[0], [i.multiple]: [i.mo[0], i.mo[1]], [i.scale]: 5, [i.ranking]: [i.ro[1], i.ro[0], i.ro[2]], [i.short]: 'Aino kirjoitti', [i.long]: 'Pitkä A' });
    await submitOk(B.ws, s, { [i.single]: i.so[0], [i.multiple]: [i.mo[1], i.mo[2], i.mo[3]], [i.scale]: 2, [i.ranking]: [i.ro[1], i.ro[2], i.ro[0]], [i.short]: 'Bertta kirjoitti' });
    await submitOk(C.ws, s, { [i.single]: i.so[2], [i.ranking]: [i.ro[0], i.ro[1], i.ro[2]] });
    // a started response, never submitted, with answers that must not count
    const D = await member(srv, { display_name: 'Daniel' });
    try {
      await saveOk(D.ws, s, { [i.single]: i.so[1], [i.scale]: 1, [i.short]: 'Luonnos ei näy', [i.multiple]: [i.mo[2], i.mo[3]] });
      const r = await results(mod.ws, s);
      assert.equal(r.survey_id, s.id);
      assert.equal(r.responses, 3);
      assert.equal(r.started, 1);
      assert.deepEqual(r.questions.map((q) => q.id), s.questions.map((q) => q.id), 'one entry per question, in order');
      const byId = Object.fromEntries(r.questions.map((q) => [q.id, q]));
      // single
      assert.equal(byId[i.single].answered, 3);
      assert.equal(byId[i.single].results.voters, 3);
      assert.deepEqual(byId[i.single].results.options, [{ id: i.so[0], count: 2 }, { id: i.so[1], count: 0 }, { id: i.so[2], count: 1 }]);
      // multiple
      assert.equal(byId[i.multiple].answered, 2);
      assert.equal(byId[i.multiple].results.voters, 2);
      assert.deepEqual(byId[i.multiple].results.options.map((o) => [o.id, o.count]), [[i.mo[0], 1], [i.mo[1], 2], [i.mo[2], 1], [i.mo[3], 1]]);
      // scale
      assert.equal(byId[i.scale].answered, 2);
      assert.equal(byId[i.scale].results.voters, 2);
      assert.deepEqual(byId[i.scale].results.values, [1, 2, 3, 4, 5].map((v) => ({ value: v, count: v === 2 || v === 5 ? 1 : 0 })));
      assert.ok(Math.abs(byId[i.scale].results.mean - 3.5) < 0.01, `mean ${byId[i.scale].results.mean}`);
      // ranking: A y,x,z  B y,z,x  C x,y,z → y 2+2+1=5 (ranks 1,1,2), x 1+0+2=3 (2,3,1), z 0+1+0=1 (3,2,3)
      const rk = byId[i.ranking].results;
      assert.equal(byId[i.ranking].answered, 3);
      assert.equal(rk.voters, 3);
      assert.deepEqual(rk.options.map((o) => o.id), [i.ro[1], i.ro[0], i.ro[2]], 'best first');
      assert.deepEqual(rk.options.map((o) => o.points), [5, 3, 1]);
      for (const [got, want] of rk.options.map((o, k) => [o.mean_rank, [4 / 3, 2, 8 / 3][k]])) assert.ok(Math.abs(got - want) < 0.01, `mean_rank ${got}`);
      // texts, with by, oldest first
      assert.equal(byId[i.short].answered, 2);
      assert.ok(!('results' in byId[i.short]) || byId[i.short].results == null, 'a text question has no results');
      assert.deepEqual(byId[i.short].texts, [
        { text: 'Aino kirjoitti', by: { id: A.member.id, display_name: 'Aino' } },
        { text: 'Bertta kirjoitti', by: { id: B.member.id, display_name: 'Bertta' } },
      ]);
      assert.equal(byId[i.long].answered, 1);
      assert.deepEqual(byId[i.long].texts, [{ text: 'Pitkä A', by: { id: A.member.id, display_name: 'Aino' } }]);
      assert.ok(!('texts' in byId[i.single]), 'a choice question has no texts');
      // started is 0 once closed; the counts stay
      await closeSurvey(mod.ws, s);
      const c = await results(mod.ws, s);
      assert.equal(c.started, 0);
      assert.equal(c.responses, 3);
      assert.deepEqual(c.questions, r.questions);
      assertError(await mod.ws.request({ type: 'survey.results', survey_id: 999999 }), 'not_found');
      // any status: a draft has empty results
      const d = await createSurvey(mod.ws, period.id);
      const dr = await results(mod.ws, d);
      assert.deepEqual([dr.responses, dr.started], [0, 0]);
      assert.equal(dr.questions.find((q) => q.id === d.questions[2].id).results.mean, null, 'mean null with no answers');
    } finally { D.ws.destroy(); }
  });

  test('a secret survey: my_response has no times; results texts have no by', async () => {
    const s = await liveSurvey(mod.ws, period.id, { secret: true, questions: [Q.short(), Q.scale()] });
    const [q0, q1] = s.questions.map((q) => q.id);
    const a = await saveOk(A.ws, s, { [q0]: 'salainen luonnos' });
    assert.deepEqual([a.my_response.status, a.my_response.updated_at, a.my_response.submitted_at], ['started', null, null]);
    const sub = await submitOk(A.ws, s, { [q0]: 'Salainen A', [q1]: 3 });
    assert.deepEqual([sub.my_response.status, sub.my_response.updated_at, sub.my_response.submitted_at], ['submitted', null, null]);
    assert.deepEqual(sub.my_response.answers, { [String(q0)]: 'Salainen A', [String(q1)]: 3 }, 'a secret survey shows my answers while open');
    await submitOk(B.ws, s, { [q0]: 'Salainen B' });
    const r = await results(mod.ws, s);
    const texts = r.questions.find((q) => q.id === q0).texts;
    assert.deepEqual(texts.map((t) => t.text).sort(), ['Salainen A', 'Salainen B']);
    for (const t of texts) assert.deepEqual(Object.keys(t), ['text'], `a secret text has no by: ${JSON.stringify(t)}`);
    assert.equal(r.questions.find((q) => q.id === q1).answered, 1);
  });

  // ---- live -------------------------------------------------------------

  test('live: a moderator on survey:<id> sees survey.changed with responses counting up on each submit (not on saves)', async () => {
    await fresh(mod, A, B, C);
    const s = await liveSurvey(mod.ws, period.id, { questions: [Q.single({ required: true })] });
    const q = s.questions[0];
    const ch = `survey:${s.id}`;
    const sub = await subscribe(mod.ws, ch);
    assert.equal(sub.channel, ch);
    assert.ok(Number.isInteger(sub.seq));
    await subscribe(A.ws, ch);
    let last = sub.seq;
    for (const [k, w] of [A, B, C].entries()) {
      await saveOk(w.ws, s, { [q.id]: q.options[0].id });
      await submitOk(w.ws, s, { [q.id]: q.options[k].id });
      const e = await nextEvent(mod.ws, ch, 'survey.changed', (x) => x.data.responses === k + 1);
      assertSurvey(e.data, { event: true });
      assert.equal(e.data.id, s.id);
      assert.ok(e.seq > last, `seq grows: ${e.seq} > ${last}`);
      last = e.seq;
    }
    const me = await nextEvent(A.ws, ch, 'survey.changed', (x) => x.data.responses === 3);
    assert.ok(!('my_response' in me.data), 'an event has no my_response');
    await settle(mod.ws);
    const seen = surveyEvents(mod.ws, ch).map((x) => x.data.responses);
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k] >= seen[k - 1], `responses only grow: ${seen}`);
    assert.ok(seen.length <= 3, `three submits (and three saves) gave ${seen.length} events: ${seen}`);
    // editing and closing reach the channel too
    ok(await mod.ws.request({ type: 'survey.update', survey_id: s.id, title: 'Uusi otsikko' }));
    let e = await nextEvent(A.ws, ch, 'survey.changed', (x) => x.data.title === 'Uusi otsikko');
    assertSurvey(e.data, { event: true });
    await closeSurvey(mod.ws, s);
    e = await nextEvent(A.ws, ch, 'survey.changed', (x) => x.data.status === 'closed');
    assert.equal(e.data.responses, 3);
  });

  test('live: period:<id> gets survey.changed when a survey opens, is edited and closes — not for drafts, not for each response', async () => {
    await fresh(A);
    const p = await openPeriod(mod.ws);
    const ch = `period:${p.id}`;
    await subscribe(A.ws, ch);
    const s = await createSurvey(mod.ws, p.id, { questions: [Q.short()] });
    ok(await mod.ws.request({ type: 'survey.update', survey_id: s.id, title: 'Luonnos muokattu' }));
    await openSurvey(mod.ws, s);
    let e = await nextEvent(A.ws, ch, 'survey.changed');
    assert.deepEqual([e.data.id, e.data.status, e.data.title], [s.id, 'open', 'Luonnos muokattu'], 'the first survey.changed is the opening, not the draft edit');
    assertSurvey(e.data, { event: true });
    await submitOk(B.ws, s, { [s.questions[0].id]: 'vastaus' });
    await submitOk(C.ws, s, { [s.questions[0].id]: 'vastaus' });
    ok(await mod.ws.request({ type: 'survey.update', survey_id: s.id, intro: 'Muokattu johdanto' }));
    e = await nextEvent(A.ws, ch, 'survey.changed');
    assert.deepEqual([e.data.id, e.data.intro], [s.id, 'Muokattu johdanto'], 'the next survey.changed is the edit, not a response');
    await closeSurvey(mod.ws, s);
    e = await nextEvent(A.ws, ch, 'survey.changed');
    assert.deepEqual([e.data.id, e.data.status, e.data.responses], [s.id, 'closed', 2]);
    await settle(A.ws);
    assert.equal(surveyEvents(A.ws, ch).length, 3, 'open, edit, close');
  });

  test('live: subscribe with since catches up with the survey as it is now, with my_response', async () => {
    await fresh(A);
    const s = await liveSurvey(mod.ws, period.id, { questions: [Q.short({ required: true })] });
    const q = s.questions[0].id;
    const sub = await subscribe(A.ws, `survey:${s.id}`);
    await saveOk(A.ws, s, { [q]: 'kesken' });
    A.ws.destroy();
    await submitOk(B.ws, s, { [q]: 'valmis' });
    ok(await mod.ws.request({ type: 'survey.update', survey_id: s.id, title: 'Otsikko muuttui' }));
    await reconnect(srv, A);
    const r = await subscribe(A.ws, `survey:${s.id}`, { since: sub.seq });
    assert.ok(Array.isArray(r.events), `catch-up events: ${JSON.stringify(r)}`);
    const e = r.events.find((x) => x.event === 'survey.changed');
    assert.ok(e, `a survey.changed in the catch-up: ${JSON.stringify(r.events)}`);
    assert.equal(e.channel, `survey:${s.id}`);
    assertSurvey(e.data);
    assert.equal(e.data.id, s.id);
    assert.equal(e.data.responses, 1);
    assert.equal(e.data.title, 'Otsikko muuttui');
    assert.deepEqual([e.data.my_response?.status, e.data.my_response?.answers], ['started', { [String(q)]: 'kesken' }]);
    // a moderator can subscribe to a draft; catch-up of a draft works for them
    const d = await createSurvey(mod.ws, period.id);
    await subscribe(mod.ws, `survey:${d.id}`);
    ok(await mod.ws.request({ type: 'survey.update', survey_id: d.id, title: 'Luonnoksen uusi nimi' }));
    const de = await nextEvent(mod.ws, `survey:${d.id}`, 'survey.changed');
    assert.deepEqual([de.data.status, de.data.title], ['draft', 'Luonnoksen uusi nimi']);
  });

  test('participation: mine.responses and period.participation count surveys submitted, once per survey; a started response is not taking part', async () => {
    const p = await openPeriod(mod.ws);
    const s1 = await liveSurvey(mod.ws, p.id, { questions: [Q.short({ required: true })] });
    const s2 = await liveSurvey(mod.ws, p.id, { secret: true, allow_edit: true, questions: [Q.short({ required: true })] });
    const D = await member(srv, { display_name: 'Daniel' });
    const E = await member(srv, { display_name: 'Eeva' });
    try {
      await submitOk(D.ws, s1, { [s1.questions[0].id]: 'yksi' });
      await submitOk(D.ws, s2, { [s2.questions[0].id]: 'kaksi' });
      await submitOk(D.ws, s2, { [s2.questions[0].id]: 'kaksi uudelleen' });
      await saveOk(E.ws, s1, { [s1.questions[0].id]: 'kesken' });
      const g = ok(await D.ws.request({ type: 'period.get', period_id: p.id }), 'period.get');
      assert.deepEqual(g.mine, { posts: 0, reactions: 0, votes: 0, responses: 2 });
      const l = ok(await D.ws.request({ type: 'period.list' }), 'period.list');
      assert.deepEqual(l.open.find((x) => x.id === p.id)?.mine, { posts: 0, reactions: 0, votes: 0, responses: 2 });
      const ge = ok(await E.ws.request({ type: 'period.get', period_id: p.id }), 'period.get');
      assert.equal(ge.mine.responses, 0, 'a started response is not a response');
      const part = ok(await mod.ws.request({ type: 'period.participation', period_id: p.id }), 'period.participation');
      assert.equal(part.responses, 2);
      assert.equal(part.participants, 1, 'the member who only submitted surveys took part; the one who only saved did not');
      assert.equal(part.by_age_group.reduce((n, x) => n + x.participants, 0), 1);
    } finally { D.ws.destroy(); E.ws.destroy(); }
  });

  test('a secret survey leaves no time in the member\'s participation (as a secret vote does)', async () => {
    const p = await openPeriod(mod.ws);
    const s = await liveSurvey(mod.ws, p.id, { secret: true, questions: [Q.short({ required: true })] });
    const D = await member(srv, { display_name: 'Daniel' });
    try {
      await sleep(1200);
      const t0 = new Date(Date.now() - 200).toISOString();
      await submitOk(D.ws, s, { [s.questions[0].id]: 'salaa' });
      const t1 = new Date(Date.now() + 200).toISOString();
      const rows = sqlite(srv.db, `SELECT * FROM participation WHERE period_id = ${p.id} AND member_id = ${D.member.id};`).trim();
      assert.ok(rows.length > 0, 'the member took part');
      const times = rows.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g) ?? [];
      for (const t of times) assert.ok(!(t >= t0 && t <= t1), `participation holds the submission time ${t}: ${rows}`);
    } finally { D.ws.destroy(); }
  });

  // ---- CSV export -------------------------------------------------------

  test('CSV: a named survey — BOM, CRLF, every cell quoted, headers, one row per submitted response with names and emails, cells by kind, formula guard', async () => {
    const s = await liveSurvey(mod.ws, period.id, { questions: [
      Q.single({ text: 'Yksi valinta' }), Q.multiple({ text: 'Monta valintaa', min_picks: 1 }), Q.scale({ text: 'Asteikko' }),
      Q.ranking({ text: 'Järjestys' }), Q.short({ text: 'Lyhyt "lainaus"' }), Q.long({ text: 'Pitkä' }),
    ] });
    const i = ids(s);
    const D = await member(srv, { display_name: 'Daniel Drafti' });
    try {
      await submitOk(A.ws, s, { [i.single]: i.so[1], [i.multiple]: [i.mo[0], i.mo[2]], [i.scale]: 4, [i.ranking]: [i.ro[2], i.ro[0], i.ro[1]],
        [i.short]: '=SUM(A1:A9)', [i.long]: 'Hän sanoi "hei",\nja lähti.' });
      await submitOk(B.ws, s, { [i.short]: '+358 40 123', [i.long]: '-miinus' });
      await submitOk(C.ws, s, { [i.short]: '@käyttäjä', [i.single]: i.so[0] });
      await saveOk(D.ws, s, { [i.short]: 'keskeneräinen' });
      const res = await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie: mod.cookie });
      assert.equal(res.status, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/csv; ?charset=utf-8$/i);
      assert.equal(res.headers['content-disposition'], `attachment; filename="kysely-${s.id}-vastaukset.csv"`);
      assert.equal(res.headers['cache-control'], 'no-store', 'API responses carry Cache-Control: no-store');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const buf = res.bodyBuffer;
      assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
      const text = buf.subarray(3).toString('utf8');
      assert.ok(text.endsWith('\r\n'), 'the last line ends in CRLF');
      const rows = parseStrictCsv(text);
      assert.deepEqual(rows[0], ['Vastaus', 'Nimi', 'Sähköposti', 'Lähetetty', 'Yksi valinta', 'Monta valintaa', 'Asteikko', 'Järjestys', 'Lyhyt "lainaus"', 'Pitkä']);
      assert.ok(text.startsWith('"Vastaus";"Nimi";"Sähköposti";"Lähetetty";"Yksi valinta";"Monta valintaa";"Asteikko";"Järjestys";"Lyhyt ""lainaus""";"Pitkä"\r\n'),
        'quotes in a header are doubled; cells are separated by semicolons (Finnish spreadsheets)');
      assert.equal(rows.length, 4, `a header and three submitted responses (not the started one): ${JSON.stringify(rows)}`);
      for (const r of rows) assert.equal(r.length, 10, `every row has every column: ${JSON.stringify(r)}`);
      const [, ra, rb, rc] = rows;
      assert.deepEqual(ra.slice(1, 3), ['Aino', A.email]);
      assert.deepEqual(rb.slice(1, 3), ['Bertta', B.email]);
      assert.deepEqual(rc.slice(1, 3), ['Cecilia', C.email]);
      for (const r of [ra, rb, rc]) { assert.match(r[3], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, `Lähetetty ${r[3]} (local time a spreadsheet reads)`); assert.ok(r[0].length > 0, 'Vastaus has a value'); }
      assert.ok(ra[3] <= rb[3] && rb[3] <= rc[3], 'in the order they were submitted');
      assert.equal(new Set([ra[0], rb[0], rc[0]]).size, 3, 'distinct Vastaus values');
      assert.deepEqual(ra.slice(4), ['Kuvat', 'a; c', '4', 'z > x > y', "'=SUM(A1:A9)", 'Hän sanoi "hei",\nja lähti.']);
      assert.deepEqual(rb.slice(4), ['', '', '', '', "'+358 40 123", "'-miinus"]);
      assert.deepEqual(rc.slice(4), ['Selkeä kieli', '', '', '', "'@käyttäjä", '']);
      assert.ok(text.includes('"Hän sanoi ""hei"",\nja lähti."'), 'quotes doubled, the newline kept inside the quoted cell');
      assert.ok(!text.includes('Daniel') && !text.includes(D.email) && !text.includes('keskeneräinen'), 'no started response');
    } finally { D.ws.destroy(); }
  });

  test('CSV: a secret survey has no name, email or time columns and no names or emails anywhere', async () => {
    const s = await liveSurvey(mod.ws, period.id, { secret: true, questions: [Q.short({ text: 'Sana' }), Q.ranking({ text: 'Järjestys' })] });
    const [q0, q1] = s.questions.map((q) => q.id);
    const ro = s.questions[1].options.map((o) => o.id);
    await submitOk(A.ws, s, { [q0]: 'salainen yksi', [q1]: [ro[1], ro[2], ro[0]] });
    await submitOk(B.ws, s, { [q0]: 'salainen kaksi' });
    for (const check of ['open', 'closed']) {
      if (check === 'closed') await closeSurvey(mod.ws, s);
      const res = await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie: mod.cookie });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual([...res.bodyBuffer.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const text = res.bodyBuffer.subarray(3).toString('utf8');
      const rows = parseStrictCsv(text);
      assert.deepEqual(rows[0], ['Vastaus', 'Sana', 'Järjestys'], `${check}: header`);
      assert.equal(rows.length, 3);
      const body = rows.slice(1).map((r) => r.slice(1)).sort((x, y) => x[0].localeCompare(y[0]));
      assert.deepEqual(body, [['salainen kaksi', ''], ['salainen yksi', 'y > z > x']]);
      for (const w of [A, B]) {
        assert.ok(!text.includes(w.email), `${check}: no email`);
        assert.ok(!text.includes(w.body.display_name), `${check}: no name`);
      }
      assert.ok(!/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text), `${check}: no times`);
    }
  });

  test('CSV: 401 without a session, 403 for a member, 404 for an unknown survey; headers in the moderator\'s language', async () => {
    const s = await liveSurvey(mod.ws, period.id, { questions: [Q.short({ text: 'Kysymys' })] });
    await submitOk(A.ws, s, { [s.questions[0].id]: 'x' });
    assertHttpError(await get(srv, `/api/surveys/${s.id}/responses.csv`), 401, 'unauthenticated');
    assertHttpError(await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie: 'raati_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 401, 'unauthenticated');
    assertHttpError(await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie: A.cookie }), 403, 'forbidden');
    assertHttpError(await get(srv, '/api/surveys/999999/responses.csv', { cookie: mod.cookie }), 404, 'not_found');
    for (const path of ['/api/surveys/abc/responses.csv', '/api/surveys/0/responses.csv', `/api/surveys/${s.id}/responses.json`]) {
      assertHttpError(await get(srv, path, { cookie: mod.cookie }), 404, 'not_found');
    }
    const en = await moderator(srv, { language: 'en', display_name: 'Moderator Max' });
    try {
      const res = await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie: en.cookie });
      assert.equal(res.status, 200);
      const rows = parseStrictCsv(res.bodyBuffer.subarray(3).toString('utf8'));
      assert.equal(rows[0].length, 5);
      assert.notDeepEqual(rows[0].slice(0, 4), ['Vastaus', 'Nimi', 'Sähköposti', 'Lähetetty'], `an English moderator gets English headers: ${rows[0]}`);
      assert.equal(rows[0][4], 'Kysymys', 'question texts as written');
    } finally { en.ws.destroy(); }
  });

  test('CSV: ?sep=comma for English spreadsheets; times are local (Europe/Helsinki); a bad sep is invalid_field', async () => {
    const s = await liveSurvey(mod.ws, period.id, { questions: [Q.short({ text: 'Sana' })] });
    const sent = await submitOk(A.ws, s, { [s.questions[0].id]: 'yksi, kaksi' });
    const res = await get(srv, `/api/surveys/${s.id}/responses.csv?sep=comma`, { cookie: mod.cookie });
    assert.equal(res.status, 200, res.body);
    const text = res.bodyBuffer.subarray(3).toString('utf8');
    assert.ok(text.startsWith('"Vastaus","Nimi","Sähköposti","Lähetetty","Sana"\r\n'), text.slice(0, 80));
    const rows = parseStrictCsv(text, ',');
    assert.equal(rows[1][4], 'yksi, kaksi', 'a comma inside a cell stays inside its quotes');
    // Helsinki is UTC+2 in winter and UTC+3 in summer.
    const utc = new Date(sent.my_response.submitted_at);
    const local = new Date(`${rows[1][3].replace(' ', 'T')}Z`);
    const offsetHours = (local - utc) / 3600000;
    assert.ok(offsetHours > 1.99 && offsetHours < 3.01, `local time ${rows[1][3]} for ${sent.my_response.submitted_at}`);
    const semi = await get(srv, `/api/surveys/${s.id}/responses.csv?sep=semicolon`, { cookie: mod.cookie });
    assert.ok(semi.bodyBuffer.subarray(3).toString('utf8').startsWith('"Vastaus";"Nimi"'));
    assertHttpError(await get(srv, `/api/surveys/${s.id}/responses.csv?sep=tab`, { cookie: mod.cookie }), 400, 'invalid_field', 'sep');
  });

  test('CSV: with allow_edit a resubmitted response is one row with the latest answers', async () => {
    const s = await liveSurvey(mod.ws, period.id, { allow_edit: true, questions: [Q.multiple({ text: 'Valinnat', min_picks: 1 }), Q.short({ text: 'Sana' })] });
    const [q0, q1] = s.questions.map((q) => q.id);
    const mo = s.questions[0].options.map((o) => o.id);
    await submitOk(A.ws, s, { [q0]: [mo[0]], [q1]: 'ensimmäinen' });
    await submitOk(A.ws, s, { [q0]: [mo[1], mo[3]], [q1]: 'toinen' });
    const res = await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie: mod.cookie });
    assert.equal(res.status, 200);
    const rows = parseStrictCsv(res.bodyBuffer.subarray(3).toString('utf8'));
    assert.equal(rows.length, 2, `one response: ${JSON.stringify(rows)}`);
    assert.deepEqual(rows[1].slice(1, 3), ['Aino', A.email]);
    assert.deepEqual(rows[1].slice(4), ['b; d', 'toinen']);
  });

  // ---- secret survey: nothing links a response to a member once closed ---

  test('a closed secret survey: no response row keeps a tag, member or time, the key is gone, drafts are deleted, old tags are in neither .db nor -wal, members no longer see their answers', async () => {
    const s = await liveSurvey(mod.ws, period.id, { secret: true, allow_edit: true, questions: [Q.single({ required: true }), Q.long()] });
    const [q0, q1] = s.questions.map((q) => q.id);
    const o = s.questions[0].options.map((x) => x.id);
    await submitOk(A.ws, s, { [q0]: o[0], [q1]: 'A:n teksti' });
    await submitOk(B.ws, s, { [q0]: o[1] });
    await submitOk(C.ws, s, { [q0]: o[2], [q1]: 'C:n teksti' });
    await submitOk(A.ws, s, { [q0]: o[1], [q1]: 'A:n uusi teksti' }); // a resubmission rewrites a row
    const D = await member(srv, { display_name: 'Daniel' });
    try {
      await saveOk(D.ws, s, { [q1]: 'D ei lähettänyt' });
      const sc = SC;
      const where = `survey_id = ${s.id}`;
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE ${where};`).trim(), '4', 'three submitted and one started while open');
      for (const c of [...sc.memberCols, ...sc.timeCols]) {
        assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE ${where} AND "${c}" IS NOT NULL;`).trim(), '0',
          `a secret response has no ${c}, even while open`);
      }
      const tags = sqlite(srv.db, `SELECT hex("${sc.tag}") FROM "${sc.response}" WHERE ${where};`).split('\n').filter(Boolean);
      assert.equal(tags.length, 4, 'every open secret response is found by its tag');
      assert.equal(new Set(tags).size, 4);
      for (const t of tags) {
        assert.ok(t.length >= 16, `a tag of at least 8 bytes: ${t}`);
        assert.ok(dbFiles().some(([, b]) => b.indexOf(Buffer.from(t, 'hex')) >= 0), `the open survey's tag ${t} is in the .db or -wal`);
      }
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.key}" WHERE ${where};`).trim(), '1', 'the survey has a key while open');
      const rids = sqlite(srv.db, `SELECT id FROM "${sc.response}" WHERE ${where} ORDER BY id;`).split('\n').filter(Boolean).map(Number);
      assert.ok(!rids.every((v, k) => k === 0 || v === rids[k - 1] + 1), `response ids are random, not sequential: ${rids}`);

      await subscribe(B.ws, `survey:${s.id}`);
      await closeSurvey(mod.ws, s);
      await settle(mod.ws);
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE ${where};`).trim(), '3', 'the unsubmitted draft is deleted');
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE ${where} AND "${sc.tag}" IS NOT NULL;`).trim(), '0', 'no response keeps its tag');
      for (const c of [...sc.memberCols, ...sc.timeCols]) {
        assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE ${where} AND "${c}" IS NOT NULL;`).trim(), '0', `no response keeps ${c}`);
      }
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.key}" WHERE ${where};`).trim(), '0', 'the key is gone');
      for (const [f, bytes] of dbFiles()) {
        for (const t of tags) assert.equal(bytes.indexOf(Buffer.from(t, 'hex')), -1, `${f} still holds the tag ${t}`);
      }
      // members see that they answered, not what
      for (const w of [A, B, C]) {
        const g = await getSurvey(w.ws, s);
        assert.deepEqual(g.my_response, { status: 'submitted', answers: null, updated_at: null, submitted_at: null }, `${w.body.display_name}: ${JSON.stringify(g.my_response)}`);
      }
      assert.equal((await getSurvey(D.ws, s)).my_response, null, 'the one who never submitted has no response');
      // the results stay
      const r = await results(mod.ws, s);
      assert.equal(r.responses, 3);
      assert.equal(r.started, 0);
      assert.deepEqual(r.questions[0].results.options.map((x) => x.count), [0, 2, 1]);
      assert.deepEqual(r.questions[1].texts.map((t) => t.text).sort(), ['A:n uusi teksti', 'C:n teksti']);
    } finally { D.ws.destroy(); }
  });

  test('a secret survey closed by closes_at and one closed by its period are unlinked too', async () => {
    const p = await openPeriod(mod.ws);
    const timed = await liveSurvey(mod.ws, p.id, { secret: true, closes_at: at(4000), questions: [Q.short()] });
    const byPeriod = await liveSurvey(mod.ws, p.id, { secret: true, questions: [Q.short()] });
    await subscribe(B.ws, `survey:${timed.id}`);
    await subscribe(B.ws, `survey:${byPeriod.id}`);
    for (const s of [timed, byPeriod]) {
      await submitOk(A.ws, s, { [s.questions[0].id]: 'a' });
      await submitOk(C.ws, s, { [s.questions[0].id]: 'c' });
      await saveOk(B.ws, s, { [s.questions[0].id]: 'b kesken' });
    }
    const sc = SC;
    const tagsOf = (s) => sqlite(srv.db, `SELECT hex("${sc.tag}") FROM "${sc.response}" WHERE survey_id = ${s.id};`).split('\n').filter(Boolean);
    const t1 = tagsOf(timed);
    const t2 = tagsOf(byPeriod);
    assert.equal(t1.length, 3);
    assert.equal(t2.length, 3);
    const check = (s, tags) => {
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE survey_id = ${s.id};`).trim(), '2', 'the unsubmitted one is deleted');
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE survey_id = ${s.id} AND "${sc.tag}" IS NOT NULL;`).trim(), '0');
      assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.key}" WHERE survey_id = ${s.id};`).trim(), '0', 'the key is gone');
      for (const [f, bytes] of dbFiles()) for (const t of tags) assert.equal(bytes.indexOf(Buffer.from(t, 'hex')), -1, `${f} still holds ${t}`);
    };
    await nextEvent(B.ws, `survey:${timed.id}`, 'survey.changed', (x) => x.data.status === 'closed', { timeout: 12000 });
    await settle(mod.ws);
    check(timed, t1);
    ok(await mod.ws.request({ type: 'period.close', period_id: p.id }), 'period.close');
    await nextEvent(B.ws, `survey:${byPeriod.id}`, 'survey.changed', (x) => x.data.status === 'closed');
    await settle(mod.ws);
    check(byPeriod, [...t1, ...t2]);
    const g = await getSurvey(A.ws, byPeriod);
    assert.deepEqual([g.my_response?.status, g.my_response?.answers], ['submitted', null]);
    assert.equal((await getSurvey(B.ws, byPeriod)).my_response, null);
  });

  // ---- one response per member --------------------------------------------

  for (const secret of [false, true]) {
    for (const allowEdit of [false, true]) {
      test(`one response per member: saves and submits at once from 5 connections of one member (${secret ? 'secret' : 'named'}, allow_edit ${allowEdit})`, async () => {
        const s = await liveSurvey(mod.ws, period.id, { secret, allow_edit: allowEdit, questions: [Q.single({ required: true }), Q.short()] });
        const [q0, q1] = s.questions.map((q) => q.id);
        const o = s.questions[0].options.map((x) => x.id);
        const conns = await Promise.all(Array.from({ length: 5 }, () => openWs(srv, { cookie: C.cookie })));
        let replies;
        try {
          replies = await Promise.all(conns.map(({ ws }, c) => pipeline(ws, Array.from({ length: 10 }, (_, k) => ({
            type: k % 2 ? 'survey.submit' : 'survey.save', survey_id: s.id, answers: { [q0]: o[(c + k) % 3], [q1]: `yhteys ${c} viesti ${k}` },
          })))));
        } finally { for (const { ws } of conns) ws.destroy(); }
        const flat = replies.flat();
        for (const r of flat) {
          assert.ok(r.ok === true || r.error?.code === 'conflict', `every reply is ok or conflict: ${JSON.stringify(r)}`);
          if (r.ok) assert.ok(r.survey.responses <= 1, `responses in a reply: ${r.survey.responses}`);
        }
        const submits = flat.filter((r, k) => k % 2 === 1);
        const okSubmits = submits.filter((r) => r.ok).length;
        if (allowEdit) assert.equal(okSubmits, submits.length, 'with allow_edit every submit succeeds');
        else assert.equal(okSubmits, 1, 'exactly one submit succeeds without allow_edit');
        const g = await getSurvey(C.ws, s);
        assert.equal(g.responses, 1);
        assert.equal(g.my_response.status, 'submitted');
        const r = await results(mod.ws, s);
        assert.equal(r.responses, 1);
        assert.equal(r.started, 0);
        assert.equal(r.questions[0].results.options.reduce((n, x) => n + x.count, 0), 1, `one answer counted: ${JSON.stringify(r.questions[0])}`);
        assert.equal(r.questions[1].texts.length, 1);
        const sc = SC;
        assert.equal(sqlite(srv.db, `SELECT count(*) FROM "${sc.response}" WHERE survey_id = ${s.id};`).trim(), '1', 'one response row');
      });
    }
  }
});

describe('surveys: a closed secret survey in the database pages', () => {
  let srv; let mod; let people;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    people = [];
    for (let i = 0; i < 6; i++) people.push(await member(srv, { display_name: `Vastaaja ${i}` }));
  });
  after(async () => { for (const w of [mod, ...(people ?? [])]) w?.ws.destroy(); await stopClean(srv); });

  test('the order of cells in the response table, its index and the respondents does not pair responses with members', async () => {
    const period = await openPeriod(mod.ws);
    const s = await liveSurvey(mod.ws, period.id, { secret: true, questions: [Q.scale({ required: true, scale: { min: 1, max: 10, min_label: '', max_label: '' } })] });
    const q = s.questions[0].id;
    const truth = new Map(); // member id → value
    for (const [k, i] of [3, 0, 5, 1, 4, 2].entries()) {
      await submitOk(people[i].ws, s, { [q]: k + 2 });
      truth.set(people[i].member.id, k + 2);
    }
    await closeSurvey(mod.ws, s);
    await settle(mod.ws);
    const root = (name) => Number(sqlite(srv.db, `SELECT rootpage FROM sqlite_master WHERE name = '${name}';`).trim());
    const valueOf = new Map(sqlite(srv.db, `SELECT id, answers FROM survey_response WHERE survey_id = ${s.id};`)
      .split('\n').filter(Boolean).map((l) => { const k = l.indexOf('|'); return [Number(l.slice(0, k)), JSON.parse(l.slice(k + 1))[String(q)]]; }));
    assert.equal(valueOf.size, 6);
    const respondents = leafCellsByOffset(srv.db, root('survey_respondent')).filter((c) => c.values[0] === s.id).map((c) => c.values[1]);
    assert.equal(respondents.length, 6, 'six respondents are kept');
    const orders = {
      'survey_response (table)': leafCellsByOffset(srv.db, root('survey_response')).filter((c) => valueOf.has(c.rowid)).map((c) => c.rowid),
      survey_response_survey: leafCellsByOffset(srv.db, root('survey_response_survey')).filter((c) => c.values[0] === s.id).map((c) => c.values.at(-1)),
    };
    for (const [name, order] of Object.entries(orders)) {
      assert.equal(order.length, 6, `${name}: six cells`);
      let linked = 0;
      respondents.forEach((m, k) => { if (valueOf.get(order[k]) === truth.get(m)) linked += 1; });
      assert.ok(linked < 6, `pairing the k-th written survey_respondent cell with the k-th written ${name} cell names every secret response (${linked}/6)`);
    }
  });
});

describe('surveys: restarts', () => {
  test('an open secret survey survives a restart: the member still finds their response; a closes_at passed while down closes it and unlinks it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raati-surveys-'));
    try {
      const a = await start({ dir });
      let mod; let m; let s;
      try {
        mod = await moderator(a);
        m = await member(a, { display_name: 'Aino' });
        const p = await openPeriod(mod.ws);
        s = await liveSurvey(mod.ws, p.id, { secret: true, closes_at: at(6000), questions: [Q.short(), Q.scale()] });
        await saveOk(m.ws, s, { [s.questions[0].id]: 'ennen' });
      } finally { mod?.ws.destroy(); m?.ws.destroy(); }
      await stopClean(a);
      const b = await start({ dir });
      try {
        const { ws } = await openWs(b, { cookie: m.cookie });
        const { ws: mws } = await openWs(b, { cookie: mod.cookie });
        try {
          const g = await getSurvey(ws, s);
          assert.equal(g.status, 'open');
          assert.deepEqual([g.my_response?.status, g.my_response?.answers], ['started', { [String(s.questions[0].id)]: 'ennen' }],
            'the secret response is found again after a restart');
          await submitOk(ws, s, { [s.questions[0].id]: 'jälkeen', [s.questions[1].id]: 5 });
          const tags = sqlite(b.db, `SELECT hex(voter_tag) FROM survey_response WHERE survey_id = ${s.id};`).split('\n').filter(Boolean);
          assert.equal(tags.length, 1);
          await subscribe(ws, `survey:${s.id}`);
          await stopClean(b);
        } finally { ws.destroy(); mws.destroy(); }
      } finally { if (b.proc.exitCode === null && b.proc.signalCode === null) await b.stop(); }
      await sleep(Math.max(0, Date.parse(s.closes_at) - Date.now() + 300));
      const c = await start({ dir });
      try {
        const { ws } = await openWs(c, { cookie: m.cookie });
        const { ws: mws } = await openWs(c, { cookie: mod.cookie });
        try {
          let g;
          for (let k = 0; k < 50; k++) { g = await getSurvey(ws, s); if (g.status === 'closed') break; await sleep(100); }
          assert.equal(g.status, 'closed', 'a closes_at that passed while the server was down closes the survey once it is back');
          assert.deepEqual(g.my_response, { status: 'submitted', answers: null, updated_at: null, submitted_at: null });
          await settle(mws);
          assert.equal(sqlite(c.db, `SELECT count(*) FROM survey_response WHERE survey_id = ${s.id} AND voter_tag IS NOT NULL;`).trim(), '0');
          assert.equal(sqlite(c.db, `SELECT count(*) FROM survey_key WHERE survey_id = ${s.id};`).trim(), '0');
          const r = await results(mws, s);
          assert.equal(r.responses, 1);
          assert.deepEqual(r.questions[0].texts, [{ text: 'jälkeen' }]);
        } finally { ws.destroy(); mws.destroy(); }
      } finally { await stopClean(c); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
