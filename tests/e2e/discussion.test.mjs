// Activity periods and live threaded discussions in the browser: two
// members in one topic, a moderator's period and topic made in the UI, a
// member's nested replies, edits, deletes and reactions, and the period
// closing while people read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, waitForHeading } from './lib.mjs';
import {
    member, moderator, openPeriod, createTopic, createPost, ok, pageAs, openAt, postWith, postId, watchLive, waitSaid,
} from './forum.mjs';

let server, browser, base, config, suite;
// Posts are capped lower than the default here, so that the server's
// too_long (and the limit it carries) can be seen in the browser.
before(async () => ({ server, browser, base, config } = suite = await startSuite({ args: ['--max-post-chars', '5000'] })));
after(() => suite?.close());

// An open period with one topic, made over the protocol by a moderator.
async function openTopic(title = 'Mikä ohjeessa jää epäselväksi?') {
    const mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    const period = await openPeriod(mod.ws, { title: `Jakso ${Date.now()}` });
    const { topic, post } = await createTopic(mod.ws, period.id, { title, body: 'Kertokaa esimerkkejä ohjeista.' });
    return { mod, period, topic, opening: post };
}

// The issue asks for "within a second". Tests never assert on wall-clock
// time (a loaded CI machine would make that flaky), so this waits up to
// 5 s for the reply to arrive live, without a reload, and reports how long
// it took; the figure goes in the closing note.
test('two members in one topic: a reply from one arrives live on the other\'s screen', async (t) => {
    const { mod, topic } = await openTopic();
    const aino = await member(server, { display_name: 'Aino' });
    const bertta = await member(server, { display_name: 'Bertta' });
    const a = await pageAs(browser, base, aino);
    const b = await pageAs(browser, base, bertta);
    await Promise.all([openAt(a, base, `/topics/${topic.id}`, topic.title), openAt(b, base, `/topics/${topic.id}`, topic.title)]);
    await watchLive(b);

    await a.fill('#reply-top-body', 'Kuvat auttaisivat ymmärtämään ohjetta.');
    const sent = Date.now();
    await a.click('#reply-top button[type=submit]');
    await postWith(b, 'Kuvat auttaisivat ymmärtämään ohjetta.').waitFor({ timeout: 5000 });
    t.diagnostic(`the reply reached the other member's screen ${Date.now() - sent} ms after the click`);

    // On B's screen: by Aino, marked new; on A's: their own, not new, and
    // A's box is empty again.
    const onB = postWith(b, 'Kuvat auttaisivat');
    assert.match(await onB.locator('.post__author').textContent(), /^Aino uusi$/);
    await postWith(a, 'Kuvat auttaisivat').waitFor();
    assert.equal(await postWith(a, 'Kuvat auttaisivat').locator('.badge--new').count(), 0);
    assert.equal(await a.inputValue('#reply-top-body'), '');
    // A member cannot react to their own post; B can react to A's.
    assert.equal(await postWith(a, 'Kuvat auttaisivat').locator('button.reaction').count(), 0);
    assert.equal(await onB.locator('button.reaction').count(), 3);
    // B's screen reader hears one short message about it.
    await waitSaid(b, /^Uusi viesti käyttäjältä Aino$/);

    // B answers A's post; it nests under it on A's screen, live.
    await onB.locator('button', { hasText: 'Vastaa' }).click();
    const aId = await postId(b, 'Kuvat auttaisivat');
    await b.fill(`#reply-${aId}-body`, 'Samaa mieltä, ja lyhyet lauseet.');
    await b.click(`#reply-${aId} button[type=submit]`);
    const nested = a.locator(`#post-${aId}`).locator('xpath=..').locator('ol.thread__replies article', { hasText: 'lyhyet lauseet' });
    await nested.waitFor({ timeout: 2000 });
    // A reaction from B shows up on A's screen as a count.
    await postWith(b, 'Kuvat auttaisivat').locator('button.reaction', { hasText: 'Hyvä idea' }).click();
    await a.waitForFunction((id) => /Hyvä idea\s*1/.test(document.querySelector(`#post-${id} .reactions`)?.textContent ?? ''), aId);
    assert.equal(await postWith(b, 'Kuvat auttaisivat').locator('button.reaction', { hasText: 'Hyvä idea' }).getAttribute('aria-pressed'), 'true');

    // Both are counted as viewers; the count is a polite status that is
    // rewritten at most every few seconds.
    await b.waitForFunction(() => /^2 paikalla$/.test(document.getElementById('topic-viewers').textContent), null, { timeout: 8000 });
    assert.equal(await b.getAttribute('#topic-viewers', 'role'), 'status');

    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    mod.ws.destroy();
    aino.ws.destroy();
    bertta.ws.destroy();
    await a.context().close();
    await b.context().close();
});

