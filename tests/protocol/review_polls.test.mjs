// Review regressions for polls: a closed secret poll must leave no link
// from ballot to member in the database file (docs/protocol.md, "Named and
// secret polls").
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { start, sqlite, sleep } from './helpers.mjs';
import { ok, member, moderator, openPeriod, stopClean } from './discuss.mjs';
import { leafValues } from './sqlitefile.mjs';

const leafCellsByOffset = leafValues;

describe('review: polls', () => {
  let srv; let mod; let voters;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    voters = [];
    for (let i = 0; i < 6; i++) voters.push(await member(srv, { display_name: `Äänestäjä ${i}` }));
  });
  after(async () => { for (const w of [mod, ...(voters ?? [])]) w?.ws.destroy(); await stopClean(srv); });

  test('a closed secret poll: the order of cells in index/WITHOUT ROWID pages does not link ballots to members', async () => {
    const period = await openPeriod(mod.ws);
    const poll = ok(await mod.ws.request({ type: 'poll.create', period_id: period.id, question: 'Arvosana?', kind: 'scale',
      scale: { min: 1, max: 10, min_label: '', max_label: '' }, results_visibility: 'always', secret: true }), 'create').poll;
    const truth = new Map(); // member id -> value
    // vote in an order unrelated to member id
    const order = [3, 0, 5, 1, 4, 2];
    for (const [k, i] of order.entries()) {
      ok(await voters[i].ws.request({ type: 'poll.vote', poll_id: poll.id, answer: k + 2 }), 'vote');
      truth.set(voters[i].member.id, k + 2);
    }
    ok(await mod.ws.request({ type: 'poll.close', poll_id: poll.id }), 'close');
    const root = (name) => Number(sqlite(srv.db, `SELECT rootpage FROM sqlite_master WHERE name = '${name}';`).trim());
    // ballot_poll (poll_id, rowid): written in vote order; poll_voter (poll_id, member_id) too.
    const ballotOrder = leafCellsByOffset(srv.db, root('ballot_poll')).filter((v) => v[0] === poll.id).map((v) => v[1]);
    const voterOrder = leafCellsByOffset(srv.db, root('poll_voter')).filter((v) => v[0] === poll.id).map((v) => v[1]);
    const valueOf = new Map(sqlite(srv.db, `SELECT id, value FROM ballot WHERE poll_id = ${poll.id};`)
      .split('\n').filter(Boolean).map((l) => l.split('|').map(Number)));
    assert.equal(ballotOrder.length, 6); assert.equal(voterOrder.length, 6);
    let linked = 0;
    voterOrder.forEach((m, k) => { if (valueOf.get(ballotOrder[k]) === truth.get(m)) linked++; });
    assert.ok(linked < 6, `with only the .db file, pairing the k-th written poll_voter cell with the k-th written ballot_poll cell names every secret ballot (${linked}/6 linked)`);
  });

  test('a secret poll closed while another process reads: the tags do not stay in the -wal once the reader is gone', async () => {
    const period = await openPeriod(mod.ws);
    const poll = ok(await mod.ws.request({ type: 'poll.create', period_id: period.id, question: 'Kyllä?', kind: 'single',
      options: ['kyllä', 'ei'], results_visibility: 'always', secret: true }), 'create').poll;
    for (const v of voters.slice(0, 3)) ok(await v.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id }), 'vote');
    const tags = sqlite(srv.db, `SELECT hex(voter_tag) FROM ballot WHERE poll_id = ${poll.id};`).split('\n').filter(Boolean);
    assert.equal(tags.length, 3);
    // A reader (a backup, the admin's sqlite3) holds a snapshot for 7 s.
    const reader = spawn('sqlite3', [srv.db], { stdio: ['pipe', 'pipe', 'inherit'] });
    const started = new Promise((r) => reader.stdout.once('data', r));
    reader.stdin.write('BEGIN; SELECT count(*) FROM ballot;\n');
    await started;
    const t0 = Date.now();
    const closing = mod.ws.request({ type: 'poll.close', poll_id: poll.id }, { timeout: 20000 });
    setTimeout(() => reader.stdin.end('COMMIT;\n.quit\n'), 7000);
    ok(await closing, 'close');
    const stalled = Date.now() - t0;
    await new Promise((r) => reader.once('exit', r));
    // The server retries the erase every half second: wait (up to 10 s)
    // for the tags to be gone rather than for a fixed time.
    const wal = `${srv.db}-wal`;
    const walHasTag = () => {
      const bytes = existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0);
      return tags.some((t) => bytes.indexOf(Buffer.from(t, 'hex')) >= 0);
    };
    for (let i = 0; i < 100 && walHasTag(); i++) await sleep(100);
    assert.equal(walHasTag(), false,
      `the -wal still holds a voter tag after the reader left (erase_wal is not retried); poll.close took ${stalled} ms`);
  });
});
