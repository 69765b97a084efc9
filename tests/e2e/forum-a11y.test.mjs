// axe-core (WCAG 2.1 A and AA) on every screen of activity periods and
// discussions, in Finnish and at least once in Swedish and English; 320 px
// reflow and 200 % text; the keyboard; the strict CSP with server-rendered
// markdown on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSuite, assertAccessible, assertNoHorizontalScroll, waitForHeading } from './lib.mjs';
import {
    ok, member, moderator, openPeriod, createPeriod, createTopic, createPost, at, DAY, pageAs, openAt, postWith,
} from './forum.mjs';

let server, browser, base, suite;
let mod, maija, open, upcoming, closed, draft, topic, closedTopic, deep, own;

before(async () => {
    ({ server, browser, base } = suite = await startSuite());
    mod = await moderator(server, { display_name: 'Moderaattori Mari' });
    maija = await member(server, { display_name: 'Maija' });
    const pekka = await member(server, { display_name: 'Pekka', birth_year: 1950 });
    open = await openPeriod(mod.ws, {
        title: 'Hyvä potilasohje',
        description: 'Mikä tekee potilasohjeesta **hyvän**?\n\n# Tausta\n\nOhjeita uudistetaan. [Lue lisää](https://example.fi/ohjeet).',
        prematerial: 'Lue *esimerkkiohje* ennen jaksoa:\n\n- mitä tehdä\n- milloin',
        members_may_open_topics: true,
    });
    upcoming = await createPeriod(mod.ws, { title: 'Digipalvelut arjessa', status: 'upcoming' });
    draft = await createPeriod(mod.ws, { title: 'Luonnosjakso' });
    closed = await openPeriod(mod.ws, { title: 'Ajanvaraus', prematerial: 'Ennakkoon luettavaa.' });
    ({ topic: closedTopic } = await createTopic(mod.ws, closed.id, { title: 'Miten varaat ajan?', body: 'Kertokaa.' }));
    await createPost(pekka.ws, closedTopic.id, 'Soitan aina.');
    ok(await mod.ws.request({ type: 'period.close', period_id: closed.id }));

    const made = await createTopic(mod.ws, open.id, {
        title: 'Mikä ohjeessa jää epäselväksi?',
        body: 'Kertokaa esimerkkejä.\n\n> Lainaus ohjeesta\n\n1. yksi\n2. kaksi',
    });
    topic = made.topic;
    // A thread six levels deep, by two members, with an edit, a deleted
    // post and reactions.
    let parent = made.post.id;
    for (let depth = 1; depth <= 6; depth++) {
        const who = depth % 2 ? maija : pekka;
        const p = await createPost(who.ws, topic.id, `Vastaus tasolla ${depth}, jossa on **korostus** ja \`koodia\`.`, parent);
        if (depth === 1) own = p;
        parent = p.id;
        deep = p;
    }
    const gone = await createPost(pekka.ws, topic.id, 'Tämä poistetaan.', own.id);
    await createPost(maija.ws, topic.id, 'Vastaus poistettuun.', gone.id);
    ok(await pekka.ws.request({ type: 'post.delete', post_id: gone.id }));
    ok(await maija.ws.request({ type: 'post.edit', post_id: own.id, body: 'Muokattu vastaus tasolla 1.' }));
    ok(await pekka.ws.request({ type: 'reaction.add', post_id: own.id, reaction: 'agree' }));
    ok(await maija.ws.request({ type: 'reaction.add', post_id: made.post.id, reaction: 'thanks' }));
    pekka.ws.destroy();
});

after(async () => {
    mod?.ws.destroy();
    maija?.ws.destroy();
    await suite?.close();
});

// A signed-in page whose language is chosen in the browser (which also
// saves it to the profile, so every page says which it wants).
async function pageFor(who, { lang = 'fi', ...options } = {}) {
    const page = await pageAs(browser, base, who, options);
    await page.addInitScript((l) => localStorage.setItem('raati.language', l), lang);
    return page;
}

