// Surveys in the browser: a moderator builds a survey of six question kinds
// and opens it; a member answers half, reloads, finds the saved answers,
// finishes and sends, while the moderator's results count the responses
// live; the feedback template; closing a secret survey; an answer the
// server refuses; deleting a draft. axe-core on the period section, the
// builder, the answer form (Finnish, Swedish, English), the confirmation
// and the results; 320 px without sideways scrolling; autosave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll } from './lib.mjs';
import { ok, member, moderator, openPeriod, pageAs, openAt, watchLive, waitSaid } from './forum.mjs';

let server, browser, base, suite;
let mod, maija, pekka, period, survey;

const TITLE = 'Potilasohjeen luettavuus';
const Q = {
    single: 'Mistä kuulit Raadista?',
    scale: 'Kuinka helppo ohjetta oli lukea?',
    multiple: 'Mitkä osat olivat hyödyllisiä?',
    ranking: 'Järjestä tärkeyden mukaan',
    short: 'Mikä sana oli vaikein?',
    long: 'Mitä pitäisi tehdä toisin?',
};

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    maija = await member(server, { display_name: 'Maija' });
    pekka = await member(server, { display_name: 'Pekka' });
    period = await openPeriod(mod.ws, { title: 'Kyselylomakejakso' });
});

after(async () => {
    for (const who of [mod, maija, pekka]) who?.ws.destroy();
    await suite?.close();
});

// A signed-in page in the given language (chosen in the browser).
async function pageFor(who, { lang = 'fi', ...options } = {}) {
    const page = await pageAs(browser, base, who, options);
    await page.addInitScript((l) => localStorage.setItem('raati.language', l), lang);
    return page;
}

function item(page, n) {
    return page.locator('.survey-builder__item').nth(n);
}

async function fillQuestion(page, n, { kind, text, required = false, options = [], help = '' }) {
    const it = item(page, n);
    await it.locator('select[name=kind]').selectOption(kind);
    await it.locator('input[name=text]').fill(text);
    if (help) await it.locator('textarea[name=help]').fill(help);
    if (required) await it.locator('input[name=required]').check();
    for (let i = 0; i < options.length; i++) {
        if (i >= 2) await it.getByRole('button', { name: `Lisää vaihtoehto kysymykseen ${n + 1}` }).click();
        await it.locator('input[name=option]').nth(i).fill(options[i]);
    }
}

function question(page, text) {
    return page.locator('.survey-q', { hasText: text });
}

async function waitText(locator, re, what) {
    try {
        await locator.filter({ hasText: re }).first().waitFor({ timeout: 10000 });
    } catch (err) {
        err.message += `\n${what}: ${await locator.first().textContent().catch(() => '(none)')}`;
        throw err;
    }
}

