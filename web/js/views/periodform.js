// #/periods/new and #/periods/<id>/edit: a moderator writes an activity
// period: title, description and pre-material (markdown), start and end in
// local time (sent as UTC), interest areas, whether members may open
// topics; saved as a draft or announced at once.
import { h } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import {
    textField, textAreaField, checkboxGroup, checkbox, errorSummary, noticeSlot, showErrors, setBusy, isBusy,
    isServiceError, showServiceNotice, textLength, clearErrors,
} from '../forms.js';
import { interestOptions } from './shared.js';
import { isStaff, loadingHeading, loadFailed, breadcrumb, localToIso, isoToLocal } from './periodparts.js';
import { TITLE_MAX, TEXT_MAX } from './period.js';

const FORM = 'period';

function dateTimeField({ name, legend, hint, value }) {
    const id = `${FORM}-${name}`;
    const hintId = `${id}-hint`;
    return h('fieldset', {
        class: 'field fieldset', 'data-field': name, id, 'aria-describedby': hintId, 'data-describedby': hintId,
    },
    h('legend', { class: 'legend' }, legend),
    h('p', { class: 'hint', id: hintId }, hint),
    h('p', { id: `${id}-error`, class: 'field-error', hidden: true }),
    h('div', { class: 'datetime' },
        h('div', { class: 'datetime__part' },
            h('label', { class: 'label label--small', for: `${id}-date` }, t('period.field.date')),
            h('input', { type: 'date', id: `${id}-date`, name: `${name}_date`, class: 'input input--date', value: value.date, required: true })),
        h('div', { class: 'datetime__part' },
            h('label', { class: 'label label--small', for: `${id}-time` }, t('period.field.time')),
            h('input', { type: 'time', id: `${id}-time`, name: `${name}_time`, class: 'input input--time', value: value.time, required: true }))));
}

function defaults() {
    const start = new Date();
    start.setDate(start.getDate() + 1);
    start.setHours(9, 0, 0, 0);
    const end = new Date(start);
    end.setDate(end.getDate() + 21);
    end.setHours(16, 0, 0, 0);
    return {
        title: '', description: '', prematerial: '', interest_areas: [], members_may_open_topics: false, premoderated: false,
        starts_at: start.toISOString(), ends_at: end.toISOString(),
    };
}

function read(form) {
    const data = new FormData(form);
    const text = (name) => String(data.get(name) ?? '');
    return {
        title: text('title').trim(),
        description: text('description').trim(),
        prematerial: text('prematerial').trim(),
        starts_at: localToIso(text('starts_at_date'), text('starts_at_time')),
        ends_at: localToIso(text('ends_at_date'), text('ends_at_time')),
        interest_areas: data.getAll('interest_areas').map(String),
        members_may_open_topics: data.get('members_may_open_topics') !== null,
        premoderated: data.get('premoderated') !== null,
    };
}

function check(v, { creating, original }) {
    const endsChanged = creating || v.ends_at !== original?.ends_at;
    const now = new Date().toISOString();
    return [
        !v.title && { code: 'missing_field', field: 'title' },
        textLength(v.title) > TITLE_MAX && { code: 'too_long', field: 'title', limit: TITLE_MAX },
        !v.description && { code: 'missing_field', field: 'description' },
        textLength(v.description) > TEXT_MAX && { code: 'too_long', field: 'description', limit: TEXT_MAX },
        textLength(v.prematerial) > TEXT_MAX && { code: 'too_long', field: 'prematerial', limit: TEXT_MAX },
        !v.starts_at && { code: 'invalid_field', field: 'starts_at' },
        !creating && original?.status === 'open' && v.starts_at && v.starts_at !== original.starts_at && v.starts_at > now
            && { code: 'invalid_field', field: 'starts_at', reason: 'future' },
        !v.ends_at && { code: 'invalid_field', field: 'ends_at' },
        v.starts_at && v.ends_at && v.ends_at <= v.starts_at && { code: 'invalid_field', field: 'ends_at', reason: 'order' },
        v.ends_at && endsChanged && v.ends_at <= now && v.ends_at > (v.starts_at ?? '')
            && { code: 'invalid_field', field: 'ends_at', reason: 'past' },
    ].filter(Boolean);
}

function withLimit(errors) {
    return errors.map((e) => (e.code === 'too_long' ? { ...e, params: { limit: formatNumber(e.limit) } } : e));
}

function sameSet(a, b) {
    return a.length === b.length && a.every((x) => b.includes(x));
}

class PeriodForm {
    constructor(ctx, id) {
        this.ctx = ctx;
        this.id = id ?? null;
        this.period = null;
        this.error = null;
        if (this.id) this.load();
    }

