// Pieces several views use: configured lists as form options, the privacy
// notice, the page heading.
import { h } from '../dom.js';
import { t, tParts, localName, compareNames, capitalize, LANGUAGES } from '../i18n.js';

// The region's contact address from /api/config (`contact_email`), or null
// when it has none (or sent something that is not an address).
export function contactEmail(config) {
    const email = config?.contact_email;
    return typeof email === 'string' && /^[^\s@?&]+@[^\s@?&]+$/.test(email.trim()) ? email.trim() : null;
}

export function mailLink(email) {
    return h('a', { href: `mailto:${email}`, class: 'email-link' }, email);
}

// A sentence naming the contact address as a mailto link; `key` has
// {email} in it. Without an address, `fallback` (no address in it).
export function withContact(config, key, fallback) {
    const email = contactEmail(config);
    return email ? tParts(key, {}, { email: mailLink(email) }) : t(fallback);
}

export function municipalityOptions(config) {
    return config.municipalities
        .map((m) => ({ value: m.id, label: localName(m.name) }))
        .sort((a, b) => compareNames(a.label, b.label));
}

export function interestOptions(config) {
    return config.interest_areas
        .map((a) => ({ value: a.id, label: capitalize(localName(a.name)) }))
        .sort((a, b) => compareNames(a.label, b.label));
}

// Each language named in itself, marked with its own lang for screen readers.
export function languageOptions() {
    return LANGUAGES.map((lang) => ({ value: lang, label: t(`lang.name.${lang}`), lang }));
}

export function heading(id, text) {
    return h('h1', { id, tabindex: '-1' }, text);
}

// The privacy notice the registration form shows and #/privacy repeats.
// `level` is the heading level its title takes on the page.
export function privacyNotice(config, { level = 2, id = 'privacy-notice' } = {}) {
    const region = localName(config.region);
    const sub = `h${level + 1}`;
    const title = level === 1
        ? h('h1', { id: `${id}-title`, tabindex: '-1' }, t('privacy.title'))
        : h(`h${level}`, { id: `${id}-title` }, t('privacy.title'));
    return h('section', { class: 'privacy', id, 'aria-labelledby': `${id}-title` },
        title,
        h('p', { class: 'privacy__version' }, t('privacy.version', { version: config.privacy_notice_version })),
        h('p', null, t('privacy.controller', { region })),
        h(sub, null, t('privacy.collected.title')),
        h('p', null, t('privacy.collected.text')),
        h(sub, null, t('privacy.purpose.title')),
        h('p', null, t('privacy.purpose.text')),
        h(sub, null, t('privacy.visible.title')),
        h('p', null, t('privacy.visible.text')),
        h(sub, null, t('privacy.rights.title')),
        h('p', null, t('privacy.rights.text')),
        h('p', { class: 'privacy__contact' },
            withContact(config, 'privacy.rights.contact.email', 'privacy.rights.contact.none')));
}
