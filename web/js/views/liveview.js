// The base of the views that show live data: subscribes to channels before
// loading (so nothing that happens in between is missed), holds back the
// events that come while a load is under way, loads again on `resync` or
// when the first subscription could not be made, and lets go of its
// channels when the route is left (state.dispose).
export class LiveView {
    constructor(ctx) {
        this.ctx = ctx;
        this.subs = new Map(); // channel -> { reply, close }
        this.disposed = false;
        this.loading = false;
        this.held = [];
        this.loadSerial = 0;
    }

    // Subscribes once per channel; returns the reply.
    async subscribe(channel) {
        if (this.subs.has(channel)) return { ok: true };
        const handler = {
            event: (frame, how) => this.receive(frame, how),
            resync: () => this.reload(),
            resubscribed: (reply) => this.resubscribed(channel, reply),
            failed: (error) => this.subscriptionFailed(channel, error),
        };
        const sub = await this.ctx.live.subscribe(channel, handler);
        if (this.disposed) {
            sub.close();
            return sub.reply;
        }
        // A subscription refused for a reason other than the network is not
        // kept; one lost to the network is, so that the next connection
        // makes it and the view loads again.
        if (sub.reply.ok || sub.reply.error?.code === 'network') this.subs.set(channel, sub);
        else sub.close();
        return sub.reply;
    }

    // Subscribes to channel, then asks for what the view shows (type,
    // params): the reply, or null when the view was left, the session ended
    // or either failed (this.error then says why).
    async subscribeAndGet(channel, type, params) {
        const sub = await this.subscribe(channel);
        const res = sub.ok ? await this.ctx.ws.request(type, params) : sub;
        if (this.disposed) return null;
        if (!res.ok) {
            if (res.error?.code === 'unauthenticated') this.ctx.sessionEnded();
            else this.error = res.error;
            return null;
        }
        this.error = null;
        return res;
    }

    unsubscribe(channel) {
        this.subs.get(channel)?.close();
        this.subs.delete(channel);
    }

    receive(frame, how) {
        if (this.disposed) return;
        if (this.loading) this.held.push([frame, how]);
        else this.apply(frame, how);
    }

    // Runs a load: fn() fetches and stores the data. Events that arrive
    // meanwhile are applied after it, each checked against the seq of what
    // was loaded (see apply()).
    async runLoad(fn) {
        const serial = ++this.loadSerial;
        this.loading = true;
        this.held = [];
        try {
            await fn();
        } finally {
            if (serial === this.loadSerial) {
                this.loading = false;
                const held = this.held;
                this.held = [];
                if (!this.disposed) for (const [frame, how] of held) this.apply(frame, how);
            }
        }
    }

    dispose() {
        this.disposed = true;
        for (const sub of this.subs.values()) sub.close();
        this.subs.clear();
    }

    // Overridden by the views.
    apply() {}

    reload() {}

    resubscribed() {}

    subscriptionFailed() {}
}

// Re-renders part of a screen and puts keyboard focus back on the
// equivalent control: the one with the same data-focus-key, id or href.
export function keepFocus(container, fn) {
    const active = document.activeElement;
    const inside = active && active !== document.body && container.contains(active);
    const key = inside && (active.dataset.focusKey ? `[data-focus-key="${CSS.escape(active.dataset.focusKey)}"]`
        : active.id ? `#${CSS.escape(active.id)}`
            : active.getAttribute('href') ? `[href="${CSS.escape(active.getAttribute('href'))}"]` : null);
    fn();
    if (!inside || document.activeElement === active) return;
    if (active.isConnected) active.focus({ preventScroll: true });
    else if (key) container.querySelector(key)?.focus({ preventScroll: true });
}
