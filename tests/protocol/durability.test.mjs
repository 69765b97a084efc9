// "An acknowledged post survives a crash": the server is killed with
// SIGKILL the moment a reply arrives, restarted on the same database, and
// everything acknowledged must be there. Also: period timers after a restart.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, openWs, sqlite, sleep } from './helpers.mjs';
import {
  ok, at, HOUR, member, moderator, createPeriod, openPeriod, createTopic, createPost, nextEvent, subscribe, stopClean,
} from './discuss.mjs';

const tmp = () => mkdtempSync(join(tmpdir(), 'raati-dur-'));

// Calls onMessage(json) for every message ws receives from now on, before
// anything else sees it.
function spy(ws, onMessage) {
  ws.waiters.unshift({ pred: (m) => { if (m.json) onMessage(m.json); return false; }, resolve() {}, reject() {}, what: 'spy', timer: null });
}

async function killed(srv) {
  const r = await srv.exited;
  assert.equal(r.signal, 'SIGKILL', `the server was to be killed: ${JSON.stringify(r)}`);
}

describe('durability', () => {
  test('posts acknowledged before a SIGKILL are in the database after a restart', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      const mod = await moderator(a);
      const m = await member(a, { display_name: 'Aino' });
      const p = await openPeriod(mod.ws);
      const { topic } = await createTopic(mod.ws, p.id);
      const acked = [];
      spy(m.ws, (j) => {
        if (j.type === 'reply' && j.ok && j.post) {
          acked.push(j.post);
          if (acked.length === 5) a.proc.kill('SIGKILL');
        }
      });
      for (let i = 0; i < 60; i++) m.ws.sendJson({ type: 'post.create', id: `p${i}`, topic_id: topic.id, body: `Kestävä viesti ${i}` });
      await killed(a);
      await m.ws.waitClosed({ timeout: 5000 }).catch(() => {});
      mod.ws.destroy();
      m.ws.destroy();
      assert.ok(acked.length >= 5, `${acked.length} acknowledged`);

      const b = await start({ dir });
      try {
        assert.equal(sqlite(b.db, 'PRAGMA integrity_check;').trim(), 'ok');
        const { ws } = await openWs(b, { cookie: m.cookie });
        try {
          const g = ok(await ws.request({ type: 'topic.get', topic_id: topic.id, limit: 200 }));
          const byId = new Map(g.posts.map((x) => [x.id, x]));
          for (const x of acked) {
            assert.ok(byId.has(x.id), `acknowledged post ${x.id} is gone after the crash`);
            assert.equal(byId.get(x.id).body, x.body);
          }
          const rows = sqlite(b.db, `SELECT id, body FROM post WHERE id IN (${acked.map((x) => x.id).join(',')}) ORDER BY id;`).trim().split('\n');
          assert.equal(rows.length, acked.length);
          assert.equal(g.topic.post_count, g.posts.filter((x) => !x.deleted).length, 'post_count agrees with the posts after the crash');
          // and the server goes on: a new post after the restart
          const n = ok(await ws.request({ type: 'post.create', topic_id: topic.id, body: 'Uudelleenkäynnistyksen jälkeen' })).post;
          assert.ok(n.id > Math.max(...acked.map((x) => x.id)));
        } finally { ws.destroy(); }
      } finally { await stopClean(b); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('an acknowledged edit, delete, reaction, topic.read and period change survive a SIGKILL', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      const mod = await moderator(a);
      const m = await member(a, { display_name: 'Aino' });
      const other = await member(a, { display_name: 'Bertta' });
      const p = await openPeriod(mod.ws);
      const { topic, post: op } = await createTopic(mod.ws, p.id);
      const e = await createPost(m.ws, topic.id, 'Ennen muokkausta');
      const d = await createPost(m.ws, topic.id, 'Poistetaan');
      const o = await createPost(other.ws, topic.id, 'Bertan');
      // the member's changes go out in one burst; the server dies at the first reply
      const replies = new Map();
      spy(m.ws, (j) => {
        if (j.type === 'reply') {
          replies.set(j.re, j);
          if (replies.size === 1) a.proc.kill('SIGKILL');
        }
      });
      m.ws.sendJson({ type: 'post.edit', id: 'edit', post_id: e.id, body: 'Muokkauksen jälkeen' });
      m.ws.sendJson({ type: 'reaction.add', id: 'react', post_id: o.id, reaction: 'thanks' });
      m.ws.sendJson({ type: 'post.delete', id: 'delete', post_id: d.id });
      m.ws.sendJson({ type: 'topic.read', id: 'read', topic_id: topic.id, post_id: o.id });
      await killed(a);
      for (const w of [mod, m, other]) w.ws.destroy();
      assert.ok(replies.size >= 1);

      const b = await start({ dir });
      try {
        const { ws } = await openWs(b, { cookie: m.cookie });
        try {
          const g = ok(await ws.request({ type: 'topic.get', topic_id: topic.id, limit: 200 }));
          const post = (id) => g.posts.find((x) => x.id === id);
          if (replies.get('edit')?.ok) {
            assert.equal(post(e.id).body, 'Muokkauksen jälkeen', 'an acknowledged edit was lost');
            assert.ok(post(e.id).edited_at);
          }
          if (replies.get('react')?.ok) {
            assert.equal(post(o.id).reactions.thanks, 1, 'an acknowledged reaction was lost');
            assert.deepEqual(post(o.id).mine, ['thanks']);
          }
          if (replies.get('delete')?.ok) assert.equal(post(d.id).deleted, true, 'an acknowledged delete was lost');
          if (replies.get('read')?.ok) assert.equal(g.topic.unread, 0, 'an acknowledged topic.read was lost');
          assert.ok(post(op.id));
          // the moderator closes it, is acknowledged, and the server dies again
          const { ws: mws } = await openWs(b, { cookie: mod.cookie });
          const c = ok(await mws.request({ type: 'period.close', period_id: p.id }));
          b.proc.kill('SIGKILL');
          await killed(b);
          mws.destroy();
          assert.equal(c.period.status, 'closed');
        } finally { ws.destroy(); }
      } finally { if (b.proc.exitCode === null && b.proc.signalCode === null) await b.stop(); }
      const c2 = await start({ dir });
      try {
        const { ws } = await openWs(c2, { cookie: m.cookie });
        try {
          assert.equal(ok(await ws.request({ type: 'period.get', period_id: p.id })).period.status, 'closed', 'an acknowledged close was lost');
        } finally { ws.destroy(); }
      } finally { await stopClean(c2); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a client that subscribed before a restart catches up on a change made after it', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      const mod = await moderator(a);
      const m = await member(a, { display_name: 'Aino' });
      const p = await openPeriod(mod.ws);
      const { topic, post: op } = await createTopic(mod.ws, p.id);
      const x = await createPost(m.ws, topic.id, 'Ennen');
      // requests that change little or nothing
      ok(await m.ws.request({ type: 'topic.read', topic_id: topic.id, post_id: x.id }));
      ok(await m.ws.request({ type: 'reaction.remove', post_id: op.id, reaction: 'agree' }));
      ok(await m.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'thanks' }));
      ok(await m.ws.request({ type: 'reaction.add', post_id: op.id, reaction: 'thanks' }));
      ok(await mod.ws.request({ type: 'period.update', period_id: p.id }));
      const s = await subscribe(m.ws, `topic:${topic.id}`);
      for (const w of [mod, m]) w.ws.destroy();
      await stopClean(a);

      const b = await start({ dir });
      try {
        const { ws: mws } = await openWs(b, { cookie: mod.cookie });
        const n = ok(await mws.request({ type: 'post.create', topic_id: topic.id, body: 'Jälkeen' })).post;
        mws.destroy();
        const { ws } = await openWs(b, { cookie: m.cookie });
        try {
          const r = await subscribe(ws, `topic:${topic.id}`, { since: s.seq });
          assert.ok(n.seq > s.seq, `a change after the restart has seq ${n.seq}, not above the ${s.seq} given out before it`);
          assert.deepEqual(r.events.map((e) => e.data.id), [n.id], 'the post made after the restart is caught up');
        } finally { ws.destroy(); }
      } finally { await stopClean(b); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('after a restart, a period whose ends_at passed while the server was down is closed, and an upcoming one still opens by its timer', async () => {
    const dir = tmp();
    try {
      const a = await start({ dir });
      const mod = await moderator(a);
      const m = await member(a);
      const x = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(-HOUR), ends_at: at(1000) });
      assert.equal(x.status, 'open');
      const y = await createPeriod(mod.ws, { status: 'upcoming', starts_at: at(2500), ends_at: at(HOUR) });
      assert.equal(y.status, 'upcoming');
      mod.ws.destroy();
      m.ws.destroy();
      await stopClean(a);
      // wait (on the clock, not on the server) until x's ends_at has passed
      const wait = Date.parse(x.ends_at) - Date.now() + 200;
      if (wait > 0) await sleep(wait);

      const b = await start({ dir });
      try {
        const { ws } = await openWs(b, { cookie: m.cookie });
        try {
          await subscribe(ws, 'periods');
          const gx = ok(await ws.request({ type: 'period.get', period_id: x.id })).period;
          if (gx.status !== 'closed') {
            await nextEvent(ws, 'periods', 'period.changed', (e) => e.data.id === x.id && e.data.status === 'closed', { timeout: 3000 });
          }
          const gy = ok(await ws.request({ type: 'period.get', period_id: y.id })).period;
          if (gy.status !== 'open') {
            assert.equal(gy.status, 'upcoming');
            await nextEvent(ws, 'periods', 'period.changed', (e) => e.data.id === y.id && e.data.status === 'open', { timeout: 8000 });
          }
          assert.equal(ok(await ws.request({ type: 'period.get', period_id: y.id })).period.status, 'open');
        } finally { ws.destroy(); }
      } finally { await stopClean(b); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
