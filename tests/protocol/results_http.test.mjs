// The public results pages (docs/protocol.md, "Results": "The results
// document" and "Public pages"): a draft is not public; publishing,
// republishing ("päivitetty"), unpublishing; edits that wait for the next
// version; follow-ups on the page and in the feed at once; quotes without
// names, gone at once when withdrawn, when consent goes, or when the post is
// hidden or deleted; ETag / 304 / HEAD / 405 / languages / Vary; the
// moderator's preview; the accessibility statement; bad slugs; small
// groups suppressed in the figures; markup from every field escaped in the
// HTML and the Atom feed (which must be well-formed XML); the demo's page.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, getConfig, assertError, validRegistration } from './helpers.mjs';
import { get, request, postJson } from './http.mjs';
import {
  ok, member, moderator, staff, openPeriod, createTopic, createPost, stopClean,
} from './discuss.mjs';
import {
  getResults, save, saveRaw, publish, unpublish, addFollowUp, closedPoll, openSurvey, submitSurvey, periodWithPosts, closePeriod,
  page, indexPage, feed, assertHtmlPage, assert404, textOf, tags, assertSafeHtml, rowAround, parseAtom, assertSafeAtom,
  xss, xssShort,
} from './resultskit.mjs';

const keepAll = (r) => ({
  summary: r.summary, show_figures: r.show_figures,
  findings: r.findings.map((f) => ({ id: f.id, title: f.title, body: f.body })),
  polls: r.polls, surveys: r.surveys, quotes: r.quotes.map((q) => ({ id: q.id, text: q.text })),
});

