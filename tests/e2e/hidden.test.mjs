// The member's side of moderation in the browser: a member reports a post
// (reasons, "muu" needs words, reported once), it reaches the moderator's
// queue live and the moderator hides it there, a third member's open topic
// turns to the placeholder live, its author sees why in the thread and in
// #/notices and appeals once. A moderator's tools
// in the thread: hide and restore, edit and delete with a reason, move a
// post to another topic, lock and pin the topic. A pre-moderated post
// waits, seen only by its author, and appears live for others when
// approved. The composer explains topic_locked, watched_word and
// suspended. axe-core on every new state (Finnish, then Swedish and
// English once); nothing scrolls sideways at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll, waitForHeading } from './lib.mjs';
import {
    ok, member, moderator, openPeriod, createTopic, createPost, pageAs, openAt, postWith, watchLive, waitSaid,
} from './forum.mjs';

let server, browser, base, suite;
let mod;

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
});

after(async () => {
    mod?.ws.destroy();
    await suite?.close();
});

async function done(...pages) {
    for (const page of pages) {
        assert.deepEqual(page.errors, []);
        await page.context().close();
    }
}

function req(who, type, fields = {}) {
    return who.ws.request({ type, ...fields });
}

async function focusedId(page) {
    return page.evaluate(() => document.activeElement?.id || document.activeElement?.dataset?.focusKey || '');
}

// A topic in a fresh open period, made by the moderator.
async function freshTopic(fields = {}, periodFields = {}) {
    const period = await openPeriod(mod.ws, { title: `Piilotusjakso ${Date.now()}`, ...periodFields });
    const { topic, post } = await createTopic(mod.ws, period.id, { title: 'Miten ohjeita voisi parantaa?', body: 'Kertokaa kokemuksia.', ...fields });
    return { period, topic, opening: post };
}

