// The moderators' survey builder: #/periods/<id>/surveys/new makes a draft,
// #/surveys/<id>/edit changes one (docs/protocol.md, "survey.create",
// "survey.update"). A draft's questions can be added, removed, moved and
// changed; once the survey is open only its title, intro, allow_edit and
// closing time can.
import { h, fill } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import { errorText, notice, charCounter, noEnterSubmit, showFormProblems } from '../forms.js';
import { isStaff, loadingHeading, loadFailed, breadcrumb, localToIso, isoToLocal } from './periodparts.js';

export const TITLE_MAX = 200;
export const INTRO_MAX = 4000;
export const QUESTION_MAX = 300;
export const HELP_MAX = 2000;
export const OPTION_MAX = 200;
export const QUESTIONS_MAX = 50;
export const KINDS = ['single', 'multiple', 'scale', 'ranking', 'short_text', 'long_text'];
const CHOICE_KINDS = new Set(['single', 'multiple', 'ranking']);

const chars = (text) => [...text.trim()].length;

let keySerial = 0;

function blankQuestion(kind = 'single') {
    keySerial += 1;
    return {
        key: keySerial, kind, text: '', help: '', required: false, options: ['', ''],
        min_picks: 1, max_picks: 2, scale: { min: 1, max: 5, min_label: '', max_label: '' },
    };
}

// A question from the server, in the builder's shape.
function fromServer(q) {
    keySerial += 1;
    return {
        key: keySerial, kind: q.kind, text: q.text ?? '', help: q.help ?? '', required: Boolean(q.required),
        options: q.options?.length ? q.options.map((o) => o.label) : ['', ''],
        min_picks: q.min_picks ?? 1, max_picks: q.max_picks ?? Math.max(2, q.options?.length ?? 2),
        scale: q.scale ? { min_label: '', max_label: '', ...q.scale } : { min: 1, max: 5, min_label: '', max_label: '' },
    };
}

class SurveyBuilder {
    constructor(ctx, { periodId = null, surveyId = null }) {
        this.ctx = ctx;
        this.periodId = periodId;
        this.surveyId = surveyId;
        this.survey = null;
        this.period = null;
        this.error = null;
        this.loaded = false;
        this.disposed = false;
        this.questions = [blankQuestion()];
        this.problems = [];
        this.load();
    }