async function publicHtml(srv, slug, what, opts) {
  const res = await page(srv, slug, opts);
  return assertHtmlPage(res, what);
}
const linksTo = (html, slug) => tags(html).some((t) => t.name === 'a' && t.attrs.some(([n, v]) => n === 'href' && (v === `/tulokset/${slug}` || v.endsWith(`/tulokset/${slug}`) || v.includes(`/tulokset/${slug}?`))));
async function feedEntries(srv) {
  const r = await feed(srv);
  assert.equal(r.status, 200, `feed: ${r.status}`);
  assert.match(String(r.headers['content-type']), /^application\/atom\+xml/, 'the feed\'s content type');
  return { res: r, entries: parseAtom(r.body).entries };
}
const entryFor = (entries, slug) => entries.find((e) => e.link && e.link.endsWith(`/tulokset/${slug}`) && !/#/.test(e.link))
  ?? entries.find((e) => e.link && e.link.includes(`/tulokset/${slug}`));

describe('public results pages', () => {
  let srv; let mod; let A; let B; let C; let P; let poll; let survey; let R; let slug;
  const NAMES = ['Aino Lainattava', 'Bertta Bloggaaja', 'Cecilia Äänestäjä'];
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    [A, B, C] = await Promise.all(NAMES.map((n) => member(srv, { display_name: n })));
    P = await periodWithPosts(mod, [
      [A, 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla.'],
      [B, 'Kuvat auttoivat minua ymmärtämään ohjeen.'],
      [A, 'Ajanvaraus netissä oli hankala löytää.'],
    ], { title: 'Hyvä potilasohje' });
    poll = await closedPoll(mod, P.period.id, { question: 'Mikä tekee ohjeesta hyvän?', options: ['Selkeä kieli', 'Kuvat', 'Yhteystiedot'] });
    ok(await C.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id }));
    ok(await B.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[1].id }));
    survey = await openSurvey(mod, P.period.id, { title: 'Palautekysely ohjeista' });
    await submitSurvey(C, survey, 1);
    R = await save(mod.ws, P.period.id, 0, {
      summary: 'Asukkaat toivoivat **lyhyempiä** ohjeita.',
      findings: [{ title: 'Ohjeet ovat liian pitkiä', body: 'Moni jätti *kesken*.' }, { title: 'Kuvat auttavat', body: '' }],
      quotes: [{ post_id: P.posts[0].id, text: 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla.' },
        { post_id: P.posts[1].id, text: 'Kuvat auttoivat minua ymmärtämään ohjeen.' },
        { post_id: P.posts[2].id, text: 'Ajanvaraus netissä oli hankala löytää.' }],
    });
    slug = R.slug;
  });
  after(async () => { await stopClean(srv); });

  test('a draft page is not public: 404 under every prefix, not in the index, not in the feed', async () => {
    for (const base of ['/tulokset', '/results', '/resultat']) assert404(await page(srv, slug, { base }), `${base}/${slug}`);
    for (const p of ['/tulokset', '/results', '/resultat']) {
      const r = await get(srv, p);
      assertHtmlPage(r, p);
      assert.ok(!linksTo(r.body, slug) && !r.body.includes(slug), `${p} lists a draft`);
    }
    for (const p of ['/tulokset.atom', '/results.atom', '/resultat.atom']) {
      const r = await get(srv, p);
      assert.equal(r.status, 200, p);
      parseAtom(r.body);
      assert.ok(!r.body.includes(slug), `${p} has the draft`);
    }
  });

  test('preview: 404 without a session and for a member; a moderator sees the working copy, no-store', async () => {
    assert404(await page(srv, slug, { query: '?preview=1' }), 'preview signed out');
    assert404(await page(srv, slug, { query: '?preview=1', cookie: A.cookie }), 'preview as a member');
    const r = await page(srv, slug, { query: '?preview=1', cookie: mod.cookie });
    const html = assertHtmlPage(r, 'preview as a moderator');
    assert.match(String(r.headers['cache-control']), /no-store/, 'preview Cache-Control');
    assert.ok(textOf(html).includes('Ohjeet ovat liian pitkiä'), 'the working copy\'s finding');
    assert.match(html, /<strong>lyhyempiä<\/strong>/);
    assert.ok(textOf(html).includes('Ohjeessa pitäisi lukea heti alussa'), 'a quote in the preview');
    // the draft is still not public
    assert404(await page(srv, slug), 'the draft after a preview');
  });

  let v1Html; let v1Etag;
  test('publishing makes it public: the page, under every prefix, in the index and in the feed', async () => {
    await closePeriod(mod, P.period.id);
    R = await save(mod.ws, P.period.id, R.rev, { ...keepAll(R), polls: [poll.id], surveys: [survey.id] });
    R = await publish(mod.ws, P.period.id);
    const res = await page(srv, slug);
    v1Html = assertHtmlPage(res, 'the published page');
    v1Etag = res.headers.etag;
    for (const base of ['/results', '/resultat']) assertHtmlPage(await page(srv, slug, { base }), `${base}/${slug}`);
    const idx = await indexPage(srv);
    assert.ok(linksTo(assertHtmlPage(idx, 'index'), slug), 'the index links to the page');
    assert.ok(textOf(idx.body).includes('Hyvä potilasohje'), 'the index names the period');
    const { entries } = await feedEntries(srv);
    const e = entryFor(entries, slug);
    assert.ok(e, `a feed entry for the page: ${JSON.stringify(entries.map((x) => [x.title, x.link]))}`);
    assert.ok(e.title.includes('Hyvä potilasohje'), `entry title ${e.title}`);
  });

  test('the page shows the summary, findings, the poll as SVG with a table, the survey, quotes, Open Graph, a print stylesheet', async () => {
    const text = textOf(v1Html);
    assert.match(v1Html, /<strong>lyhyempiä<\/strong>/);
    for (const s of ['Ohjeet ovat liian pitkiä', 'Kuvat auttavat', 'Hyvä potilasohje', 'Mikä tekee ohjeesta hyvän?', 'Selkeä kieli', 'Palautekysely ohjeista',
      'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla.', 'Kuvat auttoivat minua ymmärtämään ohjeen.']) {
      assert.ok(text.includes(s), `the page shows ${s}`);
    }
    assert.match(v1Html, /<svg\b/i, 'a chart as inline SVG');
    assert.match(v1Html, /<table\b/i, 'a table of the numbers');
    assert.match(v1Html, /<html\b[^>]*\blang="fi"/);
    const og = tags(v1Html).filter((t) => t.name === 'meta' && t.attrs.some(([n, v]) => n === 'property' && v.startsWith('og:')));
    assert.ok(og.some((t) => t.attrs.some(([n, v]) => n === 'property' && v === 'og:title')), 'og:title');
    let print = /media="print"|@media print/.test(v1Html);
    for (const t of tags(v1Html).filter((x) => x.name === 'link' && x.attrs.some(([n, v]) => n === 'rel' && v === 'stylesheet'))) {
      const href = t.attrs.find(([n]) => n === 'href')?.[1];
      if (t.attrs.some(([n, v]) => n === 'media' && v === 'print')) print = true;
      if (href && href.startsWith('/')) {
        const css = await get(srv, href);
        if (css.status === 200 && /@media\s+print/.test(css.body)) print = true;
      }
    }
    assert.ok(print, 'a print stylesheet');
    assertSafeHtml(v1Html, 'the page');
  });

  test('no author\'s display name anywhere on the page, the index or the feed', async () => {
    const idx = (await indexPage(srv)).body;
    const f = (await feed(srv)).body;
    for (const n of NAMES) {
      for (const [what, body] of [['page', v1Html], ['index', idx], ['feed', f]]) {
        assert.ok(!body.includes(n) && !textOf(body).includes(n), `${what} names ${n}`);
        assert.ok(!body.includes(n.split(' ')[1]), `${what} has the name ${n.split(' ')[1]}`);
      }
    }
  });

  test('a version-1 page does not say päivitetty; edits saved after publishing are not public until published again; then it does', async () => {
    assert.ok(!/päivitetty/i.test(textOf(v1Html)), 'the first version says nothing about updates');
    const s = await save(mod.ws, P.period.id, R.rev, { ...keepAll(R), summary: 'Uusi yhteenveto: TOINEN-VERSIO.' });
    assert.equal(s.changed_since_publish, true);
    const still = await page(srv, slug);
    assert.ok(!still.body.includes('TOINEN-VERSIO'), 'the public page is still version 1');
    assert.equal(still.headers.etag, v1Etag, 'an unpublished save does not change the public page');
    const pv = await page(srv, slug, { query: '?preview=1', cookie: mod.cookie });
    R = await publish(mod.ws, P.period.id);
    assert.equal(R.version, 2);
    const v2 = await page(srv, slug);
    const html = assertHtmlPage(v2, 'version 2');
    assert.ok(html.includes('TOINEN-VERSIO'), 'version 2 shows the edit');
    assert.notEqual(v2.headers.etag, v1Etag);
    assert.match(textOf(html), /päivitetty/i, 'version 2 says päivitetty');
    const v = ok(await mod.ws.request({ type: 'results.versions', period_id: P.period.id }));
    assert.deepEqual(v.versions.map((x) => x.version), [2, 1]);
    assert.equal(pv.status, 200, 'the preview of the edited copy');
    assert.ok(pv.body.includes('TOINEN-VERSIO'), 'the preview shows the working copy');
  });

  test('a follow-up shows on the page and in the feed at once, with new ETags; edit and delete too', async () => {
    const p0 = await page(srv, slug);
    const f0 = await feed(srv);
    const n0 = parseAtom(f0.body).entries.length;
    const r = await addFollowUp(mod.ws, R.findings[0].id, { date: '2026-11-15', status: 'declined', text: 'Sähköistä ajanvarausta ei laajenneta JATKOTOIMI-1.', reason: 'Järjestelmän vaihto on vasta 2028 SYY-1.' });
    assert.equal(r.results.version, 2, 'no new version');
    const p1 = await page(srv, slug);
    assert.notEqual(p1.headers.etag, p0.headers.etag, 'the page\'s ETag changes');
    const t1 = textOf(p1.body);
    assert.ok(t1.includes('JATKOTOIMI-1'), 'the follow-up\'s text is on the page');
    assert.ok(t1.includes('SYY-1'), 'and its reason');
    assert.match(t1.toLowerCase(), /ei toteuteta/, 'the status in Finnish');
    const f1 = await feed(srv);
    assert.notEqual(f1.headers.etag, f0.headers.etag, 'the feed\'s ETag changes');
    const e1 = parseAtom(f1.body).entries;
    assert.equal(e1.length, n0 + 1, 'one more feed entry');
    assert.ok(e1.some((e) => (e.content + e.title).includes('JATKOTOIMI-1')), 'the follow-up\'s entry');
    assert.ok((e1[0].content + e1[0].title).includes('JATKOTOIMI-1'), 'newest first');
    // other statuses
    await addFollowUp(mod.ws, R.findings[0].id, { date: '2026-11-20', status: 'in_progress', text: 'TYON-ALLA-1' });
    await addFollowUp(mod.ws, R.findings[1].id, { date: '2026-11-21', status: 'done', text: 'TEHTY-1' });
    const c = await addFollowUp(mod.ws, R.findings[1].id, { date: '2026-11-22', status: 'considering', text: 'HARKINNASSA-1' });
    const t2 = textOf((await page(srv, slug)).body).toLowerCase();
    for (const s of ['työn alla', 'toteutettu', 'harkinnassa']) assert.ok(t2.includes(s), `the page says ${s}`);
    // edit shows at once
    const e2 = await page(srv, slug);
    ok(await mod.ws.request({ type: 'follow_up.edit', follow_up_id: c.follow_up.id, date: '2026-11-23', status: 'done', text: 'MUOKATTU-1' }));
    const e3 = await page(srv, slug);
    assert.notEqual(e3.headers.etag, e2.headers.etag);
    assert.ok(e3.body.includes('MUOKATTU-1') && !e3.body.includes('HARKINNASSA-1'), 'the edited follow-up');
    // delete goes at once
    ok(await mod.ws.request({ type: 'follow_up.delete', follow_up_id: c.follow_up.id }));
    const e4 = await page(srv, slug);
    assert.ok(!e4.body.includes('MUOKATTU-1'), 'the deleted follow-up is gone from the page');
    assert.ok(!(await feed(srv)).body.includes('MUOKATTU-1'), 'and from the feed');
  });

  test('HTTP: strong ETag, If-None-Match → 304 without a body, Cache-Control, Vary, Content-Language; HEAD', async () => {
    for (const [what, path] of [['page', `/tulokset/${slug}`], ['index', '/tulokset'], ['feed', '/tulokset.atom']]) {
      const r = await get(srv, path);
      assert.equal(r.status, 200, what);
      const etag = r.headers.etag;
      assert.ok(etag && /^"[^"]+"$/.test(etag), `${what}: a strong ETag, got ${etag}`);
      assert.match(String(r.headers['cache-control']), /public/, `${what}: Cache-Control`);
      assert.match(String(r.headers['cache-control']), /no-cache/, `${what}: Cache-Control`);
      if (what !== 'feed') {
        assert.match(String(r.headers.vary), /Accept-Language/i, `${what}: Vary`);
        assert.equal(r.headers['content-language'], 'fi', `${what}: Content-Language`);
      }
      const again = await get(srv, path);
      assert.equal(again.headers.etag, etag, `${what}: the same ETag twice`);
      assert.equal(again.body, r.body, `${what}: the same body from the cache`);
      const nm = await get(srv, path, { headers: { 'If-None-Match': etag } });
      assert.equal(nm.status, 304, `${what}: 304`);
      assert.equal(nm.body, '', `${what}: a 304 has no body`);
      assert.equal(nm.headers.etag, etag, `${what}: a 304 carries the ETag`);
      const nm2 = await get(srv, path, { headers: { 'If-None-Match': `W/"x", ${etag}` } });
      assert.equal(nm2.status, 304, `${what}: 304 with a list`);
      const other = await get(srv, path, { headers: { 'If-None-Match': '"nope"' } });
      assert.equal(other.status, 200, `${what}: another ETag gets 200`);
      const head = await request(srv.url, 'HEAD', path);
      assert.equal(head.status, 200, `${what}: HEAD`);
      assert.equal(head.body, '', `${what}: HEAD has no body`);
      assert.equal(head.headers.etag, etag, `${what}: HEAD's ETag`);
      assert.equal(head.headers['content-type'], r.headers['content-type']);
    }
  });

  test('HTTP: other methods are 405 with Allow: GET, HEAD', async () => {
    for (const path of [`/tulokset/${slug}`, '/tulokset', '/tulokset.atom', '/results', `/resultat/${slug}`, '/saavutettavuusseloste']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const r = await request(srv.url, method, path, { body: '{}', headers: { 'Content-Type': 'application/json' }, origin: srv.origin });
        assert.equal(r.status, 405, `${method} ${path}: ${r.status}`);
        assert.equal(r.headers.allow, 'GET, HEAD', `${method} ${path}: Allow`);
      }
    }
  });

  test('languages: ?lang, Accept-Language by q-values, unknown lang ignored; ETags per language', async () => {
    const cases = [
      [{}, '', 'fi'],
      [{ 'Accept-Language': 'en' }, '', 'en'],
      [{ 'Accept-Language': 'sv-FI,sv;q=0.9' }, '', 'sv'],
      [{ 'Accept-Language': 'de, en;q=0.5, sv;q=0.8' }, '', 'sv'],
      [{ 'Accept-Language': 'en;q=0.3, fi;q=0.2' }, '', 'en'],
      [{ 'Accept-Language': 'de' }, '', 'fi'],
      [{ 'Accept-Language': '<script>' }, '', 'fi'],
      [{ 'Accept-Language': 'en' }, '?lang=sv', 'sv'],
      [{}, '?lang=en', 'en'],
      [{ 'Accept-Language': 'en' }, '?lang=de', 'en'],
      [{}, '?lang=de', 'fi'],
      [{}, '?lang=%3Cscript%3E', 'fi'],
    ];
    const etags = {};
    for (const [headers, query, want] of cases) {
      for (const path of [`/tulokset/${slug}`, '/tulokset']) {
        const r = await request(srv.url, 'GET', path + query, { headers });
        const what = `${path}${query} ${JSON.stringify(headers)}`;
        assert.equal(r.status, 200, what);
        assert.equal(r.headers['content-language'], want, `${what}: Content-Language`);
        assert.match(r.body, new RegExp(`<html\\b[^>]*\\blang="${want}"`), `${what}: <html lang>`);
        assert.match(String(r.headers.vary), /Accept-Language/i, `${what}: Vary`);
        if (path !== '/tulokset') (etags[want] ??= new Set()).add(r.headers.etag);
      }
    }
    for (const l of ['fi', 'sv', 'en']) assert.equal(etags[l].size, 1, `one ETag for ${l}`);
    assert.equal(new Set(['fi', 'sv', 'en'].map((l) => [...etags[l]][0])).size, 3, 'each language its own ETag');
    const fiEtag = [...etags.fi][0];
    const sv = await get(srv, `/tulokset/${slug}?lang=sv`, { headers: { 'If-None-Match': fiEtag } });
    assert.equal(sv.status, 200, 'the Finnish ETag does not match the Swedish page');
  });

  test('the accessibility statement answers 200 HTML under its three names, in each language', async () => {
    for (const path of ['/saavutettavuusseloste', '/tillganglighetsredogorelse', '/accessibility']) {
      const r = await get(srv, path);
      assertHtmlPage(r, path);
      assert.match(r.body, /<html\b[^>]*\blang="(fi|sv|en)"/, `${path}: <html lang>`);
      assertSafeHtml(r.body, path);
      for (const l of ['fi', 'sv', 'en']) {
        const x = await get(srv, `${path}?lang=${l}`);
        assertHtmlPage(x, `${path}?lang=${l}`);
        assert.match(x.body, new RegExp(`<html\\b[^>]*\\blang="${l}"`), `${path}?lang=${l}`);
        assert.equal(x.headers['content-language'], l);
      }
      const head = await request(srv.url, 'HEAD', path);
      assert.equal(head.status, 200);
    }
    const fi = textOf((await get(srv, '/saavutettavuusseloste?lang=fi')).body);
    const en = textOf((await get(srv, '/saavutettavuusseloste?lang=en')).body);
    assert.notEqual(fi, en, 'Finnish and English texts differ');
  });

  test('bad slugs are 404 (or refused) and the server stays up', async () => {
    const strict = [
      `/tulokset/${slug.toUpperCase()}`, `/tulokset/${slug.replace('h', 'H')}`, `/results/${slug.toUpperCase()}`,
      `/tulokset/${'a'.repeat(300)}`, `/tulokset/${'a'.repeat(81)}`, `/tulokset/${slug}x`, `/tulokset/x${slug}`, '/tulokset/ä', '/tulokset/%C3%A4',
      `/tulokset/${slug};x`, `/tulokset/${slug}.atom`, `/tulokset/${slug}/x`, `/tulokset/${slug}%20`, `/tulokset/${slug}%2fx`,
    ];
    for (const p of strict) {
      const r = await get(srv, p);
      assert.equal(r.status, 404, `${p}: ${r.status}`);
    }
    // traversal and broken escapes: refused one way or another, or (when
    // the HTTP library resolves the dots) the public page it leads to;
    // nothing leaked
    const okBodies = [(await get(srv, '/api/config')).body, (await get(srv, '/')).body];
    for (const p of ['/tulokset/..%2fapi%2fconfig', '/tulokset/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/tulokset/..%2F..%2Fraati.db',
      '/tulokset/../../etc/passwd', '/tulokset/%ff%fe', '/tulokset/%', '/tulokset/%zz', '/tulokset/%2e%2e']) {
      const r = await get(srv, p);
      assert.ok([400, 403, 404].includes(r.status) || (r.status === 200 && okBodies.includes(r.body)), `${p}: ${r.status}`);
      assert.ok(!/root:x:0:0|SQLite format/.test(r.body), `${p} leaked something`);
    }
    // control characters: no header injected; libwebsockets ends the
    // decoded path at a CR or LF (so the page itself may answer) and drops
    // the connection on a NUL
    const realBody = (await page(srv, slug)).body;
    for (const p of [`/tulokset/${slug}%00`, `/tulokset/${slug}%00.html`, `/tulokset/${slug}%0a`, `/tulokset/${slug}%0d%0aX-Injected:%201`,
      `/tulokset/x%0a${slug}`, `/tulokset/${slug}%09`]) {
      let r;
      try { r = await get(srv, p); } catch { r = { status: 'closed', headers: {}, body: '' }; }
      assert.ok(!('x-injected' in r.headers), `${p}: a header was injected`);
      assert.ok(r.status !== 200 || r.body === realBody, `${p}: ${r.status}`);
      assert.ok(!/X-Injected/i.test(r.body), `${p}: the injected text is echoed`);
    }
    // a slug with escaped letters is either 404 or the very same page
    const real = await page(srv, slug);
    for (const p of [`/tulokset/${[...slug].map((c) => '%' + c.charCodeAt(0).toString(16)).join('')}`, `/tulokset/${slug.replace('-', '%2d')}`]) {
      const r = await get(srv, p);
      assert.ok(r.status === 404 || (r.status === 200 && r.body === real.body), `${p}: ${r.status}`);
    }
    for (const p of [`/tulokset/${'b'.repeat(5000)}`, `/tulokset/${'%41'.repeat(2000)}`]) {
      let status;
      try { status = (await get(srv, p)).status; } catch { status = 'closed'; }
      assert.ok(status !== 200, `${p.slice(0, 40)}…: ${status}`);
    }
    assert.equal((await get(srv, '/healthz')).status, 200, 'still up');
    assertHtmlPage(await page(srv, slug), 'the real page still answers');
  });

  test('quotes: withdrawn by the author → off the page at once (new ETag), no new version', async () => {
    const cur = (await getResults(mod.ws, P.period.id)).results;
    const q = cur.quotes.find((x) => x.post_id === P.posts[2].id);
    const before = await page(srv, slug);
    assert.ok(textOf(before.body).includes('Ajanvaraus netissä oli hankala löytää.'));
    const n = (await A.ws.request({ type: 'notice.list', limit: 100 })).notices.find((x) => x.kind === 'post.quoted' && x.quote?.id === q.id);
    assert.ok(n, 'the author has a post.quoted notice for it');
    ok(await A.ws.request({ type: 'quote.withdraw', quote_id: q.id }), 'quote.withdraw');
    const afterW = await page(srv, slug);
    assert.ok(!textOf(afterW.body).includes('Ajanvaraus netissä oli hankala'), 'the withdrawn quote is gone');
    assert.notEqual(afterW.headers.etag, before.headers.etag, 'a new ETag');
    assert.equal((await getResults(mod.ws, P.period.id)).results.version, cur.version, 'no new version');
    const nm = await get(srv, `/tulokset/${slug}`, { headers: { 'If-None-Match': before.headers.etag } });
    assert.equal(nm.status, 200, 'the old ETag no longer matches');
  });

  test('quotes: quote_consent false takes all of the member\'s quotes off; true brings them back', async () => {
    const text = 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla.';
    assert.ok(textOf((await page(srv, slug)).body).includes(text));
    ok(await A.ws.request({ type: 'profile.update', quote_consent: false }));
    assert.ok(!textOf((await page(srv, slug)).body).includes(text), 'gone when consent goes');
    assert.ok(textOf((await page(srv, slug)).body).includes('Kuvat auttoivat minua'), 'B\'s quote stays');
    const ql = ok(await mod.ws.request({ type: 'results.quotable', period_id: P.period.id }));
    assert.ok(!ql.posts.some((p) => P.posts[0].id === p.id || P.posts[2].id === p.id), 'A\'s posts are not quotable');
    ok(await A.ws.request({ type: 'profile.update', quote_consent: true }));
    assert.ok(textOf((await page(srv, slug)).body).includes(text), 'back with consent');
  });

  test('quotes: hiding the quoted post takes it off; restoring brings it back; deleting takes it off', async () => {
    const text = 'Kuvat auttoivat minua ymmärtämään ohjeen.';
    const e0 = (await page(srv, slug)).headers.etag;
    ok(await mod.ws.request({ type: 'post.hide', post_id: P.posts[1].id, reason: 'Tarkistetaan' }), 'post.hide');
    const h = await page(srv, slug);
    assert.ok(!textOf(h.body).includes(text), 'a hidden post\'s quote is gone');
    assert.notEqual(h.headers.etag, e0);
    const g = (await getResults(mod.ws, P.period.id)).results.quotes.find((x) => x.post_id === P.posts[1].id);
    assert.equal(g.shown, false);
    ok(await mod.ws.request({ type: 'post.restore', post_id: P.posts[1].id, reason: 'Kunnossa' }), 'post.restore');
    assert.ok(textOf((await page(srv, slug)).body).includes(text), 'restored, it shows again');
    ok(await mod.ws.request({ type: 'post.delete', post_id: P.posts[1].id, reason: 'Poistettu pyynnöstä' }), 'post.delete');
    assert.ok(!textOf((await page(srv, slug)).body).includes(text), 'a deleted post\'s quote is gone');
  });

  test('unpublish: 404 and gone from index and feed; publishing again brings it back', async () => {
    await unpublish(mod.ws, P.period.id);
    assert404(await page(srv, slug), 'unpublished');
    const idx = await indexPage(srv);
    assert.ok(!linksTo(idx.body, slug), 'not in the index');
    const f = await feed(srv);
    parseAtom(f.body);
    assert.ok(!f.body.includes(`/tulokset/${slug}`), 'not in the feed');
    assert.ok(!f.body.includes('JATKOTOIMI-1'), 'its follow-ups are not in the feed either');
    const pv = await page(srv, slug, { query: '?preview=1', cookie: mod.cookie });
    const r = await publish(mod.ws, P.period.id);
    assert.equal(r.version, 3);
    assertHtmlPage(await page(srv, slug), 'republished');
    assert.ok(linksTo((await indexPage(srv)).body, slug), 'back in the index');
    assert.ok(entryFor((await feedEntries(srv)).entries, slug), 'back in the feed');
    assert.equal(pv.status, 200, 'the preview of an unpublished page works');
  });

  test('the index lists published pages newest first', async () => {
    const Q = await periodWithPosts(mod, [], { title: 'Uudempi jakso' });
    const q = await save(mod.ws, Q.period.id, 0, { summary: 'Uudempi yhteenveto.' });
    await closePeriod(mod, Q.period.id);
    await publish(mod.ws, Q.period.id);
    const html = (await indexPage(srv)).body;
    const i1 = html.indexOf(`/tulokset/${q.slug}`);
    const i2 = html.indexOf(`/tulokset/${slug}"`) >= 0 ? html.indexOf(`/tulokset/${slug}"`) : html.indexOf(`/tulokset/${slug}`);
    assert.ok(i1 >= 0 && i2 >= 0, 'both listed');
    assert.ok(i1 < i2, 'the newer first');
    const { entries } = await feedEntries(srv);
    assert.ok(entries.length <= 50);
    assert.ok(entries[0].link?.includes(q.slug) || (entries[0].title + entries[0].content).includes('Uudempi'), 'the newest entry first');
  });
});