test('a member reports a post; it reaches the moderator\'s queue live and the moderator hides it there; a reader sees the placeholder live; the author sees why, in the thread and in notices, and appeals once', async () => {
    const { topic } = await freshTopic();
    const aino = await member(server, { display_name: 'Aino Kirjoittaja' });
    const kalle = await member(server, { display_name: 'Kalle Ilmoittaja' });
    const leena = await member(server, { display_name: 'Leena Lukija' });
    const post = await createPost(aino.ws, topic.id, 'Soittakaa minulle iltaisin, niin kerron lisää.');

    const k = await pageAs(browser, base, kalle);
    const l = await pageAs(browser, base, leena);
    const a = await pageAs(browser, base, aino);
    await Promise.all([
        openAt(k, base, `/topics/${topic.id}`, topic.title),
        openAt(l, base, `/topics/${topic.id}`, topic.title),
        openAt(a, base, `/topics/${topic.id}`, topic.title),
    ]);
    await watchLive(k);
    await watchLive(l);
    await watchLive(a);
    // The moderator has the queue open.
    const m = await pageAs(browser, base, mod);
    await openAt(m, base, '/moderation/queue', 'Moderointijono');
    await watchLive(m);

    // No "Ilmoita" on one's own post; one on another's.
    assert.equal(await a.locator(`[data-focus-key="report-${post.id}"]`).count(), 0);
    const reportButton = k.locator(`button[data-focus-key="report-${post.id}"]`);
    assert.equal(await reportButton.getAttribute('aria-expanded'), 'false');
    await reportButton.click();
    await k.locator(`#report-${post.id}`).waitFor();
    assert.equal(await reportButton.getAttribute('aria-expanded'), 'true');
    assert.equal(await focusedId(k), `report-${post.id}-reason-asiaton`);
    await assertAccessible(k, 'report form');

    // No reason, then "muu" without words: errors by the fields.
    await k.click(`#report-${post.id}-submit`);
    await k.locator(`#report-${post.id}-reason-error`, { hasText: 'Valitse syy.' }).waitFor();
    assert.equal(await k.getAttribute(`#report-${post.id}-reason-asiaton`, 'aria-invalid'), 'true');
    await k.check(`#report-${post.id}-reason-muu`);
    await k.click(`#report-${post.id}-submit`);
    await k.locator(`#report-${post.id}-text-error`, { hasText: 'Kerro lyhyesti' }).waitFor();
    assert.equal(await focusedId(k), `report-${post.id}-text`);
    assert.match(await k.getAttribute(`#report-${post.id}-text`, 'aria-describedby'), new RegExp(`report-${post.id}-text-error`));
    await assertAccessible(k, 'report form with errors');

    // Escape closes the form and puts focus back on its button.
    await k.keyboard.press('Escape');
    await k.locator(`#report-${post.id}`).waitFor({ state: 'detached' });
    assert.equal(await focusedId(k), `report-${post.id}`);
    assert.equal(await reportButton.getAttribute('aria-expanded'), 'false');
    await reportButton.press('Enter');
    await k.locator(`#report-${post.id}`).waitFor();
    await k.check(`#report-${post.id}-reason-henkilotiedot`);
    await k.fill(`#report-${post.id}-text`, 'Viestissä pyydetään soittamaan, numero voi tulla seuraavaksi.');
    await k.click(`#report-${post.id}-submit`);
    await k.locator(`#post-${post.id}-flash`, { hasText: 'Kiitos, moderaattorit katsovat viestin.' }).waitFor();
    assert.equal(await focusedId(k), `post-${post.id}-flash`);
    await waitSaid(k, /Kiitos, moderaattorit katsovat viestin\./);
    assert.equal(await k.locator(`#report-${post.id}`).count(), 0);
    assert.equal(await k.textContent(`[data-focus-key="report-${post.id}"]`), 'Ilmoitettu');

    // The server keeps the report; after a reload the post still says so
    // (the post's `reported`).
    const queue = ok(await req(mod, 'queue.list', {}), 'queue.list');
    const item = queue.items.find((x) => x.post?.id === post.id);
    assert.ok(item, 'the report is in the queue');
    assert.equal(item.reports[0].reason, 'henkilotiedot');
    await k.reload();
    await openAt(k, base, `/topics/${topic.id}`, topic.title);
    await k.locator(`[data-focus-key="report-${post.id}"]`, { hasText: 'Ilmoitettu' }).waitFor();
    assert.equal(await k.locator(`button[data-focus-key="report-${post.id}"]`).count(), 0);

    // The report reaches the moderator's queue live; the moderator hides the
    // post from there, and the reader's page changes without a reload.
    const li = m.locator('li.queue-item', { hasText: 'Soittakaa minulle' });
    await li.waitFor({ timeout: 10000 });
    await waitSaid(m, /Jonoon tuli uusi kohde: Ilmoitus/);
    const itemId = Number((await li.getAttribute('id')).replace('queue-item-', ''));
    assert.match(await li.textContent(), /Sisältää henkilötietoja – Kalle/);
    const reason = 'Yhteystietoja ei jaeta keskustelussa.';
    await m.click(`#queue-item-${itemId}-act-hide`);
    await m.fill(`#qa-${itemId}-reason`, reason);
    await m.click(`#qa-${itemId}-submit`);
    await m.locator(`#queue-item-${itemId}-outcome`, { hasText: 'piilotti viestin' }).waitFor();
    const hid = ok(await req(mod, 'queue.list', { status: 'resolved' }), 'queue.list').items.find((x) => x.id === itemId);
    assert.equal(hid.post.hidden.by, 'moderator');
    assert.equal(hid.post.hidden.reason, reason);
    const onL = l.locator(`#post-${post.id}`);
    await onL.locator('.post__tombstone', { hasText: 'Moderaattori piilotti tämän viestin.' }).waitFor({ timeout: 5000 });
    assert.equal(await onL.locator('.post__author').textContent(), 'Piilotettu viesti');
    assert.doesNotMatch(await onL.textContent(), /Soittakaa minulle/);
    assert.equal(await onL.locator('button.reaction').count(), 0);
    assert.equal(await onL.locator('[data-focus-key^="report-"]').count(), 0);
    await waitSaid(l, /Moderaattori piilotti viestin\./);
    await assertAccessible(l, 'topic with a hidden post (reader)');

    // The author sees the text in a marked box with the reason, and can appeal.
    const onA = a.locator(`#post-${post.id}`);
    await onA.locator('.post__hidden-box', { hasText: reason }).waitFor({ timeout: 5000 });
    assert.match(await onA.locator('.post__hidden-box').textContent(), /Viestisi on piilotettu muilta\..*Soittakaa minulle/s);
    assert.match(await onA.locator('.post__author').textContent(), /piilotettu/);
    await assertAccessible(a, 'topic with a hidden post (author)');
    // The notice came live: the navigation counts it.
    await a.locator('#nav-notices', { hasText: 'Ilmoitukset (1)' }).waitFor({ timeout: 5000 });
    assert.match(await a.textContent('#nav-notices'), /1 lukematon/);

    await a.click(`button[data-focus-key="appeal-${post.id}"]`);
    await a.locator(`#appeal-${post.id}`).waitFor();
    assert.equal(await focusedId(a), `appeal-${post.id}-text`);
    await a.click(`#appeal-${post.id}-submit`);
    await a.locator(`#appeal-${post.id}-text-error`, { hasText: 'Kirjoita syy.' }).waitFor();
    await assertAccessible(a, 'appeal form with an error');
    await a.fill(`#appeal-${post.id}-text`, 'En jakanut numeroa, pyysin vain soittamaan vaihteeseen.');
    await a.click(`#appeal-${post.id}-submit`);
    await a.locator(`#post-${post.id}-flash`, { hasText: 'Valitus on lähetetty' }).waitFor();
    await onA.locator('.post__appeal', { hasText: 'Valitus odottaa käsittelyä.' }).waitFor();
    assert.equal(await a.locator(`[data-focus-key="appeal-${post.id}"]`).count(), 0);
    const again = await req(aino, 'appeal.create', { post_id: post.id, text: 'Uudestaan' });
    assert.equal(again.error?.code, 'conflict');

    // In #/notices: what, why, where; read once seen; no second appeal.
    await a.click('#nav-notices');
    await openAt(a, base, '/notices', 'Ilmoitukset');
    const first = a.locator('.notice-item').first();
    await first.waitFor();
    assert.match(await first.textContent(), /Moderaattori piilotti viestisi/);
    assert.match(await first.textContent(), new RegExp(reason.replace('.', '\\.')));
    assert.equal(await first.locator('a').getAttribute('href'), `#/topics/${topic.id}?post=${post.id}`);
    assert.equal(await first.locator('button', { hasText: 'Tee valitus' }).count(), 0);
    await a.waitForFunction(() => document.getElementById('nav-notices')?.textContent === 'Ilmoitukset');
    await assertAccessible(a, 'notices view');

    // A second hidden post arrives live in the open list, and is appealed from there.
    const second = await createPost(aino.ws, topic.id, 'Toinen viesti, jossa on jotain väärää.');
    ok(await req(mod, 'post.hide', { post_id: second.id, reason: 'Toinen syy piilottaa.' }), 'post.hide 2');
    await a.locator('.notice-item', { hasText: 'Toinen syy piilottaa.' }).waitFor({ timeout: 5000 });
    await waitSaid(a, /Uusi ilmoitus: Moderaattori piilotti viestisi/);
    const newest = a.locator('.notice-item').first();
    assert.match(await newest.textContent(), /Toinen syy piilottaa\./);
    await newest.locator('button', { hasText: 'Tee valitus' }).click();
    const appealText = newest.locator('textarea');
    await appealText.fill('Viestissä ei ollut mitään väärää.');
    await newest.locator('button[type=submit]').click();
    await newest.locator('.notice--success', { hasText: 'Valitus on lähetetty' }).waitFor();
    assert.equal(await newest.locator('button', { hasText: 'Tee valitus' }).count(), 0);
    await assertAccessible(a, 'notices view after an appeal');

    // The reader never saw either text.
    assert.doesNotMatch(await l.textContent('main'), /Soittakaa minulle|jotain väärää/);
    for (const who of [aino, kalle, leena]) who.ws.destroy();
    await done(k, l, a, m);
});

