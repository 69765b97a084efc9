// The region's contact address (GET /api/config `contact_email`, a string
// or null): forgotten passwords on the sign-in page, data requests in the
// privacy notice, and the footer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
    startServer, newPage, open, waitForHeading, patchConfig, assertAccessible, assertNoHorizontalScroll, fetchConfig, SERVER_ENV, startSuite,
} from './lib.mjs';

let server, browser, base, config, suite;
before(async () => ({ server, browser, base, config } = suite = await startSuite()));
after(() => suite?.close());

const SV_PRIVACY = JSON.parse(readFileSync(new URL('../../web/i18n/sv.json', import.meta.url), 'utf8'))['privacy.title'];
const EMAIL = 'raati.tietosuoja@hyvinvointialue.example';

test('with a contact address: forgotten password, privacy requests and the footer link to it', async () => {
    const page = await newPage(browser);
    await patchConfig(page, { contact_email: EMAIL });
    await open(page, base, '/login');
    const forgot = page.locator('#login-forgot');
    assert.equal(await forgot.textContent(),
        `Unohditko salasanasi? Kirjoita osoitteeseen ${EMAIL} siitä sähköpostiosoitteesta, jolla rekisteröidyit, niin saat uuden salasanan.`);
    assert.equal(await forgot.locator('a').getAttribute('href'), `mailto:${EMAIL}`);
    assert.equal(await page.locator('.footer-contact').textContent(), `Yhteystiedot: ${EMAIL}`);
    assert.equal(await page.locator('.footer-contact a').getAttribute('href'), `mailto:${EMAIL}`);
    await assertAccessible(page, 'sign in with a contact address');

    await open(page, base, '/privacy');
    const contact = page.locator('main .privacy__contact');
    assert.equal(await contact.textContent(), `Lähetä tällainen pyyntö osoitteeseen ${EMAIL}.`);
    assert.equal(await contact.locator('a').getAttribute('href'), `mailto:${EMAIL}`);
    assert.match(await page.textContent('main .privacy'), /nähtäväksesi kaikki sinusta tallennetut tiedot, korjauttaa ne/);

    await page.click('[data-lang="sv"]');
    await waitForHeading(page, SV_PRIVACY);
    assert.equal(await contact.textContent(), `Skicka en sådan begäran till ${EMAIL}.`);
    assert.equal(await page.locator('.footer-contact').textContent(), `Kontakt: ${EMAIL}`);
    await page.context().close();

    // A long address wraps instead of widening a phone screen.
    const narrow = await newPage(browser, { width: 320, height: 640 });
    await patchConfig(narrow, { contact_email: `asukaskehittajien.tietosuojavastaava.${EMAIL}` });
    await open(narrow, base, '/login');
    await assertNoHorizontalScroll(narrow, 'sign in with a long contact address');
    await narrow.context().close();
});

test('without a contact address: the same places ask to contact the county', async () => {
    const page = await newPage(browser);
    await patchConfig(page, { contact_email: null });
    await open(page, base, '/login');
    assert.equal(await page.textContent('#login-forgot'),
        'Unohditko salasanasi? Ota yhteyttä hyvinvointialueeseen, niin saat uuden salasanan.');
    assert.equal(await page.locator('a[href^="mailto:"]').count(), 0);
    assert.equal(await page.textContent('.footer-contact'), 'Kysyttävää Raatista? Ota yhteyttä hyvinvointialueeseen.');
    await open(page, base, '/privacy');
    assert.equal(await page.textContent('main .privacy__contact'),
        'Lähetä tällainen pyyntö ottamalla yhteyttä hyvinvointialueeseen.');
    await page.click('[data-lang="en"]');
    await waitForHeading(page, /Privacy/);
    assert.equal(await page.textContent('main .privacy__contact'),
        'To make such a request, please contact the wellbeing services county.');
    await assertAccessible(page, 'privacy notice without a contact address (en)');
    await page.context().close();
});

test('the server\'s own config is used as it comes', async () => {
    const page = await newPage(browser);
    await open(page, base, '/login');
    const links = await page.locator('#login-forgot a[href^="mailto:"]').count();
    if (typeof config.contact_email === 'string' && config.contact_email) {
        assert.equal(links, 1);
        assert.equal(await page.getAttribute('#login-forgot a', 'href'), `mailto:${config.contact_email}`);
    } else {
        assert.equal(links, 0);
        assert.match(await page.textContent('#login-forgot'), /Ota yhteyttä hyvinvointialueeseen/);
    }
    await page.context().close();
});

test('RAATI_CONTACT_EMAIL set on the server reaches the sign-in page, privacy notice and footer', async (t) => {
    const own = await startServer({ env: { ...SERVER_ENV, RAATI_CONTACT_EMAIL: EMAIL } });
    try {
        const served = await fetchConfig(own.url);
        if (!('contact_email' in served)) {
            t.skip('this raati binary does not send contact_email yet');
            return;
        }
        assert.equal(served.contact_email, EMAIL);
        const page = await newPage(browser);
        await open(page, own.url, '/login');
        assert.equal(await page.getAttribute('#login-forgot a', 'href'), `mailto:${EMAIL}`);
        assert.equal(await page.getAttribute('.footer-contact a', 'href'), `mailto:${EMAIL}`);
        await open(page, own.url, '/privacy');
        assert.equal(await page.getAttribute('main .privacy__contact a', 'href'), `mailto:${EMAIL}`);
        assert.deepEqual(page.errors, []);
        await page.context().close();
    } finally {
        await own.stop();
    }
});