describe('the accessibility statement written by the region', () => {
  let srv; let dir;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'raati-a11y-'));
    // "data/saavutettavuusseloste.<lang>.md … next to the database": the
    // data directory is the database's own
    writeFileSync(join(dir, 'saavutettavuusseloste.fi.md'),
      '# Alueen saavutettavuusseloste\n\nTämä on ALUEEN-OMA-SELOSTE. <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n');
    srv = await start({ dir });
  });
  after(async () => { await stopClean(srv); rmSync(dir, { recursive: true, force: true }); });

  test('saavutettavuusseloste.fi.md next to the database is shown in Finnish, safely; other languages get the template', async () => {
    const fi = await get(srv, '/saavutettavuusseloste?lang=fi');
    assertHtmlPage(fi, 'fi');
    assert.ok(textOf(fi.body).includes('ALUEEN-OMA-SELOSTE'), 'the region\'s text');
    assertSafeHtml(fi.body, 'the region\'s statement');
    const sv = await get(srv, '/tillganglighetsredogorelse?lang=sv');
    assertHtmlPage(sv, 'sv');
    assert.ok(!sv.body.includes('ALUEEN-OMA-SELOSTE'), 'Swedish has no file: the template');
  });
});

describe('figures: small groups are suppressed', () => {
  let srv; let mod; let cfg; let P; let R; let exact;
  const MUNIS = 'alfa=Alfala/Alfala/Alfala;beta=Betala/Betala/Betala';
  before(async () => {
    srv = await start({ env: { RAATI_MUNICIPALITIES: MUNIS } });
    cfg = await getConfig(srv);
    mod = await staff(srv);
    const cy = cfg.current_year;
    // alfa: 6 (five aged 30, one 70); beta: 2 (one 30, one 70)
    // → 25-44: 6, 65-74: 2
    const spec = [['alfa', 30], ['alfa', 30], ['alfa', 30], ['alfa', 30], ['alfa', 30], ['alfa', 70], ['beta', 30], ['beta', 70]];
    const people = [];
    for (const [i, [m, age]] of spec.entries()) people.push(await member(srv, { municipality: m, birth_year: cy - age, display_name: `Osallistuja ${i}` }));
    const period = await openPeriod(mod.ws, { title: 'Lukujen jakso', members_may_open_topics: true });
    const { topic } = await createTopic(people[0].ws, period.id, { title: 'Jäsenen aihe' });
    for (const p of people.slice(1)) await createPost(p.ws, topic.id, 'Osallistun.');
    const poll = await closedPoll(mod, period.id);
    for (const p of [people[0], people[1], people[6]]) ok(await p.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id }));
    await closePeriod(mod, period.id);
    P = period;
    exact = ok(await mod.ws.request({ type: 'period.participation', period_id: period.id }), 'period.participation');
    R = await save(mod.ws, period.id, 0, { summary: 'Luvut', show_figures: true, polls: [poll.id] });
    R = await publish(mod.ws, period.id);
  });
  after(async () => { await stopClean(srv); });

  test('period.participation has the exact counts', () => {
    const m = Object.fromEntries(exact.by_municipality.map((g) => [g.municipality, g.participants]));
    assert.equal(m.alfa, 6);
    assert.equal(m.beta, 2);
    const a = Object.fromEntries(exact.by_age_group.map((g) => [g.group, g.participants]));
    assert.equal(a['25-44'], 6);
    assert.equal(a['65-74'], 2);
    assert.equal(exact.participants, 8);
  });

  // The rule: every group under 5 suppressed (null counts); the others
  // exact; never exactly one suppressed group that has participants (the
  // total would give it away), so the next smallest goes too.
  function checkBreakdown(shown, exactList, key) {
    const ex = Object.fromEntries(exactList.map((g) => [g[key], g]));
    assert.equal(shown.length, exactList.length, `${key}: every group listed`);
    for (const g of shown) {
      const e = ex[g[key]];
      assert.ok(e, `${key} ${g[key]} exists`);
      if (e.participants > 0 && e.participants < 5) assert.equal(g.suppressed, true, `${key} ${g[key]} (${e.participants}) must be suppressed: ${JSON.stringify(g)}`);
      if (g.suppressed) {
        for (const k of ['participants', 'posts', 'votes']) assert.equal(g[k], null, `${key} ${g[key]}: ${k} null when suppressed`);
      } else {
        assert.equal(g.suppressed, false);
        for (const k of ['participants', 'posts', 'votes']) assert.equal(g[k], e[k], `${key} ${g[key]}: ${k} exact`);
      }
    }
    const suppressedWithPeople = shown.filter((g) => g.suppressed && ex[g[key]].participants > 0);
    const suppressedAll = shown.filter((g) => g.suppressed);
    const zerosShown = shown.some((g) => !g.suppressed && ex[g[key]].participants === 0);
    if (zerosShown) assert.notEqual(suppressedWithPeople.length, 1, `${key}: exactly one suppressed group would be given away by the total: ${JSON.stringify(shown)}`);
    assert.notEqual(suppressedAll.length, 1, `${key}: exactly one suppressed group: ${JSON.stringify(shown)}`);
  }

  test('results.get figures: groups under 5 suppressed, the next smallest too when one would be alone', async () => {
    const g = await getResults(mod.ws, P.id);
    const f = g.figures;
    assert.equal(f.participants, 8);
    checkBreakdown(f.by_municipality, exact.by_municipality, 'municipality');
    checkBreakdown(f.by_age_group, exact.by_age_group, 'group');
  });

  test('the page shows <5 for the small groups and never their exact counts', async () => {
    const html = assertHtmlPage(await page(srv, R.slug), 'figures page');
    const fig = (await getResults(mod.ws, P.id)).figures;
    const row = rowAround(html, 'Betala');
    assert.ok(row, 'the page has a row for Betala');
    assert.match(row, /<\s?5/, `Betala is shown as <5: ${row}`);
    assert.ok(!/(^|[^<\d])\d+/.test(row.replace(/<\s?5/g, '')), `no exact count for Betala: ${row}`);
    const alfa = rowAround(html, 'Alfala');
    const fa = fig.by_municipality.find((x) => x.municipality === 'alfa');
    if (fa.suppressed) assert.ok(!/\b6\b/.test(alfa.replace(/<\s?5/g, '')), `Alfala suppressed: ${alfa}`);
    else assert.match(alfa, /\b6\b/, `Alfala shows 6: ${alfa}`);
    const age = rowAround(html, '65–74') ?? rowAround(html, '65-74') ?? rowAround(html, '65 – 74');
    assert.ok(age, 'a row for 65–74');
    assert.match(age, /<\s?5/, `65–74 is <5: ${age}`);
    assert.ok(!/(^|[^<\d])\d+/.test(age.replace(/<\s?5/g, '').replace(/65\s*[–-]\s*74/g, '')), `no exact count for 65–74: ${age}`);
    assertSafeHtml(html, 'figures page');
  });

  test('a total under 5 is suppressed too', async () => {
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await member(srv, { municipality: 'alfa', birth_year: cfg.current_year - 30 }));
    const period = await openPeriod(mod.ws, { title: 'Pieni jakso', members_may_open_topics: true });
    const { topic } = await createTopic(people[0].ws, period.id, { title: 'Pieni aihe' });
    for (const p of people.slice(1)) await createPost(p.ws, topic.id, 'Olen täällä.');
    await closePeriod(mod, period.id);
    const r = await save(mod.ws, period.id, 0, { summary: 'Pieni', show_figures: true });
    const f = (await getResults(mod.ws, period.id)).figures;
    assert.equal(f.participants, null, `a total of 3 is suppressed: ${JSON.stringify(f)}`);
    for (const g of [...f.by_municipality, ...f.by_age_group]) {
      if (g.suppressed) continue;
      assert.equal(g.participants, 0, `a group with participants under a total of 3 is suppressed: ${JSON.stringify(g)}`);
    }
    await publish(mod.ws, period.id);
    const html = (await page(srv, r.slug)).body;
    const alfa = rowAround(html, 'Alfala');
    if (alfa) assert.ok(!/\b3\b/.test(alfa), `no 3 for Alfala: ${alfa}`);
  });

  test('show_figures false: no figures on the page', async () => {
    const cur = (await getResults(mod.ws, P.id)).results;
    await save(mod.ws, P.id, cur.rev, { ...keepAll(cur), show_figures: false });
    await publish(mod.ws, P.id);
    const html = assertHtmlPage(await page(srv, R.slug), 'without figures');
    assert.ok(!html.includes('Betala') && !html.includes('Alfala'), 'no breakdown');
  });
});