test('a moderator hides and restores, edits and deletes with a reason, moves a post, locks and pins the topic, in the browser', async () => {
    const { period, topic } = await freshTopic();
    const { topic: other } = await createTopic(mod.ws, period.id, { title: 'Toinen aihe', body: 'Tänne siirretään.' });
    const ville = await member(server, { display_name: 'Ville Viestijä' });
    const reader = await member(server, { display_name: 'Riikka Lukija' });
    const p1 = await createPost(ville.ws, topic.id, 'Ensimmäinen viesti moderoitavaksi.');
    const p2 = await createPost(ville.ws, topic.id, 'Toinen viesti, jota muokataan.');
    const p3 = await createPost(ville.ws, topic.id, 'Kolmas viesti poistetaan.');
    const p4 = await createPost(ville.ws, topic.id, 'Neljäs viesti kuuluu toiseen aiheeseen.');
    const p5 = await createPost(reader.ws, topic.id, 'Vastaus neljänteen.', p4.id);

    const m = await pageAs(browser, base, mod);
    const r = await pageAs(browser, base, reader);
    const o = await pageAs(browser, base, ville);
    await Promise.all([
        openAt(m, base, `/topics/${topic.id}`, topic.title),
        openAt(r, base, `/topics/${topic.id}`, topic.title),
        openAt(o, base, `/topics/${other.id}`, other.title),
    ]);
    await watchLive(m);
    await watchLive(r);
    await watchLive(o);

    // Members have no moderator menu.
    assert.equal(await r.locator('[data-focus-key^="modmenu-"]').count(), 0);
    assert.equal(await r.locator('#topic-tools-toggle').count(), 0);

    // Hide: a reason is required.
    const menu = m.locator(`button[data-focus-key="modmenu-${p1.id}"]`);
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await m.locator(`#modmenu-${p1.id}`).waitFor();
    await assertAccessible(m, 'moderator menu');
    await m.click(`button[data-focus-key="mod-hide-${p1.id}"]`);
    assert.equal(await focusedId(m), `modform-hide-${p1.id}-reason`);
    await m.click(`#modform-hide-${p1.id}-submit`);
    await m.locator(`#modform-hide-${p1.id}-reason-error`, { hasText: 'Kirjoita syy.' }).waitFor();
    await assertAccessible(m, 'hide form with an error');
    await m.fill(`#modform-hide-${p1.id}-reason`, 'Asiaton sävy.');
    await m.click(`#modform-hide-${p1.id}-submit`);
    await m.locator(`#post-${p1.id}-flash`, { hasText: 'Viesti on piilotettu.' }).waitFor();
    await m.locator(`#post-${p1.id} .post__hidden-box`, { hasText: 'Asiaton sävy.' }).waitFor();
    await r.locator(`#post-${p1.id} .post__tombstone`, { hasText: 'Moderaattori piilotti tämän viestin.' }).waitFor({ timeout: 5000 });

    // Restore: the reader sees the text again, live.
    await m.click(`button[data-focus-key="mod-restore-${p1.id}"]`);
    await m.click(`#modform-restore-${p1.id}-submit`);
    await m.locator(`#post-${p1.id}-flash`, { hasText: 'Viesti on palautettu näkyviin.' }).waitFor();
    await postWith(r, 'Ensimmäinen viesti moderoitavaksi.').waitFor({ timeout: 5000 });
    await waitSaid(r, /Piilotettu viesti palautettiin näkyviin\./);

    // Edit with a reason: everyone sees the reason under the post.
    await m.click(`button[data-focus-key="modmenu-${p2.id}"]`);
    await m.click(`button[data-focus-key="mod-edit-${p2.id}"]`);
    assert.equal(await m.inputValue(`#modform-edit-${p2.id}-body`), 'Toinen viesti, jota muokataan.');
    await m.fill(`#modform-edit-${p2.id}-body`, 'Toinen viesti, josta poistettiin nimi.');
    await m.click(`#modform-edit-${p2.id}-submit`);
    await m.locator(`#modform-edit-${p2.id}-reason-error`).waitFor();
    await m.fill(`#modform-edit-${p2.id}-reason`, 'Poistettu toisen henkilön nimi.');
    await m.click(`#modform-edit-${p2.id}-submit`);
    await m.locator(`#post-${p2.id}-flash`).waitFor();
    const editedOnR = r.locator(`#post-${p2.id}`);
    await editedOnR.locator('.post__modedit', { hasText: 'Moderaattori muokkasi: Poistettu toisen henkilön nimi.' }).waitFor({ timeout: 5000 });
    assert.match(await editedOnR.textContent(), /josta poistettiin nimi/);

    // Delete with a reason, behind a confirm step.
    await m.click(`button[data-focus-key="modmenu-${p3.id}"]`);
    await m.click(`button[data-focus-key="mod-delete-${p3.id}"]`);
    assert.match(await m.textContent(`#modform-delete-${p3.id}`), /Poistetaanko viesti\?.*Poistoa ei voi perua/s);
    await m.fill(`#modform-delete-${p3.id}-reason`, 'Mainos.');
    await m.click(`#modform-delete-${p3.id}-submit`);
    await r.locator(`#post-${p3.id} .post__tombstone`, { hasText: 'Moderaattori poisti viestin.' }).waitFor({ timeout: 5000 });
    await m.locator(`#post-${p3.id} .post__tombstone`, { hasText: 'Moderaattori poisti viestin.' }).waitFor();

    // Move a post with its reply to the other topic.
    await m.click(`button[data-focus-key="modmenu-${p4.id}"]`);
    await m.click(`button[data-focus-key="mod-move-${p4.id}"]`);
    await m.locator(`#modform-move-${p4.id}-topic_id`).waitFor();
    await assertAccessible(m, 'move form');
    await m.selectOption(`#modform-move-${p4.id}-topic_id`, String(other.id));
    await m.click(`#modform-move-${p4.id}-submit`);
    await r.locator('#moved-out', { hasText: 'Moderaattori siirsi 2 viestiä toiseen aiheeseen.' }).waitFor({ timeout: 5000 });
    assert.equal(await r.locator(`#post-${p4.id}`).count(), 0);
    assert.equal(await r.locator(`#post-${p5.id}`).count(), 0);
    assert.equal(await m.locator(`#post-${p4.id}`).count(), 0);
    await o.locator('#show-moved').waitFor({ timeout: 5000 });
    await o.click('#show-moved');
    await postWith(o, 'Neljäs viesti kuuluu toiseen aiheeseen.').waitFor();
    await postWith(o, 'Vastaus neljänteen.').waitFor();

    // Lock with a reason: the member's page turns read-only live; the moderator keeps the composer.
    await m.click('#topic-tools-toggle');
    await m.click('button[data-focus-key="topic-lock"]');
    await m.fill('#lock-topic-reason', 'Keskustelu on käyty.');
    await m.click('#lock-topic-submit');
    await m.locator('#topic-tools-flash', { hasText: 'Aihe on lukittu.' }).waitFor();
    await r.locator('#topic-locked', { hasText: 'Syy: Keskustelu on käyty.' }).waitFor({ timeout: 5000 });
    await r.locator('#topic-locked-composer').waitFor();
    assert.equal(await r.locator('#reply-top').count(), 0);
    assert.equal(await r.locator('button[data-focus-key^="reply-"]').count(), 0);
    await waitSaid(r, /Moderaattori lukitsi aiheen/);
    assert.equal(await m.locator('#reply-top').count(), 1);
    await assertAccessible(r, 'locked topic (member)');
    await assertAccessible(m, 'locked topic with the tools open (moderator)');

    // Pin: the period lists it first, marked.
    await m.click('button[data-focus-key="topic-pin"]');
    await m.locator('#topic-tools-flash', { hasText: 'kiinnitetty' }).waitFor();
    await m.locator('.badge--pinned').first().waitFor();
    await openAt(r, base, `/periods/${period.id}`, period.title);
    const firstTopic = r.locator('.topic-list .topic-item').first();
    assert.equal(await firstTopic.locator('a').textContent(), topic.title);
    assert.match(await firstTopic.textContent(), /Kiinnitetty/);
    assert.match(await firstTopic.textContent(), /lukittu/);

    // Unlock: the composer comes back.
    await m.click('button[data-focus-key="topic-unlock"]');
    await m.locator('#topic-tools-flash', { hasText: 'lukitus on avattu' }).waitFor();
    await openAt(r, base, `/topics/${topic.id}`, topic.title);
    await r.locator('#reply-top').waitFor();

    // 320 px: the moderator's menu and forms fit.
    await m.setViewportSize({ width: 320, height: 800 });
    // (p1's menu is still open from before.)
    await m.click(`button[data-focus-key="mod-hide-${p1.id}"]`);
    await assertNoHorizontalScroll(m, 'topic with the moderator menu at 320 px');
    for (const who of [ville, reader]) who.ws.destroy();
    await done(m, r, o);
});

