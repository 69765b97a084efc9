// The moderators' console (docs/protocol.md, "Moderation"), for moderators
// and admins only:
//   #/moderation/queue    the moderation queue (queue.list, queue.act), live
//                         on the `moderation` channel; the console's first
//                         screen.
//   #/moderation/members  find members (member.find); suspend one with an
//                         end time and a reason, lift a suspension after a
//                         confirm step; admins also change roles.
//   #/moderation/log      the audit log (audit.list), newest first, with an
//                         action filter, a member filter and older pages.
//   #/moderation/words    the watched words (word.list, word.add,
//                         word.update, word.remove).
// A member who is not staff gets a clear "no access" message; the server
// answers `forbidden` to them anyway.
import { h, fill, serverHtml, syncChildren, snapshotForms, restoreForms } from '../dom.js';
import { t, tn, has, formatDateTime, formatNumber } from '../i18n.js';
import {
    textField, textAreaField, selectField, checkboxGroup, errorSummary, noticeSlot, notice, showErrors, clearErrors,
    setBusy, isBusy, isServiceError, errorText, textLength,
} from '../forms.js';
import { isStaff, localToIso, isoToLocal, timeEl } from './periodparts.js';
import { LiveView, keepFocus } from './liveview.js';

export const REASON_MAX = 500;
const TEN_YEARS_MS = 3650 * 24 * 3600 * 1000;
export const ROLES = ['member', 'moderator', 'admin'];
// Every action the audit log records (docs/protocol.md, "The audit log").
export const AUDIT_ACTIONS = [
    'member.suspend', 'member.unsuspend', 'member.role',
    'period.create', 'period.update', 'period.announce', 'period.open', 'period.close',
    'results.publish', 'results.unpublish',
    'poll.create', 'poll.update', 'poll.close',
    'survey.create', 'survey.update', 'survey.open', 'survey.close', 'survey.delete',
    'user.add', 'user.role', 'user.password',
    'queue.keep', 'appeal.refuse', 'post.hide', 'post.restore', 'post.approve', 'post.edit', 'post.delete', 'post.move',
    'member.warn', 'topic.lock', 'topic.unlock', 'topic.pin', 'topic.unpin',
    'word.add', 'word.update', 'word.remove',
];

function isAdmin(member) {
    return member?.role === 'admin';
}

