// Helpers for the activity period and discussion e2e tests: members and
// moderators made over the protocol (tests/protocol/discuss.mjs), and a
// browser page signed in as one of them by their session cookie, so that a
// test spends its time on the screens it is about.
import { newPage } from './lib.mjs';

export {
    ok, member, moderator, openPeriod, createPeriod, createTopic, createPost, pipeline, reconnect, at, DAY, HOUR,
} from '../protocol/discuss.mjs';
export { register, openWs } from '../protocol/helpers.mjs';

// A page whose browser context carries `who`'s session cookie
// ("raati_session=…", as the protocol helpers return it).
export async function pageAs(browser, base, who, options = {}) {
    const page = await newPage(browser, options);
    const [name, value] = who.cookie.split(/=(.*)/s);
    await page.context().addCookies([{ name, value, url: base }]);
    return page;
}

// Opens a route and waits for the screen's h1 to say `heading` (the views
// of periods and topics show "Ladataan…" until their data is in).
export async function openAt(page, base, route, heading) {
    await page.goto(`${base}/#${route}`);
    await page.waitForFunction((expected) => {
        const h1 = document.querySelector('main h1');
        return h1 && (expected === null ? !/^Ladataan|^Laddar|^Loading/.test(h1.textContent) : h1.textContent.trim() === expected);
    }, heading ?? null, { timeout: 15000 });
}

// The article of the post whose text contains `text`.
export function postWith(page, text) {
    return page.locator('article.post', { hasText: text });
}

// The id of the post whose text contains `text`.
export async function postId(page, text) {
    const id = await postWith(page, text).first().getAttribute('id');
    return Number(id.replace('post-', ''));
}

// Waits until the live region has said `re` (a RegExp) at some point.
// The region is cleared and rewritten for each message, so it is watched
// rather than read once.
export async function watchLive(page) {
    await page.evaluate(() => {
        window.__said = [];
        const region = document.getElementById('live-status');
        new MutationObserver(() => {
            if (region.textContent) window.__said.push(region.textContent);
        }).observe(region, { childList: true, characterData: true, subtree: true });
    });
}

export async function waitSaid(page, re, timeout = 5000) {
    await page.waitForFunction((source) => (window.__said ?? []).some((s) => new RegExp(source).test(s)),
        re.source, { timeout });
}

export async function said(page) {
    return page.evaluate(() => window.__said ?? []);
}
