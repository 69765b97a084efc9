// Password hashing runs on worker threads, not on the event loop: while
// sign-ins are hashing, the same server keeps answering WebSocket pings.
//
// The assertions are about the ORDER of events seen by the client, never
// about wall-clock durations. If Argon2id ran on the loop, each ~75 ms hash
// would block every socket, so at most one ping round trip could complete in
// each gap between hashes (the client sends the next ping only after the
// previous reply); with hashing off the loop, many round trips complete
// before even the first sign-in is answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { start, register, openWs } from './helpers.mjs';

const LOGINS = 4;

// Sends one sign-in; resolves { written } once the request is on the wire
// and { done } once the answer has arrived.
function loginInFlight(srv, email, password) {
  const body = Buffer.from(JSON.stringify({ email, password }));
  let written;
  const writtenP = new Promise((r) => { written = r; });
  const done = new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/login', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Origin: srv.origin },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.on('finish', () => written());
    req.end(body);
  });
  return { written: writtenP, done };
}

test(`while ${LOGINS} sign-ins are hashing, WebSocket pings keep being answered`, { timeout: 60000 }, async () => {
  const srv = await start();
  try {
    const { email, password } = await register(srv);
    const { ws } = await openWs(srv);
    assert.equal((await ws.request({ type: 'ping' })).ok, true);

    const events = [];
    let pending = LOGINS;
    // half right, half wrong passwords: both must hash
    const flights = Array.from({ length: LOGINS }, (_, i) => loginInFlight(srv, email, i % 2 ? password : `${password}-wrong`));
    const finished = flights.map((f, i) => f.done.then((status) => { events.push(`login${i}:${status}`); pending -= 1; }));
    await Promise.all(flights.map((f) => f.written));

    let n = 0;
    while (pending > 0) {
      const r = await ws.request({ type: 'ping', id: `p${n}` }, { timeout: 20000 });
      assert.equal(r.ok, true);
      if (pending > 0) events.push('ping');
      n += 1;
    }
    await Promise.all(finished);

    const logins = events.filter((e) => e.startsWith('login'));
    assert.equal(logins.length, LOGINS);
    assert.deepEqual(logins.map((e) => e.split(':')[1]).sort(), ['200', '200', '401', '401']);
    const firstLogin = events.findIndex((e) => e.startsWith('login'));
    const lastLogin = events.length - 1 - [...events].reverse().findIndex((e) => e.startsWith('login'));
    const pingsBeforeFirst = events.slice(0, firstLogin).filter((e) => e === 'ping').length;
    const pingsWhilePending = events.slice(0, lastLogin).filter((e) => e === 'ping').length;
    const summary = events.map((e) => (e === 'ping' ? '.' : `[${e}]`)).join('');
    assert.ok(pingsWhilePending >= 1, `no ping was answered while a sign-in was pending: ${summary}`);
    assert.ok(pingsBeforeFirst >= 1, `no ping was answered before the first sign-in finished: ${summary}`);
    assert.ok(pingsWhilePending >= 2 * LOGINS,
      `only ${pingsWhilePending} ping round trips while ${LOGINS} sign-ins hashed; the loop looks blocked: ${summary}`);
    ws.destroy();
  } finally { await srv.stop(); }
});
