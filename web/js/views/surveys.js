// Surveys (docs/protocol.md, "Surveys"): the list of a period's surveys on
// its page (SurveysSection), the screen where a member answers one
// (#/surveys/<id>: saved as they go, sent once), and the moderators' results
// (#/surveys/<id>/results), live from the channel survey:<id>. The
// moderators' builder is in surveyform.js.
//
//   const surveys = new SurveysSection(ctx, { periodId, period });
//   box.append(surveys.element());   // again after every re-render
//   surveys.apply(frame);            // survey.changed from period:<id>
//   surveys.dispose();               // when the view is left
import { h, fill } from '../dom.js';
import { t, tn, formatNumber, formatDateTime, language } from '../i18n.js';
import { errorText, notice, charCounter, noEnterSubmit, groupError } from '../forms.js';
import { LiveView, keepFocus } from './liveview.js';
import { percent, pct, decimal, bar } from './polls.js';
import { isStaff, timeEl, loadingHeading, loadFailed, breadcrumb } from './periodparts.js';

export const SHORT_TEXT_MAX = 300;
export const LONG_TEXT_MAX = 5000;
const AUTOSAVE_MS = 2000;
// At most one spoken "12 responses" per survey in this long (milliseconds).
const ANNOUNCE_EVERY_MS = 10000;
const RESULTS_EVERY_MS = 1000;

const CHOICE_KINDS = new Set(['single', 'multiple', 'scale', 'ranking']);

// Plain text with blank lines as paragraphs.
function paragraphs(text, cls) {
    return String(text ?? '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
        .map((p) => h('p', { class: cls }, p));
}

export function surveyStatusBadge(status) {
    return h('span', { class: `badge badge--${status}` }, t(`survey.status.${status}`));
}

// "Not answered yet" / "Started, not sent" / "Answered": the member's own state.
export function myStateText(survey) {
    const mine = survey.my_response;
    if (mine?.status === 'submitted') return t('survey.mine.submitted');
    if (mine?.status === 'started') return t('survey.mine.started');
    return t(survey.status === 'closed' ? 'survey.mine.none_closed' : 'survey.mine.none');
}

function scaleLabel(scale, v) {
    if (v === scale.min && scale.min_label) return `${v} – ${scale.min_label}`;
    if (v === scale.max && scale.max_label) return `${v} – ${scale.max_label}`;
    return String(v);
}

// How to answer a choice question, in words: "Choose 1 to 3", "1 = Hard, 5 = Easy".
function ruleText(q) {
    if (q.kind === 'multiple') {
        const min = q.min_picks ?? 1;
        const max = q.max_picks ?? q.options.length;
        // An optional question may be left empty: the rule says so.
        if (!q.required) {
            return min === max ? tn('survey.rule.optional_exactly', max, { n: formatNumber(max) })
                : t('survey.rule.optional_between', { min: formatNumber(min), max: formatNumber(max) });
        }
        return min === max ? tn('poll.rule.exactly', max, { n: formatNumber(max) })
            : t('poll.rule.between', { min: formatNumber(min), max: formatNumber(max) });
    }
    if (q.kind === 'ranking') return t('survey.rule.ranking');
    if (q.kind === 'scale' && q.scale) {
        const s = q.scale;
        const ends = [
            s.min_label && t('poll.scale.end', { value: s.min, label: s.min_label }),
            s.max_label && t('poll.scale.end', { value: s.max, label: s.max_label }),
        ].filter(Boolean).join(', ');
        return [t('survey.rule.scale', { min: s.min, max: s.max }), ends].filter(Boolean).join(' ');
    }
    if (q.kind === 'short_text') return null;
    return null;
}

// An answer as text, for the read-only view of one's own response.
function answerText(q, answer) {
    const label = (id) => q.options?.find((o) => o.id === id)?.label ?? '?';
    if (answer === undefined || answer === null || answer === '') return t('survey.answer.none');
    if (q.kind === 'scale') return String(answer);
    if (q.kind === 'single') return label(answer);
    if (q.kind === 'multiple') return [answer].flat().map(label).join(', ');
    if (q.kind === 'ranking') return [answer].flat().map(label).join(' > ');
    return String(answer);
}

function sessionEndedOr(ctx, res) {
    if (res.error?.code === 'unauthenticated') {
        ctx.sessionEnded();
        return true;
    }
    return false;
}

// ---- the period page's section ---------------------------------------------

export class SurveysSection {
    constructor(ctx, { periodId, period = null }) {
        this.ctx = ctx;
        this.periodId = periodId;
        this.period = period;
        this.surveys = [];
        this.loaded = false;
        this.error = null;
        this.unsupported = false;
        this.disposed = false;
        this.notice = null;
        this.busy = false;
        this.box = h('div', { class: 'surveys' });
        this.load();
    }

    setPeriod(period) {
        this.period = period;
    }

    async load() {
        const res = await this.ctx.ws.request('survey.list', { period_id: this.periodId });
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return;
            if (res.error?.code === 'unknown_type') {
                this.unsupported = true; // a server without surveys
                this.paint();
                return;
            }
            this.error = res.error;
            this.paint();
            return;
        }
        this.error = null;
        this.loaded = true;
        this.unsupported = false;
        this.surveys = res.surveys ?? [];
        this.paint();
    }

    dispose() {
        this.disposed = true;
    }

    // survey.changed from the period's channel: opened, closed or edited.
    // Events carry no my_response; the one we had is kept.
    apply(data) {
        if (!data || data.period_id !== this.periodId) return;
        const i = this.surveys.findIndex((s) => s.id === data.id);
        const old = i >= 0 ? this.surveys[i] : null;
        if (old && (data.seq ?? 0) < (old.seq ?? 0)) return;
        const survey = { my_response: null, ...old, ...data };
        if (!('my_response' in data)) survey.my_response = old?.my_response ?? null;
        if (old) this.surveys.splice(i, 1, survey);
        else this.surveys.unshift(survey);
        this.paint();
        if (!old && survey.status === 'open') this.ctx.announce(t('survey.new_live', { title: survey.title }));
        else if (old && old.status !== survey.status && survey.status === 'closed') {
            this.ctx.announce(t('survey.now_closed', { title: survey.title }));
        }
    }

    element() {
        this.box = h('div', { class: 'surveys' });
        this.paint();
        return this.box;
    }

    paint() {
        if (this.disposed) return;
        if ((!this.loaded && !this.error) || this.unsupported) {
            fill(this.box);
            return;
        }
        const staff = isStaff(this.ctx.member);
        const list = this.surveys;
        const mayCreate = staff && this.period && this.period.status !== 'closed';
        // One feedback survey at a time: while one is a draft or open, a
        // link to it stands where the button was.
        const feedback = this.feedbackSurvey();
        keepFocus(this.box, () => fill(this.box,
            h('section', { class: 'section', 'aria-labelledby': 'period-surveys' },
                h('h2', { id: 'period-surveys', tabindex: '-1' }, t('survey.title'), ' ',
                    h('span', { class: 'heading-count' }, `(${formatNumber(list.length)})`)),
                this.error && notice('warning', errorText(this.error)),
                list.length
                    ? h('ul', { class: 'survey-list' }, list.map((s) => this.item(s, staff)))
                    : !this.error && h('p', { class: 'empty' }, t('survey.none')),
                mayCreate && h('div', { class: 'actions' },
                    h('a', { class: 'button button--secondary', href: `#/periods/${this.periodId}/surveys/new`, id: 'survey-new-link' },
                        t('survey.new')),
                    feedback
                        ? h('a', { class: 'button button--secondary', id: 'survey-feedback-link', href: `#/surveys/${feedback.id}`,
                            'aria-describedby': 'survey-feedback-hint' }, t('survey.feedback.open_existing'))
                        : h('button', { type: 'button', class: 'button button--secondary', id: 'survey-feedback',
                            'aria-describedby': 'survey-feedback-hint', onclick: () => this.createFeedback() },
                        t('survey.feedback.create'))),
                mayCreate && h('p', { class: 'hint', id: 'survey-feedback-hint' },
                    feedback ? t(`survey.feedback.exists.${feedback.status === 'draft' ? 'draft' : 'open'}`) : t('survey.feedback.hint')),
                h('div', { class: 'notice-slot', id: 'survey-section-notice' },
                    this.notice && notice(this.notice.kind, this.notice.text)))));
    }

    item(s, staff) {
        const id = `survey-link-${s.id}`;
        const mine = s.my_response;
        const action = s.status !== 'open' || this.period?.status !== 'open' ? null
            : mine?.status === 'started' ? 'survey.action.continue'
                : !mine ? 'survey.action.answer'
                    : s.allow_edit ? 'survey.action.change' : null;
        return h('li', { class: 'survey-item' },
            h('h3', { class: 'survey-item__title' },
                h('a', { href: `#/surveys/${s.id}`, id, 'aria-describedby': `${id}-meta` }, s.title)),
            h('p', { class: 'survey-item__meta', id: `${id}-meta` },
                surveyStatusBadge(s.status), ' ',
                s.status === 'open' && s.closes_at ? [t('survey.closes_at'), ' ', timeEl(s.closes_at), ' · '] : null,
                s.status === 'closed' && s.closed_at ? [t('survey.closed_at'), ' ', timeEl(s.closed_at), ' · '] : null,
                s.status === 'draft' ? t('survey.draft_short') : [
                    tn('survey.responses', s.responses ?? 0, { n: formatNumber(s.responses ?? 0) }), ' · ',
                    h('strong', null, myStateText(s))]),
            (action || (staff && s.status !== 'draft')) && h('p', { class: 'survey-item__actions' },
                action && h('a', { href: `#/surveys/${s.id}`, class: 'button button--small', id: `${id}-go`,
                    'aria-label': `${t(action)}: ${s.title}` }, t(action)),
                action && staff && s.status !== 'draft' && ' ',
                staff && s.status !== 'draft' && h('a', { href: `#/surveys/${s.id}/results`, class: 'button button--secondary button--small',
                    'aria-label': `${t('survey.results.link')}: ${s.title}` }, t('survey.results.link'))));
    }

    // The period's feedback survey that is a draft or open, if any.
    feedbackSurvey() {
        return this.surveys.find((s) => s.template === 'feedback' && s.status !== 'closed') ?? null;
    }

    async createFeedback() {
        if (this.busy) return;
        this.busy = true;
        const res = await this.ctx.ws.request('survey.create', { period_id: this.periodId, template: 'feedback', language: language() });
        this.busy = false;
        if (this.disposed) return;
        if (res.ok) {
            this.ctx.navigate(`/surveys/${res.survey.id}/edit`, { flash: { key: 'survey.feedback.created' } });
            return;
        }
        if (sessionEndedOr(this.ctx, res)) return;
        if (res.error?.code === 'conflict' && res.error?.field === 'template') {
            // Someone made one meanwhile: go to it instead.
            await this.load();
            if (this.disposed) return;
            const existing = this.feedbackSurvey();
            if (existing) {
                this.ctx.navigate(`/surveys/${existing.id}`, { flash: { key: 'survey.feedback.went_existing' } });
                return;
            }
            this.notice = { kind: 'info', text: t('survey.feedback.went_existing') };
            this.paint();
            this.ctx.announce(this.notice.text);
            return;
        }
        this.notice = { kind: 'warning', text: res.error?.code === 'period_closed' ? t('survey.error.period_closed') : errorText(res.error ?? { code: 'unknown' }) };
        this.paint();
        this.ctx.announce(this.notice.text);
    }
}

