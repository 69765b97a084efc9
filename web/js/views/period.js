// #/periods/<id>: one activity period: what it is about, its pre-material,
// its polls and surveys, its topics by latest post (with unread counts), and
// for moderators the tools to announce, open and close it. Live from the
// channel period:<id>: new topics, changed counts, surveys opening and
// closing, and the status changing on the server's timer.
import { h, fill, serverHtml } from '../dom.js';
import { t, tn, formatNumber, localName } from '../i18n.js';
import {
    textField, textAreaField, errorSummary, noticeSlot, notice, showErrors, clearErrors, setBusy, isBusy,
    isServiceError, showServiceNotice, textLength,
} from '../forms.js';
import { LiveView, keepFocus } from './liveview.js';
import { PollsSection, PollCreateForm } from './polls.js';
import { SurveysSection } from './surveys.js';
import {
    statusBadge, periodDates, periodCounts, mineText, isStaff, loadingHeading, loadFailed, breadcrumb, timeEl,
} from './periodparts.js';

export const TITLE_MAX = 200;
export const TEXT_MAX = 20000;

// Pinned topics first, then by latest post.
function byLastPost(a, b) {
    return Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)) ||
        String(b.last_post_at).localeCompare(String(a.last_post_at)) || b.id - a.id;
}

// Who may open a topic here (docs/protocol.md, "topic.create").
export function mayOpenTopic(member, period) {
    if (period.status === 'closed') return false;
    if (isStaff(member)) return true;
    return period.status === 'open' && Boolean(period.members_may_open_topics);
}

class PeriodPage extends LiveView {
    constructor(ctx, id) {
        super(ctx);
        this.id = id;
        this.period = null;
        this.topics = [];
        this.mine = null;
        this.error = null;
        this.confirmClose = false;
        this.manageNotice = null;
        this.load();
    }

    async load() {
        await this.runLoad(async () => {
            const res = await this.subscribeAndGet(`period:${this.id}`, 'period.get', { period_id: this.id });
            if (!res) return;
            this.period = res.period;
            this.topics = (res.topics ?? []).slice().sort(byLastPost);
            this.mine = res.mine ?? null;
            if (!this.polls) {
                this.polls = new PollsSection(this.ctx, { periodId: this.id, period: this.period });
                this.polls.onChange = () => this.paintPolls();
            }
            this.polls.setPeriod(this.period);
            this.surveys ??= new SurveysSection(this.ctx, { periodId: this.id, period: this.period });
            this.surveys.setPeriod(this.period);
        });
        if (this.period) this.ctx.setTitle(this.period.title);
        this.paintAll();
        this.loadResults();
    }

    // For moderators of a closed period: whether its results page is public
    // (results.get is for moderators only; members are not told here).
    async loadResults() {
        if (!isStaff(this.ctx.member) || this.period?.status !== 'closed') return;
        const res = await this.ctx.ws.request('results.get', { period_id: this.id });
        if (this.disposed || !res.ok) return;
        const r = res.results;
        this.publicResults = r && r.status === 'published' && r.slug ? `/tulokset/${encodeURIComponent(r.slug)}` : null;
        this.paintManage();
    }

    reload() {
        this.load();
        this.polls?.load();
        this.surveys?.load();
    }

    dispose() {
        super.dispose();
        this.polls?.dispose();
        this.surveys?.dispose();
    }

    apply(frame) {
        if (!this.period) return;
        const data = frame.data;
        if (frame.event === 'period.changed') {
            if (data.id !== this.id || (data.seq ?? 0) < (this.period.seq ?? 0)) return;
            const was = this.period.status;
            this.period = { ...this.period, ...data };
            this.polls?.setPeriod(this.period);
            this.surveys?.setPeriod(this.period);
            this.paintAll();
            if (was !== this.period.status) this.polls?.paint();
            if (was !== this.period.status) this.ctx.announce(t(`period.now.${this.period.status}`, { title: this.period.title }));
            if (was !== this.period.status && this.period.status === 'closed') this.loadResults();
        } else if (frame.event === 'survey.changed') {
            this.surveys?.apply(data);
        } else if (frame.event === 'poll.created') {
            if (data.period_id === this.id) this.polls?.add(data, { announce: true });
        } else if (frame.event === 'topic.created' || frame.event === 'topic.changed') {
            if (data.period_id !== this.id) return;
            const i = this.topics.findIndex((x) => x.id === data.id);
            const old = i >= 0 ? this.topics[i] : null;
            if (old && (old.seq ?? 0) >= (data.seq ?? 0)) return;
            // Events carry no unread count (one frame goes to everyone): new
            // posts by others add to it, our own do not.
            let unread = old?.unread ?? 0;
            const me = this.ctx.member?.id;
            const added = (data.post_count ?? 0) - (old?.post_count ?? 0);
            if (!old && data.author?.id !== me) unread = data.post_count ?? 1;
            else if (old && added > 0 && data.last_post_author_id !== me) unread += added;
            const topic = { ...old, ...data, unread };
            if (old) this.topics.splice(i, 1, topic);
            else this.topics.push(topic);
            this.topics.sort(byLastPost);
            this.paintTopics();
        }
    }