// Fills the date and time inputs of the period form (local time).
async function setWhen(page, name, date) {
    const pad = (n) => String(n).padStart(2, '0');
    await page.fill(`#period-${name}-date`, `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`);
    await page.fill(`#period-${name}-time`, `${pad(date.getHours())}:${pad(date.getMinutes())}`);
}

test('a moderator makes a period and a topic in the UI; a member replies, nests, edits, quotes, deletes and reacts', async () => {
    const mod = await moderator(server, { display_name: 'Mikko Moderaattori' });
    const mari = await member(server, { display_name: 'Maija' });
    const m = await pageAs(browser, base, mod);
    const p = await pageAs(browser, base, mari);

    // The period form: empty title and description are caught first.
    await openAt(m, base, '/periods', 'Toimintajaksot');
    await m.click('a[href="#/periods/new"]');
    await waitForHeading(m, 'Uusi toimintajakso');
    await m.fill('#period-title', '');
    await m.click('#period-save-upcoming');
    await m.locator('#period-form .error-summary:not([hidden])').waitFor();
    assert.match(await m.textContent('#period-title-error'), /Kirjoita otsikko\./);
    assert.match(await m.textContent('#period-description-error'), /Kirjoita kuvaus\./);

    const title = `Hyvä potilasohje ${Date.now()}`;
    await m.fill('#period-title', title);
    await m.fill('#period-description', 'Mikä tekee potilasohjeesta **hyvän**?');
    await m.fill('#period-prematerial', 'Lue ennen jaksoa *esimerkkiohje*.');
    // Started an hour ago: announcing it opens it at once.
    await setWhen(m, 'starts_at', new Date(Date.now() - 3600 * 1000));
    await m.check(`#period-interest_areas-${config.interest_areas[0].id}`);
    await m.check('#period-members_may_open_topics');
    await m.click('#period-save-upcoming');
    await waitForHeading(m, title);
    assert.match(await m.textContent('.flash'), /on julkaistu, ja se on nyt käynnissä/);
    assert.equal(await m.textContent('.period-head .badge'), 'Käynnissä');
    assert.equal(await m.innerHTML('.period-head + div .prose strong'), 'hyvän');
    assert.match(await m.textContent('.prematerial'), /Lue ennen jaksoa esimerkkiohje\./);
    assert.match(await m.textContent('.period-head__areas'), new RegExp(config.interest_areas[0].name.fi, 'i'));
    const periodId = Number(new URL(m.url()).hash.split('/')[2]);

    // A topic, with its opening post.
    await m.fill('#topic-title', 'Mikä ohjeessa jää epäselväksi?');
    await m.fill('#topic-body', 'Kertokaa *esimerkkejä* ohjeista, joita ette ymmärtäneet.');
    await m.click('#topic-submit');
    await waitForHeading(m, 'Mikä ohjeessa jää epäselväksi?');
    assert.equal(await m.textContent('.flash'), 'Aihe on avattu.');
    const topicId = Number(new URL(m.url()).hash.split('/')[2]);
    const openingId = await postId(m, 'joita ette ymmärtäneet');

    // The member finds it from the periods list.
    await openAt(p, base, '/periods', 'Toimintajaksot');
    const card = p.locator('#periods-open + ul .period-card', { hasText: title });
    assert.match(await card.textContent(), /Et ole vielä osallistunut tähän jaksoon\./);
    await card.locator('a').click();
    await waitForHeading(p, title);
    await p.click('.topic-list a');
    await waitForHeading(p, 'Mikä ohjeessa jää epäselväksi?');

    // A reply to the topic, then replies to replies down to depth 5.
    await p.fill('#reply-top-body', 'Taso 1: pitkät lauseet.');
    await p.click('#reply-top button[type=submit]');
    await postWith(p, 'Taso 1').waitFor();
    let parent = await postId(p, 'Taso 1');
    const ids = [parent];
    for (let depth = 2; depth <= 5; depth++) {
        await p.click(`[data-focus-key="reply-${parent}"]`);
        assert.equal(await p.evaluate(() => document.activeElement.id), `reply-${parent}-body`);
        await p.fill(`#reply-${parent}-body`, `Taso ${depth}: vastaus.`);
        await p.click(`#reply-${parent} button[type=submit]`);
        await postWith(p, `Taso ${depth}:`).waitFor();
        parent = await postId(p, `Taso ${depth}:`);
        ids.push(parent);
        // Focus goes to the new post; the reply box has gone. (Focus moves
        // after the post is drawn, so wait for it rather than race it.)
        await p.waitForFunction((id) => document.activeElement?.id === id, `post-${parent}`, { timeout: 5000 })
            .catch(() => {});
        assert.equal(await p.evaluate(() => document.activeElement.id), `post-${parent}`);
    }
    // Depth 1 to 4 nest; depth 5 sits flat beside depth 4, naming whom it answers.
    const listOf = (id) => p.evaluate((i) => document.getElementById(`post-${i}`).closest('ol').closest('li')?.querySelector('article')?.id ?? 'top', id);
    assert.equal(await listOf(ids[0]), 'top');
    assert.equal(await listOf(ids[1]), `post-${ids[0]}`);
    assert.equal(await listOf(ids[3]), `post-${ids[2]}`);
    assert.equal(await listOf(ids[4]), `post-${ids[2]}`);
    assert.equal(await p.textContent(`#post-${ids[4]} .post__reply-to`), 'vastaus käyttäjälle Maija');
    assert.equal(await p.locator(`#post-${ids[3]} .post__reply-to`).count(), 0);
    // The moderator saw all five arrive without reloading.
    await m.waitForFunction(() => document.querySelectorAll('ol.thread article.post').length === 5);

    // Edit the first reply.
    await p.click(`[data-focus-key="edit-${ids[0]}"]`);
    assert.equal(await p.inputValue(`#edit-${ids[0]}-body`), 'Taso 1: pitkät lauseet.');
    await p.fill(`#edit-${ids[0]}-body`, 'Taso 1: pitkät **lauseet** ja vierassanat.');
    await p.click(`#edit-${ids[0]} button[type=submit]`);
    await p.waitForFunction((id) => /vierassanat/.test(document.querySelector(`#post-${id} .post__body`)?.textContent ?? ''), ids[0]);
    assert.match(await p.textContent(`#post-${ids[0]} .post__meta`), /muokattu/);
    assert.equal(await p.evaluate(() => document.activeElement.dataset.focusKey), `edit-${ids[0]}`);
    await m.waitForFunction((id) => /vierassanat/.test(document.querySelector(`#post-${id}`)?.textContent ?? ''), ids[0]);

    // Quote the opening post: the reply box gets it as markdown.
    await p.click(`[data-focus-key="quote-${openingId}"]`);
    assert.equal(await p.inputValue('#reply-top-body'),
        '> Mikko Moderaattori kirjoitti:\n>\n> Kertokaa *esimerkkejä* ohjeista, joita ette ymmärtäneet.\n\n');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'reply-top-body');
    await p.type('#reply-top-body', 'Minulle jäi epäselväksi paastoaika.');
    await p.click('#reply-top button[type=submit]');
    await p.locator('article.post blockquote', { hasText: 'Kertokaa esimerkkejä' }).waitFor();

    // Delete the depth-2 reply: a tombstone keeps the thread's shape.
    await p.click(`[data-focus-key="delete-${ids[1]}"]`);
    assert.equal(await p.evaluate(() => document.activeElement.dataset.focusKey), `delete-yes-${ids[1]}`);
    assert.match(await p.textContent(`#post-${ids[1]} .confirm`), /Poistetaanko viesti\?/);
    await p.click(`[data-focus-key="delete-yes-${ids[1]}"]`);
    await p.locator(`#post-${ids[1]} .post__tombstone`).waitFor();
    assert.equal(await p.textContent(`#post-${ids[1]} .post__tombstone`), 'Viesti on poistettu.');
    assert.equal(await listOf(ids[2]), `post-${ids[1]}`, 'its reply stays under it');
    await m.locator(`#post-${ids[1]} .post__tombstone`).waitFor();

    // React to the moderator's opening post; not to one's own.
    const agree = p.locator(`#post-${openingId} button.reaction`, { hasText: 'Samaa mieltä' });
    await agree.click();
    await p.waitForFunction((id) => document.querySelector(`#post-${id} button.reaction`)?.getAttribute('aria-pressed') === 'true', openingId);
    assert.match(await agree.textContent(), /Samaa mieltä\s*1/);
    assert.equal(await p.locator(`#post-${ids[0]} button.reaction`).count(), 0);
    await m.waitForFunction((id) => /Samaa mieltä\s*1/.test(document.querySelector(`#post-${id} .reactions`)?.textContent ?? ''), openingId);
    // Pressed again, it is taken back.
    await agree.click();
    await p.waitForFunction((id) => document.querySelector(`#post-${id} button.reaction`)?.getAttribute('aria-pressed') === 'false', openingId);

    // The period page shows the member's participation and the topic's counts.
    await openAt(p, base, `/periods/${periodId}`, title);
    assert.match(await p.textContent('.period-head__mine'), /Osallistumisesi: 6 viestiä, 1 reaktio/);
    assert.match(await p.textContent('.topic-list'), /6 viestiä · 2 osallistujaa/);

    // Participation, by age group and municipality, as tables.
    await openAt(m, base, `/periods/${periodId}/participation`, `Osallistuminen: ${title}`);
    assert.equal(await m.locator('#participation-age-table tbody tr').count(), 6);
    assert.match(await m.textContent('#participation-age-table caption'), /ikäryhmittäin/);
    assert.match(await m.textContent('#participation-age-table tfoot'), /Yhteensä\s*2\s*7/);
    assert.match(await m.textContent('#participation-municipality-table'), new RegExp(config.municipalities[0].name.fi));

    // Editing the period: the member on its page sees the new title live.
    await openAt(m, base, `/periods/${periodId}/edit`, 'Muokkaa toimintajaksoa');
    assert.equal(await m.inputValue('#period-title'), title);
    assert.equal(await m.isChecked('#period-members_may_open_topics'), true);
    await m.fill('#period-title', `${title} (päivitetty)`);
    await m.click('#period-save');
    await waitForHeading(m, `${title} (päivitetty)`);
    assert.equal(await m.textContent('.flash'), 'Muutokset on tallennettu.');
    await waitForHeading(p, `${title} (päivitetty)`);

    assert.deepEqual(m.errors, []);
    assert.deepEqual(p.errors, []);
    mod.ws.destroy();
    mari.ws.destroy();
    await m.context().close();
    await p.context().close();
});

