// Regression tests from the review of the forum change (periods, topics,
// posts, reactions, live channels). Each test names the bug it pins down;
// every one failed on the code as reviewed (7c3a15c).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, register, openWs, runRaati } from './helpers.mjs';

const DAY = 24 * 3600 * 1000;
const at = (ms) => new Date(Date.now() + ms).toISOString();

function ok(r, what = '') {
  assert.ok(r && r.ok === true, `${what}: expected ok:true, got ${JSON.stringify(r).slice(0, 500)}`);
  return r;
}

async function member(srv, overrides = {}) {
  const reg = await register(srv, overrides);
  const { ws, hello } = await openWs(srv, { cookie: reg.cookie });
  assert.ok(hello.member);
  return { ...reg, ws, member: hello.member };
}

async function moderator(srv) {
  const reg = await register(srv, { display_name: 'Moderaattori' });
  const r = await runRaati(['user', 'role', '--db', srv.db, '--email', reg.email, '--role', 'moderator']);
  assert.equal(r.code, 0, r.stderr);
  const { ws, hello } = await openWs(srv, { cookie: reg.cookie });
  assert.equal(hello.member?.role, 'moderator');
  return { ...reg, ws, member: hello.member };
}

async function openPeriodWithTopic(ws) {
  const p = ok(await ws.request({
    type: 'period.create', title: 'Jakso', description: 'Kuvaus',
    starts_at: at(DAY), ends_at: at(30 * DAY),
  }), 'period.create').period;
  ok(await ws.request({ type: 'period.open', period_id: p.id }), 'period.open');
  const t = ok(await ws.request({
    type: 'topic.create', period_id: p.id, title: 'Aihe', body: 'Aloitus',
  }), 'topic.create');
  return { period: p, topic: t.topic, opening: t.post };
}

describe('review: forum', () => {
  // forum_routes.c finish() moves app.seq on every commit, also when nothing
  // was stamped with it (a post.edit with the same text, a reaction already
  // given, every period-timer tick). The subscribe reply hands that number
  // out as the next `since`, but after a restart the sequence resumes from
  // the highest seq stored in the tables, so new changes reuse numbers at or
  // below it and a reconnecting client never gets them.
  test('after a restart, changes made since get a seq above any seq a subscribe reply gave out, and are caught up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raati-review-'));
    let srv;
    try {
      srv = await start({ dir });
      const mod = await moderator(srv);
      const A = await member(srv, { display_name: 'Aino' });
      const { topic } = await openPeriodWithTopic(mod.ws);
      const own = ok(await A.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Sama teksti' }), 'post.create').post;
      // Edits that change nothing: succeed, publish nothing, store nothing.
      for (let i = 0; i < 5; i++) {
        ok(await A.ws.request({ type: 'post.edit', post_id: own.id, body: 'Sama teksti' }), 'post.edit (same text)');
      }
      const sub = ok(await A.ws.request({ type: 'subscribe', channel: `topic:${topic.id}` }), 'subscribe');
      const since = sub.seq;
      mod.ws.destroy();
      A.ws.destroy();
      const stopped = await srv.stop();
      assert.equal(stopped.code, 0);

      srv = await start({ dir });
      const m2 = (await openWs(srv, { cookie: mod.cookie })).ws;
      const post = ok(await m2.request({ type: 'post.create', topic_id: topic.id, body: 'Uusi viesti uudelleenkäynnistyksen jälkeen' }), 'post.create after restart').post;
      const a2 = (await openWs(srv, { cookie: A.cookie })).ws;
      const r = ok(await a2.request({ type: 'subscribe', channel: `topic:${topic.id}`, since }), 'subscribe with since');
      assert.ok(post.seq > since, `a change after the restart got seq ${post.seq}, not above the since ${since} the server gave out before it`);
      assert.ok(!r.resync, 'no resync for one change');
      assert.deepEqual((r.events || []).map((e) => e.data.id), [post.id], `catch-up must bring the new post: ${JSON.stringify(r).slice(0, 500)}`);
      m2.destroy();
      a2.destroy();
    } finally {
      if (srv) await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // ws.c enqueue() drops a connection whose queue would pass 4 MiB, and a
  // reply is one frame: a topic.get whose 50 posts serialize to more than
  // 4 MiB closes the asker's connection instead of answering. 27 posts of
  // 20,000 '"' (each 40 KB as JSON plus 120 KB of &quot; in body_html) are
  // enough, so one member can make a topic unreadable for everyone.
  test('topic.get of a topic with long posts is answered, not dropped (replies larger than the 4 MiB queue cap)', async () => {
    const srv = await start();
    try {
      const mod = await moderator(srv);
      const A = await member(srv, { display_name: 'Aino' });
      const B = await member(srv, { display_name: 'Bertta' });
      const { topic } = await openPeriodWithTopic(mod.ws);
      const body = '"'.repeat(20000);
      for (let i = 0; i < 27; i++) {
        ok(await A.ws.request({ type: 'post.create', topic_id: topic.id, body }, { timeout: 20000 }), `post.create ${i}`);
      }
      let reply;
      try {
        reply = await B.ws.request({ type: 'topic.get', topic_id: topic.id }, { timeout: 20000 });
      } catch (e) {
        const info = await Promise.race([B.ws.closed, new Promise((r) => setTimeout(() => r(null), 100))]);
        assert.fail(`topic.get got no reply (${e.message}); connection closed: ${JSON.stringify(info)}`);
      }
      ok(reply, 'topic.get');
      assert.ok(reply.posts.length >= 1, 'some posts');
      for (const w of [mod, A, B]) w.ws.destroy();
    } finally {
      await srv.stop();
    }
  });

  // discussions.c reaction_set() adds to participation every time a row is
  // inserted, so removing and adding the same reaction again counts it
  // again: a member can inflate `mine.reactions` and the region's
  // period.participation totals without limit.
  test('adding, removing and adding the same reaction again counts one reaction given', async () => {
    const srv = await start();
    try {
      const mod = await moderator(srv);
      const A = await member(srv, { display_name: 'Aino' });
      const { period, opening } = await openPeriodWithTopic(mod.ws);
      for (let i = 0; i < 3; i++) {
        ok(await A.ws.request({ type: 'reaction.add', post_id: opening.id, reaction: 'agree' }), 'reaction.add');
        ok(await A.ws.request({ type: 'reaction.remove', post_id: opening.id, reaction: 'agree' }), 'reaction.remove');
      }
      ok(await A.ws.request({ type: 'reaction.add', post_id: opening.id, reaction: 'agree' }), 'reaction.add');
      const g = ok(await A.ws.request({ type: 'period.get', period_id: period.id }), 'period.get');
      assert.equal(g.mine.reactions, 1, `one reaction (agree on one post) given: ${JSON.stringify(g.mine)}`);
      const r = ok(await mod.ws.request({ type: 'period.participation', period_id: period.id }), 'period.participation');
      assert.equal(r.reactions, 1, 'period.participation counts it once');
      for (const w of [mod, A]) w.ws.destroy();
    } finally {
      await srv.stop();
    }
  });
});
