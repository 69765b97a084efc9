// What the forms say and how: the display name's rules and counter, error
// texts that fit the problem, notices for what is not the person's mistake,
// and the error summary as a screen reader meets it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    newPage, open, waitForHeading, fillRegistration, signInViaUi, assertAccessible, liveText, uniqueEmail, startSuite,
} from './lib.mjs';

let server, browser, base, config, suite;
before(async () => ({ server, browser, base, config } = suite = await startSuite()));
after(() => suite?.close());

async function me(page) {
    return page.evaluate(async () => {
        const res = await fetch('/api/me', { cache: 'no-store' });
        return res.ok ? (await res.json()).member : null;
    });
}

test('display name: no silent truncation; code points counted after trimming spaces', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    const input = '#register-display_name';
    const count = '#register-display_name-count';
    // The count is part of the field's description, not a live region.
    assert.match(await page.getAttribute(input, 'aria-describedby'), /register-display_name-hint register-display_name-count/);
    assert.equal(await page.getAttribute(count, 'aria-live'), null);
    assert.equal(await page.getAttribute(input, 'maxlength'), null);
    assert.equal(await page.textContent(count), '0/60 merkkiä');

    // 60 emoji are 120 UTF-16 units: all kept, and 60 characters.
    const emoji = '😀'.repeat(60);
    await page.fill(input, `   ${emoji}   `);
    assert.equal(await page.inputValue(input), `   ${emoji}   `);
    assert.equal(await page.textContent(count), '60/60 merkkiä');

    // 61 is refused, with the length, next to the field.
    await page.fill(input, 'a'.repeat(61));
    assert.equal(await page.inputValue(input), 'a'.repeat(61));
    assert.equal(await page.textContent(count), '61/60 merkkiä – 1 liikaa');
    await page.click('#register-form button[type=submit]');
    assert.equal(await page.textContent('#register-display_name-error'),
        'Virhe: Näyttönimessä voi olla enintään 60 merkkiä. Nyt siinä on 61.');
    assert.equal(await page.getAttribute(input, 'aria-invalid'), 'true');
    assert.match(await page.getAttribute(input, 'aria-describedby'), /register-display_name-count register-display_name-error/);
    await assertAccessible(page, 'register, name too long');

    // Invisible characters are not a length problem.
    await page.fill(input, 'Maija\u200bMeikäläinen');
    await page.click('#register-form button[type=submit]');
    assert.equal(await page.textContent('#register-display_name-error'),
        'Virhe: Tarkista näyttönimi: 1–60 merkkiä, ei näkymättömiä tai ohjausmerkkejä.');

    // Only spaces: the name is missing.
    await page.fill(input, '     ');
    await page.click('#register-form button[type=submit]');
    assert.equal(await page.textContent('#register-display_name-error'), 'Virhe: Kirjoita näyttönimi.');

    // The count follows a language change, with what was typed.
    await page.fill(input, 'Åsa');
    await page.click('[data-lang="sv"]');
    await waitForHeading(page, /Registrera/);
    assert.equal(await page.textContent(count), '3/60 tecken');

    // The 60 emoji with spaces round them register, stored trimmed.
    await page.click('[data-lang="fi"]');
    await waitForHeading(page, 'Rekisteröidy asukaskehittäjäksi');
    await fillRegistration(page, { display_name: `  ${emoji}  ` });
    await page.click('#register-form button[type=submit]');
    await waitForHeading(page, 'Omat tiedot');
    assert.equal((await me(page)).display_name, emoji);
    assert.equal(await page.inputValue('#profile-display_name'), emoji);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('a server invalid_field on the name says what the rules are, not "at most 60"', async () => {
    const page = await newPage(browser);
    await page.route('**/api/register', (route) => route.fulfill({
        status: 400,
        json: { ok: false, error: { code: 'invalid_field', field: 'display_name', message: 'display_name may not contain control or invisible characters' } },
    }));
    await open(page, base, '/register');
    await fillRegistration(page, { display_name: 'Maija' });
    await page.click('#register-form button[type=submit]');
    await page.locator('#register-display_name-error:not([hidden])').waitFor();
    assert.equal(await page.textContent('#register-display_name-error'),
        'Virhe: Tarkista näyttönimi: 1–60 merkkiä, ei näkymättömiä tai ohjausmerkkejä.');
    await page.click('[data-lang="en"]');
    await waitForHeading(page, /Register/);
    assert.equal(await page.textContent('#register-display_name-error'),
        'Error: Please check the display name: 1–60 characters, with no invisible or control characters.');
    await page.context().close();
});

test('birth year: a year out of range is told as the range, from /api/config', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    const min = config.current_year - 120;
    const max = config.current_year - config.minimum_age;
    const expected = `Virhe: Kirjoita syntymävuosi numeroina väliltä ${min}–${max}, esimerkiksi 1980.`;
    for (const year of [String(min - 1), '1900', 'vuosi', String(config.current_year + 1)]) {
        await page.fill('#register-birth_year', year);
        await page.click('#register-form button[type=submit]');
        assert.equal(await page.textContent('#register-birth_year-error'), expected, year);
    }
    // No maxlength: a fifth digit is not cut off silently, it is an error.
    await page.fill('#register-birth_year', '19800');
    assert.equal(await page.inputValue('#register-birth_year'), '19800');
    await page.click('#register-form button[type=submit]');
    assert.equal(await page.textContent('#register-birth_year-error'), expected);
    await page.fill('#register-birth_year', String(min));
    await page.click('#register-form button[type=submit]');
    assert.equal(await page.isHidden('#register-birth_year-error'), true);
    await page.context().close();
});