test('a pre-moderated post waits for its author and appears live for another member when approved', async () => {
    const { period, topic } = await freshTopic({}, { premoderated: true, members_may_open_topics: true });
    const uusi = await member(server, { display_name: 'Uusi Jäsen' });
    const toinen = await member(server, { display_name: 'Toinen Jäsen' });
    const u = await pageAs(browser, base, uusi);
    const t2 = await pageAs(browser, base, toinen);
    await Promise.all([openAt(u, base, `/topics/${topic.id}`, topic.title), openAt(t2, base, `/topics/${topic.id}`, topic.title)]);
    await watchLive(t2);
    await watchLive(u);

    await u.fill('#reply-top-body', 'Odottava viesti moderaattorille.');
    await u.click('#reply-top button[type=submit]');
    const mine = postWith(u, 'Odottava viesti moderaattorille.');
    await mine.waitFor();
    await waitSaid(u, /Se odottaa moderaattorin hyväksyntää/);
    assert.match(await mine.locator('.post__author').textContent(), /Odottaa moderaattorin hyväksyntää/);
    assert.match(await mine.textContent(), /Vain sinä ja moderaattorit näette viestin/);
    // Nothing to answer, quote or react to yet.
    assert.equal(await mine.locator('button', { hasText: 'Vastaa' }).count(), 0);
    await assertAccessible(u, 'topic with a pending post (author)');
    await t2.waitForTimeout(500);
    assert.equal(await postWith(t2, 'Odottava viesti').count(), 0);

    const queue = ok(await req(mod, 'queue.list', {}), 'queue.list');
    const item = queue.items.find((x) => x.kind === 'review' && x.post?.body === 'Odottava viesti moderaattorille.');
    assert.ok(item, 'a review item in the queue');
    ok(await req(mod, 'queue.act', { item_id: item.id, action: 'approve' }), 'queue.act approve');
    await postWith(t2, 'Odottava viesti moderaattorille.').waitFor({ timeout: 5000 });
    await waitSaid(t2, /Uusi viesti käyttäjältä Uusi Jäsen/);
    await waitSaid(u, /Moderaattori hyväksyi viestisi/);
    await u.waitForFunction((id) => !document.querySelector(`#post-${id} .badge--pending`),
        Number((await mine.getAttribute('id')).replace('post-', '')), { timeout: 5000 });

    // A new topic waits too: its author is told and sees it marked; others
    // see it in the period only once approved.
    await openAt(t2, base, `/periods/${period.id}`, period.title);
    await openAt(u, base, `/periods/${period.id}`, period.title);
    await u.fill('#topic-title', 'Odottava aihe');
    await u.fill('#topic-body', 'Aloitusviesti, joka odottaa.');
    await u.click('#topic-submit');
    await waitForHeading(u, 'Odottava aihe');
    await u.locator('.flash', { hasText: 'Aihe on tallennettu ja odottaa moderaattorin hyväksyntää.' }).waitFor();
    await u.locator('.notice', { hasText: 'Aihe odottaa moderaattorin hyväksyntää.' }).waitFor();
    // Nothing can be replied in it until it is approved.
    assert.equal(await u.locator('#reply-top').count(), 0);
    await assertAccessible(u, 'a pending topic (author)');
    assert.equal(await t2.locator('.topic-item', { hasText: 'Odottava aihe' }).count(), 0);
    const q2 = ok(await req(mod, 'queue.list', {}), 'queue.list');
    const topicItem = q2.items.find((x) => x.kind === 'review' && x.post?.body === 'Aloitusviesti, joka odottaa.');
    assert.ok(topicItem, 'the topic waits in the queue');
    ok(await req(mod, 'queue.act', { item_id: topicItem.id, action: 'approve' }), 'queue.act approve topic');
    await t2.locator('.topic-item', { hasText: 'Odottava aihe' }).waitFor({ timeout: 5000 });
    await u.waitForFunction(() => ![...document.querySelectorAll('main .notice')].some((n) => n.textContent.includes('Aihe odottaa')),
        null, { timeout: 5000 });
    await u.locator('#reply-top').waitFor();
    uusi.ws.destroy();
    toinen.ws.destroy();
    await done(u, t2);
});

