// The demo accounts (serve --demo): a member and a staff account, whose
// resident details are empty, and the sign-in rate limit per account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startServer, launchBrowser, newPage, waitForHeading, signInViaUi, assertAccessible, SERVER_ENV,
} from './lib.mjs';

let server;
let browser;
let base;

before(async () => {
    server = await startServer({ env: SERVER_ENV, args: ['--demo'] });
    base = server.url;
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

test('the demo member signs in and sees their details', async () => {
    const page = await newPage(browser);
    await signInViaUi(page, base, 'jasen@raati.example', 'Asukas-2026!');
    await waitForHeading(page, 'Omat tiedot');
    assert.match(await page.textContent('.details'), /jasen@raati\.example/);
    assert.notEqual(await page.inputValue('#profile-municipality'), '');
    await page.context().close();
});

test('a moderator without resident details can open and save the profile', async () => {
    const page = await newPage(browser);
    await signInViaUi(page, base, 'moderaattori@raati.example', 'Moderaattori-2026!');
    await waitForHeading(page, 'Omat tiedot');
    assert.match(await page.textContent('.details'), /Moderaattori/);
    await assertAccessible(page, 'moderator profile');
    await page.click('#profile-form button[type=submit]');
    await page.locator('#profile-form .notice').waitFor();
    assert.match(await page.textContent('#profile-form .notice'), /Et muuttanut mitään|Muutokset on tallennettu/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('too many wrong passwords: rate_limited says when to try again', async () => {
    const page = await newPage(browser);
    await signInViaUi(page, base, 'admin@raati.example', 'wrong password 0');
    const summary = page.locator('#login-form .error-summary');
    let text = '';
    for (let i = 1; i <= 10; i++) {
        await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
        text = await summary.textContent();
        if (/liian monta/i.test(text)) break;
        await page.fill('#login-password', `wrong password ${i}`);
        await page.click('#login-form button[type=submit]');
        await page.waitForFunction(() => !document.querySelector('#login-form').hasAttribute('aria-busy'));
    }
    assert.match(text, /Yrityksiä on ollut liian monta\. Yritä uudelleen \d+ (minuutin|sekunnin) kuluttua\./);
    await assertAccessible(page, 'sign-in rate limited');
    await page.context().close();
});