// Each screen: who sees it, and how to reach it on a fresh page.
const SCREENS = {
    'front page, signed in': ['member', async (page) => {
        await openAt(page, base, '/', null);
        await page.locator('#front-open').waitFor();
    }],
    'periods list': ['member', async (page) => {
        await openAt(page, base, '/periods', null);
        await page.locator('#periods-past').waitFor();
    }],
    'periods list, moderator (drafts)': ['mod', async (page) => {
        await openAt(page, base, '/periods', null);
        await page.locator('#periods-drafts').waitFor();
    }],
    'period page': ['member', async (page) => {
        await openAt(page, base, `/periods/${open.id}`, 'Hyvä potilasohje');
    }],
    'period page, moderator': ['mod', async (page) => {
        await openAt(page, base, `/periods/${open.id}`, 'Hyvä potilasohje');
        await page.click('[data-focus-key="manage-close"]');
        await page.locator('#period-close-yes').waitFor();
    }],
    'period page, upcoming': ['member', async (page) => {
        await openAt(page, base, `/periods/${upcoming.id}`, 'Digipalvelut arjessa');
    }],
    'period page, closed': ['member', async (page) => {
        await openAt(page, base, `/periods/${closed.id}`, 'Ajanvaraus');
    }],
    'topic page': ['member', async (page) => {
        await openAt(page, base, `/topics/${topic.id}`, topic.title);
        await postWith(page, 'tasolla 6').waitFor();
    }],
    'topic page, writing: reply box, edit box, delete question': ['member', async (page) => {
        await openAt(page, base, `/topics/${topic.id}`, topic.title);
        await page.click(`[data-focus-key="reply-${deep.id}"]`);
        await page.click(`[data-focus-key="edit-${own.id}"]`);
        await page.click(`[data-focus-key="delete-${own.id}"]`);
        await page.click('#reply-top button[type=submit]'); // empty: an error
        await page.locator('#reply-top-error:not([hidden])').waitFor();
    }],
    'topic page, closed period': ['member', async (page) => {
        await openAt(page, base, `/topics/${closedTopic.id}`, closedTopic.title);
    }],
    'period form, new': ['mod', async (page) => {
        await openAt(page, base, '/periods/new', 'Uusi toimintajakso');
    }],
    'period form, errors': ['mod', async (page) => {
        await openAt(page, base, '/periods/new', 'Uusi toimintajakso');
        await page.fill('#period-starts_at-date', '');
        await page.click('#period-save-draft');
        await page.locator('#period-form .error-summary:not([hidden])').waitFor();
    }],
    'period form, edit': ['mod', async (page) => {
        await openAt(page, base, `/periods/${open.id}/edit`, 'Muokkaa toimintajaksoa');
    }],
    participation: ['mod', async (page) => {
        await openAt(page, base, `/periods/${open.id}/participation`, 'Osallistuminen: Hyvä potilasohje');
    }],
};

async function reach(name, options = {}) {
    const [who, go] = SCREENS[name];
    const page = await pageFor(who === 'mod' ? mod : maija, options);
    await go(page);
    return page;
}

for (const name of Object.keys(SCREENS)) {
    test(`axe: ${name} (fi) has no WCAG 2.1 AA violations`, async () => {
        const page = await reach(name);
        assert.equal(await page.getAttribute('html', 'lang'), 'fi');
        assert.equal(await page.locator('h1').count(), 1, 'one h1 per screen');
        await assertAccessible(page, `${name} (fi)`);
        assert.deepEqual(page.errors, []);
        await page.context().close();
    });
}

// Swedish and English: the language is chosen before the page loads, so
// the Finnish headings the reach functions wait for are swapped for "any".
const OTHER = {
    'periods list': async (page) => {
        await openAt(page, base, '/periods', null);
        await page.locator('#periods-past').waitFor();
    },
    'topic page, writing': async (page) => {
        await openAt(page, base, `/topics/${topic.id}`, topic.title);
        await page.click(`[data-focus-key="reply-${deep.id}"]`);
        await page.click(`[data-focus-key="delete-${own.id}"]`);
    },
    'period page, moderator': async (page) => {
        await openAt(page, base, `/periods/${open.id}`, 'Hyvä potilasohje');
    },
    'period form, errors': async (page) => {
        await openAt(page, base, '/periods/new', null);
        await page.fill('#period-title', '');
        await page.click('#period-save-draft');
        await page.locator('#period-form .error-summary:not([hidden])').waitFor();
    },
    participation: async (page) => {
        await openAt(page, base, `/periods/${open.id}/participation`, null);
        await page.locator('#participation-age-table').waitFor();
    },
};
const STAFF_ONLY = new Set(['period page, moderator', 'period form, errors', 'participation']);

