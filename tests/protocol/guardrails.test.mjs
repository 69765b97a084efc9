// The guardrail for health data: a Finnish personal identity code
// (henkilötunnus) in a topic or post is stopped before it is published.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start } from './helpers.mjs';
import { member, moderator, openPeriod, createTopic, ok, stopClean } from './discuss.mjs';

test('personal identity codes are refused before anything is written', async (t) => {
  const srv = await start();
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const m = await member(srv);
  const period = await openPeriod(mod.ws, { members_may_open_topics: true });
  const { topic, post } = await createTopic(mod.ws, period.id);

  await t.test('post.create with a valid code: personal_id, and no post', async () => {
    const before = ok(await m.ws.request({ type: 'topic.get', topic_id: topic.id })).topic.post_count;
    const r = await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Soittakaa minulle, hetu 131052-308T kiitos' });
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'personal_id');
    assert.equal(r.error.field, 'body');
    const after = ok(await m.ws.request({ type: 'topic.get', topic_id: topic.id })).topic.post_count;
    assert.equal(after, before, 'nothing was written');
  });

  await t.test('the same text without the code goes through', async () => {
    ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Soittakaa minulle, kiitos' }));
  });

  await t.test('lower-case check letters and the 2023 century signs count too', async () => {
    for (const code of ['131052-308t', '010101B123N', '010101Y123N']) {
      const r = await m.ws.request({ type: 'post.create', topic_id: topic.id, body: `(${code})` });
      assert.equal(r.error?.code, 'personal_id', code);
    }
  });

  await t.test('look-alikes are not refused', async () => {
    for (const body of ['131052-308U', '290201A101K', 'tilausnumero X131052-308T', 'puh. 040 131 0523']) {
      ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body }), body);
    }
  });

  await t.test('topic.create checks the title and the body', async () => {
    let r = await m.ws.request({ type: 'topic.create', period_id: period.id, title: 'Asiani 131052-308T', body: 'Hei' });
    assert.equal(r.error?.code, 'personal_id');
    assert.equal(r.error.field, 'title');
    r = await m.ws.request({ type: 'topic.create', period_id: period.id, title: 'Asiani', body: 'Tunnus 131052-308T' });
    assert.equal(r.error?.code, 'personal_id');
    assert.equal(r.error.field, 'body');
  });

  await t.test('post.edit cannot add one', async () => {
    const mine = ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Alkuperäinen' })).post;
    const r = await m.ws.request({ type: 'post.edit', post_id: mine.id, body: 'Muokattu 131052-308T' });
    assert.equal(r.error?.code, 'personal_id');
    const again = ok(await m.ws.request({ type: 'post.list', topic_id: topic.id, after: post.id, limit: 50 }));
    assert.ok(again.posts.some((p) => p.id === mine.id && p.body === 'Alkuperäinen'), 'the post keeps its text');
  });
});

// Posts per minute: a member who posts too fast gets rate_limited with the
// seconds until they may post again; new members have a stricter limit;
// moderators have none. Nothing is written past the limit.
test('posts per minute, stricter for new members', async (t) => {
  const srv = await start({ env: { RAATI_POST_LIMIT: '4', RAATI_POST_LIMIT_NEW: '2', RAATI_NEW_MEMBER_DAYS: '7' } });
  t.after(() => stopClean(srv));
  const mod = await moderator(srv);
  const period = await openPeriod(mod.ws, { members_may_open_topics: true });
  const { topic } = await createTopic(mod.ws, period.id);

  await t.test('a new member may post 2 a minute; the third is refused with retry_after', async () => {
    const m = await member(srv);
    ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Yksi' }));
    ok(await m.ws.request({ type: 'topic.create', period_id: period.id, title: 'Oma aihe', body: 'Kaksi' }));
    const before = ok(await m.ws.request({ type: 'topic.get', topic_id: topic.id })).topic.post_count;
    const r = await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Kolme' });
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'rate_limited');
    assert.ok(r.error.retry_after >= 1 && r.error.retry_after <= 60, `retry_after ${r.error.retry_after}`);
    assert.match(r.error.message, /seconds/);
    const after = ok(await m.ws.request({ type: 'topic.get', topic_id: topic.id })).topic.post_count;
    assert.equal(after, before, 'nothing was written');
    const r2 = await m.ws.request({ type: 'topic.create', period_id: period.id, title: 'Toinen', body: 'Neljä' });
    assert.equal(r2.error?.code, 'rate_limited', 'a new topic counts too');
  });

  await t.test('a refused post does not use up the share; a re-sent post is not counted again', async () => {
    const m = await member(srv);
    const first = ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Yksi', client_key: 'avain-0001' })).post;
    const again = ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Yksi', client_key: 'avain-0001' })).post;
    assert.equal(again.id, first.id);
    ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Kaksi' }), 'the re-send did not count');
    const bad = await m.ws.request({ type: 'post.create', topic_id: topic.id, body: '' });
    assert.equal(bad.error?.code, 'invalid_field', 'input errors come before the limit');
  });

  await t.test('a member who joined before --new-member-days gets the ordinary limit', async () => {
    const m = await member(srv);
    execFileSync('sqlite3', [srv.db, `UPDATE member SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ${m.member.id}`]);
    for (let i = 0; i < 4; i++) ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: `Viesti ${i}` }));
    const r = await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Viides' });
    assert.equal(r.error?.code, 'rate_limited');
  });

  await t.test('moderators are not limited', async () => {
    for (let i = 0; i < 8; i++) ok(await mod.ws.request({ type: 'post.create', topic_id: topic.id, body: `Moderaattori ${i}` }));
  });

  await t.test('editing and deleting are not limited', async () => {
    const m = await member(srv);
    const p = ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Alku' })).post;
    ok(await m.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Toinen' }));
    for (let i = 0; i < 3; i++) ok(await m.ws.request({ type: 'post.edit', post_id: p.id, body: `Muokattu ${i}` }));
    ok(await m.ws.request({ type: 'post.delete', post_id: p.id }));
  });
});
