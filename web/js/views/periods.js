// #/periods: the activity periods as members see them: open ones first,
// then upcoming ones with their dates, then past ones (and drafts for
// moderators), each with the member's own participation. Kept up to date
// from the `periods` channel.
import { h, fill } from '../dom.js';
import { t } from '../i18n.js';
import { LiveView, keepFocus } from './liveview.js';
import {
    statusBadge, periodDates, periodCounts, mineText, isStaff, loadFailed,
} from './periodparts.js';

const GROUPS = ['open', 'upcoming', 'past', 'drafts'];
const GROUP_OF = { open: 'open', upcoming: 'upcoming', closed: 'past', draft: 'drafts' };

// One period in a list: its title as a link, status and dates, counts and
// the member's own participation. `level` is the heading level of its title.
export function periodCard(period, { level = 3, showMine = true } = {}) {
    const titleId = `period-card-${period.id}`;
    return h('li', { class: `period-card period-card--${period.status}` },
        h('article', { 'aria-labelledby': titleId },
            h(`h${level}`, { class: 'period-card__title', id: titleId },
                h('a', { href: `#/periods/${period.id}` }, period.title)),
            h('p', { class: 'period-card__when' }, statusBadge(period.status), ' ', periodDates(period)),
            h('p', { class: 'period-card__counts' }, periodCounts(period)),
            showMine && h('p', { class: 'period-card__mine' }, mineText(period.mine))));
}

function sortGroup(name, list) {
    const by = (key, dir = 1) => (a, b) => dir * String(a[key]).localeCompare(String(b[key])) || a.id - b.id;
    if (name === 'open') list.sort(by('ends_at'));
    else if (name === 'upcoming') list.sort(by('starts_at'));
    else if (name === 'past') list.sort(by('ends_at', -1));
    else list.sort(by('created_at', -1));
    return list;
}

class PeriodsList extends LiveView {
    constructor(ctx) {
        super(ctx);
        this.groups = null; // { open: [...], upcoming: [...], past: [...], drafts: [...] }
        this.error = null;
        this.content = null;
        this.load();
    }

    async load() {
        await this.runLoad(async () => {
            const res = await this.subscribeAndGet('periods', 'period.list');
            if (!res) return;
            this.groups = {};
            for (const g of GROUPS) this.groups[g] = Array.isArray(res[g]) ? res[g] : [];
        });
        this.paint();
    }

    reload() {
        this.load();
    }

    apply(frame) {
        if (frame.event !== 'period.changed' && frame.event !== 'period.created') return;
        if (!this.groups) return;
        const period = frame.data;
        let old = null;
        for (const g of GROUPS) {
            const i = this.groups[g].findIndex((p) => p.id === period.id);
            if (i >= 0) {
                old = this.groups[g][i];
                this.groups[g].splice(i, 1);
            }
        }
        if (old && (old.seq ?? 0) > (period.seq ?? 0)) {
            this.groups[GROUP_OF[old.status]].push(old); // an older state: keep what we had
            return;
        }
        const group = GROUP_OF[period.status];
        if (group === 'drafts' && !isStaff(this.ctx.member)) return;
        this.groups[group].push({ ...period, mine: old?.mine ?? period.mine ?? { posts: 0, reactions: 0 } });
        sortGroup(group, this.groups[group]);
        this.paint();
    }

    paint() {
        if (!this.content || this.disposed) return;
        keepFocus(this.content, () => fill(this.content, ...this.body()));
    }

    body() {
        if (this.error) return [loadFailed(this.error, () => this.load())];
        if (!this.groups) return [h('p', { class: 'loading' }, t('loading'))];
        const staff = isStaff(this.ctx.member);
        return GROUPS.filter((g) => g !== 'drafts' || staff).map((g) => {
            const id = `periods-${g}`;
            const list = this.groups[g];
            return h('section', { class: 'section periods-group', 'aria-labelledby': id },
                h('h2', { id }, t(`periods.group.${g}`)),
                list.length
                    ? h('ul', { class: 'period-list' }, list.map((p) => periodCard(p, { showMine: g !== 'drafts' })))
                    : h('p', { class: 'empty' }, t(`periods.empty.${g}`)));
        });
    }

    render() {
        this.content = h('div', { class: 'periods' });
        this.paint();
        return [
            h('h1', { id: 'periods-title', tabindex: '-1' }, t('periods.title')),
            h('p', { class: 'lead' }, t('periods.intro')),
            isStaff(this.ctx.member) && h('p', { class: 'actions' },
                h('a', { class: 'button', href: '#/periods/new' }, t('periods.new'))),
            this.content,
        ];
    }
}

export default {
    title: 'periods.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new PeriodsList(ctx);
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};
