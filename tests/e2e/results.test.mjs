// Results pages in the browser: a moderator composes the results of a
// closed period (summary, two findings, a poll, a quote picked from the
// discussion), saves, previews and publishes; the public reads the page
// without JavaScript and without any author's name on it. A follow-up
// reaches the page and the participants' notices; a member withdraws a
// quote from their notice and it leaves the page; the consent box on the
// profile. axe-core on the composer (empty and filled), the follow-up form,
// the public index and page in Finnish, Swedish and English at 1280 and
// 320 px (without sideways scrolling) and the accessibility statement; the
// page's print styles and a PDF of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, newPage, assertAccessible, assertNoHorizontalScroll } from './lib.mjs';
import { ok, member, moderator, openPeriod, createTopic, createPost, pageAs, openAt } from './forum.mjs';

let browser, base, suite;
let mod, maija, pekka, period, topic, poll, quoted;
let modPage = null;
let slug = null;

const TITLE = 'Potilasohjeiden selkeys';
const NAMES = { mod: 'Moderaattori Mirja', maija: 'Maija Lainattava', pekka: 'Pekka Osallistuja' };
const SUMMARY = 'Asukkaat toivoivat lyhyempiä ja selkeämpiä potilasohjeita.';
const FINDINGS = [
    { title: 'Ohjeet ovat liian pitkiä', body: 'Moni luki vain ensimmäisen kappaleen.' },
    { title: 'Kuvat auttavat ymmärtämään', body: 'Piirroskuvat selkeyttivät ohjeita.' },
];
const POST = 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla. Muuten ohje oli ihan hyvä.';
const QUOTE = 'Ohjeessa pitäisi lukea heti alussa, milloin pitää olla paikalla …';
const QUOTE_WORDS = 'milloin pitää olla paikalla';
const POLL_Q = 'Mikä auttaa ohjeessa eniten?';
const FOLLOW_UP = 'Ohjepohjaa lyhennetään kevään aikana.';

before(async () => {
    ({ browser, base } = suite = await startSuite());
    const server = suite.server;
    mod = await moderator(server, { display_name: NAMES.mod });
    maija = await member(server, { display_name: NAMES.maija });
    pekka = await member(server, { display_name: NAMES.pekka });
    period = await openPeriod(mod.ws, { title: TITLE });
    ({ topic } = await createTopic(mod.ws, period.id, { title: 'Mikä ohjeessa jää epäselväksi?', body: 'Kertokaa kokemuksianne.' }));
    quoted = await createPost(maija.ws, topic.id, POST);
    await createPost(pekka.ws, topic.id, 'Kuvat auttoivat minua eniten.');
    poll = ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, question: POLL_Q, kind: 'single',
        options: ['Selkeä kieli', 'Kuvat'], results_visibility: 'always',
    }), 'poll.create').poll;
    ok(await maija.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id }), 'vote');
    ok(await pekka.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[0].id }), 'vote');
    ok(await mod.ws.request({ type: 'poll.vote', poll_id: poll.id, answer: poll.options[1].id }), 'vote');
    ok(await mod.ws.request({ type: 'period.close', period_id: period.id }), 'period.close');
});

after(async () => {
    for (const who of [mod, maija, pekka]) who?.ws.destroy();
    await suite?.close();
});

// A page in a browser without JavaScript, as a reader of the public site
// with scripts off would see it.
async function noScriptPage() {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'fi-FI', viewport: { width: 1280, height: 900 } });
    return context.newPage();
}

async function waitText(locator, text, what) {
    try {
        await locator.filter({ hasText: text }).first().waitFor({ timeout: 10000 });
    } catch (err) {
        err.message += `\n${what}: ${await locator.first().textContent().catch(() => '(none)')}`;
        throw err;
    }
}

function finding(page, n) {
    return page.locator('#results-findings-list > li').nth(n);
}

