// axe-core (WCAG 2.1 A and AA rules) on every screen, 320 px reflow,
// keyboard basics, and the strict Content-Security-Policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    newPage, open, waitForHeading, fillRegistration, registerViaUi, signInViaUi, assertAccessible, assertNoHorizontalScroll, startSuite,
} from './lib.mjs';

let server, browser, base, config, suite;
before(async () => ({ server, browser, base, config } = suite = await startSuite()));
after(() => suite?.close());

// Each screen: how to reach it from a fresh page (the profile screens
// register a new member first).
const SCREENS = {
    'front page': async (page) => open(page, base, '/'),
    register: async (page) => open(page, base, '/register'),
    'register with errors': async (page) => {
        await open(page, base, '/register');
        await page.click('#register-form button[type=submit]');
        await page.locator('#register-form .error-summary:not([hidden])').waitFor();
    },
    'register, too young': async (page) => {
        await open(page, base, '/register');
        await fillRegistration(page, { birth_year: String(config.current_year - 10) });
        await page.click('#register-form button[type=submit]');
        await page.locator('#register-birth_year-error:not([hidden])').waitFor();
    },
    'sign in': async (page) => open(page, base, '/login'),
    'sign-in error': async (page) => {
        await signInViaUi(page, base, 'nobody@raati.example', 'wrong password');
        await page.locator('#login-form .error-summary:not([hidden])').waitFor();
    },
    profile: async (page) => {
        await registerViaUi(page, base);
    },
    'profile with errors': async (page) => {
        await registerViaUi(page, base);
        await page.fill('#profile-display_name', '');
        await page.click('#profile-form button[type=submit]');
        await page.locator('#profile-form .error-summary:not([hidden])').waitFor();
    },
    'profile after saving': async (page) => {
        await registerViaUi(page, base);
        await page.fill('#profile-display_name', ' Maija Tallentaja ');
        await page.click('#profile-form button[type=submit]');
        await page.locator('#profile-form .notice--success').waitFor();
    },
    'privacy notice': async (page) => open(page, base, '/privacy'),
    'page not found': async (page) => open(page, base, '/no-such-page'),
};

for (const [name, reach] of Object.entries(SCREENS)) {
    test(`axe: ${name} (fi) has no WCAG 2.1 AA violations`, async () => {
        const page = await newPage(browser);
        await reach(page);
        assert.equal(await page.getAttribute('html', 'lang'), 'fi');
        assert.equal(await page.locator('h1').count(), 1, 'one h1 per screen');
        await assertAccessible(page, `${name} (fi)`);
        assert.deepEqual(page.errors, []);
        await page.context().close();
    });
}

for (const lang of ['sv', 'en']) {
    for (const name of ['front page', 'register', 'register with errors', 'sign-in error']) {
        test(`axe: ${name} (${lang}) has no violations`, async () => {
            const page = await newPage(browser);
            await page.addInitScript((l) => localStorage.setItem('raati.language', l), lang);
            await SCREENS[name](page);
            assert.equal(await page.getAttribute('html', 'lang'), lang);
            await assertAccessible(page, `${name} (${lang})`);
            await page.context().close();
        });
    }
}

test('at 320 px wide no screen scrolls sideways', async () => {
    for (const [name, reach] of Object.entries(SCREENS)) {
        const page = await newPage(browser, { width: 320, height: 640 });
        await reach(page);
        await assertNoHorizontalScroll(page, name);
        await page.context().close();
    }
});

test('at 200 % zoom (640 px viewport, 2x text) the front page and register form reflow', async () => {
    const page = await newPage(browser, { width: 640, height: 480 });
    await open(page, base, '/');
    await page.addStyleTag({ content: 'html { font-size: 200% !important; }' });
    await assertNoHorizontalScroll(page, 'front page at 200 %');
    await open(page, base, '/register');
    await page.addStyleTag({ content: 'html { font-size: 200% !important; }' });
    await assertNoHorizontalScroll(page, 'register at 200 %');
    await page.context().close();
});

test('keyboard: skip link first, focus to the h1 on route change', async () => {
    const page = await newPage(browser);
    await open(page, base, '/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Siirry pääsisältöön');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.closest('main') !== null), true);
    assert.equal(new URL(page.url()).hash, '#/');

    await page.focus('#site-nav a[href="#/register"]');
    await page.keyboard.press('Enter');
    await waitForHeading(page, 'Rekisteröidy asukaskehittäjäksi');
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
    assert.equal(await page.getAttribute('#site-nav a[href="#/register"]', 'aria-current'), 'page');
    assert.equal(await page.title(), 'Rekisteröidy asukaskehittäjäksi – Raati');

    // The whole registration form can be filled and sent from the keyboard.
    await page.focus('#register-email');
    await page.keyboard.type(`nappis.${Date.now()}@raati.example`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Näppis');
    await page.keyboard.press('Tab');
    await page.keyboard.type('salasana-näppis');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1970');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'register-municipality');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // first interest area
    let guard = 0;
    while (await page.evaluate(() => document.activeElement.id) !== 'register-privacy_consent' && guard++ < 30) {
        await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitForHeading(page, 'Omat tiedot');
    await page.context().close();
});

test('the app runs under the server\'s strict CSP without violations', async () => {
    const page = await newPage(browser, { bypassCSP: false });
    const csp = [];
    page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) csp.push(msg.text());
    });
    const res = await page.goto(`${base}/`);
    assert.match(res.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.locator('main h1').waitFor();
    await open(page, base, '/register');
    await page.click('#register-form button[type=submit]');
    await open(page, base, '/login');
    await page.click('[data-lang="sv"]');
    assert.deepEqual(csp, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});
