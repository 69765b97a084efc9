// The moderation queue and the watched words in the browser
// (#/moderation/queue and #/moderation/words): a report made over the
// WebSocket appears in the open queue without a reload, and the moderator
// hides the post with a reason; an item another moderator decides leaves
// the pending list with a word in the live region; keep, the other tabs;
// paging with "Näytä lisää"; a pre-moderated post (and a member's new
// topic) approved from the queue; an appeal and restore, also of a post
// hidden by reports, which settles its report item quietly; the edit,
// delete (confirm step), warn and suspend forms, with the server's errors
// by the fields; watched words added, changed and removed. axe-core on the queue (empty, with items, every
// action form), the words screen, in Finnish and once in Swedish and
// English; nothing scrolls sideways at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll } from './lib.mjs';
import {
    ok, member, moderator, openPeriod, createTopic, createPost, pageAs, openAt, watchLive, waitSaid,
} from './forum.mjs';

let server, browser, base, suite;
let mod, mod2, maija, kalle, liisa, period, topic, opening;

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    mod2 = await moderator(server, { display_name: 'Moderaattori Matti' });
    maija = await member(server, { display_name: 'Maija Kirjoittaja' });
    kalle = await member(server, { display_name: 'Kalle Ilmoittaja' });
    liisa = await member(server, { display_name: 'Liisa Lukija' });
    period = await openPeriod(mod.ws, { title: 'Jonotestin jakso' });
    ({ topic, post: opening } = await createTopic(mod.ws, period.id,
        { title: 'Mikä ohjeessa jää epäselväksi?', body: 'Kertokaa, mikä potilasohjeessa on vaikeaa.' }));
});

after(async () => {
    for (const who of [mod, mod2, maija, kalle, liisa]) who?.ws.destroy();
    await suite?.close();
});

async function done(...pages) {
    for (const page of pages) {
        assert.deepEqual(page.errors, []);
        await page.context().close();
    }
}

async function focused(page) {
    return page.evaluate(() => document.activeElement?.id);
}

async function report(who, postId, reason = 'asiaton', text) {
    const msg = { type: 'report.create', post_id: postId, reason };
    if (text !== undefined) msg.text = text;
    return ok(await who.ws.request(msg), 'report.create');
}

// The pending queue item about postId (over the protocol).
async function itemFor(postId, kind) {
    const r = ok(await mod.ws.request({ type: 'queue.list', status: 'pending', limit: 100 }), 'queue.list');
    const item = r.items.find((i) => i.post?.id === postId && (!kind || i.kind === kind));
    assert.ok(item, `a pending ${kind ?? ''} item on post ${postId}`);
    return item;
}

function itemEl(page, id) {
    return page.locator(`#queue-item-${id}`);
}

async function openQueue(page, route = '/moderation/queue') {
    await openAt(page, base, route, 'Moderointijono');
    await page.locator('#queue-count').waitFor();
}

