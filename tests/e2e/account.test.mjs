// Registration, sign-in, sign-out and the profile, through the real UI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    newPage, open, waitForHeading, fillRegistration, registerViaUi, signInViaUi, uniqueEmail, startSuite,
} from './lib.mjs';

let server, browser, base, config, suite;
before(async () => ({ server, browser, base, config } = suite = await startSuite()));
after(() => suite?.close());

async function me(page) {
    return page.evaluate(async () => {
        const res = await fetch('/api/me', { cache: 'no-store' });
        return { status: res.status, body: await res.json() };
    });
}

async function loginStatus(email, password) {
    const res = await fetch(`${base}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password }),
    });
    return res.status;
}

test('register a new member, land signed in, sign out and sign in again', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    const f = await fillRegistration(page, { display_name: 'Maija Testinen', interests: 2 });
    await page.click('#register-form button[type=submit]');

    await waitForHeading(page, 'Omat tiedot');
    assert.match(await page.locator('.flash').textContent(), /Tervetuloa asukaskehittäjäksi, Maija Testinen!/);
    assert.equal(await page.inputValue('#profile-display_name'), 'Maija Testinen');
    assert.match(await page.locator('.details').textContent(), new RegExp(f.email.replace(/[.+]/g, '\\$&')));
    assert.equal(await page.locator('#profile-interest_areas input:checked').count(), 2);
    let who = await me(page);
    assert.equal(who.status, 200);
    assert.equal(who.body.member.email, f.email);
    assert.equal(who.body.member.display_name, 'Maija Testinen');
    assert.equal(who.body.member.language, 'fi');
    assert.equal(who.body.member.privacy_consent.version, config.privacy_notice_version);
    // Focus moved to the new screen's heading.
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');

    await page.locator('#site-nav button', { hasText: 'Kirjaudu ulos' }).click();
    await waitForHeading(page, 'Tule kehittämään sosiaali- ja terveyspalveluja');
    assert.equal(await page.locator('.flash').textContent(), 'Olet kirjautunut ulos.');
    who = await me(page);
    assert.equal(who.status, 401);
    assert.equal(await page.locator('#site-nav a[href="#/login"]').count(), 1);

    await signInViaUi(page, base, f.email, f.password);
    await waitForHeading(page, 'Omat tiedot');
    assert.match(await page.locator('.flash').textContent(), /Tervetuloa takaisin, Maija Testinen!/);
    who = await me(page);
    assert.equal(who.status, 200);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('a wrong password shows the error and keeps the email', async () => {
    const page = await newPage(browser);
    const f = await registerViaUi(page, base);
    await page.locator('#site-nav button', { hasText: 'Kirjaudu ulos' }).click();
    await waitForHeading(page, /kehittämään/);

    await signInViaUi(page, base, f.email, 'not the password');
    const summary = page.locator('#login-form .error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Sähköpostiosoite tai salasana on väärin/);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('error-summary')), true);
    assert.equal(await page.inputValue('#login-email'), f.email);
    assert.equal(await page.inputValue('#login-password'), '');
    assert.equal(await page.locator('main h1').textContent(), 'Kirjaudu sisään');
    assert.equal((await me(page)).status, 401);

    // An unknown email gets the very same message.
    await page.fill('#login-email', uniqueEmail('nobody'));
    await page.fill('#login-password', 'whatever-it-is');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    assert.match(await summary.textContent(), /Sähköpostiosoite tai salasana on väärin/);
    await page.context().close();
});

test('empty sign-in form: errors next to both fields', async () => {
    const page = await newPage(browser);
    await open(page, base, '/login');
    await page.click('#login-form button[type=submit]');
    assert.equal(await page.textContent('#login-email-error'), 'Virhe: Kirjoita sähköpostiosoitteesi.');
    assert.equal(await page.getAttribute('#login-email', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#login-password', 'aria-describedby'), 'login-password-error');
    // The summary's links move focus to the field without changing the route.
    await page.click('#login-form .error-summary a >> nth=1');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
    assert.equal(new URL(page.url()).hash, '#/login');
    await page.context().close();
});

test('a birth year under 15 gives the reason next to the field and makes no account', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    const year = String(config.current_year - config.minimum_age + 1);
    const f = await fillRegistration(page, { birth_year: year });
    await page.click('#register-form button[type=submit]');

    const error = page.locator('#register-birth_year-error');
    await error.waitFor();
    // Kind, not a correction: when they can join, not what to type.
    assert.equal(await error.textContent(), `Virhe: Raatiin voi liittyä sinä vuonna, jona täytät ${config.minimum_age} vuotta. ` +
        `Olet tervetullut mukaan vuonna ${Number(year) + config.minimum_age}!`);
    assert.equal(await page.getAttribute('#register-birth_year', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#register-birth_year', 'aria-describedby'), /register-birth_year-error/);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('error-summary')), true);
    assert.equal(await page.locator('.error-summary li').count(), 1);
    assert.equal(await page.locator('main h1').textContent(), 'Rekisteröidy asukaskehittäjäksi');
    assert.equal(await loginStatus(f.email, f.password), 401);
    await page.context().close();
});

test('the server\'s too_young is shown next to the birth year even when the client let it through', async () => {
    const page = await newPage(browser);
    // Make the client believe it is 20 years later, so only the server objects.
    await page.route('**/api/config', async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        body.current_year += 20;
        await route.fulfill({ response: res, json: body });
    });
    await open(page, base, '/register');
    const f = await fillRegistration(page, { birth_year: String(config.current_year - 5) });
    const reply = page.waitForResponse('**/api/register');
    await page.click('#register-form button[type=submit]');
    const res = await reply;
    assert.equal(res.status(), 400);
    const body = await res.json();
    assert.equal(body.error.code, 'too_young');
    assert.equal(body.error.field, 'birth_year');
    await page.waitForFunction(() => !document.getElementById('register-birth_year-error').hidden);
    assert.match(await page.textContent('#register-birth_year-error'),
        new RegExp(`tervetullut mukaan vuonna ${config.current_year - 5 + config.minimum_age}!`));
    assert.equal(await page.getAttribute('#register-birth_year', 'aria-invalid'), 'true');
    assert.equal(await loginStatus(f.email, f.password), 401);
    await page.context().close();
});

test('an email already registered is reported next to the email field', async () => {
    const page = await newPage(browser);
    const first = await registerViaUi(page, base);
    await page.context().close();

    const other = await newPage(browser);
    await open(other, base, '/register');
    await fillRegistration(other, { email: first.email });
    await other.click('#register-form button[type=submit]');
    const error = other.locator('#register-email-error');
    await error.waitFor();
    assert.match(await error.textContent(), /Tällä sähköpostiosoitteella on jo tunnus/);
    assert.equal(await other.getAttribute('#register-email', 'aria-invalid'), 'true');
    await other.context().close();
});

test('the registration form lists every missing answer', async () => {
    const page = await newPage(browser);
    await open(page, base, '/register');
    await page.click('#register-form button[type=submit]');
    const items = await page.locator('#register-form .error-summary li').allTextContents();
    assert.equal(items.length, 6, items.join(' | '));
    for (const id of ['email', 'display_name', 'password', 'birth_year', 'municipality']) {
        assert.equal(await page.getAttribute(`#register-${id}`, 'aria-invalid'), 'true', id);
    }
    assert.match(await page.textContent('#register-privacy_consent-error'), /tietosuojaselosteen/);
    await page.context().close();
});

