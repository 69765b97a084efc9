// The moderators' console in the browser (#/moderation/members and
// #/moderation/log): a moderator finds a member and suspends them with a
// reason (errors shown by the fields), the member sees the suspension on
// their profile and gets the suspension message when replying, the
// moderator lifts it after a confirm step, and the log shows both, with
// its action filter, a member filter and older pages. An admin changes a
// member's role after a confirm step (never their own). A member cannot
// reach the console and has no link to it. axe-core on every new screen
// (Finnish, one in Swedish and one in English); nothing scrolls sideways
// at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll } from './lib.mjs';
import {
    ok, member, moderator, openPeriod, createTopic, pageAs, openAt, watchLive, waitSaid,
} from './forum.mjs';

let server, browser, base, suite;
let mod, admin, suvi, ville, topic;

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    admin = await moderator(server, { role: 'admin', display_name: 'Ylläpitäjä Ylva' });
    suvi = await member(server, { display_name: 'Suvi Seurattava' });
    ville = await member(server, { display_name: 'Ville Vapaaehtoinen' });
    const period = await openPeriod(mod.ws, { title: 'Moderointitestin jakso' });
    ({ topic } = await createTopic(mod.ws, period.id, { title: 'Jäädytyksen aihe', body: 'Kertokaa kokemuksia.' }));
});

after(async () => {
    for (const who of [mod, admin, suvi, ville]) who?.ws.destroy();
    await suite?.close();
});

async function done(...pages) {
    for (const page of pages) {
        assert.deepEqual(page.errors, []);
        await page.context().close();
    }
}

async function focused(page) {
    return page.evaluate(() => document.activeElement?.id);
}

async function search(page, query) {
    await page.fill('#member-search-query', query);
    await page.click('#member-search-submit');
    await page.locator('#member-results-count').waitFor();
}

function navLink(page) {
    return page.locator('#site-nav a', { hasText: 'Moderointi' });
}