test('the queue is the console\'s first screen; empty, it says so', async () => {
    const page = await pageAs(browser, base, mod);
    await openAt(page, base, '/periods', null);
    await page.locator('#site-nav a', { hasText: 'Moderointi' }).click();
    await openQueue(page);
    assert.match(page.url(), /#\/moderation\/queue$/);
    assert.equal(await page.locator('.console-nav a[aria-current="page"]').textContent(), 'Moderointijono');
    assert.equal(await page.textContent('#queue-count'), 'Jonossa ei ole odottavia kohteita. Uudet ilmoitukset tulevat näkyviin tähän heti.');
    assert.equal(await page.getAttribute('#queue-tab-pending', 'aria-current'), 'page');
    await assertAccessible(page, 'queue (empty)');

    // A member has no access.
    const memberPage = await pageAs(browser, base, liisa);
    await openAt(memberPage, base, '/moderation/queue', 'Moderointijono');
    assert.match(await memberPage.textContent('#mod-no-access'), /Ei oikeutta/);
    await done(page, memberPage);
});

test('a report arrives live; the moderator hides the post with a reason from the queue', async () => {
    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await watchLive(page);

    const post = await createPost(maija.ws, topic.id, 'Kaikki tätä kysyvät ovat tyhmiä.', opening.id);
    await report(kalle, post.id, 'hairinta', 'Nimittelyä muita kohtaan');
    const li = page.locator('li.queue-item', { hasText: 'Kaikki tätä kysyvät ovat tyhmiä.' });
    await li.waitFor({ timeout: 10000 });
    await waitSaid(page, /Jonoon tuli uusi kohde: Ilmoitus, aiheessa Mikä ohjeessa jää epäselväksi\?/);
    const id = Number((await li.getAttribute('id')).replace('queue-item-', ''));
    const text = await li.textContent();
    assert.match(text, /Ilmoitus/);
    assert.match(text, /Jonotestin jakso/);
    assert.match(text, /Häirintää – Kalle Ilmoittaja/);
    assert.match(text, /Nimittelyä muita kohtaan/);
    assert.match(text, /Maija Kirjoittaja/);
    assert.match(text, /Kirjoittajan aiemmat:/);
    assert.doesNotMatch(text, /undefined|null|NaN/);
    assert.equal(await page.getAttribute(`#queue-item-${id}-link`, 'href'), `#/topics/${topic.id}?post=${post.id}`);
    // The post it answers, for context.
    await li.locator('details.queue-parent summary').click();
    assert.match(await li.locator('details.queue-parent').textContent(), /Kertokaa, mikä potilasohjeessa on vaikeaa\./);
    assert.match(await page.textContent('#queue-count'), /Jonossa odottaa 1 kohde\./);
    await assertAccessible(page, 'queue with a report');

    // A second report joins the item.
    await report(liisa, post.id, 'asiaton');
    await li.locator('.queue-reports', { hasText: '2 ilmoitusta' }).waitFor();
    assert.equal(await page.locator('li.queue-item').count(), 1);

    // Hide: the reason is required.
    await page.click(`#queue-item-${id}-act-hide`);
    assert.equal(await focused(page), `qa-${id}-reason`);
    assert.match(await page.textContent(`#qa-${id}-what`), /piilotetaan muilta/);
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#qa-${id}-reason-error`, { hasText: 'Kirjoita perustelu' }).waitFor();
    assert.equal(await page.getAttribute(`#qa-${id}-reason`, 'aria-invalid'), 'true');
    await assertAccessible(page, 'hide form with an error');
    // Escape closes the form and puts focus back on its button.
    await page.press(`#qa-${id}-reason`, 'Escape');
    assert.equal(await page.locator(`#qa-${id}`).count(), 0);
    assert.equal(await focused(page), `queue-item-${id}-act-hide`);

    await page.click(`#queue-item-${id}-act-hide`);
    await page.fill(`#qa-${id}-reason`, 'Nimittelyä, joka ei kuulu keskusteluun');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'Moderaattori Mari piilotti viestin' }).waitFor();
    assert.match(await page.textContent(`#queue-item-${id}-outcome`), /Ratkaistu.*Perustelu: Nimittelyä, joka ei kuulu keskusteluun/s);
    assert.equal(await focused(page), `queue-item-${id}-title`);
    await waitSaid(page, /Viesti piilotettiin\./);
    // The item stays in sight with its outcome and no more actions.
    assert.equal(await page.locator(`#queue-item-${id}-act-hide`).count(), 0);
    await assertAccessible(page, 'queue item after hiding');

    // The server agrees.
    const resolved = ok(await mod.ws.request({ type: 'queue.list', status: 'resolved' }), 'queue.list');
    const item = resolved.items.find((i) => i.id === id);
    assert.equal(item.action, 'hide');
    assert.equal(item.post.status, 'hidden');

    // The resolved tab lists it.
    await page.click('#queue-tab-resolved');
    await openAt(page, base, '/moderation/queue?status=resolved', 'Moderointijono');
    await itemEl(page, id).waitFor();
    assert.equal(await page.getAttribute('#queue-tab-resolved', 'aria-current'), 'page');
    await assertAccessible(page, 'resolved tab');
    await done(page);
});

