// The WebSocket transport and router at /ws: upgrade checks, hello, request
// and reply framing, errors that keep the connection usable, fragmentation,
// size cap, UTF-8, binary frames, control frames and idle pings.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WsClient, OP, UpgradeError } from './wsclient.mjs';
import { start, register, openWs, assertError, assertMemberShape, ISO_MS, sleep } from './helpers.mjs';

async function refused(srv, opts) {
  try {
    const ws = await WsClient.connect(srv.url, opts);
    ws.destroy();
  } catch (e) {
    if (e instanceof UpgradeError) return e;
    throw e;
  }
  assert.fail('the upgrade was accepted');
}

// Asserts the connection still answers a ping.
async function assertUsable(ws) {
  const r = await ws.request({ type: 'ping' });
  assert.equal(r.ok, true, `ping after an error: ${JSON.stringify(r)}`);
}

describe('ws', () => {
  let srv;
  before(async () => { srv = await start(); });
  after(async () => { await srv?.stop(); });

  // Opens an anonymous connection; closes it after fn.
  async function withWs(fn, opts = {}) {
    const { ws, hello } = await openWs(srv, opts);
    try { return await fn(ws, hello); } finally { ws.destroy(); }
  }

  describe('upgrade', () => {
    test('a foreign Origin is refused with HTTP 403 before the connection opens', async () => {
      const e = await refused(srv, { origin: 'http://evil.example' });
      assert.equal(e.status, 403, `${e.message} ${e.statusLine}`);
    });

    test('a missing Origin is refused with HTTP 403', async () => {
      const e = await refused(srv, {});
      assert.equal(e.status, 403, `${e.message} ${e.statusLine}`);
    });

    test('an Origin on another port is refused with HTTP 403', async () => {
      const e = await refused(srv, { origin: `http://127.0.0.1:${srv.port + 1}` });
      assert.equal(e.status, 403, `${e.message} ${e.statusLine}`);
    });

    test('an Origin of https:// on the same host and port is refused', async () => {
      const e = await refused(srv, { origin: `https://127.0.0.1:${srv.port}` });
      assert.equal(e.status, 403, `${e.message} ${e.statusLine}`);
    });

    test('a foreign Origin with a valid session cookie is refused too', async () => {
      const { cookie } = await register(srv);
      const e = await refused(srv, { origin: 'http://evil.example', cookie });
      assert.equal(e.status, 403, `${e.message} ${e.statusLine}`);
    });

    test('Origin http://127.0.0.1:PORT and http://localhost:PORT are accepted', async () => {
      for (const origin of [srv.origin, `http://localhost:${srv.port}`]) {
        const { ws, hello } = await openWs(srv, { origin });
        assert.equal(hello.type, 'hello', origin);
        ws.destroy();
      }
    });

    test('under --public-url only that origin is accepted', async () => {
      const s = await start({ args: ['--public-url', 'https://raati.example'] });
      try {
        const { ws, hello } = await openWs(s, { origin: 'https://raati.example' });
        assert.equal(hello.type, 'hello');
        ws.destroy();
        const e = await refused(s, { origin: s.origin });
        assert.equal(e.status, 403);
      } finally { await s.stop(); }
    });
  });

  describe('hello', () => {
    test('anonymous: the first frame is hello with version and member null', async () => {
      const ws = await WsClient.connect(srv.url, { origin: srv.origin });
      try {
        const first = await ws.next();
        assert.equal(first.type, 'hello');
        assert.equal(first.version, '0.1.0');
        assert.ok('member' in first, 'hello must carry member');
        assert.equal(first.member, null);
      } finally { ws.destroy(); }
    });

    test('with the session cookie: hello carries the member', async () => {
      const { cookie, member } = await register(srv);
      await withWs(async (ws, hello) => {
        assert.equal(hello.type, 'hello');
        assertMemberShape(hello.member);
        assert.deepEqual(hello.member, member);
      }, { cookie });
    });

    test('with a forged cookie: anonymous, and profile.get → unauthenticated', async () => {
      const cookie = `raati_session=${randomBytes(32).toString('base64url')}`;
      await withWs(async (ws, hello) => {
        assert.equal(hello.member, null);
        const r = await ws.request({ type: 'profile.get' });
        assertError(r, 'unauthenticated');
        await assertUsable(ws);
      }, { cookie });
    });

    test('with a garbage cookie: anonymous', async () => {
      await withWs(async (ws, hello) => {
        assert.equal(hello.member, null);
      }, { cookie: 'raati_session=%%%; other=1' });
    });
  });

  describe('requests and replies', () => {
    test('ping with an integer id → reply with re, ok and now', async () => {
      await withWs(async (ws) => {
        ws.sendJson({ type: 'ping', id: 1 });
        const r = await ws.next();
        assert.equal(r.type, 'reply');
        assert.equal(r.re, 1);
        assert.equal(r.ok, true);
        assert.match(r.now, ISO_MS);
        assert.ok(Math.abs(Date.parse(r.now) - Date.now()) < 5 * 60 * 1000, `now ${r.now} is not about now`);
      });
    });

    test('ping with a string id echoes the string', async () => {
      await withWs(async (ws) => {
        const r = await ws.request({ type: 'ping', id: 'abc-123' });
        assert.equal(r.re, 'abc-123');
        assert.equal(r.ok, true);
      });
    });

    test('a large integer id and id 0 are echoed exactly', async () => {
      await withWs(async (ws) => {
        assert.equal((await ws.request({ type: 'ping', id: 0 })).re, 0);
        assert.equal((await ws.request({ type: 'ping', id: 2 ** 40 })).re, 2 ** 40);
        assert.equal((await ws.request({ type: 'ping', id: -5 })).re, -5);
      });
    });

    test('a string id of 64 bytes is echoed', async () => {
      await withWs(async (ws) => {
        const id = 'ä'.repeat(32); // 64 bytes
        const r = await ws.request({ type: 'ping', id });
        assert.equal(r.ok, true);
        assert.equal(r.re, id);
      });
    });

    test('ping without an id → reply with re null', async () => {
      await withWs(async (ws) => {
        ws.sendJson({ type: 'ping' });
        const r = await ws.next();
        assert.equal(r.type, 'reply');
        assert.ok('re' in r, 're must be present');
        assert.equal(r.re, null);
        assert.equal(r.ok, true);
      });
    });

    test('a string id of 65 bytes → invalid_field (field id)', async () => {
      await withWs(async (ws) => {
        ws.sendJson({ type: 'ping', id: 'x'.repeat(65) });
        const r = await ws.next();
        assert.equal(r.type, 'reply');
        assertError(r, 'invalid_field', 'id');
        await assertUsable(ws);
      });
    });

    for (const [what, id] of [['an object', { a: 1 }], ['a fraction', 1.5], ['a boolean', true], ['an array', [1]]]) {
      test(`an id that is ${what} → invalid_field (field id)`, async () => {
        await withWs(async (ws) => {
          ws.sendJson({ type: 'ping', id });
          const r = await ws.next();
          assert.equal(r.type, 'reply');
          assertError(r, 'invalid_field', 'id');
          await assertUsable(ws);
        });
      });
    }

    test('many requests in one write are all answered, in order', async () => {
      await withWs(async (ws) => {
        const n = 50;
        ws.sendRaw(Buffer.concat(Array.from({ length: n }, (_, i) => {
          return encode(JSON.stringify({ type: 'ping', id: i + 1000 }));
        })));
        const got = [];
        for (let i = 0; i < n; i++) got.push((await ws.next()).re);
        assert.deepEqual(got, Array.from({ length: n }, (_, i) => i + 1000));
      });
    });
  });

  describe('bad messages keep the connection usable', () => {
    test('malformed JSON → bad_json with re null, then ping still works', async () => {
      await withWs(async (ws) => {
        ws.sendText('{"type": "ping", "id": 5');
        const r = await ws.next();
        assert.equal(r.type, 'reply');
        assert.equal(r.re, null);
        assertError(r, 'bad_json');
        await assertUsable(ws);
      });
    });

    test('an empty text message → bad_json', async () => {
      await withWs(async (ws) => {
        ws.sendText('');
        assertError(await ws.next(), 'bad_json');
        await assertUsable(ws);
      });
    });

    test('a duplicate key → bad_json', async () => {
      await withWs(async (ws) => {
        ws.sendText('{"type":"ping","id":7,"id":8}');
        const r = await ws.next();
        assertError(r, 'bad_json');
        assert.equal(r.re, null);
        await assertUsable(ws);
      });
    });

    for (const raw of ['[{"type":"ping","id":1}]', '42', '"ping"', 'null', 'true']) {
      test(`JSON ${raw} → not_object with re null`, async () => {
        await withWs(async (ws) => {
          ws.sendText(raw);
          const r = await ws.next();
          assert.equal(r.type, 'reply');
          assert.equal(r.re, null);
          assertError(r, 'not_object');
          await assertUsable(ws);
        });
      });
    }

    test('a missing type → missing_field (field type), re echoed', async () => {
      await withWs(async (ws) => {
        ws.sendJson({ id: 5 });
        const r = await ws.next();
        assert.equal(r.re, 5);
        assertError(r, 'missing_field', 'type');
        await assertUsable(ws);
      });
    });

    for (const [what, type] of [['a number', 5], ['a boolean', true], ['an object', { a: 1 }], ['an array', ['ping']]]) {
      test(`type that is ${what} → invalid_field (field type)`, async () => {
        await withWs(async (ws) => {
          ws.sendJson({ type, id: 6 });
          const r = await ws.next();
          assert.equal(r.type, 'reply');
          assert.equal(r.re, 6);
          assertError(r, 'invalid_field', 'type');
          await assertUsable(ws);
        });
      });
    }

    test('an unknown type → unknown_type naming it, re echoed', async () => {
      await withWs(async (ws) => {
        const r = await ws.request({ type: 'pign', id: 2 });
        assert.equal(r.re, 2);
        assertError(r, 'unknown_type');
        assert.match(r.error.message, /pign/);
        await assertUsable(ws);
      });
    });

    test('a type named "reply" or "hello" from the client → unknown_type', async () => {
      await withWs(async (ws) => {
        assertError(await ws.request({ type: 'reply' }), 'unknown_type');
        assertError(await ws.request({ type: 'hello' }), 'unknown_type');
      });
    });

    test('a binary message → invalid_field (field frame), and the connection stays open', async () => {
      await withWs(async (ws) => {
        ws.sendBinary(Buffer.from(JSON.stringify({ type: 'ping', id: 9 })));
        const r = await ws.next();
        assert.equal(r.type, 'reply');
        assertError(r, 'invalid_field', 'frame');
        await assertUsable(ws);
        assert.equal(ws.isClosed, false);
      });
    });

    test('a fragmented binary message → invalid_field (field frame), connection usable', async () => {
      await withWs(async (ws) => {
        ws.sendFragmented(randomBytes(300), 3, { opcode: OP.BINARY });
        assertError(await ws.next(), 'invalid_field', 'frame');
        await assertUsable(ws);
      });
    });

    test('anonymous profile.get, profile.update and password.change → unauthenticated', async () => {
      await withWs(async (ws) => {
        assertError(await ws.request({ type: 'profile.get' }), 'unauthenticated');
        assertError(await ws.request({ type: 'profile.update', display_name: 'X' }), 'unauthenticated');
        assertError(await ws.request({ type: 'password.change', current_password: 'aaaaaaaa', new_password: 'bbbbbbbb' }), 'unauthenticated');
        await assertUsable(ws);
      });
    });
  });

  describe('fragmentation', () => {
    test('a message in 3 frames is reassembled and answered', async () => {
      await withWs(async (ws) => {
        const n = ws.sendFragmented(JSON.stringify({ type: 'ping', id: 'frag3' }), 3);
        assert.equal(n, 3);
        const r = await ws.next();
        assert.equal(r.re, 'frag3');
        assert.equal(r.ok, true);
      });
    });

    test('a message in 7 frames, one of them empty, is reassembled', async () => {
      await withWs(async (ws) => {
        const text = Buffer.from(JSON.stringify({ type: 'ping', id: 'frag7' }));
        ws.sendFrame(OP.TEXT, text.subarray(0, 4), { fin: false });
        ws.sendFrame(OP.CONT, Buffer.alloc(0), { fin: false });
        for (let i = 4; i < text.length - 3; i += 5) ws.sendFrame(OP.CONT, text.subarray(i, Math.min(i + 5, text.length - 3)), { fin: false });
        ws.sendFrame(OP.CONT, text.subarray(text.length - 3), { fin: true });
        const r = await ws.next();
        assert.equal(r.re, 'frag7');
      });
    });

    test('a ping control frame between fragments is answered and the message still arrives', async () => {
      await withWs(async (ws) => {
        ws.sendFragmented(JSON.stringify({ type: 'ping', id: 'mid' }), 3, {
          between: (i) => { if (i === 0) ws.sendPing('hei'); },
        });
        const r = await ws.next();
        assert.equal(r.re, 'mid');
        await sleep(50);
        assert.ok(ws.pongsReceived.some((p) => p.payload.toString() === 'hei'), 'no pong for the ping');
      });
    });

    test('a multi-byte character split across fragments is valid UTF-8 and accepted', async () => {
      await withWs(async (ws) => {
        const text = Buffer.from(JSON.stringify({ type: 'ping', id: 'ääkköset' }));
        const cut = text.indexOf(Buffer.from('ä')) + 1; // inside the first ä
        ws.sendFrame(OP.TEXT, text.subarray(0, cut), { fin: false });
        ws.sendFrame(OP.CONT, text.subarray(cut), { fin: true });
        const r = await ws.next();
        assert.equal(r.re, 'ääkköset');
      });
    });

    test('messages after a fragmented one are still answered', async () => {
      await withWs(async (ws) => {
        ws.sendFragmented(JSON.stringify({ type: 'ping', id: 1 }), 4);
        ws.sendJson({ type: 'ping', id: 2 });
        ws.sendFragmented(JSON.stringify({ type: 'ping', id: 3 }), 3);
        assert.deepEqual([(await ws.next()).re, (await ws.next()).re, (await ws.next()).re], [1, 2, 3]);
      });
    });
  });

  describe('size cap (default 128 KiB)', () => {
    const sized = (n, id) => {
      const base = JSON.stringify({ type: 'ping', id, pad: '' });
      const s = JSON.stringify({ type: 'ping', id, pad: 'x'.repeat(n - base.length) });
      assert.equal(Buffer.byteLength(s), n);
      return s;
    };

    test('a message of exactly 131072 bytes is answered', async () => {
      await withWs(async (ws) => {
        ws.sendText(sized(131072, 'cap'));
        const r = await ws.next();
        assert.equal(r.re, 'cap');
        assert.equal(r.ok, true);
      });
    });

    test('a message of 131073 bytes closes the connection with 1009', async () => {
      await withWs(async (ws) => {
        ws.sendText(sized(131073, 'over'));
        const { code } = await ws.waitClosed();
        assert.equal(code, 1009);
        assert.ok(!ws.received.some((m) => m.json?.re === 'over'), 'the oversized message must not be handled');
      });
    });
  });

  describe('utf-8', () => {
    const cases = [
      ['a 0xFF byte', Buffer.from([0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
      ['an overlong encoding (C0 AF)', Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
      ['a UTF-16 surrogate (ED A0 80)', Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
      ['a truncated sequence at the end', Buffer.concat([Buffer.from('{"type":"ping"} '), Buffer.from([0xe2, 0x82])])],
      ['a code point above U+10FFFF (F4 90 80 80)', Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('"}')])],
    ];
    for (const [what, bytes] of cases) {
      test(`a text frame with ${what} closes with 1007`, async () => {
        await withWs(async (ws) => {
          ws.sendFrame(OP.TEXT, bytes);
          const { code } = await ws.waitClosed();
          assert.equal(code, 1007);
        });
      });
    }

    test('invalid UTF-8 spread over fragments closes with 1007', async () => {
      await withWs(async (ws) => {
        ws.sendFrame(OP.TEXT, Buffer.concat([Buffer.from('{"type":"ping","id":"'), Buffer.from([0xe2, 0x82])]), { fin: false });
        ws.sendFrame(OP.CONT, Buffer.from('("}'), { fin: true });
        const { code } = await ws.waitClosed();
        assert.equal(code, 1007);
      });
    });
  });

  describe('control frames', () => {
    test('a client ping gets a pong with the same payload', async () => {
      await withWs(async (ws) => {
        ws.sendPing('raati-123');
        await ws.request({ type: 'ping' });
        for (let i = 0; i < 50 && !ws.pongsReceived.length; i++) await sleep(20);
        assert.ok(ws.pongsReceived.some((p) => p.payload.toString() === 'raati-123'), 'no matching pong');
      });
    });

    test('an unsolicited pong is ignored', async () => {
      await withWs(async (ws) => {
        ws.sendPong('unsolicited');
        await assertUsable(ws);
      });
    });

    test('a client close 1000 is answered with a close frame', async () => {
      const { ws } = await openWs(srv);
      const info = await ws.close(1000, 'bye');
      assert.equal(info.code, 1000);
      assert.equal(info.clean, true);
    });
  });
});

// Builds one masked text frame (helper for writing many at once).
function encode(text) {
  const payload = Buffer.from(text);
  const key = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([head, key, masked]);
}

describe('ws with --max-message 1024', () => {
  let srv;
  before(async () => { srv = await start({ args: ['--max-message', '1024'] }); });
  after(async () => { await srv?.stop(); });

  const sized = (n) => {
    const base = JSON.stringify({ type: 'ping', id: 's', pad: '' });
    return JSON.stringify({ type: 'ping', id: 's', pad: 'x'.repeat(n - base.length) });
  };

  test('1024 bytes in one frame is answered', async () => {
    const { ws } = await openWs(srv);
    try {
      ws.sendText(sized(1024));
      assert.equal((await ws.next()).ok, true);
    } finally { ws.destroy(); }
  });

  test('1024 bytes in 4 fragments is answered', async () => {
    const { ws } = await openWs(srv);
    try {
      ws.sendFragmented(sized(1024), 4);
      assert.equal((await ws.next()).ok, true);
    } finally { ws.destroy(); }
  });

  test('1025 bytes in one frame closes with 1009', async () => {
    const { ws } = await openWs(srv);
    try {
      ws.sendText(sized(1025));
      assert.equal((await ws.waitClosed()).code, 1009);
    } finally { ws.destroy(); }
  });

  test('1025 bytes in 3 fragments, each under the cap, closes with 1009', async () => {
    const { ws } = await openWs(srv);
    try {
      ws.sendFragmented(sized(1025), 3);
      assert.equal((await ws.waitClosed()).code, 1009);
    } finally { ws.destroy(); }
  });

  test('many small fragments adding up to 8 KiB close with 1009', async () => {
    const { ws } = await openWs(srv);
    try {
      ws.sendFragmented(sized(8192), 40);
      assert.equal((await ws.waitClosed()).code, 1009);
    } finally { ws.destroy(); }
  });

  test('RAATI_MAX_MESSAGE in the environment sets the cap', async () => {
    const s = await start({ env: { RAATI_MAX_MESSAGE: '2048' } });
    try {
      const { ws } = await openWs(s);
      ws.sendText(sized(3000));
      assert.equal((await ws.waitClosed()).code, 1009);
    } finally { await s.stop(); }
  });
});

describe('ws idle ping', () => {
  test('--ping-interval 1: the server pings an idle client; one that answers stays, one that does not is closed', { timeout: 40000 }, async () => {
    const srv = await start({ args: ['--ping-interval', '1'] });
    try {
      const { ws: good } = await openWs(srv);
      const { ws: mute } = await openWs(srv, { autoPong: false });
      const ping = await good.waitForPing({ timeout: 8000 });
      assert.ok(ping, 'the idle client was not pinged');
      await mute.waitForPing({ timeout: 8000 });
      // 10 s after an unanswered ping the server hangs up
      const info = await mute.waitClosed({ timeout: 20000 });
      assert.ok(info.code !== undefined);
      assert.equal(good.isClosed, false, 'a client that answers pings must not be closed');
      const r = await good.request({ type: 'ping' });
      assert.equal(r.ok, true);
      assert.ok(good.pingsReceived.length >= 2, `pinged ${good.pingsReceived.length} times while idle for over 10 s`);
      good.destroy();
    } finally { await srv.stop(); }
  });
});
