// #/periods/<id>/results: the moderators' results composer (docs/protocol.md,
// "Results"). It loads the working copy (results.get), lets a moderator
// write the summary, key findings, the polls and surveys to show, and quotes
// picked from the period's discussions (results.quotable), saves it all in
// one go (results.save, with the rev it started from), links to the preview,
// publishes and unpublishes, and keeps the follow-ups ("mitä tapahtui") of
// each saved finding, which go live at once. Leaving with unsaved changes
// asks first (state.unsaved, read by app.js).
//
// Class names start with rc- because the public pages load raati.css too
// and have results-* classes of their own.
import { h, fill } from '../dom.js';
import { t, formatNumber, formatDateTime, locale, localName } from '../i18n.js';
import { errorText, notice, charCounter, noEnterSubmit, showFormProblems, textLength } from '../forms.js';
import { isStaff, loadingHeading, loadFailed, breadcrumb } from './periodparts.js';
import { keepFocus } from './liveview.js';

export const SUMMARY_MAX = 20000;
export const FINDINGS_MAX = 30;
export const FINDING_TITLE_MAX = 200;
export const FINDING_BODY_MAX = 5000;
export const ITEMS_MAX = 20;
export const QUOTES_MAX = 30;
export const QUOTE_MAX = 1000;
export const FOLLOW_UP_TEXT_MAX = 2000;
export const FOLLOW_UP_REASON_MAX = 1000;
export const FOLLOW_UP_STATUSES = ['considering', 'in_progress', 'done', 'declined'];
const RESULT_STATUSES = ['draft', 'published', 'unpublished'];
const PICKER_EXCERPT = 400;

let keySerial = 0;
const nextKey = () => {
    keySerial += 1;
    return keySerial;
};

// Dates as numbers in the current language: 15.11.2026, 15/11/2026.
function numericDate(date) {
    return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'numeric', year: 'numeric' }).format(date);
}

export function dateOf(iso) {
    if (!iso) return '';
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : numericDate(date);
}

// A follow-up's YYYY-MM-DD, read as a day in the calendar (not as UTC
// midnight, which is the day before west of Greenwich).
export function dayText(ymd) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
    return m ? numericDate(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : String(ymd ?? '');
}

function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function isRealDate(ymd) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
    if (!m) return false;
    const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return d.getFullYear() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]);
}

export function publicPath(slug) {
    return `/tulokset/${encodeURIComponent(slug)}`;
}

// A post's words as a first version of a quote: spacing made even, and cut
// (with "…", which the server reads as "left out") if it is too long.
export function quoteFromBody(body) {
    const text = String(body ?? '').replace(/\s+/g, ' ').trim();
    if ([...text].length <= QUOTE_MAX) return text;
    const cut = [...text].slice(0, QUOTE_MAX - 2).join('');
    const at = cut.lastIndexOf(' ');
    return `${(at > QUOTE_MAX / 2 ? cut.slice(0, at) : cut).trim()} …`;
}

