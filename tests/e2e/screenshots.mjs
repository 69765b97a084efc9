// Saves screenshots of every screen at 1280 px and 360 px wide, for looking
// at the design and for the README. Not a test: run it by hand.
//
//   node tests/e2e/screenshots.mjs [output-dir]     (default: build/screenshots)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
    startServer, launchBrowser, newPage, open, fillRegistration, registerViaUi,
    signInViaUi, fetchConfig, SERVER_ENV,
} from './lib.mjs';
import { root } from '../lib/server.mjs';

const out = process.argv[2] || join(root, 'build', 'screenshots');
mkdirSync(out, { recursive: true });

const server = await startServer({ env: SERVER_ENV, args: ['--demo'] });
const base = server.url;
const config = await fetchConfig(base);
const browser = await launchBrowser();

const screens = {
    front: (page) => open(page, base, '/'),
    register: (page) => open(page, base, '/register'),
    'register-errors': async (page) => {
        await open(page, base, '/register');
        await fillRegistration(page, { birth_year: String(config.current_year - 12), consent: false });
        await page.click('#register-form button[type=submit]');
        await page.locator('#register-form .error-summary:not([hidden])').waitFor();
    },
    login: (page) => open(page, base, '/login'),
    'login-error': async (page) => {
        await signInViaUi(page, base, 'jasen@raati.example', 'väärä salasana');
        await page.locator('#login-form .error-summary:not([hidden])').waitFor();
    },
    profile: async (page) => {
        await registerViaUi(page, base, { display_name: 'Maija Virtanen', interests: 2 });
    },
    periods: async (page) => {
        await signedIn(page);
        await open(page, base, '/periods');
        await page.locator('main h2').first().waitFor();
    },
    results: async (page) => {
        await page.goto(`${base}/tulokset/terveysaseman-ajanvaraus`);
        await page.locator('main h1').waitFor();
    },
    topic: async (page) => {
        await signedIn(page);
        await open(page, base, '/topics/1');
        await page.locator('main article').nth(3).waitFor();
    },
};

// The demo member, signed in and past the page sign-in leads to.
async function signedIn(page) {
    await signInViaUi(page, base, 'jasen@raati.example', 'Asukas-2026!');
    await page.waitForURL(/#\/(profile|periods|)$/);
}

try {
    for (const [name, reach] of Object.entries(screens)) {
        for (const lang of ['fi', 'sv', 'en']) {
            if (lang !== 'fi' && name !== 'front') continue;
            for (const width of [1280, 360]) {
                const page = await newPage(browser, { width, height: width > 400 ? 900 : 740 });
                await page.addInitScript((l) => localStorage.setItem('raati.language', l), lang);
                await reach(page);
                await page.evaluate(() => document.activeElement?.blur());
                const file = join(out, `${name}-${lang}-${width}.png`);
                await page.screenshot({ path: file, fullPage: true });
                console.log(file);
                await page.context().close();
            }
        }
    }
} finally {
    await browser.close();
    await server.stop();
}
