// Times opening a long topic: seeds a topic of 5,000 posts in nested
// threads on the release build, then measures topic.get (the first page,
// and the page at the first unread post) and post.list further in, from a
// client on this machine. Prints one table; asserts nothing about time.
//
//   node bench/topic_page.mjs [posts]      (make bench runs it)
import { start, register, runRaati, loginCookie, openWs } from '../tests/protocol/helpers.mjs';

const POSTS = Number(process.argv[2] || 5000);
const RUNS = 50;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

const srv = await start();
try {
  const mod = await register(srv);
  const role = await runRaati(['user', 'role', '--db', srv.db, '--email', mod.email, '--role', 'moderator']);
  if (role.code !== 0) throw new Error('could not make a moderator: ' + role.stderr);
  const cookie = await loginCookie(srv, mod.email, mod.password);
  const { ws } = await openWs(srv, { cookie });
  const now = Date.now();
  const period = await ws.request({
    type: 'period.create', title: 'Pitkä jakso', description: 'Kuormitus',
    starts_at: new Date(now - 1000).toISOString(), ends_at: new Date(now + 86400000).toISOString(),
    status: 'upcoming',
  });
  const topic = await ws.request({ type: 'topic.create', period_id: period.period.id, title: 'Pitkä aihe', body: 'Avaus' });
  const topicId = topic.topic.id;

  // Threads: every 10th post replies to the topic; the rest reply to a
  // recent post, so the tree is both wide and deep.
  const ids = [];
  const seedStart = performance.now();
  const body = 'Tämä on kuormitustestin viesti, jossa on **vähän** markdownia ja tarpeeksi tekstiä '
    + 'että se muistuttaa oikeaa puheenvuoroa keskustelussa potilasohjeista.';
  for (let i = 0; i < POSTS - 1; i += 100) {
    const batch = [];
    for (let k = i; k < Math.min(i + 100, POSTS - 1); k++) {
      const msg = { type: 'post.create', topic_id: topicId, body: `${body} (${k})` };
      if (k % 10 && ids.length) msg.parent_id = ids[ids.length - 1 - (k % 7) % ids.length];
      batch.push(ws.request(msg, { timeout: 60000 }));
    }
    for (const r of await Promise.all(batch)) {
      if (!r.ok) throw new Error(JSON.stringify(r));
      ids.push(r.post.id);
    }
  }
  const seedMs = performance.now() - seedStart;

  // A member who has read nothing opens the topic.
  const reader = await register(srv);
  const { ws: rws } = await openWs(srv, { cookie: reader.cookie });
  const time = async (msg) => {
    const xs = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      last = await rws.request(msg, { timeout: 30000 });
      xs.push(performance.now() - t0);
      if (!last.ok) throw new Error(JSON.stringify(last));
    }
    return { xs, last };
  };
  const first = await time({ type: 'topic.get', topic_id: topicId, limit: 50 });
  const unread = await time({ type: 'topic.get', topic_id: topicId, at: 'unread', limit: 50 });
  const middle = ids[Math.floor(ids.length / 2)];
  const deep = await time({ type: 'post.list', topic_id: topicId, after: middle, limit: 50 });
  const bytes = (r) => Buffer.byteLength(JSON.stringify(r));

  console.log(`\nTopic of ${first.last.topic.post_count} posts in nested threads`);
  console.log(`seeded with pipelined post.create in ${(seedMs / 1000).toFixed(1)} s (${Math.round((POSTS - 1) / (seedMs / 1000))} acknowledged posts/s, one client)\n`);
  console.log('| request (50 posts) | median ms | p90 ms | max ms | reply bytes |');
  console.log('|---|---|---|---|---|');
  for (const [name, r] of [['topic.get, first page', first], ['topic.get at first unread', unread], ['post.list after the middle post', deep]])
    console.log(`| ${name} | ${median(r.xs).toFixed(2)} | ${pct(r.xs, 0.9).toFixed(2)} | ${Math.max(...r.xs).toFixed(2)} | ${bytes(r.last)} |`);
  console.log(`\n${RUNS} sequential requests each, over loopback WebSocket, JSON parsed by the client.`);
} finally {
  await srv.stop();
}