test('the period closes while a member is writing: the topic turns read-only live and the text is kept', async () => {
    const { mod, period, topic, opening } = await openTopic('Suljetaan kesken');
    const reader = await member(server, { display_name: 'Lukija' });
    const earlier = await createPost(reader.ws, topic.id, 'Aiempi vastaus.');
    const page = await pageAs(browser, base, reader);
    await openAt(page, base, `/topics/${topic.id}`, topic.title);
    await page.fill('#reply-top-body', 'Kesken jäänyt ajatus');
    await watchLive(page);

    const m = await pageAs(browser, base, mod);
    await openAt(m, base, `/periods/${period.id}`, period.title);
    await m.click('[data-focus-key="manage-close"]');
    assert.equal(await m.evaluate(() => document.activeElement.id), 'period-close-yes');
    await m.click('#period-close-yes');
    await m.waitForFunction(() => document.querySelector('.period-head .badge')?.textContent === 'Päättynyt');

    // The member's screen changes without a reload.
    await page.locator('.notice', { hasText: 'Jakso on päättynyt, joten keskustelu on vain luettavissa.' }).first().waitFor();
    await waitSaid(page, /Jakso päättyi\. Keskustelu on nyt vain luettavissa\./);
    assert.equal(await page.locator('button.reaction').count(), 0);
    assert.equal(await page.locator('.post__actions').count(), 0);
    assert.equal(await page.inputValue('#reply-top-body'), 'Kesken jäänyt ajatus');
    assert.equal(await page.getAttribute('#reply-top-body', 'readonly'), '');
    assert.equal(await page.locator('#reply-top button[type=submit]').isHidden(), true);
    assert.equal(await postWith(page, 'Aiempi vastaus.').count(), 1);
    assert.equal(await page.locator(`#post-${opening.id}`).count(), 1);

    // The server agrees: nothing can be posted now.
    const r = await reader.ws.request({ type: 'post.create', topic_id: topic.id, parent_id: earlier.id, body: 'Myöhässä' });
    assert.equal(r.error?.code, 'period_closed');
    assert.deepEqual(page.errors, []);
    mod.ws.destroy();
    reader.ws.destroy();
    await page.context().close();
    await m.context().close();
});

