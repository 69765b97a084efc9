// Live polls (docs/protocol.md, "Polls") on a period page or a topic page:
// each poll as a form to answer it (single, multiple, scale, ranking), its
// results live from the channel poll:<id>, and for moderators their tools:
// who sees the results and named or secret (poll.update), who answered
// what in a named poll (poll.ballots), and closing it after a confirm step.
// PollCreateForm is the moderators' form for a new poll.
//
//   const polls = new PollsSection(ctx, { periodId, topicId, period });
//   box.append(polls.element());   // again after every re-render
//   polls.dispose();               // when the view is left
import { h, fill } from '../dom.js';
import { t, tn, formatNumber } from '../i18n.js';
import { errorText, notice, noEnterSubmit, groupError, showFormProblems } from '../forms.js';
import { keepFocus } from './liveview.js';
import { isStaff, timeEl, localToIso } from './periodparts.js';

// At most one spoken "12 answers" per poll in this long (milliseconds).
const ANNOUNCE_EVERY_MS = 10000;
export const QUESTION_MAX = 300;
export const HELP_MAX = 2000;
export const OPTION_MAX = 200;
export const KINDS = ['single', 'multiple', 'scale', 'ranking'];
export const VISIBILITIES = ['always', 'after_vote', 'after_close', 'moderators'];

// Whether this member may see the results now (the server decides; this is
// for dropping results a tightened rule no longer shows).
function maySeeResults(member, poll) {
    if (isStaff(member)) return true;
    switch (poll.results_visibility) {
    case 'always': return true;
    case 'after_vote': return Boolean(poll.voted) || poll.status === 'closed';
    case 'after_close': return poll.status === 'closed';
    default: return false;
    }
}

export function percent(count, voters) {
    return voters > 0 ? Math.round((count / voters) * 100) : 0;
}

export function pct(n) {
    return new Intl.NumberFormat(document.documentElement.lang || 'fi', { style: 'percent' }).format(n / 100);
}

