// The moderators' tools under a poll, in the browser: who sees the results
// (poll.update; after the first vote only tighter choices are offered, and
// a member's page follows the change live), making a named poll secret
// while it has no votes, a server error shown in the form, the confirm
// step before closing (cancel keeps the poll open, confirm closes it), and
// who answered what in a named poll (poll.ballots) as a table. axe-core on
// every new state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll } from './lib.mjs';
import { ok, member, moderator, openPeriod, pageAs, openAt } from './forum.mjs';

let server, browser, base, suite;
let mod, maija, pekka, aino, period;

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    maija = await member(server, { display_name: 'Maija' });
    pekka = await member(server, { display_name: 'Pekka' });
    aino = await member(server, { display_name: 'Aino' });
    period = await openPeriod(mod.ws, { title: 'Moderointijakso' });
});

after(async () => {
    mod?.ws.destroy();
    for (const m of [maija, pekka, aino]) m?.ws.destroy();
    await suite?.close();
});

async function createPoll(fields) {
    return ok(await mod.ws.request({
        type: 'poll.create', period_id: period.id, kind: 'single', options: ['Kyllä', 'Ei'],
        results_visibility: 'always', ...fields,
    }), 'poll.create').poll;
}

async function vote(who, poll, answer) {
    ok(await who.ws.request({ type: 'poll.vote', poll_id: poll.id, answer }), 'poll.vote');
}

async function periodPage(who, { before: prepare, ...options } = {}) {
    const page = await pageAs(browser, base, who, options);
    if (prepare) await prepare(page);
    await openAt(page, base, `/periods/${period.id}`, 'Moderointijakso');
    await page.locator('#period-polls').waitFor();
    return page;
}

function card(page, poll) {
    return page.locator(`#poll-${poll.id}`);
}

async function focused(page) {
    return page.evaluate(() => document.activeElement?.id);
}

async function offered(page, poll) {
    return card(page, poll).locator(`#poll-${poll.id}-settings input[name=results_visibility]`)
        .evaluateAll((els) => els.map((el) => el.value));
}

async function done(...pages) {
    for (const page of pages) {
        assert.deepEqual(page.errors, []);
        await page.context().close();
    }
}

