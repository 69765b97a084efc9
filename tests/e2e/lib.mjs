// Shared helpers for the e2e tests: the real raati binary (tests/lib/server.mjs)
// driven by Debian's Chromium through playwright-core, with axe-core for
// accessibility checks. No browser is ever downloaded.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';

export { startServer };

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.RAATI_CHROMIUM || '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Generous limits: one test file signs in and registers many times from the
// same address.
export const SERVER_ENV = {
    RAATI_LOGIN_LIMIT_ADDRESS: '1000',
    RAATI_REGISTER_LIMIT_ADDRESS: '1000',
    RAATI_POST_LIMIT: '1000',
    RAATI_POST_LIMIT_NEW: '1000',
};

export async function launchBrowser() {
    return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
}

// A fresh context (own cookies and localStorage). bypassCSP lets axe be
// injected; the app itself never needs it, and a CSP test uses a normal one.
// `locale` is the browser's language (navigator.languages).
export async function newPage(browser, { width = 1280, height = 900, bypassCSP = true, locale = 'fi-FI' } = {}) {
    const context = await browser.newContext({
        viewport: { width, height },
        bypassCSP,
        locale,
        timezoneId: 'Europe/Helsinki',
        reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (err) => page.errors.push(String(err)));
    page.on('requestfailed', (req) => page.errors.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on('console', (msg) => {
        // A 4xx answer (401 from /api/me when signed out, a refused sign-in)
        // is logged by Chromium but is part of normal use.
        if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) {
            page.errors.push(msg.text());
        }
    });
    return page;
}

// Opens a route and waits until the client has rendered its screen (an h1
// in <main>).
export async function open(page, base, route = '/') {
    await page.goto(`${base}/#${route}`);
    try {
        await page.locator('main h1').first().waitFor({ timeout: 15000 });
    } catch (err) {
        // Say why the client did not start: usually a file that failed to load.
        err.message += `\nbrowser errors on ${route}:\n  ${page.errors.join('\n  ') || '(none)'}`;
        throw err;
    }
}

export async function heading(page) {
    return (await page.locator('main h1').first().textContent()).trim();
}

// Waits until the h1 of <main> reads `text` (or matches a RegExp).
export async function waitForHeading(page, text) {
    await page.waitForFunction((expected) => {
        const h1 = document.querySelector('main h1');
        if (!h1) return false;
        const got = h1.textContent.trim();
        return expected.re ? new RegExp(expected.re).test(got) : got === expected.text;
    }, text instanceof RegExp ? { re: text.source } : { text }, { timeout: 10000 });
}

// Runs axe with the WCAG 2.1 A/AA rule sets and fails with a readable list.
export async function assertAccessible(page, label) {
    const has = await page.evaluate(() => typeof window.axe === 'object');
    if (!has) await page.evaluate(axeSource);
    const result = await page.evaluate(async () => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
    }));
    const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n'));
    assert.equal(result.violations.length, 0, `axe violations on ${label}:\n${lines.join('\n')}`);
}

// True when the page is wider than the viewport (horizontal scrolling).
export async function assertNoHorizontalScroll(page, label) {
    const { scroll, client, culprits } = await page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > vw + 1)
            .slice(0, 5)
            .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`);
        return { scroll: document.documentElement.scrollWidth, client: vw, culprits: wide };
    });
    assert.ok(scroll <= client, `${label}: page is ${scroll}px wide in a ${client}px viewport; ${culprits.join(', ')}`);
}

let serial = 0;
export function uniqueEmail(prefix = 'asukas') {
    serial += 1;
    return `${prefix}.${process.pid}.${Date.now()}.${serial}@raati.example`;
}

// Fills in the registration form on the current page. `fields` overrides
// the defaults; pass consent: false to leave the box unticked.
export async function fillRegistration(page, fields = {}) {
    const f = {
        email: uniqueEmail(),
        display_name: 'Maija',
        password: 'pitkä salalause 2026',
        birth_year: '1980',
        municipality: null, // the first configured one
        interests: 1,
        consent: true,
        ...fields,
    };
    await page.fill('#register-email', f.email);
    await page.fill('#register-display_name', f.display_name);
    await page.fill('#register-password', f.password);
    await page.fill('#register-birth_year', f.birth_year);
    if (f.municipality) await page.selectOption('#register-municipality', f.municipality);
    else await page.selectOption('#register-municipality', { index: 1 });
    const boxes = page.locator('#register-interest_areas input[type=checkbox]');
    for (let i = 0; i < Math.min(f.interests, await boxes.count()); i++) await boxes.nth(i).check();
    if (f.consent) await page.check('#register-privacy_consent');
    return f;
}

// Registers through the UI and waits for the profile screen.
export async function registerViaUi(page, base, fields = {}) {
    await open(page, base, '/register');
    const f = await fillRegistration(page, fields);
    await page.click('#register-form button[type=submit]');
    await page.locator('#profile-form').waitFor({ timeout: 15000 });
    return f;
}

export async function signInViaUi(page, base, email, password) {
    await open(page, base, '/login');
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await page.click('#login-form button[type=submit]');
}

// Registers a member straight through the API (no browser), e.g. one whose
// profile language differs from the browser's. Returns the fields and the
// member.
export async function registerViaApi(base, config, fields = {}) {
    const f = {
        email: uniqueEmail('api'),
        display_name: 'Maija',
        password: 'pitkä salalause 2026',
        birth_year: 1980,
        municipality: config.municipalities[0].id,
        interest_areas: [],
        privacy_consent: true,
        privacy_notice_version: config.privacy_notice_version,
        language: 'fi',
        ...fields,
    };
    const res = await fetch(`${base}/api/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(f),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(body)}`);
    return { ...f, member: body.member };
}

// Changes what the page gets from GET /api/config (e.g. contact_email).
export async function patchConfig(page, patch) {
    await page.route('**/api/config', async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        await route.fulfill({ response: res, json: { ...body, ...patch } });
    });
}

// The text the polite live region settles on (it is written 150 ms after
// being cleared).
export async function liveText(page, settle = 400) {
    await page.waitForTimeout(settle);
    return page.textContent('#live-status');
}

// GET /api/config from the server, as the page sees it.
export async function fetchConfig(base) {
    const res = await fetch(`${base}/api/config`);
    return res.json();
}

// One server and one browser for a test file, from its own before() hook
// (node 20 does not wait for one root before() hook before the next, so a
// helper that registered hooks of its own could be read half-ready):
//   before(async () => ({ server, browser, base, config } = suite = await startSuite()));
//   after(() => suite?.close());
export async function startSuite({ args = [] } = {}) {
    const server = await startServer({ env: SERVER_ENV, args });
    const base = server.url;
    const config = await fetchConfig(base);
    const browser = await launchBrowser();
    return {
        server, base, config, browser,
        async close() {
            await browser.close();
            await server.stop();
        },
    };
}