export function decimal(n) {
    return new Intl.NumberFormat(document.documentElement.lang || 'fi', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(n);
}

// A bar whose width is set through the CSSOM (the CSP allows no style
// attributes in markup). It is decoration: the numbers are in the text.
export function bar(fraction) {
    const fillEl = h('span', { class: 'poll-bar__fill' });
    fillEl.style.width = `${Math.max(0, Math.min(100, fraction * 100))}%`;
    return h('span', { class: 'poll-bar', 'aria-hidden': 'true' }, fillEl);
}

export class PollsSection {
    constructor(ctx, { periodId, topicId = null, period = null }) {
        this.ctx = ctx;
        this.periodId = periodId;
        this.topicId = topicId;
        this.period = period;
        this.polls = []; // newest first
        this.state = new Map(); // poll id -> { order, error, notice, announced, timer, lastSpoken }
        this.subs = new Map(); // poll id -> subscription
        this.error = null;
        this.loaded = false;
        this.disposed = false;
        this.box = h('div', { class: 'polls' });
        this.load();
    }

    setPeriod(period) {
        this.period = period;
    }

    async load() {
        const fields = { period_id: this.periodId };
        if (this.topicId) fields.topic_id = this.topicId;
        const res = await this.ctx.ws.request('poll.list', fields);
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return;
            if (res.error?.code === 'unknown_type') {
                // A server without polls: say nothing about them.
                this.unsupported = true;
                this.paint();
                this.onChange?.();
                return;
            }
            this.error = res.error;
            this.paint();
            return;
        }
        this.error = null;
        this.loaded = true;
        this.polls = res.polls ?? [];
        this.unsupported = false;
        for (const poll of this.polls) this.watch(poll.id);
        for (const [id, sub] of this.subs) {
            if (!this.polls.some((p) => p.id === id)) {
                sub.close();
                this.subs.delete(id);
            }
        }
        this.paint();
    }

    async watch(id) {
        if (this.subs.has(id)) return;
        this.subs.set(id, { close() {} }); // reserve while the request is out
        const sub = await this.ctx.live.subscribe(`poll:${id}`, {
            event: (frame) => this.apply(frame),
            resync: () => this.load(),
            failed: () => {},
        });
        if (this.disposed || !this.subs.has(id)) {
            sub.close();
            return;
        }
        this.subs.set(id, sub);
    }

    dispose() {
        this.disposed = true;
        for (const sub of this.subs.values()) sub.close();
        this.subs.clear();
        for (const st of this.state.values()) clearTimeout(st.timer);
    }

    // Adds a poll just made: by the moderator's own form, or live from the
    // period's channel (poll.created, without voted and results: a new
    // poll has no votes, and whether its results show follows its rule).
    add(poll, { announce = false } = {}) {
        if (poll.period_id !== this.periodId || (this.topicId && poll.topic_id !== this.topicId)) return;
        if (this.polls.some((p) => p.id === poll.id)) return;
        const fresh = { voted: false, my_answer: null, ...poll };
        if (!('results' in poll)) {
            fresh.results = maySeeResults(this.ctx.member, fresh) ? this.emptyResults(fresh) : null;
        }
        this.polls.unshift(fresh);
        this.watch(poll.id);
        this.paint();
        if (announce) this.ctx.announce(t('poll.new_live', { question: poll.question }));
    }

    emptyResults(poll) {
        if (poll.kind === 'scale') {
            const values = [];
            for (let v = poll.scale.min; v <= poll.scale.max; v++) values.push({ value: v, count: 0 });
            return { voters: 0, values, mean: null };
        }
        if (poll.kind === 'ranking') return { voters: 0, options: poll.options.map((o) => ({ id: o.id, points: 0, mean_rank: null })) };
        return { voters: 0, options: poll.options.map((o) => ({ id: o.id, count: 0 })) };
    }

    st(id) {
        if (!this.state.has(id)) this.state.set(id, { order: null, error: null, notice: null, timer: null, lastSpoken: 0, spokenVoters: null });
        return this.state.get(id);
    }

    apply(frame) {
        const data = frame.data ?? {};
        if (frame.event === 'poll.changed') {
            const i = this.polls.findIndex((p) => p.id === data.id);
            if (i < 0) return;
            const old = this.polls[i];
            if ((data.seq ?? 0) < (old.seq ?? 0)) return;
            const poll = { ...old, ...data };
            if (!maySeeResults(this.ctx.member, poll)) poll.results = null;
            this.polls[i] = poll;
            const closedNow = old.status !== 'closed' && poll.status === 'closed';
            const formChanged = closedNow || old.voted !== poll.voted || old.results_visibility !== poll.results_visibility
                || old.secret !== poll.secret;
            this.paintPoll(poll, { form: formChanged || 'my_answer' in data });
            if (closedNow) this.ctx.announce(t('poll.now_closed', { question: poll.question }));
            else if (old.voters !== poll.voters) this.speakVoters(poll);
        } else if (frame.event === 'poll.results') {
            const poll = this.polls.find((p) => p.id === data.poll_id);
            if (!poll) return;
            poll.results = data.results;
            if (Number.isInteger(data.results?.voters)) poll.voters = Math.max(poll.voters ?? 0, data.results.voters);
            this.paintPoll(poll, { form: false });
        }
    }

    // A polite, throttled word about new answers: at most one per poll
    // every ANNOUNCE_EVERY_MS, saying the latest count.
    speakVoters(poll) {
        const st = this.st(poll.id);
        if (st.timer) return; // the pending one will say the latest count
        const wait = Math.max(0, st.lastSpoken + ANNOUNCE_EVERY_MS - Date.now());
        st.timer = setTimeout(() => {
            st.timer = null;
            if (this.disposed) return;
            const now = this.polls.find((p) => p.id === poll.id);
            if (!now || now.voters === st.spokenVoters) return;
            st.lastSpoken = Date.now();
            st.spokenVoters = now.voters;
            this.ctx.announce(t('poll.voters_said', {
                question: now.question, answers: tn('poll.answers', now.voters, { n: formatNumber(now.voters) }),
            }));
        }, wait);
    }

    // ---- painting ------------------------------------------------------

    // The section's element; a re-render of the view asks for it again.
    element() {
        this.box = h('div', { class: 'polls' });
        this.cards = new Map();
        this.paint();
        return this.box;
    }

    paint() {
        if (this.disposed) return;
        this.cards = new Map();
        const headingId = this.topicId ? 'topic-polls' : 'period-polls';
        if ((!this.loaded && !this.error) || this.unsupported) {
            fill(this.box);
            return;
        }
        if (!this.polls.length && !this.error && this.topicId) {
            fill(this.box); // a topic without polls says nothing about them
            return;
        }
        keepFocus(this.box, () => fill(this.box,
            h('section', { class: 'section', 'aria-labelledby': headingId },
                h('h2', { id: headingId }, t('poll.title'), ' ',
                    h('span', { class: 'heading-count' }, `(${formatNumber(this.polls.length)})`)),
                this.error && notice('warning', errorText(this.error)),
                this.polls.length
                    ? h('ul', { class: 'poll-list' }, this.polls.map((poll) => this.card(poll)))
                    : !this.error && h('p', { class: 'empty' }, t('poll.none')))));
    }

    card(poll) {
        const parts = {
            li: h('li', { class: 'poll', id: `poll-${poll.id}` }),
            head: h('div', { class: 'poll__head' }),
            form: h('div', { class: 'poll__form' }),
            results: h('div', { class: 'poll__results' }),
            manage: h('div', { class: 'poll__manage' }),
        };
        parts.li.append(parts.head, parts.form, parts.results, parts.manage);
        this.cards.set(poll.id, parts);
        this.paintPoll(poll, { form: true });
        return parts.li;
    }

    paintPoll(poll, { form }) {
        const parts = this.cards?.get(poll.id);
        if (!parts) return;
        this.paintHead(poll, parts.head, form);
        if (form) keepFocus(parts.form, () => fill(parts.form, this.voteForm(poll)));
        keepFocus(parts.results, () => fill(parts.results, this.results(poll)));
        // A live change (the poll closed, became secret) can take away the
        // control that had focus: focus then stays in the tools, on their title.
        const inTools = parts.manage.contains(document.activeElement);
        keepFocus(parts.manage, () => fill(parts.manage, this.manage(poll)));
        if (inTools && !parts.manage.contains(document.activeElement)) {
            const title = parts.manage.querySelector('h4');
            title?.setAttribute('tabindex', '-1');
            title?.focus({ preventScroll: true });
        }
    }

    paintHead(poll, head, withQuestion) {
        const open = poll.status !== 'closed';
        // A poll that can be answered has its question as the form's legend;
        // otherwise it is the heading here.
        const answerable = open && this.votingOpen();
        const meta = [
            h('span', { class: `badge badge--${open ? 'open' : 'closed'}` }, t(open ? 'poll.status.open' : 'poll.status.closed')),
            ' ',
            open && poll.closes_at ? [t('poll.closes_at'), ' ', timeEl(poll.closes_at), ' · '] : null,
            !open && poll.closed_at ? [t('poll.closed_at'), ' ', timeEl(poll.closed_at), ' · '] : null,
            h('span', { class: 'poll__voters' }, tn('poll.answers', poll.voters ?? 0, { n: formatNumber(poll.voters ?? 0) })),
            ' · ', t(poll.secret ? 'poll.secret.short' : 'poll.named.short'),
        ];
        if (!withQuestion && head.firstChild) {
            fill(head.querySelector('.poll__meta'), meta);
            return;
        }
        fill(head,
            !answerable && h('h3', { class: 'poll__question', id: `poll-${poll.id}-q` }, poll.question),
            h('p', { class: 'poll__meta' }, meta),
            !answerable && poll.secret && h('p', { class: 'hint' }, t('poll.secret.explain_member')));
    }

    votingOpen() {
        return !this.period || this.period.status === 'open';
    }

    voteForm(poll) {
        const open = poll.status === 'closed' ? false : this.votingOpen();
        const st = this.st(poll.id);
        if (!open) {
            const mine = poll.my_answer;
            if (poll.status === 'closed') {
                return h('div', null,
                    notice('info', t('poll.closed_note')),
                    poll.voted && h('p', null, mine === null || mine === undefined
                        ? t(poll.secret ? 'poll.my_answer.secret_closed' : 'poll.my_answer.voted')
                        : t('poll.my_answer', { answer: this.answerText(poll, mine) })));
            }
            return notice('info', t('poll.period_not_open'));
        }
        const id = `poll-${poll.id}`;
        const errId = `${id}-error`;
        const helpId = `${id}-help`;
        const ruleId = `${id}-rule`;
        const rule = this.shownRule(poll);
        const secretId = `${id}-secret`;
        const describedBy = [poll.help && helpId, rule && ruleId, poll.secret && secretId, st.error && errId].filter(Boolean).join(' ') || null;
        const form = h('form', { class: 'poll-form', id: `${id}-form`, novalidate: true },
            h('fieldset', { class: ['fieldset', st.error && 'field--error'], id: `${id}-fieldset`, 'aria-describedby': describedBy, tabindex: '-1' },
                h('legend', { class: 'legend poll__legend' }, h('h3', { class: 'poll__question', id: `${id}-q` }, poll.question)),
                poll.help && h('p', { class: 'hint', id: helpId }, poll.help),
                rule && h('p', { class: 'hint', id: ruleId }, rule),
                poll.secret && h('p', { class: 'hint', id: secretId }, t('poll.secret.explain_member')),
                h('p', { class: 'field-error', id: errId, hidden: !st.error },
                    st.error && [h('span', { class: 'visually-hidden' }, t('error.prefix') + ' '), st.error]),
                this.choices(poll, Boolean(st.error))),
            h('div', { class: 'notice-slot' }, st.notice && notice(st.notice.kind, st.notice.text)),
            h('div', { class: 'actions' },
                h('button', { type: 'submit', class: 'button', id: `${id}-submit` },
                    t(poll.voted ? 'poll.vote.change' : 'poll.vote'))));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.vote(poll.id, form);
        });
        // While choosing: too many boxes ticked is said at once (every box
        // stays usable, so Tab does not skip them), and an error goes as
        // soon as the answer is right.
        form.addEventListener('change', () => this.recheck(poll.id, form));
        return form;
    }

    recheck(id, form) {
        const poll = this.polls.find((p) => p.id === id);
        if (!poll) return;
        const st = this.st(id);
        const picked = form.querySelectorAll('input:checked').length;
        const max = poll.max_picks ?? poll.options.length;
        let text = null;
        if (poll.kind === 'multiple' && picked > max) text = t('poll.error.too_many', { max: formatNumber(max), n: formatNumber(picked) });
        else if (st.error && this.readAnswer(poll, form).error && !st.liveError) return; // still not right: the error stays
        if (text === st.error) return;
        const fresh = text && !st.error;
        st.error = text;
        st.liveError = Boolean(text);
        if (text) st.notice = null;
        groupError(form.querySelector('fieldset'), form.querySelector(`#poll-${id}-error`), text);
        form.querySelector('.notice-slot')?.replaceChildren(...(st.notice ? [notice(st.notice.kind, st.notice.text)] : []));
        if (fresh) this.ctx.announce(text);
    }

    // The rule as shown under the question: left out when the poll's own
    // help text already says the same numbers (no two rules saying one thing).
    shownRule(poll) {
        const rule = this.ruleText(poll);
        if (!rule || poll.kind !== 'multiple' || !poll.help) return rule;
        const min = poll.min_picks ?? 1;
        const max = poll.max_picks ?? poll.options.length;
        const says = (n) => new RegExp(`(^|\\D)${n}(\\D|$)`).test(poll.help);
        return says(max) && (min === max || says(min)) ? null : rule;
    }

    ruleText(poll) {
        if (poll.kind === 'multiple') {
            const min = poll.min_picks ?? 1;
            const max = poll.max_picks ?? poll.options.length;
            return min === max ? tn('poll.rule.exactly', max, { n: formatNumber(max) })
                : t('poll.rule.between', { min: formatNumber(min), max: formatNumber(max) });
        }
        if (poll.kind === 'ranking') return t('poll.rule.ranking');
        if (poll.kind === 'scale') {
            const s = poll.scale;
            return [
                s.min_label && t('poll.scale.end', { value: s.min, label: s.min_label }),
                s.max_label && t('poll.scale.end', { value: s.max, label: s.max_label }),
            ].filter(Boolean).join(', ');
        }
        return null;
    }

    choices(poll, invalid = false) {
        const id = `poll-${poll.id}`;
        const bad = invalid ? 'true' : null;
        const mine = poll.my_answer;
        if (poll.kind === 'single' || poll.kind === 'multiple') {
            const chosen = new Set([mine ?? []].flat());
            const type = poll.kind === 'single' ? 'radio' : 'checkbox';
            return h('div', { class: 'choices' }, poll.options.map((opt) => h('div', { class: 'choice' },
                h('input', { type, id: `${id}-opt-${opt.id}`, name: `${id}-answer`, value: opt.id, checked: chosen.has(opt.id), 'aria-invalid': bad }),
                h('label', { for: `${id}-opt-${opt.id}` }, opt.label))));
        }
        if (poll.kind === 'scale') {
            const s = poll.scale;
            const values = [];
            for (let v = s.min; v <= s.max; v++) values.push(v);
            return h('div', { class: 'choices poll-scale' }, values.map((v) => {
                const label = v === s.min && s.min_label ? `${v} – ${s.min_label}`
                    : v === s.max && s.max_label ? `${v} – ${s.max_label}` : String(v);
                return h('div', { class: 'choice' },
                    h('input', { type: 'radio', id: `${id}-v-${v}`, name: `${id}-answer`, value: v, checked: mine === v, 'aria-invalid': bad }),
                    h('label', { for: `${id}-v-${v}` }, label));
            }));
        }
        // ranking: an ordered list with buttons to move each option.
        const st = this.st(poll.id);
        if (!st.order) {
            const known = Array.isArray(mine) && mine.length === poll.options.length ? mine : poll.options.map((o) => o.id);
            st.order = known.slice();
        }
        const byId = new Map(poll.options.map((o) => [o.id, o]));
        const n = st.order.length;
        return h('ol', { class: 'poll-ranking', id: `${id}-ranking` }, st.order.map((optId, i) => {
            const label = byId.get(optId)?.label ?? '';
            const move = (dir) => h('button', {
                type: 'button', class: 'button button--secondary button--small',
                'data-focus-key': `${id}-${optId}-${dir}`,
                'aria-label': t(`poll.rank.${dir}`, { option: label }),
                disabled: dir === 'up' ? i === 0 : i === n - 1,
                onclick: () => this.move(poll, optId, dir === 'up' ? -1 : 1),
            }, t(`poll.rank.${dir}.short`));
            return h('li', { class: 'poll-ranking__item' },
                h('span', { class: 'poll-ranking__label' }, label),
                h('span', { class: 'poll-ranking__buttons' }, move('up'), move('down')));
        }));
    }

    move(poll, optId, by) {
        const st = this.st(poll.id);
        const i = st.order.indexOf(optId);
        const j = i + by;
        if (i < 0 || j < 0 || j >= st.order.length) return;
        [st.order[i], st.order[j]] = [st.order[j], st.order[i]];
        const parts = this.cards.get(poll.id);
        const ol = parts.form.querySelector('.poll-ranking');
        ol.replaceWith(this.choices(poll));
        // Focus follows the option; at an end it moves to the other button.
        const dir = by < 0 ? 'up' : 'down';
        const other = by < 0 ? 'down' : 'up';
        const key = j === 0 || j === st.order.length - 1 ? other : dir;
        parts.form.querySelector(`[data-focus-key="poll-${poll.id}-${optId}-${key}"]`)?.focus();
        const label = poll.options.find((o) => o.id === optId)?.label ?? '';
        this.ctx.announce(t('poll.rank.moved', { option: label, n: j + 1, of: st.order.length }));
    }

    answerText(poll, answer) {
        const label = (id) => poll.options?.find((o) => o.id === id)?.label ?? '?';
        if (poll.kind === 'scale') return String(answer);
        if (poll.kind === 'single') return label(answer);
        return [answer].flat().map(label).join(poll.kind === 'ranking' ? ' > ' : ', ');
    }

    // The answer as the form says it, or an error text.
    readAnswer(poll, form) {
        const picked = [...form.querySelectorAll('input:checked')].map((el) => Number(el.value));
        if (poll.kind === 'single' || poll.kind === 'scale') {
            return picked.length ? { answer: picked[0] } : { error: t('poll.error.pick_one') };
        }
        if (poll.kind === 'multiple') {
            const min = poll.min_picks ?? 1;
            const max = poll.max_picks ?? poll.options.length;
            if (picked.length > max) return { error: t('poll.error.too_many', { max: formatNumber(max), n: formatNumber(picked.length) }) };
            if (picked.length < min) return { error: this.ruleText(poll) };
            return { answer: picked };
        }
        return { answer: this.st(poll.id).order.slice() };
    }

    async vote(id, form) {
        const poll = this.polls.find((p) => p.id === id);
        if (!poll || form.dataset.busy !== undefined) return;
        const st = this.st(id);
        const { answer, error } = this.readAnswer(poll, form);
        if (error) {
            st.error = error;
            st.liveError = false;
            st.notice = null;
            this.repaintForm(poll, form);
            this.ctx.announce(error);
            return;
        }
        // The same answer again: nothing is sent, and it says so.
        if (poll.voted && this.sameAnswer(poll, answer)) {
            st.error = null;
            st.notice = { kind: 'info', text: t('poll.vote.unchanged') };
            groupError(form.querySelector('fieldset'), form.querySelector(`#poll-${id}-error`), null);
            form.querySelector('.notice-slot')?.replaceChildren(notice(st.notice.kind, st.notice.text));
            this.ctx.announce(st.notice.text);
            return;
        }
        form.dataset.busy = '';
        form.setAttribute('aria-busy', 'true');
        const res = await this.ctx.ws.request('poll.vote', { poll_id: id, answer });
        if (this.disposed) return;
        delete form.dataset.busy;
        form.removeAttribute('aria-busy');
        const now = this.polls.find((p) => p.id === id);
        if (!now) return;
        if (res.ok) {
            st.error = null;
            st.notice = { kind: 'success', text: t(poll.voted ? 'poll.vote.changed' : 'poll.vote.saved') };
            Object.assign(now, res.poll);
            st.order = null;
            this.paintPoll(now, { form: true });
            this.ctx.announce(st.notice.text);
            return;
        }
        if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        const code = res.error?.code;
        st.error = res.error?.field === 'answer' ? t('poll.error.answer')
            : code === 'conflict' ? t('poll.error.closed')
                : code === 'period_closed' || code === 'period_not_open' ? t('poll.period_not_open')
                    : errorText(res.error ?? { code: 'unknown' });
        st.notice = null;
        if (code === 'conflict') {
            const again = await this.ctx.ws.request('poll.get', { poll_id: id });
            if (again.ok) Object.assign(now, again.poll);
        }
        this.repaintForm(now);
        this.ctx.announce(st.error);
    }

    // Whether `answer` is the member's answer already (when it is known).
    sameAnswer(poll, answer) {
        const mine = poll.my_answer;
        if (mine === null || mine === undefined) return false;
        if (poll.kind === 'multiple') {
            const a = [answer].flat().slice().sort((x, y) => x - y);
            const b = [mine].flat().slice().sort((x, y) => x - y);
            return a.length === b.length && a.every((x, i) => x === b[i]);
        }
        if (poll.kind === 'ranking') return Array.isArray(mine) && mine.length === answer.length && mine.every((x, i) => x === answer[i]);
        return mine === answer;
    }

    // Shows the error. With the form the member is in, in place: what is
    // ticked stays. Focus goes to the checked choice or the group, never
    // the first radio button (an arrow key there would change the answer).
    repaintForm(poll, form = null) {
        const parts = this.cards?.get(poll.id);
        if (!parts) return;
        const st = this.st(poll.id);
        if (form && form.isConnected) {
            const box = form.querySelector('fieldset');
            groupError(box, form.querySelector(`#poll-${poll.id}-error`), st.error);
            form.querySelector('.notice-slot')?.replaceChildren(...(st.notice ? [notice(st.notice.kind, st.notice.text)] : []));
        } else {
            this.paintPoll(poll, { form: true });
        }
        if (!st.error) return;
        const box = parts.form.querySelector('fieldset');
        (box?.querySelector('input:checked') ?? box)?.focus();
    }

    results(poll) {
        const r = poll.results;
        const id = `poll-${poll.id}-results`;
        const head = h('h4', { class: 'poll__results-title', id }, t(poll.status === 'closed' ? 'poll.results.final' : 'poll.results'));
        if (!r) {
            const why = poll.results_visibility === 'moderators' ? 'poll.hidden.moderators'
                : poll.results_visibility === 'after_close' ? 'poll.hidden.after_close'
                    : poll.results_visibility === 'after_vote' ? 'poll.hidden.after_vote' : 'poll.hidden.other';
            return h('div', { class: 'poll-results poll-results--hidden' }, head,
                h('p', null, t(why)));
        }
        const voters = r.voters ?? poll.voters ?? 0;
        const rows = [];
        if (poll.kind === 'single' || poll.kind === 'multiple') {
            const counts = new Map((r.options ?? []).map((o) => [o.id, o.count ?? 0]));
            for (const opt of poll.options) {
                const c = counts.get(opt.id) ?? 0;
                const p = percent(c, voters);
                rows.push([opt.label, `${tn('poll.votes', c, { n: formatNumber(c) })} (${pct(p)})`, voters ? c / voters : 0]);
            }
        } else if (poll.kind === 'scale') {
            for (const v of r.values ?? []) {
                const s = poll.scale;
                const label = v.value === s.min && s.min_label ? `${v.value} – ${s.min_label}`
                    : v.value === s.max && s.max_label ? `${v.value} – ${s.max_label}` : String(v.value);
                const p = percent(v.count, voters);
                rows.push([label, `${tn('poll.votes', v.count, { n: formatNumber(v.count) })} (${pct(p)})`, voters ? v.count / voters : 0]);
            }
        } else {
            const byId = new Map(poll.options.map((o) => [o.id, o.label]));
            const most = voters * Math.max(1, poll.options.length - 1);
            for (const o of r.options ?? []) {
                rows.push([byId.get(o.id) ?? '?',
                    `${tn('poll.points', o.points, { n: formatNumber(o.points) })}` +
                        (o.mean_rank ? `, ${t('poll.mean_rank', { n: decimal(o.mean_rank) })}` : ''),
                    most ? o.points / most : 0]);
            }
        }
        const list = h(poll.kind === 'ranking' ? 'ol' : 'ul', { class: 'poll-results__list' }, rows.map(([label, text, frac]) =>
            h('li', { class: 'poll-results__row' },
                h('span', { class: 'poll-results__label' }, label),
                h('span', { class: 'poll-results__value' }, text),
                bar(frac))));
        return h('div', { class: 'poll-results' }, head,
            h('p', { class: 'poll-results__voters' }, tn('poll.answers', voters, { n: formatNumber(voters) }),
                poll.kind === 'scale' && r.mean !== null && r.mean !== undefined && ` · ${t('poll.mean', { n: decimal(r.mean) })}`),
            voters > 0 ? list : h('p', { class: 'empty' }, t('poll.no_answers')),
            poll.kind === 'multiple' && voters > 0 && h('p', { class: 'hint' }, t('poll.results.multiple_note')));
    }

    // ---- the moderators' tools -------------------------------------------
    //
    // Under each poll, for moderators and admins: who sees the results and
    // whether a named poll becomes secret (poll.update), who answered what
    // in a named poll (poll.ballots), and closing it after a confirm step.
    // What is open and chosen lives in st, so the live repaints that every
    // vote brings keep it.

    manage(poll) {
        if (!isStaff(this.ctx.member)) return null;
        const st = this.st(poll.id);
        const id = `poll-${poll.id}`;
        const open = poll.status !== 'closed';
        if (!open) {
            st.confirmClose = false;
            st.editing = false;
        }
        if (poll.secret) st.ballotsOpen = false;
        return h('div', { class: 'poll-manage' },
            h('h4', { class: 'poll-manage__title', id: `${id}-manage` }, t('poll.manage.title')),
            h('div', { class: 'actions actions--tight' },
                open && h('button', {
                    type: 'button', class: 'button button--secondary', id: `${id}-settings-toggle`,
                    'aria-expanded': String(Boolean(st.editing)), 'aria-controls': st.editing ? `${id}-settings` : null,
                    onclick: () => this.toggleSettings(poll.id),
                }, t('poll.settings.open')),
                !poll.secret && h('button', {
                    type: 'button', class: 'button button--secondary', id: `${id}-ballots-toggle`,
                    onclick: () => this.toggleBallots(poll.id),
                }, t(st.ballotsOpen ? 'poll.ballots.hide' : 'poll.ballots.show')),
                open && h('button', {
                    type: 'button', class: 'button button--secondary', id: `${id}-close`,
                    onclick: () => this.askClose(poll.id),
                }, t('poll.close'))),
            st.confirmClose && this.closeConfirm(poll),
            st.editing && this.settingsForm(poll),
            st.ballotsOpen && this.ballotsView(poll),
            poll.secret && h('p', { class: 'hint', id: `${id}-ballots-secret` }, t('poll.ballots.secret')),
            h('div', { class: 'notice-slot' }, st.manageNotice && notice(st.manageNotice.kind, st.manageNotice.text)));
    }

    repaintManage(id) {
        const poll = this.polls.find((p) => p.id === id);
        const parts = this.cards?.get(id);
        if (!poll || !parts) return;
        keepFocus(parts.manage, () => fill(parts.manage, this.manage(poll)));
    }

    focusIn(id, selector) {
        this.cards?.get(id)?.manage.querySelector(selector)?.focus();
    }

    // -- closing, with a confirm step

    closeConfirm(poll) {
        const id = `poll-${poll.id}`;
        return h('div', { class: 'confirm', role: 'group', id: `${id}-close-confirm`,
            'aria-labelledby': `${id}-close-q`, 'aria-describedby': `${id}-close-more`,
            onkeydown: (ev) => {
                if (ev.key !== 'Escape') return;
                ev.preventDefault();
                this.cancelClose(poll.id);
            } },
        h('p', { id: `${id}-close-q`, tabindex: '-1' }, h('strong', null, t('poll.close.confirm'))),
        h('p', { id: `${id}-close-more` }, t(poll.secret ? 'poll.close.confirm_secret' : 'poll.close.confirm_named')),
        h('div', { class: 'actions actions--tight' },
            h('button', { type: 'button', class: 'button button--danger', id: `${id}-close-yes`,
                onclick: () => this.close(poll.id) }, t('poll.close.yes')),
            h('button', { type: 'button', class: 'button button--secondary', id: `${id}-close-no`,
                onclick: () => this.cancelClose(poll.id) }, t('cancel'))));
    }

    askClose(id) {
        const st = this.st(id);
        st.confirmClose = true;
        st.manageNotice = null;
        this.repaintManage(id);
        // The question, not the irreversible button, gets focus.
        this.focusIn(id, `#poll-${id}-close-q`);
    }

    cancelClose(id) {
        this.st(id).confirmClose = false;
        this.repaintManage(id);
        this.focusIn(id, `#poll-${id}-close`);
    }

    async close(id) {
        const st = this.st(id);
        if (st.closing) return;
        st.closing = true;
        const res = await this.ctx.ws.request('poll.close', { poll_id: id });
        st.closing = false;
        st.confirmClose = false;
        if (this.disposed) return;
        const poll = this.polls.find((p) => p.id === id);
        if (!poll) return;
        if (res.ok) {
            Object.assign(poll, res.poll);
            st.manageNotice = { kind: 'success', text: t('poll.closed_done') };
        } else {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            st.manageNotice = { kind: 'warning', text: res.error?.code === 'conflict' ? t('poll.error.closed') : errorText(res.error ?? { code: 'unknown' }) };
            if (res.error?.code === 'conflict') await this.refresh(poll);
        }
        this.paintPoll(poll, { form: true });
        this.ctx.announce(st.manageNotice.text);
        const parts = this.cards.get(id);
        const q = parts?.head.querySelector('h3') ?? parts?.li.querySelector('h3');
        if (q) {
            q.setAttribute('tabindex', '-1');
            q.focus();
        }
    }

    // The poll as the server has it now (after a conflict).
    async refresh(poll) {
        const again = await this.ctx.ws.request('poll.get', { poll_id: poll.id });
        if (again.ok && !this.disposed) Object.assign(poll, again.poll);
    }

    // -- who sees the results, named or secret (poll.update)

    // The visibilities a moderator may pick now: any before the first vote;
    // after it, the current one and those tighter than it.
    offeredVisibilities(poll) {
        if (!(poll.voters > 0)) return VISIBILITIES;
        return VISIBILITIES.slice(Math.max(0, VISIBILITIES.indexOf(poll.results_visibility)));
    }

    toggleSettings(id) {
        const st = this.st(id);
        st.editing = !st.editing;
        st.draft = null;
        st.settingsError = null;
        if (st.editing) st.manageNotice = null;
        this.repaintManage(id);
        if (st.editing) this.focusIn(id, `#poll-${id}-settings input:checked`);
    }

    settingsForm(poll) {
        const st = this.st(poll.id);
        const id = `poll-${poll.id}-settings`;
        const voted = poll.voters > 0;
        const offered = this.offeredVisibilities(poll);
        const draft = st.draft ?? {};
        const chosen = offered.includes(draft.visibility) ? draft.visibility : poll.results_visibility;
        const canSecret = !poll.secret && !voted;
        const visHint = voted && [t('poll.settings.voted'),
            offered.length < VISIBILITIES.length && ` ${t('poll.settings.voted_hidden')}`];
        let secretPart;
        if (canSecret) {
            secretPart = h('fieldset', { class: 'fieldset field' },
                h('legend', { class: 'legend' }, t('poll.field.secret')),
                h('div', { class: 'choices' }, h('div', { class: 'choice' },
                    h('input', { type: 'checkbox', id: `${id}-secret`, name: 'secret', checked: Boolean(draft.secret),
                        'aria-describedby': `${id}-secret-hint` }),
                    h('span', null,
                        h('label', { for: `${id}-secret` }, t('poll.settings.make_secret')),
                        h('span', { class: 'hint poll-choice-hint', id: `${id}-secret-hint` }, t('poll.secret.explain'))))));
        } else {
            secretPart = h('p', { class: 'hint', id: `${id}-secret-fixed` },
                t(poll.secret ? 'poll.settings.secret_fixed' : 'poll.settings.named_fixed'));
        }
        const form = h('form', { class: 'poll-settings', id, novalidate: true, 'aria-labelledby': `${id}-title` },
            h('h5', { class: 'poll-settings__title', id: `${id}-title` }, t('poll.settings.title')),
            h('fieldset', { class: 'fieldset field', id: `${id}-visibility`, 'aria-describedby': visHint ? `${id}-visibility-hint` : null },
                h('legend', { class: 'legend' }, t('poll.field.visibility')),
                visHint && h('p', { class: 'hint', id: `${id}-visibility-hint` }, visHint),
                h('div', { class: 'choices' }, offered.map((v) => h('div', { class: 'choice' },
                    h('input', { type: 'radio', id: `${id}-vis-${v}`, name: 'results_visibility', value: v, checked: v === chosen }),
                    h('label', { for: `${id}-vis-${v}` }, t(`poll.visibility.${v}`),
                        v === poll.results_visibility && h('span', { class: 'poll-settings__now' }, ` (${t('poll.settings.current')})`)))))),
            secretPart,
            h('div', { class: 'notice-slot', id: `${id}-notice` },
                st.settingsError && notice(st.settingsError.kind, st.settingsError.text)),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'submit', class: 'button', id: `${id}-save` }, t('poll.settings.save')),
                h('button', { type: 'button', class: 'button button--secondary', id: `${id}-cancel`,
                    onclick: () => this.toggleSettings(poll.id) }, t('cancel'))));
        form.addEventListener('change', () => {
            st.draft = {
                visibility: form.querySelector('input[name=results_visibility]:checked')?.value,
                secret: Boolean(form.querySelector('input[name=secret]')?.checked),
            };
        });
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.saveSettings(poll.id, form);
        });
        return form;
    }

    async saveSettings(id, form) {
        const poll = this.polls.find((p) => p.id === id);
        const st = this.st(id);
        if (!poll || st.saving) return;
        const fields = {};
        const vis = form.querySelector('input[name=results_visibility]:checked')?.value;
        if (vis && vis !== poll.results_visibility) fields.results_visibility = vis;
        if (!poll.secret && form.querySelector('input[name=secret]')?.checked) fields.secret = true;
        if (!Object.keys(fields).length) {
            st.settingsError = { kind: 'info', text: t('poll.settings.unchanged') };
            this.repaintManage(id);
            this.ctx.announce(st.settingsError.text);
            return;
        }
        st.saving = true;
        form.setAttribute('aria-busy', 'true');
        const res = await this.ctx.ws.request('poll.update', { poll_id: id, ...fields });
        st.saving = false;
        form.removeAttribute('aria-busy');
        if (this.disposed) return;
        const now = this.polls.find((p) => p.id === id);
        if (!now) return;
        if (res.ok) {
            Object.assign(now, res.poll);
            st.editing = false;
            st.draft = null;
            st.settingsError = null;
            st.manageNotice = { kind: 'success', text: t('poll.settings.saved') };
            this.paintPoll(now, { form: true });
            this.ctx.announce(st.manageNotice.text);
            this.focusIn(id, `#poll-${id}-settings-toggle`);
            return;
        }
        const code = res.error?.code;
        if (code === 'unauthenticated') return this.ctx.sessionEnded();
        if (code === 'conflict' || code === 'not_found') await this.refresh(now);
        const text = code === 'conflict'
            ? (now.status === 'closed' ? t('poll.error.closed')
                : fields.secret && now.voters > 0 ? t('poll.settings.conflict_secret') : t('poll.settings.conflict'))
            : code === 'not_found' ? t('poll.settings.not_found') : errorText(res.error ?? { code: 'unknown' });
        st.draft = null;
        if (now.status === 'closed') {
            st.editing = false;
            st.manageNotice = { kind: 'warning', text };
        } else {
            st.settingsError = { kind: 'warning', text };
        }
        this.paintPoll(now, { form: true });
        this.ctx.announce(text);
        if (st.editing) this.focusIn(id, `#poll-${id}-settings input:checked`);
        else this.focusIn(id, 'button');
    }

    // -- who answered what, in a named poll (poll.ballots)

    toggleBallots(id) {
        const st = this.st(id);
        st.ballotsOpen = !st.ballotsOpen;
        if (st.ballotsOpen) this.loadBallots(id);
        else this.repaintManage(id);
    }

    async loadBallots(id) {
        const st = this.st(id);
        if (st.ballotsLoading) return;
        st.ballotsLoading = true;
        this.repaintManage(id);
        const res = await this.ctx.ws.request('poll.ballots', { poll_id: id });
        st.ballotsLoading = false;
        if (this.disposed) return;
        const poll = this.polls.find((p) => p.id === id);
        if (!poll) return;
        if (res.ok) {
            st.ballots = res.ballots ?? [];
            st.ballotsError = null;
            this.repaintManage(id);
            this.ctx.announce(tn('poll.ballots.loaded', st.ballots.length, { n: formatNumber(st.ballots.length) }));
            return;
        }
        const code = res.error?.code;
        if (code === 'unauthenticated') return this.ctx.sessionEnded();
        st.ballots = null;
        if (code === 'forbidden' || code === 'not_found') await this.refresh(poll);
        st.ballotsError = code === 'forbidden' ? t('poll.ballots.secret') : errorText(res.error ?? { code: 'unknown' });
        if (poll.secret) {
            // It became secret meanwhile: the explanation shows in place of the table.
            st.ballotsOpen = false;
            st.manageNotice = { kind: 'info', text: st.ballotsError };
            this.paintPoll(poll, { form: true });
        } else {
            this.repaintManage(id);
        }
        this.ctx.announce(st.ballotsError);
    }

    // One member's answer as text (a ranking as an ordered list).
    ballotAnswer(poll, answer) {
        const label = (id) => poll.options?.find((o) => o.id === id)?.label ?? '?';
        if (poll.kind === 'scale') {
            const s = poll.scale ?? {};
            return answer === s.min && s.min_label ? `${answer} – ${s.min_label}`
                : answer === s.max && s.max_label ? `${answer} – ${s.max_label}` : String(answer);
        }
        if (poll.kind === 'ranking') return h('ol', { class: 'poll-ballots__ranking' }, [answer].flat().map((id) => h('li', null, label(id))));
        if (poll.kind === 'multiple') {
            const picked = new Set([answer].flat());
            return poll.options.filter((o) => picked.has(o.id)).map((o) => o.label).join(', ');
        }
        return label(answer);
    }

    ballotsView(poll) {
        const st = this.st(poll.id);
        const id = `poll-${poll.id}-ballots`;
        if (st.ballotsError) {
            return h('div', { class: 'poll-ballots', id },
                notice('warning', st.ballotsError),
                h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--secondary', id: `${id}-refresh`,
                        onclick: () => this.loadBallots(poll.id) }, t('poll.ballots.retry'))));
        }
        if (!st.ballots) return h('p', { class: 'poll-ballots hint', id }, t('loading'));
        const lang = document.documentElement.lang || 'fi';
        const name = (b) => b.member?.display_name ?? t('poll.ballots.no_name');
        const rows = st.ballots.slice().sort((a, b) => name(a).localeCompare(name(b), lang));
        return h('div', { class: 'poll-ballots', id, 'aria-busy': st.ballotsLoading ? 'true' : null },
            rows.length === 0 ? h('p', { class: 'empty' }, t('poll.ballots.none'))
                : h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': `${id}-caption` },
                    h('table', { class: 'table poll-ballots__table', id: `${id}-table` },
                        h('caption', { id: `${id}-caption` }, t('poll.ballots.caption', { question: poll.question })),
                        h('thead', null, h('tr', null,
                            h('th', { scope: 'col' }, t('poll.ballots.member')),
                            h('th', { scope: 'col' }, t(poll.kind === 'ranking' ? 'poll.ballots.ranking' : 'poll.ballots.answer')))),
                        h('tbody', null, rows.map((b) => h('tr', null,
                            h('th', { scope: 'row' }, name(b)),
                            h('td', null, this.ballotAnswer(poll, b.answer))))))),
            h('p', { class: 'hint' }, t('poll.ballots.static')),
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: 'button button--secondary', id: `${id}-refresh`,
                    onclick: () => this.loadBallots(poll.id) }, t('poll.ballots.refresh'))));
    }
}