    // ---- painting ------------------------------------------------------

    render() {
        this.h1 = this.period
            ? h('h1', { id: 'period-title', tabindex: '-1' }, this.period.title)
            : loadingHeading('period-title');
        this.crumbs = h('div');
        this.headBox = h('div', { class: 'period-head' });
        this.aboutBox = h('div');
        this.manageBox = h('div');
        this.topicsBox = h('div');
        this.formBox = h('div');
        this.formFor = null;
        this.pollsBox = h('div');
        this.pollFormBox = h('div');
        this.pollFormFor = null;
        this.surveysBox = h('div');
        this.paintAll();
        return [this.crumbs, this.h1, this.headBox, this.aboutBox, this.manageBox, this.pollsBox, this.pollFormBox,
            this.surveysBox, this.topicsBox, this.formBox];
    }

    paintAll() {
        if (!this.h1 || this.disposed) return;
        const p = this.period;
        fill(this.crumbs, breadcrumb([['#/periods', t('periods.title')], [null, p ? p.title : t('loading')]]));
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.headBox, loadFailed(this.error, () => this.load()));
            for (const box of [this.aboutBox, this.manageBox, this.pollsBox, this.pollFormBox, this.surveysBox, this.topicsBox, this.formBox]) fill(box);
            return;
        }
        if (!p) return;
        const wasLoading = this.h1.textContent !== p.title;
        this.h1.textContent = p.title;
        if (wasLoading && document.activeElement === this.h1) {
            this.h1.blur(); // read the real title out now that it is there
            this.h1.focus();
        }
        this.paintHead();
        this.paintAbout();
        this.paintManage();
        this.paintPolls();
        this.paintSurveys();
        this.paintTopics();
        this.paintForm();
    }

    paintSurveys() {
        if (!this.surveys) return;
        if (!this.surveysBox.contains(this.surveys.box)) fill(this.surveysBox, this.surveys.element());
        else this.surveys.paint();
    }

    paintPolls() {
        if (this.polls && !this.pollsBox.contains(this.polls.box)) fill(this.pollsBox, this.polls.element());
        const allowed = isStaff(this.ctx.member) && this.period.status !== 'closed' && !this.polls?.unsupported;
        if (allowed === this.pollFormFor && (this.pollFormBox.firstChild || !allowed)) return; // keep what is being typed
        this.pollFormFor = allowed;
        if (!allowed) {
            fill(this.pollFormBox);
            return;
        }
        this.pollForm ??= new PollCreateForm(this.ctx, {
            period: this.period, topics: this.topics, created: (poll) => this.polls?.add(poll),
        });
        this.pollForm.topics = this.topics;
        fill(this.pollFormBox, this.pollForm.element());
    }

    paintHead() {
        const p = this.period;
        const closedNote = p.status === 'closed' ? notice('info', t('period.closed_note'))
            : p.status !== 'open' ? notice('info', t(`period.not_open_note.${p.status}`)) : null;
        const areas = (p.interest_areas ?? [])
            .map((id) => this.ctx.config.interest_areas.find((a) => a.id === id))
            .filter(Boolean)
            .map((a) => localName(a.name));
        fill(this.headBox,
            h('p', { class: 'period-head__when' }, statusBadge(p.status), ' ', periodDates(p)),
            areas.length > 0 && h('p', { class: 'period-head__areas' }, t('period.areas', { areas: areas.join(', ') })),
            h('p', { class: 'period-head__counts' }, periodCounts(p)),
            this.mine && h('p', { class: 'period-head__mine' }, mineText(this.mine)),
            p.premoderated && p.status !== 'closed' && h('p', { class: 'period-head__premoderated' }, t('period.premoderated_note')),
            closedNote,
            p.results_url && h('p', { class: 'period-head__results', id: 'period-results-url' },
                t('period.results_published'), ' ', h('a', { href: p.results_url }, t('period.results_read'))));
    }

    paintAbout() {
        const p = this.period;
        const showPre = p.prematerial_html && p.status !== 'closed';
        const preInClosed = p.prematerial_html && p.status === 'closed';
        fill(this.aboutBox,
            h('section', { class: 'section', 'aria-labelledby': 'period-about' },
                h('h2', { id: 'period-about' }, t('period.about')),
                h('div', { class: 'prose' }, serverHtml(p.description_html))),
            showPre && h('section', { class: 'section prematerial', 'aria-labelledby': 'period-pre' },
                h('h2', { id: 'period-pre' }, t('period.prematerial')),
                h('div', { class: 'prose' }, serverHtml(p.prematerial_html))),
            preInClosed && h('details', { class: 'prematerial prematerial--closed' },
                h('summary', null, t('period.prematerial')),
                h('div', { class: 'prose' }, serverHtml(p.prematerial_html))));
    }

    paintManage() {
        const p = this.period;
        if (!isStaff(this.ctx.member)) {
            fill(this.manageBox);
            return;
        }
        const act = (kind) => h('button', {
            type: 'button', class: 'button button--secondary', 'data-focus-key': `manage-${kind}`,
            onclick: () => (kind === 'close' ? this.askClose() : this.transition(kind)),
        }, t(`period.manage.${kind}`));
        const buttons = [
            p.status !== 'closed' && h('a', { class: 'button button--secondary', href: `#/periods/${p.id}/edit` }, t('period.manage.edit')),
            p.status === 'draft' && act('announce'),
            (p.status === 'draft' || p.status === 'upcoming') && act('open'),
            p.status === 'open' && act('close'),
            h('a', { class: 'button button--secondary', href: `#/periods/${p.id}/participation` }, t('period.manage.participation')),
            p.status === 'closed' && h('a', { class: 'button', id: 'period-results-link', href: `#/periods/${p.id}/results` },
                t('period.manage.results')),
        ];
        const confirm = this.confirmClose && p.status === 'open' && h('div', {
            class: 'confirm', role: 'group', 'aria-labelledby': 'period-close-q',
        },
        h('p', { id: 'period-close-q' }, h('strong', null, t('period.manage.close_confirm'))),
        h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'button button--danger', id: 'period-close-yes', onclick: () => this.transition('close') },
                t('period.manage.close_yes')),
            h('button', { type: 'button', class: 'button button--secondary', id: 'period-close-no',
                onclick: () => {
                    this.confirmClose = false;
                    this.paintManage();
                    this.manageBox.querySelector('[data-focus-key="manage-close"]')?.focus();
                } }, t('cancel'))));
        keepFocus(this.manageBox, () => fill(this.manageBox,
            h('section', { class: 'section panel panel--wide', 'aria-labelledby': 'period-manage' },
                h('h2', { id: 'period-manage' }, t('period.manage.title')),
                h('div', { class: 'actions' }, buttons),
                p.status === 'closed' && this.publicResults && h('p', { id: 'period-results-public' },
                    h('a', { href: this.publicResults }, t('period.results_public'))),
                confirm,
                h('div', { class: 'notice-slot', id: 'period-manage-notice' },
                    this.manageNotice && notice(this.manageNotice.kind, this.manageNotice.text)))));
    }

    askClose() {
        this.confirmClose = true;
        this.paintManage();
        document.getElementById('period-close-yes')?.focus();
    }

    async transition(kind) {
        if (this.busy) return;
        this.busy = true;
        const res = await this.ctx.ws.request(`period.${kind}`, { period_id: this.id });
        this.busy = false;
        this.confirmClose = false;
        if (res.ok) {
            this.period = { ...this.period, ...res.period };
            this.manageNotice = { kind: 'success', text: t(`period.manage.done.${kind}`) };
            this.paintAll();
            this.ctx.announce(this.manageNotice.text);
        } else {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            const conflict = res.error?.code === 'conflict' || res.error?.code === 'period_closed';
            const text = conflict ? t('period.manage.conflict')
                : res.error?.field === 'ends_at' ? t('period.manage.ends_passed') : errorTextFor(res.error);
            this.manageNotice = { kind: 'warning', text };
            if (conflict) await this.load(); // show the status it has now
            else this.paintManage();
            this.ctx.announce(text);
        }
        this.manageBox.querySelector('h2')?.setAttribute('tabindex', '-1');
        if (!this.manageBox.contains(document.activeElement)) this.manageBox.querySelector('h2')?.focus();
    }

    paintTopics() {
        if (!this.period) return;
        const list = this.topics;
        const me = this.ctx.member?.id;
        const items = list.map((topic) => {
            const id = `topic-link-${topic.id}`;
            return h('li', { class: 'topic-item' },
                h('h3', { class: 'topic-item__title' },
                    h('a', { href: `#/topics/${topic.id}`, id, 'aria-describedby': `${id}-meta` }, topic.title)),
                h('p', { class: 'topic-item__meta', id: `${id}-meta` },
                    topic.pinned && h('span', { class: 'badge badge--pinned' }, t('topic.pinned')), topic.pinned && ' ',
                    topic.status === 'pending' && h('span', { class: 'badge badge--pending' }, t('hidden.pending_badge')),
                    topic.status === 'pending' && ' ',
                    topic.locked && h('span', { class: 'badge badge--locked' }, t('topic.locked_badge')), topic.locked && ' ',
                    topic.unread > 0 && h('strong', { class: 'badge badge--new' },
                        tn('count.unread', topic.unread, { n: formatNumber(topic.unread) })),
                    topic.unread > 0 && ' ',
                    [
                        tn('count.posts', topic.post_count ?? 0, { n: formatNumber(topic.post_count ?? 0) }),
                        tn('count.participants', topic.participant_count ?? 0, { n: formatNumber(topic.participant_count ?? 0) }),
                    ].join(' · '),
                    topic.last_post_at && ' · ',
                    topic.last_post_at && t('topic.last_post'), topic.last_post_at && ' ',
                    topic.last_post_at && timeEl(topic.last_post_at)),
                topic.author && h('p', { class: 'topic-item__by' }, topic.author.id === me
                    ? t('topic.opened_by_you') : t('topic.opened_by', { name: topic.author.display_name })));
        });
        keepFocus(this.topicsBox, () => fill(this.topicsBox,
            h('section', { class: 'section', 'aria-labelledby': 'period-topics' },
                h('h2', { id: 'period-topics' }, t('period.topics'), ' ',
                    h('span', { class: 'heading-count' }, `(${formatNumber(list.length)})`)),
                list.length
                    ? h('ul', { class: 'topic-list' }, items)
                    : h('p', { class: 'empty' }, t('period.no_topics')))));
    }

    paintForm() {
        const allowed = mayOpenTopic(this.ctx.member, this.period);
        if (allowed === this.formFor && this.formBox.firstChild) return; // keep what is being typed
        this.formFor = allowed;
        if (!allowed) {
            fill(this.formBox);
            return;
        }
        const form = h('form', { id: 'topic-form', class: 'form', novalidate: true, 'aria-labelledby': 'topic-new' },
            errorSummary('topic'),
            textField({ form: 'topic', name: 'title', label: t('topic.field.title'), required: true,
                counter: { max: TITLE_MAX, length: textLength } }),
            textAreaField({ form: 'topic', name: 'body', label: t('topic.field.body'), hint: t('markdown.hint'),
                required: true, rows: 6, counter: { max: TEXT_MAX, length: textLength } }),
            noticeSlot(),
            h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', id: 'topic-submit' }, t('topic.create'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.createTopic(form);
        });
        fill(this.formBox, h('section', { class: 'section panel', 'aria-labelledby': 'topic-new' },
            h('h2', { id: 'topic-new' }, t('topic.new')),
            this.period.status !== 'open' && h('p', { class: 'hint' }, t('topic.new.prepare')),
            form));
    }

    async createTopic(form) {
        if (isBusy(form)) return;
        const title = form.elements.title.value.trim();
        const body = form.elements.body.value.trim();
        const problems = [
            !title && { code: 'missing_field', field: 'title' },
            textLength(title) > TITLE_MAX && { code: 'too_long', field: 'title', limit: TITLE_MAX },
            !body && { code: 'missing_field', field: 'body' },
            textLength(body) > TEXT_MAX && { code: 'too_long', field: 'body', limit: TEXT_MAX },
        ].filter(Boolean);
        if (problems.length) {
            showTextErrors(form, problems).focus();
            return;
        }
        setBusy(form, true);
        const res = await this.ctx.ws.request('topic.create', { period_id: this.id, title, body });
        setBusy(form, false);
        if (res.ok) {
            clearErrors(form);
            this.ctx.navigate(`/topics/${res.topic.id}`, { flash: { key: res.topic.status === 'pending' ? 'topic.created_pending' : 'topic.created' } });
            return;
        }
        if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        if (isServiceError(res.error) || !res.error?.field) {
            this.ctx.announce(showServiceNotice(form, { ...res.error, code: res.error?.code ?? 'unknown' }));
            return;
        }
        showTextErrors(form, [res.error]).focus();
    }
}

// Errors of a form of markdown texts: too_long carries the limit.
export function showTextErrors(form, errors) {
    return showErrors(form, errors.map((e) => (e.code === 'too_long' ? { ...e, params: { limit: formatNumber(e.limit) } }
        : e.code === 'watched_word' ? { ...e, params: { word: e.word ?? '' } } : e)));
}

function errorTextFor(error) {
    const key = `error.${error?.code}`;
    const text = t(key);
    return text === key ? t('error.unknown') : text;
}

export default {
    title: (ctx) => ctx.state.view?.period?.title ?? t('period.title'),
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new PeriodPage(ctx, ctx.params[0]);
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};