test('a moderator composes, previews and publishes results; the public reads them without JavaScript or names', async () => {
    modPage = await pageAs(browser, base, mod);
    await openAt(modPage, base, `/periods/${period.id}`, TITLE);
    // A closed period's page leads moderators to its results.
    await modPage.click('#period-results-link');
    await modPage.locator('#results-form').waitFor();
    assert.equal((await modPage.textContent('main h1')).trim(), `Tulokset: ${TITLE}`);
    assert.match(await modPage.textContent('#results-state'), /Ei tallennettu/);
    assert.match(await modPage.textContent('#results-preview-hint'), /Tallenna tulokset ensin/);
    // The figures that would be published sit next to their checkbox.
    assert.match(await modPage.textContent('#results-fig-total'), /Osallistujia/);
    await assertAccessible(modPage, 'results composer, empty');

    await modPage.fill('#results-summary', SUMMARY);
    // Unsaved changes are said, and preview waits for a save.
    await modPage.locator('#results-unsaved').waitFor();
    for (const [i, f] of FINDINGS.entries()) {
        await modPage.click('#results-finding-add');
        assert.equal(await modPage.evaluate(() => document.activeElement.name), 'finding_title', 'focus on the new finding');
        await finding(modPage, i).locator('input[name=finding_title]').fill(f.title);
        await finding(modPage, i).locator('textarea[name=finding_body]').fill(f.body);
    }
    // Moving a finding: the button says which one, and the order follows.
    await modPage.getByRole('button', { name: 'Siirrä havainto 2 ylös' }).click();
    assert.equal(await finding(modPage, 0).locator('input[name=finding_title]').inputValue(), FINDINGS[1].title);
    await modPage.getByRole('button', { name: 'Siirrä havainto 1 alas' }).click();
    assert.equal(await finding(modPage, 0).locator('input[name=finding_title]').inputValue(), FINDINGS[0].title);

    // Only closed polls can be chosen; closing the period closed this one.
    const pollBox = modPage.locator(`#results-polls-${poll.id}`);
    assert.equal(await pollBox.isDisabled(), false);
    await pollBox.check();

    // The quote picker lists the period's quotable posts without names.
    await modPage.click('#results-picker-toggle');
    await modPage.locator(`#qp-${quoted.id}-use`).waitFor();
    const picker = await modPage.textContent('#results-picker-panel');
    assert.match(picker, /Nimiä ei näytetä koskaan/);
    for (const name of Object.values(NAMES)) assert.ok(!picker.includes(name), `the picker names ${name}`);
    await modPage.click(`#qp-${quoted.id}-use`);
    const quoteText = modPage.locator('#results-quotes-list textarea[name=quote_text]').first();
    assert.equal(await quoteText.evaluate((el) => el === document.activeElement), true, 'focus on the new quote');
    assert.equal(await quoteText.inputValue(), POST);
    await quoteText.fill(QUOTE);

    await modPage.click('#results-save');
    await waitText(modPage.locator('#results-form-notice'), /tallennettu luonnokseksi/, 'save notice');
    assert.match(await modPage.textContent('#results-state'), /Luonnos/);
    await assertAccessible(modPage, 'results composer, filled and saved');

    // The preview opens in a new tab and shows the saved working copy.
    const previewLink = modPage.locator('#results-preview');
    assert.equal(await previewLink.getAttribute('target'), '_blank');
    assert.match(await previewLink.textContent(), /uuteen välilehteen/);
    const [preview] = await Promise.all([modPage.context().waitForEvent('page'), previewLink.click()]);
    await preview.waitForLoadState();
    assert.match(preview.url(), /\/tulokset\/[^/?]+\?preview=1$/);
    slug = decodeURIComponent(new URL(preview.url()).pathname.split('/').pop());
    await preview.locator('.preview-banner').waitFor();
    const previewText = await preview.textContent('main');
    for (const text of [SUMMARY, FINDINGS[0].title, FINDINGS[1].body, POLL_Q, QUOTE_WORDS]) {
        assert.ok(previewText.includes(text), `the preview shows ${text}`);
    }
    await preview.close();

    // Not public before publishing.
    const before = await fetch(`${base}/tulokset/${encodeURIComponent(slug)}`);
    assert.equal(before.status, 404);

    // Publishing asks first and says what happens.
    await modPage.click('#results-publish');
    const confirm = await modPage.textContent('#results-confirm');
    assert.match(confirm, /kaikkien luettavaksi/);
    assert.match(confirm, /osallistujat saavat/);
    assert.ok(confirm.includes(`/tulokset/${slug}`), 'the confirm step names the address');
    await modPage.click('#results-confirm-yes');
    await waitText(modPage.locator('#results-status-notice'), /on julkaistu/, 'publish notice');
    assert.match(await modPage.textContent('#results-state'), /Julkaistu/);
    assert.match(await modPage.textContent('#results-address'), new RegExp(`/tulokset/${slug}`));
    await waitText(modPage.locator('#results-versions'), /Versio 1/, 'versions');

    // The public index and page, without JavaScript.
    const anon = await noScriptPage();
    await anon.goto(`${base}/tulokset`);
    await anon.getByRole('link', { name: TITLE }).click();
    await anon.waitForURL(new RegExp(`/tulokset/${slug}`));
    const main = await anon.textContent('main');
    for (const text of [SUMMARY, FINDINGS[0].title, FINDINGS[0].body, POLL_Q, QUOTE_WORDS]) {
        assert.ok(main.includes(text), `the public page shows ${text}`);
    }
    // The poll's numbers are in a table beside its chart.
    const cells = async (label) => (await anon.locator('main table tr', { hasText: label }).first()
        .locator('td').allTextContents()).map((x) => x.trim());
    assert.ok((await cells('Selkeä kieli')).includes('2'), `Selkeä kieli: ${await cells('Selkeä kieli')}`);
    assert.ok((await cells('Kuvat')).includes('1'), `Kuvat: ${await cells('Kuvat')}`);
    const html = await anon.content();
    for (const name of Object.values(NAMES)) assert.ok(!html.includes(name), `the public page names ${name}`);
    await anon.context().close();
});

