// #/topics/<id>: a discussion. The opening post, then the thread: replies
// nest up to depth 4 and deeper ones are shown flat, naming the member
// replied to. Long topics load in windows ("show earlier", "show more"),
// posts newer than the member's read mark are marked new, and what the
// member sees is marked read. Live from topic:<id> (posts, reactions,
// viewers) and period:<id> (the period opening or closing); after a dropped
// connection the catch-up is applied by post id, so nothing is duplicated,
// and half-written replies are kept throughout (see composer.js).
import { h, fill, serverHtml, syncChildren } from '../dom.js';
import { t, tn, formatNumber, formatDateTime } from '../i18n.js';
import { PollsSection } from './polls.js';
import { LiveView, keepFocus } from './liveview.js';
import { Composer, postErrorText } from '../composer.js';
import { draftKey, draftsUnder, removeDraft } from '../drafts.js';
import { notice, textLength } from '../forms.js';
import { timeEl, loadingHeading, loadFailed, breadcrumb, isStaff } from './periodparts.js';
import { MiniForm, needText } from './miniform.js';

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

// Hidden by a moderator or by reports (docs/protocol.md, "The post object").
function isHidden(post) {
    return !post.deleted && (post.status === 'hidden' || Boolean(post.hidden));
}

const REPORT_REASONS = ['asiaton', 'hairinta', 'roskaposti', 'henkilotiedot', 'muu'];
const REASON_MAX = 500;

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
        // Moderation: reports made on this visit (the post object does not
        // say), the one small form open per post (report, appeal, or a
        // moderator's hide, restore, edit, delete or move), which posts have
        // their "Moderoi" menu open, and a message left after a form is done.
        this.reported = new Set();
        this.forms = new Map(); // post id (or 'topic') -> { kind, form: MiniForm }
        this.modOpen = new Set();
        this.flashes = new Map(); // post id -> text
        this.movedIn = 0; // posts moved here while viewing (reload to see them)
        this.movedOut = null; // { n, to } the last posts moved away
        this.topicTools = false;
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

    get staff() {
        return isStaff(this.ctx.member);
    }

    // Writing new posts and edits: an open period, a topic that no longer
    // waits for a moderator, and that is not locked (moderators may still
    // post in a locked one).
    get canPost() {
        return this.canWrite && !this.suspended && this.topic?.status !== 'pending' && (!this.topic?.locked || this.staff);
    }

    // A suspended member reads, but does not post or react (the server
    // answers `suspended` anyway; this spares them writing in vain).
    get suspended() {
        const until = this.ctx.member?.suspension?.until;
        return Boolean(until) && new Date(until) > new Date();
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

    apply(frame, how) {
        if (!this.topic) return;
        const data = frame.data ?? {};
        switch (frame.event) {
        case 'post.created':
        case 'post.changed':
        case 'post.edited':
        case 'post.deleted':
        case 'post.hidden':
        case 'post.restored':
            // A post approved by a moderator (or restored) is new to those
            // who never saw it, whenever it was written.
            if (data.topic_id === this.id) this.upsert(data, { fresh: frame.event === 'post.created' && !how?.catchup });
            if (data.topic_id === this.id && !how?.catchup) this.announceModeration(frame.event, data);
            break;
        case 'post.moved':
            this.postsMoved(data);
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
            if (data.id === this.id && (data.seq ?? 0) >= (this.topic.seq ?? 0)) this.topicChanged(data);
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
    upsert(post, { fresh = false } = {}) {
        const old = this.posts.get(post.id);
        if (old) {
            if ((post.seq ?? 0) < (old.seq ?? 0)) return 'stale';
            const merged = { ...old, ...post, mine: post.mine ?? old.mine ?? [] };
            // A report or a reply cannot be sent on a post just hidden or deleted.
            if ((merged.deleted || isHidden(merged)) && this.forms.get(post.id)?.kind === 'report') this.forms.delete(post.id);
            if (isHidden(merged) && this.replying.has(post.id) && !this.composers.get(`r${post.id}`)?.hasText()) {
                this.replying.delete(post.id);
                this.dropComposer(`r${post.id}`);
                this.paintThread();
            }
            if (merged.deleted) {
                merged.mine = [];
                this.unread.delete(post.id);
                this.confirming.delete(post.id);
                if (this.editing.delete(post.id)) this.dropComposer(`e${post.id}`);
            }
            // The author hears when a moderator approves their waiting post.
            if (old.status === 'pending' && merged.status === 'published' && merged.author?.id === this.me) {
                this.ctx.announce(t('hidden.approved'));
            }
            this.posts.set(post.id, merged);
            this.refreshPost(post.id);
            if (merged.deleted) this.paintUnread(); // a new post taken back is no longer new
            return 'updated';
        }
        // A post we do not have is new only if it was written after the
        // view loaded; otherwise it is an old one outside the window.
        if (!fresh && String(post.created_at) <= this.lastPostAtLoad) return 'old';
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

    // A lock, unlock, pin or unpin (or new counts).
    topicChanged(data) {
        const was = this.topic;
        this.topic = { ...this.topic, ...data, unread: this.topic.unread };
        this.paintHead();
        const lockedNow = Boolean(this.topic.locked);
        if (lockedNow !== Boolean(was.locked) || this.topic.pinned !== was.pinned || this.topic.status !== was.status) {
            this.paintStatus();
            this.paintTopicTools();
            this.paintComposer();
            this.paintThread();
            for (const id of [this.openingId, ...this.order]) this.refreshPost(id);
        }
        if (lockedNow !== Boolean(was.locked)) this.ctx.announce(t(lockedNow ? 'topic.locked_now' : 'topic.unlocked_now'));
    }

    // A post hidden or back, said once (the author's and moderators' second
    // frame says nothing more).
    announceModeration(event, post) {
        const key = `${event}:${post.id}:${post.seq}`;
        if (this.lastModAnnounce === key) return; // the second frame, for the author and moderators
        this.lastModAnnounce = key;
        if (event === 'post.hidden') this.ctx.announce(t('hidden.announce'));
        else if (event === 'post.restored') this.ctx.announce(t('hidden.restored_announce'));
    }

    // Posts (with their replies) moved out of this topic go away; posts
    // moved in are offered with a button that loads the window again.
    postsMoved(data) {
        const ids = new Set(data.post_ids ?? []);
        if (data.from_topic_id === this.id) {
            if (![...ids].some((id) => this.posts.has(id))) return; // taken away already (our own move)
            // Replies of a moved post go with it, also those the event does not name.
            let grew = true;
            while (grew) {
                grew = false;
                for (const p of this.posts.values()) {
                    if (!ids.has(p.id) && ids.has(p.parent_id)) {
                        ids.add(p.id);
                        grew = true;
                    }
                }
            }
            const focusLost = [...ids].some((id) => document.getElementById(`post-${id}`)?.contains(document.activeElement));
            for (const id of ids) {
                this.posts.delete(id);
                this.unread.delete(id);
                this.liveNew.delete(id);
                this.replying.delete(id);
                this.editing.delete(id);
                this.forms.delete(id);
                this.modOpen.delete(id);
            }
            this.order = this.order.filter((id) => !ids.has(id));
            this.elsewhere = this.elsewhere.filter((id) => !ids.has(id));
            this.movedOut = { n: ids.size, to: data.to_topic_id };
            this.paintThread();
            this.paintUnread();
            this.paintMoved();
            if (focusLost) this.movedBox?.querySelector('[tabindex]')?.focus();
            this.ctx.announce(tn('topic.moved_out', ids.size, { n: formatNumber(ids.size) }));
        } else if (data.to_topic_id === this.id) {
            this.movedIn += ids.size;
            this.paintMoved();
            this.ctx.announce(tn('topic.moved_in', this.movedIn, { n: formatNumber(this.movedIn) }));
        }
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
        if (!this.canPost) c.setReadOnly(true, this.closedNote());
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
        this.ctx.announce(t(post.status === 'pending' ? 'hidden.sent_pending' : where === 'elsewhere' ? 'post.sent_elsewhere' : 'post.sent'));
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
        if (this.period?.status === 'open' && this.topic?.status === 'pending') return t('topic.pending_note');
        if (this.period?.status === 'open' && this.topic?.locked) return t('topic.locked_note');
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
        this.toolsBox = h('div');
        this.movedBox = h('div');
        this.unreadBox = h('div');
        this.openingBox = h('div');
        this.threadBox = h('div');
        this.composerBox = h('div');
        this.pollsBox = h('div');
        this.paintAll();
        return [
            h('div', { class: 'page-head' }, this.crumbs, this.h1),
            this.headBox, this.viewersEl, this.statusBox, this.toolsBox, this.movedBox, this.unreadBox, this.openingBox, this.pollsBox, this.threadBox, this.composerBox,
        ];
    }

    paintAll() {
        if (!this.h1 || this.disposed) return;
        if (this.error) {
            this.h1.textContent = t('load.failed');
            fill(this.crumbs, breadcrumb([['#/periods', t('periods.title')], [null, t('load.failed')]]));
            fill(this.headBox, loadFailed(this.error, () => this.load()));
            for (const box of [this.statusBox, this.toolsBox, this.movedBox, this.unreadBox, this.openingBox, this.threadBox, this.composerBox]) fill(box);
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
        this.paintTopicTools();
        this.paintMoved();
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
        fill(this.headBox, tp.pinned && h('p', { class: 'topic-head__pinned' }, h('span', { class: 'badge badge--pinned' }, t('topic.pinned'))),
            h('p', { class: 'topic-head__meta' }, [
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
        const tp = this.topic;
        fill(this.statusBox,
            status !== 'open' && notice('info', status === 'closed' ? t('topic.closed_note') : t('topic.not_open_note')),
            tp.status === 'pending' && notice('info', t('topic.pending_note')),
            tp.locked && h('div', { class: 'notice notice--locked', id: 'topic-locked' },
                h('p', null, h('strong', null, t('topic.locked_title'))),
                tp.locked.reason && h('p', null, t('topic.locked_reason', { reason: tp.locked.reason })),
                h('p', null, t(this.staff ? 'topic.locked_staff' : 'topic.locked_note'))));
        for (const c of this.composers.values()) c.setReadOnly(!this.canPost, this.closedNote());
    }

    // Moderators' tools for the whole topic: lock (with an optional
    // reason) or unlock, pin or unpin; behind one "Moderoi aihetta" button.
    paintTopicTools() {
        if (!this.toolsBox || !this.topic) return;
        if (!this.staff) {
            fill(this.toolsBox);
            return;
        }
        const tp = this.topic;
        const open = this.forms.get('topic');
        const act = (kind, fn, extra = {}) => h('button', {
            type: 'button', class: 'button button--secondary button--small', 'data-focus-key': `topic-${kind}`, onclick: fn, ...extra,
        }, t(`modtools.topic_${kind}`));
        keepFocus(this.toolsBox, () => fill(this.toolsBox, h('div', { class: 'topic-tools' },
            h('button', { type: 'button', class: 'link-button', id: 'topic-tools-toggle', 'aria-expanded': String(this.topicTools),
                'aria-controls': this.topicTools ? 'topic-tools' : null,
                onclick: () => {
                    this.topicTools = !this.topicTools;
                    if (!this.topicTools) this.forms.delete('topic');
                    this.paintTopicTools();
                } }, t('modtools.topic_menu')),
            this.topicTools && h('div', { class: 'modmenu', id: 'topic-tools', role: 'group', 'aria-labelledby': 'topic-tools-toggle' },
                h('div', { class: 'actions actions--tight' },
                    tp.locked ? act('unlock', () => this.topicAction('unlock'))
                        : act('lock', () => this.openLockForm(), { 'aria-expanded': String(Boolean(open)) }),
                    act(tp.pinned ? 'unpin' : 'pin', () => this.topicAction(tp.pinned ? 'unpin' : 'pin'))),
                open && open.form.element(this.renderSerial),
                this.topicFlash && h('p', { class: 'notice notice--success', id: 'topic-tools-flash', tabindex: '-1' }, this.topicFlash)))));
    }

    openLockForm() {
        if (this.forms.get('topic')) {
            this.forms.delete('topic');
            this.paintTopicTools();
            document.querySelector('[data-focus-key="topic-lock"]')?.focus();
            return;
        }
        this.topicFlash = null;
        const form = new MiniForm({
            id: 'lock-topic', title: t('modtools.lock_title'), submitLabel: t('modtools.lock_send'),
            fields: [{ name: 'reason', kind: 'textarea', rows: 2, label: t('modtools.lock_reason'), hint: t('modtools.lock_hint') }],
            check: (v) => [needText(v, 'reason', REASON_MAX, { required: false })].filter(Boolean),
            onSubmit: (v) => this.ctx.ws.request('topic.lock', { topic_id: this.id, ...(v.reason.trim() ? { reason: v.reason.trim() } : {}) }),
            onDone: (res) => this.topicDone('lock', res),
            onCancel: () => this.openLockForm(),
            errorText: (err) => this.formError(err),
            announce: (text) => this.ctx.announce(text),
        });
        this.forms.set('topic', { kind: 'lock', form });
        this.paintTopicTools();
        form.focus();
    }

    async topicAction(kind) {
        if (this.topicBusy) return;
        this.topicBusy = true;
        const res = await this.ctx.ws.request(`topic.${kind}`, { topic_id: this.id });
        this.topicBusy = false;
        if (!res.ok) {
            const text = this.formError(res.error);
            this.topicFlash = null;
            this.paintTopicTools();
            if (text) this.ctx.announce(text);
            return;
        }
        this.topicDone(kind, res);
    }

    topicDone(kind, res) {
        this.forms.delete('topic');
        this.topicFlash = t(`modtools.topic_${kind}_done`);
        if (res.topic && (res.topic.seq ?? 0) >= (this.topic.seq ?? 0)) this.topicChanged(res.topic);
        this.paintTopicTools();
        document.getElementById('topic-tools-flash')?.focus();
        this.ctx.announce(this.topicFlash);
    }

    paintMoved() {
        if (!this.movedBox) return;
        const out = this.movedOut;
        keepFocus(this.movedBox, () => fill(this.movedBox,
            out && h('div', { class: 'notice notice--info moved-note', tabindex: '-1', id: 'moved-out' },
                h('p', null, tn('topic.moved_out', out.n, { n: formatNumber(out.n) }), ' ',
                    out.to && h('a', { href: `#/topics/${out.to}` }, t('topic.moved_go')))),
            this.movedIn > 0 && h('div', { class: 'unread-bar' },
                h('p', null, tn('topic.moved_in', this.movedIn, { n: formatNumber(this.movedIn) })),
                h('button', { type: 'button', class: 'button button--secondary', id: 'show-moved',
                    onclick: () => {
                        this.movedIn = 0;
                        this.paintMoved();
                        this.reload();
                        this.h1?.focus();
                    } }, t('topic.moved_show')))));
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
            const box = this.replying.has(id) && (this.canPost || this.composers.get(`r${id}`)?.hasText())
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
    // the tombstone, or the placeholder of a hidden post), what moderators
    // did with it, reactions, what the member can do with it, and the small
    // form open on it (report, appeal, a moderator's tool).
    fillArticle(el) {
        const id = Number(el.article.id.replace('post-', ''));
        const post = this.posts.get(id);
        if (!post) return;
        const mine = !post.deleted && post.author?.id === this.me;
        const hidden = isHidden(post);
        const hiddenText = hidden && !post.author; // what everyone but its author and moderators get
        const isNew = this.unread.has(id) && !hiddenText;
        const pending = post.status === 'pending';
        const a = el.article;
        a.className = ['post', post.depth === 0 && 'post--opening', post.deleted && 'post--deleted', mine && 'post--mine',
            isNew && 'post--new', hidden && 'post--hidden', pending && 'post--pending'].filter(Boolean).join(' ');
        const name = post.deleted ? t('post.deleted_title') : hiddenText ? t('hidden.title') : authorName(post);
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
                isNew && ' ', isNew && h('span', { class: 'badge badge--new' }, t('post.new')),
                pending && ' ', pending && h('span', { class: 'badge badge--pending' }, t('hidden.pending_badge')),
                hidden && !hiddenText && ' ', hidden && !hiddenText && h('span', { class: 'badge badge--hidden' }, t('hidden.badge'))),
            h('p', { class: 'post__meta' },
                timeEl(post.created_at),
                post.edited_at && !post.deleted && [' · ', h('span', { class: 'post__edited' }, t('post.edited'), ' ', timeEl(post.edited_at))],
                replyTo && [' · ', replyTo]));
        // The body is rebuilt only when it changes, so an edit box in it is
        // left alone (caret, focus) while reactions and the like come in.
        const editing = !post.deleted && this.editing.has(id) && (this.canPost || this.composers.get(`e${id}`)?.hasText());
        const bodyKey = post.deleted ? `deleted:${post.deleted_by}` : editing ? `edit:${this.renderSerial}`
            : `html:${post.body_html}:${JSON.stringify(post.hidden)}:${hiddenText}:${post.status}:${this.renderSerial}`;
        if (!el.parts) {
            el.parts = { header: h('div'), body: h('div', { class: 'post__content' }), notes: h('div'), reactions: h('div'),
                actions: h('div'), forms: h('div') };
            fill(a, el.parts.header, el.parts.body, el.parts.notes, el.parts.reactions, el.parts.actions, el.parts.forms);
        }
        if (el.bodyKey !== bodyKey) {
            el.bodyKey = bodyKey;
            let body;
            if (post.deleted) {
                body = h('p', { class: 'post__tombstone' }, t(post.deleted_by === 'moderator' ? 'hidden.deleted_by_moderator' : 'post.tombstone'));
            } else if (editing) {
                body = this.composerEl(`e${id}`);
            } else if (hiddenText) {
                body = h('p', { class: 'post__tombstone' }, t(post.hidden?.by === 'reports' ? 'hidden.placeholder_reports' : 'hidden.placeholder'));
            } else if (hidden) {
                body = this.hiddenBox(post, mine);
            } else {
                body = [
                    pending && h('p', { class: 'post__pending-note' }, t(mine ? 'hidden.pending_note' : 'hidden.pending_note_staff')),
                    h('div', { class: 'prose post__body' }, serverHtml(post.body_html)),
                ];
            }
            keepFocus(el.parts.body, () => fill(el.parts.body, body));
        }
        fill(el.parts.header, header);
        fill(el.parts.notes, !post.deleted && post.moderator_edit && h('p', { class: 'post__modedit' },
            h('strong', null, t('hidden.moderator_edit')), ' ', post.moderator_edit.reason ?? ''));
        keepFocus(el.parts.reactions, () => fill(el.parts.reactions, this.reactions(post)));
        keepFocus(el.parts.actions, () => fill(el.parts.actions, this.actions(post)));
        const open = this.forms.get(id);
        const flash = this.flashes.get(id);
        syncChildren(el.parts.forms, [
            open && open.form.element(this.renderSerial),
            flash && !open && (el.flash?.dataset.text === flash ? el.flash
                : (el.flash = h('p', { class: 'notice notice--success post__flash', id: `post-${id}-flash`, tabindex: '-1', 'data-text': flash }, flash))),
        ].filter(Boolean));
    }

    // A hidden post as its author and moderators see it: marked, with why
    // and where its appeal stands.
    hiddenBox(post, mine) {
        const hd = post.hidden ?? {};
        const why = hd.by === 'reports' ? t('hidden.why_reports')
            : hd.reason ? t('hidden.why_moderator', { reason: hd.reason }) : t('hidden.why_moderator_plain');
        const appeal = mine && hd.appeal && h('p', { class: 'post__appeal' }, t(`hidden.appeal_${hd.appeal}`));
        return h('div', { class: 'post__hidden-box' },
            h('p', { class: 'post__hidden-why' }, h('strong', null, t(mine ? 'hidden.yours' : 'hidden.others')), ' ', why),
            h('div', { class: 'prose post__body' }, serverHtml(post.body_html)),
            appeal);
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
        if (post.deleted || isHidden(post) || post.status === 'pending') return null;
        const counts = post.reactions ?? {};
        const mine = new Set(post.mine ?? []);
        const canReact = this.canWrite && !this.suspended && post.author?.id !== this.me;
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
        if (post.deleted) return null;
        const id = post.id;
        const mine = post.author?.id === this.me;
        const hidden = isHidden(post);
        const pending = post.status === 'pending';
        if (this.confirming.has(id) && this.canWrite) {
            return h('div', { class: 'confirm', role: 'group', 'aria-labelledby': `post-${id}-confirm` },
                h('p', { id: `post-${id}-confirm` }, h('strong', null, t('post.delete_confirm'))),
                h('div', { class: 'actions actions--tight' },
                    h('button', { type: 'button', class: 'button button--danger', 'data-focus-key': `delete-yes-${id}`,
                        onclick: () => this.remove(id) }, t('post.delete_yes')),
                    h('button', { type: 'button', class: 'button button--secondary', 'data-focus-key': `delete-no-${id}`,
                        onclick: () => this.cancelDelete(id) }, t('cancel'))));
        }
        const who = h('span', { class: 'visually-hidden' }, ` – ${hidden && !post.author ? t('hidden.title') : authorName(post)}`);
        const button = (action, key, fn, extra = {}) => h('button', {
            type: 'button', class: 'link-button', 'data-focus-key': `${action}-${id}`, onclick: fn, ...extra,
        }, t(key), who.cloneNode(true));
        const editingNow = this.editing.has(id);
        const open = this.forms.get(id)?.kind;
        const canAnswer = this.canPost && !hidden && !pending;
        // A closed period is read-only: nothing to report or appeal there.
        // Moderators act on posts directly rather than report them.
        const reportable = this.canWrite && !this.staff && !mine && post.author && !hidden && !pending;
        const appealable = mine && hidden && !post.hidden?.appeal;
        const items = [
            canAnswer && button('reply', 'post.reply', () => this.reply(id)),
            canAnswer && button('quote', 'post.quote', () => this.quote(id)),
            mine && this.canPost && !editingNow && button('edit', 'post.edit', () => this.startEdit(id)),
            mine && this.canWrite && button('delete', 'post.delete', () => this.askDelete(id)),
            reportable && (this.reported.has(id) || post.reported
                ? h('span', { class: 'post__reported', 'data-focus-key': `report-${id}` }, t('report.done_label'))
                : button('report', 'report.action', () => this.toggleForm(id, 'report'),
                    { 'aria-expanded': String(open === 'report'), 'aria-controls': open === 'report' ? `report-${id}` : null })),
            appealable && button('appeal', 'hidden.appeal', () => this.toggleForm(id, 'appeal'),
                { 'aria-expanded': String(open === 'appeal'), 'aria-controls': open === 'appeal' ? `appeal-${id}` : null }),
            this.staff && !pending && (!mine || post.depth > 0) && button('modmenu', 'modtools.menu', () => this.toggleModMenu(id),
                { 'aria-expanded': String(this.modOpen.has(id)), 'aria-controls': this.modOpen.has(id) ? `modmenu-${id}` : null }),
        ].filter(Boolean);
        const menu = this.staff && !pending && (!mine || post.depth > 0) && this.modOpen.has(id) && this.modMenu(post, who);
        if (!items.length) return null;
        return [h('div', { class: 'post__actions' }, items), menu];
    }

    // The moderator's tools for one post, behind "Moderoi".
    modMenu(post, who) {
        const id = post.id;
        const mine = post.author?.id === this.me;
        const hidden = isHidden(post);
        const open = this.forms.get(id)?.kind;
        const tool = (kind) => h('button', {
            type: 'button', class: 'button button--secondary button--small', 'data-focus-key': `mod-${kind}-${id}`,
            'aria-expanded': String(open === kind), 'aria-controls': open === kind ? `modform-${kind}-${id}` : null,
            onclick: () => this.toggleForm(id, kind),
        }, t(`modtools.${kind}`), who.cloneNode(true));
        return h('div', { class: 'modmenu', id: `modmenu-${id}`, role: 'group', 'aria-labelledby': `modmenu-${id}-title` },
            h('p', { class: 'visually-hidden', id: `modmenu-${id}-title` }, `${t('modtools.menu_title')} – ${authorName(post)}`),
            h('div', { class: 'actions actions--tight' },
                !mine && (hidden ? tool('restore') : tool('hide')),
                !mine && tool('edit'),
                !mine && tool('delete'),
                post.depth > 0 && tool('move')));
    }

    toggleModMenu(id) {
        if (this.modOpen.has(id)) {
            this.modOpen.delete(id);
            const kind = this.forms.get(id)?.kind;
            if (kind && !['report', 'appeal'].includes(kind)) this.forms.delete(id);
        } else {
            this.modOpen.add(id);
        }
        this.refreshPost(id);
        this.focusAction(id, 'modmenu');
    }

    // Opens the small form of `kind` on a post (closing another one), or
    // closes it; focus goes into the form, and back to its button after.
    async toggleForm(id, kind) {
        const open = this.forms.get(id);
        this.flashes.delete(id);
        if (open?.kind === kind) {
            this.closeForm(id);
            return;
        }
        const form = await this.makeForm(id, kind);
        if (!form || this.disposed) return;
        this.forms.set(id, { kind, form });
        this.refreshPost(id);
        form.focus();
    }

    closeForm(id, { flash = null } = {}) {
        const kind = this.forms.get(id)?.kind;
        this.forms.delete(id);
        if (flash) this.flashes.set(id, flash);
        else this.flashes.delete(id);
        this.refreshPost(id);
        if (flash) document.getElementById(`post-${id}-flash`)?.focus();
        else if (kind) this.focusAction(id, ['report', 'appeal'].includes(kind) ? kind : `mod-${kind}`);
    }

    formError(err) {
        if (err?.code === 'unauthenticated') {
            this.ctx.sessionEnded();
            return '';
        }
        return postErrorText(err ?? { code: 'unknown' });
    }

    async makeForm(id, kind) {
        const post = this.posts.get(id);
        if (!post) return null;
        const common = {
            id: ['report', 'appeal'].includes(kind) ? `${kind}-${id}` : `modform-${kind}-${id}`,
            onCancel: () => this.closeForm(id),
            errorText: (err) => this.formError(err),
            announce: (text) => this.ctx.announce(text),
        };
        const reasonField = (required, label) => ({ name: 'reason', kind: 'textarea', rows: 2, label,
            hint: required ? t('modtools.reason_hint') : t('modtools.reason_hint_optional') });
        const done = (text) => (res) => {
            if (res.post) this.upsert(res.post);
            if (kind === 'report') this.reported.add(id);
            this.closeForm(id, { flash: text });
            this.ctx.announce(text);
        };
        if (kind === 'report') {
            return new MiniForm({
                ...common, title: t('report.title'), submitLabel: t('report.send'),
                fields: [
                    { name: 'reason', kind: 'radios', label: t('report.reason'),
                        options: REPORT_REASONS.map((r) => ({ value: r, label: t(`report.reason.${r}`) })) },
                    { name: 'text', kind: 'textarea', rows: 3, label: t('report.text'), hint: t('report.text_hint') },
                ],
                check: (v) => [
                    !v.reason && { field: 'reason', text: t('report.error.reason') },
                    v.reason === 'muu' && !v.text.trim() && { field: 'text', text: t('report.error.text') },
                    textLength(v.text) > REASON_MAX && { field: 'text', text: t('modtools.error.too_long', { limit: REASON_MAX }) },
                ].filter(Boolean),
                onSubmit: async (v) => {
                    const msg = { post_id: id, reason: v.reason };
                    if (v.text.trim()) msg.text = v.text.trim();
                    const res = await this.ctx.ws.request('report.create', msg);
                    if (!res.ok && res.error?.code === 'conflict') {
                        this.reported.add(id);
                        return { ok: true, already: true };
                    }
                    return res;
                },
                onDone: (res) => done(t(res.already ? 'report.already' : 'report.thanks'))(res),
            });
        }
        if (kind === 'appeal') {
            return new MiniForm({
                ...common, title: t('hidden.appeal_title'), intro: t('hidden.appeal_intro'), submitLabel: t('hidden.appeal_send'),
                fields: [{ name: 'text', kind: 'textarea', rows: 3, label: t('hidden.appeal_text') }],
                check: (v) => [needText(v, 'text', 1000)].filter(Boolean),
                onSubmit: (v) => this.ctx.ws.request('appeal.create', { post_id: id, text: v.text.trim() }),
                onDone: done(t('hidden.appeal_sent')),
            });
        }
        if (kind === 'hide' || kind === 'restore') {
            const required = kind === 'hide';
            return new MiniForm({
                ...common, title: t(`modtools.${kind}_title`), submitLabel: t(`modtools.${kind}_send`),
                fields: [reasonField(required, t('modtools.reason'))],
                check: (v) => [needText(v, 'reason', REASON_MAX, { required })].filter(Boolean),
                onSubmit: (v) => this.ctx.ws.request(`post.${kind}`, { post_id: id, ...(v.reason.trim() ? { reason: v.reason.trim() } : {}) }),
                onDone: done(t(`modtools.${kind}_done`)),
            });
        }
        if (kind === 'edit') {
            return new MiniForm({
                ...common, title: t('modtools.edit_title'), submitLabel: t('modtools.edit_send'),
                fields: [
                    { name: 'body', kind: 'textarea', rows: 6, label: t('modtools.edit_body'), value: post.body ?? '' },
                    reasonField(true, t('modtools.edit_reason')),
                ],
                check: (v) => [
                    !v.body.trim() && { field: 'body', text: t('post.error.missing_field.body') },
                    needText(v, 'reason', REASON_MAX),
                ].filter(Boolean),
                onSubmit: (v) => this.ctx.ws.request('post.edit', { post_id: id, body: v.body.trim(), reason: v.reason.trim() }),
                onDone: done(t('modtools.edit_done')),
            });
        }
        if (kind === 'delete') {
            return new MiniForm({
                ...common, title: t('modtools.delete_title'), intro: t('modtools.delete_intro'), submitLabel: t('modtools.delete_send'),
                danger: true,
                fields: [reasonField(true, t('modtools.reason'))],
                check: (v) => [needText(v, 'reason', REASON_MAX)].filter(Boolean),
                onSubmit: (v) => this.ctx.ws.request('post.delete', { post_id: id, reason: v.reason.trim() }),
                onDone: done(t('modtools.delete_done')),
            });
        }
        if (kind === 'move') {
            const res = await this.ctx.ws.request('period.get', { period_id: this.period.id });
            if (this.disposed) return null;
            const topics = res.ok ? (res.topics ?? []).filter((tp) => tp.id !== this.id && tp.status !== 'pending') : [];
            if (!topics.length) {
                this.flashes.set(id, res.ok ? t('modtools.move_none') : this.formError(res.error));
                this.refreshPost(id);
                document.getElementById(`post-${id}-flash`)?.focus();
                return null;
            }
            return new MiniForm({
                ...common, title: t('modtools.move_title'), intro: t('modtools.move_intro'), submitLabel: t('modtools.move_send'),
                fields: [
                    { name: 'topic_id', kind: 'select', label: t('modtools.move_topic'),
                        options: [{ value: '', label: t('modtools.move_choose') },
                            ...topics.map((tp) => ({ value: String(tp.id), label: tp.title }))] },
                    reasonField(false, t('modtools.reason')),
                ],
                check: (v) => [!v.topic_id && { code: 'missing_field', field: 'topic_id' },
                    needText(v, 'reason', REASON_MAX, { required: false })].filter(Boolean),
                onSubmit: (v) => this.ctx.ws.request('post.move', { post_id: id, topic_id: Number(v.topic_id),
                    ...(v.reason.trim() ? { reason: v.reason.trim() } : {}) }),
                onDone: (r) => {
                    this.forms.delete(id);
                    this.modOpen.delete(id);
                    // The post.moved event takes the posts away; say where they went.
                    const to = topics.find((tp) => tp.id === Number(r.post?.topic_id));
                    const text = tn('modtools.move_done', r.moved ?? 1, { n: formatNumber(r.moved ?? 1), title: to?.title ?? '' });
                    this.postsMoved({ post_ids: [id], from_topic_id: this.id, to_topic_id: to?.id ?? r.post?.topic_id });
                    this.ctx.announce(text);
                },
            });
        }
        return null;
    }

    paintComposer() {
        if (!this.composerBox || !this.topic) return;
        const c = this.composers.get('top');
        const show = this.canPost || c?.hasText();
        if (!show) {
            // A locked topic says so where the reply box was.
            const why = !this.canWrite ? null
                : this.suspended ? h('p', { class: 'notice notice--info', id: 'suspended-composer' },
                    t('topic.suspended_note', { until: formatDateTime(this.ctx.member.suspension.until) }), ' ',
                    h('a', { href: '#/profile' }, t('topic.suspended_link')))
                    : this.topic.locked ? h('p', { class: 'notice notice--info', id: 'topic-locked-composer' }, t('topic.locked_note'))
                        : null;
            fill(this.composerBox, why
                ? h('section', { class: 'section panel reply-panel', 'aria-labelledby': 'reply-heading' },
                    h('h2', { id: 'reply-heading' }, t('post.reply_topic')), why)
                : null);
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