test('keep; an item another moderator decides leaves the pending list with a word in the live region', async () => {
    const a = await createPost(maija.ws, topic.id, 'Ensimmäinen ilmoitettu viesti.', opening.id);
    const b = await createPost(maija.ws, topic.id, 'Toinen ilmoitettu viesti.', opening.id);
    await report(kalle, a.id, 'roskaposti');
    await report(kalle, b.id, 'muu', 'Ei liity aiheeseen');
    const c = await createPost(maija.ws, topic.id, 'Kolmas ilmoitettu viesti.', opening.id);
    await report(liisa, c.id, 'asiaton');
    const itemA = await itemFor(a.id);
    const itemB = await itemFor(b.id);
    const itemC = await itemFor(c.id);

    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await watchLive(page);
    await itemEl(page, itemA.id).waitFor();
    await itemEl(page, itemB.id).waitFor();
    assert.match(await itemEl(page, itemB.id).textContent(), /Muu syy.*Ei liity aiheeseen/s);

    // Another moderator keeps A: it leaves this list.
    await page.focus(`#queue-item-${itemA.id}-act-keep`);
    ok(await mod2.ws.request({ type: 'queue.act', item_id: itemA.id, action: 'keep' }), 'queue.act keep');
    await itemEl(page, itemA.id).waitFor({ state: 'detached' });
    await waitSaid(page, /Moderaattori Matti ratkaisi kohteen aiheessa Mikä ohjeessa jää epäselväksi\? \(Jätetty ennalleen\)/);
    // Focus moves on to the next item rather than being lost.
    assert.equal(await focused(page), `queue-item-${itemB.id}-title`);

    // This moderator keeps B (the reason is optional).
    await page.click(`#queue-item-${itemB.id}-act-keep`);
    assert.match(await page.textContent(`#qa-${itemB.id}-title`), /Pidä viesti ennallaan/);
    await assertAccessible(page, 'keep form');
    await page.click(`#qa-${itemB.id}-submit`);
    await page.locator(`#queue-item-${itemB.id}-outcome`, { hasText: 'Moderaattori Mari jätti viestin ennalleen' }).waitFor();
    await waitSaid(page, /Viesti jätettiin ennalleen\./);
    // One step on to the next item that waits, past the decided one.
    assert.match(await page.textContent(`#queue-item-${itemB.id}-next`), /Seuraava odottava: Maija Kirjoittaja/);
    await assertAccessible(page, 'a decided item with the step to the next');
    await page.click(`#queue-item-${itemB.id}-next`);
    assert.equal(await focused(page), `queue-item-${itemC.id}-title`);
    ok(await mod2.ws.request({ type: 'queue.act', item_id: itemC.id, action: 'keep' }), 'queue.act keep');

    // Both are on the dismissed tab, with who decided.
    await openQueue(page, '/moderation/queue?status=dismissed');
    await itemEl(page, itemA.id).waitFor();
    await itemEl(page, itemB.id).waitFor();
    assert.match(await itemEl(page, itemA.id).textContent(), /Moderaattori Matti jätti viestin ennalleen/);
    await done(page);
});

test('a long queue pages in with "Näytä lisää"; a new item past the loaded page only counts', async () => {
    const posts = [];
    for (let i = 0; i < 21; i++) posts.push(await createPost(maija.ws, topic.id, `Sivutettava viesti ${i + 1}.`, opening.id));
    for (const p of posts) await report(kalle, p.id, 'roskaposti');
    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await watchLive(page);
    const items = page.locator('li.queue-item');
    assert.equal(await items.count(), 20);
    assert.equal(await page.textContent('#queue-count'), 'Jonossa odottaa 21 kohdetta.');
    assert.match(await page.textContent('#queue-tab-pending'), /Odottavat \(21\)/);
    // Oldest first.
    assert.match(await items.first().textContent(), /Sivutettava viesti 1\./);

    // A new report belongs after the pages not loaded yet: the count grows.
    const late = await createPost(maija.ws, topic.id, 'Myöhään ilmoitettu viesti.', opening.id);
    await report(kalle, late.id, 'asiaton');
    await page.locator('#queue-count', { hasText: 'Jonossa odottaa 22 kohdetta.' }).waitFor();
    await page.locator('#queue-tab-pending', { hasText: '(22)' }).waitFor();
    assert.equal(await items.count(), 20);

    await page.click('#queue-more');
    await page.waitForFunction(() => document.querySelectorAll('li.queue-item').length === 22);
    await waitSaid(page, /Ladattiin 2 kohdetta lisää\./);
    assert.match(await focused(page), /^queue-item-\d+-title$/);
    assert.match(await page.textContent(`#${await focused(page)}`), /Mikä ohjeessa/);
    assert.equal(await page.locator('#queue-more').count(), 0);
    assert.match(await items.last().textContent(), /Myöhään ilmoitettu viesti\./);

    // Cleared over the protocol: the page follows.
    for (const p of [...posts, late]) {
        const item = await itemFor(p.id);
        ok(await mod2.ws.request({ type: 'queue.act', item_id: item.id, action: 'keep' }), 'queue.act keep');
    }
    await page.waitForFunction(() => document.querySelectorAll('li.queue-item').length === 0);
    await page.locator('#queue-count', { hasText: 'Jonossa ei ole odottavia kohteita.' }).waitFor();
    await done(page);
});