    async load() {
        if (this.surveyId) {
            const res = await this.ctx.ws.request('survey.get', { survey_id: this.surveyId });
            if (this.disposed) return;
            if (!res.ok) {
                if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
                this.error = res.error;
                this.paint();
                return;
            }
            this.survey = res.survey;
            this.periodId = res.survey.period_id;
            this.questions = (res.survey.questions ?? []).map(fromServer);
            if (!this.questions.length) this.questions = [blankQuestion()];
        }
        const per = await this.ctx.ws.request('period.get', { period_id: this.periodId });
        if (this.disposed) return;
        if (!per.ok) {
            if (per.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = per.error;
            this.paint();
            return;
        }
        this.period = per.period;
        this.loaded = true;
        this.ctx.setTitle(this.heading());
        this.paint();
    }

    dispose() {
        this.disposed = true;
    }

    heading() {
        return this.surveyId ? t('survey.edit.title', { title: this.survey?.title ?? '' }) : t('survey.new');
    }

    // Whether the questions may change (a draft, or a new survey).
    get draft() {
        return !this.survey || this.survey.status === 'draft';
    }

    render() {
        this.h1 = this.loaded ? h('h1', { id: 'survey-edit-heading', tabindex: '-1' }, this.heading()) : loadingHeading('survey-edit-heading');
        this.crumbs = h('div');
        this.box = h('div');
        // A re-render (a language change) keeps what was typed.
        if (this.form) this.readAll();
        this.form = null;
        this.paint();
        return [this.crumbs, this.h1, this.box];
    }

    paint() {
        if (!this.h1 || this.disposed) return;
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.crumbs);
            fill(this.box, loadFailed(this.error, () => this.load()));
            return;
        }
        if (!this.loaded) return;
        if (!isStaff(this.ctx.member)) {
            this.h1.textContent = t('load.failed');
            fill(this.box, loadFailed({ code: 'forbidden' }));
            return;
        }
        const wasLoading = this.h1.textContent !== this.heading();
        this.h1.textContent = this.heading();
        if (wasLoading && document.activeElement === this.h1) {
            this.h1.blur();
            this.h1.focus();
        }
        fill(this.crumbs, breadcrumb([
            ['#/periods', t('periods.title')],
            [`#/periods/${this.periodId}`, this.period.title],
            this.survey ? [`#/surveys/${this.survey.id}`, this.survey.title] : null,
            [null, this.surveyId ? t('survey.edit.crumb') : t('survey.new')],
        ].filter(Boolean)));
        if (this.survey?.status === 'closed') {
            fill(this.box, notice('info', t('survey.edit.closed')),
                h('p', null, h('a', { href: `#/surveys/${this.survey.id}` }, t('survey.edit.back'))));
            return;
        }
        fill(this.box, this.element());
    }

    element() {
        const f = 'survey-edit';
        const s = this.survey;
        const field = (name, label, control, hint, extra = null) => h('div', { class: 'field', 'data-field': name },
            h('label', { class: 'label', for: `${f}-${name}` }, label),
            hint && h('p', { class: 'hint', id: `${f}-${name}-hint` }, hint),
            h('p', { class: 'field-error', id: `${f}-${name}-error`, hidden: true }),
            control, extra);
        const title = h('input', { type: 'text', id: `${f}-title`, name: 'title', class: 'input', required: true,
            'aria-describedby': `${f}-title-count` });
        title.value = this.values?.title ?? s?.title ?? '';
        const intro = h('textarea', { id: `${f}-intro`, name: 'intro', class: 'input textarea', rows: 4,
            'aria-describedby': `${f}-intro-hint ${f}-intro-count` });
        intro.value = this.values?.intro ?? s?.intro ?? '';
        const closes = this.closes ?? (s?.closes_at ? isoToLocal(s.closes_at) : { date: '', time: '' });
        const secret = this.values?.secret ?? (s ? (s.secret ? 'secret' : 'named') : 'named');
        const allowEdit = this.values?.allow_edit ?? Boolean(s?.allow_edit);

        this.list = h('ol', { class: 'survey-builder__list', id: `${f}-questions-list` });
        const form = h('form', { id: f, class: 'form survey-builder', novalidate: true, 'aria-labelledby': 'survey-edit-heading' },
            h('div', { class: 'error-summary', role: 'region', tabindex: '-1', hidden: true, id: `${f}-errors`,
                'aria-labelledby': `${f}-errors-title` },
            h('h2', { class: 'error-summary__title', id: `${f}-errors-title` }, t('error.summary_title')),
            h('ul', { class: 'error-summary__list' })),
            field('title', t('survey.field.title'), title, null, charCounter(`${f}-title-count`, title, { max: TITLE_MAX, length: chars }).node),
            field('intro', t('survey.field.intro'), intro, t('survey.field.intro.hint'),
                charCounter(`${f}-intro-count`, intro, { max: INTRO_MAX, length: chars }).node),
            this.draft
                ? h('fieldset', { class: 'field fieldset', 'data-field': 'secret', id: `${f}-secret` },
                    h('legend', { class: 'legend' }, t('survey.field.secret')),
                    h('p', { class: 'field-error', id: `${f}-secret-error`, hidden: true }),
                    h('div', { class: 'choices' }, ['named', 'secret'].map((v) => h('div', { class: 'choice' },
                        h('input', { type: 'radio', id: `${f}-secret-${v}`, name: 'secret', value: v, checked: v === secret,
                            'aria-describedby': `${f}-secret-${v}-hint` }),
                        h('span', null,
                            h('label', { for: `${f}-secret-${v}` }, t(`survey.${v}.label`)),
                            h('span', { class: 'hint poll-choice-hint', id: `${f}-secret-${v}-hint` }, t(`survey.${v}.explain`)))))))
                : h('p', { class: 'hint' }, t(s.secret ? 'survey.secret.fixed' : 'survey.named.fixed')),
            h('div', { class: 'field field--single', 'data-field': 'allow_edit' },
                h('div', { class: 'choice' },
                    h('input', { type: 'checkbox', id: `${f}-allow_edit`, name: 'allow_edit', checked: allowEdit,
                        'aria-describedby': `${f}-allow_edit-hint` }),
                    h('span', null,
                        h('label', { for: `${f}-allow_edit` }, t('survey.field.allow_edit')),
                        h('span', { class: 'hint poll-choice-hint', id: `${f}-allow_edit-hint` }, t('survey.field.allow_edit.hint'))))),
            h('fieldset', { class: 'field fieldset', 'data-field': 'closes_at', id: `${f}-closes_at`, 'aria-describedby': `${f}-closes_at-hint` },
                h('legend', { class: 'legend' }, t('survey.field.closes_at')),
                h('p', { class: 'hint', id: `${f}-closes_at-hint` }, t('survey.field.closes_at.hint')),
                h('p', { class: 'field-error', id: `${f}-closes_at-error`, hidden: true }),
                h('div', { class: 'poll-inline-fields' },
                    h('div', { class: 'field' },
                        h('label', { class: 'label', for: `${f}-closes_date` }, t('poll.field.closes_date')),
                        h('input', { type: 'date', id: `${f}-closes_date`, name: 'closes_date', class: 'input input--medium', value: closes.date })),
                    h('div', { class: 'field' },
                        h('label', { class: 'label', for: `${f}-closes_time` }, t('poll.field.closes_time')),
                        h('input', { type: 'time', id: `${f}-closes_time`, name: 'closes_time', class: 'input input--year', value: closes.time })))),
            h('fieldset', { class: 'field fieldset survey-builder__questions', 'data-field': 'questions', id: `${f}-questions` },
                h('legend', { class: 'legend survey-builder__legend' }, t('survey.field.questions')),
                h('p', { class: 'field-error', id: `${f}-questions-error`, hidden: true }),
                !this.draft && h('p', { class: 'hint' }, t('survey.edit.questions_fixed')),
                this.list,
                this.draft && h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--secondary', id: `${f}-add`, onclick: () => this.add() },
                        t('survey.field.question.add')))),
            h('div', { class: 'notice-slot', id: `${f}-notice` }),
            h('div', { class: 'actions' },
                h('button', { type: 'submit', class: 'button', id: `${f}-submit` }, t(this.surveyId ? 'survey.edit.save' : 'survey.create')),
                h('a', { class: 'button button--secondary', href: this.survey ? `#/surveys/${this.survey.id}` : `#/periods/${this.periodId}` }, t('cancel'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit();
        });
        // Enter in a question's or an option's field does not save the survey.
        noEnterSubmit(form);
        form.addEventListener('change', (ev) => {
            const item = ev.target.closest('[data-key]');
            if (item && ev.target.name === 'kind') this.showKind(item);
        });
        this.form = form;
        this.values = null;
        this.paintQuestions();
        return h('section', { class: 'section panel panel--wide', 'aria-labelledby': 'survey-edit-heading' },
            h('p', { class: 'hint survey-builder__hint' }, t(this.draft ? 'survey.edit.draft_hint' : 'survey.edit.open_hint')),
            form);
    }

    // ---- the question list -----------------------------------------------

    paintQuestions() {
        const n = this.questions.length;
        fill(this.list, this.questions.map((q, i) => this.questionItem(q, i, n)));
        for (const item of this.list.querySelectorAll('[data-key]')) this.showKind(item);
    }

    questionItem(q, i, n) {
        const p = `sqe-${q.key}`;
        const d = !this.draft;
        const field = (name, label, control, hint) => h('div', { class: 'field', 'data-field': `${p}-${name}` },
            h('label', { class: 'label', for: `${p}-${name}` }, label),
            hint && h('p', { class: 'hint', id: `${p}-${name}-hint` }, hint),
            h('p', { class: 'field-error', id: `${p}-${name}-error`, hidden: true }),
            control);
        const text = h('input', { type: 'text', id: `${p}-text`, name: 'text', class: 'input', disabled: d, 'aria-describedby': `${p}-text-count` });
        text.value = q.text;
        const help = h('textarea', { id: `${p}-help`, name: 'help', class: 'input textarea', rows: 2, disabled: d, 'aria-describedby': `${p}-help-hint` });
        help.value = q.help;
        const kind = h('select', { id: `${p}-kind`, name: 'kind', class: 'select', disabled: d },
            KINDS.map((k) => h('option', { value: k, selected: k === q.kind }, t(`survey.kind.${k}`))));
        const scaleSelect = (name, from, to, value) => h('select', { id: `${p}-${name}`, name, class: 'select select--narrow', disabled: d },
            Array.from({ length: to - from + 1 }, (_, k) => from + k).map((v) => h('option', { value: v, selected: v === value }, String(v))));
        const number = (name, value) => h('input', { type: 'number', id: `${p}-${name}`, name, class: 'input input--year', min: 1,
            value, inputmode: 'numeric', disabled: d });
        const labelInput = (name, value) => {
            const el = h('input', { type: 'text', id: `${p}-${name}`, name, class: 'input input--medium', maxlength: 60, disabled: d });
            el.value = value ?? '';
            return el;
        };
        const options = h('ol', { class: 'poll-options-edit' }, q.options.map((value, k) => {
            const id = `${p}-opt-${k}`;
            const input = h('input', { type: 'text', id, name: 'option', class: 'input', maxlength: OPTION_MAX, disabled: d });
            input.value = value;
            return h('li', { class: 'poll-options-edit__item' },
                h('label', { class: 'label', for: id }, t('poll.field.option', { n: k + 1 })),
                h('div', { class: 'poll-options-edit__row' }, input,
                    !d && q.options.length > 2 && h('button', { type: 'button', class: 'button button--secondary button--small', id: `${id}-remove`,
                        'aria-label': t('survey.field.option.remove_n', { n: k + 1, q: i + 1 }),
                        onclick: () => this.removeOption(q.key, k) }, t('poll.field.options.remove'))));
        }));
        const group = (name, legend, content, hint) => h('fieldset', { class: 'field fieldset', 'data-field': `${p}-${name}`, id: `${p}-${name}`,
            'data-part': name, 'aria-describedby': hint ? `${p}-${name}-hint` : null },
        h('legend', { class: 'legend' }, legend),
        hint && h('p', { class: 'hint', id: `${p}-${name}-hint` }, hint),
        h('p', { class: 'field-error', id: `${p}-${name}-error`, hidden: true }),
        content);
        const move = (dir) => h('button', { type: 'button', class: 'button button--secondary button--small', 'data-focus-key': `${p}-${dir}`,
            id: `${p}-${dir}`, disabled: dir === 'up' ? i === 0 : i === n - 1,
            'aria-label': t(`survey.field.question.${dir}_n`, { n: i + 1 }),
            onclick: () => this.move(q.key, dir === 'up' ? -1 : 1) }, t(`poll.rank.${dir}.short`));
        const textCount = charCounter(`${p}-text-count`, text, { max: QUESTION_MAX, length: chars }).node;
        return h('li', { class: 'survey-builder__item', 'data-key': q.key },
            h('fieldset', { class: 'fieldset survey-builder__question', id: p },
                h('legend', { class: 'legend survey-builder__qlegend' }, t('survey.field.question_n', { n: i + 1 })),
                field('kind', t('survey.field.kind'), kind),
                h('div', { class: 'field', 'data-field': `${p}-text` },
                    h('label', { class: 'label', for: `${p}-text` }, t('survey.field.question_text')),
                    h('p', { class: 'field-error', id: `${p}-text-error`, hidden: true }),
                    text, textCount),
                field('help', t('survey.field.help'), help, t('survey.field.help.hint')),
                h('div', { class: 'field field--single' },
                    h('div', { class: 'choice' },
                        h('input', { type: 'checkbox', id: `${p}-required`, name: 'required', checked: q.required, disabled: d }),
                        h('label', { for: `${p}-required` }, t('survey.field.required')))),
                group('options', t('poll.field.options'), [
                    options,
                    !d && h('div', { class: 'actions actions--tight' },
                        h('button', { type: 'button', class: 'button button--secondary button--small', id: `${p}-option-add`,
                            'aria-label': t('survey.field.option.add_n', { q: i + 1 }),
                            onclick: () => this.addOption(q.key) }, t('poll.field.options.add'))),
                ], t('poll.field.options.hint')),
                group('picks', t('poll.field.picks'), h('div', { class: 'poll-inline-fields' },
                    field('min_picks', t('poll.field.min_picks'), number('min_picks', q.min_picks)),
                    field('max_picks', t('poll.field.max_picks'), number('max_picks', q.max_picks)))),
                group('scale', t('poll.field.scale'), h('div', null,
                    h('div', { class: 'poll-inline-fields' },
                        field('scale_min', t('poll.field.scale_min'), scaleSelect('scale_min', 0, 1, q.scale.min)),
                        field('scale_max', t('poll.field.scale_max'), scaleSelect('scale_max', 2, 10, q.scale.max))),
                    field('scale_min_label', t('poll.field.scale_min_label'), labelInput('scale_min_label', q.scale.min_label)),
                    field('scale_max_label', t('poll.field.scale_max_label'), labelInput('scale_max_label', q.scale.max_label)))),
                !d && h('div', { class: 'actions actions--tight survey-builder__tools' },
                    move('up'), move('down'),
                    n > 1 && h('button', { type: 'button', class: 'button button--secondary button--small', id: `${p}-remove`,
                        'aria-label': t('survey.field.question.remove_n', { n: i + 1 }),
                        onclick: () => this.remove(q.key) }, t('survey.field.question.remove')))));
    }

    showKind(item) {
        const kind = item.querySelector('select[name=kind]').value;
        item.querySelector('[data-part=options]').hidden = !CHOICE_KINDS.has(kind);
        item.querySelector('[data-part=picks]').hidden = kind !== 'multiple';
        item.querySelector('[data-part=scale]').hidden = kind !== 'scale';
    }

    // Reads every question (and the survey's own fields) from the form.
    readAll() {
        if (!this.form) return;
        const el = this.form.elements;
        this.values = {
            title: el.title.value, intro: el.intro.value, allow_edit: el.allow_edit.checked,
            secret: el.secret ? el.secret.value : undefined,
        };
        this.closes = { date: el.closes_date.value, time: el.closes_time.value };
        for (const q of this.questions) {
            const item = this.list.querySelector(`[data-key="${q.key}"]`);
            if (!item) continue;
            const val = (name) => item.querySelector(`[name="${name}"]`)?.value ?? '';
            q.kind = val('kind');
            q.text = val('text');
            q.help = val('help');
            q.required = item.querySelector('[name=required]').checked;
            q.options = [...item.querySelectorAll('[name=option]')].map((x) => x.value);
            q.min_picks = Number(val('min_picks'));
            q.max_picks = Number(val('max_picks'));
            q.scale = { min: Number(val('scale_min')), max: Number(val('scale_max')),
                min_label: val('scale_min_label'), max_label: val('scale_max_label') };
        }
    }

    add() {
        this.readAll();
        if (this.questions.length >= QUESTIONS_MAX) {
            this.ctx.announce(t('survey.error.questions_max', { max: QUESTIONS_MAX }));
            return;
        }
        const q = blankQuestion();
        this.questions.push(q);
        this.paintQuestions();
        document.getElementById(`sqe-${q.key}-kind`)?.focus();
        this.ctx.announce(t('survey.field.question.added', { n: this.questions.length }));
    }

    remove(key) {
        this.readAll();
        const i = this.questions.findIndex((q) => q.key === key);
        if (i < 0 || this.questions.length <= 1) return;
        this.questions.splice(i, 1);
        this.paintQuestions();
        const next = this.questions[Math.min(i, this.questions.length - 1)];
        document.getElementById(`sqe-${next.key}-kind`)?.focus();
        this.ctx.announce(t('survey.field.question.removed', { n: i + 1 }));
    }

    move(key, by) {
        this.readAll();
        const i = this.questions.findIndex((q) => q.key === key);
        const j = i + by;
        if (i < 0 || j < 0 || j >= this.questions.length) return;
        [this.questions[i], this.questions[j]] = [this.questions[j], this.questions[i]];
        this.paintQuestions();
        const dir = by < 0 ? 'up' : 'down';
        const other = by < 0 ? 'down' : 'up';
        const edge = j === 0 || j === this.questions.length - 1;
        document.getElementById(`sqe-${key}-${edge ? other : dir}`)?.focus();
        this.ctx.announce(t('survey.field.question.moved', { n: j + 1, of: this.questions.length }));
    }

    addOption(key) {
        this.readAll();
        const q = this.questions.find((x) => x.key === key);
        if (!q || q.options.length >= 20) return;
        q.options.push('');
        this.paintQuestions();
        document.getElementById(`sqe-${key}-opt-${q.options.length - 1}`)?.focus();
    }

    removeOption(key, k) {
        this.readAll();
        const q = this.questions.find((x) => x.key === key);
        if (!q) return;
        q.options.splice(k, 1);
        this.paintQuestions();
        document.getElementById(`sqe-${key}-opt-${Math.min(k, q.options.length - 1)}`)?.focus();
        this.ctx.announce(t('poll.field.options.removed', { n: k + 1 }));
    }

    // ---- sending -----------------------------------------------------------

    // Marks fields as wrong and lists them in the summary, which gets focus.
    showProblems(problems) {
        showFormProblems(this.form, problems);
    }

    // The questions as the protocol has them, and what is wrong with them.
    questionFields(problems) {
        return this.questions.map((q, i) => {
            const p = `sqe-${q.key}`;
            const n = i + 1;
            const out = { kind: q.kind, text: q.text.trim(), help: q.help.trim(), required: q.required };
            if (!out.text) problems.push({ field: `${p}-text`, text: t('survey.error.question_text', { n }) });
            else if (chars(out.text) > QUESTION_MAX) problems.push({ field: `${p}-text`, text: t('survey.error.question_long', { n, max: QUESTION_MAX }) });
            if (chars(out.help) > HELP_MAX) problems.push({ field: `${p}-help`, text: t('survey.error.help_long', { n, max: formatNumber(HELP_MAX) }) });
            if (CHOICE_KINDS.has(q.kind)) {
                const options = q.options.map((s) => s.trim()).filter(Boolean);
                const most = q.kind === 'ranking' ? 10 : 20;
                if (options.length < 2 || options.length > most) problems.push({ field: `${p}-options`, text: t('survey.error.options', { n, max: most }) });
                else if (new Set(options).size !== options.length) problems.push({ field: `${p}-options`, text: t('survey.error.options_same', { n }) });
                out.options = options;
                if (q.kind === 'multiple') {
                    const min = q.min_picks;
                    const max = q.max_picks;
                    if (!Number.isInteger(min) || min < 1 || min > options.length) {
                        problems.push({ field: `${p}-min_picks`, text: t('survey.error.min_picks', { n, count: options.length }) });
                    } else if (!Number.isInteger(max) || max < min || max > options.length) {
                        problems.push({ field: `${p}-max_picks`, text: t('survey.error.max_picks', { n, min, count: options.length }) });
                    }
                    out.min_picks = min;
                    out.max_picks = max;
                }
            }
            if (q.kind === 'scale') {
                out.scale = { min: q.scale.min, max: q.scale.max, min_label: q.scale.min_label.trim(), max_label: q.scale.max_label.trim() };
            }
            return out;
        });
    }

    async submit() {
        const form = this.form;
        if (!form || form.dataset.busy !== undefined) return;
        this.readAll();
        const v = this.values;
        const problems = [];
        const title = v.title.trim();
        const intro = v.intro.trim();
        if (!title) problems.push({ field: 'title', text: t('survey.error.title') });
        else if (chars(title) > TITLE_MAX) problems.push({ field: 'title', text: t('survey.error.title_long', { max: TITLE_MAX }) });
        if (chars(intro) > INTRO_MAX) problems.push({ field: 'intro', text: t('survey.error.intro_long', { max: formatNumber(INTRO_MAX) }) });
        const fields = { title, intro, allow_edit: v.allow_edit };
        if (this.draft) {
            fields.secret = v.secret === 'secret';
            fields.questions = this.questionFields(problems);
        }
        const { date, time } = this.closes;
        if (date || time) {
            const iso = localToIso(date, time);
            if (!iso) problems.push({ field: 'closes_at', text: t('poll.error.closes_at') });
            else if (new Date(iso) <= new Date()) problems.push({ field: 'closes_at', text: t('poll.error.closes_past') });
            else fields.closes_at = iso;
        } else if (this.survey?.closes_at) {
            fields.closes_at = null;
        }
        if (problems.length) {
            this.showProblems(problems);
            return;
        }
        form.dataset.busy = '';
        form.setAttribute('aria-busy', 'true');
        const res = this.surveyId
            ? await this.ctx.ws.request('survey.update', { survey_id: this.surveyId, ...fields })
            : await this.ctx.ws.request('survey.create', { period_id: this.periodId, ...fields });
        delete form.dataset.busy;
        form.removeAttribute('aria-busy');
        if (this.disposed) return;
        if (res.ok) {
            this.ctx.navigate(`/surveys/${res.survey.id}`, {
                flash: { key: this.surveyId ? 'survey.edit.saved' : 'survey.created', params: { title: res.survey.title } },
            });
            return;
        }
        if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        const err = res.error ?? { code: 'unknown' };
        const text = err.code === 'too_long' ? t('survey.error.too_long_field', { limit: formatNumber(err.limit ?? 0) })
            : err.code === 'period_closed' ? t('survey.error.period_closed')
                : err.code === 'conflict' ? t('survey.error.edit_conflict')
                    : err.field === 'closes_at' ? t('poll.error.closes_server') : errorText(err);
        const field = this.fieldFor(err.field);
        if (field) this.showProblems([{ field, text }]);
        else {
            const slot = form.querySelector(`#survey-edit-notice`);
            slot.replaceChildren(notice('warning', text));
            slot.setAttribute('tabindex', '-1');
            slot.focus();
            this.ctx.announce(text);
        }
    }

    // The form's field for a protocol field such as questions.2.options.
    fieldFor(name) {
        if (!name) return null;
        if (['title', 'intro', 'closes_at', 'secret', 'questions'].includes(name)) return name;
        const m = /^questions\.(\d+)(?:\.(\w+))?/.exec(name);
        const q = m && this.questions[Number(m[1])];
        if (!q) return null;
        const part = { options: 'options', min_picks: 'min_picks', max_picks: 'max_picks', scale: 'scale', help: 'help', kind: 'kind' }[m[2]] ?? 'text';
        return `sqe-${q.key}-${part}`;
    }
}

function builderView(make) {
    return {
        title: (ctx) => ctx.state.view?.heading?.() ?? t('survey.new'),
        needsMember: true,
        render(ctx) {
            if (!ctx.state.view) {
                ctx.state.view = make(ctx);
                ctx.state.dispose = () => ctx.state.view.dispose();
            }
            return ctx.state.view.render();
        },
    };
}

export const surveyNewView = builderView((ctx) => new SurveyBuilder(ctx, { periodId: ctx.params[0] }));
export const surveyEditView = builderView((ctx) => new SurveyBuilder(ctx, { surveyId: ctx.params[0] }));
