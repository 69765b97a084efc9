// #/topics/<id>: a discussion. The opening post, then the thread: replies
// nest up to depth 4 and deeper ones are shown flat, naming the member
// replied to. Long topics load in windows ("show earlier", "show more"),
// posts newer than the member's read mark are marked new, and what the
// member sees is marked read. Live from topic:<id> (posts, reactions,
// viewers) and period:<id> (the period opening or closing); after a dropped
// connection the catch-up is applied by post id, so nothing is duplicated,
// and half-written replies are kept throughout (see composer.js).
import { h, fill, serverHtml, syncChildren } from '../dom.js';
import { t, tn, formatNumber } from '../i18n.js';
import { PollsSection } from './polls.js';
import { LiveView, keepFocus } from './liveview.js';
import { Composer, postErrorText } from '../composer.js';
import { draftKey, draftsUnder, removeDraft } from '../drafts.js';
import { notice } from '../forms.js';
import { timeEl, loadingHeading, loadFailed, breadcrumb } from './periodparts.js';

const REACTIONS = ['agree', 'good_idea', 'thanks'];
const MAX_INDENT = 4; // replies deeper than this are shown flat
const VIEWERS_EVERY_MS = 5000; // the viewer count is re-announced at most this often
const ANNOUNCE_AFTER_MS = 1500; // new posts are gathered this long into one message
const ANNOUNCE_GAP_MS = 10000; // and messages about them are at least this far apart
const READ_AFTER_MS = 800;

// How many posts a window holds (topic.get and post.list `limit`).
// localStorage 'raati.pageSize' overrides it (tests use small windows).
function pageSize() {
    try {
        const n = Number(window.localStorage.getItem('raati.pageSize'));
        if (Number.isInteger(n) && n >= 1 && n <= 200) return n;
    } catch {
        /* storage blocked */
    }
    return 50;
}

// 32 hex digits from the browser's random source (crypto.randomUUID needs
// a secure context; getRandomValues does not).
function randomKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function authorName(post) {
    return post?.author?.display_name ?? t('post.deleted_author');
}

// "> Maija wrote:" and the post's markdown, each line quoted.
export function quoteOf(post) {
    const lines = String(post.body ?? '').replace(/\s+$/, '').split('\n');
    return [`> ${t('post.quote_intro', { name: authorName(post) })}`, '>', ...lines.map((l) => (l ? `> ${l}` : '>'))].join('\n') + '\n\n';
}

class TopicPage extends LiveView {
    constructor(ctx, id, at) {
        super(ctx);
        this.id = id;
        this.topic = null;
        this.period = null;
        this.error = null;
        this.posts = new Map(); // id -> post: the window, the opening post, and new ones
        this.order = []; // the window in thread order
        this.hasBefore = false;
        this.hasAfter = false;
        this.lastPostAtLoad = '';
        this.unread = new Set(); // posts marked new for this visit
        this.first = null; // { unread, lastPostAt, firstUnreadId } as the first load found them
        this.liveNew = new Set(); // posts by others that came while viewing
        this.elsewhere = []; // new posts outside the window
        this.viewers = null;
        this.replying = new Set(); // posts with an open reply box
        this.editing = new Set();
        this.confirming = new Set(); // posts asking "delete?"
        this.reacting = new Set();
        this.composers = new Map(); // 'top', 'r<id>', 'e<id>' -> Composer
        this.els = new Map(); // post id -> { li, article, children, flat }
        this.readMax = 0;
        this.readSent = 0;
        this.announceQueue = [];
        this.lastAnnounced = 0;
        this.onVisible = () => {
            if (document.visibilityState === 'visible') this.scheduleRead();
        };
        document.addEventListener('visibilitychange', this.onVisible);
        const atPost = /^\d+$/.test(at ?? '') ? Number(at) : null;
        this.load({ at: atPost ?? 'unread', focus: atPost });
    }

    get me() {
        return this.ctx.member?.id;
    }

    get canWrite() {
        return this.period?.status === 'open';
    }

    get openingId() {
        return this.topic?.opening_post_id;
    }

    dispose() {
        super.dispose();
        this.polls?.dispose();
        this.observer?.disconnect();
        document.removeEventListener('visibilitychange', this.onVisible);
        clearTimeout(this.readTimer);
        clearTimeout(this.announceTimer);
        clearTimeout(this.viewersTimer);
    }

    // ---- loading -------------------------------------------------------