test('a pre-moderated post waits in the queue and the moderator approves it', async () => {
    const pre = await openPeriod(mod.ws, { title: 'Esimoderoitu jakso', premoderated: true, members_may_open_topics: true });
    const { topic: preTopic, post: preOpening } = await createTopic(mod.ws, pre.id, { title: 'Tarkastettava aihe', body: 'Aloitus.' });
    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await watchLive(page);

    const post = await createPost(maija.ws, preTopic.id, 'Odotan hyväksyntää.', preOpening.id);
    assert.equal(post.status, 'pending');
    const li = page.locator('li.queue-item', { hasText: 'Odotan hyväksyntää.' });
    await li.waitFor({ timeout: 10000 });
    await waitSaid(page, /Jonoon tuli uusi kohde: Tarkastettava/);
    const id = Number((await li.getAttribute('id')).replace('queue-item-', ''));
    assert.match(await li.textContent(), /Miksi tarkastettavana: jakson viestit tarkastetaan ennen julkaisua\./);
    assert.match(await li.textContent(), /Odottaa hyväksyntää/);
    // Review items offer approve, edit and delete only.
    assert.deepEqual(await li.locator('.queue-actions button').allTextContents(), ['Hyväksy', 'Muokkaa', 'Poista']);
    await page.click(`#queue-item-${id}-act-approve`);
    await assertAccessible(page, 'approve form');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'hyväksyi viestin' }).waitFor();
    await waitSaid(page, /Viesti hyväksyttiin ja julkaistiin\./);

    // Another member now sees it.
    const list = ok(await liisa.ws.request({ type: 'topic.get', topic_id: preTopic.id, limit: 200 }), 'topic.get');
    assert.ok(list.posts.some((p) => p.body === 'Odotan hyväksyntää.'));

    // A member's new topic waits too: approving its opening post publishes it.
    const made = ok(await maija.ws.request({ type: 'topic.create', period_id: pre.id, title: 'Jäsenen uusi aihe',
        body: 'Uuden aiheen aloitus.' }), 'topic.create');
    assert.equal(made.topic.status, 'pending');
    const opener = page.locator('li.queue-item', { hasText: 'Uuden aiheen aloitus.' });
    await opener.waitFor({ timeout: 10000 });
    assert.match(await opener.textContent(), /Jäsenen uusi aihe.*Aiheen aloitusviesti.*Odottaa hyväksyntää/s);
    const openerId = Number((await opener.getAttribute('id')).replace('queue-item-', ''));
    assert.equal((await liisa.ws.request({ type: 'topic.get', topic_id: made.topic.id })).ok, false);
    await page.click(`#queue-item-${openerId}-act-approve`);
    await page.click(`#qa-${openerId}-submit`);
    await page.locator(`#queue-item-${openerId}-outcome`, { hasText: 'hyväksyi viestin' }).waitFor();
    const seen = ok(await liisa.ws.request({ type: 'topic.get', topic_id: made.topic.id }), 'topic.get');
    assert.equal(seen.topic.status, 'published');
    await done(page);
});

test('an appeal appears and the moderator restores the post', async () => {
    const post = await createPost(maija.ws, topic.id, 'Sairaalan vaihteen numero on ohjeessa.', opening.id);
    ok(await mod.ws.request({ type: 'post.hide', post_id: post.id, reason: 'Sisältää yhteystietoja' }), 'post.hide');
    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await watchLive(page);
    ok(await maija.ws.request({ type: 'appeal.create', post_id: post.id,
        text: 'Viestissä ei ollut yhteystietoja, vaan sairaalan vaihteen numero.' }), 'appeal.create');
    const li = page.locator('li.queue-item', { hasText: 'Sairaalan vaihteen numero on ohjeessa.' });
    await li.waitFor({ timeout: 10000 });
    await waitSaid(page, /Jonoon tuli uusi kohde: Valitus/);
    const id = Number((await li.getAttribute('id')).replace('queue-item-', ''));
    const text = await li.textContent();
    assert.match(text, /Kirjoittajan Maija Kirjoittaja valitus/);
    assert.match(text, /Viestissä ei ollut yhteystietoja, vaan sairaalan vaihteen numero\./);
    assert.match(text, /Moderaattorin piilottama/);
    assert.match(text, /Piilotuksen syy: Sisältää yhteystietoja/);
    assert.deepEqual(await li.locator('.queue-actions button').allTextContents(),
        ['Palauta', 'Pidä piilotettuna', 'Muokkaa', 'Poista']);
    await assertAccessible(page, 'queue with an appeal');
    await page.click(`#queue-item-${id}-act-restore`);
    await assertAccessible(page, 'restore form');
    await page.fill(`#qa-${id}-reason`, 'Numero on julkinen');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'palautti viestin' }).waitFor();
    await waitSaid(page, /Viesti palautettiin näkyviin\./);
    const list = ok(await liisa.ws.request({ type: 'topic.get', topic_id: topic.id, limit: 200 }), 'topic.get');
    assert.equal(list.posts.find((p) => p.id === post.id).body, 'Sairaalan vaihteen numero on ohjeessa.');
    await done(page);
});

