// Finnish first, Swedish and English one click away, remembered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
    newPage, open, waitForHeading, registerViaUi, fillRegistration, startSuite,
} from './lib.mjs';

let server, browser, base, config, suite;
before(async () => ({ server, browser, base, config } = suite = await startSuite()));
after(() => suite?.close());

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../web/i18n/${lang}.json`, import.meta.url), 'utf8'));

test('every catalog has the same keys and no empty strings', () => {
    const fi = catalog('fi');
    for (const lang of ['sv', 'en']) {
        const other = catalog(lang);
        assert.deepEqual(Object.keys(other).sort(), Object.keys(fi).sort(), `${lang} keys differ from fi`);
    }
    for (const lang of ['fi', 'sv', 'en']) {
        for (const [key, value] of Object.entries(catalog(lang))) {
            assert.ok(typeof value === 'string' && value.trim(), `${lang}: ${key} is empty`);
        }
    }
});

test('Finnish first; switching to Swedish is remembered after reload', async () => {
    const page = await newPage(browser);
    await open(page, base, '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'fi');
    assert.equal(await page.getAttribute('[data-lang="fi"]', 'aria-pressed'), 'true');
    assert.match(await page.textContent('.hero__region'), new RegExp(config.region.fi, 'i'));

    await page.click('[data-lang="sv"]');
    await waitForHeading(page, catalog('sv')['front.heading']);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal(await page.getAttribute('[data-lang="sv"]', 'aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.lang), 'sv');
    assert.match(await page.textContent('.hero__region'), new RegExp(config.region.sv, 'i'));

    await page.reload();
    await waitForHeading(page, catalog('sv')['front.heading']);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal(await page.evaluate(() => localStorage.getItem('raati.language')), 'sv');
    assert.equal(await page.title(), `${catalog('sv')['front.title']} – Raati`);
    await page.context().close();
});

test('municipality and interest area names follow the language', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    await page.click('[data-lang="en"]');
    await waitForHeading(page, catalog('en')['register.title']);
    const options = await page.locator('#register-municipality option').allTextContents();
    for (const m of config.municipalities) assert.ok(options.includes(m.name.en), `${m.name.en} in ${options}`);
    const labels = (await page.locator('#register-interest_areas label').allTextContents()).map((s) => s.toLowerCase());
    for (const a of config.interest_areas) assert.ok(labels.includes(a.name.en.toLowerCase()), a.name.en);

    await page.click('[data-lang="sv"]');
    await waitForHeading(page, catalog('sv')['register.title']);
    const sv = await page.locator('#register-municipality option').allTextContents();
    for (const m of config.municipalities) assert.ok(sv.includes(m.name.sv), m.name.sv);
    await page.context().close();
});

test('what was typed survives a language switch', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    await page.fill('#register-display_name', 'Kaisa');
    await page.fill('#register-birth_year', '1975');
    await page.click('[data-lang="en"]');
    await waitForHeading(page, catalog('en')['register.title']);
    assert.equal(await page.inputValue('#register-display_name'), 'Kaisa');
    assert.equal(await page.inputValue('#register-birth_year'), '1975');
    await page.context().close();
});

test('a signed-in member\'s language choice is saved to the profile', async () => {
    const page = await newPage(browser);
    await registerViaUi(page, base);
    await page.click('[data-lang="en"]');
    await waitForHeading(page, catalog('en')['profile.title']);
    await page.waitForFunction(async () => {
        const res = await fetch('/api/me', { cache: 'no-store' });
        return (await res.json()).member?.language === 'en';
    }, null, { timeout: 10000 });
    assert.equal(await page.isChecked('#profile-language-en'), true);

    // Choosing Swedish in the profile form switches the interface too.
    await page.check('#profile-language-sv');
    await page.click('#profile-form button[type=submit]');
    await waitForHeading(page, catalog('sv')['profile.title']);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    const member = await page.evaluate(async () => (await (await fetch('/api/me', { cache: 'no-store' })).json()).member);
    assert.equal(member.language, 'sv');
    await page.context().close();
});

test('with nothing stored, the browser\'s language is used (sv*, en*, else Finnish) and not stored', async () => {
    const cases = [['sv-SE', 'sv'], ['sv', 'sv'], ['en-US', 'en'], ['en-GB', 'en'], ['de-DE', 'fi'], ['fi-FI', 'fi']];
    for (const [locale, lang] of cases) {
        const page = await newPage(browser, { locale });
        await open(page, base, '/');
        await waitForHeading(page, catalog(lang)['front.heading']);
        assert.equal(await page.getAttribute('html', 'lang'), lang, locale);
        assert.equal(await page.evaluate(() => localStorage.getItem('raati.language')), null, locale);
        await page.context().close();
    }
    // A choice made here wins over the browser's.
    const page = await newPage(browser, { locale: 'en-US' });
    await page.addInitScript(() => localStorage.setItem('raati.language', 'fi'));
    await open(page, base, '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'fi');
    await page.context().close();
});

test('an English browser registers an English profile', async () => {
    const page = await newPage(browser, { locale: 'en-GB' });
    await open(page, base, '/register');
    await waitForHeading(page, catalog('en')['register.title']);
    await fillRegistration(page);
    await page.click('#register-form button[type=submit]');
    await waitForHeading(page, catalog('en')['profile.title']);
    const member = await page.evaluate(async () => (await (await fetch('/api/me', { cache: 'no-store' })).json()).member);
    assert.equal(member.language, 'en');
    await page.context().close();
});