test('the server\'s timer opens and closes a period while members watch the list, the period and a topic', async () => {
    const mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    const leena = await member(server, { display_name: 'Leena' });
    const { createPeriod } = await import('./forum.mjs');
    const soon = (ms) => new Date(Date.now() + ms).toISOString();
    const period = await createPeriod(mod.ws, {
        title: `Ajastettu ${Date.now()}`, status: 'upcoming', starts_at: soon(3600e3), ends_at: soon(7200e3), members_may_open_topics: true,
    });
    const { topic } = await createTopic(mod.ws, period.id, { title: 'Valmisteltu aihe', body: 'Valmisteltu etukäteen.' });

    const list = await pageAs(browser, base, leena);
    const page = await pageAs(browser, base, leena);
    const thread = await pageAs(browser, base, leena);
    await openAt(list, base, '/periods', 'Toimintajaksot');
    await openAt(page, base, `/periods/${period.id}`, period.title);
    await openAt(thread, base, `/topics/${topic.id}`, topic.title);
    assert.equal(await list.locator('#periods-upcoming + ul .period-card', { hasText: period.title }).count(), 1);
    assert.equal(await page.textContent('.period-head .badge'), 'Tulossa');
    assert.equal(await page.locator('#topic-form').count(), 0, 'members open topics only in an open period');
    assert.equal(await thread.locator('#reply-top').count(), 0);
    assert.match(await thread.textContent('main'), /Jakso ei ole vielä alkanut/);
    // The moderator moves it to start in a moment (an edit everyone sees).
    ok(await mod.ws.request({ type: 'period.update', period_id: period.id, starts_at: soon(1000), ends_at: soon(6000) }));

    // Opened by the timer: every screen changes by itself.
    await page.waitForFunction(() => document.querySelector('.period-head .badge')?.textContent === 'Käynnissä', null, { timeout: 8000 });
    await list.locator('#periods-open + ul .period-card', { hasText: period.title }).waitFor();
    await thread.locator('#reply-top').waitFor();
    await page.locator('#topic-form').waitFor();

    // A reply in the topic updates the counts on the period page live;
    // only others' replies add to the unread count there (the opening
    // post was unread when the page loaded).
    assert.equal(await page.textContent('.topic-list .badge--new'), '1 lukematon');
    await thread.fill('#reply-top-body', 'Nyt pääsee kirjoittamaan.');
    await thread.click('#reply-top button[type=submit]');
    await page.waitForFunction(() => /2 viestiä/.test(document.querySelector('.topic-list')?.textContent ?? ''));
    assert.equal(await page.textContent('.topic-list .badge--new'), '1 lukematon');
    await createPost(mod.ws, topic.id, 'Tervetuloa keskustelemaan.');
    await page.waitForFunction(() => /2 lukematonta/.test(document.querySelector('.topic-list .badge--new')?.textContent ?? ''));
    assert.equal(await page.locator('.topic-list .topic-item').first().locator('a').textContent(), 'Valmisteltu aihe');

    // A new topic by the moderator appears at the top of the list.
    await createTopic(mod.ws, period.id, { title: 'Uusi aihe kesken jakson', body: 'Lisää.' });
    await page.waitForFunction(() => document.querySelector('.topic-list .topic-item a')?.textContent === 'Uusi aihe kesken jakson');

    // Closed by the timer.
    await page.waitForFunction(() => document.querySelector('.period-head .badge')?.textContent === 'Päättynyt', null, { timeout: 10000 });
    await list.locator('#periods-past + ul .period-card', { hasText: period.title }).waitFor();
    await thread.waitForFunction(() => !document.querySelector('#reply-top') && !document.querySelector('.post__actions'));
    assert.equal(await page.locator('#topic-form').count(), 0);
    for (const p of [list, page, thread]) assert.deepEqual(p.errors, []);
    mod.ws.destroy();
    leena.ws.destroy();
    for (const p of [list, page, thread]) await p.context().close();
});