// ---- the moderators' form for a new poll ----------------------------------

export class PollCreateForm {
    constructor(ctx, { period, topics, created }) {
        this.ctx = ctx;
        this.period = period;
        this.topics = topics;
        this.created = created;
        this.kind = 'single';
        this.options = ['', ''];
        this.optionSerial = 0;
    }

    element() {
        // Built again on a re-render (a language change): what was typed in
        // the options and the chosen kind carry over.
        if (this.optionsList) this.options = this.readOptions();
        if (this.form?.elements.kind.value) this.kind = this.form.elements.kind.value;
        const f = 'pollnew';
        const radios = (name, values, checked, labelFor, hintFor) => h('div', { class: 'choices' }, values.map((v) => {
            const id = `${f}-${name}-${v}`;
            return h('div', { class: 'choice' },
                h('input', { type: 'radio', id, name, value: v, checked: v === checked,
                    'aria-describedby': hintFor ? `${id}-hint` : null }),
                h('span', null,
                    h('label', { for: id }, labelFor(v)),
                    hintFor && h('span', { class: 'hint poll-choice-hint', id: `${id}-hint` }, hintFor(v))));
        }));
        const field = (name, label, control, hint) => h('div', { class: 'field', 'data-field': name },
            h('label', { class: 'label', for: `${f}-${name}` }, label),
            hint && h('p', { class: 'hint', id: `${f}-${name}-hint` }, hint),
            h('p', { class: 'field-error', id: `${f}-${name}-error`, hidden: true }),
            control);
        const group = (name, legend, content, hint) => h('fieldset', { class: 'field fieldset', 'data-field': name, id: `${f}-${name}`,
            'aria-describedby': hint ? `${f}-${name}-hint` : null },
        h('legend', { class: 'legend' }, legend),
        hint && h('p', { class: 'hint', id: `${f}-${name}-hint` }, hint),
        h('p', { class: 'field-error', id: `${f}-${name}-error`, hidden: true }),
        content);

        this.optionsList = h('ol', { class: 'poll-options-edit' });
        const scaleSelect = (name, from, to, value) => h('select', { id: `${f}-${name}`, name, class: 'select select--narrow' },
            Array.from({ length: to - from + 1 }, (_, i) => from + i).map((v) => h('option', { value: v, selected: v === value }, String(v))));
        const topicOptions = [{ value: '', label: t('poll.field.topic.none') },
            ...this.topics.map((tp) => ({ value: String(tp.id), label: tp.title }))];

        this.optionsBox = group('options', t('poll.field.options'), [
            this.optionsList,
            h('div', { class: 'actions actions--tight' },
                h('button', { type: 'button', class: 'button button--secondary', id: `${f}-option-add`, onclick: () => this.addOption() },
                    t('poll.field.options.add'))),
        ], t('poll.field.options.hint'));
        this.picksBox = group('picks', t('poll.field.picks'), h('div', { class: 'poll-inline-fields' },
            field('min_picks', t('poll.field.min_picks'), h('input', { type: 'number', id: `${f}-min_picks`, name: 'min_picks', class: 'input input--year', min: 1, value: 1, inputmode: 'numeric' })),
            field('max_picks', t('poll.field.max_picks'), h('input', { type: 'number', id: `${f}-max_picks`, name: 'max_picks', class: 'input input--year', min: 1, value: 2, inputmode: 'numeric' }))));
        this.scaleBox = group('scale', t('poll.field.scale'), h('div', null,
            h('div', { class: 'poll-inline-fields' },
                field('scale_min', t('poll.field.scale_min'), scaleSelect('scale_min', 0, 1, 1)),
                field('scale_max', t('poll.field.scale_max'), scaleSelect('scale_max', 2, 10, 5))),
            field('scale_min_label', t('poll.field.scale_min_label'), h('input', { type: 'text', id: `${f}-scale_min_label`, name: 'scale_min_label', class: 'input input--medium', maxlength: 60 })),
            field('scale_max_label', t('poll.field.scale_max_label'), h('input', { type: 'text', id: `${f}-scale_max_label`, name: 'scale_max_label', class: 'input input--medium', maxlength: 60 }))));

        const form = h('form', { id: 'poll-form', class: 'form', novalidate: true, 'aria-labelledby': 'poll-new' },
            h('div', { class: 'error-summary', role: 'region', tabindex: '-1', hidden: true, id: 'poll-form-errors',
                'aria-labelledby': 'poll-form-errors-title' },
            h('h3', { class: 'error-summary__title', id: 'poll-form-errors-title' }, t('error.summary_title')),
            h('ul', { class: 'error-summary__list' })),
            field('question', t('poll.field.question'),
                h('input', { type: 'text', id: `${f}-question`, name: 'question', class: 'input', required: true, maxlength: QUESTION_MAX })),
            field('help', t('poll.field.help'),
                h('textarea', { id: `${f}-help`, name: 'help', class: 'input textarea', rows: 3, 'aria-describedby': `${f}-help-hint` }),
                t('poll.field.help.hint')),
            group('kind', t('poll.field.kind'), radios('kind', KINDS, this.kind, (k) => t(`poll.kind.${k}`), (k) => t(`poll.kind.${k}.hint`))),
            this.optionsBox,
            this.picksBox,
            this.scaleBox,
            group('results_visibility', t('poll.field.visibility'),
                radios('results_visibility', VISIBILITIES, 'after_vote', (v) => t(`poll.visibility.${v}`), null)),
            group('secret', t('poll.field.secret'),
                radios('secret', ['named', 'secret'], 'named', (v) => t(`poll.${v}.label`), (v) => t(`poll.${v}.explain`))),
            group('closes_at', t('poll.field.closes_at'), h('div', { class: 'poll-inline-fields' },
                field('closes_date', t('poll.field.closes_date'), h('input', { type: 'date', id: `${f}-closes_date`, name: 'closes_date', class: 'input input--medium' })),
                field('closes_time', t('poll.field.closes_time'), h('input', { type: 'time', id: `${f}-closes_time`, name: 'closes_time', class: 'input input--year' }))),
            t('poll.field.closes_at.hint')),
            this.topics.length > 0 && field('topic_id', t('poll.field.topic'),
                h('select', { id: `${f}-topic_id`, name: 'topic_id', class: 'select' },
                    topicOptions.map((o) => h('option', { value: o.value }, o.label)))),
            h('div', { class: 'notice-slot', id: 'poll-form-notice' }),
            h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', id: 'poll-submit' }, t('poll.create'))));
        form.addEventListener('change', (ev) => {
            if (ev.target.name === 'kind') {
                this.kind = ev.target.value;
                this.showKind();
            }
        });
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit(form);
        });
        // Enter in the question or an option does not make the poll.
        noEnterSubmit(form);
        this.form = form;
        this.paintOptions();
        this.showKind();
        return h('section', { class: 'section panel', 'aria-labelledby': 'poll-new' },
            h('h2', { id: 'poll-new' }, t('poll.new')),
            h('p', { class: 'hint' }, t('poll.new.hint')),
            form);
    }

    showKind() {
        this.optionsBox.hidden = this.kind === 'scale';
        this.picksBox.hidden = this.kind !== 'multiple';
        this.scaleBox.hidden = this.kind !== 'scale';
    }

    readOptions() {
        return [...this.optionsList.querySelectorAll('input')].map((el) => el.value);
    }

    paintOptions(focusIndex = null) {
        const n = this.options.length;
        fill(this.optionsList, this.options.map((value, i) => {
            const id = `pollnew-option-${i}`;
            const input = h('input', { type: 'text', id, class: 'input', maxlength: OPTION_MAX, 'data-nosnapshot': true });
            input.value = value;
            return h('li', { class: 'poll-options-edit__item' },
                h('label', { class: 'label', for: id }, t('poll.field.option', { n: i + 1 })),
                h('div', { class: 'poll-options-edit__row' }, input,
                    n > 2 && h('button', { type: 'button', class: 'button button--secondary button--small', id: `${id}-remove`,
                        'aria-label': t('poll.field.options.remove_n', { n: i + 1 }),
                        onclick: () => this.removeOption(i) }, t('poll.field.options.remove'))));
        }));
        if (focusIndex !== null) document.getElementById(`pollnew-option-${focusIndex}`)?.focus();
    }

    addOption() {
        this.options = this.readOptions();
        if (this.options.length >= 20) return;
        this.options.push('');
        this.paintOptions(this.options.length - 1);
    }

    removeOption(i) {
        this.options = this.readOptions();
        this.options.splice(i, 1);
        this.paintOptions(Math.min(i, this.options.length - 1));
        this.ctx.announce(t('poll.field.options.removed', { n: i + 1 }));
    }

    showProblems(form, problems) {
        showFormProblems(form, problems);
    }

    async submit(form) {
        if (form.dataset.busy !== undefined) return;
        const el = form.elements;
        const question = el.question.value.trim();
        const help = el.help.value.trim();
        const kind = this.kind;
        const options = this.readOptions().map((s) => s.trim()).filter(Boolean);
        const problems = [];
        if (!question) problems.push({ field: 'question', text: t('poll.error.question') });
        else if ([...question].length > QUESTION_MAX) problems.push({ field: 'question', text: t('poll.error.question_long', { max: QUESTION_MAX }) });
        if ([...help].length > HELP_MAX) problems.push({ field: 'help', text: t('poll.error.help_long', { max: formatNumber(HELP_MAX) }) });
        const fields = { period_id: this.period.id, question, kind, results_visibility: el.results_visibility.value, secret: el.secret.value === 'secret' };
        if (help) fields.help = help;
        if (kind !== 'scale') {
            const most = kind === 'ranking' ? 10 : 20;
            if (options.length < 2 || options.length > most) problems.push({ field: 'options', text: t('poll.error.options', { max: most }) });
            else if (new Set(options).size !== options.length) problems.push({ field: 'options', text: t('poll.error.options_same') });
            fields.options = options;
        }
        if (kind === 'multiple') {
            const min = Number(el.min_picks.value);
            const max = Number(el.max_picks.value);
            if (!Number.isInteger(min) || min < 1 || min > options.length) problems.push({ field: 'min_picks', text: t('poll.error.min_picks', { n: options.length }) });
            else if (!Number.isInteger(max) || max < min || max > options.length) problems.push({ field: 'max_picks', text: t('poll.error.max_picks', { min, n: options.length }) });
            fields.min_picks = min;
            fields.max_picks = max;
        }
        if (kind === 'scale') {
            fields.scale = {
                min: Number(el.scale_min.value), max: Number(el.scale_max.value),
                min_label: el.scale_min_label.value.trim(), max_label: el.scale_max_label.value.trim(),
            };
        }
        const date = el.closes_date.value;
        const time = el.closes_time.value;
        if (date || time) {
            const iso = localToIso(date, time);
            if (!iso) problems.push({ field: 'closes_date', text: t('poll.error.closes_at') });
            else if (new Date(iso) <= new Date()) problems.push({ field: 'closes_date', text: t('poll.error.closes_past') });
            else fields.closes_at = iso;
        }
        if (el.topic_id?.value) fields.topic_id = Number(el.topic_id.value);
        if (problems.length) {
            this.showProblems(form, problems);
            return;
        }
        form.dataset.busy = '';
        form.setAttribute('aria-busy', 'true');
        const res = await this.ctx.ws.request('poll.create', fields);
        delete form.dataset.busy;
        form.removeAttribute('aria-busy');
        const slot = form.querySelector('#poll-form-notice');
        if (res.ok) {
            this.showProblems(form, []);
            form.reset();
            this.kind = 'single';
            this.options = ['', ''];
            this.paintOptions();
            this.showKind();
            const text = t('poll.created', { question: res.poll.question });
            slot.replaceChildren(notice('success', text));
            this.ctx.announce(text);
            this.created(res.poll);
            return;
        }
        if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
        const err = res.error ?? { code: 'unknown' };
        const map = { closes_at: 'closes_date', scale: 'scale', options: 'options' };
        const field = err.field && form.querySelector(`[data-field="${map[err.field] ?? err.field}"]`) ? (map[err.field] ?? err.field) : null;
        const text = err.code === 'too_long' ? t('poll.error.too_long')
            : err.code === 'period_closed' ? t('poll.error.period_closed')
                : err.field === 'closes_at' ? t('poll.error.closes_server') : errorText(err);
        if (field) this.showProblems(form, [{ field, text }]);
        else {
            slot.replaceChildren(notice('warning', text));
            this.ctx.announce(text);
        }
    }
}