// ---- #/surveys/<id>: answering, and the moderators' tools --------------------

class SurveyPage extends LiveView {
    constructor(ctx, id) {
        super(ctx);
        this.id = id;
        this.survey = null;
        this.period = null;
        this.error = null;
        this.answers = {}; // what the form holds now: question id (string) -> answer
        this.touched = new Set(); // ranking questions the member has ordered
        this.order = new Map(); // ranking question id -> option ids in order
        this.errors = new Map(); // question id -> text
        this.liveErrors = new Set(); // questions whose error came while choosing (too many ticked)
        this.formNotice = null;
        this.saveState = null; // { key, params } for the quiet autosave line
        this.savedKey = null; // the answers last saved, as JSON
        this.autoTimer = null;
        this.saving = false;
        this.saveAgain = false;
        this.editing = false; // changing a submitted response (allow_edit)
        this.manageNotice = null;
        this.confirm = null; // 'close' | 'delete'
        this.justSent = false;
        this.onHide = () => {
            if (document.visibilityState === 'hidden') this.autosave();
        };
        this.onPageHide = () => this.autosave();
        document.addEventListener('visibilitychange', this.onHide);
        window.addEventListener('pagehide', this.onPageHide);
        this.load();
    }

    async load() {
        await this.runLoad(async () => {
            const res = await this.subscribeAndGet(`survey:${this.id}`, 'survey.get', { survey_id: this.id });
            if (!res) return;
            this.setSurvey(res.survey, { fresh: true });
            const per = await this.ctx.ws.request('period.get', { period_id: this.survey.period_id });
            if (this.disposed) return;
            if (per.ok) this.period = per.period;
            await this.subscribe(`period:${this.survey.period_id}`);
        });
        if (this.survey) this.ctx.setTitle(this.survey.title);
        this.paintAll();
    }

    reload() {
        this.load();
    }

    dispose() {
        // Leaving with unsaved changes: one last save, not waited for.
        this.autosave();
        clearTimeout(this.autoTimer);
        clearTimeout(this.countTimer);
        document.removeEventListener('visibilitychange', this.onHide);
        window.removeEventListener('pagehide', this.onPageHide);
        super.dispose();
    }

    // Takes in a survey from a reply (with my_response) or an event
    // (without). `fresh` puts the saved answers into the form.
    setSurvey(survey, { fresh = false } = {}) {
        const old = this.survey;
        const merged = { ...old, ...survey };
        if (!('my_response' in survey)) merged.my_response = old?.my_response ?? null;
        this.survey = merged;
        if (fresh) {
            const answers = merged.my_response?.answers ?? {};
            this.answers = { ...answers };
            this.order = new Map();
            this.touched = new Set();
            for (const q of merged.questions ?? []) {
                if (q.kind === 'ranking' && Array.isArray(answers[String(q.id)])) {
                    this.order.set(q.id, answers[String(q.id)].slice());
                    this.touched.add(q.id);
                }
            }
            this.savedKey = JSON.stringify(this.collect());
        }
    }