    async load() {
        const res = await this.ctx.ws.request('period.get', { period_id: this.id });
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = res.error;
        } else {
            this.error = null;
            this.period = res.period;
        }
        if (this.ctx.state.view === this) this.ctx.rerender();
    }

    render() {
        const ctx = this.ctx;
        const creating = !this.id;
        const titleKey = creating ? 'period.form.new' : 'period.form.edit';
        if (!isStaff(ctx.member)) {
            return [h('h1', { id: 'period-form-title', tabindex: '-1' }, t(titleKey)),
                h('p', { class: 'notice notice--warning' }, t('error.forbidden'))];
        }
        if (!creating && this.error) {
            return [h('h1', { id: 'period-form-title', tabindex: '-1' }, t(titleKey)), loadFailed(this.error, () => this.load())];
        }
        if (!creating && !this.period) return [loadingHeading('period-form-title')];
        const v = creating ? defaults() : this.period;
        const start = isoToLocal(v.starts_at);
        const end = isoToLocal(v.ends_at);
        const closed = v.status === 'closed';

        const form = h('form', { id: `${FORM}-form`, class: 'form', novalidate: true, 'aria-labelledby': 'period-form-title' },
            errorSummary(FORM),
            textField({ form: FORM, name: 'title', label: t('period.field.title'), value: v.title, required: true,
                counter: { max: TITLE_MAX, length: textLength } }),
            textAreaField({ form: FORM, name: 'description', label: t('period.field.description'),
                hint: t('period.field.description.hint'), value: v.description, required: true, rows: 8,
                counter: { max: TEXT_MAX, length: textLength } }),
            textAreaField({ form: FORM, name: 'prematerial', label: t('period.field.prematerial'),
                hint: t('period.field.prematerial.hint'), value: v.prematerial, rows: 6,
                counter: { max: TEXT_MAX, length: textLength } }),
            dateTimeField({ name: 'starts_at', legend: t('period.field.starts_at'), hint: t('period.field.starts_at.hint'), value: start }),
            dateTimeField({ name: 'ends_at', legend: t('period.field.ends_at'), hint: t('period.field.ends_at.hint'), value: end }),
            checkboxGroup({ form: FORM, name: 'interest_areas', legend: t('period.field.interest_areas'),
                hint: t('period.field.interest_areas.hint'), options: interestOptions(ctx.config), values: v.interest_areas }),
            checkbox({ form: FORM, name: 'members_may_open_topics', label: t('period.field.members_may_open_topics'),
                checked: Boolean(v.members_may_open_topics) }),
            checkbox({ form: FORM, name: 'premoderated', label: t('period.field.premoderated'),
                hint: t('period.field.premoderated.hint'), checked: Boolean(v.premoderated) }),
            noticeSlot(),
            h('div', { class: 'actions' },
                creating
                    ? [h('button', { type: 'submit', class: 'button', id: 'period-save-upcoming', value: 'upcoming' }, t('period.form.announce')),
                        h('button', { type: 'submit', class: 'button button--secondary', id: 'period-save-draft', value: 'draft' }, t('period.form.draft'))]
                    : h('button', { type: 'submit', class: 'button', id: 'period-save', value: 'save', disabled: closed }, t('period.form.save')),
                h('a', { class: 'button button--secondary', href: creating ? '#/periods' : `#/periods/${this.id}` }, t('cancel'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit(form, ev.submitter?.value ?? (creating ? 'draft' : 'save'));
        });
        if (this.errors) showErrors(form, withLimit(this.errors));

        const crumbs = creating
            ? [['#/periods', t('periods.title')], [null, t(titleKey)]]
            : [['#/periods', t('periods.title')], [`#/periods/${this.id}`, this.period.title], [null, t(titleKey)]];
        return [
            breadcrumb(crumbs),
            h('h1', { id: 'period-form-title', tabindex: '-1' }, t(titleKey)),
            h('p', { class: 'lead' }, t(creating ? 'period.form.intro' : 'period.form.edit_intro')),
            closed && h('p', { class: 'notice notice--info' }, t('error.period_closed')),
            form,
        ];
    }

    async submit(form, action) {
        if (isBusy(form)) return;
        const creating = !this.id;
        const v = read(form);
        if (!creating) {
            // The inputs hold whole minutes: a time shown as it was is the
            // time it was, seconds and all.
            for (const key of ['starts_at', 'ends_at']) {
                const shown = isoToLocal(this.period[key]);
                if (v[key] === localToIso(shown.date, shown.time)) v[key] = this.period[key];
            }
        }
        const problems = check(v, { creating, original: this.period });
        if (problems.length) {
            this.errors = problems;
            showErrors(form, withLimit(problems)).focus();
            return;
        }
        let type;
        let fields;
        if (creating) {
            type = 'period.create';
            fields = { ...v, status: action === 'upcoming' ? 'upcoming' : 'draft' };
        } else {
            type = 'period.update';
            fields = { period_id: this.id };
            const p = this.period;
            for (const key of ['title', 'description', 'prematerial', 'starts_at', 'ends_at', 'members_may_open_topics', 'premoderated']) {
                if (v[key] !== p[key]) fields[key] = v[key];
            }
            if (!sameSet(v.interest_areas, p.interest_areas ?? [])) fields.interest_areas = v.interest_areas;
            if (Object.keys(fields).length === 1) {
                this.ctx.navigate(`/periods/${this.id}`, { flash: { key: 'profile.unchanged' } });
                return;
            }
        }
        setBusy(form, true);
        const res = await this.ctx.ws.request(type, fields);
        setBusy(form, false);
        if (res.ok) {
            this.errors = null;
            clearErrors(form);
            const key = creating ? `period.created.${res.period.status}` : 'period.saved';
            this.ctx.navigate(`/periods/${res.period.id}`, { flash: { key, params: { title: res.period.title } } });
            return;
        }
        if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        if (isServiceError(res.error) || !res.error?.field) {
            this.errors = null;
            this.ctx.announce(showServiceNotice(form, { ...res.error, code: res.error?.code ?? 'unknown' }));
            return;
        }
        this.errors = [res.error];
        showErrors(form, withLimit(this.errors)).focus();
    }
}

export default {
    title: (ctx) => t(ctx.params[0] ? 'period.form.edit' : 'period.form.new'),
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) ctx.state.view = new PeriodForm(ctx, ctx.params[0]);
        return ctx.state.view.render();
    },
};