test('a follow-up goes live on the public page and reaches a participant as a notice', async () => {
    assert.ok(modPage && slug, 'the page was published');
    await modPage.getByRole('button', { name: `Lisää seurantamerkintä – ${FINDINGS[0].title}` }).click();
    await modPage.locator('#fu-form').waitFor();
    assert.equal(await modPage.evaluate(() => document.activeElement.id), 'fu-form-date');
    assert.match(await modPage.inputValue('#fu-form-date'), /^\d{4}-\d{2}-\d{2}$/, 'the date defaults to today');
    assert.match(await modPage.textContent('#fu-form'), /näkyy julkisella sivulla heti/);
    // "Ei toteuteta" needs a reason; the field appears only for it.
    assert.equal(await modPage.locator('#fu-form-reason').isVisible(), false);
    await modPage.selectOption('#fu-form-status', 'declined');
    await modPage.locator('#fu-form-reason').waitFor();
    await assertAccessible(modPage, 'follow-up form with a reason');
    await modPage.click('#fu-form-submit');
    await waitText(modPage.locator('#fu-form-reason-error'), /miksi/, 'reason error');
    assert.equal(await modPage.getAttribute('#fu-form-reason', 'aria-invalid'), 'true');
    await modPage.selectOption('#fu-form-status', 'in_progress');
    assert.equal(await modPage.locator('#fu-form-reason').isVisible(), false);
    await modPage.fill('#fu-form-text', FOLLOW_UP);
    await modPage.click('#fu-form-submit');
    await waitText(modPage.locator('.rc-follow__finding'), FOLLOW_UP, 'follow-up list');
    assert.match(await modPage.textContent('.rc-follow__finding'), /Työn alla/);
    assert.match(await modPage.textContent('.rc-follow__finding .notice--success'), /näkyy julkisella sivulla/);

    const anon = await noScriptPage();
    await anon.goto(`${base}/tulokset/${encodeURIComponent(slug)}`);
    assert.ok((await anon.textContent('main')).includes(FOLLOW_UP), 'the follow-up is on the public page');
    await anon.context().close();

    // A participant hears of it in the app, with a link to the page.
    const page = await pageAs(browser, base, pekka);
    await openAt(page, base, '/notices', 'Ilmoitukset');
    const item = page.locator('.notice-item', { hasText: 'tuloksiin on lisätty' }).first();
    await item.waitFor();
    assert.match(await item.textContent(), new RegExp(TITLE));
    assert.equal(await item.locator('a').first().getAttribute('href'), `/tulokset/${slug}`);
    await page.locator('.notice-item', { hasText: 'tulokset on julkaistu' }).first().waitFor();
    await page.context().close();
});