test('registration rate_limited is a notice in minutes, not a field error', async () => {
    const page = await newPage(browser);
    await page.route('**/api/register', (route) => route.fulfill({
        status: 429,
        headers: { 'Retry-After': '125' },
        json: { ok: false, error: { code: 'rate_limited', retry_after: 125, message: 'too many registrations' } },
    }));
    await open(page, base, '/register');
    await fillRegistration(page);
    await page.click('#register-form button[type=submit]');
    const notice = page.locator('#register-form .notice--warning');
    await notice.waitFor();
    assert.equal(await notice.textContent(), 'Yrityksiä on ollut liian monta. Yritä uudelleen 3 minuutin kuluttua.');
    assert.equal(await page.isHidden('#register-form .error-summary'), true);
    assert.equal(await page.locator('#register-form [aria-invalid]').count(), 0);
    assert.equal(await liveText(page), 'Yrityksiä on ollut liian monta. Yritä uudelleen 3 minuutin kuluttua.');
    await assertAccessible(page, 'register, rate limited');
    await page.context().close();
});

test('the error summary is a focusable region read once: no alert, no live region, no stale "Signing in…"', async () => {
    const page = await newPage(browser);
    await signInViaUi(page, base, uniqueEmail('nobody'), 'wrong password');
    const summary = page.locator('#login-form .error-summary');
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));

    const attrs = await summary.evaluate((el) => ({
        role: el.getAttribute('role'),
        live: el.closest('[aria-live], [role=alert], [role=status]') !== null,
        name: document.getElementById(el.getAttribute('aria-labelledby'))?.textContent,
        description: document.getElementById(el.getAttribute('aria-describedby'))?.textContent,
    }));
    assert.equal(attrs.role, 'region');
    assert.equal(attrs.live, false, 'a live summary would be read twice with the focus move');
    assert.equal(attrs.name, 'Kirjautuminen ei onnistunut');
    assert.match(attrs.description, /Sähköpostiosoite tai salasana on väärin/);

    // What the browser hands to a screen reader for the focused summary:
    // the heading as its name, the messages as its description.
    const cdp = await page.context().newCDPSession(page);
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#login-form .error-summary' });
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const ax = nodes[0];
    assert.equal(ax.role.value, 'region');
    assert.equal(ax.name.value, 'Kirjautuminen ei onnistunut');
    assert.match(ax.description?.value ?? '', /Sähköpostiosoite tai salasana on väärin/);
    assert.ok(ax.properties.some((p) => p.name === 'focused' && p.value.value === true));

    // The live region no longer says "Kirjaudutaan…", nor repeats the summary.
    assert.equal(await liveText(page), '');
    await page.context().close();
});

test('registration errors from the server clear "Registering…" too', async () => {
    const page = await newPage(browser);
    await page.route('**/api/register', (route) => route.fulfill({
        status: 409,
        json: { ok: false, error: { code: 'email_taken', field: 'email', message: 'taken' } },
    }));
    await open(page, base, '/register');
    await fillRegistration(page);
    await page.click('#register-form button[type=submit]');
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    assert.equal(await liveText(page), '');
    await page.context().close();
});
