// Times what a moderator waits for after a survey: survey.results and the
// CSV export of a named survey with many responses (five questions, every
// kind of answer, long free texts). Responses are written straight into a
// copy of the schema through sqlite3 (signing up thousands of members
// would time password hashing instead), then the release build answers.
// Prints one table; asserts nothing about time.
//
//   node bench/survey_results.mjs [responses]      (make bench runs it)
import { execFileSync } from 'node:child_process';
import { start, register, runRaati, loginCookie, openWs } from '../tests/protocol/helpers.mjs';
import { get } from '../tests/protocol/http.mjs';

const RESPONSES = Number(process.argv[2] || 2000);
const RUNS = 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

const srv = await start();
try {
  const mod = await register(srv);
  const role = await runRaati(['user', 'role', '--db', srv.db, '--email', mod.email, '--role', 'moderator']);
  if (role.code !== 0) throw new Error('could not make a moderator: ' + role.stderr);
  const cookie = await loginCookie(srv, mod.email, mod.password);
  const { ws } = await openWs(srv, { cookie });
  const now = Date.now();
  const period = (await ws.request({
    type: 'period.create', title: 'Kyselyjakso', description: 'Kuormitus',
    starts_at: new Date(now - 1000).toISOString(), ends_at: new Date(now + 86400000).toISOString(), status: 'upcoming',
  })).period;
  const created = await ws.request({
    type: 'survey.create', period_id: period.id, title: 'Iso kysely', questions: [
      { kind: 'single', text: 'Yksi', options: ['A', 'B', 'C', 'D'] },
      { kind: 'multiple', text: 'Monta', options: ['A', 'B', 'C', 'D', 'E'], max_picks: 3 },
      { kind: 'scale', text: 'Asteikko', scale: { min: 1, max: 5 } },
      { kind: 'ranking', text: 'Järjestys', options: ['X', 'Y', 'Z'] },
      { kind: 'long_text', text: 'Kerro lisää' },
    ],
  });
  if (!created.ok) throw new Error(JSON.stringify(created));
  const s = created.survey;
  await ws.request({ type: 'survey.open', survey_id: s.id });
  const [q1, q2, q3, q4, q5] = s.questions;
  const o = (q, i) => q.options[i].id;
  const text = 'Ohjeessa oli paljon hyvää, mutta aikataulu jäi epäselväksi ja puhelinnumero löytyi vasta lopusta. ';
  const sql = ['BEGIN;'];
  for (let i = 0; i < RESPONSES; i++) {
    const id = 100000 + i;
    sql.push(`INSERT INTO member (id, email, display_name, password_hash, role, birth_year, municipality, language) VALUES (${id}, 'kuorma${i}@raati.example', 'Kuorma ${i}', 'x', 'member', 1980, 'hyvinkaa', 'fi');`);
    const answers = {
      [q1.id]: o(q1, i % 4), [q2.id]: [o(q2, i % 5), o(q2, (i + 2) % 5)], [q3.id]: 1 + (i % 5),
      [q4.id]: i % 2 ? [o(q4, 0), o(q4, 1), o(q4, 2)] : [o(q4, 2), o(q4, 0), o(q4, 1)],
      [q5.id]: text.repeat(1 + (i % 4)).trim(),
    };
    const json = JSON.stringify(answers).replaceAll("'", "''");
    sql.push(`INSERT INTO survey_response (survey_id, member_id, status, answers, updated_at, submitted_at) VALUES (${s.id}, ${id}, 'submitted', '${json}', '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00.000Z');`);
  }
  sql.push(`UPDATE survey SET responses = ${RESPONSES} WHERE id = ${s.id};`, 'COMMIT;');
  execFileSync('sqlite3', [srv.db], { input: sql.join('\n') });

  const results = [];
  let resultBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await ws.request({ type: 'survey.results', survey_id: s.id }, { timeout: 60000 });
    results.push(performance.now() - t0);
    if (!r.ok || r.responses !== RESPONSES) throw new Error(JSON.stringify(r).slice(0, 300));
    resultBytes = JSON.stringify(r).length;
  }
  const csv = [];
  let csvBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await get(srv, `/api/surveys/${s.id}/responses.csv`, { cookie });
    csv.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`CSV ${res.status}`);
    csvBytes = res.bodyBuffer.length;
  }
  const f = (x) => `${x.toFixed(1)} ms`;
  console.log(`\nA named survey of ${RESPONSES} responses, 5 questions (long texts 100-400 characters), ${RUNS} sequential requests:\n`);
  console.log('| request | median | p90 | size |');
  console.log('|---|---|---|---|');
  console.log(`| \`survey.results\` | ${f(median(results))} | ${f(p90(results))} | ${Math.round(resultBytes / 1024)} KB |`);
  console.log(`| CSV export | ${f(median(csv))} | ${f(p90(csv))} | ${Math.round(csvBytes / 1024)} KB |`);
} finally {
  await srv.stop();
}