    async load({ at = 'unread', focus = null } = {}) {
        let loaded = false;
        await this.runLoad(async () => {
            const sub = await this.subscribe(`topic:${this.id}`);
            if (this.disposed) return;
            if (!sub.ok) return this.fail(sub.error);
            if (Number.isInteger(sub.viewers)) this.viewers = sub.viewers;
            const res = await this.ctx.ws.request('topic.get', { topic_id: this.id, at, limit: pageSize() });
            if (this.disposed) return;
            if (!res.ok) return this.fail(res.error);
            this.error = null;
            this.topic = res.topic;
            this.period = res.period;
            this.lastPostAtLoad = String(res.topic.last_post_at ?? '');
            this.posts = new Map();
            this.order = [];
            this.elsewhere = [];
            this.addWindow(res.posts ?? [], 'replace');
            this.hasBefore = Boolean(res.has_before);
            this.hasAfter = Boolean(res.has_after);
            if (Number.isInteger(res.viewers)) this.viewers = res.viewers;
            // The opening post always comes first, also when the window
            // starts further down.
            if (this.openingId && !this.posts.has(this.openingId)) {
                const op = await this.ctx.ws.request('topic.get', { topic_id: this.id, at: this.openingId, limit: 1 });
                const first = op.ok ? (op.posts ?? []).find((p) => p.id === this.openingId) : null;
                if (first) this.posts.set(first.id, { ...first, mine: first.mine ?? [] });
            }
            // What was unread is decided by the first load of the visit; a
            // later one (a jump, a resync) comes after posts have been
            // marked read, and must not take the markers away.
            this.first ??= {
                unread: res.topic.unread ?? 0,
                lastPostAt: this.lastPostAtLoad,
                firstUnreadId: res.first_unread_id ?? null,
            };
            const marked = this.unread;
            this.markUnread();
            for (const id of marked) if (this.posts.has(id) && !this.posts.get(id).deleted) this.unread.add(id);
            await this.subscribe(`period:${this.period.id}`);
            if (!this.polls) this.polls = new PollsSection(this.ctx, { periodId: this.period.id, topicId: this.id, period: this.period });
            this.polls.setPeriod(this.period);
            this.restoreDrafts();
            loaded = true;
        });
        if (this.disposed) return;
        if (this.topic) this.ctx.setTitle(this.topic.title);
        this.paintAll();
        if (loaded && focus) this.focusPost(Number(focus), { load: false });
        return loaded;
    }

    fail(error) {
        if (error?.code === 'unauthenticated') {
            this.ctx.sessionEnded();
            return;
        }
        this.error = error ?? { code: 'unknown' };
    }

    reload() {
        this.load({ at: this.order[0] ?? 'unread' });
    }

    // Adds a window of posts; returns the ids that were not shown before.
    addWindow(posts, where) {
        const ids = [];
        for (const p of posts) {
            const old = this.posts.get(p.id);
            if (!old || (p.seq ?? 0) >= (old.seq ?? 0)) this.posts.set(p.id, { ...old, ...p, mine: p.mine ?? old?.mine ?? [] });
            ids.push(p.id);
        }
        const shown = new Set(this.order);
        const fresh = ids.filter((id) => !shown.has(id));
        if (where === 'replace') this.order = ids;
        else if (where === 'before') this.order = [...fresh, ...this.order];
        else this.order = [...this.order, ...fresh];
        const inOrder = new Set(this.order);
        this.elsewhere = this.elsewhere.filter((id) => !inOrder.has(id));
        return fresh;
    }

    // Marks the posts newer than the member's read mark (as it was when the
    // topic was loaded). Unread posts are exactly the `unread` newest posts
    // by others that are not deleted, so with the whole topic loaded the
    // marks are exact; with a window, the first unread post and those by
    // others newer than it are surely unread. Posts that came while viewing
    // are new too. Returns the ids whose mark changed.
    markUnread() {
        const marks = new Set([...this.liveNew].filter((id) => !this.posts.get(id)?.deleted));
        const { unread: count = 0, lastPostAt = '', firstUnreadId = null } = this.first ?? {};
        if (count) {
            const others = [...this.posts.values()].filter((p) => !p.deleted && p.author && p.author.id !== this.me &&
                !this.liveNew.has(p.id) && String(p.created_at) <= lastPostAt);
            if (!this.hasBefore && !this.hasAfter) {
                others.sort((a, b) => b.id - a.id).slice(0, count).forEach((p) => marks.add(p.id));
            } else if (firstUnreadId) {
                others.filter((p) => p.id >= firstUnreadId).forEach((p) => marks.add(p.id));
            }
        }
        const changed = [...marks].filter((id) => !this.unread.has(id)).concat([...this.unread].filter((id) => !marks.has(id)));
        this.unread = marks;
        return changed;
    }

    // Reply boxes (and edits) left half-written in this tab open again.
    restoreDrafts() {
        const prefix = `${draftKey(this.me, `t${this.id}`)}.`;
        for (const [key] of draftsUnder(prefix)) {
            const m = /\.([re])(\d+)$/.exec(key);
            if (!m) continue;
            const id = Number(m[2]);
            const post = this.posts.get(id);
            if (!post || post.deleted || (!this.order.includes(id) && id !== this.openingId)) continue;
            if (m[1] === 'r' && id !== this.openingId) this.replying.add(id);
            if (m[1] === 'e' && post.author?.id === this.me) this.editing.add(id);
        }
    }

    async loadMore(direction) {
        if (this.moreBusy || !this.order.length) return;
        this.moreBusy = true;
        const anchor = direction === 'before' ? this.order[0] : this.order[this.order.length - 1];
        const res = await this.ctx.ws.request('post.list', { topic_id: this.id, [direction]: anchor, limit: pageSize() });
        this.moreBusy = false;
        if (this.disposed) return;
        if (!res.ok) {
            this.ctx.announce(postErrorText(res.error ?? { code: 'unknown' }));
            return;
        }
        const fresh = this.addWindow(res.posts ?? [], direction);
        if (direction === 'before') this.hasBefore = Boolean(res.has_before);
        else this.hasAfter = Boolean(res.has_after);
        for (const id of this.markUnread()) this.refreshPost(id);
        this.paintThread();
        this.paintUnread();
        const first = fresh.find((id) => this.els.has(id));
        if (first) this.focusPost(first, { load: false });
        this.ctx.announce(tn('topic.loaded', fresh.length, { n: formatNumber(fresh.length) }));
    }

