// The demo accounts (serve --demo): a member and a staff account, whose
// resident details are empty, and the sign-in rate limit per account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    newPage, waitForHeading, signInViaUi, assertAccessible, liveText, startSuite,
} from './lib.mjs';

let server, browser, base, suite;
before(async () => ({ server, browser, base } = suite = await startSuite({ args: ['--demo'] })));
after(() => suite?.close());

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

test('too many wrong passwords: rate_limited is a notice that says when to try again', async () => {
    const page = await newPage(browser);
    await signInViaUi(page, base, 'admin@raati.example', 'wrong password 0');
    const summary = page.locator('#login-form .error-summary');
    const notice = page.locator('#login-form .notice--warning');
    for (let i = 1; i <= 10; i++) {
        await page.waitForFunction(() => !document.querySelector('#login-form').hasAttribute('aria-busy') &&
            (document.activeElement?.classList.contains('error-summary') || document.querySelector('#login-form .notice')));
        if (await notice.count()) break;
        await page.fill('#login-password', `wrong password ${i}`);
        await page.click('#login-form button[type=submit]');
        await page.waitForFunction(() => !document.querySelector('#login-form').hasAttribute('aria-busy'));
    }
    const text = await notice.textContent();
    // In minutes, with what to do about a forgotten password.
    assert.match(text, /^Yrityksiä on ollut liian monta\. Yritä uudelleen \d+ minuutin kuluttua\./);
    assert.match(text, /Unohditko salasanasi\?/);
    // Not a mistake in the form: no "check the following", no invalid fields.
    assert.equal(await summary.isHidden(), true);
    assert.equal(await page.locator('#login-form [aria-invalid]').count(), 0);
    // Announced in place of "Signing in…".
    assert.match(await liveText(page), /^Yrityksiä on ollut liian monta\..*Unohditko salasanasi\?/);
    await assertAccessible(page, 'sign-in rate limited');

    // It stays, in the new language, across a language change.
    await page.click('[data-lang="en"]');
    await waitForHeading(page, 'Sign in');
    assert.match(await notice.textContent(), /^Too many attempts\. Please try again in \d+ minutes?\..*Forgotten your password\?/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});