test('axe-core: the public index and page in three languages at 1280 and 320 px, and the accessibility statement', async () => {
    assert.ok(slug, 'the page was published');
    // Every page is checked before the test fails, so one run lists all.
    const problems = [];
    const check = async (what, fn) => {
        try {
            await fn();
        } catch (err) {
            problems.push(`${what}: ${err.message}`);
        }
    };
    for (const width of [1280, 320]) {
        const page = await newPage(browser, { width });
        for (const lang of ['fi', 'sv', 'en']) {
            for (const path of ['/tulokset', `/tulokset/${encodeURIComponent(slug)}`]) {
                const what = `${path} in ${lang} at ${width} px`;
                const res = await page.goto(`${base}${path}?lang=${lang}`);
                assert.equal(res.status(), 200, what);
                assert.equal(await page.getAttribute('html', 'lang'), lang, what);
                await check(what, () => assertAccessible(page, what));
                await check(what, () => assertNoHorizontalScroll(page, what));
                const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
                if (scroll > width) problems.push(`${what}: ${scroll}px wide`);
            }
        }
        for (const path of ['/saavutettavuusseloste', '/tillganglighetsredogorelse', '/accessibility']) {
            const what = `${path} at ${width} px`;
            const res = await page.goto(`${base}${path}`);
            assert.equal(res.status(), 200, path);
            await check(what, () => assertAccessible(page, what));
            await check(what, () => assertNoHorizontalScroll(page, what));
        }
        await page.context().close();
    }
    // The composer at 320 px too.
    const narrow = await pageAs(browser, base, mod, { width: 320 });
    await openAt(narrow, base, `/periods/${period.id}/results`, `Tulokset: ${TITLE}`);
    await narrow.locator('#results-form').waitFor();
    await check('composer at 320 px', () => assertAccessible(narrow, 'results composer at 320 px'));
    await check('composer at 320 px', () => assertNoHorizontalScroll(narrow, 'results composer at 320 px'));
    await narrow.context().close();
    assert.deepEqual(problems, []);
});

test('printing the public page: no navigation or language switcher, the tables are there, and a PDF comes out', async () => {
    assert.ok(slug, 'the page was published');
    const page = await newPage(browser);
    await page.goto(`${base}/tulokset/${encodeURIComponent(slug)}`);
    await page.emulateMedia({ media: 'print' });
    for (const selector of ['.lang-switch', '.site-nav']) {
        assert.equal(await page.locator(selector).first().isVisible(), false, `${selector} is hidden in print`);
    }
    const tables = page.locator('main table');
    assert.ok(await tables.count() > 0, 'the page has tables');
    for (let i = 0; i < await tables.count(); i++) {
        assert.equal(await tables.nth(i).isVisible(), true, `table ${i + 1} prints`);
    }
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 1000, `the PDF has ${pdf.length} bytes`);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    await page.context().close();
});

test('a member withdraws a quote from their notice and it leaves the public page', async () => {
    assert.ok(slug, 'the page was published');
    const page = await pageAs(browser, base, maija);
    await openAt(page, base, '/notices', 'Ilmoitukset');
    const item = page.locator('.notice-item', { hasText: 'Viestiäsi lainattiin' }).first();
    await item.waitFor();
    assert.ok((await item.textContent()).includes(QUOTE_WORDS), 'the notice quotes the words');
    assert.equal(await item.locator('a', { hasText: TITLE }).getAttribute('href'), `/tulokset/${slug}`);
    await assertAccessible(page, 'notices with a quoted post');

    await item.getByRole('button', { name: 'Peru lainaus' }).click();
    const yes = item.getByRole('button', { name: 'Kyllä, peru lainaus' });
    await yes.waitFor();
    assert.match(await item.textContent(), /poistuu julkiselta tulossivulta heti/);
    await yes.click();
    await waitText(item, /Lainaus on poistettu sivulta/, 'withdrawn');
    assert.equal(await item.getByRole('button', { name: 'Peru lainaus' }).count(), 0, 'no second withdraw button');
    await page.context().close();

    const anon = await noScriptPage();
    await anon.goto(`${base}/tulokset/${encodeURIComponent(slug)}`);
    assert.ok(!(await anon.textContent('main')).includes(QUOTE_WORDS), 'the quote left the public page');
    await anon.context().close();

    // The moderators see it marked as withdrawn.
    await modPage.reload();
    await modPage.locator('#results-form').waitFor();
    await waitText(modPage.locator('#results-quotes-list'), /Peruttu/, 'withdrawn quote in the composer');
});

test('the profile has the quoting consent, saved with the profile', async () => {
    const page = await pageAs(browser, base, pekka);
    await openAt(page, base, '/profile', null);
    const box = page.locator('#profile-quote_consent');
    assert.equal(await box.isChecked(), true, 'quoting is on by default');
    assert.match(await page.textContent('[data-field="quote_consent"]'), /poistuvat sivuilta/);
    await box.uncheck();
    await page.click('#profile-submit');
    await waitText(page.locator('#profile-form .notice-slot'), /./, 'saved');
    const me = ok(await pekka.ws.request({ type: 'profile.get' }), 'profile.get');
    assert.equal(me.member.quote_consent, false);
    await page.reload();
    await page.locator('#profile-quote_consent').waitFor();
    assert.equal(await page.locator('#profile-quote_consent').isChecked(), false);
    await page.context().close();
});
