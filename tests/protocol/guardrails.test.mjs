// The guardrail for health data: a Finnish personal identity code
// (henkilötunnus) in a topic or post is stopped before it is published.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
