// Helpers for the results tests (docs/protocol.md, "Results"): saving and
// publishing pages, fetching the public pages and the feed, a snapshot of
// the results tables, a period with something in it, and checks that HTML
// and Atom carry no markup from what people wrote (an HTML tag scanner and
// a small XML well-formedness parser: Node has none and the tests add no
// packages).
import assert from 'node:assert/strict';
import { sqlite, assertError } from './helpers.mjs';
import { request } from './http.mjs';
import { ok, openPeriod, createTopic, createPost } from './discuss.mjs';

// ---- messages -------------------------------------------------------------

export const RESULTS_KEYS = ['id', 'period_id', 'slug', 'status', 'rev', 'version', 'changed_since_publish',
  'first_published_at', 'published_at', 'updated_at', 'updated_by', 'summary', 'summary_html', 'show_figures',
  'findings', 'polls', 'surveys', 'quotes'];
export const FOLLOW_UP_KEYS = ['id', 'finding_id', 'date', 'status', 'text', 'reason', 'created_at', 'updated_at'];
export const QUOTE_KEYS = ['id', 'post_id', 'topic', 'text', 'shown', 'withdrawn'];

export function assertResults(r) {
  assert.ok(r && typeof r === 'object', `results must be an object: ${JSON.stringify(r)}`);
  for (const k of RESULTS_KEYS) assert.ok(k in r, `results lacks ${k}: ${JSON.stringify(r).slice(0, 1500)}`);
  assert.ok(['draft', 'published', 'unpublished'].includes(r.status), `status ${r.status}`);
  assert.ok(Number.isInteger(r.rev) && r.rev >= 1, `rev ${r.rev}`);
  assert.ok(Number.isInteger(r.version) && r.version >= 0, `version ${r.version}`);
  assert.equal(typeof r.changed_since_publish, 'boolean');
  assert.match(r.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, `slug ${r.slug}`);
  assert.ok(Array.isArray(r.findings) && Array.isArray(r.polls) && Array.isArray(r.surveys) && Array.isArray(r.quotes));
  for (const f of r.findings) {
    for (const k of ['id', 'title', 'body', 'body_html', 'follow_ups']) assert.ok(k in f, `finding lacks ${k}: ${JSON.stringify(f)}`);
    for (const u of f.follow_ups) assertFollowUp(u);
  }
  for (const q of r.quotes) for (const k of QUOTE_KEYS) assert.ok(k in q, `quote lacks ${k}: ${JSON.stringify(q)}`);
  return r;
}