test('a moderator saves a draft, announces it and opens it from the period page; members never see the draft', async () => {
    const mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    const someone = await member(server, { display_name: 'Jäsen' });
    const m = await pageAs(browser, base, mod);
    await openAt(m, base, '/periods/new', 'Uusi toimintajakso');
    const title = `Luonnos ${Date.now()}`;
    await m.fill('#period-title', title);
    await m.fill('#period-description', 'Kuvaus.');
    await m.click('#period-save-draft');
    await waitForHeading(m, title);
    assert.match(await m.textContent('.flash'), /tallennettu luonnokseksi/);
    assert.equal(await m.textContent('.period-head .badge'), 'Luonnos');
    const periodId = Number(new URL(m.url()).hash.split('/')[2]);
    const hidden = await someone.ws.request({ type: 'period.get', period_id: periodId });
    assert.equal(hidden.error?.code, 'not_found');

    await m.click('[data-focus-key="manage-announce"]');
    // The reply and the period's own event race; both end up shown.
    await m.locator('#period-manage-notice', { hasText: 'Jakso on julkaistu tulevaksi.' }).waitFor();
    await m.waitForFunction(() => document.querySelector('.period-head .badge')?.textContent === 'Tulossa');
    await m.click('[data-focus-key="manage-open"]');
    await m.waitForFunction(() => document.querySelector('.period-head .badge')?.textContent === 'Käynnissä');
    assert.equal(await m.locator('[data-focus-key="manage-close"]').count(), 1);
    assert.equal(await m.locator('[data-focus-key="manage-open"]').count(), 0);
    assert.deepEqual(m.errors, []);
    mod.ws.destroy();
    someone.ws.destroy();
    await m.context().close();
});

