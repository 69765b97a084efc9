// Live polls in the browser: a moderator makes a poll with the form on the
// period page, three members answer it from three browsers and every page
// (the moderator's too) sees the results change live; results hidden until
// one has answered; a ranking answered with the keyboard; the moderator
// closes a poll and the members see it closed. axe-core on the moderator's
// form, the voting form, the results and the hidden results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll } from './lib.mjs';
import { ok, member, moderator, openPeriod, createTopic, pageAs, openAt, watchLive, said } from './forum.mjs';

let server, browser, base, suite;
let mod, members, period, topic;

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    members = [];
    for (const name of ['Maija', 'Pekka', 'Aino']) members.push(await member(server, { display_name: name }));
    period = await openPeriod(mod.ws, { title: 'Kyselyjakso' });
    ({ topic } = await createTopic(mod.ws, period.id, { title: 'Ohjeiden selkeys', body: 'Mitä mieltä olette?' }));
});

after(async () => {
    mod?.ws.destroy();
    for (const m of members ?? []) m.ws.destroy();
    await suite?.close();
});

async function periodPage(who, options) {
    const page = await pageAs(browser, base, who, options);
    await openAt(page, base, `/periods/${period.id}`, 'Kyselyjakso');
    await page.locator('#period-polls').waitFor();
    return page;
}

function card(page, question) {
    return page.locator('li.poll', { hasText: question });
}

async function waitVoters(page, question, n) {
    const want = n === 1 ? '1 vastaus' : `${n} vastausta`;
    try {
        await card(page, question).locator('.poll-results__voters', { hasText: want }).waitFor({ timeout: 10000 });
    } catch (err) {
        err.message += `\nthe poll on the page: ${await card(page, question).textContent()}\nerrors: ${page.errors.join('; ')}`;
        throw err;
    }
}

test('a moderator makes a poll; three members answer and all see the results live', async () => {
    const modPage = await periodPage(mod);
    await modPage.locator('#poll-form').waitFor();
    await assertAccessible(modPage, 'period page with the new-poll form');

    const question = 'Mikä tekee potilasohjeesta hyvän?';
    await modPage.fill('#pollnew-question', question);
    // Enter in the question does not make the poll (its options are empty:
    // sending would list errors).
    await modPage.press('#pollnew-question', 'Enter');
    await modPage.waitForTimeout(300);
    assert.equal(await modPage.locator('#poll-form-errors').isHidden(), true, 'Enter did not send');
    await modPage.fill('#pollnew-help', 'Valitse yksi.');
    await modPage.fill('#pollnew-option-0', 'Selkeä kieli');
    await modPage.fill('#pollnew-option-1', 'Kuvat');
    await modPage.click('#pollnew-option-add');
    assert.equal(await modPage.evaluate(() => document.activeElement.id), 'pollnew-option-2', 'focus on the new option');
    await modPage.keyboard.type('Yhteystiedot');
    await modPage.check('#pollnew-results_visibility-always');
    // Secret polls say what secret means.
    assert.match(await modPage.textContent('#pollnew-secret-secret-hint'), /yhteys vastaajiin hävitetään/);
    await modPage.click('#poll-submit');
    await card(modPage, question).waitFor({ timeout: 10000 });
    await waitVoters(modPage, question, 0);

    const pages = [];
    for (const m of members) pages.push(await periodPage(m));
    for (const page of pages) await card(page, question).locator('input[type=radio]').first().waitFor();
    await assertAccessible(pages[0], 'member voting form');
    await watchLive(modPage);

    const picks = ['Selkeä kieli', 'Selkeä kieli', 'Kuvat'];
    for (let i = 0; i < pages.length; i++) {
        await card(pages[i], question).getByLabel(picks[i], { exact: true }).check();
        await card(pages[i], question).getByRole('button', { name: 'Vastaa' }).click();
        await card(pages[i], question).locator('.notice--success').waitFor();
        // Everyone, also those who answered earlier, sees the new count.
        for (const page of [modPage, ...pages]) await waitVoters(page, question, i + 1);
    }
    for (const page of [modPage, ...pages]) {
        const text = await card(page, question).locator('.poll-results').textContent();
        assert.match(text, /Selkeä kieli\s*2 valintaa \(67\s?%\)/, text);
        assert.match(text, /Kuvat\s*1 valinta \(33\s?%\)/, text);
    }
    await assertAccessible(pages[2], 'results after answering');
    // New answers are spoken politely, and not one by one: at most one
    // message about the count in ten seconds.
    const counts = (await said(modPage)).filter((text) => /vastaus/.test(text));
    assert.ok(counts.length >= 1 && counts.length <= 2, `spoken: ${JSON.stringify(counts)}`);

    // A member changes their answer.
    await card(pages[2], question).getByLabel('Yhteystiedot', { exact: true }).check();
    await card(pages[2], question).getByRole('button', { name: 'Muuta vastausta' }).click();
    await card(pages[0], question).locator('.poll-results', { hasText: /Yhteystiedot\s*1 valinta/ }).waitFor({ timeout: 10000 });

    // The moderator closes it; the members see it closed at once.
    await card(modPage, question).getByRole('button', { name: 'Sulje äänestys', exact: true }).click();
    await card(modPage, question).getByRole('button', { name: 'Kyllä, sulje äänestys' }).click();
    for (const page of pages) {
        await card(page, question).locator('.poll__meta', { hasText: 'Suljettu' }).waitFor({ timeout: 10000 });
        assert.equal(await card(page, question).locator('input').count(), 0, 'no answering a closed poll');
    }
    await assertAccessible(pages[1], 'a closed poll');
    for (const page of [modPage, ...pages]) {
        assert.deepEqual(page.errors, []);
        await page.context().close();
    }
});

