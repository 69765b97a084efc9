// Small HTTP helpers over node:http for protocol tests. Every request uses a
// fresh connection (agent: false) so that tests see exactly one request per
// socket and nothing is kept alive between tests.
import http from 'node:http';

// request(base, method, path, opts) → { status, statusLine, headers, setCookies,
//   body (string), bodyBuffer, json (parsed or undefined) }
// opts: headers, body (string|Buffer), cookie, origin (sent when given),
//       timeout (ms, default 15000)
export function request(base, method, path, { headers = {}, body, cookie, origin, timeout = 15000 } = {}) {
  // The path is sent exactly as given (no URL normalisation), so tests can
  // send "//x", "/../x" or percent-encoded dots.
  const u = new URL(base);
  const h = { ...headers };
  if (cookie) h.Cookie = cookie;
  if (origin !== undefined && origin !== null) h.Origin = origin;
  let data = body;
  if (data !== undefined && !Buffer.isBuffer(data)) data = Buffer.from(String(data), 'utf8');
  if (data !== undefined) h['Content-Length'] = String(data.length);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method, path,
      headers: h, agent: false, timeout,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const bodyBuffer = Buffer.concat(chunks);
        const text = bodyBuffer.toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        const sc = res.headers['set-cookie'];
        resolve({
          status: res.statusCode,
          statusLine: `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`,
          headers: res.headers,
          setCookies: sc ? [].concat(sc) : [],
          body: text,
          bodyBuffer,
          json,
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeout} ms`)));
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export function get(srv, path, opts = {}) {
  return request(srv.url, 'GET', path, opts);
}

// POST a value as JSON. By default sends Content-Type: application/json and
// the server's own Origin, as a browser on the page would; pass
// origin: null to send no Origin, contentType: null to send no Content-Type,
// raw: '...' to send a body as it is.
export function postJson(srv, path, value, { cookie, origin = srv.origin, contentType = 'application/json', raw, headers = {}, timeout } = {}) {
  const h = { ...headers };
  if (contentType !== null) h['Content-Type'] = contentType;
  const body = raw !== undefined ? raw : (value === undefined ? undefined : JSON.stringify(value));
  return request(srv.url, 'POST', path, { headers: h, body, cookie, origin, timeout });
}

// Parses Set-Cookie lines; returns { name, value, attrs (lower-cased keys),
// flags (Set of lower-cased flag names), raw } for the named cookie, or null.
export function findCookie(res, name = 'raati_session') {
  for (const raw of res.setCookies) {
    const parts = raw.split(';').map((s) => s.trim());
    const [nv, ...rest] = parts;
    const eq = nv.indexOf('=');
    if (eq < 0 || nv.slice(0, eq) !== name) continue;
    const attrs = {};
    const flags = new Set();
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i < 0) flags.add(p.toLowerCase());
      else attrs[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
    }
    return { name, value: nv.slice(eq + 1), attrs, flags, raw };
  }
  return null;
}

// "raati_session=<token>" for a Cookie header, from a response that set it.
export function sessionCookie(res) {
  const c = findCookie(res);
  return c ? `${c.name}=${c.value}` : null;
}