test('a post hidden by reports and appealed: restoring it settles both items, and only the decision is announced', async () => {
    const post = await createPost(maija.ws, topic.id, 'Kolmesti ilmoitettu viesti.', opening.id);
    const third = await member(server, { display_name: 'Kolmas Ilmoittaja' });
    for (const who of [kalle, liisa, third]) await report(who, post.id, 'asiaton');
    third.ws.destroy();
    ok(await maija.ws.request({ type: 'appeal.create', post_id: post.id, text: 'Viesti oli asiallinen.' }), 'appeal.create');
    const reportItem = await itemFor(post.id, 'report');
    const appealItem = await itemFor(post.id, 'appeal');
    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await itemEl(page, appealItem.id).waitFor();
    assert.match(await itemEl(page, reportItem.id).textContent(), /Piilotettu ilmoitusten perusteella.*Valitus odottaa.*3 ilmoitusta/s);
    await watchLive(page);
    await page.click(`#queue-item-${appealItem.id}-act-restore`);
    await page.click(`#qa-${appealItem.id}-submit`);
    await page.locator(`#queue-item-${appealItem.id}-outcome`, { hasText: 'palautti viestin' }).waitFor();
    await itemEl(page, reportItem.id).waitFor({ state: 'detached' });
    await page.waitForTimeout(500);
    const heard = await page.evaluate(() => window.__said);
    assert.equal(heard.at(-1), 'Viesti palautettiin näkyviin.');
    assert.ok(!heard.some((x) => /ratkaisi kohteen/.test(x)), heard.join(' | '));
    await done(page);
});