const IN = {
    sv: ['topic page, writing', 'period form, errors', 'participation'],
    en: ['periods list', 'topic page, writing', 'period page, moderator'],
};
for (const [lang, names] of Object.entries(IN)) {
    for (const name of names) {
        const go = OTHER[name];
        test(`axe: ${name} (${lang}) has no violations`, async () => {
            const page = await pageFor(STAFF_ONLY.has(name) ? mod : maija, { lang });
            await go(page);
            assert.equal(await page.getAttribute('html', 'lang'), lang);
            await assertAccessible(page, `${name} (${lang})`);
            assert.deepEqual(page.errors, []);
            await page.context().close();
        });
    }
}

test('in Swedish and English the thread speaks the language: reactions, replies, times', async () => {
    for (const [lang, agree, reply, replyTo] of [['sv', 'Håller med', 'Svara', 'svar till Maija'], ['en', 'Agree', 'Reply', 'reply to Maija']]) {
        const page = await pageFor(mod, { lang });
        await openAt(page, base, `/topics/${topic.id}`, topic.title);
        assert.match(await page.textContent(`#post-${own.id} .reactions`), new RegExp(agree));
        assert.match(await page.textContent(`#post-${own.id} .post__actions`), new RegExp(reply));
        assert.match(await page.textContent(`#post-${deep.id} .post__reply-to`), new RegExp(replyTo));
        assert.equal(await page.getAttribute(`#post-${own.id} time`, 'datetime'), own.created_at);
        await page.context().close();
    }
});

test('at 320 px wide no new screen scrolls sideways, and the topic reflows at 200 % text', async () => {
    // One narrow page per person, going from screen to screen.
    const pages = { member: await pageFor(maija, { width: 320, height: 640 }), mod: await pageFor(mod, { width: 320, height: 640 }) };
    for (const [name, [who, go]] of Object.entries(SCREENS)) {
        await go(pages[who]);
        await assertNoHorizontalScroll(pages[who], name);
    }
    for (const page of Object.values(pages)) await page.context().close();
    const page = await reach('topic page', { width: 640, height: 480 });
    await page.addStyleTag({ content: 'html { font-size: 200% !important; }' });
    await assertNoHorizontalScroll(page, 'topic page at 200 %');
    await page.context().close();
});

test('keyboard: react, reply and send from the keyboard alone; focus is visible', async () => {
    const page = await reach('topic page');
    const deepest = `post-${deep.id}`;
    // Tab from the deepest post's heading area to its reaction buttons.
    await page.focus(`#${deepest}`);
    let guard = 0;
    while (!(await page.evaluate(() => document.activeElement.classList.contains('reaction'))) && guard++ < 10) {
        await page.keyboard.press('Tab');
    }
    const key = await page.evaluate(() => document.activeElement.dataset.focusKey);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused reaction shows its focus');
    await page.keyboard.press('Enter');
    await page.waitForFunction((k) => document.querySelector(`[data-focus-key="${k}"]`)?.getAttribute('aria-pressed') === 'true', key);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.focusKey), key, 'focus stays on the button');
    await page.keyboard.press('Enter'); // and back
    await page.waitForFunction((k) => document.querySelector(`[data-focus-key="${k}"]`)?.getAttribute('aria-pressed') === 'false', key);

    await page.focus(`[data-focus-key="reply-${deep.id}"]`);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), `reply-${deep.id}-body`);
    await page.keyboard.type('Näppäimistöltä kirjoitettu vastaus.');
    await page.keyboard.press('Control+Enter');
    await postWith(page, 'Näppäimistöltä kirjoitettu vastaus.').waitFor();
    assert.match(await page.evaluate(() => document.activeElement.id), /^post-\d+$/);
    await page.context().close();
});