    // ---- live ----------------------------------------------------------

    apply(frame) {
        if (!this.topic) return;
        const data = frame.data ?? {};
        switch (frame.event) {
        case 'post.created':
        case 'post.changed':
        case 'post.edited':
        case 'post.deleted':
            if (data.topic_id === this.id) this.upsert(data);
            break;
        case 'poll.created':
            if (data.topic_id === this.id) this.polls?.add(data, { announce: true });
            break;
        case 'reaction.added':
        case 'reaction.removed':
            this.reactionEvent(frame);
            break;
        case 'topic.viewers':
            if (data.topic_id === this.id && Number.isInteger(data.viewers)) this.setViewers(data.viewers);
            break;
        case 'topic.changed':
        case 'topic.created':
            if (data.id === this.id && (data.seq ?? 0) >= (this.topic.seq ?? 0)) {
                this.topic = { ...this.topic, ...data, unread: this.topic.unread };
                this.paintHead();
            }
            break;
        case 'period.changed':
            if (data.id === this.period.id && (data.seq ?? 0) >= (this.period.seq ?? 0)) this.periodChanged(data);
            break;
        default:
            break;
        }
    }

    resubscribed(channel, reply) {
        if (channel.startsWith('topic:') && Number.isInteger(reply.viewers)) this.setViewers(reply.viewers);
    }

    // A post from an event, a catch-up or a reply: replaces the one we have
    // (unless ours is newer), or is added where it belongs in the thread.
    upsert(post) {
        const old = this.posts.get(post.id);
        if (old) {
            if ((post.seq ?? 0) < (old.seq ?? 0)) return 'stale';
            const merged = { ...old, ...post, mine: post.mine ?? old.mine ?? [] };
            if (merged.deleted) {
                merged.mine = [];
                this.unread.delete(post.id);
                this.confirming.delete(post.id);
                if (this.editing.delete(post.id)) this.dropComposer(`e${post.id}`);
            }
            this.posts.set(post.id, merged);
            this.refreshPost(post.id);
            if (merged.deleted) this.paintUnread(); // a new post taken back is no longer new
            return 'updated';
        }
        // A post we do not have is new only if it was written after the
        // view loaded; otherwise it is an old one outside the window.
        if (String(post.created_at) <= this.lastPostAtLoad) return 'old';
        this.posts.set(post.id, { ...post, mine: post.mine ?? [] });
        const where = this.place(post);
        if (post.author && post.author.id !== this.me && !post.deleted) {
            this.liveNew.add(post.id);
            this.unread.add(post.id);
            this.queueAnnounce(post);
        }
        if (String(post.created_at) > String(this.topic.last_post_at ?? '')) this.topic.last_post_at = post.created_at;
        if (where === 'placed') this.paintThread();
        else this.paintElsewhere();
        this.paintUnread();
        return where;
    }

    // Finds a new post's place: after its parent's last reply shown. A
    // place past the end of a window that has more after it, or under a
    // parent that is not shown, is not known: the post is counted as new
    // elsewhere, with a button to show it.
    place(post) {
        const parent = this.posts.get(post.parent_id);
        let at = parent ? this.order.indexOf(parent.id) : -1;
        if (at < 0 && !(parent && parent.id === this.openingId)) {
            this.elsewhere.push(post.id);
            return 'elsewhere';
        }
        if (at < 0) at = this.order.length - 1; // opening post pinned above a window
        let j = at + 1;
        while (j < this.order.length && (this.posts.get(this.order[j])?.depth ?? 0) > parent.depth) j++;
        if (j === this.order.length && this.hasAfter) {
            this.elsewhere.push(post.id);
            return 'elsewhere';
        }
        this.order.splice(j, 0, post.id);
        return 'placed';
    }

    reactionEvent(frame) {
        const d = frame.data ?? {};
        const post = this.posts.get(d.post_id);
        if (!post || (frame.seq ?? 0) < (post.seq ?? 0)) return;
        const mine = new Set(post.mine ?? []);
        if (d.by === this.me) {
            if (frame.event === 'reaction.added') mine.add(d.reaction);
            else mine.delete(d.reaction);
        }
        this.posts.set(post.id, { ...post, reactions: d.reactions ?? post.reactions, mine: [...mine], seq: frame.seq ?? post.seq });
        this.refreshPost(post.id);
    }

    periodChanged(data) {
        const was = this.period.status;
        this.period = { ...this.period, ...data };
        this.polls?.setPeriod(this.period);
        if (was === this.period.status) return;
        this.polls?.paint();
        this.paintStatus();
        this.paintComposer();
        for (const id of [this.openingId, ...this.order]) this.refreshPost(id);
        this.ctx.announce(t(`topic.period_now.${this.period.status}`));
    }

