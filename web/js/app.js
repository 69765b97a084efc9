// Raati web client: start-up, hash routing, the header and footer, and the
// signed-in state shared by the views.
//
// A view is { title, needsMember?, render(ctx) -> Node | Node[] }. ctx gives
// it the config, the member, the route's parameters, a state object that
// lives while the route is shown (kept across re-renders, e.g. a language
// change), and the actions below. A view that subscribes to live channels
// sets state.dispose, which is called when the route is left.
import { h, snapshotForms, restoreForms } from './dom.js';
import {
    t, tParts, setLanguage, language, storedLanguage, rememberLanguage, browserLanguage,
    localName, translateStatic, LANGUAGES,
} from './i18n.js';
import { api } from './api.js';
import { Socket } from './ws.js';
import { Live } from './live.js';
import front from './views/front.js';
import register from './views/register.js';
import login from './views/login.js';
import profile from './views/profile.js';
import privacy from './views/privacy.js';
import notFound from './views/notfound.js';
import periods from './views/periods.js';
import period from './views/period.js';
import periodForm from './views/periodform.js';
import participation from './views/participation.js';
import topic from './views/topic.js';
import { surveyView, surveyResultsView } from './views/surveys.js';
import { surveyNewView, surveyEditView } from './views/surveyform.js';
import { membersView, logView, queueView, wordsView } from './views/moderation.js';
import { contactEmail, mailLink } from './views/shared.js';
import { isStaff } from './views/periodparts.js';
import notices, { noticeCenter, noticesLinkContent } from './views/notices.js';
import resultsComposer from './views/results.js';

const ROUTES = {
    '/': front, '/register': register, '/login': login, '/profile': profile, '/privacy': privacy,
    '/periods': periods, '/periods/new': periodForm,
    '/moderation': queueView, '/moderation/queue': queueView, '/moderation/members': membersView, '/moderation/log': logView,
    '/moderation/words': wordsView,
    '/notices': notices,
};
// Routes with an id in them: the captured numbers become ctx.params.
const PATTERNS = [
    [/^\/periods\/(\d+)$/, period],
    [/^\/periods\/(\d+)\/edit$/, periodForm],
    [/^\/periods\/(\d+)\/participation$/, participation],
    [/^\/topics\/(\d+)$/, topic],
    [/^\/periods\/(\d+)\/surveys\/new$/, surveyNewView],
    [/^\/surveys\/(\d+)$/, surveyView],
    [/^\/surveys\/(\d+)\/results$/, surveyResultsView],
    [/^\/surveys\/(\d+)\/edit$/, surveyEditView],
    [/^\/periods\/(\d+)\/results$/, resultsComposer],
];
const ANONYMOUS_ONLY = new Set(['/register', '/login']);

function matchRoute(path) {
    if (ROUTES[path]) return { view: ROUTES[path], params: [] };
    for (const [re, view] of PATTERNS) {
        const m = re.exec(path);
        if (m) return { view, params: m.slice(1).map(Number) };
    }
    return { view: notFound, params: [] };
}

const app = {
    config: null,
    member: null,
    path: null,
    hash: null, // the hash the current screen was shown for
    state: {},
    flash: null, // { key, params }: a message for the next screen (kept in its state)
    ws: null,
    live: null,
    params: [],
    signingOut: false,
};

const main = document.getElementById('main');
const live = document.getElementById('live-status');

function currentPath() {
    const hash = window.location.hash;
    if (!hash.startsWith('#/')) return '/';
    return hash.slice(1).split('?')[0] || '/';
}

// The part of the hash after '?', e.g. #/topics/7?post=41.
function currentQuery() {
    const hash = window.location.hash;
    const at = hash.indexOf('?');
    return new URLSearchParams(hash.startsWith('#/') && at >= 0 ? hash.slice(at + 1) : '');
}

// Announces text in the polite live region. Clearing first and writing a
// moment later makes screen readers speak a message equal to the last one.
let announceTimer = null;
function announce(text) {
    clearTimeout(announceTimer);
    live.textContent = '';
    announceTimer = setTimeout(() => {
        live.textContent = text;
    }, 150);
}