test('a moderator builds a survey of six kinds in the browser and opens it', async () => {
    const page = await pageFor(mod);
    await openAt(page, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    await page.locator('#period-surveys').waitFor();
    assert.match(await page.textContent('#period-surveys'), /Kyselyt/);
    await assertAccessible(page, 'period page with the surveys section (moderator)');

    await page.click('#survey-new-link');
    await page.locator('#survey-edit').waitFor();
    assert.equal((await page.textContent('main h1')).trim(), 'Uusi kysely');
    await assertAccessible(page, 'survey builder, empty');

    await page.fill('#survey-edit-title', TITLE);
    // Enter in a one-line field does not send the builder (the questions
    // are still empty: sending would show errors).
    await page.press('#survey-edit-title', 'Enter');
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#survey-edit-errors').isHidden(), true, 'Enter in the title did not send');
    await page.fill('#survey-edit-intro', 'Vastaaminen vie noin kolme minuuttia.');
    await page.check('#survey-edit-allow_edit');
    await fillQuestion(page, 0, { kind: 'single', text: Q.single, required: true, options: ['Lehdestä', 'Kaverilta'], help: 'Valitse tärkein.' });
    const kinds = [
        { kind: 'scale', text: Q.scale, required: true },
        { kind: 'multiple', text: Q.multiple, options: ['Kuvat', 'Yhteystiedot', 'Ohjeet'] },
        { kind: 'ranking', text: Q.ranking, options: ['Nopeus', 'Selkeys', 'Ystävällisyys'] },
        { kind: 'short_text', text: Q.short },
        { kind: 'long_text', text: Q.long, required: true },
    ];
    for (let i = 0; i < kinds.length; i++) {
        await page.click('#survey-edit-add');
        // Focus goes to the new question's first field.
        assert.equal(await page.evaluate(() => document.activeElement.name), 'kind');
        await fillQuestion(page, i + 1, kinds[i]);
    }
    // Fields that do not belong to a kind are hidden.
    assert.equal(await item(page, 1).locator('[data-part=scale]').isVisible(), true);
    assert.equal(await item(page, 1).locator('[data-part=options]').isVisible(), false);
    assert.equal(await item(page, 4).locator('[data-part=options]').isVisible(), false);
    await item(page, 1).locator('input[name=scale_min_label]').fill('Vaikea');
    await item(page, 1).locator('input[name=scale_max_label]').fill('Helppo');
    await item(page, 2).locator('input[name=max_picks]').fill('2');

    // Moving a question keeps what was typed and says where it went.
    await watchLive(page);
    await page.getByRole('button', { name: 'Siirrä kysymys 6 ylös' }).click();
    await waitSaid(page, /kohdassa 5\/6/);
    assert.equal(await item(page, 4).locator('input[name=text]').inputValue(), Q.long);
    await page.getByRole('button', { name: 'Siirrä kysymys 5 alas' }).click();
    assert.equal(await item(page, 5).locator('input[name=text]').inputValue(), Q.long);

    // An empty question is caught before sending, and tied to its field.
    await page.click('#survey-edit-add');
    await page.click('#survey-edit-submit');
    await page.locator('#survey-edit-errors:not([hidden])').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-edit-errors');
    assert.match(await page.textContent('#survey-edit-errors'), /Kysymys 7: kirjoita kysymys/);
    assert.equal(await item(page, 6).locator('input[name=text]').getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'survey builder with an error');
    await page.getByRole('button', { name: 'Poista kysymys 7' }).click();

    await page.click('#survey-edit-submit');
    await page.waitForFunction((title) => document.querySelector('main h1')?.textContent.trim() === title, TITLE, { timeout: 10000 });
    const id = Number(/#\/surveys\/(\d+)/.exec(page.url())[1]);
    await page.locator('.notice', { hasText: 'Esikatselu' }).waitFor();
    assert.equal(await page.locator('#survey-answer .survey-q').count(), 6);
    await assertAccessible(page, 'draft survey preview with the moderator tools');

    // Opening asks first, since the questions are fixed after it; focus is
    // on the question, not on the button.
    await page.click('#survey-open');
    await page.locator('#survey-confirm-q').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-confirm-q');
    assert.match(await page.textContent('#survey-confirm-q'), /Avataanko kysely vastattavaksi\? Kysymyksiä/);
    assert.equal((await page.textContent('#survey-confirm-yes')).trim(), 'Kyllä, avaa kysely');
    await assertAccessible(page, 'survey open confirmation');
    // Cancelling leaves it a draft.
    await page.click('#survey-confirm-no');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-open');
    assert.equal(ok(await mod.ws.request({ type: 'survey.get', survey_id: id }), 'survey.get').survey.status, 'draft');
    await page.click('#survey-open');
    await page.click('#survey-confirm-yes');
    await page.locator('#survey-manage-notice', { hasText: 'Kysely on avattu' }).waitFor({ timeout: 10000 });
    await page.locator('.survey-head__meta .badge', { hasText: 'Avoinna' }).waitFor();
    survey = ok(await mod.ws.request({ type: 'survey.get', survey_id: id }), 'survey.get').survey;
    assert.equal(survey.status, 'open');
    assert.equal(survey.allow_edit, true);
    assert.deepEqual(survey.questions.map((q) => q.kind), ['single', 'scale', 'multiple', 'ranking', 'short_text', 'long_text']);
    assert.deepEqual(survey.questions.map((q) => q.required), [true, true, false, false, false, true]);
    assert.equal(survey.questions[0].help, 'Valitse tärkein.');
    assert.deepEqual(survey.questions[1].scale, { min: 1, max: 5, min_label: 'Vaikea', max_label: 'Helppo' });
    assert.equal(survey.questions[2].max_picks, 2);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('a member saves half, reloads, finishes and sends; the results count up live', async () => {
    assert.ok(survey, 'the survey of the first test');
    const results = await pageFor(mod);
    await openAt(results, base, `/surveys/${survey.id}/results`, `Tulokset: ${TITLE}`);
    await waitText(results.locator('#results-responses'), /0 vastausta/, 'responses');

    // The member finds it on the period page.
    const page = await pageFor(maija);
    await openAt(page, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    await page.locator('.survey-item', { hasText: TITLE }).locator('text=Et ole vielä vastannut').waitFor();
    await assertAccessible(page, 'period page with the surveys section (member)');
    await page.getByRole('link', { name: `Vastaa: ${TITLE}` }).click();
    await page.locator('#survey-answer').waitFor();
    await assertAccessible(page, 'answer form');

    // Required is said in words; help texts describe their question.
    const first = question(page, Q.single);
    assert.match(await first.locator('legend').textContent(), /\(pakollinen\)/);
    const describedBy = await first.getAttribute('aria-describedby');
    assert.match(await page.textContent(`#${describedBy.split(' ')[0]}`), /Valitse tärkein/);

    await first.getByLabel('Lehdestä').check();
    await question(page, Q.scale).getByLabel('4', { exact: true }).check();
    await question(page, Q.short).locator('input').fill('hoitopolku');
    await page.click('#survey-save');
    await page.locator('#survey-form-notice .notice--success').waitFor({ timeout: 10000 });

    await page.reload();
    await page.locator('#survey-answer').waitFor();
    assert.equal(await question(page, Q.single).getByLabel('Lehdestä').isChecked(), true);
    assert.equal(await question(page, Q.scale).getByLabel('4', { exact: true }).isChecked(), true);
    assert.equal(await question(page, Q.short).locator('input').inputValue(), 'hoitopolku');

    // The period page says it is unfinished.
    await openAt(page, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    const listed = page.locator('.survey-item', { hasText: TITLE });
    await listed.locator('text=Vastauksesi on kesken').waitFor();
    await page.getByRole('link', { name: `Jatka vastaamista: ${TITLE}` }).click();
    await page.locator('#survey-answer').waitFor();

    // Sending without the required long text: the error is by the question
    // and focus is in it.
    await page.click('#survey-submit');
    const long = question(page, Q.long);
    await long.locator('.field-error:not([hidden])').waitFor();
    assert.match(await long.locator('.field-error').textContent(), /pakollinen/);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    await assertAccessible(page, 'answer form with an error');

    await long.locator('textarea').fill('Enemmän kuvia.');
    assert.match(await long.locator('.char-count').textContent(), /14\/5\s?000/);
    const multi = question(page, Q.multiple);
    // An optional question's rule says it may be left empty.
    assert.match(await multi.textContent(), /Jos vastaat, valitse 1–2 vaihtoehtoa/);
    await multi.getByLabel('Kuvat').check();
    await multi.getByLabel('Ohjeet').check();
    // At the maximum the third box stays usable (Tab reaches it); ticking
    // it says the rule at once, by the question.
    const third = multi.getByLabel('Yhteystiedot');
    assert.equal(await third.isDisabled(), false, 'no box is disabled at the maximum');
    await page.focus(`#${await multi.getByLabel('Kuvat').getAttribute('id')}`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), await third.getAttribute('id'), 'Tab reaches the unticked box');
    await watchLive(page);
    await third.check();
    await multi.locator('.field-error:not([hidden])', { hasText: 'Valitse enintään 2 vaihtoehtoa. Nyt valittuna on 3.' }).waitFor();
    await waitSaid(page, /Valitse enintään 2/);
    assert.equal(await third.getAttribute('aria-invalid'), 'true');
    assert.match(await multi.getAttribute('aria-describedby'), /-error/);
    assert.equal(await page.evaluate(() => document.activeElement.type), 'checkbox', 'focus stayed on the box');
    await assertAccessible(page, 'too many boxes ticked');
    await third.uncheck();
    await multi.locator('.field-error').waitFor({ state: 'hidden' });
    assert.equal(await third.getAttribute('aria-invalid'), null);
    // Enter in the short text field does not send the survey.
    await question(page, Q.short).locator('input').press('Enter');
    await page.waitForTimeout(500);
    assert.equal(await page.locator('#survey-done-title').count(), 0, 'Enter did not send');
    assert.equal(await page.locator('#survey-answer').count(), 1);
    // Ranking by keyboard: "Selkeys" to the top.
    await watchLive(page);
    await page.getByRole('button', { name: 'Siirrä ylös: Selkeys' }).focus();
    await page.keyboard.press('Enter');
    await waitSaid(page, /Selkeys: sija 1\/3/);
    assert.deepEqual(await question(page, Q.ranking).locator('.poll-ranking__label').allTextContents(), ['Selkeys', 'Nopeus', 'Ystävällisyys']);

    await page.click('#survey-submit');
    await page.locator('#survey-done-title').waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-done-title');
    assert.match(await page.textContent('.survey-done'), /Kiitos! Vastauksesi on lähetetty/);
    assert.match(await page.textContent('.survey-readonly'), /Selkeys > Nopeus > Ystävällisyys/);
    await assertAccessible(page, 'confirmation after sending');

    // The moderator's results counted it live.
    await waitText(results.locator('#results-responses'), /1 vastaus/, 'responses');
    // Another member answers over the protocol.
    const [q1, q2, , , , q6] = survey.questions;
    ok(await pekka.ws.request({ type: 'survey.submit', survey_id: survey.id, answers: {
        [q1.id]: q1.options[1].id, [q2.id]: 2, [q6.id]: 'Isompi fontti',
    } }), 'survey.submit');
    await waitText(results.locator('#results-responses'), /2 vastausta/, 'responses');
    const qBox = (text) => results.locator('.survey-results__item', { hasText: text });
    await waitText(qBox(Q.long), /Isompi fontti/, 'long text answers');
    const longText = await qBox(Q.long).textContent();
    assert.match(longText, /Enemmän kuvia\.\s*– Maija/);
    assert.match(longText, /Isompi fontti\s*– Pekka/);
    assert.match(await qBox(Q.single).textContent(), /Lehdestä\s*1 valinta \(50\s?%\)/);
    assert.match(await qBox(Q.scale).textContent(), /keskiarvo 3,0/);
    assert.match(await qBox(Q.ranking).textContent(), /Selkeys\s*2 pistettä/);
    await assertAccessible(results, 'survey results');

    // The CSV link, with the moderator's cookie.
    const href = await results.getAttribute('#results-csv', 'href');
    assert.equal(href, `/api/surveys/${survey.id}/responses.csv`);
    const csv = await fetch(`${base}${href}`, { headers: { cookie: mod.cookie } });
    assert.equal(csv.status, 200);
    const csvText = await csv.text();
    assert.match(csvText, /hoitopolku/);
    // Semicolons by default (Finnish and Swedish Excel), commas on request.
    const headerLine = csvText.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    assert.ok(headerLine.split(';').length > 3, `semicolons: ${headerLine}`);
    assert.match(await results.textContent('#results-csv-hint'), /puolipisteillä/);
    const commaHref = await results.getAttribute('#results-csv-comma', 'href');
    assert.equal(commaHref, `/api/surveys/${survey.id}/responses.csv?sep=comma`);
    assert.match(await results.textContent('#results-csv-comma'), /pilkuilla eroteltu versio \(englanninkielinen Excel\)/);
    const commaCsv = await (await fetch(`${base}${commaHref}`, { headers: { cookie: mod.cookie } })).text();
    const commaHeader = commaCsv.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    assert.ok(commaHeader.split(',').length > 3 && !commaHeader.includes(';'), `commas: ${commaHeader}`);
    // Named or secret starts with a capital, like the badge beside it.
    assert.match(await results.textContent('.survey-head__meta'), /Avoinna\s+Nimellinen kysely/);

    // allow_edit: the member changes the answer and sends it again.
    await page.click('#survey-change');
    // Focus is on the form's heading, not on a radio button where an arrow
    // key would silently change the saved answer.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-form-title');
    await page.keyboard.press('ArrowDown');
    assert.equal(await question(page, Q.single).getByLabel('Lehdestä').isChecked(), true, 'an arrow key changed nothing');
    await assertAccessible(page, 'changing a sent answer');
    await question(page, Q.short).locator('input').fill('ajanvaraus');
    await page.click('#survey-submit');
    await page.locator('.survey-done', { hasText: 'Muutettu vastauksesi on lähetetty' }).waitFor({ timeout: 10000 });
    await waitText(qBox(Q.short), /ajanvaraus/, 'short text after the change');
    await waitText(results.locator('#results-responses'), /2 vastausta/, 'responses');

    for (const p of [page, results]) {
        assert.deepEqual(p.errors, []);
        await p.context().close();
    }
});

test('the answer form in Swedish and English, and at 320 px', async () => {
    assert.ok(survey, 'the survey of the first test');
    const fresh = await member(server, { display_name: 'Aino' });
    for (const [lang, save] of [['sv', 'Spara och fortsätt senare'], ['en', 'Save and continue later']]) {
        const page = await pageFor(fresh, { lang });
        await openAt(page, base, `/surveys/${survey.id}`, TITLE);
        await page.locator('#survey-answer').waitFor();
        assert.equal((await page.textContent('#survey-save')).trim(), save);
        assert.match(await question(page, Q.single).locator('legend').textContent(), lang === 'sv' ? /obligatorisk/ : /required/);
        await assertAccessible(page, `answer form in ${lang}`);
        await page.context().close();
    }
    const narrow = await pageFor(fresh, { width: 320, height: 800 });
    const sent = [];
    narrow.on('websocket', (ws) => ws.on('framesent', (f) => {
        if (/survey\.save/.test(String(f.payload))) sent.push(f.payload);
    }));
    await openAt(narrow, base, `/surveys/${survey.id}`, TITLE);
    await narrow.locator('#survey-answer').waitFor();
    await assertNoHorizontalScroll(narrow, 'answer form at 320 px');
    await assertAccessible(narrow, 'answer form at 320 px');
    // Autosave: a pause after typing saves, once; nothing is sent meanwhile.
    await question(narrow, Q.short).locator('input').pressSequentially('kuntoutus', { delay: 30 });
    await narrow.locator('#survey-autosave', { hasText: 'Tallennettu' }).waitFor({ timeout: 10000 });
    assert.equal(sent.length, 1, `one autosave for nine keystrokes: ${sent.join(' | ')}`);
    await narrow.reload();
    await narrow.locator('#survey-answer').waitFor();
    assert.equal(await question(narrow, Q.short).locator('input').inputValue(), 'kuntoutus');
    // A language change keeps what is typed and chosen.
    await question(narrow, Q.long).locator('textarea').fill('Vielä kesken');
    await question(narrow, Q.single).getByLabel('Kaverilta').check();
    await narrow.click('[data-lang="en"]');
    await narrow.locator('#survey-save', { hasText: 'Save and continue later' }).waitFor();
    assert.equal(await question(narrow, Q.long).locator('textarea').inputValue(), 'Vielä kesken');
    assert.equal(await question(narrow, Q.single).getByLabel('Kaverilta').isChecked(), true);
    await narrow.context().close();
    const modNarrow = await pageFor(mod, { width: 320, height: 800 });
    await openAt(modNarrow, base, `/periods/${period.id}/surveys/new`, 'Uusi kysely');
    await modNarrow.locator('#survey-edit').waitFor();
    await assertNoHorizontalScroll(modNarrow, 'builder at 320 px');
    await modNarrow.fill('#survey-edit-title', 'Kesken');
    await item(modNarrow, 0).locator('input[name=option]').first().fill('Eka');
    await modNarrow.click('[data-lang="sv"]');
    await modNarrow.locator('#survey-edit-submit', { hasText: 'Spara som utkast' }).waitFor();
    assert.equal(await modNarrow.inputValue('#survey-edit-title'), 'Kesken');
    assert.equal(await item(modNarrow, 0).locator('input[name=option]').first().inputValue(), 'Eka');
    await modNarrow.click('[data-lang="fi"]');
    await openAt(modNarrow, base, `/surveys/${survey.id}/results`, `Tulokset: ${TITLE}`);
    await modNarrow.locator('.survey-results').waitFor();
    await assertNoHorizontalScroll(modNarrow, 'results at 320 px');
    await modNarrow.context().close();
    fresh.ws.destroy();
});

test('the feedback template; closing a secret survey leaves "you answered" without answers', async () => {
    const page = await pageFor(mod);
    await openAt(page, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    await page.click('#survey-feedback');
    await page.waitForFunction(() => /^Muokkaa: Palaute: Kyselylomakejakso$/.test(document.querySelector('main h1')?.textContent.trim()), null, { timeout: 10000 });
    await page.locator('.flash', { hasText: 'Palautekysely tehtiin luonnokseksi' }).waitFor();
    assert.equal(await page.locator('.survey-builder__item').count(), 5);
    assert.equal(await item(page, 0).locator('input[name=text]').inputValue(), 'Koitko, että osallistumisellasi oli vaikutusta?');
    assert.equal(await page.isChecked('#survey-edit-secret-secret'), true);
    await assertAccessible(page, 'builder with the feedback template');
    await page.click('#survey-edit-submit');
    await page.locator('#survey-open').waitFor({ timeout: 10000 });
    // A member on the period page sees it appear when it opens.
    const periodPage = await pageFor(pekka);
    await openAt(periodPage, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    await periodPage.locator('#period-surveys').waitFor();
    assert.equal(await periodPage.locator('.survey-item', { hasText: 'Palaute:' }).count(), 0, 'a draft is not shown to members');
    await page.click('#survey-open');
    await page.click('#survey-confirm-yes');
    await periodPage.locator('.survey-item', { hasText: 'Palaute: Kyselylomakejakso' }).locator('text=Et ole vielä vastannut').waitFor({ timeout: 10000 });
    await periodPage.context().close();
    await page.locator('#survey-close').waitFor({ timeout: 10000 });
    const id = Number(/#\/surveys\/(\d+)/.exec(page.url())[1]);
    const fb = ok(await mod.ws.request({ type: 'survey.get', survey_id: id }), 'survey.get').survey;
    assert.equal(fb.secret, true);
    assert.equal(fb.questions.length, 5);

    // A member answers it; the moderator closes it (after confirming).
    const [q1, q2] = fb.questions;
    ok(await maija.ws.request({ type: 'survey.submit', survey_id: id, answers: { [q1.id]: q1.options[0].id, [q2.id]: 5 } }), 'survey.submit');
    const memberPage = await pageFor(maija);
    await openAt(memberPage, base, `/surveys/${id}`, fb.title);
    await memberPage.locator('.survey-done').waitFor();
    await page.click('#survey-close');
    await page.locator('#survey-confirm-yes').waitFor();
    // Focus is on the question, not on the irreversible button, and the
    // button's label differs from the one that asked.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-confirm-q');
    assert.equal((await page.textContent('#survey-confirm-yes')).trim(), 'Kyllä, sulje kysely');
    assert.equal((await page.textContent('#survey-close')).trim(), 'Sulje kysely');
    await assertAccessible(page, 'survey close confirmation');
    await page.click('#survey-confirm-yes');
    await page.locator('.survey-head__meta .badge', { hasText: 'Suljettu' }).waitFor({ timeout: 10000 });
    // "The survey is closed" is said once on the page, not twice.
    await page.locator('main .notice', { hasText: 'Kysely on suljettu' }).first().waitFor();
    assert.equal(await page.locator('main .notice', { hasText: 'Kysely on suljettu' }).count(), 1);
    // The member's page follows live; answers of a secret survey are gone.
    await memberPage.locator('.survey-secret-done', { hasText: 'Vastasit tähän kyselyyn' }).waitFor({ timeout: 10000 });
    assert.equal(await memberPage.locator('#survey-answer').count(), 0);
    await assertAccessible(memberPage, 'closed secret survey');
    for (const p of [page, memberPage]) {
        assert.deepEqual(p.errors, []);
        await p.context().close();
    }
});

test('an answer the server refuses is shown by its question, with focus there; a draft can be deleted', async () => {
    assert.ok(survey, 'the survey of the first test');
    const fresh = await member(server, { display_name: 'Eero' });
    const page = await pageFor(fresh);
    const longId = String(survey.questions[5].id);
    // Between the page and the server, the long text is dropped from what
    // is sent, so the server answers missing_field for it.
    await page.routeWebSocket(/\/ws$/, (ws) => {
        const srv = ws.connectToServer();
        ws.onMessage((msg) => {
            const frame = JSON.parse(msg);
            if (frame.type === 'survey.submit') delete frame.answers[longId];
            srv.send(JSON.stringify(frame));
        });
        srv.onMessage((msg) => ws.send(msg));
    });
    await openAt(page, base, `/surveys/${survey.id}`, TITLE);
    await page.locator('#survey-answer').waitFor();
    // Sending empty: the first error is a group of radio buttons. Focus goes
    // to the group, not onto its first radio button; its buttons are marked
    // invalid.
    await page.click('#survey-submit');
    const single = question(page, Q.single);
    await single.locator('.field-error:not([hidden])').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'FIELDSET');
    assert.equal(await page.evaluate(() => document.activeElement.id), await single.getAttribute('id'));
    assert.equal(await single.getByLabel('Lehdestä').getAttribute('aria-invalid'), 'true');
    // Enter on a radio button does not send either.
    await single.getByLabel('Kaverilta').check();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#survey-done-title').count(), 0);
    await single.locator('.field-error').waitFor({ state: 'hidden' });
    assert.equal(await single.getByLabel('Lehdestä').getAttribute('aria-invalid'), null);
    await question(page, Q.scale).getByLabel('3', { exact: true }).check();
    await question(page, Q.long).locator('textarea').fill('Tämä katoaa matkalla.');
    await watchLive(page);
    await page.click('#survey-submit');
    const long = question(page, Q.long);
    await long.locator('.field-error:not([hidden])').waitFor({ timeout: 10000 });
    // A single error is spoken too.
    await waitSaid(page, /Kysymys 6: .*pakollinen/);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    assert.match(await long.locator('textarea').getAttribute('aria-describedby'), /-error/);
    await assertAccessible(page, 'answer form with an error from the server');
    assert.deepEqual(page.errors, []);
    await page.context().close();
    fresh.ws.destroy();

    const draft = ok(await mod.ws.request({ type: 'survey.create', period_id: period.id, title: 'Poistettava luonnos',
        questions: [{ kind: 'short_text', text: 'Mitä?' }] }), 'survey.create').survey;
    const modPage = await pageFor(mod);
    await openAt(modPage, base, `/surveys/${draft.id}`, 'Poistettava luonnos');
    await modPage.click('#survey-delete');
    await modPage.click('#survey-confirm-yes');
        await modPage.locator('.flash', { hasText: 'Luonnos Poistettava luonnos poistettiin' }).waitFor({ timeout: 10000 });
    const gone = await mod.ws.request({ type: 'survey.get', survey_id: draft.id });
    assert.equal(gone.error?.code, 'not_found');
    assert.deepEqual(modPage.errors, []);
    await modPage.context().close();
});

test('one feedback survey at a time: a link to the open or draft one instead of the button, and a conflict goes to it', async () => {
    // Earlier tests closed their feedback survey, so a new one may be made.
    // This page does not hear survey events, so it still offers the button
    // after a feedback survey has been made elsewhere.
    const page = await pageFor(mod);
    await page.routeWebSocket(/\/ws$/, (ws) => {
        const srv = ws.connectToServer();
        ws.onMessage((msg) => srv.send(msg));
        srv.onMessage((msg) => {
            if (/"survey\.changed"/.test(String(msg))) return;
            ws.send(msg);
        });
    });
    await openAt(page, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    await page.locator('#survey-feedback').waitFor();
    const fb = ok(await mod.ws.request({ type: 'survey.create', period_id: period.id, template: 'feedback', language: 'fi' }), 'survey.create').survey;
    assert.equal(fb.template, 'feedback');
    await page.click('#survey-feedback');
    // The server says conflict; the page goes to the existing one.
    await page.waitForFunction((title) => document.querySelector('main h1')?.textContent.trim() === title, fb.title, { timeout: 10000 });
    assert.match(page.url(), new RegExp(`#/surveys/${fb.id}$`));
    await page.locator('.flash', { hasText: 'Jaksolla on jo palautekysely' }).waitFor();
    const drafts = ok(await mod.ws.request({ type: 'survey.list', period_id: period.id }), 'survey.list').surveys
        .filter((x) => x.template === 'feedback' && x.status !== 'closed');
    assert.equal(drafts.length, 1, 'no second feedback survey');
    assert.deepEqual(page.errors, []);
    await page.context().close();

    // A fresh page shows a link to it in place of the button.
    const fresh = await pageFor(mod);
    await openAt(fresh, base, `/periods/${period.id}`, 'Kyselylomakejakso');
    const link = fresh.locator('#survey-feedback-link');
    await link.waitFor();
    assert.equal((await link.textContent()).trim(), 'Avaa palautekysely');
    assert.equal(await link.getAttribute('href'), `#/surveys/${fb.id}`);
    assert.equal(await fresh.locator('#survey-feedback').count(), 0);
    assert.match(await fresh.textContent('#survey-feedback-hint'), /luonnoksena/);
    await assertAccessible(fresh, 'period page with a feedback survey link');
    assert.deepEqual(fresh.errors, []);
    await fresh.context().close();
    ok(await mod.ws.request({ type: 'survey.delete', survey_id: fb.id }), 'survey.delete');
});