test('after votes only tighter visibilities are offered; tightening hides the results from a member live', async () => {
    const poll = await createPoll({ question: 'Onko ohje selkeä?', results_visibility: 'after_vote' });
    await vote(maija, poll, poll.options[0].id);

    const memberPage = await periodPage(maija);
    await card(memberPage, poll).locator('.poll-results__voters', { hasText: '1 vastaus' }).waitFor();

    const modPage = await periodPage(mod);
    const c = card(modPage, poll);
    const toggle = c.getByRole('button', { name: 'Muuta asetuksia' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    // Focus goes to the current choice.
    assert.equal(await focused(modPage), `poll-${poll.id}-settings-vis-after_vote`);
    assert.deepEqual(await offered(modPage, poll), ['after_vote', 'after_close', 'moderators']);
    const hint = await c.locator(`#poll-${poll.id}-settings-visibility-hint`).textContent();
    assert.match(hint, /voi enää vain rajata/);
    assert.match(hint, /laajempia vaihtoehtoja ei voi valita/);
    // A named poll with votes cannot become secret, and says why.
    assert.equal(await c.locator('input[name=secret]').count(), 0);
    assert.match(await c.locator(`#poll-${poll.id}-settings-secret-fixed`).textContent(), /koska siihen on jo vastattu/);
    await assertAccessible(modPage, 'poll settings after votes');

    // Saving with nothing changed says so.
    await c.getByRole('button', { name: 'Tallenna asetukset' }).click();
    await c.locator('.notice', { hasText: 'Et muuttanut asetuksia' }).waitFor();

    await c.getByLabel('Kaikki, kun äänestys on suljettu').check();
    await c.getByRole('button', { name: 'Tallenna asetukset' }).click();
    await c.locator('.notice--success', { hasText: 'Äänestyksen asetukset on tallennettu.' }).waitFor();
    assert.equal(await c.locator(`#poll-${poll.id}-settings`).count(), 0, 'the form closes');
    assert.equal(await focused(modPage), `poll-${poll.id}-settings-toggle`);

    // The member who could see the results no longer does.
    await card(memberPage, poll).locator('.poll-results--hidden', { hasText: 'Tulokset näkyvät, kun äänestys on suljettu.' })
        .waitFor({ timeout: 10000 });
    assert.equal(await card(memberPage, poll).locator('.poll-results__list').count(), 0);
    await assertAccessible(memberPage, 'results hidden after tightening');

    // Now only the tighter two are offered.
    await toggle.click();
    assert.deepEqual(await offered(modPage, poll), ['after_close', 'moderators']);
    await c.getByRole('button', { name: 'Peruuta' }).click();
    assert.equal(await c.locator(`#poll-${poll.id}-settings`).count(), 0);
    await done(modPage, memberPage);
});

test('before any vote every visibility is offered and a named poll can become secret; a secret poll never offers named', async () => {
    const poll = await createPoll({ question: 'Pitäisikö kyselyn olla salainen?', results_visibility: 'moderators' });
    const memberPage = await periodPage(pekka);
    await card(memberPage, poll).locator('.poll-results--hidden', { hasText: 'Tulokset näkyvät vain moderaattoreille.' }).waitFor();
    assert.equal(await card(memberPage, poll).locator(`#poll-${poll.id}-secret`).count(), 0);
    const modPage = await periodPage(mod);
    const c = card(modPage, poll);
    await c.getByRole('button', { name: 'Muuta asetuksia' }).click();
    assert.deepEqual(await offered(modPage, poll), ['always', 'after_vote', 'after_close', 'moderators']);
    assert.equal(await c.locator(`#poll-${poll.id}-settings-visibility-hint`).count(), 0, 'no "tighten only" without votes');
    const secret = c.getByLabel('Muuta äänestys salaiseksi');
    assert.match(await c.locator(`#poll-${poll.id}-settings-secret-hint`).textContent(), /ei voi myöhemmin muuttaa nimelliseksi/);
    await assertAccessible(modPage, 'poll settings without votes');

    // Becoming secret is allowed before the first vote. The member's open
    // page follows: secret, with what that means next to the question.
    await secret.check();
    await c.getByRole('button', { name: 'Tallenna asetukset' }).click();
    await c.locator('.notice--success', { hasText: 'Äänestyksen asetukset on tallennettu.' }).waitFor();
    await c.locator('.poll__meta', { hasText: 'salainen' }).waitFor();
    await card(memberPage, poll).locator('.poll__meta', { hasText: 'salainen' }).waitFor({ timeout: 10000 });
    await card(memberPage, poll).locator(`#poll-${poll.id}-secret`, { hasText: 'Salainen äänestys' }).waitFor();
    // A secret poll has no "who answered what", and says why.
    assert.equal(await c.getByRole('button', { name: 'Näytä, kuka äänesti mitä' }).count(), 0);
    assert.match(await c.locator(`#poll-${poll.id}-ballots-secret`).textContent(), /kukaan ei näe, kuka vastasi mitäkin/);

    // A secret poll never offers becoming named; loosening is still allowed
    // before the first vote, and the member sees the results at once.
    await c.getByRole('button', { name: 'Muuta asetuksia' }).click();
    assert.equal(await c.locator('input[name=secret]').count(), 0);
    assert.match(await c.locator(`#poll-${poll.id}-settings-secret-fixed`).textContent(), /Salaista äänestystä ei voi muuttaa nimelliseksi/);
    await assertAccessible(modPage, 'settings of a secret poll');
    await c.getByLabel('Kaikki heti').check();
    await c.getByRole('button', { name: 'Tallenna asetukset' }).click();
    await c.locator('.notice--success', { hasText: 'Äänestyksen asetukset on tallennettu.' }).waitFor();
    await card(memberPage, poll).locator('.poll-results__voters').waitFor({ timeout: 10000 });
    await assertAccessible(memberPage, 'a poll made secret, as a member sees it');
    await done(modPage, memberPage);
});

test('a server error is shown in the form: a vote the page had not yet heard of makes loosening a conflict', async () => {
    const poll = await createPoll({ question: 'Ehtikö joku vastata?', results_visibility: 'after_close' });
    let deaf = false;
    const modPage = await periodPage(mod, {
        before: (page) => page.routeWebSocket(/\/ws$/, (ws) => {
            const srv = ws.connectToServer();
            ws.onMessage((m) => srv.send(m));
            srv.onMessage((m) => {
                // While deaf, the page hears nothing on this poll's channel.
                if (deaf && typeof m === 'string') {
                    const frame = JSON.parse(m);
                    if (frame.type === 'event' && frame.channel === `poll:${poll.id}`) return;
                }
                ws.send(m);
            });
        }),
    });
    const c = card(modPage, poll);
    await c.getByRole('button', { name: 'Muuta asetuksia' }).click();
    assert.deepEqual(await offered(modPage, poll), ['always', 'after_vote', 'after_close', 'moderators']);
    deaf = true;
    await vote(aino, poll, poll.options[1].id);
    await modPage.waitForTimeout(600);
    assert.match(await c.locator('.poll__voters').textContent(), /0 vastausta/, 'the page did not hear of the vote');
    await c.getByLabel('Kaikki heti').check();
    await c.getByRole('button', { name: 'Tallenna asetukset' }).click();
    const warning = c.locator(`#poll-${poll.id}-settings-notice .notice--warning`);
    await warning.waitFor({ timeout: 10000 });
    assert.match(await warning.textContent(), /koska äänestykseen on juuri vastattu/);
    // The form now offers what the server allows, and focus is back in it.
    assert.deepEqual(await offered(modPage, poll), ['after_close', 'moderators']);
    assert.equal(await focused(modPage), `poll-${poll.id}-settings-vis-after_close`);
    assert.match(await c.locator('.poll__voters').textContent(), /1 vastaus/);
    await assertAccessible(modPage, 'poll settings with a server error');
    const g = ok(await mod.ws.request({ type: 'poll.get', poll_id: poll.id })).poll;
    assert.equal(g.results_visibility, 'after_close', 'nothing changed');
    await done(modPage);
});

test('closing asks first: cancel keeps the poll open, confirm closes it', async () => {
    const poll = await createPoll({ question: 'Suljetaanko tämä?', secret: true });
    const memberPage = await periodPage(maija);
    await card(memberPage, poll).locator('input[type=radio]').first().waitFor();
    const modPage = await periodPage(mod);
    const c = card(modPage, poll);

    await c.getByRole('button', { name: 'Sulje äänestys', exact: true }).click();
    const confirm = c.getByRole('group', { name: 'Suljetaanko äänestys nyt?' });
    await confirm.waitFor();
    assert.match(await confirm.textContent(), /Vastaaminen päättyy/);
    assert.match(await confirm.textContent(), /yhteys vastaajiin hävitetään/, 'a secret poll says what closing does to it');
    // Focus is on the question, not on the irreversible button, whose label
    // differs from the one that asked.
    assert.equal(await focused(modPage), `poll-${poll.id}-close-q`);
    assert.equal((await modPage.textContent(`#poll-${poll.id}-close-yes`)).trim(), 'Kyllä, sulje äänestys');
    await assertAccessible(modPage, 'confirm before closing a poll');

    // Cancel: still open, focus back on the close button.
    await confirm.getByRole('button', { name: 'Peruuta' }).click();
    assert.equal(await confirm.count(), 0);
    assert.equal(await focused(modPage), `poll-${poll.id}-close`);
    await c.locator('.poll__meta', { hasText: 'Avoinna' }).waitFor();
    // Escape cancels too.
    await modPage.keyboard.press('Enter');
    await confirm.waitFor();
    await modPage.keyboard.press('Escape');
    assert.equal(await confirm.count(), 0);
    assert.equal(await focused(modPage), `poll-${poll.id}-close`);
    await modPage.waitForTimeout(300);
    assert.equal((ok(await mod.ws.request({ type: 'poll.get', poll_id: poll.id })).poll).status, 'open');
    assert.ok(await card(memberPage, poll).locator('input[type=radio]').count() > 0, 'the member can still answer');

    // Confirm: closed, here and on the member's page.
    await modPage.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Kyllä, sulje äänestys' }).click();
    await c.locator('.poll__meta', { hasText: 'Suljettu' }).waitFor({ timeout: 10000 });
    await c.locator('.notice--success', { hasText: 'Äänestys on suljettu.' }).waitFor();
    assert.equal(await c.getByRole('button', { name: 'Sulje äänestys', exact: true }).count(), 0);
    assert.equal(await c.getByRole('button', { name: 'Muuta asetuksia' }).count(), 0, 'a closed poll has no settings');
    await card(memberPage, poll).locator('.poll__meta', { hasText: 'Suljettu' }).waitFor({ timeout: 10000 });
    assert.equal(await card(memberPage, poll).locator('input').count(), 0);
    await assertAccessible(modPage, 'a poll closed by the moderator');
    await done(modPage, memberPage);
});

test('who answered what in a named poll: a table of members and their answers, for every kind', async () => {
    const single = await createPoll({ question: 'Luitko ennakkomateriaalin?' });
    const multi = await createPoll({
        question: 'Mitä kanavia käytät?', kind: 'multiple', options: ['Puhelin', 'Chat', 'Käynti'], min_picks: 1, max_picks: 3,
    });
    const scale = await createPoll({
        question: 'Kuinka helppoa asiointi on?', kind: 'scale', scale: { min: 1, max: 5, min_label: 'Vaikeaa', max_label: 'Helppoa' },
    });
    const ranking = await createPoll({ question: 'Mikä on tärkeintä?', kind: 'ranking', options: ['Nopeus', 'Selkeys', 'Hinta'] });
    const [yes, no] = single.options.map((o) => o.id);
    const [phone, chat, visit] = multi.options.map((o) => o.id);
    const [speed, clarity, price] = ranking.options.map((o) => o.id);
    await vote(pekka, single, yes);
    await vote(maija, single, no);
    await vote(maija, multi, [visit, phone]);
    await vote(pekka, scale, 5);
    await vote(maija, scale, 3);
    await vote(aino, ranking, [clarity, price, speed]);

    const modPage = await periodPage(mod, { width: 320, height: 800 });
    const c = card(modPage, single);
    await c.getByRole('button', { name: 'Näytä, kuka äänesti mitä' }).click();
    const table = c.locator(`#poll-${single.id}-ballots-table`);
    await table.waitFor();
    assert.equal(await focused(modPage), `poll-${single.id}-ballots-toggle`);
    assert.equal((await c.locator(`#poll-${single.id}-ballots-toggle`).textContent()).trim(), 'Piilota, kuka äänesti mitä');
    const rows = async (t) => t.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
        [...tr.children].map((cell) => cell.innerText.replace(/\s+/g, ' ').trim())));
    assert.match(await table.locator('caption').textContent(), /Kuka äänesti mitä: Luitko ennakkomateriaalin\?/);
    assert.deepEqual(await table.locator('thead th').allTextContents(), ['Jäsen', 'Vastaus']);
    assert.deepEqual(await rows(table), [['Maija', 'Ei'], ['Pekka', 'Kyllä']]);
    await assertAccessible(modPage, 'who answered what, at 320 px');
    await assertNoHorizontalScroll(modPage, 'who answered what at 320 px');

    // The list is refreshed by hand: a new vote shows after "Päivitä luettelo".
    await vote(aino, single, yes);
    await c.getByRole('button', { name: 'Päivitä luettelo' }).click();
    await table.locator('tbody tr', { hasText: 'Aino' }).waitFor({ timeout: 10000 });
    assert.deepEqual(await rows(table), [['Aino', 'Kyllä'], ['Maija', 'Ei'], ['Pekka', 'Kyllä']]);

    // Multiple picks as labels in the poll's order; a scale as its value;
    // a ranking as an ordered list.
    await card(modPage, multi).getByRole('button', { name: 'Näytä, kuka äänesti mitä' }).click();
    const mt = card(modPage, multi).locator('table');
    await mt.waitFor();
    assert.deepEqual(await rows(mt), [['Maija', 'Puhelin, Käynti']]);
    await card(modPage, scale).getByRole('button', { name: 'Näytä, kuka äänesti mitä' }).click();
    const st = card(modPage, scale).locator('table');
    await st.waitFor();
    assert.deepEqual(await rows(st), [['Maija', '3'], ['Pekka', '5 – Helppoa']]);
    await card(modPage, ranking).getByRole('button', { name: 'Näytä, kuka äänesti mitä' }).click();
    const rt = card(modPage, ranking).locator('table');
    await rt.waitFor();
    assert.deepEqual(await rt.locator('thead th').allTextContents(), ['Jäsen', 'Järjestys (tärkein ensin)']);
    assert.deepEqual(await rt.locator('tbody td ol li').allTextContents(), ['Selkeys', 'Hinta', 'Nopeus']);
    await assertAccessible(modPage, 'who answered what for a multiple, scale and ranking poll');

    // Hiding it again.
    await c.getByRole('button', { name: 'Piilota, kuka äänesti mitä' }).click();
    assert.equal(await table.count(), 0);

    // A named poll nobody has answered.
    const empty = await createPoll({ question: 'Tyhjä kysely' });
    await card(modPage, empty).waitFor({ timeout: 10000 });
    await card(modPage, empty).getByRole('button', { name: 'Näytä, kuka äänesti mitä' }).click();
    await card(modPage, empty).locator('.poll-ballots .empty', { hasText: 'Kukaan ei ole vielä vastannut.' }).waitFor();

    // Members have none of these tools.
    const memberPage = await periodPage(maija);
    await card(memberPage, single).waitFor();
    assert.equal(await memberPage.locator('.poll-manage').count(), 0);
    await done(modPage, memberPage);
});

test('the tools in Swedish and English', async () => {
    const poll = await createPoll({ question: 'Språkfråga' });
    await vote(maija, poll, poll.options[0].id);
    const page = await periodPage(mod);
    const c = card(page, poll);
    await page.click('[data-lang="sv"]');
    await c.getByRole('button', { name: 'Visa vem som svarade vad' }).click();
    await c.locator('table caption', { hasText: 'Vem svarade vad: Språkfråga' }).waitFor();
    await c.getByRole('button', { name: 'Ändra inställningar' }).click();
    await c.getByText('kan bara begränsas').waitFor();
    await c.getByRole('button', { name: 'Stäng omröstningen', exact: true }).click();
    await c.getByRole('group', { name: 'Ska omröstningen stängas nu?' }).waitFor();
    await assertAccessible(page, 'poll tools in Swedish');
    await page.click('[data-lang="en"]');
    await c.getByRole('group', { name: 'Close the poll now?' }).waitFor();
    await c.getByRole('button', { name: 'Hide who answered what' }).waitFor();
    await c.getByText('the results can only be shown to fewer people').waitFor();
    await assertAccessible(page, 'poll tools in English');
    await done(page);
});