// Empties the live region (and drops a message still waiting to be
// written), e.g. "Signing in…" once the reply is on screen.
function clearAnnouncement() {
    clearTimeout(announceTimer);
    live.textContent = '';
}

function navigate(path, { flash = null, replace = false } = {}) {
    app.flash = flash;
    const hash = `#${path}`;
    if (window.location.hash === hash || (hash === '#/' && !window.location.hash.startsWith('#/'))) {
        if (replace) window.history.replaceState(null, '', hash);
        showRoute({ focus: true });
    } else if (replace) {
        window.location.replace(hash);
    } else {
        window.location.hash = hash;
    }
}

const ctx = {
    get config() { return app.config; },
    get member() { return app.member; },
    get state() { return app.state; },
    get ws() { return app.ws; },
    get live() { return app.live; },
    get params() { return app.params; },
    get query() { return currentQuery(); },
    // A title that depends on what was loaded (a topic's name).
    setTitle(text) {
        document.title = `${text} – Raati`;
    },
    announce,
    clearAnnouncement,
    navigate,
    rerender,
    changeLanguage,
    async reloadConfig() {
        const res = await api.config();
        if (res.ok) app.config = res;
    },
    updateMember(member) {
        app.member = member;
        renderChrome();
    },
    // After a successful sign-in or registration (member from the reply).
    // The language is settled first, so the welcome is shown and announced
    // in the language the next screen is in.
    async signedIn(member, { flash, params } = {}) {
        app.member = member;
        app.ws.reconnect(); // the session cookie is read at upgrade
        await syncLanguage({ render: false });
        renderChrome();
        navigate('/profile', { flash: flash && { key: flash, params } });
    },
    async signOut() {
        // The server closes this member's sockets as it signs out; the
        // anonymous hello that follows is expected, not a lost session.
        app.signingOut = true;
        try {
            await api.logout();
        } finally {
            app.signingOut = false;
        }
        app.member = null;
        app.ws.reconnect();
        renderChrome();
        navigate('/', { flash: { key: 'signout.done' } });
    },
    sessionEnded() {
        app.member = null;
        const { view } = matchRoute(currentPath());
        if (view.needsMember) {
            navigate('/login', { flash: { key: 'login.session_ended' } });
        } else {
            showRoute({ focus: false, keepState: true });
            announce(t('login.session_ended'));
        }
    },
};

// A member's saved language and this browser's choice: an explicit choice in
// this browser wins and is saved to the profile (in the background);
// otherwise the profile's language is used. With render: false the screen
// is left to the caller, who is about to show a new one.
async function syncLanguage({ render = true } = {}) {
    const member = app.member;
    if (!member) return;
    const chosen = storedLanguage();
    if (chosen && member.language !== chosen) {
        app.ws.request('profile.update', { language: chosen }).then((res) => {
            if (res.ok && app.member?.id === res.member.id) app.member = res.member;
        });
    } else if (!chosen && member.language && member.language !== language()) {
        if (render) await changeLanguage(member.language, { save: false, remember: false, quiet: true });
        else await setLanguage(member.language);
    }
}

async function changeLanguage(lang, { save = true, remember = true, quiet = false, fresh = null } = {}) {
    if (remember) rememberLanguage(lang);
    if (lang !== language()) {
        await setLanguage(lang);
        rerender({ fresh });
        if (!quiet) announce(t('lang.changed'));
    }
    if (save && app.member && app.member.language !== lang) {
        const res = await app.ws.request('profile.update', { language: lang });
        if (res.ok) app.member = res.member;
    }
}

// Re-renders everything in the current language, keeping what was typed
// and the keyboard focus where it was. `fresh` is the id of a form whose
// fields are shown as the data now says (e.g. just saved), not as typed.
function rerender({ fresh = null } = {}) {
    const focusedId = document.activeElement?.id;
    const focusedLang = document.activeElement?.dataset?.lang;
    const values = snapshotForms(main);
    for (const el of (fresh && document.getElementById(fresh)?.elements) || []) values.delete(el.id);
    renderChrome();
    showRoute({ focus: false, keepState: true });
    restoreForms(main, values);
    if (focusedLang) document.querySelector(`[data-lang="${focusedLang}"]`)?.focus();
    else if (focusedId) document.getElementById(focusedId)?.focus();
}

