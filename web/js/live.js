// Live channels (docs/protocol.md, "Live: channels and events"). A view
// subscribes to the channels it shows and gets their events; this module
// remembers the last `seq` seen on each channel, and when the socket comes
// back after a drop it subscribes again with `since`, hands the catch-up
// events to the views as if they had just happened, or asks them to load
// again when the server answers `resync`.
//
//   const sub = await live.subscribe('topic:7', {
//       event(frame, { catchup }) {},  // an event frame (catch-up ones too)
//       resync(reply) {},              // load the view again
//       resubscribed(reply) {},        // back after a drop (reply.viewers…)
//       failed(error) {},              // a re-subscription was refused
//   });
//   sub.reply   // the subscribe reply ({ ok, seq, viewers } or { ok: false, error })
//   sub.close() // unsubscribe (when the view is left)

export class Live {
    constructor(ws) {
        this.ws = ws;
        this.channels = new Map(); // name -> { name, seq, handlers: Set }
        this.hellos = 0;
        ws.on('event', (frame) => this.dispatch(frame));
        ws.on('hello', () => {
            // The first hello is the page's first connection: whatever was
            // subscribed before it was queued and goes out with it.
            if (this.hellos++ > 0) this.resubscribeAll();
        });
    }

    async subscribe(name, handler) {
        let ch = this.channels.get(name);
        if (!ch) {
            ch = { name, seq: null, handlers: new Set() };
            this.channels.set(name, ch);
        }
        ch.handlers.add(handler);
        const reply = await this.ws.request('subscribe', { channel: name });
        if (reply.ok && this.channels.get(name) === ch) ch.seq = Math.max(ch.seq ?? 0, reply.seq ?? 0);
        return { reply, close: () => this.release(ch, handler) };
    }

    release(ch, handler) {
        ch.handlers.delete(handler);
        if (ch.handlers.size || this.channels.get(ch.name) !== ch) return;
        this.channels.delete(ch.name);
        if (this.ws.ready) this.ws.request('unsubscribe', { channel: ch.name });
    }

    dispatch(frame) {
        const ch = this.channels.get(frame.channel);
        if (!ch) return;
        if (typeof frame.seq === 'number') {
            // A channel's seq only grows; anything at or below what we have
            // seen is already applied (it came in a catch-up).
            // poll.results comes with the seq of the poll.changed before it,
            // so an equal seq does not make it old.
            const results = frame.event === 'poll.results' && frame.seq === ch.seq;
            if (ch.seq !== null && frame.seq <= ch.seq && !results) return;
            ch.seq = frame.seq;
        }
        this.each(ch, 'event', frame, { catchup: false });
    }

    each(ch, what, ...args) {
        for (const handler of [...ch.handlers]) {
            try {
                handler[what]?.(...args);
            } catch (err) {
                console.error(err);
            }
        }
    }

    resubscribeAll() {
        for (const ch of this.channels.values()) this.resubscribe(ch);
    }

    async resubscribe(ch) {
        const fields = { channel: ch.name };
        const known = ch.seq !== null;
        if (known) fields.since = ch.seq;
        const reply = await this.ws.request('subscribe', fields);
        if (this.channels.get(ch.name) !== ch) return; // left meanwhile
        if (!reply.ok) {
            // A network error means the socket dropped again; the next
            // hello tries once more.
            if (reply.error?.code !== 'network') this.each(ch, 'failed', reply.error);
            return;
        }
        if (reply.resync || !known) {
            ch.seq = reply.seq ?? ch.seq;
            this.each(ch, 'resync', reply);
            return;
        }
        for (const frame of reply.events ?? []) {
            if (typeof frame.seq === 'number' && frame.seq <= ch.seq) continue;
            this.each(ch, 'event', frame, { catchup: true });
        }
        ch.seq = Math.max(ch.seq, reply.seq ?? 0);
        this.each(ch, 'resubscribed', reply);
    }
}
