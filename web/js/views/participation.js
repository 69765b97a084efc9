// #/periods/<id>/participation: for moderators, who took part in a period,
// by age group and by home municipality (period.participation), as tables.
import { h } from '../dom.js';
import { t, formatNumber, localName } from '../i18n.js';
import { isStaff, loadingHeading, loadFailed, breadcrumb, statusBadge, periodDates } from './periodparts.js';

function table({ id, caption, head, rows, total }) {
    const num = (n) => formatNumber(n ?? 0);
    return h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': `${id}-caption` },
        h('table', { class: 'table', id },
            h('caption', { id: `${id}-caption` }, caption),
            h('thead', null, h('tr', null,
                h('th', { scope: 'col' }, head),
                h('th', { scope: 'col', class: 'num' }, t('participation.participants')),
                h('th', { scope: 'col', class: 'num' }, t('participation.posts')))),
            h('tbody', null, rows.map((r) => h('tr', null,
                h('th', { scope: 'row' }, r.label),
                h('td', { class: 'num' }, num(r.participants)),
                h('td', { class: 'num' }, num(r.posts))))),
            total && h('tfoot', null, h('tr', null,
                h('th', { scope: 'row' }, t('participation.total')),
                h('td', { class: 'num' }, num(total.participants)),
                h('td', { class: 'num' }, num(total.posts))))));
}

function ageLabel(group) {
    if (group === 'unknown') return t('participation.age.unknown');
    if (group.endsWith('+')) return t('participation.age.plus', { from: group.slice(0, -1) });
    const [from, to] = group.split('-');
    return t('participation.age.range', { from, to });
}

class Participation {
    constructor(ctx, id) {
        this.ctx = ctx;
        this.id = id;
        this.period = null;
        this.data = null;
        this.error = null;
        this.load();
    }

    async load() {
        const [p, d] = await Promise.all([
            this.ctx.ws.request('period.get', { period_id: this.id }),
            this.ctx.ws.request('period.participation', { period_id: this.id }),
        ]);
        const bad = [p, d].find((r) => !r.ok);
        if (bad) {
            if (bad.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = bad.error;
        } else {
            this.error = null;
            this.period = p.period;
            this.data = d;
        }
        if (this.ctx.state.view === this) this.ctx.rerender();
    }

    render() {
        const title = t('participation.title');
        if (!isStaff(this.ctx.member)) {
            return [h('h1', { id: 'participation-title', tabindex: '-1' }, title),
                h('p', { class: 'notice notice--warning' }, t('error.forbidden'))];
        }
        if (this.error) {
            return [h('h1', { id: 'participation-title', tabindex: '-1' }, title), loadFailed(this.error, () => this.load())];
        }
        if (!this.data) return [loadingHeading('participation-title')];
        const d = this.data;
        const p = this.period;
        const municipalities = new Map(this.ctx.config.municipalities.map((m) => [m.id, localName(m.name)]));
        const byMunicipality = (d.by_municipality ?? []).map((r) => ({
            ...r,
            label: r.municipality === 'unknown' ? t('participation.municipality.unknown') : municipalities.get(r.municipality) ?? r.municipality,
        }));
        const byAge = (d.by_age_group ?? []).map((r) => ({ ...r, label: ageLabel(r.group) }));
        const sum = (rows) => rows.reduce((acc, r) => ({ participants: acc.participants + (r.participants ?? 0), posts: acc.posts + (r.posts ?? 0) }),
            { participants: 0, posts: 0 });
        return [
            breadcrumb([['#/periods', t('periods.title')], [`#/periods/${p.id}`, p.title], [null, title]]),
            h('h1', { id: 'participation-title', tabindex: '-1' }, t('participation.heading', { title: p.title })),
            h('p', null, statusBadge(p.status), ' ', periodDates(p)),
            h('dl', { class: 'stats' },
                [['participation.participants', d.participants], ['participation.posts', d.posts], ['participation.reactions', d.reactions]]
                    .map(([key, n]) => h('div', { class: 'stats__item' }, h('dt', null, t(key)), h('dd', null, formatNumber(n ?? 0))))),
            h('p', { class: 'hint' }, t('participation.note')),
            h('section', { class: 'section', 'aria-labelledby': 'participation-age' },
                h('h2', { id: 'participation-age' }, t('participation.by_age')),
                table({ id: 'participation-age-table', caption: t('participation.by_age.caption'), head: t('participation.age_group'),
                    rows: byAge, total: sum(byAge) })),
            h('section', { class: 'section', 'aria-labelledby': 'participation-municipality' },
                h('h2', { id: 'participation-municipality' }, t('participation.by_municipality')),
                table({ id: 'participation-municipality-table', caption: t('participation.by_municipality.caption'),
                    head: t('participation.municipality'), rows: byMunicipality, total: sum(byMunicipality) })),
        ];
    }
}

export default {
    title: 'participation.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) ctx.state.view = new Participation(ctx, ctx.params[0]);
        return ctx.state.view.render();
    },
};
