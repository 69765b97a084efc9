// Notices: what moderators did about the member's own posts and account
// (docs/protocol.md, "Notices"). The app subscribes to the member's own
// channel `me` once signed in and keeps the unread count for the site
// navigation ("Ilmoitukset (2)"); #/notices lists them newest first, with
// older ones a page at a time, marks what was shown read, takes new ones
// live, and lets the member appeal a hidden post once. Notices about a
// period's public results link to the page, and one about a quoted post
// lets its author withdraw the quote (quote.withdraw).
import { h, fill } from '../dom.js';
import { t, tn, formatNumber } from '../i18n.js';
import { errorText } from '../forms.js';
import { timeEl, loadFailed } from './periodparts.js';
import { MiniForm, needText } from './miniform.js';

const PAGE = 20;
const KINDS = ['post.hidden', 'post.restored', 'post.edited', 'post.deleted', 'post.moved', 'appeal.refused',
    'member.warned', 'member.suspended'];
// Notices about results pages (docs/protocol.md, "Results").
const RESULT_KINDS = ['results.published', 'follow_up.added', 'post.quoted'];

// The app-wide part: one subscription to `me` per signed-in member.
export const noticeCenter = {
    memberId: null,
    unread: 0,
    sub: null,
    listeners: new Set(),
    ctx: null,

    // Called whenever the member may have changed (hello, sign-in, sign-out).
    async start(ctx) {
        this.ctx = ctx;
        const id = ctx.member?.id ?? null;
        if (id === this.memberId) return;
        this.stop();
        this.memberId = id;
        if (!id) return;
        const sub = await ctx.live.subscribe('me', {
            event: (frame) => this.event(frame),
            resync: () => this.count(),
            resubscribed: () => this.count(),
        });
        if (this.memberId !== id) {
            sub.close();
            return;
        }
        this.sub = sub;
        await this.count();
    },

    stop() {
        this.sub?.close();
        this.sub = null;
        this.memberId = null;
        this.setUnread(0);
    },

    async count() {
        const id = this.memberId;
        const res = await this.ctx.ws.request('notice.list', { limit: 1 });
        if (res.ok && this.memberId === id && Number.isInteger(res.unread)) this.setUnread(res.unread);
    },

    event(frame) {
        if (frame.event !== 'notice.created' || !frame.data) return;
        const notice = frame.data;
        if (!notice.read) this.setUnread(this.unread + 1);
        for (const fn of this.listeners) fn(notice);
    },

    setUnread(n) {
        if (n === this.unread) return;
        this.unread = Math.max(0, n);
        paintNavCount();
    },
};

// The navigation link's text: "Ilmoitukset" and, when some are unread,
// "(2)" that a screen reader hears as "2 lukematonta".
export function noticesLinkContent() {
    const n = noticeCenter.unread;
    return [t('notices.nav'), n > 0 && h('span', { class: 'nav-count' },
        h('span', { 'aria-hidden': 'true' }, ` (${formatNumber(n)})`),
        h('span', { class: 'visually-hidden' }, `, ${tn('notices.unread', n, { n: formatNumber(n) })}`))];
}

function paintNavCount() {
    const link = document.getElementById('nav-notices');
    if (link) fill(link, noticesLinkContent());
}

function kindText(notice) {
    // Hidden by members' reports, not by a moderator: no reason is given.
    if (notice.kind === 'post.hidden' && notice.reason === null) return t('notices.kind.post.hidden_by_reports');
    if (RESULT_KINDS.includes(notice.kind)) return t(`notices.kind.${notice.kind}`, { title: notice.results?.title ?? '' });
    return KINDS.includes(notice.kind) ? t(`notices.kind.${notice.kind}`) : t('notices.kind.other');
}

class NoticesPage {
    constructor(ctx) {
        this.ctx = ctx;
        this.notices = [];
        this.nextBefore = null;
        this.loaded = false;
        this.error = null;
        this.forms = new Map(); // notice id -> MiniForm (appeal)
        this.withdrawing = new Set(); // notice ids whose quote waits for a yes
        this.flashes = new Map();
        this.fresh = new Set(); // unread when shown: marked "new" for this visit
        this.onNotice = (n) => this.add(n);
        noticeCenter.listeners.add(this.onNotice);
        this.load();
    }

    dispose() {
        this.disposed = true;
        noticeCenter.listeners.delete(this.onNotice);
    }