describe('markup in every field is escaped on the page and in the feed', () => {
  let srv; let mod; let A; let slug; let P;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Kirjoittaja' });
    P = await periodWithPosts(mod, [
      [A, `Minusta ${xss('Q1')} ei toimi.`],
      [A, 'Vertailu: a<b & c>d "lainaus" \'yksi\' loppu.'],
    ], { title: xss('PT') });
    const poll = await closedPoll(mod, P.period.id, { question: xss('PQ'), options: [xss('PO1'), xss('PO2')] });
    const scale = await closedPoll(mod, P.period.id, { kind: 'scale', question: 'Asteikko', scale: { min: 1, max: 5, min_label: xssShort(1), max_label: xssShort(2) } });
    const rank = await closedPoll(mod, P.period.id, { kind: 'ranking', question: xss('RQ'), options: [xss('RO1'), xss('RO2')] });
    ok(await A.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id }));
    ok(await A.ws.request({ type: 'poll.vote', poll_id: scale.id, answer: 4 }));
    ok(await A.ws.request({ type: 'poll.vote', poll_id: rank.id, answer: rank.options.map((o) => o.id) }));
    const survey = await openSurvey(mod, P.period.id, { title: xss('ST'), intro: xss('SI'),
      questions: [{ kind: 'single', text: xss('SQ'), options: [xss('SO1'), xss('SO2')], required: true },
        { kind: 'short_text', text: 'Vapaa', required: false }] });
    ok(await A.ws.request({ type: 'survey.submit', survey_id: survey.id,
      answers: { [survey.questions[0].id]: survey.questions[0].options[0].id, [survey.questions[1].id]: xss('FREE') } }));
    await closePeriod(mod, P.period.id);
    const r = await save(mod.ws, P.period.id, 0, {
      summary: `Yhteenveto ${xss('SU')}\n\n<div onclick="alert('SU2')">x</div>\n\n[linkki](javascript:alert('SU3')) ![kuva](javascript:alert('SU4'))\n\n<iframe src="https://evil.example"></iframe>`,
      findings: [{ title: xss('FT'), body: `Havainto ${xss('FB')} [x](javascript:alert('FB2'))` }],
      polls: [poll.id, scale.id, rank.id], surveys: [survey.id],
      quotes: [{ post_id: P.posts[0].id, text: `Minusta ${xss('Q1')} ei toimi.` },
        { post_id: P.posts[1].id, text: 'a<b & c>d "lainaus" \'yksi\'' }],
    });
    slug = r.slug;
    await publish(mod.ws, P.period.id);
    await addFollowUp(mod.ws, r.findings[0].id, { status: 'declined', text: xss('FUT'), reason: xss('FUR') });
    const odd = await mod.ws.request({ type: 'follow_up.add', finding_id: r.findings[0].id, date: '2026-11-16', status: 'done',
      text: `]]> ${xss('FUT2')} &amp; &#0; \u0001 \u007f` });
    if (!odd.ok) {
      assertError(odd, 'invalid_field', 'text'); // control characters refused: fine
      await addFollowUp(mod.ws, r.findings[0].id, { status: 'done', text: `]]> ${xss('FUT2')} &amp; &#0;` });
    }
  });
  after(async () => { await stopClean(srv); });

  const PLAIN = ['PT', 'PQ', 'PO1', 'PO2', 'RQ', 'RO1', 'RO2', 'ST', 'SQ', 'SO1', 'SO2', 'FT', 'FUT', 'FUR', 'Q1'];

  test('the page: no markup from the fields, and each plain text field is shown as text', async () => {
    for (const [what, res] of [['page', await page(srv, slug)], ['preview', await page(srv, slug, { query: '?preview=1', cookie: mod.cookie })],
      ['page sv', await page(srv, slug, { query: '?lang=sv' })], ['page en', await page(srv, slug, { query: '?lang=en' })]]) {
      const html = assertHtmlPage(res, what);
      assertSafeHtml(html, what);
      const text = textOf(html);
      for (const tag of PLAIN) assert.ok(text.includes(xss(tag)), `${what}: ${tag} is shown as text`);
      for (const tag of ['SU', 'FB']) {
        assert.ok(!html.includes(`alert('${tag}')</script>`), `${what}: ${tag}'s raw HTML`);
      }
      for (const tag of ['SU2', 'SU3', 'SU4', 'FB2']) {
        for (const t of tags(html)) assert.ok(!t.raw.includes(`alert('${tag}')`), `${what}: ${tag} inside a tag: ${t.raw}`);
      }
      assert.ok(!html.includes('https://evil.example') || !tags(html).some((t) => t.name === 'iframe'), `${what}: the iframe`);
      assert.ok(text.includes('a<b & c>d "lainaus" \'yksi\''), `${what}: the comparison quote as text`);
      assert.ok(!text.includes(xss('FREE')) && !html.includes("alert('FREE')"), `${what}: free-text survey answers are never on the page`);
      assert.ok(!text.includes('Kirjoittaja'), `${what}: no author name`);
    }
  });

  test('the index and the 404 page', async () => {
    const idx = assertHtmlPage(await indexPage(srv), 'index');
    assertSafeHtml(idx, 'index');
    assert.ok(textOf(idx).includes(xss('PT')), 'the title as text in the index');
    const nf = await get(srv, `/tulokset/${encodeURIComponent(xss('NF'))}`);
    assert.equal(nf.status, 404);
    assertSafeHtml(nf.body, '404 page');
  });

  test('the Atom feed is well-formed XML and carries no markup from the fields', async () => {
    const r = await feed(srv);
    assert.equal(r.status, 200);
    const entries = assertSafeAtom(r.body, 'feed');
    const all = entries.map((e) => e.title + ' ' + e.content).join(' ');
    assert.ok(all.includes(xss('PT')) || all.includes("alert('PT')"), 'the period title reaches the feed as text');
    assert.ok(entries.some((e) => (e.title + e.content).includes('FUT')), 'the follow-up reaches the feed');
    assert.ok(entries.some((e) => (e.title + e.content).includes('FUT2')), 'the follow-up with ]]> and a control character');
    for (const e of entries) {
      if (e.contentType === 'html') assertSafeHtml(e.content, 'an html entry');
      if (e.contentType === 'text' || e.contentType === null) assert.ok(!/<script/i.test(e.el.text), 'no markup in a text element');
    }
  });

  test('municipality cannot be set to markup', async () => {
    const body = await validRegistration(srv, { municipality: '<script>alert(1)</script>' });
    const r = await postJson(srv, '/api/register', body);
    assertError(r.json, 'invalid_field', 'municipality');
    const m = await member(srv);
    assertError(await m.ws.request({ type: 'profile.update', municipality: '"><img src=x onerror=alert(1)>' }), 'invalid_field', 'municipality');
  });
});