    setViewers(n) {
        this.viewers = n;
        const wait = this.lastViewersPaint + VIEWERS_EVERY_MS - Date.now();
        if (!(wait > 0)) {
            this.paintViewers();
        } else if (!this.viewersTimer) {
            this.viewersTimer = setTimeout(() => {
                this.viewersTimer = null;
                this.paintViewers();
            }, wait);
        }
    }

    // New posts by others, said once for a batch and not too often: "New
    // reply from Maija", "3 new replies".
    queueAnnounce(post) {
        this.announceQueue.push(authorName(post));
        if (this.announceTimer) return;
        const wait = Math.max(ANNOUNCE_AFTER_MS, this.lastAnnounced + ANNOUNCE_GAP_MS - Date.now());
        this.announceTimer = setTimeout(() => {
            this.announceTimer = null;
            const names = this.announceQueue;
            this.announceQueue = [];
            if (!names.length || this.disposed) return;
            this.lastAnnounced = Date.now();
            this.ctx.announce(names.length === 1
                ? t('topic.new_post_by', { name: names[0] })
                : tn('topic.new_posts', names.length, { n: formatNumber(names.length) }));
        }, wait);
    }

    // ---- reading -------------------------------------------------------

    observe(article) {
        this.observer?.observe(article);
    }

    seen(entries) {
        for (const e of entries) {
            if (!e.isIntersecting) continue;
            const id = Number(e.target.id.replace('post-', ''));
            if (id > this.readMax) this.readMax = id;
        }
        this.scheduleRead();
    }

    scheduleRead() {
        if (this.readTimer || this.readMax <= this.readSent) return;
        this.readTimer = setTimeout(() => this.sendRead(), READ_AFTER_MS);
    }

    async sendRead() {
        this.readTimer = null;
        if (this.disposed || document.visibilityState !== 'visible' || this.readMax <= this.readSent) return;
        const upTo = this.readMax;
        const res = await this.ctx.ws.request('topic.read', { topic_id: this.id, post_id: upTo });
        if (res.ok) {
            this.readSent = Math.max(this.readSent, upTo);
            if (this.topic && Number.isInteger(res.unread)) this.topic.unread = res.unread;
        }
        // A network error is tried again when the next post comes into view.
    }

    // ---- actions -------------------------------------------------------

    composer(key) {
        let c = this.composers.get(key);
        if (c) return c;
        const kind = key[0];
        const postId = Number(key.slice(1));
        const draft = draftKey(this.me, `t${this.id}`, key);
        const common = { draftKey: draft, announce: (text) => this.ctx.announce(text) };
        if (key === 'top') {
            c = new Composer({
                ...common, id: 'reply-top', rows: 6,
                label: () => t('post.your_reply'), submitLabel: () => t('post.send'),
                onSubmit: (body) => this.createPost(key, { topic_id: this.id, body }),
                onDone: (res) => this.sent(null, res.post),
            });
        } else if (kind === 'r') {
            c = new Composer({
                ...common, id: `reply-${postId}`, className: 'composer--inline',
                label: () => t('post.reply_to', { name: authorName(this.posts.get(postId)) }),
                submitLabel: () => t('post.send'), cancelLabel: () => t('cancel'),
                onSubmit: (body) => this.createPost(key, { topic_id: this.id, parent_id: postId, body }),
                onDone: (res) => this.sent(postId, res.post),
                onCancel: () => this.closeReply(postId),
            });
        } else {
            c = new Composer({
                ...common, id: `edit-${postId}`, className: 'composer--edit', initial: this.posts.get(postId)?.body ?? '',
                label: () => t('post.edit_label'), submitLabel: () => t('post.save'), cancelLabel: () => t('cancel'),
                onSubmit: (body) => this.ctx.ws.request('post.edit', { post_id: postId, body }),
                onDone: (res) => this.edited(postId, res.post),
                onCancel: () => this.closeEdit(postId),
            });
        }
        if (!this.canWrite) c.setReadOnly(true, this.closedNote());
        this.composers.set(key, c);
        return c;
    }

    composerEl(key) {
        const c = this.composer(key);
        return c.el && c.builtFor === this.renderSerial ? c.el : this.buildComposer(c);
    }

    buildComposer(c) {
        c.build();
        c.builtFor = this.renderSerial;
        return c.el;
    }

    dropComposer(key, { discard = false } = {}) {
        const c = this.composers.get(key);
        if (!c) return;
        if (discard) c.discard();
        this.composers.delete(key);
    }

    reply(id) {
        if (id === this.openingId) {
            this.composer('top');
            this.mainComposerBox?.scrollIntoView?.({ block: 'center' });
            this.composers.get('top').focus();
            return;
        }
        this.replying.add(id);
        this.paintThread();
        this.composers.get(`r${id}`)?.focus();
    }

    quote(id) {
        const post = this.posts.get(id);
        if (!post) return;
        const key = id === this.openingId ? 'top' : `r${id}`;
        if (key !== 'top') {
            this.replying.add(id);
            this.paintThread();
        }
        const c = this.composer(key);
        c.appendText(quoteOf(post));
        c.focus();
        this.ctx.announce(t('post.quoted', { name: authorName(post) }));
    }

