// Pieces the period and topic views share: dates, status, counts, a member's
// own participation, a loading or failed state, and reading an error reply.
import { h } from '../dom.js';
import { t, tn, tParts, formatDateTime, formatNumber } from '../i18n.js';
import { errorText } from '../forms.js';

export const STATUSES = ['draft', 'upcoming', 'open', 'closed'];

export function timeEl(iso) {
    return h('time', { datetime: iso }, formatDateTime(iso));
}

export function statusBadge(status) {
    return h('span', { class: `badge badge--${status}` }, t(`period.status.${status}`));
}

// "Open until 8 Dec 2026, 22:00", "Starts … and ends …", "Ended …".
export function periodDates(period) {
    const nodes = { start: timeEl(period.starts_at), end: timeEl(period.ends_at) };
    return tParts(`period.dates.${period.status}`, {}, nodes);
}

export function periodCounts(period) {
    return [
        tn('count.topics', period.topic_count ?? 0, { n: formatNumber(period.topic_count ?? 0) }),
        tn('count.posts', period.post_count ?? 0, { n: formatNumber(period.post_count ?? 0) }),
        tn('count.participants', period.participant_count ?? 0, { n: formatNumber(period.participant_count ?? 0) }),
    ].join(' · ');
}

export function mineText(mine) {
    if (!mine || (!mine.posts && !mine.reactions)) return t('period.mine.none');
    return t('period.mine', {
        posts: tn('count.posts', mine.posts, { n: formatNumber(mine.posts) }),
        reactions: tn('count.reactions', mine.reactions, { n: formatNumber(mine.reactions) }),
    });
}

export function isStaff(member) {
    return member?.role === 'moderator' || member?.role === 'admin';
}

// The view's heading while its data loads; the same element gets the real
// title, so focus put on it by the router stays.
export function loadingHeading(id) {
    return h('h1', { id, tabindex: '-1' }, t('loading'));
}

// What a failed load says, with a button to try again.
export function loadFailed(error, retry) {
    const key = error?.code === 'not_found' ? 'load.not_found' : error?.code === 'forbidden' ? 'error.forbidden' : null;
    return h('div', { class: 'load-failed' },
        h('p', { class: 'notice notice--warning' }, key ? t(key) : errorText(error ?? { code: 'unknown' })),
        !key && h('p', null, h('button', { type: 'button', class: 'button button--secondary', onclick: retry }, t('load.retry'))),
        h('p', null, h('a', { href: '#/periods' }, t('periods.back'))));
}

export function breadcrumb(items) {
    return h('nav', { class: 'breadcrumb', 'aria-label': t('breadcrumb.label') },
        h('ol', { class: 'breadcrumb__list' }, items.map(([href, text]) =>
            h('li', null, href ? h('a', { href }, text) : h('span', { 'aria-current': 'page' }, text)))));
}

// Converts the date and time inputs (the browser's local time) to the
// protocol's UTC form, and back.
export function localToIso(date, time) {
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
    const tm = /^(\d{2}):(\d{2})$/.exec(time ?? '');
    if (!d || !tm) return null;
    const when = new Date(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(tm[1]), Number(tm[2]));
    return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

export function isoToLocal(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return { date: '', time: '' };
    const pad = (n) => String(n).padStart(2, '0');
    return {
        date: `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`,
        time: `${pad(when.getHours())}:${pad(when.getMinutes())}`,
    };
}