function excerpt(text, max) {
    const chars = [...String(text ?? '').replace(/\s+/g, ' ').trim()];
    return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('').trim()}…`;
}

// The working copy as the form holds it.
function modelFrom(results) {
    return {
        summary: results?.summary ?? '',
        show_figures: results ? Boolean(results.show_figures) : true,
        findings: (results?.findings ?? []).map((f) => ({
            key: nextKey(), id: f.id, title: f.title ?? '', body: f.body ?? '', followUps: f.follow_ups?.length ?? 0,
        })),
        polls: [...(results?.polls ?? [])],
        surveys: [...(results?.surveys ?? [])],
        quotes: (results?.quotes ?? []).map((q) => ({
            key: nextKey(), id: q.id, post_id: q.post_id, topic: q.topic ?? null, text: q.text ?? '',
            shown: q.shown !== false, withdrawn: Boolean(q.withdrawn),
        })),
    };
}

// "<5" for a suppressed group, the number otherwise.
function figure(n, suppressed) {
    return suppressed || n === null || n === undefined ? '<5' : formatNumber(n);
}

function ageLabel(group) {
    if (group === 'unknown') return t('participation.age.unknown');
    if (String(group).endsWith('+')) return t('participation.age.plus', { from: group.slice(0, -1) });
    const [from, to] = String(group).split('-');
    return t('participation.age.range', { from, to });
}

class ResultsComposer {
    constructor(ctx, periodId) {
        this.ctx = ctx;
        this.periodId = periodId;
        this.error = null;
        this.loaded = false;
        this.disposed = false;
        this.results = null;
        this.period = null;
        this.polls = [];
        this.surveys = [];
        this.figures = null;
        this.topics = [];
        this.versions = [];
        this.model = modelFrom(null);
        this.rev = 0;
        this.dirty = false;
        this.confirm = null; // 'publish' | 'unpublish'
        this.statusNotice = null; // { kind, text, reload? }
        this.formNotice = null;
        this.problems = [];
        this.picker = { open: false, topic: '', posts: [], next: null, loading: false, error: null, loaded: false };
        this.fu = null; // the open follow-up form: { findingId, followUpId, values, problems, notice, touched }
        this.fuConfirm = null; // follow-up id whose delete waits for a yes
        this.fuFlash = null; // { findingId, text }
        this.busy = false;
        this.load();
    }

    dispose() {
        this.disposed = true;
    }

    // Whether leaving would lose something (app.js asks before it does).
    unsaved() {
        return this.dirty || Boolean(this.fu?.touched);
    }

    async load() {
        const ws = this.ctx.ws;
        const [res, vers, per] = await Promise.all([
            ws.request('results.get', { period_id: this.periodId }),
            ws.request('results.versions', { period_id: this.periodId }),
            ws.request('period.get', { period_id: this.periodId }),
        ]);
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = res.error;
            this.paint();
            return;
        }
        this.error = null;
        this.period = res.period;
        this.polls = res.polls ?? [];
        this.surveys = res.surveys ?? [];
        this.figures = res.figures ?? null;
        this.versions = vers.ok ? vers.versions ?? [] : [];
        this.topics = per.ok ? per.topics ?? [] : [];
        this.take(res.results);
        this.loaded = true;
        this.ctx.setTitle(this.heading());
        this.paint();
    }

    // Takes a saved working copy as the form's new starting point.
    take(results) {
        this.results = results ?? null;
        this.model = modelFrom(this.results);
        this.rev = this.results?.rev ?? 0;
        this.dirty = false;
        this.problems = [];
    }

    heading() {
        return this.period ? t('results.heading', { title: this.period.title }) : t('results.title');
    }

    // ---- painting ----------------------------------------------------------

    render() {
        this.h1 = this.loaded ? h('h1', { id: 'results-title', tabindex: '-1' }, this.heading()) : loadingHeading('results-title');
        this.crumbs = h('div');
        this.box = h('div');
        this.paint();
        return [this.crumbs, this.h1, this.box];
    }

    // Paints the whole screen from the model (after a load, a save or a
    // language change).
    paint() {
        if (!this.h1 || this.disposed) return;
        if (!isStaff(this.ctx.member)) {
            this.h1.textContent = t('results.title');
            fill(this.crumbs);
            fill(this.box, notice('warning', t('mod.no_access')));
            return;
        }
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.crumbs);
            fill(this.box, loadFailed(this.error, () => this.load()));
            return;
        }
        if (!this.loaded) return;
        const wasLoading = this.h1.textContent !== this.heading();
        this.h1.textContent = this.heading();
        if (wasLoading && document.activeElement === this.h1) {
            this.h1.blur(); // read the real title out now that it is there
            this.h1.focus();
        }
        fill(this.crumbs, breadcrumb([
            ['#/periods', t('periods.title')],
            [`#/periods/${this.periodId}`, this.period.title],
            [null, t('results.crumb')],
        ]));
        this.statusBox = h('div');
        this.followBox = h('div');
        this.versionsBox = h('div');
        fill(this.box,
            h('p', { class: 'lead' }, t('results.intro')),
            this.period.status !== 'closed' && notice('info', t('results.period_not_closed')),
            this.statusBox,
            this.formElement(),
            this.followBox,
            this.versionsBox);
        this.paintStatus();
        this.paintFollowUps();
        this.paintVersions();
    }

    // -- status, preview, publishing --------------------------------------

    paintStatus() {
        if (!this.statusBox) return;
        const r = this.results;
        const status = r && RESULT_STATUSES.includes(r.status) ? r.status : null;
        const url = r?.slug ? `${window.location.origin}${publicPath(r.slug)}` : null;
        let statusText;
        if (!r) statusText = t('results.status.none.text');
        else if (status === 'published') {
            const firstDay = dateOf(r.first_published_at ?? r.published_at);
            statusText = !firstDay ? ''
                : r.version > 1 && r.published_at && dateOf(r.published_at) !== firstDay
                    ? t('results.status.published_updated', { first: firstDay, date: dateOf(r.published_at) })
                    : t('results.status.published_on', { date: firstDay });
        } else statusText = t(`results.status.${status ?? 'draft'}.text`);
        const publishLabel = status === 'published' ? 'results.publish.again'
            : status === 'unpublished' ? 'results.publish.back' : 'results.publish';
        const preview = r?.slug && !this.dirty
            ? h('a', { class: 'button button--secondary', id: 'results-preview', href: `${publicPath(r.slug)}?preview=1`,
                target: '_blank', rel: 'noopener' }, t('results.preview'),
            h('span', { class: 'visually-hidden' }, ` ${t('results.new_tab')}`),
            h('span', { class: 'rc-preview-icon', 'aria-hidden': 'true' }, '↗'))
            : null;
        keepFocus(this.statusBox, () => fill(this.statusBox,
            h('section', { class: 'section panel panel--wide rc-status', 'aria-labelledby': 'results-status-title' },
                h('h2', { id: 'results-status-title' }, t('results.status.title')),
                h('p', { class: 'rc-status__state', id: 'results-state' },
                    h('span', { class: `badge badge--results-${status ?? 'none'}` }, t(`results.status.${status ?? 'none'}`)),
                    ' ', statusText),
                r && status !== 'draft' && r.changed_since_publish &&
                    h('p', { class: 'rc-status__changed', id: 'results-changed' }, t('results.status.changed')),
                this.dirty && h('p', { class: 'rc-status__unsaved', id: 'results-unsaved' }, h('strong', null, t('results.status.unsaved'))),
                status === 'published' && url && h('p', { id: 'results-address' }, t('results.address'), ' ',
                    h('a', { href: publicPath(r.slug), id: 'results-public-link' }, url)),
                r?.updated_by && r.updated_at && h('p', { class: 'hint' },
                    t('results.saved_by', { name: r.updated_by.display_name, when: formatDateTime(r.updated_at) })),
                h('div', { class: 'actions' },
                    preview,
                    h('button', { type: 'button', class: 'button', id: 'results-publish', 'data-focus-key': 'results-publish',
                        'aria-expanded': String(this.confirm === 'publish'), 'aria-controls': 'results-confirm',
                        onclick: () => this.askPublish('publish') }, t(publishLabel)),
                    status === 'published' && h('button', { type: 'button', class: 'button button--secondary', id: 'results-unpublish',
                        'data-focus-key': 'results-unpublish', 'aria-expanded': String(this.confirm === 'unpublish'),
                        'aria-controls': 'results-confirm', onclick: () => this.askPublish('unpublish') }, t('results.unpublish'))),
                !preview && h('p', { class: 'hint', id: 'results-preview-hint' }, t(r ? 'results.preview.save_first' : 'results.preview.none')),
                this.confirmElement(url),
                h('div', { class: 'notice-slot', id: 'results-status-notice', tabindex: '-1' },
                    this.statusNotice && notice(this.statusNotice.kind, this.statusNotice.text,
                        this.statusNotice.reload && h('button', { type: 'button', class: 'button button--secondary', id: 'results-reload',
                            onclick: () => this.reloadAll() }, t('results.reload')))))));
    }

    confirmElement(url) {
        if (!this.confirm) return h('div', { id: 'results-confirm', hidden: true });
        const status = this.results?.status;
        const key = this.confirm === 'unpublish' ? 'results.unpublish.confirm'
            : status === 'published' ? 'results.publish.confirm_again'
                : status === 'unpublished' ? 'results.publish.confirm_back' : 'results.publish.confirm';
        return h('div', { class: 'confirm', role: 'group', id: 'results-confirm', 'aria-labelledby': 'results-confirm-q' },
            h('p', { id: 'results-confirm-q', tabindex: '-1' }, h('strong', null, t(`${key}.q`))),
            h('p', null, t(`${key}.text`, { url: url ?? '' })),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: ['button', this.confirm === 'unpublish' && 'button--danger'], id: 'results-confirm-yes',
                    onclick: () => this.publish(this.confirm) }, t(`${key}.yes`)),
                h('button', { type: 'button', class: 'button button--secondary', id: 'results-confirm-no',
                    onclick: () => {
                        const was = this.confirm;
                        this.confirm = null;
                        this.paintStatus();
                        document.getElementById(was === 'unpublish' ? 'results-unpublish' : 'results-publish')?.focus();
                    } }, t('cancel'))));
    }

    showStatusNotice(kind, text, { reload = false, focus = true } = {}) {
        this.statusNotice = { kind, text, reload };
        this.paintStatus();
        if (focus) document.getElementById('results-status-notice')?.focus();
        this.ctx.announce(text);
    }

    askPublish(which) {
        if (which === 'publish' && !this.results) {
            this.showStatusNotice('warning', t('results.publish.save_first'));
            return;
        }
        if (which === 'publish' && this.dirty) {
            this.showStatusNotice('warning', t('results.publish.unsaved'));
            return;
        }
        this.statusNotice = null;
        this.confirm = which;
        this.paintStatus();
        document.getElementById('results-confirm-q')?.focus();
    }

    async publish(which) {
        if (this.busy) return;
        this.busy = true;
        const res = await this.ctx.ws.request(`results.${which}`, { period_id: this.periodId });
        this.busy = false;
        if (this.disposed) return;
        this.confirm = null;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.showStatusNotice('warning', this.publishError(which, res.error ?? { code: 'unknown' }));
            return;
        }
        const first = which === 'publish' && this.results?.status === 'draft';
        if (!this.dirty) this.take(res.results);
        else this.results = res.results;
        const vers = await this.ctx.ws.request('results.versions', { period_id: this.periodId });
        if (this.disposed) return;
        if (vers.ok) this.versions = vers.versions ?? [];
        const url = `${window.location.origin}${publicPath(res.results.slug)}`;
        const text = which === 'unpublish' ? t('results.unpublish.done')
            : first ? t('results.publish.done_first', { url }) : t('results.publish.done', { url });
        this.paintVersions();
        this.paintFollowUps();
        this.showStatusNotice('success', text);
    }

    publishError(which, err) {
        if (which === 'publish' && this.period?.status !== 'closed' && ['conflict', 'period_not_open', 'period_closed'].includes(err.code)) {
            return t('results.publish.not_closed');
        }
        if (which === 'publish' && err.code === 'invalid_field') return t('results.publish.empty');
        if (err.code === 'not_found') return t('results.publish.save_first');
        if (err.code === 'conflict') return t(which === 'unpublish' ? 'results.unpublish.conflict' : 'results.publish.not_closed');
        return errorText(err);
    }

    async reloadAll() {
        this.statusNotice = null;
        this.formNotice = null;
        this.dirty = false;
        this.fu = null;
        await this.load();
        this.h1?.focus();
        this.ctx.announce(t('results.reloaded'));
    }

    // -- the working copy's form ---------------------------------------------

    formElement() {
        const f = 'results';
        const m = this.model;
        const summary = h('textarea', { id: `${f}-summary`, name: 'summary', class: 'input textarea', rows: 8, spellcheck: 'true',
            'data-bind': 'summary', 'aria-describedby': `${f}-summary-hint ${f}-summary-count`,
            'data-describedby': `${f}-summary-hint ${f}-summary-count` });
        summary.value = m.summary;
        this.findingsList = h('ol', { class: 'rc-list', id: `${f}-findings-list` });
        this.quotesList = h('ol', { class: 'rc-list', id: `${f}-quotes-list` });
        this.pickerBox = h('div', { id: `${f}-picker` });
        const form = h('form', { id: `${f}-form`, class: 'form rc-form', novalidate: true, 'aria-labelledby': `${f}-content-title` },
            h('div', { class: 'error-summary', role: 'region', tabindex: '-1', hidden: true, id: `${f}-errors`,
                'aria-labelledby': `${f}-errors-title` },
            h('h3', { class: 'error-summary__title', id: `${f}-errors-title` }, t('error.summary_title')),
            h('ul', { class: 'error-summary__list' })),
            h('div', { class: 'field', 'data-field': 'summary' },
                h('label', { class: 'label', for: `${f}-summary` }, t('results.field.summary')),
                h('p', { class: 'hint', id: `${f}-summary-hint` }, t('results.field.summary.hint')),
                h('p', { class: 'field-error', id: `${f}-summary-error`, hidden: true }),
                summary,
                charCounter(`${f}-summary-count`, summary, { max: SUMMARY_MAX, length: textLength }).node),
            h('div', { class: 'field field--single', 'data-field': 'show_figures' },
                h('p', { class: 'field-error', id: `${f}-show_figures-error`, hidden: true }),
                h('div', { class: 'choice' },
                    h('input', { type: 'checkbox', id: `${f}-show_figures`, name: 'show_figures', 'data-bind': 'show_figures',
                        checked: m.show_figures, 'aria-describedby': `${f}-show_figures-hint` }),
                    h('label', { for: `${f}-show_figures` }, t('results.field.show_figures'))),
                h('p', { class: 'hint', id: `${f}-show_figures-hint` }, t('results.field.show_figures.hint')),
                h('div', { class: 'rc-figures', id: `${f}-figures` }, this.figuresElement())),
            h('fieldset', { class: 'field fieldset rc-group', 'data-field': 'findings', id: `${f}-findings`,
                'aria-describedby': `${f}-findings-hint` },
            h('legend', { class: 'legend rc-group__legend' }, t('results.field.findings')),
            h('p', { class: 'hint', id: `${f}-findings-hint` }, t('results.field.findings.hint')),
            h('p', { class: 'field-error', id: `${f}-findings-error`, hidden: true }),
            this.findingsList,
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: 'button button--secondary', id: `${f}-finding-add`, onclick: () => this.addFinding() },
                    t('results.finding.add')))),
            this.choiceGroup('polls', this.polls, (p) => p.question, (p) => p.status === 'closed'),
            this.choiceGroup('surveys', this.surveys, (s) => s.title, (s) => s.status === 'closed'),
            h('fieldset', { class: 'field fieldset rc-group', 'data-field': 'quotes', id: `${f}-quotes`,
                'aria-describedby': `${f}-quotes-hint` },
            h('legend', { class: 'legend rc-group__legend' }, t('results.field.quotes')),
            h('p', { class: 'hint', id: `${f}-quotes-hint` }, t('results.field.quotes.hint')),
            h('p', { class: 'field-error', id: `${f}-quotes-error`, hidden: true }),
            this.quotesList,
            this.pickerBox),
            h('div', { class: 'notice-slot', id: `${f}-form-notice`, tabindex: '-1' },
                this.formNotice && notice(this.formNotice.kind, this.formNotice.text,
                    this.formNotice.reload && h('button', { type: 'button', class: 'button button--secondary', id: 'results-form-reload',
                        onclick: () => this.reloadAll() }, t('results.reload')))),
            h('div', { class: 'actions' },
                h('button', { type: 'submit', class: 'button', id: `${f}-save` }, t('results.save'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.save();
        });
        form.addEventListener('input', (ev) => this.edited(ev.target));
        form.addEventListener('change', (ev) => this.edited(ev.target));
        noEnterSubmit(form);
        this.form = form;
        this.paintFindings();
        this.paintQuotes();
        this.paintPicker();
        if (this.problems.length) showFormProblems(form, this.problems);
        return h('section', { class: 'section panel panel--wide', 'aria-labelledby': `${f}-content-title` },
            h('h2', { id: `${f}-content-title` }, t('results.content.title')),
            form);
    }

    // Takes what was typed or ticked into the model.
    edited(el) {
        const bind = el?.dataset?.bind;
        if (!bind) return;
        const m = this.model;
        const key = Number(el.dataset.key);
        let changed = true;
        if (bind === 'summary') {
            changed = m.summary !== el.value;
            m.summary = el.value;
        } else if (bind === 'show_figures') {
            changed = m.show_figures !== el.checked;
            m.show_figures = el.checked;
        } else if (bind === 'finding-title' || bind === 'finding-body') {
            const item = m.findings.find((x) => x.key === key);
            const prop = bind === 'finding-title' ? 'title' : 'body';
            if (item) {
                changed = item[prop] !== el.value;
                item[prop] = el.value;
            }
        } else if (bind === 'quote-text') {
            const item = m.quotes.find((x) => x.key === key);
            if (item) {
                changed = item.text !== el.value;
                item.text = el.value;
            }
        } else if (bind === 'polls' || bind === 'surveys') {
            // The order they were ticked in is the order they are shown in.
            const id = Number(el.value);
            const list = m[bind];
            const at = list.indexOf(id);
            if (el.checked && at < 0) list.push(id);
            else if (!el.checked && at >= 0) list.splice(at, 1);
            else changed = false;
        }
        if (changed) this.markDirty();
    }

    markDirty() {
        if (this.dirty) return;
        this.dirty = true;
        this.statusNotice = null;
        this.paintStatus();
    }

    figuresElement() {
        const fig = this.figures;
        if (!fig) return h('p', { class: 'hint' }, t('results.figures.none'));
        const municipalities = new Map((this.ctx.config.municipalities ?? []).map((x) => [x.id, localName(x.name)]));
        const head = (first) => h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, first),
            h('th', { scope: 'col', class: 'num' }, t('results.figures.participants')),
            h('th', { scope: 'col', class: 'num' }, t('results.figures.posts')),
            h('th', { scope: 'col', class: 'num' }, t('results.figures.votes'))));
        const table = (id, caption, first, rows) => h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': `${id}-caption` },
            h('table', { class: 'table table--small', id },
                h('caption', { id: `${id}-caption` }, caption),
                head(first),
                h('tbody', null, rows.map((r) => h('tr', null,
                    h('th', { scope: 'row' }, r.label),
                    h('td', { class: 'num' }, figure(r.participants, r.suppressed)),
                    h('td', { class: 'num' }, figure(r.posts, r.suppressed)),
                    h('td', { class: 'num' }, figure(r.votes, r.suppressed)))))));
        const totals = h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': 'results-fig-total-caption' },
            h('table', { class: 'table table--small', id: 'results-fig-total' },
                h('caption', { id: 'results-fig-total-caption' }, t('results.figures.totals')),
                h('tbody', null, [
                    ['results.figures.participants', fig.participants],
                    ['results.figures.posts', fig.posts],
                    ['results.figures.votes', fig.votes],
                    ['results.figures.responses', fig.responses],
                ].map(([key, n]) => h('tr', null, h('th', { scope: 'row' }, t(key)), h('td', { class: 'num' }, figure(n, false)))))));
        return [
            h('p', { class: 'hint' }, t('results.figures.note')),
            totals,
            (fig.by_age_group ?? []).length > 0 && table('results-fig-age', t('results.figures.by_age'), t('participation.age_group'),
                fig.by_age_group.map((r) => ({ ...r, label: ageLabel(r.group) }))),
            (fig.by_municipality ?? []).length > 0 && table('results-fig-municipality', t('results.figures.by_municipality'),
                t('participation.municipality'), fig.by_municipality.map((r) => ({
                    ...r,
                    label: r.municipality === 'unknown' ? t('participation.municipality.unknown') : municipalities.get(r.municipality) ?? r.municipality,
                }))),
        ];
    }

    // Checkboxes for the period's polls or surveys; only closed ones can be
    // chosen, and the others say why.
    choiceGroup(name, items, label, selectable) {
        const f = 'results';
        const chosen = new Set(this.model[name]);
        return h('fieldset', { class: 'field fieldset rc-group', 'data-field': name, id: `${f}-${name}`,
            'aria-describedby': `${f}-${name}-hint` },
        h('legend', { class: 'legend rc-group__legend' }, t(`results.field.${name}`)),
        h('p', { class: 'hint', id: `${f}-${name}-hint` }, t(`results.field.${name}.hint`)),
        h('p', { class: 'field-error', id: `${f}-${name}-error`, hidden: true }),
        items.length === 0
            ? h('p', { class: 'empty' }, t(`results.field.${name}.none`))
            : h('div', { class: 'choices' }, items.map((item) => {
                const id = `${f}-${name}-${item.id}`;
                const ok = selectable(item);
                const why = ok ? null : t(`results.field.${name}.not_closed.${item.status}`);
                return h('div', { class: 'choice' },
                    h('input', { type: 'checkbox', id, name, value: item.id, 'data-bind': name, checked: chosen.has(item.id),
                        disabled: !ok && !chosen.has(item.id), 'aria-describedby': why ? `${id}-why` : null }),
                    h('span', null,
                        h('label', { for: id }, label(item)),
                        why && h('span', { class: 'hint poll-choice-hint', id: `${id}-why` }, why)));
            })));
    }

    // -- findings ----------------------------------------------------------------

    paintFindings() {
        const list = this.model.findings;
        const n = list.length;
        fill(this.findingsList, n === 0
            ? h('li', { class: 'rc-list__empty' }, h('p', { class: 'empty' }, t('results.finding.none')))
            : list.map((item, i) => this.findingItem(item, i, n)));
    }

    findingItem(item, i, n) {
        const p = `rf-${item.key}`;
        const num = i + 1;
        const title = h('input', { type: 'text', id: `${p}-title`, name: 'finding_title', class: 'input', 'data-bind': 'finding-title',
            'data-key': item.key, 'aria-describedby': `${p}-title-count`, 'data-describedby': `${p}-title-count` });
        title.value = item.title;
        const body = h('textarea', { id: `${p}-body`, name: 'finding_body', class: 'input textarea', rows: 4, spellcheck: 'true',
            'data-bind': 'finding-body', 'data-key': item.key, 'aria-describedby': `${p}-body-hint ${p}-body-count`,
            'data-describedby': `${p}-body-hint ${p}-body-count` });
        body.value = item.body;
        const move = (dir) => h('button', { type: 'button', class: 'button button--secondary button--small', id: `${p}-${dir}`,
            disabled: dir === 'up' ? i === 0 : i === n - 1,
            'aria-label': t(`results.finding.${dir}_n`, { n: num }),
            onclick: () => this.moveItem('findings', item.key, dir === 'up' ? -1 : 1) }, t(`results.move.${dir}`));
        return h('li', { class: 'rc-item', 'data-key': item.key },
            h('fieldset', { class: 'fieldset rc-item__box', id: p },
                h('legend', { class: 'legend rc-item__legend' }, t('results.finding.n', { n: num }),
                    !item.id && h('span', { class: 'badge badge--new rc-item__badge' }, t('results.unsaved_badge'))),
                h('div', { class: 'field', 'data-field': `${p}-title` },
                    h('label', { class: 'label', for: `${p}-title` }, t('results.finding.title')),
                    h('p', { class: 'field-error', id: `${p}-title-error`, hidden: true }),
                    title,
                    charCounter(`${p}-title-count`, title, { max: FINDING_TITLE_MAX, length: textLength }).node),
                h('div', { class: 'field', 'data-field': `${p}-body` },
                    h('label', { class: 'label', for: `${p}-body` }, t('results.finding.body')),
                    h('p', { class: 'hint', id: `${p}-body-hint` }, t('results.finding.body.hint')),
                    h('p', { class: 'field-error', id: `${p}-body-error`, hidden: true }),
                    body,
                    charCounter(`${p}-body-count`, body, { max: FINDING_BODY_MAX, length: textLength }).node),
                item.followUps > 0 && h('p', { class: 'hint', id: `${p}-kept` }, t('results.finding.has_follow_ups')),
                h('div', { class: 'actions actions--tight rc-item__tools' },
                    move('up'), move('down'),
                    item.followUps === 0 && h('button', { type: 'button', class: 'button button--secondary button--small', id: `${p}-remove`,
                        'aria-label': t('results.finding.remove_n', { n: num }),
                        onclick: () => this.removeItem('findings', item.key) }, t('results.remove')))));
    }

    addFinding() {
        if (this.model.findings.length >= FINDINGS_MAX) {
            this.ctx.announce(t('results.finding.max', { max: FINDINGS_MAX }));
            return;
        }
        const item = { key: nextKey(), id: null, title: '', body: '', followUps: 0 };
        this.model.findings.push(item);
        this.paintFindings();
        this.markDirty();
        document.getElementById(`rf-${item.key}-title`)?.focus();
        this.ctx.announce(t('results.finding.added', { n: this.model.findings.length }));
    }

    // Moves a finding or a quote one step; focus stays on the button that
    // moved it (or the other one, at the end of the list).
    moveItem(kind, key, by) {
        const list = this.model[kind];
        const i = list.findIndex((x) => x.key === key);
        const j = i + by;
        if (i < 0 || j < 0 || j >= list.length) return;
        [list[i], list[j]] = [list[j], list[i]];
        if (kind === 'findings') this.paintFindings();
        else this.paintQuotes();
        this.markDirty();
        const prefix = kind === 'findings' ? 'rf' : 'rq';
        const dir = by < 0 ? 'up' : 'down';
        const other = by < 0 ? 'down' : 'up';
        const edge = j === 0 || j === list.length - 1;
        document.getElementById(`${prefix}-${key}-${edge ? other : dir}`)?.focus();
        const what = kind === 'findings' ? 'results.finding.moved' : 'results.quote.moved';
        this.ctx.announce(t(what, { n: j + 1, of: list.length }));
    }

    removeItem(kind, key) {
        const list = this.model[kind];
        const i = list.findIndex((x) => x.key === key);
        if (i < 0) return;
        list.splice(i, 1);
        const prefix = kind === 'findings' ? 'rf' : 'rq';
        if (kind === 'findings') this.paintFindings();
        else {
            this.paintQuotes();
            this.paintPicker();
        }
        this.markDirty();
        const next = list[Math.min(i, list.length - 1)];
        const target = next ? document.getElementById(`${prefix}-${next.key}-${kind === 'findings' ? 'title' : 'text'}`)
            : document.getElementById(kind === 'findings' ? 'results-finding-add' : 'results-picker-toggle');
        target?.focus();
        this.ctx.announce(t(kind === 'findings' ? 'results.finding.removed' : 'results.quote.removed', { n: i + 1 }));
    }

    // -- quotes ------------------------------------------------------------------

    paintQuotes() {
        const list = this.model.quotes;
        const n = list.length;
        fill(this.quotesList, n === 0
            ? h('li', { class: 'rc-list__empty' }, h('p', { class: 'empty' }, t('results.quote.none')))
            : list.map((item, i) => this.quoteItem(item, i, n)));
    }

    quoteItem(item, i, n) {
        const p = `rq-${item.key}`;
        const num = i + 1;
        const state = item.withdrawn ? 'withdrawn' : !item.shown ? 'hidden' : null;
        const described = [state && `${p}-state`, `${p}-hint`, `${p}-count`].filter(Boolean).join(' ');
        const text = h('textarea', { id: `${p}-text`, name: 'quote_text', class: 'input textarea', rows: 3, spellcheck: 'true',
            'data-bind': 'quote-text', 'data-key': item.key, 'aria-describedby': described, 'data-describedby': described });
        text.value = item.text;
        const move = (dir) => h('button', { type: 'button', class: 'button button--secondary button--small', id: `${p}-${dir}`,
            disabled: dir === 'up' ? i === 0 : i === n - 1,
            'aria-label': t(`results.quote.${dir}_n`, { n: num }),
            onclick: () => this.moveItem('quotes', item.key, dir === 'up' ? -1 : 1) }, t(`results.move.${dir}`));
        return h('li', { class: ['rc-item', 'rc-item--quote', state && 'rc-item--muted'], 'data-key': item.key },
            h('fieldset', { class: 'fieldset rc-item__box', id: p },
                h('legend', { class: 'legend rc-item__legend' }, t('results.quote.n', { n: num }),
                    !item.id && h('span', { class: 'badge badge--new rc-item__badge' }, t('results.unsaved_badge'))),
                item.topic && h('p', { class: 'rc-item__meta' }, t('results.quote.topic', { title: item.topic.title })),
                state && h('p', { class: 'rc-item__state', id: `${p}-state` },
                    h('span', { class: 'badge badge--results-off' }, t(`results.quote.state.${state}`)), ' ',
                    t(`results.quote.state.${state}.why`)),
                h('div', { class: 'field', 'data-field': `${p}-text` },
                    h('label', { class: 'label', for: `${p}-text` }, t('results.quote.text')),
                    h('p', { class: 'hint', id: `${p}-hint` }, t('results.quote.text.hint')),
                    h('p', { class: 'field-error', id: `${p}-text-error`, hidden: true }),
                    text,
                    charCounter(`${p}-count`, text, { max: QUOTE_MAX, length: textLength }).node),
                h('div', { class: 'actions actions--tight rc-item__tools' },
                    move('up'), move('down'),
                    h('button', { type: 'button', class: 'button button--secondary button--small', id: `${p}-remove`,
                        'aria-label': t('results.quote.remove_n', { n: num }),
                        onclick: () => this.removeItem('quotes', item.key) }, t('results.remove')))));
    }

    paintPicker() {
        if (!this.pickerBox) return;
        const pk = this.picker;
        const toggle = h('button', { type: 'button', class: 'button button--secondary', id: 'results-picker-toggle',
            'aria-expanded': String(pk.open), 'aria-controls': 'results-picker-panel',
            onclick: () => this.togglePicker() }, t(pk.open ? 'results.picker.close' : 'results.picker.open'));
        if (!pk.open) {
            keepFocus(this.pickerBox, () => fill(this.pickerBox, h('div', { class: 'actions actions--tight' }, toggle),
                h('div', { id: 'results-picker-panel', hidden: true })));
            return;
        }
        const quoted = new Set(this.model.quotes.map((q) => q.post_id).filter(Boolean));
        const topicSelect = this.topics.length > 0 && h('div', { class: 'field' },
            h('label', { class: 'label', for: 'results-picker-topic' }, t('results.picker.topic')),
            h('select', { id: 'results-picker-topic', class: 'select', 'data-nosnapshot': true,
                onchange: (ev) => this.pickTopic(ev.target.value) },
            h('option', { value: '' }, t('results.picker.all_topics')),
            this.topics.map((tp) => h('option', { value: tp.id, selected: String(tp.id) === pk.topic }, tp.title))));
        // Posts come newest first; they are shown under their topics.
        const groups = new Map();
        for (const post of pk.posts) {
            const id = post.topic?.id ?? 0;
            if (!groups.has(id)) groups.set(id, { topic: post.topic, posts: [] });
            groups.get(id).posts.push(post);
        }
        const postItem = (post) => {
            const id = `qp-${post.id}`;
            return h('li', { class: 'quote-pick' },
                h('p', { class: 'quote-pick__text', id: `${id}-text` }, excerpt(post.body, PICKER_EXCERPT)),
                h('p', { class: 'quote-pick__meta' }, h('time', { datetime: post.created_at }, formatDateTime(post.created_at))),
                quoted.has(post.id)
                    ? h('p', { class: 'quote-pick__done', id: `${id}-done` }, t('results.picker.quoted'))
                    : h('button', { type: 'button', class: 'button button--secondary button--small', id: `${id}-use`,
                        onclick: () => this.quotePost(post) }, t('results.picker.use'),
                    h('span', { class: 'visually-hidden' }, `: ${excerpt(post.body, 60)}`)));
        };
        let listing;
        if (pk.error) {
            listing = h('div', null, notice('warning', errorText(pk.error)),
                h('button', { type: 'button', class: 'button button--secondary', onclick: () => this.loadQuotable(false) }, t('load.retry')));
        } else if (!pk.loaded) listing = h('p', null, t('loading'));
        else if (pk.posts.length === 0) listing = h('p', { class: 'empty' }, t('results.picker.none'));
        else {
            listing = [...groups.values()].map((g, gi) => h('section', { class: 'quote-picker__topic', 'aria-labelledby': `qp-topic-${gi}` },
                h('h4', { id: `qp-topic-${gi}` }, g.topic?.title ?? t('results.picker.no_topic')),
                h('ul', { class: 'quote-picker__list' }, g.posts.map(postItem))));
        }
        keepFocus(this.pickerBox, () => fill(this.pickerBox,
            h('div', { class: 'actions actions--tight' }, toggle),
            h('section', { class: 'quote-picker', id: 'results-picker-panel', 'aria-labelledby': 'results-picker-title' },
                h('h3', { id: 'results-picker-title', tabindex: '-1' }, t('results.picker.title')),
                h('p', { class: 'hint', id: 'results-picker-note' }, t('results.picker.note')),
                topicSelect,
                listing,
                pk.next && !pk.error && h('p', { class: 'load-more' }, h('button', { type: 'button', class: 'button button--secondary',
                    id: 'results-picker-more', onclick: () => this.loadQuotable(true) }, t('results.picker.more'))))));
    }

    togglePicker() {
        this.picker.open = !this.picker.open;
        this.paintPicker();
        if (this.picker.open) {
            document.getElementById('results-picker-title')?.focus();
            if (!this.picker.loaded) this.loadQuotable(false);
        } else {
            document.getElementById('results-picker-toggle')?.focus();
        }
    }

    pickTopic(value) {
        this.picker.topic = value;
        this.loadQuotable(false);
    }

    async loadQuotable(more) {
        const pk = this.picker;
        if (pk.loading) return;
        pk.loading = true;
        if (!more) {
            pk.loaded = false;
            pk.posts = [];
            pk.next = null;
            pk.error = null;
            this.paintPicker();
        }
        const fields = { period_id: this.periodId };
        if (pk.topic) fields.topic_id = Number(pk.topic);
        if (more && pk.next) fields.before = pk.next;
        const res = await this.ctx.ws.request('results.quotable', fields);
        pk.loading = false;
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            pk.error = res.error ?? { code: 'unknown' };
            pk.loaded = true;
            this.paintPicker();
            return;
        }
        const fresh = (res.posts ?? []).filter((p) => !pk.posts.some((x) => x.id === p.id));
        pk.posts.push(...fresh);
        pk.next = res.next_before ?? null;
        pk.loaded = true;
        pk.error = null;
        this.paintPicker();
        if (more) {
            const first = fresh[0] && document.getElementById(`qp-${fresh[0].id}-use`);
            first?.focus();
            this.ctx.announce(t('results.picker.loaded', { n: formatNumber(fresh.length) }));
        } else {
            this.ctx.announce(pk.posts.length ? t('results.picker.loaded', { n: formatNumber(pk.posts.length) }) : t('results.picker.none'));
        }
    }

    quotePost(post) {
        if (this.model.quotes.length >= QUOTES_MAX) {
            this.ctx.announce(t('results.quote.max', { max: QUOTES_MAX }));
            return;
        }
        const item = { key: nextKey(), id: null, post_id: post.id, topic: post.topic ?? null, text: quoteFromBody(post.body),
            shown: true, withdrawn: false };
        this.model.quotes.push(item);
        this.paintQuotes();
        this.paintPicker();
        this.markDirty();
        document.getElementById(`rq-${item.key}-text`)?.focus();
        this.ctx.announce(t('results.quote.added', { n: this.model.quotes.length }));
    }

    // -- saving ------------------------------------------------------------------

    check() {
        const m = this.model;
        const problems = [];
        if (textLength(m.summary) > SUMMARY_MAX) problems.push({ field: 'summary', text: t('results.error.summary_long', { max: formatNumber(SUMMARY_MAX) }) });
        m.findings.forEach((f, i) => {
            const n = i + 1;
            if (!f.title.trim()) problems.push({ field: `rf-${f.key}-title`, text: t('results.error.finding_title', { n }) });
            else if (textLength(f.title) > FINDING_TITLE_MAX) problems.push({ field: `rf-${f.key}-title`, text: t('results.error.finding_title_long', { n, max: FINDING_TITLE_MAX }) });
            if (textLength(f.body) > FINDING_BODY_MAX) problems.push({ field: `rf-${f.key}-body`, text: t('results.error.finding_body_long', { n, max: formatNumber(FINDING_BODY_MAX) }) });
        });
        m.quotes.forEach((q, i) => {
            const n = i + 1;
            if (!q.text.trim()) problems.push({ field: `rq-${q.key}-text`, text: t('results.error.quote_empty', { n }) });
            else if (textLength(q.text) > QUOTE_MAX) problems.push({ field: `rq-${q.key}-text`, text: t('results.error.quote_long', { n, max: formatNumber(QUOTE_MAX) }) });
        });
        if (m.polls.length > ITEMS_MAX) problems.push({ field: 'polls', text: t('results.error.too_many', { max: ITEMS_MAX }) });
        if (m.surveys.length > ITEMS_MAX) problems.push({ field: 'surveys', text: t('results.error.too_many', { max: ITEMS_MAX }) });
        return problems;
    }

    async save() {
        const form = this.form;
        if (!form || form.dataset.busy !== undefined) return;
        this.formNotice = null;
        form.querySelector('#results-form-notice').replaceChildren();
        const problems = this.check();
        this.problems = problems;
        showFormProblems(form, problems);
        if (problems.length) return;
        const m = this.model;
        const fields = {
            period_id: this.periodId,
            rev: this.rev,
            summary: m.summary.trim(),
            show_figures: m.show_figures,
            findings: m.findings.map((f) => (f.id ? { id: f.id, title: f.title.trim(), body: f.body.trim() }
                : { title: f.title.trim(), body: f.body.trim() })),
            polls: m.polls.slice(),
            surveys: m.surveys.slice(),
            quotes: m.quotes.map((q) => (q.id ? { id: q.id, text: q.text.trim() } : { post_id: q.post_id, text: q.text.trim() })),
        };
        form.dataset.busy = '';
        form.setAttribute('aria-busy', 'true');
        const res = await this.ctx.ws.request('results.save', fields);
        delete form.dataset.busy;
        form.removeAttribute('aria-busy');
        if (this.disposed) return;
        if (res.ok) {
            const first = !this.results;
            this.take(res.results);
            this.statusNotice = null;
            this.formNotice = { kind: 'success', text: t(first ? 'results.saved_first' : 'results.saved') };
            this.paint();
            document.getElementById('results-form-notice')?.focus();
            this.ctx.announce(this.formNotice.text);
            return;
        }
        if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        this.saveFailed(res.error ?? { code: 'unknown' });
    }

    saveFailed(err) {
        const form = this.form;
        if (err.code === 'conflict' && err.field !== 'findings') {
            this.showFormNotice('warning', t('results.error.conflict'), { reload: true });
            return;
        }
        const text = this.saveErrorText(err);
        const field = this.fieldFor(err);
        if (field && form.querySelector(`[data-field="${CSS.escape(field)}"]`)) {
            this.problems = [{ field, text }];
            showFormProblems(form, this.problems);
            this.ctx.announce(text);
        } else {
            this.showFormNotice('warning', text);
        }
    }

    showFormNotice(kind, text, { reload = false } = {}) {
        this.formNotice = { kind, text, reload };
        const slot = this.form.querySelector('#results-form-notice');
        slot.replaceChildren(notice(kind, text, reload && h('button', { type: 'button', class: 'button button--secondary',
            id: 'results-form-reload', onclick: () => this.reloadAll() }, t('results.reload'))));
        slot.focus();
        this.ctx.announce(text);
    }

    saveErrorText(err) {
        const n = this.entryIndex(err);
        const params = { n: n === null ? '' : n + 1, limit: formatNumber(err.limit ?? 0) };
        const base = String(err.field ?? '').split(/[.[]/)[0];
        const keys = [
            n !== null && `results.error.${err.code}.${base}_n`,
            base && `results.error.${err.code}.${base}`,
            `results.error.${err.code}`,
        ].filter(Boolean);
        for (const key of keys) {
            const text = t(key, params);
            if (text !== key) return text;
        }
        return errorText(err);
    }

    // Which entry of a list an error is about: from the field
    // ("quotes.2", "quotes[2].text") or the message ("quotes[2].text: …").
    entryIndex(err) {
        const m = /^(?:findings|quotes|polls|surveys)(?:\.|\[)(\d+)/.exec(err.field ?? '')
            ?? /(?:findings|quotes|polls|surveys)(?:\.|\[| )(\d+)/.exec(err.message ?? '');
        return m ? Number(m[1]) : null;
    }

    // The form's field for a protocol field: the list, or one entry of it.
    fieldFor(err) {
        const name = String(err.field ?? '');
        const base = name.split(/[.[]/)[0];
        const n = this.entryIndex(err);
        if (n !== null && (base === 'findings' || base === 'quotes')) {
            const item = this.model[base][n];
            if (item) {
                const which = /\]\.(\w+)/.exec(err.message ?? '')?.[1] ?? name;
                const part = base === 'quotes' ? 'text' : /body/.test(which) ? 'body' : 'title';
                return `${base === 'quotes' ? 'rq' : 'rf'}-${item.key}-${part}`;
            }
        }
        return ['summary', 'show_figures', 'findings', 'polls', 'surveys', 'quotes'].includes(base) ? base : null;
    }

    // -- follow-ups --------------------------------------------------------------

    paintFollowUps() {
        if (!this.followBox) return;
        const findings = this.results?.findings ?? [];
        keepFocus(this.followBox, () => fill(this.followBox,
            h('section', { class: 'section panel panel--wide rc-follow', 'aria-labelledby': 'results-follow-title' },
                h('h2', { id: 'results-follow-title' }, t('results.follow.title')),
                h('p', { class: 'hint' }, t('results.follow.intro')),
                this.results?.status === 'published' && notice('info', t('results.follow.live')),
                findings.length === 0
                    ? h('p', { class: 'empty' }, t('results.follow.no_findings'))
                    : findings.map((f) => this.followFinding(f)))));
    }

    followFinding(finding) {
        const id = `fu-finding-${finding.id}`;
        const open = this.fu && this.fu.findingId === finding.id;
        const flash = this.fuFlash?.findingId === finding.id ? this.fuFlash.text : null;
        const items = finding.follow_ups ?? [];
        return h('section', { class: 'rc-follow__finding', 'aria-labelledby': id },
            h('h3', { id }, finding.title),
            items.length === 0
                ? h('p', { class: 'empty' }, t('results.follow.none'))
                : h('ol', { class: 'rc-follow-list' }, items.map((fu) => this.followItem(finding, fu))),
            flash && h('p', { class: 'notice notice--success', id: `${id}-flash`, tabindex: '-1' }, flash),
            open && !this.fu.followUpId ? this.followForm(finding)
                : h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--secondary', id: `${id}-add`,
                        onclick: () => this.openFollowUp(finding, null) }, t('results.follow.add'),
                    h('span', { class: 'visually-hidden' }, ` – ${finding.title}`))));
    }

    followItem(finding, fu) {
        const id = `fu-${fu.id}`;
        const editing = this.fu?.followUpId === fu.id;
        const confirming = this.fuConfirm === fu.id;
        const when = dayText(fu.date);
        let tools;
        if (editing) tools = this.followForm(finding);
        else if (confirming) {
            tools = h('div', { class: 'confirm', role: 'group', 'aria-labelledby': `${id}-q` },
                h('p', { id: `${id}-q`, tabindex: '-1' }, h('strong', null, t('results.follow.delete.q', { date: when }))),
                h('p', null, t(this.results?.status === 'published' ? 'results.follow.delete.live' : 'results.follow.delete.text')),
                h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--danger', id: `${id}-delete-yes`,
                        onclick: () => this.deleteFollowUp(finding, fu) }, t('results.follow.delete.yes')),
                    h('button', { type: 'button', class: 'button button--secondary', id: `${id}-delete-no`,
                        onclick: () => {
                            this.fuConfirm = null;
                            this.paintFollowUps();
                            document.getElementById(`${id}-delete`)?.focus();
                        } }, t('cancel'))));
        } else {
            tools = h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: 'button button--secondary button--small', id: `${id}-edit`,
                    'aria-label': t('results.follow.edit_n', { date: when, finding: finding.title }),
                    onclick: () => this.openFollowUp(finding, fu) }, t('results.follow.edit')),
                h('button', { type: 'button', class: 'button button--secondary button--small', id: `${id}-delete`,
                    'aria-label': t('results.follow.delete_n', { date: when, finding: finding.title }),
                    onclick: () => this.askDeleteFollowUp(fu) }, t('results.follow.delete')));
        }
        return h('li', { class: 'rc-follow-item', id },
            h('p', { class: 'rc-follow-item__head' },
                h('time', { datetime: fu.date, class: 'rc-follow-item__date' }, when), ' ',
                h('span', { class: `badge badge--follow-${fu.status}` }, t(`results.follow.status.${fu.status}`))),
            fu.text && h('p', { class: 'rc-follow-item__text' }, fu.text),
            fu.reason && h('p', { class: 'rc-follow-item__reason' }, h('strong', null, t('results.follow.reason')), ' ', fu.reason),
            tools);
    }

    followForm(finding) {
        const s = this.fu;
        const f = 'fu-form';
        const v = s.values;
        const field = (name, label, control, hint) => h('div', { class: 'field', 'data-field': name, id: `${f}-${name}-box` },
            h('label', { class: 'label', for: `${f}-${name}` }, label),
            hint && h('p', { class: 'hint', id: `${f}-${name}-hint` }, hint),
            h('p', { class: 'field-error', id: `${f}-${name}-error`, hidden: true }),
            control);
        const date = h('input', { type: 'date', id: `${f}-date`, name: 'date', class: 'input input--date', value: v.date, required: true,
            'aria-describedby': `${f}-date-hint`, 'data-describedby': `${f}-date-hint` });
        const status = h('select', { id: `${f}-status`, name: 'status', class: 'select' },
            FOLLOW_UP_STATUSES.map((st) => h('option', { value: st, selected: st === v.status }, t(`results.follow.status.${st}`))));
        const text = h('textarea', { id: `${f}-text`, name: 'text', class: 'input textarea', rows: 3, spellcheck: 'true',
            'aria-describedby': `${f}-text-count`, 'data-describedby': `${f}-text-count` });
        text.value = v.text;
        const reason = h('textarea', { id: `${f}-reason`, name: 'reason', class: 'input textarea', rows: 2, spellcheck: 'true',
            required: true, 'aria-describedby': `${f}-reason-hint ${f}-reason-count`, 'data-describedby': `${f}-reason-hint ${f}-reason-count` });
        reason.value = v.reason;
        const reasonBox = field('reason', t('results.follow.field.reason'),
            [reason, charCounter(`${f}-reason-count`, reason, { max: FOLLOW_UP_REASON_MAX, length: textLength }).node],
            t('results.follow.field.reason.hint'));
        reasonBox.hidden = v.status !== 'declined';
        const titleKey = s.followUpId ? 'results.follow.form.edit' : 'results.follow.form.add';
        const form = h('form', { class: 'mini-form rc-follow-form', id: f, novalidate: true, 'aria-labelledby': `${f}-title` },
            h('p', { class: 'mini-form__title', id: `${f}-title`, tabindex: '-1' }, h('strong', null, t(titleKey, { finding: finding.title }))),
            this.results?.status === 'published' && h('p', { class: 'hint' }, t('results.follow.form.live')),
            field('date', t('results.follow.field.date'), date, t('results.follow.field.date.hint')),
            field('status', t('results.follow.field.status'), status),
            field('text', t('results.follow.field.text'),
                [text, charCounter(`${f}-text-count`, text, { max: FOLLOW_UP_TEXT_MAX, length: textLength }).node]),
            reasonBox,
            h('div', { class: 'notice-slot', id: `${f}-notice` }, s.notice && notice('warning', s.notice)),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'submit', class: 'button', id: `${f}-submit` }, t('results.follow.form.save')),
                h('button', { type: 'button', class: 'button button--secondary', id: `${f}-cancel`,
                    onclick: () => this.closeFollowUp() }, t('cancel'))));
        form.addEventListener('input', () => {
            s.touched = true;
        });
        status.addEventListener('change', () => {
            reasonBox.hidden = status.value !== 'declined';
        });
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.saveFollowUp(finding, form);
        });
        form.addEventListener('keydown', (ev) => {
            if (ev.key === 'Escape') {
                ev.preventDefault();
                this.closeFollowUp();
            }
        });
        noEnterSubmit(form);
        this.fuForm = form;
        // After a re-render (a language change) the errors come back.
        if (s.problems?.length) setTimeout(() => this.showFollowProblems(form, s.problems, false));
        return form;
    }

    readFollowForm(form) {
        const el = form.elements;
        return { date: el.date.value, status: el.status.value, text: el.text.value, reason: el.reason.value };
    }

    openFollowUp(finding, fu) {
        this.fuConfirm = null;
        this.fuFlash = null;
        this.fu = {
            findingId: finding.id,
            followUpId: fu?.id ?? null,
            values: fu ? { date: fu.date, status: fu.status, text: fu.text ?? '', reason: fu.reason ?? '' }
                : { date: today(), status: 'considering', text: '', reason: '' },
            problems: [],
            notice: null,
            touched: false,
        };
        this.paintFollowUps();
        document.getElementById('fu-form-date')?.focus();
    }

    closeFollowUp() {
        const s = this.fu;
        this.fu = null;
        this.paintFollowUps();
        const back = s?.followUpId ? `fu-${s.followUpId}-edit` : `fu-finding-${s?.findingId}-add`;
        document.getElementById(back)?.focus();
    }

    showFollowProblems(form, problems, focus = true) {
        let first = null;
        for (const name of ['date', 'status', 'text', 'reason']) {
            const box = form.querySelector(`[data-field="${name}"]`);
            const slot = box?.querySelector('.field-error');
            const control = box?.querySelector('input, select, textarea');
            if (!box || !slot || !control) continue;
            const p = problems.find((x) => x.field === name);
            const base = control.dataset.describedby;
            if (p) {
                box.classList.add('field--error');
                slot.replaceChildren(h('span', { class: 'visually-hidden' }, `${t('error.prefix')} `), p.text);
                slot.hidden = false;
                control.setAttribute('aria-invalid', 'true');
                control.setAttribute('aria-describedby', [base, slot.id].filter(Boolean).join(' '));
                first ??= control;
            } else {
                box.classList.remove('field--error');
                slot.hidden = true;
                slot.replaceChildren();
                control.removeAttribute('aria-invalid');
                if (base) control.setAttribute('aria-describedby', base);
                else control.removeAttribute('aria-describedby');
            }
        }
        if (focus) first?.focus();
    }

    async saveFollowUp(finding, form) {
        const s = this.fu;
        if (!s || s.busy) return;
        const v = this.readFollowForm(form);
        s.values = v;
        const problems = [];
        if (!isRealDate(v.date)) problems.push({ field: 'date', text: t('results.follow.error.date') });
        if (textLength(v.text) > FOLLOW_UP_TEXT_MAX) problems.push({ field: 'text', text: t('results.follow.error.text_long', { max: formatNumber(FOLLOW_UP_TEXT_MAX) }) });
        if (v.status === 'declined' && !v.reason.trim()) problems.push({ field: 'reason', text: t('results.follow.error.reason') });
        if (v.status === 'declined' && textLength(v.reason) > FOLLOW_UP_REASON_MAX) {
            problems.push({ field: 'reason', text: t('results.follow.error.reason_long', { max: formatNumber(FOLLOW_UP_REASON_MAX) }) });
        }
        s.problems = problems;
        this.showFollowProblems(form, problems);
        if (problems.length) return;
        const fields = { date: v.date, status: v.status, text: v.text.trim(), reason: v.status === 'declined' ? v.reason.trim() : null };
        s.busy = true;
        form.setAttribute('aria-busy', 'true');
        const res = s.followUpId
            ? await this.ctx.ws.request('follow_up.edit', { follow_up_id: s.followUpId, ...fields })
            : await this.ctx.ws.request('follow_up.add', { finding_id: finding.id, ...fields });
        s.busy = false;
        form.removeAttribute('aria-busy');
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            const err = res.error ?? { code: 'unknown' };
            const own = `results.follow.error.${err.code}.${err.field}`;
            const text = t(own) !== own ? t(own) : err.code === 'not_found' ? t('results.follow.error.not_found') : errorText(err);
            if (['date', 'status', 'text', 'reason'].includes(err.field)) {
                s.problems = [{ field: err.field, text }];
                this.showFollowProblems(form, s.problems);
            } else {
                s.notice = text;
                form.querySelector('#fu-form-notice').replaceChildren(notice('warning', text));
            }
            this.ctx.announce(text);
            return;
        }
        const live = this.results?.status === 'published';
        const text = t(s.followUpId ? 'results.follow.saved' : (live ? 'results.follow.added_live' : 'results.follow.added'));
        this.followUpsChanged(res.results);
        this.fu = null;
        this.fuFlash = { findingId: finding.id, text };
        this.paintFollowUps();
        document.getElementById(`fu-finding-${finding.id}-flash`)?.focus();
        this.ctx.announce(text);
    }

    askDeleteFollowUp(fu) {
        this.fuConfirm = fu.id;
        this.fuFlash = null;
        this.paintFollowUps();
        document.getElementById(`fu-${fu.id}-q`)?.focus();
    }

    async deleteFollowUp(finding, fu) {
        if (this.busy) return;
        this.busy = true;
        const res = await this.ctx.ws.request('follow_up.delete', { follow_up_id: fu.id });
        this.busy = false;
        if (this.disposed) return;
        this.fuConfirm = null;
        if (!res.ok && res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        const gone = res.ok || res.error?.code === 'not_found';
        const text = gone ? t('results.follow.deleted') : errorText(res.error ?? { code: 'unknown' });
        if (res.ok) this.followUpsChanged(res.results);
        else if (gone) {
            const f = this.results?.findings?.find((x) => x.id === finding.id);
            if (f) f.follow_ups = (f.follow_ups ?? []).filter((x) => x.id !== fu.id);
        }
        this.fuFlash = { findingId: finding.id, text };
        this.paintFollowUps();
        document.getElementById(`fu-finding-${finding.id}-flash`)?.focus();
        this.ctx.announce(text);
    }

    // Follow-ups changed on the server: the saved copy is taken in, and the
    // form too unless it holds unsaved edits (which keep their own rev).
    followUpsChanged(results) {
        if (!results) return;
        if (!this.dirty) {
            this.take(results);
            // Follow-up counts decide which findings can be removed.
            this.paintFindings();
            this.paintStatus();
            return;
        }
        const counts = new Map((results.findings ?? []).map((f) => [f.id, f.follow_ups?.length ?? 0]));
        for (const f of this.model.findings) if (f.id && counts.has(f.id)) f.followUps = counts.get(f.id);
        // Only a follow-up changed since this form was loaded: its rev moves on.
        if (this.results && results.rev !== this.results.rev && this.results.rev === this.rev) this.rev = results.rev;
        this.results = results;
        this.paintFindings();
        this.paintStatus();
    }

    // -- versions ----------------------------------------------------------------

    paintVersions() {
        if (!this.versionsBox) return;
        fill(this.versionsBox,
            h('section', { class: 'section panel panel--wide', 'aria-labelledby': 'results-versions-title' },
                h('h2', { id: 'results-versions-title' }, t('results.versions.title')),
                this.versions.length === 0
                    ? h('p', { class: 'empty' }, t('results.versions.none'))
                    : h('ol', { class: 'version-list', id: 'results-versions' }, this.versions.map((v) => h('li', null,
                        h('strong', null, t('results.versions.n', { n: v.version })), ' ',
                        h('time', { datetime: v.published_at }, formatDateTime(v.published_at)),
                        v.published_by && ` · ${v.published_by.display_name}`)))));
    }
}

export default {
    title: (ctx) => ctx.state.view?.heading?.() ?? t('results.title'),
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            const view = new ResultsComposer(ctx, ctx.params[0]);
            ctx.state.view = view;
            ctx.state.dispose = () => view.dispose();
            ctx.state.unsaved = () => view.unsaved();
        }
        return ctx.state.view.render();
    },
};