test('edit, warn, delete and suspend: each form, the confirm steps and what the server did', async () => {
    const posts = [];
    for (const body of ['Muokattava viesti, jossa on puhelinnumero 040 123 4567.', 'Varoitettava viesti.',
        'Poistettava viesti.', 'Jäädytykseen johtava viesti.']) {
        const p = await createPost(maija.ws, topic.id, body, opening.id);
        await report(kalle, p.id, 'henkilotiedot');
        posts.push(p);
    }
    const [editItem, warnItem, deleteItem, suspendItem] = await Promise.all(posts.map((p) => itemFor(p.id)));
    const page = await pageAs(browser, base, mod);
    await openQueue(page);
    await watchLive(page);
    await itemEl(page, suspendItem.id).waitFor();
    assert.match(await itemEl(page, editItem.id).textContent(), /Sisältää henkilötietoja/);
    assert.deepEqual(await itemEl(page, editItem.id).locator('.queue-actions button').allTextContents(),
        ['Pidä ennallaan', 'Piilota', 'Muokkaa', 'Poista', 'Varoita', 'Jäädytä']);

    // Edit: the body comes prefilled; an empty one is an error by the field.
    let id = editItem.id;
    await page.click(`#queue-item-${id}-act-edit`);
    assert.equal(await focused(page), `qa-${id}-body`);
    assert.equal(await page.inputValue(`#qa-${id}-body`), 'Muokattava viesti, jossa on puhelinnumero 040 123 4567.');
    await page.fill(`#qa-${id}-body`, '');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#qa-${id}-body-error`, { hasText: 'Kirjoita viestin teksti' }).waitFor();
    await page.locator(`#qa-${id}-reason-error`, { hasText: 'Kirjoita perustelu' }).waitFor();
    await assertAccessible(page, 'edit form with errors');
    // The server's refusal (a blocked word: the list applies to moderators
    // too) is shown by the field it is about.
    const word = ok(await mod.ws.request({ type: 'word.add', word: 'hölmö*', action: 'block' }), 'word.add').word;
    await page.fill(`#qa-${id}-body`, 'Muokattava viesti, hölmöläinen.');
    await page.fill(`#qa-${id}-reason`, 'Poistin puhelinnumeron');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#qa-${id}-body-error`, { hasText: 'Tekstissä on estetty sana' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.closest('form')?.id
        + (document.activeElement.classList.contains('error-summary') ? ' summary' : '')), `qa-${id} summary`);
    ok(await mod.ws.request({ type: 'word.remove', word_id: word.id }), 'word.remove');
    await page.fill(`#qa-${id}-body`, 'Muokattava viesti, josta puhelinnumero on poistettu.');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'muokkasi viestiä' }).waitFor();
    await itemEl(page, id).locator('.queue-post__body', { hasText: 'josta puhelinnumero on poistettu' }).waitFor();
    await waitSaid(page, /Viestiä muokattiin ja se julkaistiin\./);

    // Warn.
    id = warnItem.id;
    await page.click(`#queue-item-${id}-act-warn`);
    await assertAccessible(page, 'warn form');
    await page.fill(`#qa-${id}-reason`, 'Muista, ettei henkilötietoja jaeta');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'varoitti kirjoittajaa' }).waitFor();

    // Delete: a confirm step; cancel goes back to the form with the text kept.
    id = deleteItem.id;
    await page.click(`#queue-item-${id}-act-delete`);
    await page.fill(`#qa-${id}-reason`, 'Henkilötietoja');
    await page.click(`#qa-${id}-submit`);
    assert.equal(await focused(page), `qa-${id}-q`);
    assert.match(await page.textContent(`#qa-${id}-q`), /Poistetaanko viesti pysyvästi \(kirjoittaja: Maija Kirjoittaja\)\?/);
    assert.equal(await page.textContent(`#qa-${id}-submit`), 'Kyllä, poista viesti');
    await assertAccessible(page, 'delete confirm');
    await page.click(`#qa-${id}-cancel`);
    assert.equal(await page.locator(`#qa-${id}-confirm`).count(), 0);
    assert.equal(await page.inputValue(`#qa-${id}-reason`), 'Henkilötietoja');
    await page.click(`#qa-${id}-submit`);
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'poisti viestin' }).waitFor();
    await waitSaid(page, /Viesti poistettiin\./);

    // Suspend: an end time, a reason and a confirm step.
    id = suspendItem.id;
    await page.click(`#queue-item-${id}-act-suspend`);
    await page.fill(`#qa-${id}-until-date`, '2020-01-01');
    await page.fill(`#qa-${id}-reason`, 'Toistuvaa henkilötietojen jakamista');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#qa-${id}-until-error`, { hasText: 'tulevaisuudessa' }).waitFor();
    await assertAccessible(page, 'suspend form with an error');
    await page.fill(`#qa-${id}-until-date`, '2099-01-01');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#qa-${id}-until-error`, { hasText: 'kymmenen vuotta' }).waitFor();
    const soon = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    const local = new Date(soon.toLocaleString('en-US', { timeZone: 'Europe/Helsinki' }));
    const pad = (n) => String(n).padStart(2, '0');
    await page.fill(`#qa-${id}-until-date`, `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`);
    await page.fill(`#qa-${id}-until-time`, '12:00');
    await page.click(`#qa-${id}-submit`);
    assert.equal(await focused(page), `qa-${id}-q`);
    assert.match(await page.textContent(`#qa-${id}-q`), /Jäädytetäänkö Maija Kirjoittaja määräajaksi\?/);
    await assertAccessible(page, 'suspend confirm');
    await page.click(`#qa-${id}-submit`);
    await page.locator(`#queue-item-${id}-outcome`, { hasText: 'jäädytti kirjoittajan' }).waitFor();
    await waitSaid(page, /Kirjoittaja jäädytettiin\./);

    const found = ok(await mod.ws.request({ type: 'member.find', query: 'Maija Kirjoittaja' }), 'member.find');
    assert.ok(found.members[0].suspension, 'the author is suspended');
    ok(await mod.ws.request({ type: 'member.unsuspend', member_id: maija.member.id }), 'member.unsuspend');

    // The log names the new actions in words.
    await page.click('.console-nav a:has-text("Moderointiloki")');
    await openAt(page, base, '/moderation/log', 'Moderointiloki');
    await page.locator('#log-table').waitFor();
    const log = await page.textContent('#log-table');
    for (const words of ['piilotti viestin', 'muokkasi viestiä', 'poisti viestin', 'varoitti jäsentä', 'palautti viestin',
        'hyväksyi viestin', 'jätti ennalleen (jono)']) {
        assert.match(log, new RegExp(words.replace(/[()]/g, '\\$&')), words);
    }
    assert.match(log, /Jonon kohde \d+/);
    await page.selectOption('#log-filter-action', 'post.hide');
    await done(page);
});

