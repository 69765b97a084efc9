// Signing in on a new device, what the profile shows after saving, and two
// tabs of the same browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
    newPage, open, waitForHeading, registerViaUi, registerViaApi, signInViaUi, liveText, startSuite,
} from './lib.mjs';

let server, browser, base, config, suite;
before(async () => ({ server, browser, base, config } = suite = await startSuite()));
after(() => suite?.close());

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../web/i18n/${lang}.json`, import.meta.url), 'utf8'));

test('signing in on a new device switches to the profile language with the welcome in it', async () => {
    const f = await registerViaApi(base, config, { display_name: 'Åsa', language: 'sv' });
    const sv = catalog('sv');
    const welcome = sv['login.welcome'].replace('{name}', 'Åsa');

    const page = await newPage(browser); // a Finnish browser, nothing stored
    await signInViaUi(page, base, f.email, f.password);
    await waitForHeading(page, sv['profile.title']);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal(await page.textContent('.flash'), welcome);
    // Announced in Swedish too (the live region settles on the welcome).
    await page.waitForFunction((text) => document.getElementById('live-status').textContent === text, welcome);
    assert.equal(await liveText(page), welcome);
    // The profile's language is used, not made this browser's choice.
    assert.equal(await page.evaluate(() => localStorage.getItem('raati.language')), null);

    // A language change keeps the welcome on screen, in the new language.
    await page.click('[data-lang="en"]');
    await waitForHeading(page, catalog('en')['profile.title']);
    assert.equal(await page.textContent('.flash'), catalog('en')['login.welcome'].replace('{name}', 'Åsa'));
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('after saving, the profile shows what the server stored', async () => {
    const page = await newPage(browser);
    await registerViaUi(page, base, { display_name: 'Maija' });
    assert.match(await page.textContent('main .lead'), /^Hei Maija!/);
    assert.equal(await page.locator('.flash').count(), 1);

    await page.fill('#profile-display_name', '   Maija Virtanen   ');
    await page.click('#profile-form button[type=submit]');
    await page.locator('#profile-form .notice--success').waitFor();
    assert.match(await page.textContent('main .lead'), /^Hei Maija Virtanen!/);
    assert.equal(await page.locator('.flash').count(), 0, 'the registration welcome has gone');
    assert.equal(await page.inputValue('#profile-display_name'), 'Maija Virtanen');
    assert.equal(await page.textContent('#profile-display_name-count'), '14/60 merkkiä');
    assert.equal(await page.textContent('#profile-form .notice--success'), 'Muutokset on tallennettu.');
    // Focus stays on the button that was pressed.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'profile-submit');
    assert.equal(await liveText(page), 'Muutokset on tallennettu.');

    // Saving a new language re-renders from the reply as well.
    await page.fill('#profile-display_name', ' Maija V. ');
    await page.check('#profile-language-en');
    await page.click('#profile-form button[type=submit]');
    await waitForHeading(page, 'My details');
    assert.match(await page.textContent('main .lead'), /Maija V\.!/);
    assert.equal(await page.inputValue('#profile-display_name'), 'Maija V.');
    assert.equal(await page.textContent('#profile-form .notice--success'), catalog('en')['profile.saved']);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('two tabs: signed in again in one, the other opens "My details" without a reload', async () => {
    const a = await newPage(browser);
    const f = await registerViaUi(a, base, { display_name: 'Kaksi Välilehteä' });
    const b = await a.context().newPage();
    b.errors = [];
    b.on('pageerror', (err) => b.errors.push(String(err)));
    await open(b, base, '/');
    await b.locator('#site-nav a[href="#/profile"]').waitFor();

    // Signed out in A: B hears it over its socket.
    await a.locator('#site-nav button', { hasText: 'Kirjaudu ulos' }).click();
    await waitForHeading(a, /kehittämään/);
    await b.locator('#site-nav a[href="#/login"]').waitFor();

    // Signed in again in A; B has not heard, but "My details" works in B.
    await signInViaUi(a, base, f.email, f.password);
    await waitForHeading(a, 'Omat tiedot');
    await b.evaluate(() => { window.location.hash = '#/profile'; });
    await waitForHeading(b, 'Omat tiedot');
    assert.equal(new URL(b.url()).hash, '#/profile');
    assert.equal(await b.locator('#site-nav a[href="#/profile"]').count(), 1);

    // B's socket is the member's now: a save goes through.
    await b.fill('#profile-display_name', 'Toinen välilehti');
    await b.click('#profile-form button[type=submit]');
    await b.locator('#profile-form .notice--success').waitFor();
    assert.match(await b.textContent('main .lead'), /Toinen välilehti/);
    assert.deepEqual(b.errors, []);
    await a.context().close();
});

test('the profile still sends a signed-out person to sign in', async () => {
    const page = await newPage(browser);
    await open(page, base, '/');
    await page.evaluate(() => { window.location.hash = '#/profile'; });
    await waitForHeading(page, 'Kirjaudu sisään');
    assert.equal(new URL(page.url()).hash, '#/login');
    assert.equal(await page.textContent('.flash'), 'Kirjaudu sisään, niin näet omat tietosi.');
    await page.context().close();
});