test('the composer explains a locked topic, a blocked word and a suspension', async () => {
    const { period, topic } = await freshTopic();
    const pekka = await member(server, { display_name: 'Pekka Kirjoittaja' });
    const p = await pageAs(browser, base, pekka);
    // The page misses the lock event, as if it came while the connection was down.
    let dropLock = false;
    await p.routeWebSocket(/\/ws$/, (ws) => {
        const srv = ws.connectToServer();
        ws.onMessage((msg) => srv.send(msg));
        srv.onMessage((msg) => {
            if (dropLock && String(msg).includes('"topic.changed"')) return;
            ws.send(msg);
        });
    });
    await openAt(p, base, `/topics/${topic.id}`, topic.title);

    // A blocked word: the message names it, by the field.
    ok(await req(mod, 'word.add', { word: 'tyhmeliini', action: 'block' }), 'word.add');
    await p.fill('#reply-top-body', 'Tämä on tyhmeliini ehdotus.');
    await p.click('#reply-top button[type=submit]');
    await p.locator('#reply-top-error', { hasText: '”tyhmeliini”' }).waitFor();
    assert.equal(await p.getAttribute('#reply-top-body', 'aria-invalid'), 'true');
    await assertAccessible(p, 'composer with watched_word');
    // A new topic's title is checked too (the list applies to moderators as well).
    const mp = await pageAs(browser, base, mod);
    await openAt(mp, base, `/periods/${period.id}`, period.title);
    await mp.fill('#topic-title', 'Tyhmeliini otsikko');
    await mp.fill('#topic-body', 'Aloitus.');
    await mp.click('#topic-submit');
    await mp.locator('#topic-title-error', { hasText: '”tyhmeliini”' }).waitFor();
    await done(mp);

    // Locked while the page did not hear of it.
    dropLock = true;
    ok(await req(mod, 'topic.lock', { topic_id: topic.id, reason: 'Aihe suljettu.' }), 'topic.lock');
    await p.fill('#reply-top-body', 'Tämä on hyvä ehdotus.');
    await p.click('#reply-top button[type=submit]');
    await p.locator('#reply-top-error', { hasText: 'Moderaattori on lukinnut aiheen' }).waitFor();
    dropLock = false;
    ok(await req(mod, 'topic.unlock', { topic_id: topic.id }), 'topic.unlock');

    // Suspended: the member is told in plain words.
    ok(await req(mod, 'member.suspend', { member_id: pekka.member.id, until: new Date(Date.now() + 86400000).toISOString(),
        reason: 'Testi.' }), 'member.suspend');
    await p.click('#reply-top button[type=submit]');
    await p.locator('#reply-top-error', { hasText: 'Tilisi on jäädytetty' }).waitFor();
    ok(await req(mod, 'member.unsuspend', { member_id: pekka.member.id }), 'member.unsuspend');
    ok(await req(mod, 'word.remove', { word_id: (await req(mod, 'word.list')).words.find((w) => w.word === 'tyhmeliini').id }));
    pekka.ws.destroy();
    await done(p);
});