test('the reply box counts characters and explains what went wrong, code by code', async () => {
    const { mod, topic } = await openTopic('Pitkät viestit');
    const writer = await member(server, { display_name: 'Kirjoittaja' });
    const page = await pageAs(browser, base, writer);
    await openAt(page, base, `/topics/${topic.id}`, topic.title);
    // Numbers are grouped with no-break spaces, as Finnish writes them.
    const plain = async (sel) => (await page.textContent(sel)).replace(/\s/g, ' ');
    assert.equal(await plain('#reply-top-count'), '0/20 000 merkkiä');
    assert.equal(await page.getAttribute('#reply-top-body', 'aria-describedby'), 'reply-top-hint reply-top-count');

    // Empty: said next to the box, which takes focus.
    await page.click('#reply-top button[type=submit]');
    assert.equal(await page.textContent('#reply-top-error'), 'Virhe: Kirjoita viesti ennen kuin lähetät sen.');
    assert.equal(await page.getAttribute('#reply-top-body', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#reply-top-body', 'aria-describedby'), /^reply-top-error /);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reply-top-body');

    // Over the server's cap (5,000 here): its too_long carries the limit,
    // which the counter then uses.
    await page.fill('#reply-top-body', 'a'.repeat(5001));
    assert.equal(await page.locator('#reply-top-error').isHidden(), true, 'typing clears the error');
    await page.click('#reply-top button[type=submit]');
    await page.locator('#reply-top-error:not([hidden])').waitFor();
    assert.equal(await plain('#reply-top-error'),
        'Virhe: Viestissä voi olla enintään 5 000 merkkiä. Nyt siinä on 5 001. Lyhennä viestiä tai jaa se kahteen osaan.');
    assert.match(await plain('#reply-top-count'), /^5 001\/5 000 merkkiä – 1 liikaa$/);
    assert.equal(await page.inputValue('#reply-top-body'), 'a'.repeat(5001), 'the text is kept');
    await page.press('#reply-top-body', 'Backspace');
    await page.click('#reply-top button[type=submit]');
    await page.locator('ol.thread article.post').waitFor();
    assert.equal(await page.locator('#reply-top-error').isHidden(), true);
    mod.ws.destroy();
    writer.ws.destroy();
    await page.context().close();
});