test('a member cannot reach the console and has no link to it; staff have the link', async () => {
    const page = await pageAs(browser, base, ville);
    await openAt(page, base, '/moderation/members', 'Jäsenet');
    assert.match(await page.textContent('#mod-no-access'), /Ei oikeutta/);
    assert.equal(await page.locator('#member-search').count(), 0);
    assert.equal(await navLink(page).count(), 0);
    await assertAccessible(page, 'no access (members)');
    await openAt(page, base, '/moderation/log', 'Moderointiloki');
    assert.match(await page.textContent('#mod-no-access'), /Ei oikeutta/);
    assert.equal(await page.locator('#log-table').count(), 0);
    assert.equal(await navLink(page).count(), 0);

    const modPage = await pageAs(browser, base, mod);
    await openAt(modPage, base, '/periods', null);
    // The link opens the console's first screen, the queue.
    await navLink(modPage).click();
    await modPage.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Moderointijono');
    assert.match(modPage.url(), /#\/moderation\/queue$/);
    assert.equal(await navLink(modPage).getAttribute('aria-current'), 'page');
    await openAt(modPage, base, '/moderation/members', 'Jäsenet');
    assert.equal(await navLink(modPage).getAttribute('aria-current'), 'page');
    await done(page, modPage);
});

test('a moderator suspends a member with a reason; the member sees it and cannot reply; the moderator lifts it; the log shows both', async () => {
    const page = await pageAs(browser, base, mod);
    await openAt(page, base, '/moderation/members', 'Jäsenet');
    await watchLive(page);
    await assertAccessible(page, 'member search (empty)');

    // An empty search is an error next to the field.
    await page.click('#member-search-submit');
    await page.locator('#member-search-query-error', { hasText: 'Kirjoita hakusana' }).waitFor();
    assert.equal(await page.getAttribute('#member-search-query', 'aria-invalid'), 'true');

    // Nothing found says so.
    await search(page, 'ketäänei');
    assert.equal(await page.textContent('#member-results'), 'HakutuloksetHakusanalla ”ketäänei” ei löytynyt jäseniä.');

    await search(page, 'seurattava');
    assert.equal(await page.textContent('#member-results-count'), 'Löytyi 1 jäsen.');
    await waitSaid(page, /Löytyi 1 jäsen/);
    const id = suvi.member.id;
    const row = page.locator(`#member-${id}`);
    assert.match(await row.textContent(), /Suvi Seurattava/);
    assert.match(await row.textContent(), new RegExp(suvi.email.replace(/[.+]/g, '\\$&')));
    assert.equal(await page.textContent(`#member-${id}-role`), 'Asukaskehittäjä');
    assert.equal(await page.textContent(`#member-${id}-status`), 'Ei jäädytetty');
    // A moderator has no role control.
    assert.equal(await page.locator(`#role-${id}`).count(), 0);
    await assertAccessible(page, 'member search results');

    // The form: no reason and a time in the past are errors by the fields.
    await page.click(`#member-${id}-suspend`);
    assert.equal(await focused(page), `suspend-${id}-until-date`);
    await page.fill(`#suspend-${id}-until-date`, '2020-01-01');
    await page.click(`#suspend-${id}-submit`);
    await page.locator(`#suspend-${id}-until-error`, { hasText: 'tulevaisuudessa' }).waitFor();
    assert.match(await page.textContent(`#suspend-${id}-reason-error`), /Kirjoita syy/);
    assert.equal(await page.getAttribute(`#suspend-${id}-reason`, 'aria-invalid'), 'true');
    assert.match(await page.getAttribute(`#suspend-${id}-reason`, 'aria-describedby'), new RegExp(`suspend-${id}-reason-error`));
    await assertAccessible(page, 'suspend form with errors');

    const until = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    // The browser runs in Europe/Helsinki; the date input takes its local date.
    const local = new Date(until.toLocaleString('en-US', { timeZone: 'Europe/Helsinki' }));
    await page.fill(`#suspend-${id}-until-date`, `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`);
    await page.fill(`#suspend-${id}-until-time`, '12:00');
    await page.fill(`#suspend-${id}-reason`, 'Toistuvaa häirintää keskustelussa');
    await page.click(`#suspend-${id}-submit`);
    // A RegExp: hasText with a string ignores case, and "Ei jäädytetty" holds "Jäädytetty".
    await page.locator(`#member-${id}-status`, { hasText: /^Jäädytetty/ }).waitFor();
    assert.match(await page.textContent(`#member-${id}-status`), /Syy: Toistuvaa häirintää keskustelussa/);
    assert.match(await page.textContent(`#member-${id}-status`), /klo 12\.00/);
    assert.equal(await page.locator(`#suspend-${id}`).count(), 0, 'the form closes');
    assert.equal(await focused(page), `member-${id}-name`);
    await waitSaid(page, /Suvi Seurattava on jäädytetty/);
    await assertAccessible(page, 'suspended member row');

    // The member: the profile says so, and the topic offers no reply box but
    // says why and until when.
    const memberPage = await pageAs(browser, base, suvi);
    await openAt(memberPage, base, '/profile', null);
    await memberPage.locator('.notice--warning', { hasText: 'Tilisi on jäädytetty' }).waitFor();
    assert.match(await memberPage.textContent('main'), /Moderaattorin ilmoittama syy: Toistuvaa häirintää keskustelussa/);
    await openAt(memberPage, base, `/topics/${topic.id}`, topic.title);
    await memberPage.locator('#suspended-composer', { hasText: 'Tilisi on jäädytetty' }).waitFor();
    assert.match(await memberPage.textContent('#suspended-composer'), /klo 12\.00/);
    assert.equal(await memberPage.locator('#reply-top-body').count(), 0, 'no reply box while suspended');
    await assertAccessible(memberPage, 'topic while suspended');

    // Lifting it: a confirm step with an optional reason.
    await page.click(`#member-${id}-unsuspend`);
    assert.equal(await focused(page), `unsuspend-${id}-q`);
    assert.match(await page.textContent(`#unsuspend-${id}-q`), /Poistetaanko jäsenen Suvi Seurattava jäädytys/);
    await assertAccessible(page, 'unsuspend confirm');
    // Cancel keeps it.
    await page.click(`#unsuspend-${id}-cancel`);
    assert.equal(await page.locator(`#unsuspend-${id}`).count(), 0);
    assert.equal(await focused(page), `member-${id}-unsuspend`);
    await page.click(`#member-${id}-unsuspend`);
    await page.fill(`#unsuspend-${id}-reason`, 'Asiasta sovittiin');
    await page.click(`#unsuspend-${id}-submit`);
    await page.locator(`#member-${id}-status`, { hasText: 'Ei jäädytetty' }).waitFor();
    await waitSaid(page, /jäädytys on poistettu/);

    // Now the member can reply (after the page learns of it: a reload).
    await memberPage.reload();
    await openAt(memberPage, base, `/topics/${topic.id}`, topic.title);
    await memberPage.fill('#reply-top-body', 'Jäädytys on ohi, vastaan.');
    await memberPage.click('#reply-top button[type=submit]');
    await memberPage.locator('article.post', { hasText: 'Jäädytys on ohi, vastaan.' }).waitFor();

    // The log: both entries, newest first, in plain words.
    await page.click('.console-nav a:has-text("Moderointiloki")');
    await openAt(page, base, '/moderation/log', 'Moderointiloki');
    await page.locator('#log-table').waitFor();
    const rows = page.locator('#log-table tbody tr');
    const first = await rows.nth(0).textContent();
    const second = await rows.nth(1).textContent();
    assert.match(first, /Moderaattori Mari.*poisti jäädytyksen.*Suvi Seurattava.*Asiasta sovittiin/);
    assert.match(second, /Moderaattori Mari.*jäädytti jäsenen.*Suvi Seurattava.*Toistuvaa häirintää keskustelussa.*Päättyy/);
    // The command line's role changes, by "komentorivi".
    assert.match(await page.textContent('#log-table'), /komentorivi.*muutti roolia \(komentorivi\)/s);
    // The period and topic made by the moderator.
    assert.match(await page.textContent('#log-table'), /avasi jakson/);
    // The fields a change set, in words.
    assert.match(await page.textContent('#log-table'), /loi jakson.*Kentät: otsikko, kuvaus, alkamisaika, päättymisaika/s);
    assert.doesNotMatch(await page.textContent('#log-body'), /null|undefined|false/);
    await assertAccessible(page, 'moderation log');

    // Filter by action.
    await page.selectOption('#log-filter-action', 'member.suspend');
    await page.click('#log-filter-submit');
    await page.waitForFunction(() => [...document.querySelectorAll('#log-table tbody tr')]
        .every((tr) => tr.textContent.includes('jäädytti jäsenen')));
    assert.equal(await rows.count(), 1);
    await waitSaid(page, /Näytetään 1 tapahtuma/);

    // Filter by member: clicking a name.
    await page.selectOption('#log-filter-action', '');
    await page.click('#log-filter-submit');
    await page.waitForFunction(() => document.querySelectorAll('#log-table tbody tr').length > 2);
    await page.locator('#log-table button', { hasText: 'Suvi Seurattava' }).first().click();
    await page.locator('#log-filter-target', { hasText: 'Suvi Seurattava' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#log-table tbody tr').length === 2);
    assert.equal(await focused(page), 'log-filter-target-clear');
    await assertAccessible(page, 'log filtered by member');
    await page.click('#log-filter-target-clear');
    await page.waitForFunction(() => document.querySelectorAll('#log-table tbody tr').length > 2);
    assert.equal(await page.locator('#log-filter-target').count(), 0);
    await done(page, memberPage);
});

test('an admin makes a member a moderator after a confirm step; their own row has no role control', async () => {
    const page = await pageAs(browser, base, admin);
    await openAt(page, base, '/moderation/members', 'Jäsenet');
    await watchLive(page);
    await search(page, 'Ville');
    const id = ville.member.id;
    const select = `#role-${id}-role`;
    assert.equal(await page.inputValue(select), 'member');

    // The same role is an error by the field.
    await page.click(`#role-${id}-submit`);
    await page.locator(`#role-${id}-role-error`, { hasText: 'on jo tämä rooli' }).waitFor();

    await page.selectOption(select, 'moderator');
    await page.click(`#role-${id}-submit`);
    assert.equal(await focused(page), `role-${id}-q`);
    assert.match(await page.textContent(`#role-${id}-q`), /Asukaskehittäjä → Moderaattori/);
    await assertAccessible(page, 'role confirm');
    // Cancel keeps the role.
    await page.click(`#role-${id}-no`);
    assert.equal(await page.locator(`#role-${id}-confirm`).count(), 0);
    assert.equal(await page.textContent(`#member-${id}-role`), 'Asukaskehittäjä');

    await page.selectOption(select, 'moderator');
    await page.click(`#role-${id}-submit`);
    await page.fill(`#role-${id}-reason`, 'Uusi moderaattori');
    await page.click(`#role-${id}-yes`);
    await page.locator(`#member-${id}-role`, { hasText: 'Moderaattori' }).waitFor();
    await waitSaid(page, /rooli on nyt Moderaattori/);
    // Staff are not suspended: no suspend button any more.
    assert.equal(await page.locator(`#member-${id}-suspend`).count(), 0);
    assert.equal(await focused(page), `member-${id}-name`);

    // The server sees the new role.
    const found = ok(await admin.ws.request({ type: 'member.find', query: 'Ville' }), 'member.find');
    assert.equal(found.members.find((m) => m.id === id).role, 'moderator');

    // The admin's own row: no role control.
    await search(page, 'Ylläpitäjä Ylva');
    assert.match(await page.textContent(`#member-${admin.member.id}`), /\(sinä\)/);
    assert.equal(await page.locator(`#role-${admin.member.id}`).count(), 0);

    await openAt(page, base, '/moderation/log', 'Moderointiloki');
    await page.locator('#log-table').waitFor();
    assert.match(await page.textContent('#log-table tbody tr:first-child'),
        /Ylläpitäjä Ylva.*muutti roolia.*Ville Vapaaehtoinen.*Uusi moderaattori.*Asukaskehittäjä → Moderaattori/);
    await done(page);
});

test('older log entries page in with "Näytä vanhemmat"', async () => {
    // 60 more entries: suspend and lift a member 30 times.
    const extra = await member(server, { display_name: 'Sivutus Sami' });
    const until = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    for (let i = 0; i < 30; i++) {
        ok(await mod.ws.request({ type: 'member.suspend', member_id: extra.member.id, until, reason: `Kierros ${i}` }));
        ok(await mod.ws.request({ type: 'member.unsuspend', member_id: extra.member.id }));
    }
    extra.ws.destroy();
    const page = await pageAs(browser, base, mod);
    await openAt(page, base, '/moderation/log', 'Moderointiloki');
    await watchLive(page);
    await page.locator('#log-table').waitFor();
    const rows = page.locator('#log-table tbody tr');
    assert.equal(await rows.count(), 50);
    assert.match(await page.textContent('#log-summary'), /Näytetään 50 tapahtumaa\. Vanhempia on lisää\./);
    await page.click('#log-older');
    await page.waitForFunction(() => document.querySelectorAll('#log-table tbody tr').length > 50);
    await waitSaid(page, /Ladattiin \d+ vanhempaa tapahtumaa/);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.id.replace('log-entry-', ''))));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first, no repeats');
    assert.equal(new Set(ids).size, ids.length);
    await done(page);
});