test('watched words: add, change the action, remove', async () => {
    const page = await pageAs(browser, base, mod);
    await openAt(page, base, '/moderation/words', 'Tarkkailtavat sanat');
    await page.locator('#words-count').waitFor();
    await watchLive(page);
    assert.match(await page.textContent('main'), /Viestiä ei tallenneta/);
    assert.match(await page.textContent('#words-count'), /Listalla ei ole vielä sanoja\./);
    // The replacement field shows only for "replace".
    assert.equal(await page.isVisible('#word-add-replacement'), false);
    await assertAccessible(page, 'words (empty)');

    // An empty word is an error by the field.
    await page.click('#word-add-submit');
    await page.locator('#word-add-word-error', { hasText: 'Kirjoita sana tai ilmaus' }).waitFor();
    await assertAccessible(page, 'words form with an error');
    // The server's rules for a word, worded by the field.
    await page.fill('#word-add-word', 'a*b');
    await page.click('#word-add-submit');
    await page.locator('#word-add-word-error', { hasText: 'tähti (*) vain lopussa' }).waitFor();

    await page.fill('#word-add-word', 'Idioot*');
    await page.check('#word-add-action-replace');
    assert.equal(await page.isVisible('#word-add-replacement'), true);
    await page.fill('#word-add-replacement', '[poistettu]');
    await page.click('#word-add-submit');
    await page.locator('#word-list li', { hasText: 'idioot*' }).waitFor();
    await waitSaid(page, /Sana ”idioot\*” lisättiin listalle \(toiminto: Korvaa\)\./);
    assert.equal(await focused(page), 'word-add-word');
    assert.equal(await page.inputValue('#word-add-word'), '');

    await page.fill('#word-add-word', 'ei kuulu');
    await page.check('#word-add-action-review');
    await page.click('#word-add-submit');
    await page.locator('#word-list li', { hasText: 'ei kuulu' }).waitFor();
    // The same word again is an error by the field.
    await page.fill('#word-add-word', 'EI KUULU');
    await page.click('#word-add-submit');
    await page.locator('#word-add-word-error', { hasText: 'on jo listalla' }).waitFor();
    await assertAccessible(page, 'words with a list');

    const words = ok(await mod.ws.request({ type: 'word.list' }), 'word.list').words;
    const idiot = words.find((w) => w.word === 'idioot*');
    assert.equal(idiot.action, 'replace');
    assert.equal(idiot.replacement, '[poistettu]');
    assert.match(await page.textContent(`#word-${idiot.id}-action`), /Korvaa: ”\[poistettu\]”/);

    // A word marked for review holds a member's post in the queue.
    const reviewed = await maija.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Tämä ei kuulu tänne.' });
    assert.equal(reviewed.ok, true);
    assert.equal(reviewed.post.status, 'pending');
    const queuePage = await pageAs(browser, base, mod);
    await openQueue(queuePage);
    const held = queuePage.locator('li.queue-item', { hasText: 'Tämä ei kuulu tänne.' });
    await held.waitFor();
    assert.match(await held.textContent(), /Tarkastettava.*Miksi tarkastettavana: viestissä on tarkkailtava sana: ”ei kuulu”\./s);
    await done(queuePage);

    // And one marked for replacing is replaced before the post is saved.
    const replaced = ok(await maija.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Olet idiootti.' }), 'post.create');
    assert.equal(replaced.post.body, 'Olet [poistettu].');

    // Change: replace -> block.
    await page.selectOption(`#word-${idiot.id}-form-action`, 'block');
    assert.equal(await page.isVisible(`#word-${idiot.id}-form-replacement`), false);
    await page.click(`#word-${idiot.id}-save`);
    await page.locator(`#word-${idiot.id}-action`, { hasText: 'Estä' }).waitFor();
    await waitSaid(page, /Sanan ”idioot\*” toiminto on nyt Estä\./);
    assert.equal(await focused(page), `word-${idiot.id}-word`);
    const refused = await maija.ws.request({ type: 'post.create', topic_id: topic.id, body: 'Olet idiootti.' });
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, 'watched_word');

    // Remove after a confirm step.
    await page.click(`#word-${idiot.id}-remove`);
    assert.equal(await focused(page), `word-${idiot.id}-q`);
    await assertAccessible(page, 'word remove confirm');
    await page.click(`#word-${idiot.id}-remove-no`);
    assert.equal(await focused(page), `word-${idiot.id}-remove`);
    await page.click(`#word-${idiot.id}-remove`);
    await page.click(`#word-${idiot.id}-remove-yes`);
    await page.locator(`#word-${idiot.id}`).waitFor({ state: 'detached' });
    await waitSaid(page, /Sana ”idioot\*” poistettiin listalta\./);
    assert.equal((ok(await mod.ws.request({ type: 'word.list' }), 'word.list').words).some((w) => w.id === idiot.id), false);
    await done(page);
});