describe('the demo\'s results', () => {
  let srv;
  before(async () => { srv = await start({ args: ['--demo'] }); });
  after(async () => { await stopClean(srv); });

  test('/tulokset lists a published page with a chart, a table, quotes, figures and follow-ups in several states', async () => {
    const idx = assertHtmlPage(await indexPage(srv), 'demo index');
    const slugs = [...new Set(tags(idx).filter((t) => t.name === 'a').map((t) => t.attrs.find(([n]) => n === 'href')?.[1])
      .map((h) => h && h.split('?')[0]).filter((h) => h && /\/tulokset\/[a-z0-9-]+$/.test(h)).map((h) => h.split('/').pop()))];
    assert.ok(slugs.length >= 1, `the demo index lists a page: ${idx.slice(0, 500)}`);
    const cfg = await getConfig(srv);
    const muniNames = cfg.municipalities.map((m) => m.name?.fi ?? m.names?.fi ?? m.fi ?? m.name).filter((x) => typeof x === 'string');
    let best = null;
    for (const s of slugs) {
      const html = assertHtmlPage(await page(srv, s), `demo ${s}`);
      assertSafeHtml(html, `demo ${s}`);
      const text = textOf(html).toLowerCase();
      const states = ['harkinnassa', 'työn alla', 'toteutettu', 'ei toteuteta'].filter((x) => text.includes(x));
      const has = {
        svg: /<svg\b/i.test(html), table: /<table\b/i.test(html), quote: /<blockquote\b|<q\b|class="[^"]*quote/i.test(html),
        figures: muniNames.some((n) => textOf(html).includes(n)) || /<\s?5/.test(textOf(html)), states: states.length >= 2,
      };
      if (Object.values(has).every(Boolean)) { best = s; break; }
      best = best ?? { s, has, states };
    }
    assert.equal(typeof best, 'string', `no demo page has everything: ${JSON.stringify(best)}`);
    const f = await feed(srv);
    assert.equal(f.status, 200);
    const entries = assertSafeAtom(f.body, 'demo feed');
    assert.ok(entries.length >= 2, 'the demo feed has a page and follow-ups');
  });
});
