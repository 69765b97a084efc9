// The moderators' console (docs/protocol.md, "Moderation"), for moderators
// and admins only:
//   #/moderation/members  find members (member.find); suspend one with an
//                         end time and a reason, lift a suspension after a
//                         confirm step; admins also change roles.
//   #/moderation/log      the audit log (audit.list), newest first, with an
//                         action filter, a member filter and older pages.
// A member who is not staff gets a clear "no access" message; the server
// answers `forbidden` to them anyway.
import { h, fill } from '../dom.js';
import { t, tn, has, formatDateTime, formatNumber } from '../i18n.js';
import {
    textField, textAreaField, selectField, errorSummary, noticeSlot, notice, showErrors, clearErrors,
    setBusy, isBusy, isServiceError, errorText, textLength,
} from '../forms.js';
import { isStaff, localToIso, isoToLocal, timeEl } from './periodparts.js';

export const REASON_MAX = 500;
const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000;
export const ROLES = ['member', 'moderator', 'admin'];
// Every action the audit log records (docs/protocol.md, "The audit log").
export const AUDIT_ACTIONS = [
    'member.suspend', 'member.unsuspend', 'member.role',
    'period.create', 'period.update', 'period.announce', 'period.open', 'period.close',
    'poll.create', 'poll.update', 'poll.close',
    'survey.create', 'survey.update', 'survey.open', 'survey.close', 'survey.delete',
    'user.add', 'user.role', 'user.password',
];

function isAdmin(member) {
    return member?.role === 'admin';
}

// The two screens' own navigation, under the heading.
function consoleNav(current) {
    const link = (to, key) => h('li', null, h('a', {
        href: `#${to}`, class: 'console-nav__link', 'aria-current': current === to ? 'page' : null,
    }, t(key)));
    return h('nav', { class: 'console-nav', 'aria-label': t('mod.nav.label') },
        h('ul', { class: 'console-nav__list' },
            link('/moderation/members', 'mod.members.title'),
            link('/moderation/log', 'mod.log.title')));
}

function noAccess(titleKey) {
    return [
        h('h1', { id: 'mod-title', tabindex: '-1' }, t(titleKey)),
        h('p', { class: 'notice notice--warning', id: 'mod-no-access' }, t('mod.no_access')),
        h('p', null, h('a', { href: '#/' }, t('notfound.home'))),
    ];
}

function roleName(role) {
    return ROLES.includes(role) ? t(`role.${role}`) : String(role ?? '');
}

// ---------------------------------------------------------------------------
// #/moderation/members

class MembersView {
    constructor(ctx) {
        this.ctx = ctx;
        this.query = '';
        this.results = null; // [member as moderators see it]
        this.more = false;
        this.searchError = null;
        this.searchErrors = null;
        this.searching = false;
        this.rows = new Map(); // id -> { li, open, confirm, role, errors, notice }
        this.list = null;
    }

    ui(id) {
        if (!this.rows.has(id)) this.rows.set(id, { li: null, open: null, errors: null, notice: null, confirmRole: null });
        return this.rows.get(id);
    }

