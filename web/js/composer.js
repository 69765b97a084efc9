// A box for writing a post (a reply, an edit): a labelled textarea, a
// character counter against the server's cap, the error for what went wrong
// (by the protocol's error code), and the text kept in sessionStorage as it
// is typed, so that a dropped connection, a reload of the view or a page
// reload never loses it. The instance outlives re-renders: build() makes a
// fresh form (in the current language) around the same text.
import { h } from './dom.js';
import { t, formatNumber } from './i18n.js';
import { charCounter, textLength, errorText } from './forms.js';
import { loadDraft, saveDraft, removeDraft } from './drafts.js';

// RAATI_MAX_POST_CHARS: 20,000 unless the server says otherwise in a
// too_long reply, which carries the limit it enforces.
let postLimit = 20000;
export function postMax() {
    return postLimit;
}

// The text for an error about a post, most specific key first:
// post.error.<code>.<field>, post.error.<code>, then the general catalog.
export function postErrorText(err, params = {}) {
    const all = { ...params, limit: formatNumber(err.limit ?? postLimit), word: err.word ?? '' };
    for (const key of [err.field && `post.error.${err.code}.${err.field}`, `post.error.${err.code}`]) {
        if (key) {
            const text = t(key, all);
            if (text !== key) return text;
        }
    }
    return errorText(err, all);
}

// Errors about the text, shown by the field; the rest are about the
// situation (the network, a closed period) and leave focus where it is.
const TEXT_ERRORS = new Set(['too_long', 'invalid_field', 'missing_field', 'watched_word']);

let serial = 0;

export class Composer {
    // id: base for element ids; draftKey: where the text is kept; label,
    // submitLabel, cancelLabel (no cancel button without one); initial: the
    // text to start with when there is no draft; onSubmit(text) -> reply
    // promise; onDone(reply) after a success; onCancel().
    constructor(o) {
        this.o = o;
        this.id = o.id ?? `composer-${++serial}`;
        this.text = loadDraft(o.draftKey) || o.initial || '';
        this.error = null;
        this.readOnly = false;
        this.readOnlyNote = null;
        this.busy = false;
        this.el = null;
    }

    get value() {
        return this.area ? this.area.value : this.text;
    }

    hasText() {
        return this.value.trim() !== '';
    }

    build() {
        if (this.area) this.text = this.area.value;
        const id = this.id;
        const label = (x) => (typeof x === 'function' ? x() : x);
        const describedBy = [`${id}-hint`, `${id}-count`].join(' ');
        this.area = h('textarea', {
            id: `${id}-body`, name: 'body', class: 'input textarea composer__text', rows: this.o.rows ?? 5,
            spellcheck: 'true', 'aria-describedby': describedBy, 'data-describedby': describedBy,
            readonly: this.readOnly,
        });
        this.area.value = this.text;
        this.area.addEventListener('input', () => {
            this.text = this.area.value;
            saveDraft(this.o.draftKey, this.text);
            if (this.error && TEXT_ERRORS.has(this.error.code)) this.showError(null);
        });
        this.area.addEventListener('keydown', (ev) => {
            // Ctrl+Enter (or Cmd+Enter) sends, as in most message boxes.
            if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
                ev.preventDefault();
                this.submit();
            }
        });
        const counter = charCounter(`${id}-count`, this.area, { max: postMax, length: textLength });
        this.counter = counter;
        this.errorEl = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
        this.noteEl = h('p', { class: 'notice notice--info composer__closed', hidden: !this.readOnlyNote }, this.readOnlyNote ?? '');
        this.submitBtn = h('button', { type: 'submit', class: 'button', hidden: this.readOnly, 'data-focus-key': `${id}-send` },
            label(this.o.submitLabel));
        const cancel = this.o.cancelLabel && h('button', {
            type: 'button', class: 'button button--secondary', 'data-focus-key': `${id}-cancel`,
            onclick: () => this.o.onCancel?.(this),
        }, label(this.o.cancelLabel));
        this.el = h('form', { class: ['composer', this.o.className], id, novalidate: true, 'aria-labelledby': `${id}-label` },
            h('div', { class: 'field' },
                h('label', { class: 'label', for: `${id}-body`, id: `${id}-label` }, label(this.o.label)),
                h('p', { class: 'hint', id: `${id}-hint` }, t('markdown.hint')),
                this.errorEl,
                this.area,
                counter.node),
            this.noteEl,
            h('div', { class: 'actions actions--tight' }, this.submitBtn, cancel));
        this.el.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit();
        });
        if (this.error) this.showError(this.error);
        return this.el;
    }

    focus({ end = true } = {}) {
        if (!this.area) return;
        this.area.focus();
        if (end) this.area.setSelectionRange(this.area.value.length, this.area.value.length);
    }

    setText(text) {
        this.text = text;
        if (this.area) {
            this.area.value = text;
            this.counter.update();
        }
        saveDraft(this.o.draftKey, text);
    }

    // Adds a quote on a line of its own after what is already written.
    appendText(text) {
        const now = this.value.replace(/\s+$/, '');
        this.setText(now ? `${now}\n\n${text}` : text);
    }

    // A closed period: the text stays readable (and copyable) but cannot
    // be sent.
    setReadOnly(on, note) {
        this.readOnly = on;
        this.readOnlyNote = on ? note : null;
        if (!this.area) return;
        this.area.readOnly = on;
        this.submitBtn.hidden = on;
        this.noteEl.hidden = !on;
        this.noteEl.textContent = on ? note : '';
    }

    showError(err) {
        this.error = err;
        if (!this.area) return;
        const base = this.area.dataset.describedby;
        if (!err) {
            this.errorEl.hidden = true;
            this.errorEl.textContent = '';
            this.area.removeAttribute('aria-invalid');
            this.area.setAttribute('aria-describedby', base);
            return;
        }
        const params = { length: formatNumber(textLength(this.value)) };
        this.errorEl.replaceChildren(h('span', { class: 'visually-hidden' }, `${t('error.prefix')} `), postErrorText(err, params));
        this.errorEl.hidden = false;
        this.area.setAttribute('aria-describedby', `${this.errorEl.id} ${base}`);
        if (TEXT_ERRORS.has(err.code)) this.area.setAttribute('aria-invalid', 'true');
        else this.area.removeAttribute('aria-invalid');
    }

    async submit() {
        if (this.busy || this.readOnly) return;
        const text = this.value.trim();
        let problem = null;
        if (!text) problem = { code: 'invalid_field', field: 'body' };
        else if (textLength(text) > postMax()) problem = { code: 'too_long', field: 'body', limit: postMax() };
        if (problem) {
            this.showError(problem);
            this.area.focus();
            return;
        }
        this.busy = true;
        this.el?.setAttribute('aria-busy', 'true');
        const res = await this.o.onSubmit(text);
        this.busy = false;
        this.el?.removeAttribute('aria-busy');
        if (res.ok) {
            this.showError(null);
            this.discard();
            this.o.onDone?.(res, this);
            return;
        }
        const err = res.error ?? { code: 'unknown' };
        if (err.code === 'too_long' && Number.isFinite(err.limit) && err.field === 'body') {
            postLimit = err.limit;
            this.counter?.update();
        }
        this.showError(err);
        if (TEXT_ERRORS.has(err.code) && this.area?.isConnected) this.area.focus();
        else this.o.announce?.(postErrorText(err, { length: formatNumber(textLength(this.value)) }));
    }

    // Forgets the text (sent, or cancelled by the writer).
    discard() {
        removeDraft(this.o.draftKey);
        this.text = '';
        if (this.area) {
            this.area.value = '';
            this.counter.update();
        }
    }
}