test('results hidden until answered; multiple picks limited; ranking by keyboard; a topic shows its polls', async () => {
    const multi = ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, topic_id: topic.id, question: 'Mitkä kanavat käytät?', kind: 'multiple',
        options: ['Puhelin', 'Chat', 'Käynti'], min_picks: 1, max_picks: 2, results_visibility: 'after_vote', secret: true,
    }), 'poll.create multiple').poll;
    ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, question: 'Järjestä tärkeyden mukaan', kind: 'ranking',
        options: ['Nopeus', 'Ystävällisyys', 'Selkeys'], results_visibility: 'always',
    }), 'poll.create ranking');
    ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, question: 'Kuinka helppoa ajanvaraus on?', kind: 'scale',
        scale: { min: 1, max: 5, min_label: 'Vaikeaa', max_label: 'Helppoa' }, results_visibility: 'always',
    }), 'poll.create scale');

    const page = await periodPage(members[0], { width: 320, height: 800 });
    const m = card(page, multi.question);
    await m.locator('.poll-results--hidden', { hasText: 'Tulokset näkyvät, kun olet vastannut.' }).waitFor();
    await assertAccessible(page, 'hidden results, ranking and scale at 320 px');
    await assertNoHorizontalScroll(page, 'polls at 320 px');

    // Sending none: the rule is the error; it goes as soon as a box is ticked.
    await m.getByRole('button', { name: 'Vastaa' }).click();
    const mError = m.locator('.field-error:not([hidden])');
    await mError.waitFor();
    assert.match(await mError.textContent(), /Valitse vähintään 1 ja enintään 2 vaihtoehtoa/);
    assert.equal(await m.getByLabel('Puhelin').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'FIELDSET', 'focus on the group, not its first box');
    await m.getByLabel('Puhelin').check();
    await m.locator('.field-error').waitFor({ state: 'hidden' });
    assert.equal(await m.getByLabel('Puhelin').getAttribute('aria-invalid'), null);
    // Two of two picked: the third box stays usable; ticking it says the
    // rule at once, and unticking takes the error away.
    await m.getByLabel('Chat').check();
    assert.equal(await m.getByLabel('Käynti').isDisabled(), false, 'no box is disabled at the maximum');
    await m.getByLabel('Käynti').check();
    await m.locator('.field-error:not([hidden])', { hasText: 'Valitse enintään 2 vaihtoehtoa. Nyt valittuna on 3.' }).waitFor();
    assert.equal(await m.getByLabel('Käynti').getAttribute('aria-invalid'), 'true');
    assert.equal(await m.getByLabel('Käynti').isChecked(), true, 'what was ticked stays');
    await assertAccessible(page, 'too many boxes ticked in a poll');
    await m.getByRole('button', { name: 'Vastaa' }).click();
    await page.waitForTimeout(300);
    assert.match(await m.locator('.poll__voters').textContent(), /0 vastausta/, 'too many was not sent');
    await m.getByLabel('Käynti').uncheck();
    await m.locator('.field-error').waitFor({ state: 'hidden' });
    await m.getByRole('button', { name: 'Vastaa' }).click();
    await m.locator('.poll-results__voters', { hasText: '1 vastaus' }).waitFor({ timeout: 10000 });

    // Ranking: move "Selkeys" to the top with the keyboard.
    const r = card(page, 'Järjestä tärkeyden mukaan');
    await r.getByRole('button', { name: 'Siirrä ylös: Selkeys' }).focus();
    await page.keyboard.press('Enter');
    // Focus stayed on the option's "up" button, so a second press moves it again.
    await page.keyboard.press('Enter');
    // At the top "up" is disabled; focus went to the same option's "down".
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Siirrä alas: Selkeys');
    const order = await r.locator('.poll-ranking__label').allTextContents();
    assert.deepEqual(order, ['Selkeys', 'Nopeus', 'Ystävällisyys']);
    await r.getByRole('button', { name: 'Vastaa' }).click();
    await r.locator('.poll-results', { hasText: /Selkeys\s*2 pistettä/ }).waitFor({ timeout: 10000 });

    // Scale.
    const s = card(page, 'Kuinka helppoa ajanvaraus on?');
    await s.getByLabel('5 – Helppoa').check();
    await s.getByRole('button', { name: 'Vastaa' }).click();
    await s.locator('.poll-results__voters', { hasText: /keskiarvo 5,0/ }).waitFor({ timeout: 10000 });
    // The same answer again is not sent: it says the answer is unchanged.
    await s.getByRole('button', { name: 'Muuta vastausta' }).click();
    await s.locator('.notice', { hasText: 'Vastauksesi on ennallaan' }).waitFor();
    assert.equal(await s.locator('.notice', { hasText: 'muutettu' }).count(), 0);
    await assertAccessible(page, 'answered polls at 320 px');

    // A poll made meanwhile appears on the open page.
    ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, question: 'Tuliko kysely näkyviin?', kind: 'single',
        options: ['Kyllä', 'Ei'], results_visibility: 'always',
    }), 'poll.create live');
    await card(page, 'Tuliko kysely näkyviin?').getByLabel('Kyllä').waitFor({ timeout: 10000 });

    // The topic page lists only its own poll.
    await openAt(page, base, `/topics/${topic.id}`, 'Ohjeiden selkeys');
    await page.locator('#topic-polls').waitFor();
    assert.equal(await page.locator('li.poll').count(), 1);
    await card(page, multi.question).locator('.poll-results__voters').waitFor();
    await assertAccessible(page, 'topic page with a poll');
    // In Swedish, the same poll keeps its results.
    await page.click('[data-lang="sv"]');
    await page.locator('#topic-polls', { hasText: 'Omröstningar' }).waitFor();
    await card(page, multi.question).locator('.poll-results__voters', { hasText: '1 svar' }).waitFor();
    await assertAccessible(page, 'topic page with a poll, in Swedish');
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('poll results under the strict CSP: bars are sized without style attributes', async () => {
    const page = await pageAs(browser, base, members[1], { bypassCSP: false });
    const csp = [];
    page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) csp.push(msg.text());
    });
    await openAt(page, base, `/periods/${period.id}`, 'Kyselyjakso');
    const r = card(page, 'Järjestä tärkeyden mukaan');
    await r.locator('.poll-bar__fill').first().waitFor();
    const width = await r.locator('.poll-bar__fill').first().evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width > 0, 'the leading bar has a width');
    assert.deepEqual(csp, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('the new-poll form at 320 px: kinds show their own fields, errors are listed and tied to the fields', async () => {
    const page = await periodPage(mod, { width: 320, height: 800 });
    await page.locator('#poll-form').waitFor();
    await page.check('#pollnew-kind-multiple');
    assert.equal(await page.locator('#pollnew-picks').isVisible(), true);
    assert.equal(await page.locator('#pollnew-scale').isVisible(), false);
    await page.fill('#pollnew-option-0', 'Sama');
    await page.fill('#pollnew-option-1', 'Sama');
    await page.click('#poll-submit');
    const summary = page.locator('#poll-form-errors');
    await summary.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'poll-form-errors');
    const text = await summary.textContent();
    assert.match(text, /Kirjoita kysymys/);
    assert.match(text, /sama teksti/);
    assert.equal(await page.getAttribute('#pollnew-question', 'aria-invalid'), 'true');
    await assertAccessible(page, 'new-poll form with errors at 320 px');
    await assertNoHorizontalScroll(page, 'new-poll form at 320 px');
    await page.check('#pollnew-kind-scale');
    assert.equal(await page.locator('#pollnew-options').isVisible(), false);
    assert.equal(await page.locator('#pollnew-scale').isVisible(), true);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('a poll whose help already says the rule shows it once; the generic rule stays when there is no such help', async () => {
    const said = ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, question: 'Mitkä kolme aihetta ensin?', kind: 'multiple',
        help: 'Valitse 1–3 aihetta.', options: ['Kieli', 'Kuvat', 'Aikataulu', 'Hinta'], min_picks: 1, max_picks: 3,
        results_visibility: 'always',
    }), 'poll.create').poll;
    const plain = ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, question: 'Mitkä kaksi kanavaa?', kind: 'multiple',
        help: 'Ajattele viime vuotta.', options: ['Puhelin', 'Chat', 'Käynti'], min_picks: 1, max_picks: 2,
        results_visibility: 'always',
    }), 'poll.create').poll;
    const page = await periodPage(members[1]);
    const a = card(page, said.question);
    await a.locator('input[type=checkbox]').first().waitFor();
    assert.equal(await a.locator(`#poll-${said.id}-rule`).count(), 0, 'the generic rule is not repeated');
    assert.match(await a.textContent(), /Valitse 1–3 aihetta/);
    const b = card(page, plain.question);
    assert.match(await b.locator(`#poll-${plain.id}-rule`).textContent(), /Valitse vähintään 1 ja enintään 2/);
    await assertAccessible(page, 'polls with and without their own rule');
    assert.deepEqual(page.errors, []);
    await page.context().close();
});