    async load() {
        const res = await this.ctx.ws.request('notice.list', { limit: PAGE });
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.error = res.error;
            this.paint();
            return;
        }
        this.error = null;
        this.loaded = true;
        this.notices = res.notices ?? [];
        this.nextBefore = res.next_before ?? null;
        for (const n of this.notices) if (!n.read) this.fresh.add(n.id);
        this.paint();
        this.markRead();
    }

    async more() {
        if (this.moreBusy || !this.nextBefore) return;
        this.moreBusy = true;
        const res = await this.ctx.ws.request('notice.list', { limit: PAGE, before: this.nextBefore });
        this.moreBusy = false;
        if (this.disposed) return;
        if (!res.ok) {
            this.ctx.announce(errorText(res.error ?? { code: 'unknown' }));
            return;
        }
        const older = (res.notices ?? []).filter((n) => !this.notices.some((x) => x.id === n.id));
        for (const n of older) if (!n.read) this.fresh.add(n.id);
        this.notices.push(...older);
        this.nextBefore = res.next_before ?? null;
        this.paint();
        document.getElementById(`notice-${older[0]?.id}`)?.focus();
        this.ctx.announce(tn('notices.loaded', older.length, { n: formatNumber(older.length) }));
        this.markRead();
    }

    // A notice that came while the list is open: first in it, said out loud.
    add(notice) {
        if (!this.loaded || this.notices.some((n) => n.id === notice.id)) return;
        this.notices.unshift(notice);
        this.fresh.add(notice.id);
        this.paint();
        this.ctx.announce(t('notices.new', { kind: kindText(notice) }));
        this.markRead();
    }

    // What is on screen counts as read.
    async markRead() {
        const upto = Math.max(0, ...this.notices.filter((n) => !n.read).map((n) => n.id));
        if (!upto || document.visibilityState === 'hidden') return;
        const res = await this.ctx.ws.request('notice.read', { upto });
        if (!res.ok) return;
        for (const n of this.notices) if (n.id <= upto) n.read = true;
        if (Number.isInteger(res.unread)) noticeCenter.setUnread(res.unread);
    }

    render() {
        this.serial = (this.serial ?? 0) + 1;
        this.h1 = h('h1', { id: 'notices-title', tabindex: '-1' }, t('notices.title'));
        this.box = h('div');
        this.paint();
        return [this.h1, h('p', { class: 'lead' }, t('notices.intro')), this.box];
    }

    paint() {
        if (!this.box || this.disposed) return;
        const active = document.activeElement?.id;
        if (this.error) {
            fill(this.box, loadFailed(this.error, () => this.load()));
            return;
        }
        if (!this.loaded) {
            fill(this.box, h('p', null, t('loading')));
            return;
        }
        fill(this.box,
            this.notices.length
                ? h('ol', { class: 'notice-list', 'aria-label': t('notices.title') }, this.notices.map((n) => this.item(n)))
                : h('p', { class: 'empty' }, t('notices.none')),
            this.nextBefore && h('p', { class: 'load-more' }, h('button', {
                type: 'button', class: 'button button--secondary', id: 'notices-more', onclick: () => this.more(),
            }, t('notices.more'))));
        if (active && document.getElementById(active) && document.activeElement !== document.getElementById(active)) {
            document.getElementById(active).focus();
        }
    }

    item(n) {
        const id = `notice-${n.id}`;
        const form = this.forms.get(n.id);
        const flash = this.flashes.get(n.id);
        const link = n.topic && h('a', { href: n.post_id ? `#/topics/${n.topic.id}?post=${n.post_id}` : `#/topics/${n.topic.id}`,
            id: `${id}-link` }, t('notices.see_post', { title: n.topic.title }));
        return h('li', { class: ['notice-item', this.fresh.has(n.id) && 'notice-item--new'] },
            h('article', { id, tabindex: '-1', 'aria-labelledby': `${id}-kind` },
                h('h2', { class: 'notice-item__kind', id: `${id}-kind` }, kindText(n),
                    this.fresh.has(n.id) && ' ', this.fresh.has(n.id) && h('span', { class: 'badge badge--new' }, t('post.new'))),
                h('p', { class: 'notice-item__time' }, timeEl(n.created_at)),
                n.reason && h('p', { class: 'notice-item__reason' }, h('strong', null, t('notices.reason')), ' ', n.reason),
                !n.reason && n.kind === 'post.hidden' && h('p', { class: 'notice-item__reason' }, t('hidden.why_reports')),
                link && !RESULT_KINDS.includes(n.kind) && h('p', null, link),
                RESULT_KINDS.includes(n.kind) && this.resultsPart(n),
                n.can_appeal && !form && !flash && h('p', null, h('button', {
                    type: 'button', class: 'button button--secondary', id: `${id}-appeal`,
                    onclick: () => this.openAppeal(n),
                }, t('hidden.appeal'), n.topic && h('span', { class: 'visually-hidden' }, ` – ${t('notices.see_post', { title: n.topic.title })}`))),
                form && form.element(this.serial),
                flash && h('p', { class: 'notice notice--success', id: `${id}-flash`, tabindex: '-1' }, flash)));
    }

    // The page's link, and for a quoted post its words and a way to take
    // them back.
    resultsPart(n) {
        const id = `notice-${n.id}`;
        const r = n.results;
        const q = n.kind === 'post.quoted' ? n.quote : null;
        const asking = q && !q.withdrawn && this.withdrawing.has(n.id);
        return [
            q && h('blockquote', { class: 'notice-item__quote', id: `${id}-quote` }, h('p', null, q.text)),
            n.kind === 'post.quoted' && h('p', { class: 'hint' }, t('notices.quote.explain')),
            r?.url && h('p', null, h('a', { href: r.url, id: `${id}-results` },
                t(n.kind === 'follow_up.added' ? 'notices.results.follow_up_link' : 'notices.results.link', { title: r.title }))),
            q && q.withdrawn && !this.flashes.has(n.id) && h('p', { class: 'notice notice--info', id: `${id}-withdrawn` }, t('notices.quote.withdrawn')),
            q && !q.withdrawn && !asking && h('p', null, h('button', {
                type: 'button', class: 'button button--secondary', id: `${id}-withdraw`,
                onclick: () => this.askWithdraw(n),
            }, t('notices.quote.withdraw'))),
            asking && h('div', { class: 'confirm', role: 'group', 'aria-labelledby': `${id}-withdraw-q` },
                h('p', { id: `${id}-withdraw-q`, tabindex: '-1' }, h('strong', null, t('notices.quote.withdraw_q'))),
                h('p', null, t('notices.quote.withdraw_text')),
                h('p', { class: 'notice-slot', id: `${id}-withdraw-error` }),
                h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--danger', id: `${id}-withdraw-yes`,
                        onclick: () => this.withdraw(n) }, t('notices.quote.withdraw_yes')),
                    h('button', { type: 'button', class: 'button button--secondary', id: `${id}-withdraw-no`,
                        onclick: () => {
                            this.withdrawing.delete(n.id);
                            this.paint();
                            document.getElementById(`${id}-withdraw`)?.focus();
                        } }, t('cancel')))),
        ];
    }

    askWithdraw(n) {
        this.withdrawing.add(n.id);
        this.paint();
        document.getElementById(`notice-${n.id}-withdraw-q`)?.focus();
    }

    async withdraw(n) {
        if (this.withdrawBusy) return;
        this.withdrawBusy = true;
        const res = await this.ctx.ws.request('quote.withdraw', { quote_id: n.quote.id });
        this.withdrawBusy = false;
        if (this.disposed) return;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            const text = res.error?.code === 'not_found' ? t('notices.quote.not_found') : errorText(res.error ?? { code: 'unknown' });
            const slot = document.getElementById(`notice-${n.id}-withdraw-error`);
            slot?.replaceChildren(h('span', { class: 'notice notice--warning' }, text));
            this.ctx.announce(text);
            return;
        }
        this.withdrawing.delete(n.id);
        // Every notice about the same quote now says it is withdrawn.
        for (const other of this.notices) if (other.quote?.id === n.quote.id) other.quote = { ...other.quote, withdrawn: true };
        this.flashes.set(n.id, t('notices.quote.withdrawn'));
        this.paint();
        document.getElementById(`notice-${n.id}-flash`)?.focus();
        this.ctx.announce(t('notices.quote.withdrawn'));
    }

    openAppeal(n) {
        const form = new MiniForm({
            id: `notice-appeal-${n.id}`, title: t('hidden.appeal_title'), intro: t('hidden.appeal_intro'),
            submitLabel: t('hidden.appeal_send'),
            fields: [{ name: 'text', kind: 'textarea', rows: 3, label: t('hidden.appeal_text') }],
            check: (v) => [needText(v, 'text', 1000)].filter(Boolean),
            onSubmit: (v) => this.ctx.ws.request('appeal.create', { post_id: n.post_id, text: v.text.trim() }),
            onDone: () => {
                this.forms.delete(n.id);
                // One appeal per post: no other notice about it offers one.
                for (const other of this.notices) if (other.post_id === n.post_id) other.can_appeal = false;
                this.flashes.set(n.id, t('hidden.appeal_sent'));
                this.paint();
                document.getElementById(`notice-${n.id}-flash`)?.focus();
                this.ctx.announce(t('hidden.appeal_sent'));
            },
            onCancel: () => {
                this.forms.delete(n.id);
                this.paint();
                document.getElementById(`notice-${n.id}-appeal`)?.focus();
            },
            errorText: (err) => (err.code === 'conflict' ? t('hidden.appeal_conflict') : errorText(err)),
            announce: (text) => this.ctx.announce(text),
        });
        this.forms.set(n.id, form);
        this.paint();
        form.focus();
    }
}

export default {
    title: 'notices.title',
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new NoticesPage(ctx);
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};