test('the queue and words in Swedish and English are accessible, and nothing scrolls sideways at 320 px', async () => {
    const post = await createPost(maija.ws, topic.id, 'Viesti kieliversioiden testiin, jossa on pitkäähköjäsanojakinjotkaeivätkatkea.', opening.id);
    await report(kalle, post.id, 'muu', 'Ilmoitus kieliversioita varten');
    const item = await itemFor(post.id);

    const sv = await pageAs(browser, base, mod, { locale: 'sv-FI' });
    await sv.addInitScript(() => localStorage.setItem('raati.language', 'sv'));
    await openAt(sv, base, '/moderation/queue', 'Modereringskö');
    await sv.locator(`#queue-item-${item.id}`).waitFor();
    assert.match(await sv.textContent(`#queue-item-${item.id}`), /Anmälan.*Annat skäl/s);
    await sv.click(`#queue-item-${item.id}-act-suspend`);
    await assertAccessible(sv, 'queue with the suspend form (sv)');
    await openAt(sv, base, '/moderation/words', 'Bevakade ord');
    await sv.locator('#words-count').waitFor();
    await assertAccessible(sv, 'words (sv)');

    const en = await pageAs(browser, base, mod, { locale: 'en-GB' });
    await en.addInitScript(() => localStorage.setItem('raati.language', 'en'));
    await openAt(en, base, '/moderation/queue', 'Moderation queue');
    await en.locator(`#queue-item-${item.id}`).waitFor();
    await en.click(`#queue-item-${item.id}-act-edit`);
    await assertAccessible(en, 'queue with the edit form (en)');
    await openAt(en, base, '/moderation/words', 'Watched words');
    await en.locator('#words-count').waitFor();
    await assertAccessible(en, 'words (en)');

    const narrow = await pageAs(browser, base, mod, { width: 320, height: 640 });
    await narrow.addInitScript(() => localStorage.setItem('raati.language', 'fi'));
    await openQueue(narrow);
    await narrow.locator(`#queue-item-${item.id}`).waitFor();
    await assertNoHorizontalScroll(narrow, 'queue at 320 px');
    await narrow.click(`#queue-item-${item.id}-act-suspend`);
    await narrow.click(`#qa-${item.id}-submit`);
    await narrow.locator(`#qa-${item.id}-reason-error`).waitFor();
    await assertNoHorizontalScroll(narrow, 'suspend form with errors at 320 px');
    await assertAccessible(narrow, 'queue at 320 px');
    // A change of language keeps the open form and words its errors anew.
    await narrow.fill(`#qa-${item.id}-until-time`, '13:45');
    await narrow.click('#lang-switch button[lang="sv"]');
    await narrow.locator('main h1', { hasText: 'Modereringskö' }).waitFor();
    assert.match(await narrow.textContent(`#qa-${item.id}-reason-error`), /Skriv en motivering/);
    assert.equal(await narrow.inputValue(`#qa-${item.id}-until-time`), '13:45');
    await narrow.click('#lang-switch button[lang="fi"]');
    await narrow.locator('main h1', { hasText: 'Moderointijono' }).waitFor();
    assert.match(await narrow.textContent(`#qa-${item.id}-reason-error`), /Kirjoita perustelu/);
    await openAt(narrow, base, '/moderation/words', 'Tarkkailtavat sanat');
    await narrow.locator('#words-count').waitFor();
    await assertNoHorizontalScroll(narrow, 'words at 320 px');
    await done(sv, en, narrow);
});