    closeReply(id) {
        this.replying.delete(id);
        this.dropComposer(`r${id}`, { discard: true });
        this.paintThread();
        this.focusAction(id, 'reply');
    }

    sent(parentId, post) {
        const where = this.upsert(post);
        if (parentId !== null) {
            this.replying.delete(parentId);
            this.dropComposer(`r${parentId}`);
            this.paintThread();
            if (this.els.has(post.id)) this.focusPost(post.id, { load: false });
            else this.focusAction(parentId, 'reply');
        }
        this.ctx.announce(t(where === 'elsewhere' ? 'post.sent_elsewhere' : 'post.sent'));
    }

    startEdit(id) {
        this.editing.add(id);
        this.confirming.delete(id);
        this.refreshPost(id);
        this.composers.get(`e${id}`)?.focus();
    }

    closeEdit(id) {
        this.editing.delete(id);
        this.dropComposer(`e${id}`, { discard: true });
        this.refreshPost(id);
        this.focusAction(id, 'edit');
    }

    edited(id, post) {
        this.editing.delete(id);
        this.dropComposer(`e${id}`);
        this.upsert(post);
        this.refreshPost(id);
        this.focusAction(id, 'edit');
        this.ctx.announce(t('post.edited_done'));
    }

    askDelete(id) {
        this.confirming.add(id);
        this.refreshPost(id);
        document.querySelector(`[data-focus-key="delete-yes-${id}"]`)?.focus();
    }

    cancelDelete(id) {
        this.confirming.delete(id);
        this.refreshPost(id);
        this.focusAction(id, 'delete');
    }