    render() {
        const ctx = this.ctx;
        if (!isStaff(ctx.member)) return noAccess('mod.members.title');
        const form = h('form', { id: 'member-search', class: 'form form--search', novalidate: true, role: 'search',
            'aria-label': t('mod.search.label') },
        errorSummary('member-search'),
        textField({ form: 'member-search', name: 'query', label: t('mod.search.field'), hint: t('mod.search.hint'),
            type: 'search', value: this.query, required: true, maxlength: 100, autocomplete: 'off' }),
        noticeSlot(),
        h('div', { class: 'actions actions--tight' },
            h('button', { type: 'submit', class: 'button', id: 'member-search-submit' }, t('mod.search.submit'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.search(form);
        });
        if (this.searchErrors) showErrors(form, this.searchErrors);
        else if (this.searchError) form.querySelector('.notice-slot').replaceChildren(notice('warning', errorText(this.searchError)));

        this.list = h('div', { id: 'member-results', 'aria-busy': this.searching ? 'true' : null });
        this.paintResults();
        return [
            h('h1', { id: 'mod-title', tabindex: '-1' }, t('mod.members.title')),
            consoleNav('/moderation/members'),
            h('p', { class: 'lead' }, t(isAdmin(ctx.member) ? 'mod.members.intro_admin' : 'mod.members.intro')),
            form,
            this.list,
        ];
    }

    async search(form) {
        if (isBusy(form)) return;
        const query = String(new FormData(form).get('query') ?? '').trim();
        this.query = query;
        if (!query) {
            this.searchErrors = [{ code: 'missing_field', field: 'query' }];
            showErrors(form, this.searchErrors).focus();
            return;
        }
        this.searchErrors = null;
        this.searchError = null;
        clearErrors(form);
        form.querySelector('.notice-slot').replaceChildren();
        setBusy(form, true);
        this.searching = true;
        this.list?.setAttribute('aria-busy', 'true');
        const res = await this.ctx.ws.request('member.find', { query });
        setBusy(form, false);
        this.searching = false;
        this.list?.removeAttribute('aria-busy');
        if (this.ctx.state.view !== this) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            const err = res.error ?? { code: 'unknown' };
            if (err.field === 'query' && !isServiceError(err)) {
                this.searchErrors = [err.code === 'too_long' ? { ...err, params: { limit: 100 } } : err];
                showErrors(form, this.searchErrors).focus();
            } else {
                this.searchError = err;
                form.querySelector('.notice-slot').replaceChildren(notice('warning', errorText(err)));
                this.ctx.announce(errorText(err));
            }
            return;
        }
        this.results = res.members ?? [];
        this.more = Boolean(res.more);
        this.rows.clear();
        this.paintResults();
        this.ctx.announce(this.countText());
    }

    countText() {
        const n = this.results.length;
        if (n === 0) return t('mod.search.none', { query: this.query });
        const text = tn('mod.search.count', n, { n: formatNumber(n) });
        return this.more ? `${text} ${t('mod.search.more')}` : text;
    }

    paintResults() {
        if (!this.list) return;
        if (!this.results) {
            fill(this.list);
            return;
        }
        fill(this.list,
            h('h2', { id: 'member-results-title' }, t('mod.search.results')),
            h('p', { id: 'member-results-count' }, this.countText()),
            this.results.length > 0 && h('ul', { class: 'member-list', 'aria-labelledby': 'member-results-title' },
                this.results.map((m) => this.row(m))));
    }

    row(m) {
        const u = this.ui(m.id);
        const li = h('li', { class: ['member-card', m.suspension && 'member-card--suspended'], id: `member-${m.id}` });
        u.li = li;
        this.fillRow(li, m);
        return li;
    }

    repaintRow(id) {
        const m = this.results?.find((x) => x.id === id);
        const u = this.ui(id);
        if (!m || !u.li?.isConnected) return;
        u.li.className = ['member-card', m.suspension && 'member-card--suspended'].filter(Boolean).join(' ');
        this.fillRow(u.li, m);
    }

    fillRow(li, m) {
        const u = this.ui(m.id);
        const me = this.ctx.member;
        const self = me?.id === m.id;
        const base = `member-${m.id}`;
        const status = m.suspension
            ? [h('strong', null, t('mod.member.suspended_until', { until: formatDateTime(m.suspension.until) })),
                h('br'), t('mod.member.suspension_reason', { reason: m.suspension.reason })]
            : t('mod.member.not_suspended');
        const canSuspend = m.role === 'member';
        const buttons = [];
        if (canSuspend && !m.suspension && u.open !== 'suspend') {
            buttons.push(h('button', { type: 'button', class: 'button button--secondary button--small', id: `${base}-suspend`,
                onclick: () => this.openForm(m.id, 'suspend') }, t('mod.suspend.open')));
        }
        if (canSuspend && m.suspension && !u.open) {
            buttons.push(
                h('button', { type: 'button', class: 'button button--secondary button--small', id: `${base}-unsuspend`,
                    onclick: () => this.openForm(m.id, 'unsuspend') }, t('mod.unsuspend.open')),
                h('button', { type: 'button', class: 'button button--secondary button--small', id: `${base}-resuspend`,
                    onclick: () => this.openForm(m.id, 'suspend') }, t('mod.suspend.change')));
        }
        li.replaceChildren(
            h('article', { 'aria-labelledby': `${base}-name` },
                h('h3', { class: 'member-card__name', id: `${base}-name`, tabindex: '-1' }, m.display_name,
                    self && h('span', { class: 'member-card__self' }, ` (${t('mod.member.you')})`)),
                h('dl', { class: 'member-card__facts' },
                    h('div', null, h('dt', null, t('mod.member.email')), h('dd', { class: 'member-card__email' }, m.email)),
                    h('div', null, h('dt', null, t('mod.member.role')), h('dd', { id: `${base}-role` }, roleName(m.role))),
                    h('div', null, h('dt', null, t('mod.member.joined')), h('dd', null, timeEl(m.created_at))),
                    h('div', null, h('dt', null, t('mod.member.status')), h('dd', { id: `${base}-status` }, status))),
                !canSuspend && h('p', { class: 'hint' }, t('mod.member.staff_not_suspended')),
                u.notice && notice(u.notice.kind, u.notice.text),
                buttons.length > 0 && h('div', { class: 'actions actions--tight' }, buttons),
                u.open === 'suspend' && this.suspendForm(m),
                u.open === 'unsuspend' && this.unsuspendForm(m),
                isAdmin(me) && !self && this.roleForm(m)));
    }

    openForm(id, which) {
        const u = this.ui(id);
        u.open = which;
        u.errors = null;
        u.notice = null;
        this.repaintRow(id);
        const first = which === 'suspend' ? `#suspend-${id}-until-date` : `#unsuspend-${id}-q`;
        u.li?.querySelector(first)?.focus();
    }

    closeForm(id, focusSelector) {
        const u = this.ui(id);
        u.open = null;
        u.errors = null;
        this.repaintRow(id);
        const target = (focusSelector && u.li?.querySelector(focusSelector)) || u.li?.querySelector('h3');
        target?.focus();
    }

    escapeCloses(id, focusSelector) {
        return (ev) => {
            if (ev.key !== 'Escape') return;
            ev.preventDefault();
            this.closeForm(id, focusSelector);
        };
    }

    // -- suspending

    suspendForm(m) {
        const f = `suspend-${m.id}`;
        const u = this.ui(m.id);
        let start;
        if (m.suspension) {
            start = isoToLocal(m.suspension.until);
        } else {
            const when = new Date(Date.now() + 7 * 24 * 3600 * 1000);
            when.setSeconds(0, 0);
            start = isoToLocal(when.toISOString());
        }
        const hintId = `${f}-until-hint`;
        const form = h('form', { id: f, class: 'form member-form', novalidate: true, 'aria-labelledby': `${f}-title`,
            onkeydown: this.escapeCloses(m.id, m.suspension ? `#member-${m.id}-resuspend` : `#member-${m.id}-suspend`) },
        h('h4', { id: `${f}-title`, class: 'member-form__title' }, t('mod.suspend.title', { name: m.display_name })),
        errorSummary(f),
        h('fieldset', { class: 'field fieldset', 'data-field': 'until', id: `${f}-until`,
            'aria-describedby': hintId, 'data-describedby': hintId },
        h('legend', { class: 'legend' }, t('mod.suspend.until')),
        h('p', { class: 'hint', id: hintId }, t('mod.suspend.until_hint')),
        h('p', { id: `${f}-until-error`, class: 'field-error', hidden: true }),
        h('div', { class: 'datetime' },
            h('div', { class: 'datetime__part' },
                h('label', { class: 'label label--small', for: `${f}-until-date` }, t('period.field.date')),
                h('input', { type: 'date', id: `${f}-until-date`, name: 'until_date', class: 'input input--date',
                    value: start.date, required: true })),
            h('div', { class: 'datetime__part' },
                h('label', { class: 'label label--small', for: `${f}-until-time` }, t('period.field.time')),
                h('input', { type: 'time', id: `${f}-until-time`, name: 'until_time', class: 'input input--time',
                    value: start.time, required: true })))),
        textAreaField({ form: f, name: 'reason', label: t('mod.suspend.reason'), hint: t('mod.suspend.reason_hint'),
            value: m.suspension?.reason ?? '', rows: 3, required: true,
            counter: { max: REASON_MAX, length: textLength } }),
        noticeSlot(),
        h('div', { class: 'actions actions--tight' },
            h('button', { type: 'submit', class: 'button button--danger', id: `${f}-submit` }, t('mod.suspend.submit')),
            h('button', { type: 'button', class: 'button button--secondary', id: `${f}-cancel`,
                onclick: () => this.closeForm(m.id, m.suspension ? `#member-${m.id}-resuspend` : `#member-${m.id}-suspend`) },
            t('cancel'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.suspend(form, m.id);
        });
        if (u.errors) showErrors(form, u.errors);
        return form;
    }

    async suspend(form, id) {
        if (isBusy(form)) return;
        const u = this.ui(id);
        const data = new FormData(form);
        const until = localToIso(String(data.get('until_date') ?? ''), String(data.get('until_time') ?? ''));
        const reason = String(data.get('reason') ?? '').trim();
        const now = Date.now();
        const problems = [
            !until && { code: 'invalid_field', field: 'until' },
            until && Date.parse(until) <= now && { code: 'invalid_field', field: 'until', reason: 'past' },
            until && Date.parse(until) > now + TEN_YEARS_MS && { code: 'invalid_field', field: 'until', reason: 'far' },
            !reason && { code: 'missing_field', field: 'reason' },
            textLength(reason) > REASON_MAX && { code: 'too_long', field: 'reason', params: { limit: formatNumber(REASON_MAX) } },
        ].filter(Boolean);
        if (problems.length) {
            u.errors = problems;
            showErrors(form, problems).focus();
            return;
        }
        setBusy(form, true);
        const res = await this.ctx.ws.request('member.suspend', { member_id: id, until, reason });
        setBusy(form, false);
        this.done(form, id, res, 'mod.suspend.done');
    }

    // -- lifting a suspension, after a confirm step

    unsuspendForm(m) {
        const f = `unsuspend-${m.id}`;
        const form = h('form', { id: f, class: 'confirm member-form', novalidate: true,
            'aria-labelledby': `${f}-q`, onkeydown: this.escapeCloses(m.id, `#member-${m.id}-unsuspend`) },
        h('p', { id: `${f}-q`, tabindex: '-1' }, h('strong', null, t('mod.unsuspend.confirm', { name: m.display_name }))),
        errorSummary(f),
        textAreaField({ form: f, name: 'reason', label: t('mod.unsuspend.reason'), hint: t('mod.optional'), rows: 2,
            counter: { max: REASON_MAX, length: textLength } }),
        noticeSlot(),
        h('div', { class: 'actions actions--tight' },
            h('button', { type: 'submit', class: 'button', id: `${f}-submit` }, t('mod.unsuspend.submit')),
            h('button', { type: 'button', class: 'button button--secondary', id: `${f}-cancel`,
                onclick: () => this.closeForm(m.id, `#member-${m.id}-unsuspend`) }, t('cancel'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.unsuspend(form, m.id);
        });
        const u = this.ui(m.id);
        if (u.errors) showErrors(form, u.errors);
        return form;
    }

    async unsuspend(form, id) {
        if (isBusy(form)) return;
        const u = this.ui(id);
        const reason = String(new FormData(form).get('reason') ?? '').trim();
        if (textLength(reason) > REASON_MAX) {
            u.errors = [{ code: 'too_long', field: 'reason', params: { limit: formatNumber(REASON_MAX) } }];
            showErrors(form, u.errors).focus();
            return;
        }
        setBusy(form, true);
        const res = await this.ctx.ws.request('member.unsuspend', reason ? { member_id: id, reason } : { member_id: id });
        setBusy(form, false);
        this.done(form, id, res, 'mod.unsuspend.done');
    }

    // -- roles (admins), after a confirm step

    roleForm(m) {
        const f = `role-${m.id}`;
        const u = this.ui(m.id);
        const chosen = u.confirmRole ?? m.role;
        const form = h('form', { id: f, class: 'form member-form member-form--role', novalidate: true,
            'aria-labelledby': `${f}-title` },
        h('h4', { id: `${f}-title`, class: 'member-form__title' }, t('mod.role.title', { name: m.display_name })),
        errorSummary(f),
        selectField({ form: f, name: 'role', label: t('mod.role.field'), value: chosen, nosnapshot: Boolean(u.confirmRole),
            options: ROLES.map((r) => ({ value: r, label: roleName(r) })) }),
        u.confirmRole && h('div', { class: 'confirm', role: 'group', id: `${f}-confirm`, 'aria-labelledby': `${f}-q`,
            onkeydown: (ev) => {
                if (ev.key !== 'Escape') return;
                ev.preventDefault();
                this.cancelRole(m.id);
            } },
        h('p', { id: `${f}-q`, tabindex: '-1' }, h('strong', null,
            t('mod.role.confirm', { name: m.display_name, from: roleName(m.role), to: roleName(u.confirmRole) }))),
        u.confirmRole !== 'member' && h('p', null, t(m.suspension ? 'mod.role.confirm_lifts' : 'mod.role.confirm_staff')),
        textAreaField({ form: f, name: 'reason', label: t('mod.role.reason'), hint: t('mod.optional'), rows: 2,
            counter: { max: REASON_MAX, length: textLength } })),
        noticeSlot(),
        h('div', { class: 'actions actions--tight' },
            u.confirmRole
                ? [h('button', { type: 'submit', class: 'button button--danger', id: `${f}-yes` }, t('mod.role.yes')),
                    h('button', { type: 'button', class: 'button button--secondary', id: `${f}-no`,
                        onclick: () => this.cancelRole(m.id) }, t('cancel'))]
                : h('button', { type: 'submit', class: 'button button--secondary button--small', id: `${f}-submit` },
                    t('mod.role.submit'))));
        const select = form.querySelector('select');
        if (u.confirmRole) select.disabled = true;
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            if (u.confirmRole) this.changeRole(form, m.id);
            else this.askRole(form, m.id);
        });
        if (u.errors && u.open === 'role') showErrors(form, u.errors);
        return form;
    }

    askRole(form, id) {
        const u = this.ui(id);
        const m = this.results.find((x) => x.id === id);
        const role = form.querySelector('select').value;
        if (role === m.role) {
            u.open = 'role';
            u.errors = [{ code: 'conflict', field: 'role', reason: 'same' }];
            showErrors(form, u.errors).focus();
            return;
        }
        u.open = 'role';
        u.errors = null;
        u.notice = null;
        u.confirmRole = role;
        this.repaintRow(id);
        u.li?.querySelector(`#role-${id}-q`)?.focus();
    }

    cancelRole(id) {
        const u = this.ui(id);
        u.confirmRole = null;
        u.open = null;
        u.errors = null;
        this.repaintRow(id);
        u.li?.querySelector(`#role-${id}-role`)?.focus();
    }

    async changeRole(form, id) {
        if (isBusy(form)) return;
        const u = this.ui(id);
        const reason = String(new FormData(form).get('reason') ?? '').trim();
        if (textLength(reason) > REASON_MAX) {
            u.errors = [{ code: 'too_long', field: 'reason', params: { limit: formatNumber(REASON_MAX) } }];
            showErrors(form, u.errors).focus();
            return;
        }
        const fields = { member_id: id, role: u.confirmRole };
        if (reason) fields.reason = reason;
        setBusy(form, true);
        const res = await this.ctx.ws.request('member.role', fields);
        setBusy(form, false);
        if (res.ok) u.confirmRole = null;
        this.done(form, id, res, 'mod.role.done');
    }

    // The outcome of a change: the row shows the member as they now are,
    // with a notice, and the live region says it; an error about a field
    // is shown by it, any other in the form's notice slot.
    done(form, id, res, doneKey) {
        if (this.ctx.state.view !== this) return;
        const u = this.ui(id);
        if (res.ok) {
            const i = this.results.findIndex((x) => x.id === id);
            if (i >= 0 && res.member) this.results[i] = res.member;
            const m = this.results[i];
            u.open = null;
            u.errors = null;
            u.notice = { kind: 'success', text: t(doneKey, {
                name: m.display_name, role: roleName(m.role),
                until: m.suspension ? formatDateTime(m.suspension.until) : '',
            }) };
            this.repaintRow(id);
            u.li?.querySelector('h3')?.focus();
            this.ctx.announce(u.notice.text);
            return;
        }
        const err = res.error ?? { code: 'unknown' };
        if (err.code === 'unauthenticated') return this.ctx.sessionEnded();
        const fieldOf = { until: 'until', reason: 'reason', role: 'role' };
        if (fieldOf[err.field] && !isServiceError(err) && form.querySelector(`[data-field="${err.field}"]`)) {
            u.errors = [err.code === 'too_long' ? { ...err, params: { limit: formatNumber(REASON_MAX) } } : err];
            showErrors(form, u.errors).focus();
            return;
        }
        const key = `mod.error.${err.code}`;
        const text = has(key) ? t(key) : errorText(err);
        clearErrors(form);
        form.querySelector('.notice-slot').replaceChildren(notice('warning', text));
        this.ctx.announce(text);
    }
}

export const membersView = {
    title: 'mod.members.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) ctx.state.view = new MembersView(ctx);
        return ctx.state.view.render();
    },
};

// ---------------------------------------------------------------------------
// #/moderation/log

const PAGE = 50;

class LogView {
    constructor(ctx) {
        this.ctx = ctx;
        this.action = '';
        this.target = null; // { kind, id, name }
        this.entries = null;
        this.nextBefore = null;
        this.error = null;
        this.loading = false;
        this.body = null;
        if (isStaff(ctx.member)) this.load();
    }

    filters() {
        const f = { limit: PAGE };
        if (this.action) f.action = this.action;
        if (this.target) {
            f.target_kind = this.target.kind;
            f.target_id = this.target.id;
        }
        return f;
    }

    async load({ older = false } = {}) {
        if (this.loading) return;
        this.loading = true;
        this.body?.setAttribute('aria-busy', 'true');
        const fields = this.filters();
        if (older) fields.before = this.nextBefore;
        const res = await this.ctx.ws.request('audit.list', fields);
        this.loading = false;
        if (this.ctx.state.view !== this) return;
        this.body?.removeAttribute('aria-busy');
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = res.error ?? { code: 'unknown' };
            this.paint();
            this.ctx.announce(errorText(this.error));
            return;
        }
        this.error = null;
        const fresh = res.entries ?? [];
        const firstNew = older ? (this.entries?.length ?? 0) : 0;
        this.entries = older ? [...(this.entries ?? []), ...fresh] : fresh;
        this.nextBefore = res.next_before ?? null;
        this.paint();
        if (older) {
            this.ctx.announce(tn('mod.log.loaded_more', fresh.length, { n: formatNumber(fresh.length) }));
            if (!this.nextBefore) this.body?.querySelectorAll('tbody tr')[firstNew]?.querySelector('th')?.focus();
        } else if (this.announceNext) {
            this.announceNext = false;
            this.ctx.announce(this.summaryText());
        }
    }

    summaryText() {
        const n = this.entries?.length ?? 0;
        if (n === 0) return t('mod.log.none');
        return tn('mod.log.count', n, { n: formatNumber(n) }) + (this.nextBefore ? ` ${t('mod.log.count_more')}` : '');
    }

    render() {
        const ctx = this.ctx;
        if (!isStaff(ctx.member)) return noAccess('mod.log.title');
        const form = h('form', { id: 'log-filter', class: 'form log-filter', novalidate: true, 'aria-labelledby': 'log-filter-title' },
            h('h2', { id: 'log-filter-title', class: 'visually-hidden' }, t('mod.log.filter_title')),
            selectField({ form: 'log-filter', name: 'action', label: t('mod.log.filter_action'), value: this.action,
                options: [{ value: '', label: t('mod.log.filter_all') },
                    ...AUDIT_ACTIONS.map((a) => ({ value: a, label: t(`audit.action.${a}`) }))] }),
            this.target && h('p', { class: 'log-filter__target', id: 'log-filter-target' },
                t('mod.log.filter_target', { name: this.target.name }), ' ',
                h('button', { type: 'button', class: 'link-button', id: 'log-filter-target-clear',
                    onclick: () => this.setTarget(null) }, t('mod.log.filter_target_clear'))),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'submit', class: 'button button--secondary button--small', id: 'log-filter-submit' },
                    t('mod.log.filter_submit'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.action = String(new FormData(form).get('action') ?? '');
            this.announceNext = true;
            this.load();
        });
        this.body = h('div', { id: 'log-body' });
        this.paint();
        return [
            h('h1', { id: 'mod-title', tabindex: '-1' }, t('mod.log.title')),
            consoleNav('/moderation/log'),
            h('p', { class: 'lead' }, t('mod.log.intro')),
            form,
            this.body,
        ];
    }