    apply(frame) {
        if (!this.survey) return;
        const data = frame.data ?? {};
        if (frame.event === 'survey.changed' && data.id === this.id) {
            if ((data.seq ?? 0) < (this.survey.seq ?? 0)) return;
            const old = this.survey;
            this.setSurvey(data);
            const s = this.survey;
            const formChanged = old.status !== s.status || old.allow_edit !== s.allow_edit ||
                ('my_response' in data && data.my_response?.status !== old.my_response?.status);
            if (formChanged) {
                this.paintAll();
                if (old.status !== s.status) this.ctx.announce(t(`survey.now.${s.status}`, { title: s.title }));
            } else {
                this.paintHead();
            }
        } else if (frame.event === 'period.changed' && data.id === this.survey.period_id) {
            const was = this.period?.status;
            this.period = { ...this.period, ...data };
            if (was !== this.period.status) this.paintAll();
        }
    }

    // ---- painting ------------------------------------------------------

    render() {
        this.h1 = this.survey
            ? h('h1', { id: 'survey-title', tabindex: '-1' }, this.survey.title)
            : loadingHeading('survey-title');
        this.crumbs = h('div');
        this.headBox = h('div', { class: 'survey-head' });
        this.manageBox = h('div');
        this.bodyBox = h('div');
        this.paintAll();
        return [this.crumbs, this.h1, this.headBox, this.manageBox, this.bodyBox];
    }

