// Review regressions for surveys (docs/protocol.md, "Surveys", and "Polls"
// for what the two share through server/question.c).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { start, sqlite, sleep, assertError } from './helpers.mjs';
import { ok, member, moderator, openPeriod, stopClean } from './discuss.mjs';
import { leafValues } from './sqlitefile.mjs';

const leafCellsByOffset = leafValues;

const Q = {
  single: (f = {}) => ({ kind: 'single', text: 'Mikä ohjeessa oli parasta?', options: ['Selkeä kieli', 'Kuvat', 'Yhteystiedot'], ...f }),
  short: (f = {}) => ({ kind: 'short_text', text: 'Mikä sana oli vaikein?', ...f }),
  long: (f = {}) => ({ kind: 'long_text', text: 'Kerro omin sanoin', ...f }),
};
let surveyCounter = 0;
async function createSurvey(ws, periodId, fields = {}) {
  surveyCounter += 1;
  return ok(await ws.request({ type: 'survey.create', period_id: periodId, title: `Arvio ${surveyCounter}`,
    questions: [Q.single(), Q.short()], ...fields }), 'survey.create').survey;
}
async function liveSurvey(ws, periodId, fields = {}) {
  const s = await createSurvey(ws, periodId, fields);
  return ok(await ws.request({ type: 'survey.open', survey_id: s.id }), 'survey.open').survey;
}

describe('review: surveys', () => {
  let srv; let mod; let A;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Aino' });
  });
  after(async () => { for (const w of [mod, A]) w?.ws.destroy(); await stopClean(srv); });

  // surveys.c answer_field() / read_answers(): "answers.%.20s" and
  // "%.20s is not a question" cut the key in the middle of a character; the
  // error object then cannot be built (jansson refuses invalid UTF-8) and
  // the reply has no error at all.
  test('survey.save with an unknown non-ASCII answer key: the reply still carries invalid_field answers.<key>', async () => {
    const p = await openPeriod(mod.ws);
    const s = await liveSurvey(mod.ws, p.id);
    const key = `a${'ä'.repeat(15)}`; // byte 20 is the first byte of a two-byte character
    const r = await A.ws.request({ type: 'survey.save', survey_id: s.id, answers: { [key]: 1 } });
    assert.equal(r.ok, false);
    assert.ok(r.error, `the reply has an error object: ${JSON.stringify(r)}`);
    assert.equal(r.error.code, 'invalid_field');
    assert.ok(r.error.field?.startsWith('answers.'), `field names answers.<key>: ${JSON.stringify(r.error)}`);
  });

  // question.c question_read_spec(): "option '%.60s' is listed twice" cuts
  // the label at 60 bytes, so the message is not UTF-8 and the error is lost.
  test('a label listed twice, with multi-byte characters: survey.create and poll.create still answer invalid_field', async () => {
    const p = await openPeriod(mod.ws);
    const label = `a${'ä'.repeat(40)}`; // byte 60 is the first byte of a two-byte character
    const r = await mod.ws.request({ type: 'survey.create', period_id: p.id, title: 'Kaksi samaa',
      questions: [Q.single({ options: [label, label] })] });
    assert.ok(r.error, `survey.create has an error object: ${JSON.stringify(r)}`);
    assertError(r, 'invalid_field', 'questions.0.options');
    const r2 = await mod.ws.request({ type: 'poll.create', period_id: p.id, question: 'Kaksi samaa', kind: 'single',
      results_visibility: 'always', options: [label, label] });
    assert.ok(r2.error, `poll.create has an error object: ${JSON.stringify(r2)}`);
    assertError(r2, 'invalid_field', 'options');
  });
});

describe('review: a secret survey with long answers', () => {
  let srv; let mod; let people;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    people = [];
    for (let i = 0; i < 6; i++) people.push(await member(srv, { display_name: `Vastaaja ${i}` }));
  });
  after(async () => { for (const w of [mod, ...(people ?? [])]) w?.ws.destroy(); await stopClean(srv); });

  // surveys.c rewrite_in_key_order(): a response over ~4 KB keeps its tail
  // in overflow pages, allocated in the order responses were written. The
  // rewrite frees them and takes them back off the freelist last-in first-
  // out, so each row's new overflow page is the old page of the row at the
  // mirrored key rank: the submission order survives, and participation
  // (a WITHOUT ROWID table whose cells sit in the order members first took
  // part) gives the members in that same order.
  test('after closing, overflow page numbers and participation cells do not pair responses with members', async () => {
    const p = await openPeriod(mod.ws);
    const s = await liveSurvey(mod.ws, p.id, { secret: true, questions: [Q.long({ required: true })] });
    const qid = s.questions[0].id;
    const order = [3, 0, 5, 1, 4, 2];
    const truth = new Map(); // member id -> the start of their answer
    for (const i of order) {
      const text = `vastaus-${i}-${'x'.repeat(4500)}`;
      ok(await people[i].ws.request({ type: 'survey.submit', survey_id: s.id, answers: { [qid]: text } }), 'survey.submit');
      truth.set(people[i].member.id, `vastaus-${i}-`);
    }
    ok(await mod.ws.request({ type: 'survey.close', survey_id: s.id }), 'survey.close');
    // Closing checkpoints and truncates the write-ahead log.
    const wal = `${srv.db}-wal`;
    for (let k = 0; k < 60 && existsSync(wal) && statSync(wal).size > 0; k++) await sleep(50);

    // From here on only the database file.
    const rows = sqlite(srv.db, `SELECT id, substr(json_extract(answers, '$."${qid}"'), 1, 10) FROM survey_response WHERE survey_id = ${s.id} ORDER BY id;`)
      .trim().split('\n').map((l) => l.split('|'));
    assert.equal(rows.length, 6);
    const firstOverflow = new Map(sqlite(srv.db, "SELECT path, pageno FROM dbstat WHERE name = 'survey_response' AND pagetype = 'overflow' AND path LIKE '%+000000';")
      .trim().split('\n').map((l) => l.split('|')).map(([path, page]) => [parseInt(path.slice(1, path.indexOf('+')), 16), Number(page)]));
    assert.equal(firstOverflow.size, 6, 'every response has an overflow page');
    const now = rows.map((_, k) => firstOverflow.get(k)); // by key rank
    // The last row's old page became the freelist's trunk page (the file
    // header names it at offset 32).
    const trunk = readFileSync(srv.db).readUInt32BE(32);
    const was = rows.map((_, k) => (k < rows.length - 1 ? now[rows.length - 1 - k] : trunk));
    const guessedOrder = rows.map((r, k) => [was[k], r[1]]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    const root = Number(sqlite(srv.db, "SELECT rootpage FROM sqlite_master WHERE name = 'participation';").trim());
    const memberOrder = leafCellsByOffset(srv.db, root).filter((v) => v[0] === p.id && truth.has(v[1])).map((v) => v[1]);
    assert.equal(memberOrder.length, 6);
    let linked = 0;
    memberOrder.forEach((m, k) => { if (truth.get(m) === guessedOrder[k]) linked++; });
    assert.ok(linked < 6, `with only the .db file, the freed overflow pages taken back last-in first-out and the participation cells name every secret response (${linked}/6 linked)`);
  });
});
