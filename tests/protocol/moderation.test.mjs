// Moderation of members: suspensions, roles, finding members, and the
// append-only audit log (docs/protocol.md, "Moderation").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, sqlite, runRaati } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, ok, stopClean, at, DAY, HOUR } from './discuss.mjs';

const STAFF_KEYS = ['id', 'display_name', 'email', 'role', 'created_at', 'suspension'];

function err(r, code, field) {
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.error.code, code, JSON.stringify(r.error));
  if (field !== undefined) assert.equal(r.error.field, field);
}

test('moderation of members', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const admin = await moderator(srv, { role: 'admin', display_name: 'Ylläpitäjä Ari' });
  const maija = await member(srv, { display_name: 'Maija Suspendoitava' });
  const period = await openPeriod(mod.ws);
  const { topic } = await createTopic(mod.ws, period.id);

  await t.test('member.suspend: the member sees why and until when, can read but not write', async () => {
    const until = at(3 * DAY);
    const r = ok(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until, reason: '  Toistuvaa häirintää  ' }));
    assert.deepEqual(Object.keys(r.member).sort(), [...STAFF_KEYS].sort());
    assert.equal(r.member.suspension.reason, 'Toistuvaa häirintää');
    assert.equal(new Date(r.member.suspension.until).getTime(), new Date(until).getTime());
    const me = ok(await maija.ws.request({ type: 'profile.get' })).member;
    assert.equal(me.suspension.reason, 'Toistuvaa häirintää');
    ok(await maija.ws.request({ type: 'topic.get', topic_id: topic.id }), 'reading works');
    err(await maija.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Hei' }), 'suspended');
    err(await maija.ws.request({ type: 'profile.update', display_name: 'Toinen nimi' }), 'suspended');
  });

  await t.test('member.suspend: bad input', async () => {
    err(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: at(-HOUR), reason: 'x' }), 'invalid_field', 'until');
    err(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: at(4000 * DAY), reason: 'x' }), 'invalid_field', 'until');
    err(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: 'huomenna', reason: 'x' }), 'invalid_field', 'until');
    err(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: at(DAY) }), 'missing_field', 'reason');
    err(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: at(DAY), reason: '   ' }), 'invalid_field', 'reason');
    err(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: at(DAY), reason: 'x'.repeat(501) }), 'too_long', 'reason');
    err(await mod.ws.request({ type: 'member.suspend', member_id: 999999, until: at(DAY), reason: 'x' }), 'not_found', 'member_id');
    err(await mod.ws.request({ type: 'member.suspend', member_id: admin.member.id, until: at(DAY), reason: 'x' }), 'forbidden', 'member_id');
  });

  await t.test('member.unsuspend lifts it; lifting again is a conflict', async () => {
    const r = ok(await mod.ws.request({ type: 'member.unsuspend', member_id: maija.member.id, reason: 'Sovittu' }));
    assert.equal(r.member.suspension, null);
    ok(await maija.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Kiitos' }));
    err(await mod.ws.request({ type: 'member.unsuspend', member_id: maija.member.id }), 'conflict', 'member_id');
  });

  await t.test('a suspension that has run out ends by itself', async () => {
    ok(await mod.ws.request({ type: 'member.suspend', member_id: maija.member.id, until: at(DAY), reason: 'Lyhyt' }));
    sqlite(srv.db, `UPDATE member SET suspended_until = '2020-01-01T00:00:00.000Z' WHERE id = ${maija.member.id}`);
    ok(await maija.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Taas täällä' }));
    assert.equal(ok(await maija.ws.request({ type: 'profile.get' })).member.suspension, null);
  });

  await t.test('member.role: admins appoint, not themselves; moderators may not', async () => {
    err(await mod.ws.request({ type: 'member.role', member_id: maija.member.id, role: 'moderator' }), 'forbidden');
    err(await admin.ws.request({ type: 'member.role', member_id: admin.member.id, role: 'member' }), 'forbidden', 'member_id');
    err(await admin.ws.request({ type: 'member.role', member_id: maija.member.id, role: 'pomo' }), 'invalid_field', 'role');
    err(await admin.ws.request({ type: 'member.role', member_id: maija.member.id, role: 'member' }), 'conflict', 'role');
    const r = ok(await admin.ws.request({ type: 'member.role', member_id: maija.member.id, role: 'moderator', reason: 'Uusi työntekijä' }));
    assert.equal(r.member.role, 'moderator');
    ok(await admin.ws.request({ type: 'member.role', member_id: maija.member.id, role: 'member' }));
  });

  await t.test('member.find: by name or email, wildcards taken literally', async () => {
    const r = ok(await mod.ws.request({ type: 'member.find', query: 'suspendoitava' }));
    assert.equal(r.members.length, 1);
    assert.equal(r.members[0].id, maija.member.id);
    assert.equal(r.more, false);
    const byEmail = ok(await mod.ws.request({ type: 'member.find', query: maija.email }));
    assert.equal(byEmail.members[0].id, maija.member.id);
    assert.equal(ok(await mod.ws.request({ type: 'member.find', query: '%' })).members.length, 0);
    assert.equal(ok(await mod.ws.request({ type: 'member.find', query: '_' })).members.length, 0);
    err(await mod.ws.request({ type: 'member.find' }), 'missing_field', 'query');
    err(await mod.ws.request({ type: 'member.find', query: 'x'.repeat(101) }), 'too_long', 'query');
  });

  await t.test('audit.list: every action above, newest first, with filters and pages', async () => {
    const all = ok(await mod.ws.request({ type: 'audit.list', limit: 200 })).entries;
    const actions = all.map((e) => e.action);
    assert.deepEqual(actions.filter((a) => a.startsWith('member.')), [
      'member.role', 'member.role', 'member.suspend', 'member.unsuspend', 'member.suspend',
    ]);
    const suspend = all.find((e) => e.action === 'member.suspend');
    assert.equal(suspend.actor.id, mod.member.id);
    assert.equal(suspend.actor.display_name, 'Moderaattori Mari');
    assert.deepEqual(suspend.target, { kind: 'member', id: maija.member.id, name: 'Maija Suspendoitava' });
    assert.equal(suspend.reason, 'Lyhyt');
    assert.ok(suspend.details.until);
    const role = all.find((e) => e.action === 'member.role' && e.details.to === 'moderator');
    assert.deepEqual(role.details, { from: 'member', to: 'moderator' });
    assert.equal(role.reason, 'Uusi työntekijä');
    const ids = all.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');

    const filtered = ok(await mod.ws.request({ type: 'audit.list', action: 'member.unsuspend' })).entries;
    assert.equal(filtered.length, 1);
    assert.equal(ok(await mod.ws.request({ type: 'audit.list', actor_id: admin.member.id })).entries.length, 2);
    assert.equal(ok(await mod.ws.request({ type: 'audit.list', target_kind: 'member', target_id: maija.member.id })).entries.length, 5);
    const page1 = ok(await mod.ws.request({ type: 'audit.list', limit: 2 }));
    assert.equal(page1.entries.length, 2);
    const page2 = ok(await mod.ws.request({ type: 'audit.list', limit: 2, before: page1.next_before }));
    assert.ok(page2.entries[0].id < page1.entries[1].id);
    err(await mod.ws.request({ type: 'audit.list', limit: 0 }), 'invalid_field', 'limit');
    err(await mod.ws.request({ type: 'audit.list', limit: 201 }), 'invalid_field', 'limit');
  });

  await t.test('the audit log is append-only in the database itself', async () => {
    assert.throws(() => sqlite(srv.db, 'UPDATE audit_log SET reason = \'muutettu\''), /append-only/);
    assert.throws(() => sqlite(srv.db, 'DELETE FROM audit_log'), /append-only/);
    assert.ok(Number(sqlite(srv.db, 'SELECT count(*) FROM audit_log')) >= 5);
  });

  await t.test('the command line is logged too', async () => {
    const r = await runRaati(['user', 'role', '--db', srv.db, '--email', maija.email, '--role', 'moderator']);
    assert.equal(r.code, 0, r.stderr);
    const e = ok(await mod.ws.request({ type: 'audit.list', action: 'user.role' })).entries[0];
    assert.deepEqual(e.actor, { id: null, display_name: 'komentorivi' });
    assert.deepEqual(e.target, { kind: 'member', id: maija.member.id, name: 'Maija Suspendoitava' });
    assert.deepEqual(e.details, { to: 'moderator' });
  });
});