    setTarget(target) {
        this.target = target;
        this.announceNext = true;
        this.ctx.rerender();
        this.load();
        // Focus goes to what undoes the filter (or, once undone, the filter).
        document.getElementById(target ? 'log-filter-target-clear' : 'log-filter-action')?.focus();
    }

    paint() {
        const body = this.body;
        if (!body) return;
        if (this.error && !this.entries) {
            fill(body, notice('warning', errorText(this.error)),
                h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--secondary', onclick: () => this.load() }, t('load.retry'))));
            return;
        }
        if (!this.entries) {
            fill(body, h('p', { class: 'hint' }, t('loading')));
            return;
        }
        fill(body,
            h('p', { id: 'log-summary' }, this.summaryText()),
            // The table's name is a heading above its scroll box, so on a
            // phone it stays in sight while the table scrolls sideways.
            this.entries.length > 0 && h('h2', { id: 'log-caption', class: 'log-caption' }, t('mod.log.caption')),
            this.entries.length > 0 && h('div', { class: 'table-wrap log-table-wrap', role: 'region', tabindex: '0',
                'aria-labelledby': 'log-caption' },
            h('table', { class: 'table log-table', id: 'log-table', 'aria-labelledby': 'log-caption' },
                h('thead', null, h('tr', null,
                    ['time', 'actor', 'action', 'target', 'reason', 'details'].map((c) =>
                        h('th', { scope: 'col' }, t(`mod.log.col.${c}`))))),
                h('tbody', null, this.entries.map((e) => this.entryRow(e))))),
            this.error && notice('warning', errorText(this.error)),
            this.nextBefore && h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: 'button button--secondary', id: 'log-older',
                    onclick: () => this.load({ older: true }) }, t('mod.log.older'))));
    }

    entryRow(e) {
        const actor = e.actor?.id == null ? t('audit.cli') : (e.actor?.display_name ?? '');
        return h('tr', { id: `log-entry-${e.id}` },
            h('th', { scope: 'row', tabindex: '-1', class: 'log-table__time' }, timeEl(e.at)),
            h('td', null, actor),
            h('td', null, has(`audit.action.${e.action}`) ? t(`audit.action.${e.action}`) : e.action),
            h('td', null, this.targetCell(e)),
            h('td', { class: 'log-table__reason' }, e.reason || h('span', { class: 'hint-inline' }, '–')),
            h('td', null, this.details(e)));
    }

    targetCell(e) {
        const target = e.target ?? {};
        const name = target.name ?? '';
        if (target.kind === 'member' && target.id != null) {
            const active = this.target?.kind === 'member' && this.target.id === target.id;
            if (active) return name;
            return h('button', { type: 'button', class: 'link-button', 'data-target-id': target.id,
                onclick: () => this.setTarget({ kind: 'member', id: target.id, name }) },
            name, h('span', { class: 'visually-hidden' }, ` – ${t('mod.log.filter_by_target')}`));
        }
        const kind = has(`audit.kind.${target.kind}`) ? `${t(`audit.kind.${target.kind}`)}: ` : '';
        return [kind && h('span', { class: 'log-table__kind' }, kind), name];
    }

    details(e) {
        const d = e.details;
        if (!d || typeof d !== 'object') return '';
        const parts = [];
        if (d.until) parts.push(t('audit.details.until', { until: formatDateTime(d.until) }));
        if (d.from || d.to) parts.push(d.from ? t('audit.details.role_change', { from: roleName(d.from), to: roleName(d.to) })
            : t('audit.details.role_to', { to: roleName(d.to) }));
        else if (d.role) parts.push(t('audit.details.role', { role: roleName(d.role) }));
        if (Array.isArray(d.fields) && d.fields.length) {
            const name = (f) => (has(`audit.field.${f}`) ? t(`audit.field.${f}`) : String(f));
            parts.push(t('audit.details.fields', { fields: d.fields.map(name).join(', ') }));
        }
        return parts.join('; ');
    }
}

export const logView = {
    title: 'mod.log.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) ctx.state.view = new LogView(ctx);
        return ctx.state.view.render();
    },
};