    paintAll() {
        if (!this.h1 || this.disposed) return;
        const s = this.survey;
        fill(this.crumbs, breadcrumb([
            ['#/periods', t('periods.title')],
            s && this.period ? [`#/periods/${s.period_id}`, this.period.title] : null,
            [null, s ? s.title : t('loading')],
        ].filter(Boolean)));
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.headBox, loadFailed(this.error, () => this.load()));
            fill(this.manageBox);
            fill(this.bodyBox);
            return;
        }
        if (!s) return;
        const wasLoading = this.h1.textContent !== s.title;
        this.h1.textContent = s.title;
        if (wasLoading && document.activeElement === this.h1) {
            this.h1.blur();
            this.h1.focus();
        }
        this.paintHead();
        this.paintManage();
        this.paintBody();
    }

    paintHead() {
        const s = this.survey;
        if (!s || !this.headBox) return;
        fill(this.headBox,
            h('p', { class: 'survey-head__meta' },
                surveyStatusBadge(s.status), ' ',
                s.status === 'open' && s.closes_at ? [t('survey.closes_at'), ' ', timeEl(s.closes_at)] : null,
                s.status === 'closed' && s.closed_at ? [t('survey.closed_at'), ' ', timeEl(s.closed_at)] : null,
                isStaff(this.ctx.member) && s.status !== 'draft' && [' · ',
                    h('span', { class: 'survey-head__count' }, tn('survey.responses', s.responses ?? 0, { n: formatNumber(s.responses ?? 0) }))]),
            paragraphs(s.intro, 'survey-intro'),
            h('p', { class: 'hint' }, t(s.secret ? 'survey.secret.explain_member' : 'survey.named.explain_member')));
    }

    paintManage() {
        const s = this.survey;
        if (!isStaff(this.ctx.member)) {
            fill(this.manageBox);
            return;
        }
        const periodClosed = this.period?.status === 'closed';
        const act = (kind, cls = 'button button--secondary') => h('button', {
            type: 'button', class: cls, 'data-focus-key': `survey-${kind}`, id: `survey-${kind}`,
            onclick: () => this.ask(kind),
        }, t(`survey.manage.${kind}`));
        const buttons = [
            s.status !== 'closed' && h('a', { class: 'button button--secondary', href: `#/surveys/${s.id}/edit`, id: 'survey-edit-link' },
                t(s.status === 'draft' ? 'survey.manage.edit' : 'survey.manage.edit_open')),
            s.status === 'draft' && !periodClosed && act('open', 'button'),
            s.status === 'open' && act('close'),
            s.status === 'draft' && act('delete'),
            s.status !== 'draft' && h('a', { class: 'button button--secondary', href: `#/surveys/${s.id}/results`, id: 'survey-results-link' },
                t('survey.results.link')),
        ];
        const cancel = () => {
            const kind = this.confirm;
            this.confirm = null;
            this.paintManage();
            document.getElementById(`survey-${kind}`)?.focus();
        };
        // The question gets focus (not the irreversible button), and the
        // button says what it does ("Yes, close the survey").
        const confirm = this.confirm && h('div', { class: 'confirm', role: 'group', 'aria-labelledby': 'survey-confirm-q',
            onkeydown: (ev) => {
                if (ev.key !== 'Escape') return;
                ev.preventDefault();
                cancel();
            } },
        h('p', { id: 'survey-confirm-q', tabindex: '-1' }, h('strong', null, t(`survey.manage.${this.confirm}_confirm`))),
        h('div', { class: 'actions' },
            h('button', { type: 'button', class: this.confirm === 'open' ? 'button' : 'button button--danger', id: 'survey-confirm-yes',
                onclick: () => this.transition(this.confirm) }, t(`survey.manage.${this.confirm}_yes`)),
            h('button', { type: 'button', class: 'button button--secondary', id: 'survey-confirm-no',
                onclick: cancel }, t('cancel'))));
        keepFocus(this.manageBox, () => fill(this.manageBox,
            h('section', { class: 'section panel panel--wide', 'aria-labelledby': 'survey-manage' },
                h('h2', { id: 'survey-manage', tabindex: '-1' }, t('survey.manage.title')),
                s.status === 'draft' && h('p', { class: 'hint' }, t('survey.manage.draft_note')),
                h('div', { class: 'actions' }, buttons),
                confirm,
                h('div', { class: 'notice-slot', id: 'survey-manage-notice' },
                    this.manageNotice && notice(this.manageNotice.kind, this.manageNotice.text)))));
    }

    ask(kind) {
        this.confirm = kind;
        this.paintManage();
        document.getElementById('survey-confirm-q')?.focus();
    }

    async transition(kind) {
        if (this.busy) return;
        this.busy = true;
        const res = await this.ctx.ws.request(`survey.${kind}`, { survey_id: this.id });
        this.busy = false;
        this.confirm = null;
        if (this.disposed) return;
        if (res.ok) {
            if (kind === 'delete') {
                this.ctx.navigate(`/periods/${this.survey.period_id}`, { flash: { key: 'survey.manage.done.delete', params: { title: this.survey.title } } });
                return;
            }
            this.setSurvey(res.survey);
            // A closed survey says so once, in the answer area; the tools
            // add nothing.
            this.manageNotice = kind === 'close' ? null : { kind: 'success', text: t(`survey.manage.done.${kind}`) };
            this.paintAll();
            this.ctx.announce(t(`survey.manage.done.${kind}`));
        } else {
            if (sessionEndedOr(this.ctx, res)) return;
            const code = res.error?.code;
            const text = code === 'conflict' ? t('survey.manage.conflict')
                : code === 'period_closed' ? t('survey.error.period_closed')
                    : res.error?.field === 'closes_at' ? t('survey.manage.closes_passed') : errorText(res.error ?? { code: 'unknown' });
            this.manageNotice = { kind: 'warning', text };
            if (code === 'conflict') await this.load();
            else this.paintManage();
            this.ctx.announce(text);
        }
        if (!this.manageBox.contains(document.activeElement)) document.getElementById('survey-manage')?.focus();
    }

    // Whether this member can answer now, and if not, why not.
    answerable() {
        const s = this.survey;
        if (s.status === 'draft') return { ok: false, why: 'draft' };
        if (s.status === 'closed') return { ok: false, why: 'closed' };
        if (this.period && this.period.status !== 'open') return { ok: false, why: `period_${this.period.status}` };
        if (s.my_response?.status === 'submitted' && !this.editing) return { ok: false, why: 'submitted' };
        return { ok: true };
    }

    paintBody() {
        const s = this.survey;
        const a = this.answerable();
        // After a secret survey closes nobody sees the answers, the member
        // neither (the server has them no more; an event does not say so).
        const mine = s.my_response && s.secret && s.status === 'closed' ? { ...s.my_response, answers: null } : s.my_response;
        let content;
        if (a.ok) {
            content = this.form();
        } else if (a.why === 'draft') {
            content = [notice('info', t('survey.draft_preview')), this.form({ preview: true })];
        } else if (a.why === 'submitted') {
            content = this.done();
        } else if (a.why === 'closed') {
            content = [
                notice('info', t('survey.closed_note')),
                mine?.status === 'submitted'
                    ? (mine.answers ? [h('p', null, t('survey.mine.submitted_long')), this.readOnly(mine.answers)]
                        : h('p', { class: 'survey-secret-done' }, t('survey.mine.secret_closed')))
                    : h('p', null, t('survey.mine.none_closed')),
            ];
        } else {
            content = [
                notice('info', t(`survey.not_open.${a.why}`)),
                mine?.status === 'submitted' && mine.answers ? [h('p', null, t('survey.mine.submitted_long')), this.readOnly(mine.answers)] : null,
            ];
        }
        keepFocus(this.bodyBox, () => fill(this.bodyBox, content));
    }

    // The confirmation after sending, with the answers sent.
    done() {
        const s = this.survey;
        const mine = s.my_response;
        return h('section', { class: 'section survey-done', 'aria-labelledby': 'survey-done-title' },
            notice('success', h('strong', { id: 'survey-done-title', tabindex: '-1', class: 'survey-done__title' },
                t(this.justSent === 'again' ? 'survey.sent_again' : 'survey.sent')),
            mine?.submitted_at ? [t('survey.sent_at'), ' ', timeEl(mine.submitted_at)] : t('survey.thanks')),
            s.allow_edit && h('p', null, t('survey.allow_edit_note')),
            !s.allow_edit && h('p', null, t('survey.final_note')),
            mine?.answers && [h('h2', { id: 'survey-mine-title' }, t('survey.mine.title')), this.readOnly(mine.answers)],
            s.allow_edit && h('div', { class: 'actions' },
                h('button', { type: 'button', class: 'button', id: 'survey-change', onclick: () => {
                    this.editing = true;
                    this.setSurvey({}, { fresh: true });
                    this.paintBody();
                    // The form's heading, never an input: an arrow key on a
                    // focused radio button would change the saved answer.
                    document.getElementById('survey-form-title')?.focus();
                } }, t('survey.change'))));
    }

    readOnly(answers) {
        return h('dl', { class: 'survey-readonly' }, (this.survey.questions ?? []).map((q, i) => [
            h('dt', null, `${i + 1}. ${q.text}`),
            h('dd', null, answerText(q, answers[String(q.id)])),
        ]));
    }

    // ---- the form --------------------------------------------------------

    form({ preview = false } = {}) {
        const s = this.survey;
        const questions = s.questions ?? [];
        const editingSent = s.my_response?.status === 'submitted';
        const form = h('form', { class: 'form survey-form', id: 'survey-answer', novalidate: true,
            'aria-labelledby': editingSent && !preview ? 'survey-form-title' : 'survey-title' },
            editingSent && !preview && h('h2', { id: 'survey-form-title', tabindex: '-1' }, t('survey.change.title')),
            questions.some((q) => q.required) && h('p', { class: 'hint' }, t('survey.required_note')),
            h('ol', { class: 'survey-questions' }, questions.map((q, i) => h('li', { class: 'survey-questions__item' }, this.question(q, i, preview)))),
            !preview && h('div', { class: 'notice-slot', id: 'survey-form-notice' },
                this.formNotice && notice(this.formNotice.kind, this.formNotice.text)),
            !preview && h('div', { class: 'actions' },
                !editingSent && h('button', { type: 'button', class: 'button button--secondary', id: 'survey-save',
                    onclick: () => this.save() }, t('survey.save')),
                h('button', { type: 'submit', class: 'button', id: 'survey-submit' }, t(editingSent ? 'survey.submit_again' : 'survey.submit')),
                editingSent && h('button', { type: 'button', class: 'button button--secondary', id: 'survey-change-cancel',
                    onclick: () => {
                        this.editing = false;
                        this.errors.clear();
                        this.formNotice = null;
                        this.setSurvey({}, { fresh: true });
                        this.paintBody();
                        document.getElementById('survey-change')?.focus();
                    } }, t('cancel'))),
            !preview && !editingSent && h('p', { class: 'hint survey-autosave', id: 'survey-autosave' },
                this.saveState ? t(this.saveState.key, this.saveState.params) : t('survey.autosave.note')));
        if (preview) {
            for (const el of form.querySelectorAll('input, textarea, button')) el.disabled = true;
            return form;
        }
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit();
        });
        const changed = (ev) => {
            this.readForm();
            const box = ev.target.closest('[data-question]');
            if (box) this.recheck(Number(box.dataset.question));
            this.scheduleAutosave();
        };
        form.addEventListener('input', changed);
        form.addEventListener('change', changed);
        noEnterSubmit(form, { choices: true });
        this.formEl = form;
        return form;
    }

    question(q, i, preview) {
        const base = `sq-${q.id}`;
        const err = this.errors.get(q.id);
        const helpId = q.help ? `${base}-help` : null;
        const rule = ruleText(q);
        const ruleId = rule ? `${base}-rule` : null;
        const errId = `${base}-error`;
        const title = [
            h('span', { class: 'survey-q__number' }, `${i + 1}. `),
            q.text,
            q.required && h('span', { class: 'survey-q__required' }, ` (${t('survey.required')})`),
        ];
        const errorSlot = h('p', { class: 'field-error', id: errId, hidden: !err },
            err && [h('span', { class: 'visually-hidden' }, t('error.prefix') + ' '), err]);
        const describedBy = [helpId, ruleId, err && errId].filter(Boolean).join(' ') || null;
        const help = q.help && h('p', { class: 'hint survey-q__help', id: helpId }, q.help);
        const ruleEl = rule && h('p', { class: 'hint', id: ruleId }, rule);
        const value = this.answers[String(q.id)];
        const cls = ['survey-q', err && 'field--error'];
        if (q.kind === 'short_text' || q.kind === 'long_text') {
            const long = q.kind === 'long_text';
            const max = long ? LONG_TEXT_MAX : SHORT_TEXT_MAX;
            const countId = `${base}-count`;
            const control = h(long ? 'textarea' : 'input', {
                id: `${base}-text`, name: `${base}-text`, class: long ? 'input textarea' : 'input',
                type: long ? null : 'text', rows: long ? 6 : null, required: q.required,
                'aria-describedby': [describedBy, countId].filter(Boolean).join(' '), 'aria-invalid': err ? 'true' : null,
                'data-nosnapshot': true,
            });
            control.value = typeof value === 'string' ? value : '';
            const counter = charCounter(countId, control, { max, length: (text) => [...text.trim()].length });
            return h('div', { class: cls, 'data-question': q.id, id: base },
                h('label', { class: 'label survey-q__text', for: control.id }, title),
                help, errorSlot, control, counter.node);
        }
        let choices;
        if (q.kind === 'single' || q.kind === 'multiple') {
            const chosen = new Set([value ?? []].flat());
            const type = q.kind === 'single' ? 'radio' : 'checkbox';
            choices = h('div', { class: 'choices' }, q.options.map((opt) => h('div', { class: 'choice' },
                h('input', { type, id: `${base}-opt-${opt.id}`, name: `${base}-answer`, value: opt.id,
                    checked: chosen.has(opt.id), required: type === 'radio' && q.required, 'data-nosnapshot': true,
                    'aria-invalid': err ? 'true' : null }),
                h('label', { for: `${base}-opt-${opt.id}` }, opt.label))));
        } else if (q.kind === 'scale') {
            const sc = q.scale ?? { min: 1, max: 5 };
            const values = [];
            for (let v = sc.min; v <= sc.max; v++) values.push(v);
            choices = h('div', { class: 'choices survey-scale' }, values.map((v) => h('div', { class: 'choice' },
                h('input', { type: 'radio', id: `${base}-v-${v}`, name: `${base}-answer`, value: v, checked: value === v,
                    required: q.required, 'data-nosnapshot': true, 'aria-invalid': err ? 'true' : null }),
                h('label', { for: `${base}-v-${v}` }, scaleLabel(sc, v)))));
        } else {
            choices = this.ranking(q, preview);
        }
        const optional = !q.required && !preview && (q.kind === 'single' || q.kind === 'scale') && value !== undefined && value !== null;
        return h('fieldset', { class: ['fieldset', ...cls], 'data-question': q.id, id: base, 'aria-describedby': describedBy, tabindex: '-1' },
            h('legend', { class: 'legend survey-q__text' }, title),
            help, ruleEl, errorSlot, choices,
            optional && h('button', { type: 'button', class: 'button button--secondary button--small', id: `${base}-clear`,
                onclick: () => this.clearChoice(q) }, t('survey.clear_choice')));
    }

    clearChoice(q) {
        delete this.answers[String(q.id)];
        for (const el of this.formEl.querySelectorAll(`input[name="sq-${q.id}-answer"]`)) el.checked = false;
        this.repaintQuestion(q);
        // The group, not its first radio button (an arrow key would choose).
        this.formEl.querySelector(`[data-question="${q.id}"]`)?.focus();
        this.ctx.announce(t('survey.choice_cleared'));
        this.scheduleAutosave();
    }

    ranking(q, preview) {
        const base = `sq-${q.id}`;
        if (!this.order.has(q.id)) this.order.set(q.id, q.options.map((o) => o.id));
        const order = this.order.get(q.id);
        const byId = new Map(q.options.map((o) => [o.id, o]));
        const n = order.length;
        const touched = this.touched.has(q.id);
        return h('div', { class: 'survey-ranking' },
            h('ol', { class: 'poll-ranking', id: `${base}-ranking` }, order.map((optId, i) => {
                const label = byId.get(optId)?.label ?? '';
                const move = (dir) => h('button', {
                    type: 'button', class: 'button button--secondary button--small',
                    'data-focus-key': `${base}-${optId}-${dir}`,
                    'aria-label': t(`poll.rank.${dir}`, { option: label }),
                    disabled: preview || (dir === 'up' ? i === 0 : i === n - 1),
                    onclick: () => this.move(q, optId, dir === 'up' ? -1 : 1),
                }, t(`poll.rank.${dir}.short`));
                return h('li', { class: 'poll-ranking__item' },
                    h('span', { class: 'poll-ranking__label' }, label),
                    h('span', { class: 'poll-ranking__buttons' }, move('up'), move('down')));
            })),
            !preview && h('p', { class: 'hint', id: `${base}-rankstate` },
                t(touched ? 'survey.ranking.set' : 'survey.ranking.unset')),
            !preview && !touched && h('button', { type: 'button', class: 'button button--secondary button--small', id: `${base}-keep`,
                onclick: () => {
                    this.touched.add(q.id);
                    this.answers[String(q.id)] = order.slice();
                    this.clearError(q.id);
                    this.repaintQuestion(q);
                    document.getElementById(`${base}-rankstate`)?.setAttribute('tabindex', '-1');
                    document.getElementById(`${base}-rankstate`)?.focus();
                    this.ctx.announce(t('survey.ranking.set'));
                    this.scheduleAutosave();
                } }, t('survey.ranking.keep')));
    }

    move(q, optId, by) {
        const order = this.order.get(q.id);
        const i = order.indexOf(optId);
        const j = i + by;
        if (i < 0 || j < 0 || j >= order.length) return;
        [order[i], order[j]] = [order[j], order[i]];
        this.touched.add(q.id);
        this.answers[String(q.id)] = order.slice();
        this.clearError(q.id, { repaint: false });
        this.repaintQuestion(q);
        const base = `sq-${q.id}`;
        const dir = by < 0 ? 'up' : 'down';
        const other = by < 0 ? 'down' : 'up';
        const key = j === 0 || j === order.length - 1 ? other : dir;
        document.querySelector(`[data-focus-key="${base}-${optId}-${key}"]`)?.focus();
        const label = q.options.find((o) => o.id === optId)?.label ?? '';
        this.ctx.announce(t('poll.rank.moved', { option: label, n: j + 1, of: order.length }));
        this.scheduleAutosave();
    }

    repaintQuestion(q) {
        const old = this.formEl?.querySelector(`[data-question="${q.id}"]`);
        if (!old) return;
        const i = (this.survey.questions ?? []).findIndex((x) => x.id === q.id);
        const fresh = this.question(q, i, false);
        old.replaceWith(fresh);
    }

    // After a change to a question: an error shown for it goes as soon as
    // the answer is right, and too many boxes ticked is said at once (the
    // other boxes stay usable, so Tab does not skip them).
    recheck(qid) {
        const q = (this.survey.questions ?? []).find((x) => x.id === qid);
        if (!q) return;
        if (q.kind !== 'multiple') {
            this.clearError(qid);
            return;
        }
        const a = this.answers[String(qid)];
        const max = q.max_picks ?? q.options.length;
        const n = Array.isArray(a) ? a.length : 0;
        if (n > max) {
            const text = t('poll.error.too_many', { max: formatNumber(max), n: formatNumber(n) });
            const had = this.errors.has(qid);
            this.errors.set(qid, text);
            this.liveErrors.add(qid);
            const box = this.formEl?.querySelector(`[data-question="${qid}"]`);
            groupError(box, box?.querySelector('.field-error'), text);
            if (!had) this.ctx.announce(text);
            return;
        }
        // A "too many" error goes when there are no longer too many; one
        // from sending when the answer is right.
        if (this.liveErrors.has(qid) || !this.problem(q, a, { required: true })) this.clearError(qid);
    }

    // Reads the form into this.answers.
    readForm() {
        const form = this.formEl;
        if (!form) return;
        for (const q of this.survey.questions ?? []) {
            const key = String(q.id);
            if (q.kind === 'short_text' || q.kind === 'long_text') {
                const el = form.querySelector(`#sq-${q.id}-text`);
                if (!el) continue;
                if (el.value.trim()) this.answers[key] = el.value;
                else delete this.answers[key];
            } else if (q.kind === 'ranking') {
                if (this.touched.has(q.id)) this.answers[key] = this.order.get(q.id).slice();
                else delete this.answers[key];
            } else {
                const picked = [...form.querySelectorAll(`input[name="sq-${q.id}-answer"]:checked`)].map((el) => Number(el.value));
                if (q.kind === 'multiple') {
                    if (picked.length) this.answers[key] = picked;
                    else delete this.answers[key];
                } else if (picked.length) this.answers[key] = picked[0];
                else delete this.answers[key];
            }
        }
    }

    // The answers to send; with `fitting`, those that would be refused
    // (too few picks, too long) are left out, for the autosave.
    collect({ fitting = false } = {}) {
        const out = {};
        for (const q of this.survey?.questions ?? []) {
            const key = String(q.id);
            const a = this.answers[key];
            if (a === undefined || a === null || a === '') continue;
            if (fitting && this.problem(q, a, { required: false })) continue;
            out[key] = typeof a === 'string' ? a.trim() : a;
        }
        return out;
    }

    // What is wrong with an answer, in words, or null.
    problem(q, a, { required }) {
        const empty = a === undefined || a === null || (typeof a === 'string' && !a.trim()) || (Array.isArray(a) && !a.length);
        if (empty) {
            if (!required || !q.required) return null;
            return t(q.kind === 'ranking' ? 'survey.error.ranking_required'
                : CHOICE_KINDS.has(q.kind) ? 'survey.error.choose' : 'survey.error.write');
        }
        if (q.kind === 'multiple') {
            const min = q.min_picks ?? 1;
            const max = q.max_picks ?? q.options.length;
            if (a.length > max) return t('poll.error.too_many', { max: formatNumber(max), n: formatNumber(a.length) });
            if (a.length < min) return ruleText(q);
        }
        if (q.kind === 'short_text' || q.kind === 'long_text') {
            const max = q.kind === 'long_text' ? LONG_TEXT_MAX : SHORT_TEXT_MAX;
            if ([...a.trim()].length > max) return t('survey.error.too_long', { max: formatNumber(max) });
        }
        return null;
    }

    clearError(qid, { repaint = true } = {}) {
        this.liveErrors.delete(qid);
        if (!this.errors.has(qid)) return;
        this.errors.delete(qid);
        if (!repaint) return;
        const box = this.formEl?.querySelector(`[data-question="${qid}"]`);
        if (!box) return;
        box.classList.remove('field--error');
        const slot = box.querySelector('.field-error');
        slot.hidden = true;
        slot.textContent = '';
        const errId = slot.id;
        for (const el of [box, ...box.querySelectorAll('[aria-describedby]')]) {
            const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== errId);
            if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
            else el.removeAttribute('aria-describedby');
            el.removeAttribute('aria-invalid');
        }
        for (const el of box.querySelectorAll('input, textarea')) el.removeAttribute('aria-invalid');
    }

    // Shows errors next to their questions and moves focus to the first.
    showErrors(errors) {
        this.errors = new Map(errors);
        this.liveErrors.clear();
        this.formNotice = null;
        this.paintBody();
        const first = errors[0]?.[0];
        const box = first !== undefined && this.formEl?.querySelector(`[data-question="${first}"]`);
        // A text field gets focus itself; a group of choices its checked
        // one or else the group: never the first radio button, where an
        // arrow key would change the answer.
        const target = box && (box.querySelector('input[type=text], textarea') ?? box.querySelector('input:checked') ??
            (box.matches('fieldset') ? box : box.querySelector('input, button')));
        target?.focus();
        if (errors.length > 1) this.ctx.announce(tn('survey.error.count', errors.length, { n: formatNumber(errors.length) }));
        else if (errors.length === 1) {
            const i = (this.survey.questions ?? []).findIndex((x) => x.id === first);
            this.ctx.announce(t('survey.error.one', { n: formatNumber(i + 1), error: errors[0][1] }));
        }
    }

    mayAutosave() {
        const s = this.survey;
        return s && s.status === 'open' && this.period?.status !== 'closed' && (!this.period || this.period.status === 'open') &&
            s.my_response?.status !== 'submitted' && !this.disposed;
    }

    scheduleAutosave() {
        if (!this.mayAutosave()) return;
        clearTimeout(this.autoTimer);
        this.autoTimer = setTimeout(() => this.autosave(), AUTOSAVE_MS);
    }

    // Saves quietly when something changed since the last save. One request
    // at a time; a change meanwhile saves again after it.
    async autosave() {
        clearTimeout(this.autoTimer);
        this.autoTimer = null;
        if (!this.mayAutosave() || !this.formEl) return;
        this.readForm();
        const answers = this.collect({ fitting: true });
        const key = JSON.stringify(answers);
        if (key === this.savedKey) return;
        if (this.saving) {
            this.saveAgain = true;
            return;
        }
        this.saving = true;
        const res = await this.ctx.ws.request('survey.save', { survey_id: this.id, answers });
        this.saving = false;
        if (res.ok) {
            this.savedKey = key;
            this.survey.my_response = res.survey.my_response;
            this.setSaveState({ key: 'survey.autosave.done', params: { time: formatDateTime(new Date().toISOString()) } });
        } else if (res.error?.code !== 'network' || !this.disposed) {
            this.setSaveState({ key: 'survey.autosave.failed' });
        }
        if (this.saveAgain) {
            this.saveAgain = false;
            this.scheduleAutosave();
        }
    }

    setSaveState(state) {
        this.saveState = state;
        const line = document.getElementById('survey-autosave');
        if (line) line.textContent = t(state.key, state.params);
    }

    async save() {
        if (this.saving || this.sending) return;
        clearTimeout(this.autoTimer);
        this.readForm();
        const problems = [];
        for (const q of this.survey.questions ?? []) {
            const p = this.problem(q, this.answers[String(q.id)], { required: false });
            if (p) problems.push([q.id, p]);
        }
        if (problems.length) {
            this.showErrors(problems);
            return;
        }
        const answers = this.collect();
        this.saving = true;
        const res = await this.ctx.ws.request('survey.save', { survey_id: this.id, answers });
        this.saving = false;
        if (this.disposed) return;
        if (res.ok) {
            this.savedKey = JSON.stringify(answers);
            this.survey.my_response = res.survey.my_response;
            this.errors.clear();
            this.formNotice = { kind: 'success', text: t('survey.saved') };
            this.saveState = { key: 'survey.autosave.done', params: { time: formatDateTime(new Date().toISOString()) } };
            this.paintBody();
            document.getElementById('survey-save')?.focus();
            this.ctx.announce(this.formNotice.text);
            return;
        }
        this.failed(res);
    }

    async submit() {
        if (this.sending) return;
        clearTimeout(this.autoTimer);
        this.readForm();
        const problems = [];
        for (const q of this.survey.questions ?? []) {
            const p = this.problem(q, this.answers[String(q.id)], { required: true });
            if (p) problems.push([q.id, p]);
        }
        if (problems.length) {
            this.showErrors(problems);
            return;
        }
        const again = this.survey.my_response?.status === 'submitted';
        const answers = this.collect();
        this.sending = true;
        this.formEl?.setAttribute('aria-busy', 'true');
        // An autosave still out would be refused after the submit; wait for it.
        while (this.saving) await new Promise((resolve) => setTimeout(resolve, 50));
        const res = await this.ctx.ws.request('survey.submit', { survey_id: this.id, answers });
        this.sending = false;
        this.formEl?.removeAttribute('aria-busy');
        if (this.disposed) return;
        if (res.ok) {
            this.setSurvey(res.survey, { fresh: true });
            this.editing = false;
            this.errors.clear();
            this.formNotice = null;
            this.justSent = again ? 'again' : 'first';
            this.paintAll();
            const title = document.getElementById('survey-done-title');
            title?.focus();
            this.ctx.announce(t(again ? 'survey.sent_again' : 'survey.sent'));
            return;
        }
        this.failed(res);
    }

    async failed(res) {
        if (sessionEndedOr(this.ctx, res)) return;
        const err = res.error ?? { code: 'unknown' };
        const m = /^answers\.(\d+)$/.exec(err.field ?? '');
        const q = m && (this.survey.questions ?? []).find((x) => x.id === Number(m[1]));
        if (q) {
            const text = err.code === 'missing_field' ? this.problem(q, undefined, { required: true }) ?? t('survey.error.required')
                : err.code === 'too_long' ? t('survey.error.too_long', { max: formatNumber(err.limit ?? (q.kind === 'long_text' ? LONG_TEXT_MAX : SHORT_TEXT_MAX)) })
                    : t('survey.error.answer');
            this.showErrors([[q.id, text]]);
            return;
        }
        const code = err.code;
        let text = errorText(err);
        if (code === 'conflict' || code === 'period_closed' || code === 'period_not_open') {
            text = t(code === 'conflict' ? 'survey.error.conflict' : 'survey.error.period_not_open');
            const again = await this.ctx.ws.request('survey.get', { survey_id: this.id });
            if (this.disposed) return;
            if (again.ok) {
                const typed = this.answers;
                this.setSurvey(again.survey);
                this.answers = typed;
            }
            if (code !== 'conflict') {
                const per = await this.ctx.ws.request('period.get', { period_id: this.survey.period_id });
                if (per.ok) this.period = per.period;
            }
        }
        this.formNotice = { kind: 'warning', text };
        this.paintAll();
        const slot = document.getElementById('survey-form-notice') ?? this.bodyBox;
        slot.setAttribute('tabindex', '-1');
        slot.focus();
        this.ctx.announce(text);
    }
}

