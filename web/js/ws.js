// The WebSocket at /ws (docs/protocol.md, "WebSocket"). One connection per
// page, reconnected with backoff when it drops. request() sends a message
// with the next id and resolves with the matching reply; like api.js it
// never rejects: a reply is { ok: true, ... } or { ok: false, error }.
//
// Listeners: on('hello', fn(frame)), on('event', fn(frame)),
// on('state', fn('connecting' | 'open' | 'closed')).

const REQUEST_TIMEOUT_MS = 20000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30000;

export function socketUrl(loc = window.location) {
    return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

export class Socket {
    constructor(url = socketUrl()) {
        this.url = url;
        this.sock = null;
        this.ready = false; // true once the server's hello has arrived
        this.nextId = 1;
        this.pending = new Map(); // id -> { resolve, timer }
        this.queue = []; // frames waiting for the connection to open
        this.listeners = new Map();
        this.attempts = 0;
        this.retryTimer = null;
        this.hello = null;
        window.addEventListener('online', () => {
            if (!this.sock) this.connect();
        });
    }

    on(kind, fn) {
        if (!this.listeners.has(kind)) this.listeners.set(kind, new Set());
        this.listeners.get(kind).add(fn);
        return () => this.listeners.get(kind).delete(fn);
    }

    emit(kind, arg) {
        for (const fn of this.listeners.get(kind) ?? []) {
            try {
                fn(arg);
            } catch (err) {
                console.error(err);
            }
        }
    }

    connect() {
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
        if (this.sock) return;
        let sock;
        try {
            sock = new WebSocket(this.url);
        } catch {
            this.scheduleRetry();
            return;
        }
        this.sock = sock;
        this.ready = false;
        this.emit('state', 'connecting');
        sock.addEventListener('message', (ev) => {
            if (this.sock === sock) this.receive(ev.data);
        });
        sock.addEventListener('close', () => {
            if (this.sock !== sock) return; // an old socket we closed ourselves
            this.dropped();
            this.scheduleRetry();
        });
    }

    // Closes the connection and opens a new one at once: the session cookie
    // is read only at upgrade, so this follows a sign-in or sign-out.
    reconnect() {
        const old = this.sock;
        this.sock = null;
        if (old) {
            this.dropped();
            old.close(1000);
        }
        this.attempts = 0;
        this.connect();
    }

    dropped() {
        this.sock = null;
        this.ready = false;
        for (const [, p] of this.pending) {
            clearTimeout(p.timer);
            p.resolve({ ok: false, error: { code: 'network' } });
        }
        this.pending.clear();
        this.queue = []; // their callers were just told; never send them late
        this.emit('state', 'closed');
    }

    scheduleRetry() {
        if (this.retryTimer) return;
        const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempts);
        this.attempts += 1;
        const delay = base / 2 + Math.random() * (base / 2); // jitter spreads a crowd out
        this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.connect();
        }, delay);
    }

    receive(text) {
        let msg;
        try {
            msg = JSON.parse(text);
        } catch {
            return;
        }
        if (!msg || typeof msg !== 'object') return;
        if (msg.type === 'hello') {
            this.attempts = 0;
            this.ready = true;
            this.hello = msg;
            this.emit('state', 'open');
            this.emit('hello', msg);
            const queued = this.queue;
            this.queue = [];
            for (const frame of queued) this.sock.send(frame);
        } else if (msg.type === 'reply') {
            const p = this.pending.get(msg.re);
            if (!p) return;
            this.pending.delete(msg.re);
            clearTimeout(p.timer);
            p.resolve(msg.ok ? msg : { ...msg, ok: false, error: msg.error ?? { code: 'unknown' } });
        } else if (msg.type === 'event') {
            this.emit('event', msg);
        }
    }

    // request('profile.update', { display_name: 'Maija' }) -> reply
    request(type, fields = {}) {
        const id = this.nextId++;
        const frame = JSON.stringify({ ...fields, type, id });
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.pending.delete(id);
                this.queue = this.queue.filter((f) => f !== frame);
                resolve({ ok: false, error: { code: 'network' } });
            }, REQUEST_TIMEOUT_MS);
            this.pending.set(id, { resolve, timer });
            if (this.sock && this.ready) this.sock.send(frame);
            else {
                this.queue.push(frame);
                if (!this.sock) this.connect();
            }
        });
    }
}