// The console's own navigation, under the heading.
function consoleNav(current) {
    const link = (to, key) => h('li', null, h('a', {
        href: `#${to}`, class: 'console-nav__link', 'aria-current': current === to ? 'page' : null,
    }, t(key)));
    return h('nav', { class: 'console-nav', 'aria-label': t('mod.nav.label') },
        h('ul', { class: 'console-nav__list' },
            link('/moderation/queue', 'queue.title'),
            link('/moderation/members', 'mod.members.title'),
            link('/moderation/words', 'words.title'),
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
        const kindKey = `audit.kind.${target.kind}`;
        const kind = has(kindKey) ? `${t(kindKey)}: ` : '';
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
        if (Number.isInteger(d.item_id)) parts.push(t('queue.audit.item', { id: d.item_id }));
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

// ---------------------------------------------------------------------------
// #/moderation/queue: the moderation queue (docs/protocol.md, "Reports and
// the queue"). Pending items oldest first, or the decided ones newest first
// (#/moderation/queue?status=resolved|dismissed). It listens on the
// `moderation` channel: a new item appears as it comes, a report joining an
// item updates it, and an item another moderator decided leaves the pending
// list with a word in the live region. Each pending item offers the actions
// its kind allows, each in an inline form with a reason; delete and suspend
// ask once more before they are sent.

export const QUEUE_STATUSES = ['pending', 'resolved', 'dismissed'];
// Which actions fit which kind of item (the table under "queue.act").
export const QUEUE_ACTIONS = {
    report: ['keep', 'hide', 'edit', 'delete', 'warn', 'suspend'],
    appeal: ['restore', 'keep', 'edit', 'delete'],
    review: ['approve', 'edit', 'delete'],
};
const REASON_REQUIRED = new Set(['hide', 'edit', 'delete', 'warn', 'suspend']);
const CONFIRMED = new Set(['delete', 'suspend']);
export const REPORT_REASONS = ['asiaton', 'hairinta', 'roskaposti', 'henkilotiedot', 'muu'];
const BODY_MAX = 20000;
const QUEUE_PAGE = 20;

function queueLink(status) {
    return status === 'pending' ? '#/moderation/queue' : `#/moderation/queue?status=${status}`;
}

// An error about a field, worded by this screen's own catalog key
// (prefix.error.code.field) when it has one; errorText's otherwise.
function ownError(prefix, err, params = {}) {
    const key = err.field && !err.reason ? `${prefix}.error.${err.code}.${err.field}` : null;
    if (key && has(key)) return { ...err, text: t(key, { ...params, ...err.params, word: err.word ?? '' }) };
    return err;
}

// The words for an error shown as a notice: the screen's own key for the
// field or the code, then errorText's.
function errorWords(prefix, err, params = {}) {
    const keys = [err.field && `${prefix}.error.${err.code}.${err.field}`, `${prefix}.error.${err.code}`];
    for (const key of keys) {
        if (key && has(key)) return t(key, { ...params, ...err.params, word: err.word ?? '' });
    }
    return errorText(err, params);
}

// showErrors() with this screen's own words. The errors are kept as the
// protocol gives them (with params) and worded only here, so a change of
// language words them anew.
function showOwnErrors(form, prefix, errors) {
    return showErrors(form, errors.map((e) => ownError(prefix, e)));
}

function authorOf(post) {
    if (!post) return '';
    if (post.deleted) return t('queue.post.deleted_author');
    return post.author?.display_name ?? t('queue.post.unknown_author');
}

class QueueView extends LiveView {
    constructor(ctx) {
        super(ctx);
        const asked = ctx.query.get('status');
        this.status = QUEUE_STATUSES.includes(asked) ? asked : 'pending';
        this.items = null;
        this.next = null;
        this.pending = null;
        this.error = null;
        this.moreBusy = false;
        this.ui = new Map(); // item id -> { open, confirm, errors, notice, acting, acted, values }
        this.els = new Map(); // item id -> { li, info, tools }
        this.body = null;
        this.countTimer = null;
        if (isStaff(ctx.member)) this.load();
    }

    u(id) {
        if (!this.ui.has(id)) this.ui.set(id, { open: null, confirm: false, errors: null, notice: null, values: null });
        return this.ui.get(id);
    }

    async load() {
        await this.runLoad(async () => {
            const res = await this.subscribeAndGet('moderation', 'queue.list', { status: this.status, limit: QUEUE_PAGE });
            if (!res) return;
            this.items = res.items ?? [];
            this.next = res.next ?? null;
            this.pending = res.pending ?? null;
        });
        if (this.disposed) return;
        this.paint();
    }

    reload() {
        this.load();
    }

    dispose() {
        super.dispose();
        clearTimeout(this.countTimer);
    }

    async more() {
        if (this.moreBusy || this.next === null) return;
        this.moreBusy = true;
        const res = await this.ctx.ws.request('queue.list', { status: this.status, limit: QUEUE_PAGE, cursor: this.next });
        this.moreBusy = false;
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.ctx.announce(errorText(res.error ?? { code: 'unknown' }));
            return;
        }
        const known = new Set(this.items.map((x) => x.id));
        const fresh = (res.items ?? []).filter((x) => !known.has(x.id));
        this.items.push(...fresh);
        this.next = res.next ?? null;
        if (typeof res.pending === 'number') this.pending = res.pending;
        // The items shown stay as they are (an open form keeps its text).
        this.paintList();
        this.paintCounts();
        this.ctx.announce(tn('queue.loaded_more', fresh.length, { n: formatNumber(fresh.length) }));
        if (fresh.length) document.getElementById(`queue-item-${fresh[0].id}-title`)?.focus();
    }

    // The pending count after a change: asked again rather than reckoned,
    // since a change may be about an item on a page not loaded.
    refreshCount() {
        clearTimeout(this.countTimer);
        this.countTimer = setTimeout(async () => {
            const res = await this.ctx.ws.request('queue.list', { status: 'pending', limit: 1 });
            if (this.disposed || !res.ok || typeof res.pending !== 'number') return;
            this.pending = res.pending;
            this.paintCounts();
        }, 250);
    }

    apply(frame, how) {
        if (frame.event !== 'queue.changed' || !this.items || !frame.data) return;
        // Catching up after a dropped connection is not news to announce.
        const quiet = Boolean(how?.catchup);
        const item = frame.data;
        this.refreshCount();
        const i = this.items.findIndex((x) => x.id === item.id);
        const u = this.ui.get(item.id);
        if (i >= 0) {
            const old = this.items[i];
            if ((old.seq ?? 0) > (item.seq ?? 0)) return;
            if (item.status === this.status || u?.acting || u?.acted) {
                this.items[i] = item;
                const joined = (item.reports?.length ?? 0) > (old.reports?.length ?? 0);
                this.repaintItem(item.id, { infoOnly: Boolean(u?.open) });
                if (joined && item.status === 'pending' && !quiet) {
                    this.ctx.announce(t('queue.live.report_joined', { title: item.topic?.title ?? '' }));
                }
                return;
            }
            // Decided elsewhere: it leaves this list. One settled along with
            // this moderator's own decision on the same post is not news,
            // and would talk over the decision's own message.
            this.removeItem(item.id);
            if (!quiet && item.acted_by?.id !== this.ctx.member?.id) this.ctx.announce(t('queue.live.decided', {
                name: item.acted_by?.display_name ?? '', title: item.topic?.title ?? '',
                status: t(`queue.status.${item.status}`),
            }));
            return;
        }
        if (item.status !== this.status) return;
        if (this.status === 'pending') {
            // Oldest first: a new item belongs after the pages not yet loaded.
            if (this.next !== null) return;
            this.items.push(item);
        } else {
            this.items.unshift(item);
        }
        this.paintList();
        if (item.status === 'pending' && !quiet) {
            this.ctx.announce(t('queue.live.new', { kind: t(`queue.kind.${item.kind}`), title: item.topic?.title ?? '' }));
        }
    }

    // The first item after id (or else before it) that still waits.
    nextPending(id) {
        const i = this.items.findIndex((x) => x.id === id);
        const after = this.items.slice(i + 1).find((x) => x.status === 'pending');
        return after ?? this.items.slice(0, Math.max(i, 0)).find((x) => x.status === 'pending') ?? null;
    }

    removeItem(id) {
        const i = this.items.findIndex((x) => x.id === id);
        if (i < 0) return;
        const el = this.els.get(id);
        const hadFocus = el?.li.contains(document.activeElement);
        this.items.splice(i, 1);
        this.els.delete(id);
        this.ui.delete(id);
        this.paintList();
        if (hadFocus) {
            const nextItem = this.items[i] ?? this.items[i - 1];
            const target = (nextItem && document.getElementById(`queue-item-${nextItem.id}-title`)) ||
                document.getElementById('queue-list-title');
            target?.focus();
        }
    }

    render() {
        const ctx = this.ctx;
        if (!isStaff(ctx.member)) return noAccess('queue.title');
        this.tabsEl = h('nav', { class: 'queue-tabs', 'aria-label': t('queue.tabs.label') });
        this.body = h('div', { id: 'queue-body' });
        this.els.clear();
        this.paintCounts();
        this.paint();
        return [
            h('h1', { id: 'mod-title', tabindex: '-1' }, t('queue.title')),
            consoleNav('/moderation/queue'),
            h('p', { class: 'lead' }, t('queue.intro')),
            this.tabsEl,
            this.body,
        ];
    }

    paintCounts() {
        if (!this.tabsEl) return;
        const tab = (status) => h('li', null, h('a', {
            href: queueLink(status), class: 'queue-tabs__link', id: `queue-tab-${status}`,
            'aria-current': status === this.status ? 'page' : null,
        }, t(`queue.tab.${status}`),
        status === 'pending' && this.pending !== null && [' ', h('span', { class: 'queue-tabs__count' },
            `(${formatNumber(this.pending)})`)]));
        keepFocus(this.tabsEl, () => fill(this.tabsEl, h('ul', { class: 'queue-tabs__list' }, QUEUE_STATUSES.map(tab))));
        const count = document.getElementById('queue-count');
        if (count) count.textContent = this.countText();
    }

    countText() {
        if (this.status === 'pending' && this.pending !== null) {
            return this.pending === 0 ? t('queue.empty.pending')
                : tn('queue.count.pending', this.pending, { n: formatNumber(this.pending) });
        }
        const n = this.items?.length ?? 0;
        if (n === 0) return t(`queue.empty.${this.status}`);
        return tn('queue.count.shown', n, { n: formatNumber(n) }) + (this.next !== null ? ` ${t('queue.count.more')}` : '');
    }

    paint() {
        const body = this.body;
        if (!body || this.disposed) return;
        if (!this.items) {
            fill(body, this.error
                ? [notice('warning', errorText(this.error)),
                    h('div', { class: 'actions actions--tight' },
                        h('button', { type: 'button', class: 'button button--secondary', onclick: () => this.load() }, t('load.retry')))]
                : h('p', { class: 'hint' }, t('loading')));
            return;
        }
        this.list = h('ul', { class: 'queue-list', id: 'queue-list', 'aria-labelledby': 'queue-list-title' });
        this.moreBox = h('div');
        this.els.clear();
        this.paintList();
        keepFocus(body, () => fill(body,
            h('h2', { id: 'queue-list-title', tabindex: '-1' }, t(`queue.list.${this.status}`)),
            h('p', { id: 'queue-count' }, this.countText()),
            this.list,
            this.moreBox));
        this.paintCounts();
    }

    paintList() {
        if (!this.list) return;
        const nodes = this.items.map((item) => {
            let el = this.els.get(item.id);
            if (!el) {
                el = { li: h('li', { id: `queue-item-${item.id}` }), info: h('div'), tools: h('div') };
                el.article = h('article', { class: 'queue-item__article', 'aria-labelledby': `queue-item-${item.id}-title` },
                    el.info, el.tools);
                el.li.append(el.article);
                this.els.set(item.id, el);
                this.fillItem(item);
            }
            return el.li;
        });
        syncChildren(this.list, nodes);
        this.list.hidden = this.items.length === 0;
        const count = document.getElementById('queue-count');
        if (count) count.textContent = this.countText();
        keepFocus(this.moreBox, () => fill(this.moreBox, this.next !== null && h('div', { class: 'actions actions--tight' },
            h('button', { type: 'button', class: 'button button--secondary', id: 'queue-more', onclick: () => this.more() },
                t('queue.more')))));
    }

    repaintItem(id, { infoOnly = false } = {}) {
        const item = this.items?.find((x) => x.id === id);
        if (!item || !this.els.has(id)) return;
        this.fillItem(item, { infoOnly });
    }

    fillItem(item, { infoOnly = false } = {}) {
        const el = this.els.get(item.id);
        el.li.className = ['queue-item', `queue-item--${item.kind}`, `queue-item--${item.status}`].join(' ');
        keepFocus(el.info, () => fill(el.info, this.info(item)));
        if (!infoOnly) {
            const u = this.u(item.id);
            const form = el.tools.querySelector('form');
            if (form) u.values = snapshotForms(form);
            keepFocus(el.tools, () => fill(el.tools, this.tools(item)));
            const fresh = el.tools.querySelector('form');
            if (fresh && u.values) restoreForms(fresh, u.values);
            if (fresh && u.errors) showOwnErrors(fresh, 'queue', u.errors);
        }
    }

    // What the moderator reads to decide: the kind, where, the post and
    // what it answers, the reports, the appeal or why it waits, and the
    // author's record; and, once decided, who did what.
    info(item) {
        const id = item.id;
        const base = `queue-item-${id}`;
        const post = item.post;
        const topicHref = item.topic && post ? `#/topics/${item.topic.id}?post=${post.id}` : null;
        return [
            h('h3', { class: 'queue-item__title', id: `${base}-title`, tabindex: '-1' },
                h('span', { class: `badge queue-kind queue-kind--${item.kind}` }, t(`queue.kind.${item.kind}`)), ' ',
                item.topic?.title ?? ''),
            h('p', { class: 'queue-item__meta' },
                item.period && [t('queue.item.period'), ' ', h('a', { href: `#/periods/${item.period.id}` }, item.period.title), ' · '],
                t('queue.item.created'), ' ', timeEl(item.created_at)),
            item.status !== 'pending' && this.outcome(item),
            this.whyText(item),
            item.parent && h('details', { class: 'queue-parent' },
                h('summary', null, t('queue.item.parent', { name: authorOf(item.parent) })),
                this.postBlock(item.parent, `${base}-parent`)),
            h('section', { class: 'queue-post', 'aria-labelledby': `${base}-post-title` },
                h('h4', { id: `${base}-post-title`, class: 'queue-item__subtitle' }, t('queue.item.post', { name: authorOf(post) })),
                this.postBlock(post, `${base}-post`),
                topicHref && h('p', { class: 'queue-post__link' }, h('a', { href: topicHref, id: `${base}-link` },
                    t('queue.item.open_in_thread'), h('span', { class: 'visually-hidden' }, ` – ${item.topic.title}`)))),
            item.reports?.length > 0 && this.reports(item),
            item.appeal && h('section', { class: 'queue-appeal', 'aria-labelledby': `${base}-appeal-title` },
                h('h4', { id: `${base}-appeal-title`, class: 'queue-item__subtitle' }, t('queue.item.appeal', { name: authorOf(post) })),
                h('p', { class: 'queue-quote' }, item.appeal)),
            item.author_history && h('p', { class: 'queue-history', id: `${base}-history` },
                h('strong', null, t('queue.history.label')), ' ', this.historyText(item.author_history)),
        ];
    }

    postBlock(post, idBase) {
        if (!post) return null;
        const states = [];
        // A pending topic's only post is its opening post: approving it
        // publishes the topic.
        if (post.depth === 0) states.push(t('queue.post.opening'));
        if (post.status === 'pending') states.push(t('queue.post.pending'));
        if (post.hidden) states.push(t(post.hidden.by === 'reports' ? 'queue.post.hidden_reports' : 'queue.post.hidden_moderator'));
        if (post.hidden?.appeal === 'pending') states.push(t('queue.post.appeal_pending'));
        if (post.hidden?.appeal === 'refused') states.push(t('queue.post.appeal_refused'));
        if (post.deleted) states.push(t(post.deleted_by === 'moderator' ? 'queue.post.deleted_moderator' : 'queue.post.deleted'));
        return h('div', { class: 'queue-post__box', id: idBase },
            h('p', { class: 'queue-post__meta' },
                h('strong', null, authorOf(post)), ' · ', timeEl(post.created_at),
                post.edited_at && !post.deleted && [' · ', t('queue.post.edited'), ' ', timeEl(post.edited_at)],
                states.map((s) => [' ', h('span', { class: 'badge queue-post__state' }, s)])),
            post.deleted ? h('p', { class: 'post__tombstone' }, t('queue.post.tombstone'))
                : h('div', { class: 'prose queue-post__body' }, serverHtml(post.body_html)),
            post.moderator_edit && h('p', { class: 'hint' },
                t('queue.post.moderator_edit', { reason: post.moderator_edit.reason ?? '' })),
            post.hidden?.reason && h('p', { class: 'hint' }, t('queue.post.hidden_reason', { reason: post.hidden.reason })));
    }

    reports(item) {
        const base = `queue-item-${item.id}`;
        return h('section', { class: 'queue-reports', 'aria-labelledby': `${base}-reports-title` },
            h('h4', { id: `${base}-reports-title`, class: 'queue-item__subtitle' },
                tn('queue.item.reports', item.reports.length, { n: formatNumber(item.reports.length) })),
            h('ul', { class: 'queue-reports__list' }, item.reports.map((r) => h('li', null,
                h('strong', null, REPORT_REASONS.includes(r.reason) ? t(`report.reason.${r.reason}`) : String(r.reason ?? '')),
                ' – ', r.by?.display_name ?? '', ', ', timeEl(r.created_at),
                r.text && h('p', { class: 'queue-quote' }, r.text)))));
    }

    whyText(item) {
        if (item.kind !== 'review' || !item.why) return null;
        const words = (item.words ?? []).map((w) => `”${w}”`).join(', ');
        return h('p', { class: 'queue-why' }, h('strong', null, t('queue.why.label')), ' ',
            has(`queue.why.${item.why}`) ? t(`queue.why.${item.why}`, { words }) : String(item.why));
    }

    historyText(hist) {
        const part = (key, n) => tn(`queue.history.${key}`, n ?? 0, { n: formatNumber(n ?? 0) });
        const items = hist.queue_items ?? 0;
        if (!items && !hist.warnings && !hist.suspensions) return t('queue.history.none');
        return [
            part('items', items), part('resolved', hist.resolved), part('dismissed', hist.dismissed),
            part('warnings', hist.warnings), part('suspensions', hist.suspensions),
        ].join(', ') + '.';
    }

    outcome(item) {
        const who = item.acted_by?.display_name ?? t('queue.outcome.someone');
        const what = item.action && has(`queue.done.${item.action}`) ? t(`queue.done.${item.action}`) : '';
        return h('p', { class: 'queue-outcome', id: `queue-item-${item.id}-outcome` },
            h('strong', null, t(`queue.status.${item.status}`), ': '),
            t('queue.outcome.by', { name: who, what }), ' ',
            item.acted_at && timeEl(item.acted_at),
            item.note && [h('br'), t('queue.outcome.note', { note: item.note })]);
    }

    // The action buttons, or the open form, and the last outcome's notice.
    tools(item) {
        const u = this.u(item.id);
        const base = `queue-item-${item.id}`;
        const actions = item.status === 'pending' ? (QUEUE_ACTIONS[item.kind] ?? []) : [];
        // After this moderator's decision: one step on to the next item that
        // still waits, so working down the queue by keyboard skips the
        // decided ones.
        const next = u.acted && item.status !== 'pending' ? this.nextPending(item.id) : null;
        return [
            u.notice && notice(u.notice.kind, u.notice.text),
            next && h('p', { class: 'queue-next' }, h('button', {
                type: 'button', id: `${base}-next`, class: 'button button--small button--secondary',
                onclick: () => {
                    const title = document.getElementById(`queue-item-${next.id}-title`);
                    title?.scrollIntoView({ block: 'start' });
                    title?.focus();
                },
            }, t('queue.next', { name: authorOf(next.post), title: next.topic?.title ?? '' }))),
            actions.length > 0 && !u.open && h('div', { class: 'actions actions--tight queue-actions', role: 'group',
                'aria-label': t('queue.actions.label', { name: authorOf(item.post), title: item.topic?.title ?? '' }) },
            actions.map((a) => h('button', {
                type: 'button', id: `${base}-act-${a}`,
                class: ['button', 'button--small', CONFIRMED.has(a) ? 'button--danger' : 'button--secondary'],
                onclick: () => this.openForm(item.id, a),
            }, t(`queue.act.${a === 'keep' ? `keep_${item.kind}` : a}.button`)))),
            u.open && actions.includes(u.open) && this.actForm(item, u.open),
        ];
    }

    openForm(id, action) {
        const u = this.u(id);
        u.open = action;
        u.confirm = false;
        u.errors = null;
        u.notice = null;
        u.values = null;
        this.repaintItem(id);
        const form = document.getElementById(`qa-${id}`);
        form?.querySelector('textarea, input')?.focus();
    }

    closeForm(id) {
        const u = this.u(id);
        const action = u.open;
        u.open = null;
        u.confirm = false;
        u.errors = null;
        u.values = null;
        const el = this.els.get(id);
        const item = this.items?.find((x) => x.id === id);
        if (el && item) fill(el.tools, this.tools(item));
        document.getElementById(`queue-item-${id}-act-${action}`)?.focus();
    }

    actForm(item, action) {
        const id = item.id;
        const f = `qa-${id}`;
        const u = this.u(id);
        const required = REASON_REQUIRED.has(action);
        const actionKey = action === 'keep' ? `keep_${item.kind}` : action;
        let until = null;
        if (action === 'suspend') {
            const when = new Date(Date.now() + 7 * 24 * 3600 * 1000);
            when.setSeconds(0, 0);
            const start = isoToLocal(when.toISOString());
            const hintId = `${f}-until-hint`;
            until = h('fieldset', { class: 'field fieldset', 'data-field': 'until', id: `${f}-until`,
                'aria-describedby': hintId, 'data-describedby': hintId },
            h('legend', { class: 'legend' }, t('queue.form.until', { name: authorOf(item.post) })),
            h('p', { class: 'hint', id: hintId }, t('queue.form.until_hint')),
            h('p', { id: `${f}-until-error`, class: 'field-error', hidden: true }),
            h('div', { class: 'datetime' },
                h('div', { class: 'datetime__part' },
                    h('label', { class: 'label label--small', for: `${f}-until-date` }, t('period.field.date')),
                    h('input', { type: 'date', id: `${f}-until-date`, name: 'until_date', class: 'input input--date',
                        value: start.date, required: true })),
                h('div', { class: 'datetime__part' },
                    h('label', { class: 'label label--small', for: `${f}-until-time` }, t('period.field.time')),
                    h('input', { type: 'time', id: `${f}-until-time`, name: 'until_time', class: 'input input--time',
                        value: start.time, required: true }))));
        }
        const form = h('form', { id: f, class: ['form', 'member-form', 'queue-form', `queue-form--${action}`], novalidate: true,
            'aria-labelledby': `${f}-title`, 'aria-describedby': `${f}-what`, 'data-action': action,
            onkeydown: (ev) => {
                if (ev.key !== 'Escape') return;
                ev.preventDefault();
                if (u.confirm) this.unconfirm(id);
                else this.closeForm(id);
            } },
        h('h4', { id: `${f}-title`, class: 'member-form__title' }, t(`queue.act.${actionKey}.title`)),
        h('p', { class: 'hint', id: `${f}-what` }, t(`queue.act.${actionKey}.what`)),
        errorSummary(f),
        action === 'edit' && textAreaField({ form: f, name: 'body', label: t('queue.form.body'), hint: t('queue.form.body_hint'),
            value: item.post?.body ?? '', rows: 8, required: true, counter: { max: BODY_MAX, length: textLength } }),
        until,
        textAreaField({ form: f, name: 'reason', label: t(required ? 'queue.form.reason' : 'queue.form.reason_optional'),
            hint: t(required ? 'queue.form.reason_hint' : 'queue.form.reason_optional_hint'), rows: 3, required,
            counter: { max: REASON_MAX, length: textLength } }),
        u.confirm && h('div', { class: 'confirm', role: 'group', id: `${f}-confirm`, 'aria-labelledby': `${f}-q` },
            h('p', { id: `${f}-q`, tabindex: '-1' }, h('strong', null, t(`queue.act.${action}.confirm`, { name: authorOf(item.post) })))),
        noticeSlot(),
        h('div', { class: 'actions actions--tight' },
            h('button', { type: 'submit', id: `${f}-submit`,
                class: ['button', CONFIRMED.has(action) ? 'button--danger' : null] },
            t(u.confirm ? `queue.act.${action}.yes` : `queue.act.${actionKey}.submit`)),
            h('button', { type: 'button', class: 'button button--secondary', id: `${f}-cancel`,
                onclick: () => (u.confirm ? this.unconfirm(id) : this.closeForm(id)) }, t('cancel'))));
        if (u.confirm) {
            for (const el of form.querySelectorAll('textarea, input')) el.readOnly = true;
        }
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit(form, id, action);
        });
        return form;
    }

    unconfirm(id) {
        const u = this.u(id);
        u.confirm = false;
        this.repaintItem(id);
        document.querySelector(`#qa-${id} textarea`)?.focus();
    }

    // The fields as the protocol wants them, or the errors found before
    // sending.
    readForm(form, action) {
        const data = new FormData(form);
        const fields = {};
        const errors = [];
        if (action === 'edit') {
            const body = String(data.get('body') ?? '');
            if (!body.trim()) errors.push({ code: 'missing_field', field: 'body' });
            else if (textLength(body) > BODY_MAX) errors.push({ code: 'too_long', field: 'body', params: { limit: formatNumber(BODY_MAX) } });
            fields.body = body;
        }
        if (action === 'suspend') {
            const iso = localToIso(String(data.get('until_date') ?? ''), String(data.get('until_time') ?? ''));
            if (!iso) errors.push({ code: 'invalid_field', field: 'until' });
            else if (new Date(iso).getTime() <= Date.now()) errors.push({ code: 'invalid_field', field: 'until', reason: 'past' });
            else if (new Date(iso).getTime() > Date.now() + TEN_YEARS_MS) errors.push({ code: 'invalid_field', field: 'until', reason: 'far' });
            fields.until = iso;
        }
        const reason = String(data.get('reason') ?? '').trim();
        if (REASON_REQUIRED.has(action) && !reason) errors.push({ code: 'missing_field', field: 'reason' });
        else if (textLength(reason) > REASON_MAX) errors.push({ code: 'too_long', field: 'reason', params: { limit: formatNumber(REASON_MAX) } });
        if (reason) fields.reason = reason;
        return { fields, errors };
    }

    async submit(form, id, action) {
        if (isBusy(form)) return;
        const u = this.u(id);
        const { fields, errors } = this.readForm(form, action);
        if (errors.length) {
            u.errors = errors;
            if (u.confirm) {
                u.confirm = false;
                this.repaintItem(id);
                form = document.getElementById(`qa-${id}`);
            }
            showOwnErrors(form, 'queue', errors).focus();
            return;
        }
        u.errors = null;
        if (CONFIRMED.has(action) && !u.confirm) {
            u.confirm = true;
            this.repaintItem(id);
            document.getElementById(`qa-${id}-q`)?.focus();
            return;
        }
        clearErrors(form);
        form.querySelector('.notice-slot').replaceChildren();
        setBusy(form, true);
        u.acting = true;
        const res = await this.ctx.ws.request('queue.act', { item_id: id, action, ...fields });
        u.acting = false;
        setBusy(form, false);
        if (this.disposed) return;
        if (res.ok) {
            u.acted = true;
            u.open = null;
            u.confirm = false;
            u.values = null;
            const i = this.items.findIndex((x) => x.id === id);
            const item = res.item ?? this.items[i];
            if (i >= 0) this.items[i] = item;
            u.notice = { kind: 'success', text: t(`queue.result.${action === 'keep' ? `keep_${item.kind}` : action}`) };
            this.repaintItem(id);
            document.getElementById(`queue-item-${id}-title`)?.focus();
            this.ctx.announce(u.notice.text);
            this.refreshCount();
            return;
        }
        const err = res.error ?? { code: 'unknown' };
        if (err.code === 'unauthenticated') return this.ctx.sessionEnded();
        if (u.confirm) {
            u.confirm = false;
            this.repaintItem(id);
            form = document.getElementById(`qa-${id}`);
        }
        if (['reason', 'body', 'until'].includes(err.field) && !isServiceError(err) && form.querySelector(`[data-field="${err.field}"]`)) {
            const limit = err.field === 'body' ? BODY_MAX : REASON_MAX;
            u.errors = [err.code === 'too_long' ? { ...err, params: { limit: formatNumber(limit) } } : err];
            showOwnErrors(form, 'queue', u.errors).focus();
            return;
        }
        const text = errorWords('queue', err);
        clearErrors(form);
        form.querySelector('.notice-slot').replaceChildren(notice('warning', text));
        this.ctx.announce(text);
        if (err.code === 'conflict' || err.code === 'not_found') this.refreshCount();
    }
}

