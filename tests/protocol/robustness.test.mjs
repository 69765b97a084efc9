// Regressions from the review of the server: each test is named after what
// broke, and drives the real binary the way the breaking client did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { get, postJson, request } from './http.mjs';
import { start, register, loginCookie, openWs, assertHttpError, uniqueEmail, sleep } from './helpers.mjs';

function rawPost(path, body) {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n`), b]);
}

// Broke once: requests pipelined behind a sign-in that waits for a worker
// made lws call body-completion again and again, and the loop spun at 100 %
// CPU without answering anyone.
test('requests pipelined behind a sign-in leave the server answering others', { timeout: 60000 }, async () => {
  const srv = await start();
  let stopped;
  try {
    const login = rawPost('/api/login', JSON.stringify({ email: 'nobody@raati.example', password: 'a long passphrase' }));
    for (const second of [login, rawPost('/api/logout', '{}'), Buffer.from('GET /api/config HTTP/1.1\r\nHost: x\r\n\r\n')]) {
      const s = net.connect(srv.port, '127.0.0.1');
      await new Promise((res) => s.once('connect', res));
      s.write(Buffer.concat([login, second]));
      await sleep(300);
      const r = await get(srv, '/healthz', { timeout: 5000 });
      assert.equal(r.status, 200, 'the server stopped answering after a pipelined request');
      s.destroy();
    }
  } finally {
    // A spinning loop never sees SIGTERM: give it 10 s, then kill it.
    stopped = await Promise.race([srv.stop(), sleep(10000).then(() => null)]);
    if (!stopped) srv.proc.kill('SIGKILL');
  }
  assert.ok(stopped, 'the server did not stop on SIGTERM');
  assert.equal(stopped.code, 0);
});

// Broke once: the failure was counted when the hash finished, so every
// attempt already in flight passed the per-account check.
test('concurrent wrong sign-ins for one account are held to the account limit', async () => {
  const srv = await start({ args: ['--login-limit-account', '3'] });
  try {
    const { email, password } = await register(srv);
    const results = await Promise.all(Array.from({ length: 12 }, () =>
      postJson(srv, '/api/login', { email, password: `${password}-wrong` })));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 3, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 9, `statuses: ${statuses}`);
    assertHttpError(await postJson(srv, '/api/login', { email, password }), 429, 'rate_limited');
  } finally { await srv.stop(); }
});

test('pipelined wrong current passwords in password.change are held to the account limit', async () => {
  const srv = await start({ args: ['--login-limit-account', '3'] });
  try {
    const { email, password } = await register(srv);
    const cookie = await loginCookie(srv, email, password);
    const { ws } = await openWs(srv, { cookie });
    const replies = await Promise.all(Array.from({ length: 10 }, () =>
      ws.request({ type: 'password.change', current_password: `${password}-wrong`, new_password: 'Uusi-salasana-1' }, { timeout: 20000 })));
    const codes = replies.map((r) => r.error?.code);
    assert.equal(codes.filter((c) => c === 'wrong_password').length, 3, `codes: ${codes}`);
    assert.equal(codes.filter((c) => c === 'rate_limited').length, 7, `codes: ${codes}`);
    ws.destroy();
  } finally { await srv.stop(); }
});

// Broke once: a body that completed after SIGTERM, while the shutdown
// waited for two sign-ins being hashed, was handed to the stopped worker
// pool, and the server crashed instead of exiting 0.
test('a sign-in whose body arrives during shutdown gets busy, and the server exits 0', async () => {
  const srv = await start();
  const body = Buffer.from(JSON.stringify({ email: 'nobody@raati.example', password: 'a long passphrase' }));
  const head = `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const connect = async () => {
    const s = net.connect(srv.port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((res) => s.once('connect', res));
    return s;
  };
  const late = await connect();
  let answer = '';
  late.on('data', (d) => { answer += d.toString('latin1'); });
  late.write(head);
  late.write(body.subarray(0, 5));
  await sleep(200);
  // Two complete sign-ins keep both workers hashing through the shutdown.
  const busy = [await connect(), await connect()];
  for (const s of busy) s.write(Buffer.concat([Buffer.from(head), body]));
  await sleep(20);
  srv.proc.kill('SIGTERM');
  await sleep(30);
  late.write(body.subarray(5));
  const { code, signal } = await srv.exited; // a second signal would exit at once with 1
  await srv.stop();
  for (const s of [late, ...busy]) s.destroy();
  assert.equal(signal, null, `the server died of ${signal}:\n${srv.log().slice(-2000)}`);
  assert.equal(code, 0, srv.log().slice(-2000));
  if (answer) assert.match(answer, /^HTTP\/1\.1 503/, answer);
});

test('a chunked POST without a Content-Length gets 411 length_required', async () => {
  const srv = await start();
  try {
    const s = net.connect(srv.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); });
    const closed = new Promise((res) => s.on('close', res));
    s.write('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n0\r\n\r\n');
    await Promise.race([closed, sleep(5000)]);
    s.destroy();
    assert.match(got, /^HTTP\/1\.1 411/);
    assert.match(got, /"code":"length_required"/);
  } finally { await srv.stop(); }
});

// Broke once: 409 email_taken was answered before the attempt was counted,
// so members' emails could be probed without limit.
test('asking about taken emails counts against the registration limit', async () => {
  const srv = await start({ env: { RAATI_REGISTER_LIMIT_ADDRESS: '3' } });
  try {
    const { body } = await register(srv);
    const probes = [];
    for (let i = 0; i < 3; i++)
      probes.push((await postJson(srv, '/api/register', { ...body, email: i % 2 ? body.email : body.email.toUpperCase() })).status);
    assert.deepEqual(probes, [409, 409, 429]);
    const r = await postJson(srv, '/api/register', { ...body, email: uniqueEmail() });
    assertHttpError(r, 429, 'rate_limited');
  } finally { await srv.stop(); }
});

test('a password never stays in the server log, even for refused requests', async () => {
  const srv = await start();
  try {
    const secret = 'Salaisuus-ei-lokiin-9876';
    await postJson(srv, '/api/login', { email: 'x@raati.example', password: secret });
    await postJson(srv, '/api/register', { email: 'bad', password: secret });
    await request(srv.url, 'POST', '/api/login', { headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ password: secret }) });
    assert.ok(!srv.log().includes(secret));
  } finally { await srv.stop(); }
});
