// A small raw WebSocket client (RFC 6455) on node:net, for protocol tests.
//
// It is deliberately low level so that tests can send what a browser never
// would: fragments, invalid UTF-8, binary frames, oversized messages, and so
// that they can see exactly what the server sends back: pings, close codes,
// an HTTP refusal instead of "101 Switching Protocols".
//
//   const ws = await WsClient.connect(server.url, { origin, cookie });
//   const hello = await ws.next();            // first JSON message
//   const r = await ws.request({ type: 'ping' });   // resolves on its reply
//   const { code } = await ws.closed;          // close status (1006 if none)
//
// An upgrade the server refuses rejects connect() with an UpgradeError whose
// `status` is the HTTP status (e.g. 403), or `status === 0` and
// `closedBeforeUpgrade === true` when the socket closed without an answer.

import net from 'node:net';
import { randomBytes, createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OP = Object.freeze({
  CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa,
});

export class UpgradeError extends Error {
  constructor(message, { status = 0, statusLine = '', headers = {}, body = '', closedBeforeUpgrade = false } = {}) {
    super(message);
    this.name = 'UpgradeError';
    this.status = status;
    this.statusLine = statusLine;
    this.headers = headers;
    this.body = body;
    this.closedBeforeUpgrade = closedBeforeUpgrade;
  }
}

// Encodes one client frame. Client frames are masked unless mask === false.
export function encodeFrame(opcode, payload = Buffer.alloc(0), { fin = true, mask = true, rsv = 0 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = data.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = len;
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

function parseHeaders(lines) {
  const headers = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  return headers;
}

export class WsClient {
  // url: http://host:port or ws://host:port; options:
  //   path ('/ws'), origin (string; null/undefined sends none), cookie,
  //   headers (extra request headers), protocols (Sec-WebSocket-Protocol),
  //   autoPong (true), timeout (ms for the handshake, 5000)
  static connect(url, { path = '/ws', origin, cookie, headers = {}, protocols, autoPong = true, timeout = 5000 } = {}) {
    const u = new URL(url);
    const host = u.hostname;
    const port = Number(u.port) || 80;
    const key = randomBytes(16).toString('base64');
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${u.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
    ];
    if (origin !== undefined && origin !== null) lines.push(`Origin: ${origin}`);
    if (cookie) lines.push(`Cookie: ${cookie}`);
    if (protocols) lines.push(`Sec-WebSocket-Protocol: ${[].concat(protocols).join(', ')}`);
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    const request = lines.join('\r\n') + '\r\n\r\n';
    const expectedAccept = createHash('sha1').update(key + GUID).digest('base64');

    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      let buf = Buffer.alloc(0);
      let done = false;
      let head = null; // parsed response head of a refusal, while its body arrives
      const fail = (err) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => {
        if (head) fail(new UpgradeError(`upgrade refused: ${head.statusLine}`, { ...head, body: buf.toString('utf8') }));
        else fail(new UpgradeError('handshake timed out', { closedBeforeUpgrade: false }));
      }, timeout);
      const onData = (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (head) {
          // refusal: collect the body up to Content-Length, then reject.
          const cl = head.headers['content-length'] === undefined ? NaN : Number(head.headers['content-length']);
          if (Number.isFinite(cl) && buf.length >= cl) {
            fail(new UpgradeError(`upgrade refused: ${head.statusLine}`, { ...head, body: buf.subarray(0, cl).toString('utf8') }));
          }
          return;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const text = buf.subarray(0, end).toString('latin1');
        const rest = buf.subarray(end + 4);
        const [statusLine, ...hl] = text.split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
        const status = m ? Number(m[1]) : 0;
        const hdrs = parseHeaders(hl);
        if (status !== 101) {
          head = { status, statusLine, headers: hdrs };
          buf = rest;
          // With a Content-Length, reject once the body is in; without one,
          // on close (or at the timeout).
          const cl = hdrs['content-length'] === undefined ? NaN : Number(hdrs['content-length']);
          if (Number.isFinite(cl) && buf.length >= cl) {
            fail(new UpgradeError(`upgrade refused: ${statusLine}`, { ...head, body: buf.subarray(0, cl).toString('utf8') }));
          }
          return;
        }
        if (hdrs['sec-websocket-accept'] !== expectedAccept) {
          fail(new UpgradeError(`bad Sec-WebSocket-Accept: ${hdrs['sec-websocket-accept']}`, { status, statusLine, headers: hdrs }));
          return;
        }
        done = true;
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeListener('close', onClose);
        socket.removeListener('error', onError);
        const client = new WsClient(socket, { autoPong, responseHeaders: hdrs });
        if (rest.length) client._onData(rest);
        resolve(client);
      };
      const onClose = () => {
        if (head) fail(new UpgradeError(`upgrade refused: ${head.statusLine}`, { ...head, body: buf.toString('utf8') }));
        else fail(new UpgradeError('socket closed before the upgrade was answered', { closedBeforeUpgrade: true }));
      };
      const onError = (err) => {
        if (head) return; // close follows
        fail(Object.assign(new UpgradeError(`socket error before upgrade: ${err.message}`, { closedBeforeUpgrade: true }), { cause: err }));
      };
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.on('error', onError);
      socket.on('connect', () => socket.write(request));
    });
  }

  constructor(socket, { autoPong = true, responseHeaders = {} } = {}) {
    this.socket = socket;
    this.autoPong = autoPong;
    this.responseHeaders = responseHeaders;
    this.nextId = 1;
    this.buf = Buffer.alloc(0);
    this.frag = null;            // { opcode, parts: [] } of a message in progress
    this.inbox = [];             // delivered, unconsumed messages
    this.waiters = [];           // { pred, resolve, reject, timer }
    this.received = [];          // every message ever delivered, in order
    this.frames = [];            // { opcode, fin, length } of every frame received
    this.pingsReceived = [];     // { payload, at }
    this.pongsReceived = [];     // { payload, at }
    this.protocolErrors = [];    // things the server did wrong at frame level
    this.closeFrame = null;      // { code, reason } from the server
    this.closeSent = false;
    this.isClosed = false;
    this.socketError = null;
    this.closed = new Promise((res) => { this._resolveClosed = res; });
    socket.on('data', (d) => this._onData(d));
    socket.on('error', (e) => { this.socketError = e; });
    socket.on('close', () => this._onClose());
  }

  // ---- receiving ------------------------------------------------------

  _onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const rsv = (b[0] >> 4) & 0x7;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2); off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2)); off = 10;
      }
      let key = null;
      if (masked) {
        if (b.length < off + 4) return;
        key = b.subarray(off, off + 4); off += 4;
        this.protocolErrors.push('server sent a masked frame');
      }
      if (b.length < off + len) return;
      let payload = Buffer.from(b.subarray(off, off + len));
      if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
      this.buf = b.subarray(off + len);
      if (rsv) this.protocolErrors.push(`server frame with RSV bits ${rsv}`);
      this.frames.push({ opcode, fin, length: len });
      this._onFrame(opcode, fin, payload);
    }
  }

  _onFrame(opcode, fin, payload) {
    const at = Date.now();
    switch (opcode) {
      case OP.CLOSE: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
        this.closeFrame = { code, reason };
        if (!this.closeSent) this._writeFrame(OP.CLOSE, payload.subarray(0, 2));
        this.closeSent = true;
        this.socket.end();
        return;
      }
      case OP.PING:
        this.pingsReceived.push({ payload, at });
        if (this.autoPong) this._writeFrame(OP.PONG, payload);
        return;
      case OP.PONG:
        this.pongsReceived.push({ payload, at });
        return;
      case OP.TEXT:
      case OP.BINARY:
        if (this.frag) this.protocolErrors.push('new data frame while a fragmented message was in progress');
        if (fin) this._deliver(opcode, payload);
        else this.frag = { opcode, parts: [payload] };
        return;
      case OP.CONT:
        if (!this.frag) { this.protocolErrors.push('continuation frame with no message in progress'); return; }
        this.frag.parts.push(payload);
        if (fin) {
          const { opcode: op, parts } = this.frag;
          this.frag = null;
          this._deliver(op, Buffer.concat(parts));
        }
        return;
      default:
        this.protocolErrors.push(`unknown opcode ${opcode}`);
    }
  }

  _deliver(opcode, data) {
    const msg = { opcode, data, at: Date.now() };
    if (opcode === OP.TEXT) {
      msg.text = data.toString('utf8');
      try { msg.json = JSON.parse(msg.text); } catch { msg.json = undefined; }
    }
    this.received.push(msg);
    const i = this.waiters.findIndex((w) => w.pred(msg));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w.timer);
      w.resolve(msg);
    } else {
      this.inbox.push(msg);
    }
  }

  _onClose() {
    if (this.isClosed) return;
    this.isClosed = true;
    const info = this.closeFrame
      ? { code: this.closeFrame.code, reason: this.closeFrame.reason, clean: true }
      : { code: 1006, reason: '', clean: false };
    this._resolveClosed(info);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(`connection closed (code ${info.code}${info.reason ? ' ' + info.reason : ''}) while waiting for ${w.what}`));
    }
  }

  // Resolves with the first raw message (from the inbox or yet to come)
  // matching pred, removing it from the inbox.
  waitForMessage(pred = () => true, { timeout = 5000, what = 'a message' } = {}) {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    if (this.isClosed) return Promise.reject(new Error(`connection already closed while waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, reject, what, timer: null };
      w.timer = setTimeout(() => {
        const j = this.waiters.indexOf(w);
        if (j >= 0) this.waiters.splice(j, 1);
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      this.waiters.push(w);
    });
  }

  // Next message parsed as JSON (rejects if it is not a JSON text message).
  async next(opts = {}) {
    const m = await this.waitForMessage(() => true, { what: 'the next message', ...opts });
    if (m.opcode !== OP.TEXT) throw new Error(`expected a text message, got opcode ${m.opcode}`);
    if (m.json === undefined) throw new Error(`expected JSON, got ${JSON.stringify(m.text)}`);
    return m.json;
  }

  // Next JSON message matching pred(json).
  async waitFor(pred, opts = {}) {
    const m = await this.waitForMessage((msg) => msg.json !== undefined && pred(msg.json), { what: 'a matching message', ...opts });
    return m.json;
  }

  // The reply with re === id.
  reply(id, opts = {}) {
    return this.waitFor((j) => j.type === 'reply' && j.re === id, { what: `the reply to ${JSON.stringify(id)}`, ...opts });
  }

  // Sends obj with an id (assigned unless obj has one) and resolves with its reply.
  request(obj, opts = {}) {
    const msg = { ...obj };
    if (!('id' in msg)) msg.id = this.nextId++;
    const p = this.reply(msg.id, opts);
    this.sendJson(msg);
    return p;
  }

  // Resolves once a ping from the server has been received.
  waitForPing({ timeout = 5000 } = {}) {
    if (this.pingsReceived.length) return Promise.resolve(this.pingsReceived[0]);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const iv = setInterval(() => {
        if (this.pingsReceived.length) { clearInterval(iv); resolve(this.pingsReceived[0]); }
        else if (this.isClosed) { clearInterval(iv); reject(new Error('connection closed before any ping')); }
        else if (Date.now() - started > timeout) { clearInterval(iv); reject(new Error(`no ping within ${timeout} ms`)); }
      }, 20);
    });
  }

  // Resolves with the close info, or rejects if the connection is still
  // open after timeout ms.
  waitClosed({ timeout = 5000 } = {}) {
    let timer;
    return Promise.race([
      this.closed.finally(() => clearTimeout(timer)),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`connection still open after ${timeout} ms`)), timeout); }),
    ]);
  }

  // ---- sending --------------------------------------------------------

  _writeFrame(opcode, payload, opts) {
    return this.sendRaw(encodeFrame(opcode, payload, opts));
  }

  // Writes bytes as they are. Errors after the server hung up are recorded,
  // not thrown: close tests write into a connection that is going away.
  sendRaw(bytes) {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    try { return this.socket.write(bytes); } catch (e) { this.socketError = e; return false; }
  }

  sendFrame(opcode, payload, { fin = true, mask = true, rsv = 0 } = {}) {
    return this._writeFrame(opcode, payload, { fin, mask, rsv });
  }

  sendText(str) { return this._writeFrame(OP.TEXT, Buffer.from(str, 'utf8')); }
  sendJson(obj) { return this.sendText(JSON.stringify(obj)); }
  sendBinary(buf) { return this._writeFrame(OP.BINARY, Buffer.from(buf)); }
  sendPing(payload = '') { return this._writeFrame(OP.PING, Buffer.from(payload)); }
  sendPong(payload = '') { return this._writeFrame(OP.PONG, Buffer.from(payload)); }

  // Sends one message as `parts` frames: the first with `opcode`, the rest
  // continuation frames, FIN only on the last. `between(i)` (optional) runs
  // after fragment i is written (e.g. to interleave a control frame).
  // Returns the number of frames sent.
  sendFragmented(data, parts = 3, { opcode = OP.TEXT, between } = {}) {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    const n = Math.max(1, Math.min(parts, buf.length || 1));
    const size = Math.ceil(buf.length / n);
    const chunks = [];
    for (let i = 0; i < n; i++) chunks.push(buf.subarray(i * size, Math.min(buf.length, (i + 1) * size)));
    chunks.forEach((c, i) => {
      this._writeFrame(i === 0 ? opcode : OP.CONT, c, { fin: i === n - 1 });
      if (between && i < n - 1) between(i);
    });
    return n;
  }

  // Starts the closing handshake and waits for the connection to end.
  async close(code = 1000, reason = '', { timeout = 5000 } = {}) {
    if (!this.isClosed && !this.closeSent) {
      const p = Buffer.alloc(2 + Buffer.byteLength(reason));
      p.writeUInt16BE(code, 0);
      p.write(reason, 2);
      this.closeSent = true;
      this._writeFrame(OP.CLOSE, p);
    }
    try {
      return await this.waitClosed({ timeout });
    } catch {
      this.destroy();
      return this.closed;
    }
  }

  destroy() {
    this.socket.destroy();
  }
}