test('the period and topic screens run under the strict CSP with server-rendered markdown', async () => {
    const page = await pageFor(mod, { bypassCSP: false });
    const csp = [];
    page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) csp.push(msg.text());
    });
    await openAt(page, base, `/periods/${open.id}`, 'Hyvä potilasohje');
    assert.equal(await page.getAttribute('.prose a', 'rel'), 'nofollow noopener ugc');
    // Raw HTML and script links in a post stay inert text at most.
    const { topic: risky } = await createTopic(mod.ws, open.id, {
        title: 'Raakaa HTML:ää',
        body: 'Alku <script>window.pwned = 1</script> [linkki](javascript:window.pwned=2) <img src="x" onerror="window.pwned=3"> loppu',
    });
    await openAt(page, base, `/topics/${risky.id}`, 'Raakaa HTML:ää');
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.locator('main script, main [onerror], main a[href^="javascript"]').count(), 0);
    assert.match(await page.textContent('.opening .post__body'), /Alku .*loppu/s);
    await openAt(page, base, `/topics/${topic.id}`, topic.title);
    await page.locator('.post__body code').first().waitFor();
    await openAt(page, base, '/periods/new', 'Uusi toimintajakso');
    await page.click('[data-lang="sv"]');
    await waitForHeading(page, 'Ny aktivitetsperiod');
    assert.deepEqual(csp, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
});

test('a long topic opens at the first unread post and loads the rest in windows', async () => {
    const reader = await member(server, { display_name: 'Lukija' });
    const { topic: long, post: first } = await createTopic(mod.ws, open.id, { title: 'Pitkä aihe', body: 'Alku.' });
    const early = [];
    for (let i = 1; i <= 6; i++) early.push(await createPost(mod.ws, long.id, `Vanha ${i}`));
    ok(await reader.ws.request({ type: 'topic.read', topic_id: long.id, post_id: early.at(-1).id }));
    for (let i = 1; i <= 6; i++) await createPost(mod.ws, long.id, `Uusi ${i}`);

    const page = await pageFor(reader);
    await page.addInitScript(() => localStorage.setItem('raati.pageSize', '4'));
    // A link to an early post opens a window there, with focus on it.
    await openAt(page, base, `/topics/${long.id}?post=${early[0].id}`, 'Pitkä aihe');
    await page.waitForFunction((id) => document.activeElement?.id === `post-${id}`, early[0].id);
    assert.equal(await postWith(page, 'Uusi 1').count(), 0);
    // The opening post is shown first even though the window starts later.
    assert.equal(await page.locator(`.opening #post-${first.id}`).count(), 1);
    assert.match(await page.textContent('.unread-bar'), /6 uutta viestiä/);
    // Jumping to the first unread post loads the window it is in.
    await page.click('#jump-unread');
    await page.waitForFunction(() => /Uusi 1/.test(document.activeElement?.textContent ?? ''));
    assert.equal(await postWith(page, 'Vanha 1').count(), 0);
    assert.equal(await postWith(page, 'Uusi 1').locator('.badge--new').count(), 1);
    assert.equal(await postWith(page, 'Vanha 6').locator('.badge--new').count(), 0);
    // Earlier and later windows, until the whole thread is shown.
    const shown = () => page.locator('ol.thread article.post').count();
    for (const button of ['#load-before', '#load-after']) {
        while (await page.locator(button).count()) {
            const before = await shown();
            await page.click(button);
            await page.waitForFunction((n) => document.querySelectorAll('ol.thread article.post').length > n, before);
        }
    }
    await postWith(page, 'Vanha 1').waitFor();
    await postWith(page, 'Uusi 6').waitFor();
    assert.equal(await page.locator('ol.thread article.post').count(), 12);
    assert.equal(await postWith(page, 'Uusi 6').locator('.badge--new').count(), 1);
    // What was seen is marked read on the server.
    const deadline = Date.now() + 5000;
    let unread;
    do {
        const r = ok(await reader.ws.request({ type: 'period.get', period_id: open.id }));
        unread = r.topics.find((x) => x.id === long.id).unread;
        if (unread === 0) break;
        await new Promise((res) => setTimeout(res, 200));
    } while (Date.now() < deadline);
    assert.equal(unread, 0);
    reader.ws.destroy();
    await page.context().close();
});
