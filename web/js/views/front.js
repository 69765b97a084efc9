// Front page: what resident developers do, and how to join.
import { h, fill } from '../dom.js';
import { t, localName } from '../i18n.js';
import { heading } from './shared.js';
import { periodCard } from './periods.js';

const ACTIVITIES = ['periods', 'discuss', 'polls', 'workshops', 'results'];
const STEPS = ['register', 'choose', 'join'];

// For a signed-in member: the periods open now, straight from the front
// page. Loaded once per visit of the page; nothing is shown until it is.
function openPeriods(ctx) {
    const paint = (box) => {
        const list = ctx.state.openPeriods;
        if (!list || !box) return;
        fill(box, h('section', { class: 'section', 'aria-labelledby': 'front-open' },
            h('h2', { id: 'front-open' }, t('front.open.title')),
            list.length
                ? h('ul', { class: 'period-list' }, list.map((p) => periodCard(p, { level: 3 })))
                : h('p', { class: 'empty' }, t('periods.empty.open')),
            h('p', null, h('a', { href: '#/periods' }, t('front.open.all')))));
    };
    if (!ctx.state.openPeriodsAsked) {
        ctx.state.openPeriodsAsked = true;
        const state = ctx.state;
        ctx.ws.request('period.list').then((res) => {
            if (!res.ok || ctx.state !== state) return;
            state.openPeriods = res.open ?? [];
            paint(document.querySelector('main .front-open'));
        });
    }
    const box = h('div', { class: 'front-open' });
    paint(box);
    return box;
}

export default {
    title: 'front.title',
    render(ctx) {
        const signedIn = Boolean(ctx.member);
        const actions = signedIn
            ? [h('a', { class: 'button', href: '#/periods' }, t('front.cta.periods')),
                h('a', { class: 'button button--secondary', href: '#/profile' }, t('front.cta.profile'))]
            : [
                h('a', { class: 'button', href: '#/register' }, t('front.cta.register')),
                h('a', { class: 'button button--secondary', href: '#/login' }, t('front.cta.login')),
            ];
        return [
            h('section', { class: 'hero', 'aria-labelledby': 'front-title' },
                h('p', { class: 'hero__region' }, localName(ctx.config.region)),
                heading('front-title', t('front.heading')),
                h('p', { class: 'lead' }, t('front.lead')),
                h('div', { class: 'actions' }, actions)),
            signedIn && openPeriods(ctx),
            h('section', { class: 'section', 'aria-labelledby': 'front-what' },
                h('h2', { id: 'front-what' }, t('front.what.title')),
                h('p', null, t('front.what.intro')),
                h('ul', { class: 'cards' }, ACTIVITIES.map((key, i) =>
                    h('li', { class: 'card' },
                        h('span', { class: 'card__number', 'aria-hidden': 'true' }, String(i + 1)),
                        h('h3', { class: 'card__title' }, t(`front.what.${key}.title`)),
                        h('p', null, t(`front.what.${key}.text`)))))),
            h('section', { class: 'section section--join', 'aria-labelledby': 'front-join' },
                h('h2', { id: 'front-join' }, t('front.join.title')),
                h('p', { class: 'join__who' }, t('front.join.who', { min_age: ctx.config.minimum_age })),
                h('ol', { class: 'steps' }, STEPS.map((key) =>
                    h('li', null,
                        h('strong', null, t(`front.join.${key}.title`)), ' ',
                        t(`front.join.${key}.text`)))),
                h('p', null, t('front.join.voluntary')),
                !signedIn && h('div', { class: 'actions' },
                    h('a', { class: 'button', href: '#/register' }, t('front.cta.register')))),
        ];
    },
};