export const queueView = {
    title: 'queue.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new QueueView(ctx);
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};

// ---------------------------------------------------------------------------
// #/moderation/words: the watched words (docs/protocol.md, "Watched words").
// The three actions are explained in plain words above the form; each word
// on the list can change its action or be removed after a confirm step.

export const WORD_ACTIONS = ['block', 'review', 'replace'];
const WORD_MAX = 100;

class WordsView {
    constructor(ctx) {
        this.ctx = ctx;
        this.words = null;
        this.error = null;
        this.addErrors = null;
        this.addNotice = null;
        this.ui = new Map(); // word id -> { removing, errors, notice }
        this.body = null;
        if (isStaff(ctx.member)) this.load();
    }

    u(id) {
        if (!this.ui.has(id)) this.ui.set(id, { removing: false, errors: null, notice: null });
        return this.ui.get(id);
    }

    async load() {
        const res = await this.ctx.ws.request('word.list', {});
        if (this.ctx.state.view !== this) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = res.error ?? { code: 'unknown' };
        } else {
            this.error = null;
            this.words = res.words ?? [];
        }
        this.paint();
    }

    render() {
        const ctx = this.ctx;
        if (!isStaff(ctx.member)) return noAccess('words.title');
        this.body = h('div', { id: 'words-body' });
        this.paint();
        return [
            h('h1', { id: 'mod-title', tabindex: '-1' }, t('words.title')),
            consoleNav('/moderation/words'),
            h('p', { class: 'lead' }, t('words.intro')),
            h('h2', { id: 'words-actions-title' }, t('words.actions_title')),
            h('dl', { class: 'word-actions', 'aria-labelledby': 'words-actions-title' },
                WORD_ACTIONS.map((a) => h('div', null,
                    h('dt', null, t(`words.action.${a}`)),
                    h('dd', null, t(`words.action.${a}.explain`))))),
            h('p', null, t('words.matching')),
            this.addForm(),
            this.body,
        ];
    }

    addForm() {
        const f = 'word-add';
        const form = h('form', { id: f, class: 'form word-form', novalidate: true, 'aria-labelledby': `${f}-title` },
            h('h2', { id: `${f}-title` }, t('words.add.title')),
            errorSummary(f),
            textField({ form: f, name: 'word', label: t('words.field.word'), hint: t('words.field.word_hint'),
                required: true, maxlength: WORD_MAX, autocomplete: 'off', spellcheck: 'false' }),
            checkboxGroup({ form: f, name: 'action', type: 'radio', legend: t('words.field.action'), values: ['block'],
                options: WORD_ACTIONS.map((a) => ({ value: a, label: t(`words.action.${a}`) })) }),
            h('div', { class: 'word-form__replacement', id: `${f}-replacement-box` },
                textField({ form: f, name: 'replacement', label: t('words.field.replacement'),
                    hint: t('words.field.replacement_hint'), maxlength: WORD_MAX, autocomplete: 'off', spellcheck: 'false' })),
            noticeSlot(),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'submit', class: 'button', id: `${f}-submit` }, t('words.add.submit'))));
        const sync = () => {
            const chosen = form.querySelector('input[name="action"]:checked')?.value;
            form.querySelector(`#${f}-replacement-box`).hidden = chosen !== 'replace';
        };
        form.addEventListener('change', sync);
        sync();
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.add(form);
        });
        if (this.addErrors) showOwnErrors(form, 'words', this.addErrors);
        else if (this.addNotice) form.querySelector('.notice-slot').replaceChildren(notice('success', this.addNotice));
        // A re-render keeps the radio choice; the box follows it.
        queueMicrotask(sync);
        return form;
    }

    async add(form) {
        if (isBusy(form)) return;
        const data = new FormData(form);
        const word = String(data.get('word') ?? '').trim();
        const action = String(data.get('action') ?? '');
        const replacement = String(data.get('replacement') ?? '');
        const errors = [];
        if (!word) errors.push({ code: 'missing_field', field: 'word' });
        else if ([...word].length > WORD_MAX) errors.push({ code: 'too_long', field: 'word', params: { limit: formatNumber(WORD_MAX) } });
        if (!WORD_ACTIONS.includes(action)) errors.push({ code: 'missing_field', field: 'action' });
        if (action === 'replace' && [...replacement].length > WORD_MAX) {
            errors.push({ code: 'too_long', field: 'replacement', params: { limit: formatNumber(WORD_MAX) } });
        }
        this.addNotice = null;
        form.querySelector('.notice-slot').replaceChildren();
        if (errors.length) {
            this.addErrors = errors;
            showOwnErrors(form, 'words', this.addErrors).focus();
            return;
        }
        const fields = { word, action };
        if (action === 'replace' && replacement !== '') fields.replacement = replacement;
        setBusy(form, true);
        const res = await this.ctx.ws.request('word.add', fields);
        setBusy(form, false);
        if (this.ctx.state.view !== this) return;
        if (!res.ok) {
            const err = res.error ?? { code: 'unknown' };
            if (err.code === 'unauthenticated') return this.ctx.sessionEnded();
            const field = err.code === 'conflict' ? 'word' : err.field;
            if (['word', 'action', 'replacement'].includes(field) && !isServiceError(err)) {
                this.addErrors = [{ ...err, field, params: { limit: formatNumber(WORD_MAX) } }];
                showOwnErrors(form, 'words', this.addErrors).focus();
                return;
            }
            this.addErrors = null;
            const text = errorWords('words', err);
            clearErrors(form);
            form.querySelector('.notice-slot').replaceChildren(notice('warning', text));
            this.ctx.announce(text);
            return;
        }
        this.addErrors = null;
        clearErrors(form);
        const added = res.word;
        if (this.words && added) {
            this.words = [...this.words.filter((w) => w.id !== added.id), added]
                .sort((a, b) => a.word.localeCompare(b.word, 'fi'));
        }
        this.addNotice = t('words.add.done', { word: added?.word ?? word, action: t(`words.action.${added?.action ?? action}`) });
        form.querySelector('#word-add-word').value = '';
        form.querySelector('#word-add-replacement').value = '';
        form.querySelector('.notice-slot').replaceChildren(notice('success', this.addNotice));
        this.paint();
        this.ctx.announce(this.addNotice);
        form.querySelector('#word-add-word').focus();
    }

    paint() {
        const body = this.body;
        if (!body) return;
        if (!this.words) {
            fill(body, this.error
                ? [notice('warning', errorText(this.error)),
                    h('div', { class: 'actions actions--tight' },
                        h('button', { type: 'button', class: 'button button--secondary', onclick: () => this.load() }, t('load.retry')))]
                : h('p', { class: 'hint' }, t('loading')));
            return;
        }
        keepFocus(body, () => fill(body,
            h('h2', { id: 'words-list-title', tabindex: '-1' }, t('words.list.title')),
            h('p', { id: 'words-count' }, this.words.length === 0 ? t('words.list.none')
                : tn('words.list.count', this.words.length, { n: formatNumber(this.words.length) })),
            this.words.length > 0 && h('ul', { class: 'member-list word-list', id: 'word-list', 'aria-labelledby': 'words-list-title' },
                this.words.map((w) => this.row(w)))));
    }

    actionText(w) {
        const name = t(`words.action.${w.action}`);
        return w.action === 'replace' ? t('words.row.replace_with', { action: name, replacement: w.replacement || '***' }) : name;
    }

    row(w) {
        const u = this.u(w.id);
        const f = `word-${w.id}`;
        const li = h('li', { class: 'member-card word-card', id: f });
        const form = h('form', { id: `${f}-form`, class: 'form word-card__form', novalidate: true, 'aria-labelledby': `${f}-form-title` },
            h('h4', { id: `${f}-form-title`, class: 'visually-hidden' }, t('words.row.change_title', { word: w.word })),
            errorSummary(`${f}-form`),
            selectField({ form: `${f}-form`, name: 'action', label: t('words.field.action'), value: w.action,
                options: WORD_ACTIONS.map((a) => ({ value: a, label: t(`words.action.${a}`) })) }),
            h('div', { class: 'word-form__replacement', id: `${f}-form-replacement-box`, hidden: w.action !== 'replace' },
                textField({ form: `${f}-form`, name: 'replacement', label: t('words.field.replacement'),
                    hint: t('words.field.replacement_hint'), value: w.replacement ?? '', maxlength: WORD_MAX,
                    autocomplete: 'off', spellcheck: 'false' })),
            noticeSlot(),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'submit', class: 'button button--secondary button--small', id: `${f}-save` },
                    t('words.row.save'), h('span', { class: 'visually-hidden' }, ` – ${w.word}`)),
                !u.removing && h('button', { type: 'button', class: 'button button--danger button--small', id: `${f}-remove`,
                    onclick: () => this.askRemove(w.id) }, t('words.row.remove'), h('span', { class: 'visually-hidden' }, ` – ${w.word}`))));
        const select = form.querySelector('select');
        select.addEventListener('change', () => {
            form.querySelector(`#${f}-form-replacement-box`).hidden = select.value !== 'replace';
        });
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.update(form, w.id);
        });
        li.append(h('article', { 'aria-labelledby': `${f}-word` },
            h('h3', { class: 'member-card__name word-card__word', id: `${f}-word`, tabindex: '-1' }, w.word),
            h('dl', { class: 'member-card__facts' },
                h('div', null, h('dt', null, t('words.row.action')), h('dd', { id: `${f}-action` }, this.actionText(w))),
                h('div', null, h('dt', null, t('words.row.added')), h('dd', null,
                    w.created_by?.display_name ?? '', w.created_by ? ', ' : '', w.created_at && timeEl(w.created_at)))),
            u.notice && notice(u.notice.kind, u.notice.text),
            form,
            u.removing && h('div', { class: 'confirm', role: 'group', id: `${f}-confirm`, 'aria-labelledby': `${f}-q`,
                onkeydown: (ev) => {
                    if (ev.key !== 'Escape') return;
                    ev.preventDefault();
                    this.cancelRemove(w.id);
                } },
            h('p', { id: `${f}-q`, tabindex: '-1' }, h('strong', null, t('words.remove.confirm', { word: w.word }))),
            h('p', null, t('words.remove.explain')),
            h('div', { class: 'notice-slot', id: `${f}-remove-notice` }),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: 'button button--danger', id: `${f}-remove-yes`,
                    onclick: (ev) => this.remove(w.id, ev.currentTarget) }, t('words.remove.yes')),
                h('button', { type: 'button', class: 'button button--secondary', id: `${f}-remove-no`,
                    onclick: () => this.cancelRemove(w.id) }, t('cancel'))))));
        if (u.errors) showOwnErrors(form, 'words', u.errors);
        return li;
    }

    repaintRow(id) {
        const old = document.getElementById(`word-${id}`);
        const w = this.words?.find((x) => x.id === id);
        if (!old || !w) return;
        const values = snapshotForms(old);
        const fresh = this.row(w);
        old.replaceWith(fresh);
        restoreForms(fresh, values);
        const select = fresh.querySelector('select');
        fresh.querySelector(`#word-${id}-form-replacement-box`).hidden = select.value !== 'replace';
    }

    askRemove(id) {
        this.u(id).removing = true;
        this.repaintRow(id);
        document.getElementById(`word-${id}-q`)?.focus();
    }

    cancelRemove(id) {
        this.u(id).removing = false;
        this.repaintRow(id);
        document.getElementById(`word-${id}-remove`)?.focus();
    }

    async remove(id, button) {
        if (button.disabled) return;
        const w = this.words.find((x) => x.id === id);
        button.disabled = true;
        const res = await this.ctx.ws.request('word.remove', { word_id: id });
        button.disabled = false;
        if (this.ctx.state.view !== this) return;
        if (!res.ok && res.error?.code !== 'not_found') {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            const text = errorWords('words', res.error ?? { code: 'unknown' });
            document.getElementById(`word-${id}-remove-notice`)?.replaceChildren(notice('warning', text));
            this.ctx.announce(text);
            return;
        }
        const i = this.words.findIndex((x) => x.id === id);
        this.words = this.words.filter((x) => x.id !== id);
        this.ui.delete(id);
        this.paint();
        const next = this.words[i] ?? this.words[i - 1];
        (next && document.getElementById(`word-${next.id}-word`) || document.getElementById('words-list-title'))?.focus();
        this.ctx.announce(t('words.remove.done', { word: w?.word ?? '' }));
    }

    async update(form, id) {
        if (isBusy(form)) return;
        const u = this.u(id);
        const data = new FormData(form);
        const action = String(data.get('action') ?? '');
        const replacement = String(data.get('replacement') ?? '');
        if (action === 'replace' && [...replacement].length > WORD_MAX) {
            u.errors = [{ code: 'too_long', field: 'replacement', params: { limit: formatNumber(WORD_MAX) } }];
            showOwnErrors(form, 'words', u.errors).focus();
            return;
        }
        const fields = { word_id: id, action };
        if (action === 'replace') fields.replacement = replacement === '' ? '***' : replacement;
        setBusy(form, true);
        const res = await this.ctx.ws.request('word.update', fields);
        setBusy(form, false);
        if (this.ctx.state.view !== this) return;
        if (!res.ok) {
            const err = res.error ?? { code: 'unknown' };
            if (err.code === 'unauthenticated') return this.ctx.sessionEnded();
            if (['action', 'replacement'].includes(err.field) && !isServiceError(err)) {
                u.errors = [{ ...err, params: { limit: formatNumber(WORD_MAX) } }];
                showOwnErrors(form, 'words', u.errors).focus();
                return;
            }
            const text = errorWords('words', err);
            clearErrors(form);
            form.querySelector('.notice-slot').replaceChildren(notice('warning', text));
            this.ctx.announce(text);
            return;
        }
        u.errors = null;
        const i = this.words.findIndex((x) => x.id === id);
        if (i >= 0 && res.word) this.words[i] = res.word;
        const w = this.words[i];
        u.notice = { kind: 'success', text: t('words.update.done', { word: w.word, action: this.actionText(w) }) };
        const row = document.getElementById(`word-${id}`);
        const fresh = this.row(w);
        row?.replaceWith(fresh);
        document.getElementById(`word-${id}-word`)?.focus();
        this.ctx.announce(u.notice.text);
    }
}

export const wordsView = {
    title: 'words.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) ctx.state.view = new WordsView(ctx);
        return ctx.state.view.render();
    },
};