test('three reports hide a post until a moderator looks; the author appeals and is told it stays hidden; notices come in pages', async () => {
    const { topic, opening } = await freshTopic();
    const writer = await member(server, { display_name: 'Hanna Huomautettu' });
    const reporters = [];
    for (let i = 0; i < 3; i++) reporters.push(await member(server, { display_name: `Ilmoittaja ${i + 1}` }));
    const post = await createPost(writer.ws, topic.id, 'Viesti, josta moni ilmoittaa.');
    const reader = reporters[2];
    const r = await pageAs(browser, base, reader);
    await openAt(r, base, `/topics/${topic.id}`, topic.title);
    for (const who of reporters.slice(0, 2)) ok(await req(who, 'report.create', { post_id: post.id, reason: 'asiaton' }), 'report.create');
    // The third report, in the browser, hides it on the reporter's own screen.
    await r.click(`button[data-focus-key="report-${post.id}"]`);
    await r.check(`#report-${post.id}-reason-asiaton`);
    await r.click(`#report-${post.id}-submit`);
    await r.locator(`#post-${post.id}-flash`, { hasText: 'Kiitos' }).waitFor();
    await r.locator(`#post-${post.id} .post__tombstone`,
        { hasText: 'Viesti piilotettiin ilmoitusten vuoksi, kunnes moderaattori käy sen läpi.' }).waitFor({ timeout: 5000 });

    // The author: why (reports, no moderator's words), in the thread and in notices.
    const w = await pageAs(browser, base, writer);
    await openAt(w, base, `/topics/${topic.id}`, topic.title);
    await w.locator(`#post-${post.id} .post__hidden-box`, { hasText: 'ilmoitusten vuoksi' }).waitFor();
    await openAt(w, base, '/notices', 'Ilmoitukset');
    const item = w.locator('.notice-item').first();
    assert.match(await item.textContent(), /Viestisi piilotettiin ilmoitusten vuoksi/);
    await item.locator('button', { hasText: 'Tee valitus' }).click();
    await item.locator('textarea').fill('Viesti oli asiallinen.');
    await item.locator('button[type=submit]').click();
    await item.locator('.notice--success').waitFor();

    // The moderator keeps it hidden: the author is told, live, and the thread says so.
    const queue = ok(await req(mod, 'queue.list', {}), 'queue.list');
    const appeal = queue.items.find((x) => x.kind === 'appeal' && x.post?.id === post.id);
    assert.ok(appeal, 'an appeal item');
    ok(await req(mod, 'queue.act', { item_id: appeal.id, action: 'keep', reason: 'Sävy oli loukkaava.' }), 'queue.act keep');
    await w.locator('.notice-item', { hasText: 'Valituksesi käsiteltiin' }).waitFor({ timeout: 5000 });
    await openAt(w, base, `/topics/${topic.id}`, topic.title);
    await w.locator(`#post-${post.id} .post__appeal`, { hasText: 'viesti pysyy piilotettuna' }).waitFor();

    // More notices than fit on a page: the rest come a page at a time.
    const many = [];
    for (let i = 0; i < 21; i++) many.push(await createPost(writer.ws, topic.id, `Moneskin viesti ${i + 1}`));
    for (const p of many) ok(await req(mod, 'post.hide', { post_id: p.id, reason: `Syy ${p.id}` }), 'post.hide');
    await openAt(w, base, '/notices', 'Ilmoitukset');
    await w.locator('#notices-more').waitFor();
    const before = await w.locator('.notice-item').count();
    assert.equal(before, 20);
    await w.click('#notices-more');
    await w.waitForFunction((n) => document.querySelectorAll('.notice-item').length > n, before);
    assert.equal(await w.locator('#notices-more').count(), 0);
    assert.equal(await w.locator('.notice-item').count(), 23);
    await w.waitForFunction(() => document.getElementById('nav-notices')?.textContent === 'Ilmoitukset');
    await w.setViewportSize({ width: 320, height: 800 });
    await assertNoHorizontalScroll(w, 'notices at 320 px');
    await r.setViewportSize({ width: 320, height: 800 });
    await r.click(`button[data-focus-key="report-${opening.id}"]`);
    await r.locator(`#report-${opening.id}`).waitFor();
    await assertNoHorizontalScroll(r, 'topic with hidden posts at 320 px');
    for (const who of [writer, ...reporters]) who.ws.destroy();
    await done(r, w);
});