export function assertFollowUp(u) {
  for (const k of FOLLOW_UP_KEYS) assert.ok(k in u, `follow-up lacks ${k}: ${JSON.stringify(u)}`);
  assert.match(u.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(['considering', 'in_progress', 'done', 'declined'].includes(u.status), `status ${u.status}`);
  return u;
}

// results.get's reply without its envelope (type, re), so that two can be compared.
export async function getResults(ws, periodId) {
  const { type, re, ...rest } = ok(await ws.request({ type: 'results.get', period_id: periodId }), 'results.get');
  return rest;
}

export function saveRaw(ws, periodId, rev, fields = {}) {
  return ws.request({ type: 'results.save', period_id: periodId, rev, summary: '', show_figures: true,
    findings: [], polls: [], surveys: [], quotes: [], ...fields });
}

export async function save(ws, periodId, rev, fields = {}) {
  return assertResults(ok(await saveRaw(ws, periodId, rev, fields), 'results.save').results);
}

export async function publish(ws, periodId) {
  return assertResults(ok(await ws.request({ type: 'results.publish', period_id: periodId }), 'results.publish').results);
}

export async function unpublish(ws, periodId) {
  return assertResults(ok(await ws.request({ type: 'results.unpublish', period_id: periodId }), 'results.unpublish').results);
}

export async function addFollowUp(ws, findingId, fields = {}) {
  const r = ok(await ws.request({ type: 'follow_up.add', finding_id: findingId, date: '2026-11-15',
    status: 'in_progress', text: 'Ohjepohjaa lyhennetään.', ...fields }), 'follow_up.add');
  assertFollowUp(r.follow_up);
  assertResults(r.results);
  return r;
}

// Every table results writes (and notices), as counts and digests.
const TABLES = ['results', 'finding', 'results_item', 'quote', 'follow_up', 'results_version', 'notice', 'member'];
const snapSql = new Map();
export function resultsSnapshot(db) {
  if (!snapSql.has(db)) {
    const present = new Set(sqlite(db, "SELECT name FROM sqlite_master WHERE type='table';").split('\n').filter(Boolean));
    snapSql.set(db, TABLES.filter((t) => present.has(t))
      .map((t) => `SELECT '${t}', count(*), hex(sha3_query('SELECT * FROM ${t} ORDER BY 1, 2')) FROM ${t};`).join(' '));
  }
  return sqlite(db, snapSql.get(db));
}

// Sends msg, asserts the error (code, and field when given: a string, or a
// predicate on the field), and that no results table changed.
export async function refusedR(srv, ws, msg, code, field) {
  const before = resultsSnapshot(srv.db);
  const r = await ws.request(msg);
  const e = assertError(r, Array.isArray(code) ? r?.error?.code : code);
  if (Array.isArray(code)) assert.ok(code.includes(e.code), `${msg.type}: code ${e.code} not one of ${code}: ${JSON.stringify(r)}`);
  if (typeof field === 'string') assert.equal(e.field, field, `${msg.type}: field in ${JSON.stringify(r)}`);
  else if (typeof field === 'function') assert.ok(field(e.field), `${msg.type}: field ${e.field} in ${JSON.stringify(r)}`);
  assert.equal(resultsSnapshot(srv.db), before, `${msg.type} refused with ${e.code} must write nothing`);
  return e;
}

// ---- a period with something in it ---------------------------------------

let pollN = 0;
export async function closedPoll(mod, periodId, fields = {}) {
  pollN += 1;
  const r = ok(await mod.ws.request({ type: 'poll.create', period_id: periodId, question: `Tulosten kysymys ${pollN}?`,
    kind: 'single', options: ['Selkeä kieli', 'Kuvat', 'Yhteystiedot'], results_visibility: 'always', ...fields }), 'poll.create');
  return r.poll;
}

let surveyN = 0;
export async function openSurvey(mod, periodId, fields = {}) {
  surveyN += 1;
  const r = ok(await mod.ws.request({ type: 'survey.create', period_id: periodId, title: `Tulosten kysely ${surveyN}`,
    questions: [{ kind: 'single', text: 'Oliko ohje selkeä?', options: ['Kyllä', 'Ei'], required: true }], ...fields }), 'survey.create');
  ok(await mod.ws.request({ type: 'survey.open', survey_id: r.survey.id }), 'survey.open');
  return r.survey;
}

export async function submitSurvey(who, survey, optionIndex = 0) {
  const q = survey.questions[0];
  return ok(await who.ws.request({ type: 'survey.submit', survey_id: survey.id,
    answers: { [q.id]: q.options[optionIndex].id } }), 'survey.submit');
}

// An open period with a topic and the posts given ([who, body] pairs).
export async function periodWithPosts(mod, posts = [], fields = {}) {
  const period = await openPeriod(mod.ws, fields);
  const { topic, post: opening } = await createTopic(mod.ws, period.id, { title: 'Mikä ohjeessa jää epäselväksi?' });
  const made = [];
  for (const [who, body] of posts) made.push(await createPost(who.ws, topic.id, body));
  return { period, topic, opening, posts: made };
}

// Closes the period and waits until the timer job has closed its polls
// and surveys too (docs/protocol.md: they close with their period; the
// server does it just after, not in the same step).
export async function closePeriod(mod, periodId) {
  const r = ok(await mod.ws.request({ type: 'period.close', period_id: periodId }), 'period.close');
  assert.equal(r.period.status, 'closed');
  for (let i = 0; ; i++) {
    const polls = ok(await mod.ws.request({ type: 'poll.list', period_id: periodId }), 'poll.list').polls;
    const surveys = ok(await mod.ws.request({ type: 'survey.list', period_id: periodId }), 'survey.list').surveys;
    const open = [...polls, ...surveys.filter((x) => x.status !== 'draft')].filter((x) => x.status !== 'closed');
    if (!open.length) break;
    assert.ok(i < 100, `polls and surveys still open 10 s after their period closed: ${open.map((x) => x.id)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return r.period;
}

// ---- HTTP -----------------------------------------------------------------

export function page(srv, slug, { headers = {}, cookie, query = '', method = 'GET', base = '/tulokset' } = {}) {
  return request(srv.url, method, `${base}/${slug}${query}`, { headers, cookie });
}
export const indexPage = (srv, opts = {}) => request(srv.url, opts.method ?? 'GET', `/tulokset${opts.query ?? ''}`, opts);
export const feed = (srv, opts = {}) => request(srv.url, opts.method ?? 'GET', '/tulokset.atom', opts);

export function assertHtmlPage(res, what) {
  assert.equal(res.status, 200, `${what}: status ${res.status} ${res.body.slice(0, 300)}`);
  assert.match(String(res.headers['content-type']), /^text\/html/, `${what}: content type`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(res.headers['content-security-policy'], `${what}: Content-Security-Policy`);
  return res.body;
}

export function assert404(res, what) {
  assert.equal(res.status, 404, `${what}: status ${res.status}`);
  assert.match(String(res.headers['content-type']), /^text\/html/, `${what}: a 404 is an HTML page`);
}

// ---- text and markup ------------------------------------------------------

const NAMED = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return NAMED[e] ?? m;
  });
}

// The text a reader sees: tags dropped, entities decoded, spaces collapsed.
export function textOf(html) {
  return decodeEntities(html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');
}

const TAG_RE = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTR_RE = /([^\s="'<>\/`]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

// Every tag and its attributes, as an HTML parser would split them.
export function tags(html) {
  const out = [];
  const body = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of body.matchAll(TAG_RE)) {
    const attrs = [];
    if (!m[1]) {
      for (const a of m[3].matchAll(ATTR_RE)) {
        let v = a[2] ?? '';
        if (v.startsWith('"') || v.startsWith("'")) v = v.slice(1, -1);
        attrs.push([a[1].toLowerCase(), decodeEntities(v)]);
      }
    }
    out.push({ close: !!m[1], name: m[2].toLowerCase(), attrs, raw: m[0], index: m.index });
  }
  return out;
}

// No markup that runs script or loads from elsewhere: no inline script, no
// event-handler attribute, no javascript: or data: URL, no frames, objects,
// forms or base; no <img src=x>.
export function assertSafeHtml(html, what) {
  const all = tags(html);
  for (const t of all) {
    if (t.close) continue;
    assert.ok(!['iframe', 'object', 'embed', 'base', 'frame', 'frameset', 'applet'].includes(t.name), `${what}: a <${t.name}> tag: ${t.raw}`);
    for (const [n, v] of t.attrs) {
      assert.ok(!/^on/i.test(n), `${what}: an event handler attribute ${n} in ${t.raw}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'srcset', 'data'].includes(n)) {
        // (an empty data: favicon, "data:,", carries nothing)
        if (!(t.name === 'link' && v === 'data:,')) {
          assert.ok(!/^\s*(javascript|vbscript|data):/i.test(v.replace(/[\u0000-\u0020]/g, '')), `${what}: a script URL ${n}=${v} in ${t.raw}`);
        }
      }
      if (n === 'style') assert.ok(!/expression|url\s*\(/i.test(v), `${what}: style ${v}`);
    }
    if (t.name === 'img') assert.ok(!t.attrs.some(([n, v]) => n === 'src' && v === 'x'), `${what}: the payload's <img src=x>: ${t.raw}`);
    if (t.name === 'script') {
      assert.ok(t.attrs.some(([n]) => n === 'src'), `${what}: an inline <script>: ${html.slice(t.index, t.index + 120)}`);
      const end = html.indexOf('</script', t.index + t.raw.length);
      assert.equal(html.slice(t.index + t.raw.length, end).trim(), '', `${what}: a <script src> with content`);
    }
    if (t.name === 'meta') {
      const eq = t.attrs.find(([n]) => n === 'http-equiv');
      assert.ok(!eq || !/refresh/i.test(eq[1]), `${what}: meta refresh ${t.raw}`);
    }
  }
  assert.ok(!/<script>alert/i.test(html), `${what}: <script>alert unescaped`);
}

// The text of the page's element that holds needle (a table row, list
// item or paragraph), for looking at one row of figures.
export function rowAround(html, needle) {
  for (const tag of ['tr', 'li', 'dd', 'p', 'div']) {
    const re = new RegExp(`<${tag}\\b[^>]*>((?:(?!<${tag}\\b)[\\s\\S])*?)</${tag}>`, 'gi');
    for (const m of html.matchAll(re)) if (textOf(m[1]).includes(needle)) return textOf(m[1]);
  }
  const i = html.indexOf(needle);
  return i < 0 ? null : textOf(html.slice(i, i + 400));
}

// ---- XML ------------------------------------------------------------------

// A strict-enough XML 1.0 parser for the feed: one root element, tags
// balanced and properly nested, attributes quoted and not repeated, '&'
// only in a predefined or numeric entity, no '<' in text or attribute
// values, no control characters. Returns the tree: {name, attrs, children
// (elements), text (decoded, own text only)}.
export function parseXml(xml) {
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml), 'XML: a control character');
  const badAmp = /&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const dec = (s, where) => {
    assert.ok(!badAmp.test(s), `XML: a bare & in ${where}: ${s.slice(0, 200)}`);
    return decodeEntities(s);
  };
  let i = 0;
  if (xml.charCodeAt(0) === 0xfeff) i = 1;
  const doc = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [doc];
  let roots = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (text) {
      const top = stack[stack.length - 1];
      if (top === doc) assert.ok(/^\s*$/.test(text), `XML: text outside the root element: ${text.slice(0, 100)}`);
      else {
        assert.ok(!text.includes(']]>'), 'XML: ]]> in text');
        top.text += dec(text, `<${top.name}>`);
      }
    }
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) {
      const e = xml.indexOf('?>', lt); assert.ok(e > 0, 'XML: unterminated <?'); i = e + 2; continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const e = xml.indexOf('-->', lt); assert.ok(e > 0, 'XML: unterminated comment');
      assert.ok(!xml.slice(lt + 4, e).includes('--'), 'XML: -- inside a comment'); i = e + 3; continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const e = xml.indexOf(']]>', lt); assert.ok(e > 0, 'XML: unterminated CDATA');
      assert.ok(stack.length > 1, 'XML: CDATA outside the root');
      stack[stack.length - 1].text += xml.slice(lt + 9, e); i = e + 3; continue;
    }
    assert.ok(!xml.startsWith('<!', lt), `XML: unexpected ${xml.slice(lt, lt + 20)}`);
    if (xml[lt + 1] === '/') {
      const m = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(xml.slice(lt));
      assert.ok(m, `XML: bad end tag at ${lt}: ${xml.slice(lt, lt + 40)}`);
      const top = stack.pop();
      assert.ok(top && top !== doc, `XML: </${m[1]}> with nothing open`);
      assert.equal(m[1], top.name, `XML: </${m[1]}> closes <${top.name}>`);
      i = lt + m[0].length;
      continue;
    }
    const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(xml.slice(lt));
    assert.ok(m, `XML: bad start tag at ${lt}: ${xml.slice(lt, lt + 80)}`);
    const el = { name: m[1], attrs: {}, children: [], text: '' };
    for (const a of m[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*("[^"]*"|'[^']*')/g)) {
      assert.ok(!(a[1] in el.attrs), `XML: attribute ${a[1]} twice on <${m[1]}>`);
      el.attrs[a[1]] = dec(a[2].slice(1, -1), `${m[1]}@${a[1]}`);
    }
    const parent = stack[stack.length - 1];
    if (parent === doc) { roots += 1; assert.equal(roots, 1, 'XML: more than one root element'); }
    parent.children.push(el);
    if (!m[3]) stack.push(el);
    i = lt + m[0].length;
  }
  assert.equal(stack.length, 1, `XML: <${stack[stack.length - 1].name}> is never closed`);
  assert.equal(roots, 1, 'XML: no root element');
  return doc.children[0];
}

export const kids = (el, name) => el.children.filter((c) => c.name === name);
export const kid = (el, name) => kids(el, name)[0];
// All text below el (own and children's), decoded.
export function deepText(el) { return el.text + el.children.map(deepText).join(' '); }

// Parses an Atom feed; asserts the basics; returns { feed, entries:
// [{ id, title, updated, link, content (decoded), contentType, el }] }.
export function parseAtom(xml) {
  const root = parseXml(xml);
  assert.equal(root.name, 'feed', 'the root element is <feed>');
  assert.equal(root.attrs.xmlns, 'http://www.w3.org/2005/Atom', 'the Atom namespace');
  for (const k of ['id', 'title', 'updated']) assert.ok(kid(root, k), `the feed has <${k}>`);
  const entries = kids(root, 'entry').map((e) => {
    for (const k of ['id', 'title', 'updated']) assert.ok(kid(e, k), `an entry lacks <${k}>: ${JSON.stringify(e).slice(0, 500)}`);
    assert.match(kid(e, 'updated').text.trim(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'an RFC 3339 <updated>');
    const c = kid(e, 'content') || kid(e, 'summary');
    const link = kids(e, 'link').map((l) => l.attrs.href).find(Boolean) ?? null;
    return { id: kid(e, 'id').text.trim(), title: deepText(kid(e, 'title')), updated: kid(e, 'updated').text.trim(),
      link, content: c ? deepText(c) : '', contentType: c ? (c.attrs.type ?? 'text') : null, el: e };
  });
  return { feed: root, entries };
}

// Checks a feed's texts as a reader would render them: html content is
// parsed again as HTML.
export function assertSafeAtom(xml, what) {
  const { entries, feed: root } = parseAtom(xml);
  const walk = (el) => {
    assert.ok(!/^(script|iframe|object|embed)$/i.test(el.name), `${what}: an element <${el.name}> in the feed`);
    for (const n of Object.keys(el.attrs)) assert.ok(!/^on/i.test(n), `${what}: attribute ${n}`);
    if (el.attrs.type === 'html') assertSafeHtml(el.text, `${what} <${el.name} type=html>`);
    el.children.forEach(walk);
  };
  walk(root);
  return entries;
}

// The payload put into every text that reaches a page; tag tells the
// fields apart. Under 80 characters.
export const xss = (tag) => `<script>alert('${tag}')</script>"><img src=x onerror=alert('${tag}')>`;
export const xssShort = (tag) => `<img src=x onerror=alert(${tag})>`;