function renderChrome() {
    translateStatic(document);
    document.getElementById('brand-region').textContent = app.config ? localName(app.config.region) : '';

    const switcher = document.getElementById('lang-switch');
    switcher.replaceChildren(...LANGUAGES.map((lang) => h('button', {
        type: 'button', class: 'lang-switch__button', lang, 'data-lang': lang,
        'aria-pressed': String(lang === language()),
        onclick: () => changeLanguage(lang),
    }, t(`lang.name.${lang}`))));

    const path = currentPath();
    const link = (to, key, current = path === to) => h('li', null, h('a', {
        href: `#${to}`, class: 'site-nav__link', 'aria-current': current ? 'page' : null,
    }, t(key)));
    const items = app.member
        ? [link('/', 'nav.home'), link('/periods', 'nav.periods'),
            // The moderators' console, for moderators and admins only.
            isStaff(app.member) && link('/moderation/queue', 'nav.moderation', path.startsWith('/moderation')),
            // Notices from moderators, with how many are unread.
            h('li', null, h('a', { href: '#/notices', id: 'nav-notices', class: 'site-nav__link',
                'aria-current': path === '/notices' ? 'page' : null }, noticesLinkContent())),
            link('/profile', 'nav.profile'),
            h('li', null, h('button', { type: 'button', class: 'site-nav__link site-nav__button', onclick: () => ctx.signOut() }, t('nav.signout')))]
        : [link('/', 'nav.home'), link('/register', 'nav.register'), link('/login', 'nav.login')];
    document.getElementById('site-nav').replaceChildren(h('ul', { class: 'site-nav__list' }, items));
    // The member's own channel, for notices (once per member; nothing when signed out).
    if (app.live) noticeCenter.start(ctx);

    const footer = document.getElementById('site-footer');
    const email = contactEmail(app.config);
    footer.replaceChildren(
        h('p', null, h('strong', null, 'Raati'), ' · ', t('footer.tagline')),
        app.config && h('p', null, t('footer.maintainer', { region: localName(app.config.region) })),
        app.config && h('p', { class: 'footer-contact' }, email
            ? tParts('footer.contact.email', {}, { email: mailLink(email) })
            : t('footer.contact.none')),
        h('p', null, h('a', { href: '#/privacy' }, t('privacy.title'))));
    showConnection();
}

// The connection to the server, said quietly under the header: nothing
// while it is up, "reconnecting…" when it has been down for a moment (a
// quick reconnect after signing in is not worth a word), "connected again"
// for a few seconds after.
const connection = { everOpen: false, shown: null, timer: null, clearTimer: null };

function connectionState(state) {
    if (state === 'open') {
        clearTimeout(connection.timer);
        connection.timer = null;
        const wasDown = connection.shown === 'lost';
        connection.everOpen = true;
        connection.shown = wasDown ? 'restored' : null;
        if (wasDown) {
            clearTimeout(connection.clearTimer);
            connection.clearTimer = setTimeout(() => {
                if (connection.shown === 'restored') connection.shown = null;
                showConnection();
            }, 5000);
        }
        showConnection();
    } else if (connection.shown !== 'lost' && !connection.timer) {
        // Attempts to reconnect come and go meanwhile; the first drop starts
        // the clock.
        connection.timer = setTimeout(() => {
            connection.timer = null;
            connection.shown = 'lost';
            showConnection();
        }, 1500);
    }
}

function showConnection() {
    const el = document.getElementById('connection-status');
    if (!el) return;
    const key = connection.shown === 'lost'
        ? (connection.everOpen ? 'connection.lost' : 'connection.connecting')
        : connection.shown === 'restored' ? 'connection.restored' : null;
    const text = key ? t(key) : '';
    if (el.textContent !== text) el.textContent = text;
    el.className = ['connection', key && `connection--${connection.shown}`].filter(Boolean).join(' ');
}

let routeSerial = 0;