test('Swedish and English: a hidden post, the report form and the notices view pass axe', async () => {
    const { topic } = await freshTopic();
    const writer = await member(server, { display_name: 'Sara Skribent' });
    const other = await member(server, { display_name: 'Olle Läsare' });
    const post = await createPost(writer.ws, topic.id, 'Ett inlägg som döljs.');
    const visible = await createPost(writer.ws, topic.id, 'Ett inlägg som syns.');
    ok(await req(mod, 'post.hide', { post_id: post.id, reason: 'Olämpligt.' }), 'post.hide');
    for (const [lang, locale, hidden, title] of [['sv', 'sv-FI', 'En moderator har dolt', 'Meddelanden'], ['en', 'en-GB', 'A moderator has hidden', 'Notices']]) {
        const o = await pageAs(browser, base, other, { locale });
        await o.addInitScript((l) => localStorage.setItem('raati.language', l), lang);
        await openAt(o, base, `/topics/${topic.id}`, null);
        await o.locator(`#post-${post.id} .post__tombstone`, { hasText: hidden }).waitFor();
        await o.click(`button[data-focus-key="report-${visible.id}"]`);
        await o.locator(`#report-${visible.id}`).waitFor();
        await assertAccessible(o, `hidden post and report form (${lang})`);
        const w = await pageAs(browser, base, writer, { locale });
        await w.addInitScript((l) => localStorage.setItem('raati.language', l), lang);
        await openAt(w, base, '/notices', title);
        await w.locator('.notice-item').first().waitFor();
        await assertAccessible(w, `notices view (${lang})`);
        await done(o, w);
    }
    writer.ws.destroy();
    other.ws.destroy();
});