export const surveyView = {
    title: (ctx) => ctx.state.view?.survey?.title ?? t('survey.title_one'),
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new SurveyPage(ctx, ctx.params[0]);
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};

// ---- #/surveys/<id>/results: the moderators' results ------------------------

class ResultsPage extends LiveView {
    constructor(ctx, id) {
        super(ctx);
        this.id = id;
        this.survey = null;
        this.results = null;
        this.period = null;
        this.error = null;
        this.lastFetch = 0;
        this.fetchTimer = null;
        this.spoken = { at: 0, timer: null, value: null };
        this.load();
    }

    async load() {
        await this.runLoad(async () => {
            const res = await this.subscribeAndGet(`survey:${this.id}`, 'survey.get', { survey_id: this.id });
            if (!res) return;
            this.survey = res.survey;
            const [results, per] = await Promise.all([
                this.ctx.ws.request('survey.results', { survey_id: this.id }),
                this.ctx.ws.request('period.get', { period_id: this.survey.period_id }),
            ]);
            if (this.disposed) return;
            if (!results.ok) {
                if (results.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
                this.error = results.error;
                return;
            }
            this.error = null;
            this.results = results;
            if (per.ok) this.period = per.period;
        });
        if (this.survey) this.ctx.setTitle(t('survey.results.title', { title: this.survey.title }));
        this.paintAll();
    }

    reload() {
        this.load();
    }

    dispose() {
        clearTimeout(this.fetchTimer);
        clearTimeout(this.spoken.timer);
        super.dispose();
    }

    apply(frame) {
        if (!this.survey || frame.event !== 'survey.changed' || frame.data?.id !== this.id) return;
        const data = frame.data;
        if ((data.seq ?? 0) < (this.survey.seq ?? 0)) return;
        const old = this.survey;
        this.survey = { ...old, ...data };
        this.paintHead();
        // A changed response (allow_edit) changes the results, not the count.
        this.fetchSoon();
        if (old.status !== this.survey.status) this.ctx.announce(t(`survey.now.${this.survey.status}`, { title: this.survey.title }));
        else if (old.responses !== this.survey.responses) this.speak();
    }

    // Fetches the results again, at most once every RESULTS_EVERY_MS.
    fetchSoon() {
        if (this.fetchTimer) return;
        const wait = Math.max(0, this.lastFetch + RESULTS_EVERY_MS - Date.now());
        this.fetchTimer = setTimeout(async () => {
            this.lastFetch = Date.now();
            const res = await this.ctx.ws.request('survey.results', { survey_id: this.id });
            this.fetchTimer = null;
            if (this.disposed || !res.ok) return;
            this.results = res;
            this.paintResults();
        }, wait);
    }

    speak() {
        if (this.spoken.timer) return;
        const wait = Math.max(0, this.spoken.at + ANNOUNCE_EVERY_MS - Date.now());
        this.spoken.timer = setTimeout(() => {
            this.spoken.timer = null;
            if (this.disposed || this.survey.responses === this.spoken.value) return;
            this.spoken.at = Date.now();
            this.spoken.value = this.survey.responses;
            this.ctx.announce(tn('survey.responses', this.survey.responses, { n: formatNumber(this.survey.responses) }));
        }, wait);
    }

    render() {
        this.h1 = this.survey
            ? h('h1', { id: 'results-title', tabindex: '-1' }, t('survey.results.title', { title: this.survey.title }))
            : loadingHeading('results-title');
        this.crumbs = h('div');
        this.headBox = h('div', { class: 'survey-head' });
        this.resultsBox = h('div');
        this.paintAll();
        return [this.crumbs, this.h1, this.headBox, this.resultsBox];
    }

    paintAll() {
        if (!this.h1 || this.disposed) return;
        const s = this.survey;
        fill(this.crumbs, breadcrumb([
            ['#/periods', t('periods.title')],
            s && this.period ? [`#/periods/${s.period_id}`, this.period.title] : null,
            s ? [`#/surveys/${s.id}`, s.title] : null,
            [null, t('survey.results.crumb')],
        ].filter(Boolean)));
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.headBox, loadFailed(this.error, () => this.load()));
            fill(this.resultsBox);
            return;
        }
        if (!s || !this.results) return;
        const title = t('survey.results.title', { title: s.title });
        const wasLoading = this.h1.textContent !== title;
        this.h1.textContent = title;
        if (wasLoading && document.activeElement === this.h1) {
            this.h1.blur();
            this.h1.focus();
        }
        this.paintHead();
        this.paintResults();
    }

    paintHead() {
        const s = this.survey;
        if (!s || !this.headBox || !this.results) return;
        const started = s.status === 'closed' ? 0 : this.results.started ?? 0;
        fill(this.headBox,
            h('p', { class: 'survey-head__meta' }, surveyStatusBadge(s.status), ' ',
                t(s.secret ? 'survey.results.secret' : 'survey.results.named')),
            h('div', { class: 'survey-counts' },
                h('p', { class: 'survey-counts__item', id: 'results-responses' },
                    h('strong', null, tn('survey.responses', s.responses ?? 0, { n: formatNumber(s.responses ?? 0) }))),
                h('p', { class: 'survey-counts__item', id: 'results-started' },
                    tn('survey.started', started, { n: formatNumber(started) }))),
            h('p', { class: 'hint' }, t('survey.results.note')),
            h('p', null, h('a', { href: `/api/surveys/${s.id}/responses.csv`, id: 'results-csv', class: 'button button--secondary', download: true,
                'aria-describedby': 'results-csv-hint' }, t('survey.results.csv'))),
            h('p', { class: 'hint', id: 'results-csv-hint' }, t(s.secret ? 'survey.results.csv_secret' : 'survey.results.csv_named'), ' ',
                t('survey.results.csv_semicolon')),
            h('p', { class: 'results-csv-alt' }, h('a', { href: `/api/surveys/${s.id}/responses.csv?sep=comma`, id: 'results-csv-comma', download: true },
                t('survey.results.csv_comma'))));
    }

    paintResults() {
        const s = this.survey;
        const r = this.results;
        if (!s || !r || !this.resultsBox) return;
        const headCount = document.getElementById('results-started');
        if (headCount) {
            const started = s.status === 'closed' ? 0 : r.started ?? 0;
            headCount.textContent = tn('survey.started', started, { n: formatNumber(started) });
        }
        const byId = new Map((r.questions ?? []).map((q) => [q.id, q]));
        keepFocus(this.resultsBox, () => fill(this.resultsBox,
            h('section', { class: 'section', 'aria-labelledby': 'results-questions' },
                h('h2', { id: 'results-questions' }, t('survey.results.questions')),
                h('ol', { class: 'survey-results' }, (s.questions ?? []).map((q, i) => h('li', { class: 'survey-results__item poll' },
                    this.question(q, i, byId.get(q.id) ?? { id: q.id, answered: 0 })))))));
    }

    question(q, i, res) {
        const answered = res.answered ?? 0;
        const id = `results-q-${q.id}`;
        const head = [
            h('h3', { class: 'poll__question', id }, `${i + 1}. ${q.text}`),
            h('p', { class: 'poll__meta' }, t(`survey.kind.${q.kind}`), ' · ',
                tn('survey.answered', answered, { n: formatNumber(answered) })),
        ];
        if (!CHOICE_KINDS.has(q.kind)) {
            const texts = res.texts ?? [];
            return [head, texts.length
                ? h('ul', { class: 'survey-texts', 'aria-labelledby': id }, texts.map((x) => h('li', { class: 'survey-texts__item' },
                    h('p', { class: 'survey-texts__text' }, x.text),
                    x.by && h('p', { class: 'survey-texts__by' }, `– ${x.by.display_name}`))))
                : h('p', { class: 'empty' }, t('poll.no_answers'))];
        }
        const r = res.results ?? {};
        const voters = r.voters ?? answered;
        const rows = [];
        if (q.kind === 'single' || q.kind === 'multiple') {
            const counts = new Map((r.options ?? []).map((o) => [o.id, o.count ?? 0]));
            for (const opt of q.options) {
                const c = counts.get(opt.id) ?? 0;
                rows.push([opt.label, `${tn('poll.votes', c, { n: formatNumber(c) })} (${pct(percent(c, voters))})`, voters ? c / voters : 0]);
            }
        } else if (q.kind === 'scale') {
            const sc = q.scale ?? { min: 1, max: 5 };
            const counts = new Map((r.values ?? []).map((v) => [v.value, v.count ?? 0]));
            for (let v = sc.min; v <= sc.max; v++) {
                const c = counts.get(v) ?? 0;
                rows.push([scaleLabel(sc, v), `${tn('poll.votes', c, { n: formatNumber(c) })} (${pct(percent(c, voters))})`, voters ? c / voters : 0]);
            }
        } else {
            const labels = new Map(q.options.map((o) => [o.id, o.label]));
            const most = voters * Math.max(1, q.options.length - 1);
            for (const o of r.options ?? []) {
                rows.push([labels.get(o.id) ?? '?',
                    tn('poll.points', o.points ?? 0, { n: formatNumber(o.points ?? 0) }) +
                        (o.mean_rank ? `, ${t('poll.mean_rank', { n: decimal(o.mean_rank) })}` : ''),
                    most ? (o.points ?? 0) / most : 0]);
            }
        }
        const list = h(q.kind === 'ranking' ? 'ol' : 'ul', { class: 'poll-results__list', 'aria-labelledby': id }, rows.map(([label, text, frac]) =>
            h('li', { class: 'poll-results__row' },
                h('span', { class: 'poll-results__label' }, label),
                h('span', { class: 'poll-results__value' }, text),
                bar(frac))));
        return [head,
            q.kind === 'scale' && r.mean !== null && r.mean !== undefined && h('p', { class: 'poll-results__voters' }, t('poll.mean', { n: decimal(r.mean) })),
            voters > 0 ? list : h('p', { class: 'empty' }, t('poll.no_answers')),
            q.kind === 'multiple' && voters > 0 && h('p', { class: 'hint' }, t('poll.results.multiple_note'))];
    }
}

export const surveyResultsView = {
    title: (ctx) => (ctx.state.view?.survey ? t('survey.results.title', { title: ctx.state.view.survey.title }) : t('survey.results.crumb')),
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new ResultsPage(ctx, ctx.params[0]);
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};