function showRoute({ focus, keepState = false } = {}) {
    if (!app.config) return;
    const serial = ++routeSerial;
    const path = currentPath();
    const { view, params } = matchRoute(path);
    if (view.needsMember && !app.member) {
        // This tab may not have heard that the person signed in again in
        // another one: ask the server before sending them to sign in.
        api.me().then(async (me) => {
            if (serial !== routeSerial) return; // moved on meanwhile
            if (me.ok && me.member) {
                app.member = me.member;
                app.ws.reconnect(); // a member's socket, not this anonymous one
                await syncLanguage({ render: false });
                if (serial === routeSerial) showRoute({ focus, keepState });
            } else {
                navigate('/login', { flash: { key: 'login.needed' }, replace: true });
            }
        });
        return;
    }
    if (ANONYMOUS_ONLY.has(path) && app.member) {
        navigate('/profile', { replace: true });
        return;
    }
    if (path !== app.path || !keepState) {
        try {
            app.state.dispose?.();
        } catch (err) {
            console.error(err);
        }
        app.state = {};
    }
    app.path = path;
    app.hash = window.location.hash;
    app.params = params;
    // The message stays with the screen (a language change re-renders it
    // in the new language) until the screen is left or the view drops it.
    if (app.flash) {
        app.state.flash = app.flash;
        app.flash = null;
    }
    const flash = app.state.flash;
    const nodes = [view.render(ctx)].flat().filter((node) => node !== null && node !== undefined && node !== false);
    if (flash) {
        nodes.splice(1, 0, h('div', { class: 'flash' }, h('p', null, t(flash.key, flash.params))));
    }
    main.replaceChildren(...nodes);
    document.title = `${typeof view.title === 'function' ? view.title(ctx) : t(view.title)} – Raati`;
    renderChrome();
    if (focus) {
        main.querySelector('h1')?.focus();
        window.scrollTo(0, 0);
        if (flash) announce(t(flash.key, flash.params));
    }
}

// Skip link: move focus to the content without touching the route.
document.querySelector('.skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    (main.querySelector('h1') ?? main).focus();
});

// A view with unsaved work (state.unsaved() true) is not left without asking:
// moving to another screen asks first, and so does closing or reloading the
// page (the browser's own question).
function unsavedWork() {
    try {
        return Boolean(app.state.unsaved?.());
    } catch {
        return false;
    }
}

window.addEventListener('hashchange', () => {
    if (!(window.location.hash.startsWith('#/') || window.location.hash === '')) return;
    if (currentPath() !== app.path && app.hash !== null && unsavedWork() && !window.confirm(t('leave.unsaved'))) {
        window.history.replaceState(null, '', app.hash);
        return;
    }
    showRoute({ focus: true });
});

window.addEventListener('beforeunload', (ev) => {
    if (!unsavedWork()) return;
    ev.preventDefault();
    ev.returnValue = '';
});

function showStartError() {
    main.replaceChildren(
        h('h1', { tabindex: '-1' }, t('start_error.title')),
        h('p', null, t('start_error.text')),
        h('p', null, h('button', { type: 'button', class: 'button', onclick: () => window.location.reload() }, t('start_error.retry'))));
    document.title = `${t('start_error.title')} – Raati`;
}

async function start() {
    await setLanguage(storedLanguage() ?? browserLanguage());
    const [config, me] = await Promise.all([api.config(), api.me()]);
    renderChrome();
    if (!config.ok) {
        showStartError();
        return;
    }
    app.config = config;
    app.member = me.ok ? me.member : null;

    app.ws = new Socket();
    app.live = new Live(app.ws);
    app.ws.on('state', connectionState);
    app.ws.on('hello', (hello) => {
        const was = app.member;
        if (!hello.member && was && !app.signingOut) {
            // The session ended elsewhere (signed out, password changed).
            ctx.sessionEnded();
        } else if (hello.member) {
            app.member = hello.member;
            if (!was) showRoute({ focus: false, keepState: true });
            else renderChrome();
        }
    });
    app.ws.connect();

    if (app.member && !storedLanguage() && app.member.language !== language()) {
        await setLanguage(app.member.language);
    }
    showRoute({ focus: false });
    if (app.member) syncLanguage();
}

start();