test('profile edits persist after reload', async () => {
    const page = await newPage(browser);
    await registerViaUi(page, base, { display_name: 'Ville', birth_year: '1990', interests: 1 });
    const municipality = config.municipalities[config.municipalities.length - 1].id;
    const areas = config.interest_areas.map((a) => a.id);

    await page.fill('#profile-display_name', 'Ville V.');
    await page.fill('#profile-birth_year', '1985');
    await page.selectOption('#profile-municipality', municipality);
    for (const id of areas) await page.check(`#profile-interest_areas-${id}`);
    await page.click('#profile-form button[type=submit]');
    await page.locator('#profile-form .notice--success').waitFor();
    assert.equal(await page.textContent('#profile-form .notice--success'), 'Muutokset on tallennettu.');

    await page.reload();
    await waitForHeading(page, 'Omat tiedot');
    assert.equal(await page.inputValue('#profile-display_name'), 'Ville V.');
    assert.equal(await page.inputValue('#profile-birth_year'), '1985');
    assert.equal(await page.inputValue('#profile-municipality'), municipality);
    assert.equal(await page.locator('#profile-interest_areas input:checked').count(), areas.length);
    const who = await me(page);
    assert.equal(who.body.member.display_name, 'Ville V.');
    assert.equal(who.body.member.birth_year, 1985);
    assert.deepEqual([...who.body.member.interest_areas].sort(), [...areas].sort());

    // A too-young birth year is refused in the profile too.
    await page.fill('#profile-birth_year', String(config.current_year - 3));
    await page.click('#profile-form button[type=submit]');
    await page.locator('#profile-birth_year-error').waitFor();
    assert.match(await page.textContent('#profile-birth_year-error'),
        new RegExp(`tervetullut mukaan vuonna ${config.current_year - 3 + config.minimum_age}!`));
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('password change: the wrong current password is refused, the right one works', async () => {
    const page = await newPage(browser);
    const f = await registerViaUi(page, base);

    await page.fill('#password-current_password', 'not my password');
    await page.fill('#password-new_password', 'uusi salalause 2026');
    await page.click('#password-form button[type=submit]');
    await page.locator('#password-current_password-error').waitFor();
    assert.match(await page.textContent('#password-current_password-error'), /Nykyinen salasana on väärin/);

    await page.fill('#password-current_password', f.password);
    await page.fill('#password-new_password', 'uusi salalause 2026');
    await page.click('#password-form button[type=submit]');
    await page.locator('#password-form .notice--success').waitFor();
    assert.equal(await page.inputValue('#password-new_password'), '');
    assert.equal(await loginStatus(f.email, f.password), 401);
    assert.equal(await loginStatus(f.email, 'uusi salalause 2026'), 200);
    await page.context().close();
});

test('the profile needs a signed-in member', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/#/profile`);
    await waitForHeading(page, 'Kirjaudu sisään');
    assert.equal(new URL(page.url()).hash, '#/login');
    assert.equal(await page.textContent('.flash'), 'Kirjaudu sisään, niin näet omat tietosi.');
    await page.context().close();
});