test('the console in Swedish and English is accessible, and nothing scrolls sideways at 320 px', async () => {
    const sv = await pageAs(browser, base, admin, { locale: 'sv-FI' });
    await sv.addInitScript(() => localStorage.setItem('raati.language', 'sv'));
    await openAt(sv, base, '/moderation/log', 'Modereringslogg');
    await sv.locator('#log-table').waitFor();
    assert.match(await sv.textContent('#log-table'), /Åtgärd.*(stängde av en medlem|ändrade en roll \(kommandoraden\))/s);
    await assertAccessible(sv, 'moderation log (sv)');

    const en = await pageAs(browser, base, admin, { locale: 'en-GB' });
    await en.addInitScript(() => localStorage.setItem('raati.language', 'en'));
    await openAt(en, base, '/moderation/members', 'Members');
    await en.fill('#member-search-query', 'Suvi');
    await en.click('#member-search-submit');
    await en.locator('#member-results-count', { hasText: '1 member found.' }).waitFor();
    await en.click(`#member-${suvi.member.id}-suspend`);
    await assertAccessible(en, 'member search with the suspend form (en)');

    // The admin's profile now says English: this browser chooses Finnish.
    const narrow = await pageAs(browser, base, admin, { width: 320, height: 640 });
    await narrow.addInitScript(() => localStorage.setItem('raati.language', 'fi'));
    await openAt(narrow, base, '/moderation/members', 'Jäsenet');
    await assertNoHorizontalScroll(narrow, 'member search at 320 px');
    await search(narrow, 'Suvi');
    await narrow.click(`#member-${suvi.member.id}-suspend`);
    await narrow.click(`#suspend-${suvi.member.id}-submit`);
    await narrow.locator(`#suspend-${suvi.member.id}-reason-error`).waitFor();
    await assertNoHorizontalScroll(narrow, 'suspend form with errors at 320 px');
    await narrow.selectOption(`#role-${suvi.member.id}-role`, 'admin');
    await narrow.click(`#role-${suvi.member.id}-submit`);
    await assertNoHorizontalScroll(narrow, 'role confirm at 320 px');
    await assertAccessible(narrow, 'member screen at 320 px');
    await openAt(narrow, base, '/moderation/log', 'Moderointiloki');
    await narrow.locator('#log-table').waitFor();
    await assertNoHorizontalScroll(narrow, 'moderation log at 320 px');
    await assertAccessible(narrow, 'moderation log at 320 px');
    await done(sv, en, narrow);
});
