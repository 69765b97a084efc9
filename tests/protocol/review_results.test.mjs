// Review of f18483b (results pages): each test showed one bug and failed
// before its fix.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers.mjs';
import { ok, member, moderator, stopClean } from './discuss.mjs';
import {
  save, publish, addFollowUp, periodWithPosts, closePeriod, page, feed, assertHtmlPage, textOf, parseXml,
} from './resultskit.mjs';

const keepFindings = (r) => r.findings.map((f) => ({ id: f.id, title: f.title, body: f.body }));

// A closed period with a published page: findings as given.
async function publishedPage(mod, posts, findings, extra = {}) {
  const P = await periodWithPosts(mod, posts, { title: `Katselmointi ${Math.random().toString(36).slice(2, 8)}` });
  await closePeriod(mod, P.period.id);
  let r = await save(mod.ws, P.period.id, 0, { summary: 'Yhteenveto.', findings, ...extra(P) });
  r = await publish(mod.ws, P.period.id);
  return { P, r };
}

describe('review of the results pages (f18483b)', () => {
  let srv; let mod; let A;
  before(async () => {
    srv = await start();
    mod = await moderator(srv);
    A = await member(srv, { display_name: 'Aino Arvioitava' });
  });
  after(async () => { await stopClean(srv); });

  test('feed: an unpublished finding (added to the working copy after publishing) does not reach the Atom feed', async () => {
    const { P, r } = await publishedPage(mod, [], [{ title: 'Julkaistu havainto', body: '' }], () => ({}));
    // Working copy only: a new finding, and the published one renamed.
    const w = await save(mod.ws, P.period.id, r.rev, {
      summary: 'Yhteenveto.',
      findings: [{ id: r.findings[0].id, title: 'LUONNOS-NIMI julkaistulle', body: '' }, { title: 'LUONNOS-HAVAINTO', body: '' }],
    });
    await addFollowUp(mod.ws, w.findings[1].id, { text: 'seuranta luonnokselle' });
    await addFollowUp(mod.ws, w.findings[0].id, { text: 'seuranta julkaistulle' });
    const res = await feed(srv);
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('LUONNOS-HAVAINTO'), 'the title of a finding that was never published is in the public feed');
    assert.ok(!res.body.includes('LUONNOS-NIMI'), 'an unpublished edit of a finding title is in the public feed');
  });

  test('page: a published finding does not show the follow-ups of a later, unpublished finding that reused its id', async () => {
    const { P, r } = await publishedPage(mod, [], [{ title: 'Ensimmäinen', body: '' }, { title: 'Poistettava havainto', body: '' }], () => ({}));
    const removed = r.findings[1];
    // Remove the second (no follow-ups, so allowed) and add a new one in the same save.
    const w = await save(mod.ws, P.period.id, r.rev, {
      summary: 'Yhteenveto.',
      findings: [{ id: r.findings[0].id, title: 'Ensimmäinen', body: '' }, { title: 'UUSI-LUONNOS', body: '' }],
    });
    const fresh = w.findings[1];
    await addFollowUp(mod.ws, fresh.id, { text: 'LUONNOKSEN-SEURANTA ei ole julkinen' });
    const html = assertHtmlPage(await page(srv, r.slug), 'the public page');
    assert.ok(!textOf(html).includes('LUONNOKSEN-SEURANTA'),
      `the public version's finding "${removed.title}" (id ${removed.id}) shows the follow-up of the new unpublished finding (id ${fresh.id})`);
  });

  test('feed: a follow-up text with U+FFFF keeps the Atom feed well-formed XML', async () => {
    const { r } = await publishedPage(mod, [], [{ title: 'Merkkihavainto', body: '' }], () => ({}));
    await addFollowUp(mod.ws, r.findings[0].id, { text: 'Ennen\uffffjälkeen \ufffe' });
    const res = await feed(srv);
    assert.equal(res.status, 200);
    assert.doesNotThrow(() => parseXml(res.body), 'the feed must stay well-formed XML');
  });

  test('post.quoted goes only to authors whose quote actually became public', async () => {
    const { P } = await (async () => {
      const P = await periodWithPosts(mod, [[A, 'Jonotusaika pitäisi kertoa heti alussa.']], { title: 'Lainauskatselmointi' });
      await closePeriod(mod, P.period.id);
      const r = await save(mod.ws, P.period.id, 0, { summary: 'Yhteenveto.',
        quotes: [{ post_id: P.posts[0].id, text: 'Jonotusaika pitäisi kertoa heti alussa.' }] });
      // The author withdraws consent before the page is published.
      ok(await A.ws.request({ type: 'profile.update', quote_consent: false }));
      await publish(mod.ws, P.period.id);
      return { P, r };
    })();
    const html = assertHtmlPage(await page(srv, (await mod.ws.request({ type: 'results.get', period_id: P.period.id })).results.slug), 'page');
    assert.ok(!textOf(html).includes('Jonotusaika pitäisi'), 'precondition: the quote is not on the public page');
    const list = (await A.ws.request({ type: 'notice.list', limit: 100 })).notices.filter((n) => n.kind === 'post.quoted');
    ok(await A.ws.request({ type: 'profile.update', quote_consent: true }));
    assert.equal(list.length, 0, `A was told the post is quoted on a public page although it is not: ${JSON.stringify(list)}`);
  });

  test('a post whose author withdrew a quote of it cannot be quoted again', async () => {
    const B = await member(srv, { display_name: 'Bertta Peruja' });
    const P = await periodWithPosts(mod, [[B, 'Ohjeessa pitäisi olla kellonaika.']], { title: 'Peruttu lainaus' });
    await closePeriod(mod, P.period.id);
    const r = await save(mod.ws, P.period.id, 0, { summary: 'Yhteenveto.',
      quotes: [{ post_id: P.posts[0].id, text: 'Ohjeessa pitäisi olla kellonaika.' }] });
    await publish(mod.ws, P.period.id);
    ok(await B.ws.request({ type: 'quote.withdraw', quote_id: r.quotes[0].id }));
    const quotable = ok(await mod.ws.request({ type: 'results.quotable', period_id: P.period.id }));
    assert.ok(!quotable.posts.some((p) => p.id === P.posts[0].id), 'the post is still offered for quoting');
    const again = await mod.ws.request({ type: 'results.save', period_id: P.period.id, rev: r.rev + 0,
      summary: 'Yhteenveto.', quotes: [{ post_id: P.posts[0].id, text: 'Ohjeessa pitäisi olla kellonaika.' }] });
    assert.equal(again.ok, false);
    assert.equal(again.error.code, 'invalid_field');
    assert.equal(again.error.field, 'quotes');
  });

  test('a quote leaves the public page when its author edits the words out of the post', async () => {
    const C = await member(srv, { display_name: 'Cecilia Muokkaaja' });
    const P = await periodWithPosts(mod, [[C, 'Asun Kaunistonkadulla ja jonotin tunnin.']], { title: 'Muokattu lainaus' });
    // Drafted while the period is still open.
    const w = await save(mod.ws, P.period.id, 0, { summary: 'Yhteenveto.',
      quotes: [{ post_id: P.posts[0].id, text: 'Asun Kaunistonkadulla ja jonotin tunnin.' }] });
    // The author takes the street out of the post before the period closes.
    ok(await C.ws.request({ type: 'post.edit', post_id: P.posts[0].id, body: 'Jonotin tunnin.' }));
    await closePeriod(mod, P.period.id);
    await publish(mod.ws, P.period.id);
    const html = textOf(assertHtmlPage(await page(srv, w.slug), 'page'));
    assert.ok(html.includes('Yhteenveto'), 'the page is published');
    assert.ok(!html.includes('Kaunistonkadulla'), 'the words the author removed still show as a quote');
  });
});
