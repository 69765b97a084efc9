// Message catalogs: web/i18n/{fi,sv,en}.json, flat objects of dotted keys.
// Finnish is the first language and the fallback for a key missing elsewhere.

export const LANGUAGES = ['fi', 'sv', 'en'];
const LOCALES = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };
const STORAGE_KEY = 'raati.language';

const catalogs = new Map();
let current = 'fi';

async function loadCatalog(lang) {
    if (catalogs.has(lang)) return catalogs.get(lang);
    const res = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
    if (!res.ok) throw new Error(`catalog ${lang}: HTTP ${res.status}`);
    const catalog = await res.json();
    catalogs.set(lang, catalog);
    return catalog;
}

export function isLanguage(lang) {
    return LANGUAGES.includes(lang);
}

export function language() {
    return current;
}

export function locale() {
    return LOCALES[current];
}

// Loads the catalog (and the Finnish fallback) and makes lang current.
export async function setLanguage(lang) {
    if (!isLanguage(lang)) lang = 'fi';
    await Promise.all([loadCatalog('fi'), loadCatalog(lang)]);
    current = lang;
    document.documentElement.lang = lang;
}

export function has(key) {
    return key in (catalogs.get(current) || {}) || key in (catalogs.get('fi') || {});
}

// t('register.title') or t('error.too_young', { max: 2011 }): {name} in the
// string is replaced by params.name. A missing key shows itself, so a gap in
// a catalog is visible rather than silent.
export function t(key, params) {
    let text = catalogs.get(current)?.[key] ?? catalogs.get('fi')?.[key];
    if (text === undefined) return key;
    if (params) {
        text = text.replace(/\{(\w+)\}/g, (whole, name) =>
            name in params ? String(params[name]) : whole);
    }
    return text;
}

// t() for a text with nodes in it, e.g. a link: tParts('login.forgot',
// {}, { email: linkNode }) splits the text at {email} and returns strings
// and the node, ready for h() or append().
export function tParts(key, params, nodes) {
    return t(key, params).split(/(\{\w+\})/).map((part) => {
        const m = /^\{(\w+)\}$/.exec(part);
        return m && m[1] in nodes ? nodes[m[1]] : part;
    }).filter((part) => part !== '');
}

// Picks key.one / key.other (CLDR plural rules of the current language).
export function tn(key, count, params) {
    const rule = new Intl.PluralRules(LOCALES[current]).select(count);
    const full = has(`${key}.${rule}`) ? `${key}.${rule}` : `${key}.other`;
    return t(full, { count, ...params });
}

// A configured name object {fi, sv, en} in the current language.
export function localName(names) {
    if (!names) return '';
    if (typeof names === 'string') return names;
    return names[current] ?? names.fi ?? Object.values(names)[0] ?? '';
}

export function compareNames(a, b) {
    return a.localeCompare(b, LOCALES[current]);
}

export function capitalize(text) {
    return text ? text.charAt(0).toLocaleUpperCase(LOCALES[current]) + text.slice(1) : text;
}

export function formatDate(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: 'long' }).format(date);
}

// A date and time in the browser's time zone (Europe/Helsinki for most
// members): "18.11.2026 klo 12.01", "18 nov. 2026 12:01", "18 Nov 2026, 12:01".
export function formatDateTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatNumber(n) {
    return new Intl.NumberFormat(LOCALES[current]).format(n);
}

export function storedLanguage() {
    try {
        const lang = localStorage.getItem(STORAGE_KEY);
        return isLanguage(lang) ? lang : null;
    } catch {
        return null; // storage can be blocked; the choice then lasts the visit
    }
}

// The browser's preferred language when none has been chosen here: the
// first of navigator.languages that is Finnish, Swedish or English, else
// Finnish.
export function browserLanguage(preferred = navigator.languages?.length ? navigator.languages : [navigator.language]) {
    for (const tag of preferred ?? []) {
        const m = /^(fi|sv|en)(-|_|$)/i.exec(String(tag));
        if (m) return m[1].toLowerCase();
    }
    return 'fi';
}

export function rememberLanguage(lang) {
    try {
        localStorage.setItem(STORAGE_KEY, lang);
    } catch {
        /* see storedLanguage */
    }
}

// Fills elements marked data-i18n (text) and data-i18n-aria-label.
export function translateStatic(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
        el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
    }
}