    async remove(id) {
        if (this.removing) return;
        this.removing = true;
        const res = await this.ctx.ws.request('post.delete', { post_id: id });
        this.removing = false;
        this.confirming.delete(id);
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.refreshPost(id);
            this.focusAction(id, 'delete');
            this.ctx.announce(postErrorText(res.error ?? { code: 'unknown' }));
            return;
        }
        removeDraft(draftKey(this.me, `t${this.id}`, `e${id}`));
        this.upsert(res.post);
        this.refreshPost(id);
        document.getElementById(`post-${id}`)?.focus();
        this.ctx.announce(t('post.deleted_done'));
    }

    async react(id, kind) {
        const key = `${id}.${kind}`;
        if (this.reacting.has(key)) return;
        const post = this.posts.get(id);
        if (!post) return;
        const on = (post.mine ?? []).includes(kind);
        this.reacting.add(key);
        const res = await this.ctx.ws.request(on ? 'reaction.remove' : 'reaction.add', { post_id: id, reaction: kind });
        this.reacting.delete(key);
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') return this.ctx.sessionEnded();
            this.ctx.announce(postErrorText(res.error ?? { code: 'unknown' }));
            return;
        }
        const now = this.posts.get(id);
        this.posts.set(id, { ...now, reactions: res.reactions ?? now.reactions, mine: res.mine ?? now.mine });
        this.refreshPost(id);
    }

    focusAction(id, action) {
        const el = document.querySelector(`[data-focus-key="${action}-${id}"]`) ?? document.getElementById(`post-${id}`);
        el?.focus();
    }

    // Brings a post into view and focus, loading a window at it if needed.
    async focusPost(id, { load = true } = {}) {
        let el = document.getElementById(`post-${id}`);
        if (!el && load) {
            const ok = await this.load({ at: id });
            if (!ok) return;
            el = document.getElementById(`post-${id}`);
        }
        if (!el) return;
        el.scrollIntoView({ block: 'start' });
        el.focus({ preventScroll: true });
    }

    // To the first post that was unread when the topic was opened (loading
    // a window at it if it is not shown), else the first marked new.
    jumpToUnread() {
        const target = this.first?.firstUnreadId;
        if (target) {
            this.focusPost(target);
            return;
        }
        const first = [this.openingId, ...this.order].find((id) => this.unread.has(id) && document.getElementById(`post-${id}`));
        if (first) this.focusPost(first, { load: false });
    }

    showElsewhere() {
        const first = this.elsewhere[0];
        if (first) this.focusPost(first);
    }

    closedNote() {
        return this.period?.status === 'closed' ? t('topic.closed_note') : t('topic.not_open_note');
    }

    // ---- painting ------------------------------------------------------

    render() {
        this.renderSerial = (this.renderSerial ?? 0) + 1;
        this.observer?.disconnect();
        this.observer = 'IntersectionObserver' in window
            ? new IntersectionObserver((entries) => this.seen(entries), { threshold: 0.5 })
            : null;
        this.els = new Map();
        this.lastViewersPaint = 0;
        this.h1 = this.topic ? h('h1', { id: 'topic-title', tabindex: '-1' }, this.topic.title) : loadingHeading('topic-title');
        this.crumbs = h('div');
        this.headBox = h('div', { class: 'topic-head' });
        this.viewersEl = h('p', { class: 'viewers', role: 'status', id: 'topic-viewers' });
        this.statusBox = h('div');
        this.unreadBox = h('div');
        this.openingBox = h('div');
        this.threadBox = h('div');
        this.composerBox = h('div');
        this.pollsBox = h('div');
        this.paintAll();
        return [
            h('div', { class: 'page-head' }, this.crumbs, this.h1),
            this.headBox, this.viewersEl, this.statusBox, this.unreadBox, this.openingBox, this.pollsBox, this.threadBox, this.composerBox,
        ];
    }

    paintAll() {
        if (!this.h1 || this.disposed) return;
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.crumbs, breadcrumb([['#/periods', t('periods.title')], [null, t('load.failed')]]));
            fill(this.headBox, loadFailed(this.error, () => this.load()));
            for (const box of [this.statusBox, this.unreadBox, this.openingBox, this.threadBox, this.composerBox]) fill(box);
            this.viewersEl.textContent = '';
            return;
        }
        if (!this.topic) {
            fill(this.crumbs, breadcrumb([['#/periods', t('periods.title')], [null, t('loading')]]));
            return;
        }
        const wasLoading = this.h1.textContent !== this.topic.title;
        this.h1.textContent = this.topic.title;
        if (wasLoading && document.activeElement === this.h1) {
            this.h1.blur();
            this.h1.focus();
        }
        fill(this.crumbs, breadcrumb([
            ['#/periods', t('periods.title')],
            [`#/periods/${this.period.id}`, this.period.title],
            [null, this.topic.title],
        ]));
        this.paintHead();
        this.paintViewers();
        this.paintStatus();
        this.paintUnread();
        this.paintOpening();
        if (this.polls && !this.pollsBox.contains(this.polls.box)) fill(this.pollsBox, this.polls.element());
        this.paintThreadBox();
        this.paintComposer();
    }

    paintHead() {
        const tp = this.topic;
        if (!tp || !this.headBox) return;
        const replies = Math.max(0, (tp.post_count ?? 1) - 1);
        fill(this.headBox, h('p', { class: 'topic-head__meta' }, [
            tp.author?.id === this.me ? t('topic.opened_by_you') : t('topic.opened_by', { name: tp.author?.display_name ?? '' }),
            tn('count.replies', replies, { n: formatNumber(replies) }),
            tn('count.participants', tp.participant_count ?? 0, { n: formatNumber(tp.participant_count ?? 0) }),
        ].join(' · ')));
        if (this.threadHeading) {
            fill(this.threadHeading, t('topic.replies'), ' ',
                h('span', { class: 'heading-count' }, `(${formatNumber(replies)})`));
        }
    }

    paintViewers() {
        if (!this.viewersEl || this.viewers === null || !this.topic) return;
        this.lastViewersPaint = Date.now();
        const text = tn('topic.viewers', this.viewers, { n: formatNumber(this.viewers) });
        if (this.viewersEl.textContent !== text) this.viewersEl.textContent = text;
    }

    paintStatus() {
        if (!this.statusBox) return;
        const status = this.period.status;
        fill(this.statusBox, status === 'open' ? '' : notice('info', status === 'closed'
            ? t('topic.closed_note')
            : t('topic.not_open_note')));
        for (const c of this.composers.values()) c.setReadOnly(!this.canWrite, this.closedNote());
    }

    paintUnread() {
        if (!this.unreadBox) return;
        const live = [...this.liveNew].filter((id) => !this.posts.get(id)?.deleted).length;
        const n = Math.max(this.unread.size, (this.first?.unread ?? 0) + live);
        keepFocus(this.unreadBox, () => fill(this.unreadBox, n ? h('div', { class: 'unread-bar' },
            h('p', null, tn('topic.unread', n, { n: formatNumber(n) })),
            h('button', { type: 'button', class: 'button button--secondary', id: 'jump-unread', onclick: () => this.jumpToUnread() },
                t('topic.jump_unread'))) : ''));
    }

    paintOpening() {
        const post = this.posts.get(this.openingId);
        if (!post) {
            fill(this.openingBox);
            return;
        }
        let el = this.els.get(post.id);
        if (!el) {
            el = this.newEl(post.id);
            this.fillArticle(el);
        }
        fill(this.openingBox, h('section', { class: 'opening', 'aria-labelledby': 'opening-heading' },
            h('h2', { id: 'opening-heading', class: 'visually-hidden' }, t('topic.opening')),
            el.article));
    }

    paintThreadBox() {
        this.threadHeading = h('h2', { id: 'thread-heading' });
        this.beforeBox = h('div');
        this.afterBox = h('div');
        this.elsewhereBox = h('div');
        this.threadList = h('ol', { class: 'thread', 'aria-labelledby': 'thread-heading' });
        this.emptyNote = h('p', { class: 'empty' }, t('topic.no_replies'));
        fill(this.threadBox, h('section', { class: 'section thread-section', 'aria-labelledby': 'thread-heading' },
            this.threadHeading, this.beforeBox, this.threadList, this.emptyNote, this.afterBox, this.elsewhereBox));
        this.paintHead();
        this.paintThread();
    }

    newEl(id) {
        const article = h('article', { id: `post-${id}`, class: 'post', tabindex: '-1', 'aria-labelledby': `post-${id}-author` });
        const el = { li: h('li', { class: 'thread__item' }), article, children: h('ol', { class: 'thread__replies' }), flat: false };
        this.els.set(id, el);
        this.observe(article);
        return el;
    }

    // Lays the window out as nested lists, reusing each post's elements so
    // that focus and half-written replies stay where they are.
    paintThread() {
        if (!this.threadList || !this.topic) return;
        const lists = new Map([[this.threadList, []]]);
        const containerOf = new Map();
        const shown = new Set();
        for (const id of this.order) {
            if (id === this.openingId) continue;
            const post = this.posts.get(id);
            if (!post) continue;
            let el = this.els.get(id);
            const created = !el;
            if (!el) el = this.newEl(id);
            const parentShown = shown.has(post.parent_id);
            let list;
            let flat = false;
            if (post.parent_id === this.openingId) list = this.threadList;
            else if (parentShown && post.depth <= MAX_INDENT) list = this.els.get(post.parent_id).children;
            else if (parentShown) {
                list = containerOf.get(post.parent_id);
                flat = true;
            } else {
                list = this.threadList;
                flat = true;
            }
            if (!lists.has(list)) lists.set(list, []);
            lists.get(list).push(el.li);
            containerOf.set(id, list);
            shown.add(id);
            if (created || el.flat !== flat) {
                el.flat = flat;
                this.fillArticle(el);
            }
        }
        for (const id of shown) {
            const el = this.els.get(id);
            const kids = lists.get(el.children) ?? [];
            syncChildren(el.children, kids);
            const box = this.replying.has(id) && (this.canWrite || this.composers.get(`r${id}`)?.hasText())
                ? this.composerEl(`r${id}`) : null;
            syncChildren(el.li, [el.article, box, kids.length ? el.children : null].filter(Boolean));
        }
        syncChildren(this.threadList, lists.get(this.threadList));
        for (const id of [...this.els.keys()]) {
            if (!shown.has(id) && id !== this.openingId) {
                this.observer?.unobserve(this.els.get(id).article);
                this.els.delete(id);
            }
        }
        this.threadList.hidden = shown.size === 0;
        this.emptyNote.hidden = shown.size > 0 || this.hasBefore || this.hasAfter;
        keepFocus(this.beforeBox, () => fill(this.beforeBox, this.hasBefore
            ? h('p', { class: 'load-more' }, h('button', { type: 'button', class: 'button button--secondary', id: 'load-before',
                onclick: () => this.loadMore('before') }, t('topic.load_before')))
            : ''));
        keepFocus(this.afterBox, () => fill(this.afterBox, this.hasAfter
            ? h('p', { class: 'load-more' }, h('button', { type: 'button', class: 'button button--secondary', id: 'load-after',
                onclick: () => this.loadMore('after') }, t('topic.load_after')))
            : ''));
        this.paintElsewhere();
    }

    paintElsewhere() {
        if (!this.elsewhereBox) return;
        const n = this.elsewhere.length;
        keepFocus(this.elsewhereBox, () => fill(this.elsewhereBox, n ? h('div', { class: 'unread-bar' },
            h('p', null, tn('topic.elsewhere', n, { n: formatNumber(n) })),
            h('button', { type: 'button', class: 'button button--secondary', id: 'show-elsewhere', onclick: () => this.showElsewhere() },
                t('topic.show_elsewhere'))) : ''));
    }

    refreshPost(id) {
        const el = this.els.get(id);
        if (el) this.fillArticle(el);
    }

    // The article of one post: who and when, the text (or the edit box, or
    // the tombstone), reactions, and what the member can do with it.
    fillArticle(el) {
        const id = Number(el.article.id.replace('post-', ''));
        const post = this.posts.get(id);
        if (!post) return;
        const mine = !post.deleted && post.author?.id === this.me;
        const isNew = this.unread.has(id);
        const a = el.article;
        a.className = ['post', post.depth === 0 && 'post--opening', post.deleted && 'post--deleted', mine && 'post--mine',
            isNew && 'post--new'].filter(Boolean).join(' ');
        const name = post.deleted ? t('post.deleted_title') : authorName(post);
        const showReplyTo = post.depth > 1 && (el.flat || post.depth > MAX_INDENT);
        const replyTo = showReplyTo && h('a', {
            class: 'post__reply-to', href: `#/topics/${this.id}?post=${post.parent_id}`,
            onclick: (ev) => {
                ev.preventDefault();
                this.focusPost(post.parent_id);
            },
        }, post.reply_to?.display_name ? t('post.reply_to_link', { name: post.reply_to.display_name }) : t('post.reply_to_deleted'));
        const header = h('header', { class: 'post__header' },
            h('h3', { class: 'post__author', id: `post-${id}-author` },
                name,
                mine && h('span', { class: 'post__you' }, ` (${t('you')})`),
                isNew && ' ', isNew && h('span', { class: 'badge badge--new' }, t('post.new'))),
            h('p', { class: 'post__meta' },
                timeEl(post.created_at),
                post.edited_at && !post.deleted && [' · ', h('span', { class: 'post__edited' }, t('post.edited'), ' ', timeEl(post.edited_at))],
                replyTo && [' · ', replyTo]));
        // The body is rebuilt only when it changes, so an edit box in it is
        // left alone (caret, focus) while reactions and the like come in.
        const editing = !post.deleted && this.editing.has(id) && (this.canWrite || this.composers.get(`e${id}`)?.hasText());
        const bodyKey = post.deleted ? 'deleted' : editing ? `edit:${this.renderSerial}` : `html:${post.body_html}`;
        if (!el.parts) {
            el.parts = { header: h('div'), body: h('div', { class: 'post__content' }), reactions: h('div'), actions: h('div') };
            fill(a, el.parts.header, el.parts.body, el.parts.reactions, el.parts.actions);
        }
        if (el.bodyKey !== bodyKey) {
            el.bodyKey = bodyKey;
            const body = post.deleted ? h('p', { class: 'post__tombstone' }, t('post.tombstone'))
                : editing ? this.composerEl(`e${id}`)
                    : h('div', { class: 'prose post__body' }, serverHtml(post.body_html));
            keepFocus(el.parts.body, () => fill(el.parts.body, body));
        }
        fill(el.parts.header, header);
        keepFocus(el.parts.reactions, () => fill(el.parts.reactions, this.reactions(post)));
        keepFocus(el.parts.actions, () => fill(el.parts.actions, this.actions(post)));
    }

    // post.create with a client_key kept for this composer until the post
    // is acknowledged, so sending again after a dropped connection returns
    // the post already written instead of writing it twice.
    async createPost(composerKey, msg) {
        this.clientKeys ??= new Map();
        if (!this.clientKeys.has(composerKey)) this.clientKeys.set(composerKey, randomKey());
        const res = await this.ctx.ws.request('post.create', { ...msg, client_key: this.clientKeys.get(composerKey) });
        if (res.ok) this.clientKeys.delete(composerKey);
        return res;
    }

    reactions(post) {
        if (post.deleted) return null;
        const counts = post.reactions ?? {};
        const mine = new Set(post.mine ?? []);
        const canReact = this.canWrite && post.author?.id !== this.me;
        if (canReact) {
            // The group's name says whose post, as Reply and Quote do.
            return h('div', { class: 'reactions', role: 'group', 'aria-label': `${t('post.reactions')} – ${authorName(post)}` },
                REACTIONS.map((kind) => h('button', {
                    type: 'button', class: 'reaction', 'aria-pressed': String(mine.has(kind)),
                    'data-focus-key': `react-${post.id}-${kind}`, onclick: () => this.react(post.id, kind),
                }, t(`reaction.${kind}`), ' ', h('span', { class: 'reaction__count' }, formatNumber(counts[kind] ?? 0)))));
        }
        const given = REACTIONS.filter((kind) => counts[kind] > 0);
        if (!given.length) return null;
        return h('p', { class: 'reactions reactions--static' },
            h('span', { class: 'visually-hidden' }, `${t('post.reactions')}: `),
            given.map((kind, i) => [i ? ' · ' : '', h('span', { class: 'reaction-count' },
                t(`reaction.${kind}`), ' ', h('strong', null, formatNumber(counts[kind])))]));
    }

    actions(post) {
        if (post.deleted || !this.canWrite) return null;
        const id = post.id;
        const mine = post.author?.id === this.me;
        if (this.confirming.has(id)) {
            return h('div', { class: 'confirm', role: 'group', 'aria-labelledby': `post-${id}-confirm` },
                h('p', { id: `post-${id}-confirm` }, h('strong', null, t('post.delete_confirm'))),
                h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--danger', 'data-focus-key': `delete-yes-${id}`,
                        onclick: () => this.remove(id) }, t('post.delete_yes')),
                    h('button', { type: 'button', class: 'button button--secondary', 'data-focus-key': `delete-no-${id}`,
                        onclick: () => this.cancelDelete(id) }, t('cancel'))));
        }
        const who = h('span', { class: 'visually-hidden' }, ` – ${authorName(post)}`);
        const button = (action, key, fn) => h('button', {
            type: 'button', class: 'link-button', 'data-focus-key': `${action}-${id}`, onclick: fn,
        }, t(key), who.cloneNode(true));
        const editingNow = this.editing.has(id);
        return h('div', { class: 'post__actions' },
            button('reply', 'post.reply', () => this.reply(id)),
            button('quote', 'post.quote', () => this.quote(id)),
            mine && !editingNow && button('edit', 'post.edit', () => this.startEdit(id)),
            mine && button('delete', 'post.delete', () => this.askDelete(id)));
    }

    paintComposer() {
        if (!this.composerBox || !this.topic) return;
        const c = this.composers.get('top');
        const show = this.canWrite || c?.hasText();
        if (!show) {
            fill(this.composerBox);
            this.mainComposerBox = null;
            return;
        }
        const el = this.composerEl('top');
        if (this.mainComposerBox?.contains(el) && this.composerBox.contains(this.mainComposerBox)) return;
        this.mainComposerBox = h('section', { class: 'section panel reply-panel', 'aria-labelledby': 'reply-heading' },
            h('h2', { id: 'reply-heading' }, t('post.reply_topic')),
            el);
        keepFocus(this.composerBox, () => fill(this.composerBox, this.mainComposerBox));
    }
}

export default {
    title: (ctx) => ctx.state.view?.topic?.title ?? t('topic.title'),
    needsMember: true,
    render(ctx) {
        if (!ctx.state.view) {
            ctx.state.view = new TopicPage(ctx, ctx.params[0], ctx.query.get('post'));
            ctx.state.dispose = () => ctx.state.view.dispose();
        }
        return ctx.state.view.render();
    },
};