test('moderators\' changes to periods, polls and surveys are in the audit log', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const m = await member(srv);
  const period = await openPeriod(mod.ws, { title: 'Jakso lokiin' });
  ok(await mod.ws.request({ type: 'period.update', period_id: period.id, title: 'Jakso lokiin, muokattu' }));
  const poll = ok(await mod.ws.request({ type: 'poll.create', period_id: period.id, question: 'Kumpi?', kind: 'single', options: ['A', 'B'], results_visibility: 'always' })).poll;
  ok(await mod.ws.request({ type: 'poll.close', poll_id: poll.id }));
  const survey = ok(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback' })).survey;
  ok(await mod.ws.request({ type: 'survey.delete', survey_id: survey.id }));
  // A member's vote or post is not a moderator's action.
  const other = ok(await mod.ws.request({ type: 'poll.create', period_id: period.id, question: 'Entä?', kind: 'single', options: ['A', 'B'], results_visibility: 'always' })).poll;
  ok(await m.ws.request({ type: 'poll.vote', poll_id: other.id, answer: other.options[0].id }));

  const entries = ok(await mod.ws.request({ type: 'audit.list', actor_id: mod.member.id })).entries.reverse();
  assert.deepEqual(entries.map((e) => e.action), [
    'period.create', 'period.open', 'period.update', 'poll.create', 'poll.close', 'survey.create', 'survey.delete', 'poll.create',
  ]);
  const update = entries[2];
  assert.deepEqual(update.target, { kind: 'period', id: period.id, name: 'Jakso lokiin, muokattu' });
  assert.deepEqual(update.details, { fields: ['title'] });
  assert.equal(entries[4].target.name, 'Kumpi?');
  assert.match(entries[6].target.name, /^Palaute: Jakso lokiin/, 'a deleted survey keeps its name in the log');
  assert.equal(ok(await mod.ws.request({ type: 'audit.list', actor_id: m.member.id })).entries.length, 0);
});
