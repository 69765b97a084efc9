// Small inline forms that open inside a thread (reporting a post, appealing,
// a moderator's reason for hiding, editing, deleting or moving, locking a
// topic): a heading-less form named by its first line, a few fields with
// their errors next to them, a notice slot, and a send and a cancel button.
// The instance outlives re-renders of the post it sits in: element() gives
// the same form back, and builds it again (keeping what was typed) only
// when the page itself was rendered again (a language change).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { groupError, textLength, errorText } from '../forms.js';

// fields: [{ name, kind: 'textarea' | 'text' | 'select' | 'radios', label,
//            hint, options: [{ value, label }], value, rows, max }]
// o: { id, title, fields, submitLabel, danger, check(values) ->
//      [{ field, text }], onSubmit(values) -> reply promise,
//      onDone(reply), onCancel(), errorText(err) -> text }
export class MiniForm {
    constructor(o) {
        this.o = o;
        this.id = o.id;
        this.values = Object.fromEntries(o.fields.map((f) => [f.name, f.value ?? '']));
        this.busy = false;
        this.el = null;
        this.serial = null;
    }

    element(serial) {
        if (this.el && this.serial === serial) return this.el;
        if (this.el) this.values = this.read();
        this.serial = serial;
        this.build();
        return this.el;
    }

    control(f) {
        const id = `${this.id}-${f.name}`;
        const value = this.values[f.name] ?? '';
        const hint = f.hint && h('p', { class: 'hint', id: `${id}-hint` }, f.hint);
        const slot = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
        if (f.kind === 'radios') {
            return h('fieldset', { class: 'field fieldset', 'data-field': f.name, id, 'aria-describedby': hint ? `${id}-hint` : null },
                h('legend', { class: 'legend' }, f.label),
                hint, slot,
                h('div', { class: 'choices' }, f.options.map((opt) => h('div', { class: 'choice' },
                    h('input', { type: 'radio', id: `${id}-${opt.value}`, name: `${id}`, value: opt.value,
                        checked: value === opt.value, 'data-nosnapshot': true }),
                    h('label', { for: `${id}-${opt.value}` }, opt.label)))));
        }
        const describedBy = [hint && `${id}-hint`].filter(Boolean).join(' ');
        const common = { id, name: f.name, 'aria-describedby': describedBy || null, 'data-describedby': describedBy };
        let input;
        if (f.kind === 'select') {
            input = h('select', { ...common, class: 'select' },
                f.options.map((opt) => h('option', { value: opt.value, selected: opt.value === value }, opt.label)));
        } else if (f.kind === 'textarea') {
            input = h('textarea', { ...common, class: 'input textarea', rows: f.rows ?? 3, spellcheck: 'true' });
            input.value = value;
        } else {
            input = h('input', { ...common, type: 'text', class: 'input', value });
        }
        return h('div', { class: 'field', 'data-field': f.name },
            h('label', { class: 'label', for: id }, f.label), hint, slot, input);
    }

    build() {
        const titleId = `${this.id}-title`;
        this.noticeEl = h('div', { class: 'notice-slot', id: `${this.id}-notice` });
        this.submitBtn = h('button', { type: 'submit', class: ['button', this.o.danger && 'button--danger'], id: `${this.id}-submit` },
            this.o.submitLabel);
        this.el = h('form', { class: 'mini-form', id: this.id, novalidate: true, 'aria-labelledby': titleId },
            h('p', { class: 'mini-form__title', id: titleId }, h('strong', null, this.o.title)),
            this.o.intro && h('p', { class: 'hint' }, this.o.intro),
            this.o.fields.map((f) => this.control(f)),
            this.noticeEl,
            h('div', { class: 'actions actions--tight' }, this.submitBtn,
                h('button', { type: 'button', class: 'button button--secondary', id: `${this.id}-cancel`,
                    onclick: () => this.o.onCancel?.() }, t('cancel'))));
        this.el.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.submit();
        });
        // Escape closes the form, as Cancel does (focus goes back to its button).
        this.el.addEventListener('keydown', (ev) => {
            if (ev.key === 'Escape' && !this.busy) {
                ev.preventDefault();
                this.o.onCancel?.();
            }
        });
    }

    read() {
        const out = {};
        for (const f of this.o.fields) {
            if (f.kind === 'radios') {
                out[f.name] = this.el?.querySelector(`input[name="${this.id}-${f.name}"]:checked`)?.value ?? '';
            } else {
                out[f.name] = this.el?.querySelector(`#${CSS.escape(`${this.id}-${f.name}`)}`)?.value ?? this.values[f.name] ?? '';
            }
        }
        return out;
    }

    // The first control, for focus when the form opens.
    focus() {
        const first = this.el?.querySelector('input:checked, input, select, textarea');
        first?.focus();
    }

    showProblems(problems) {
        let first = null;
        for (const f of this.o.fields) {
            const box = this.el.querySelector(`[data-field="${f.name}"]`);
            const slot = box?.querySelector('.field-error');
            const p = problems.find((x) => x.field === f.name);
            if (!box || !slot) continue;
            if (f.kind === 'radios') {
                groupError(box, slot, p ? p.text : null);
                if (p && !first) first = box.querySelector('input');
                continue;
            }
            const input = box.querySelector('input, select, textarea');
            const base = input.dataset.describedby;
            if (p) {
                box.classList.add('field--error');
                slot.replaceChildren(h('span', { class: 'visually-hidden' }, `${t('error.prefix')} `), p.text);
                slot.hidden = false;
                input.setAttribute('aria-invalid', 'true');
                input.setAttribute('aria-describedby', [base, slot.id].filter(Boolean).join(' '));
                if (!first) first = input;
            } else {
                box.classList.remove('field--error');
                slot.hidden = true;
                slot.replaceChildren();
                input.removeAttribute('aria-invalid');
                if (base) input.setAttribute('aria-describedby', base);
                else input.removeAttribute('aria-describedby');
            }
        }
        return first;
    }

    showNotice(text) {
        this.noticeEl.replaceChildren(text ? h('p', { class: 'notice notice--warning' }, text) : '');
    }

    async submit() {
        if (this.busy) return;
        const values = this.read();
        this.values = values;
        const problems = this.o.check?.(values) ?? [];
        const first = this.showProblems(problems);
        this.showNotice(null);
        if (problems.length) {
            first?.focus();
            return;
        }
        this.busy = true;
        this.el.setAttribute('aria-busy', 'true');
        const res = await this.o.onSubmit(values);
        this.busy = false;
        this.el.removeAttribute('aria-busy');
        if (res.ok) {
            this.o.onDone?.(res);
            return;
        }
        const err = res.error ?? { code: 'unknown' };
        const text = this.o.errorText?.(err) ?? errorText(err);
        const field = err.field && this.o.fields.some((f) => f.name === err.field) ? err.field : null;
        if (field && ['missing_field', 'invalid_field', 'too_long', 'watched_word', 'personal_id'].includes(err.code)) {
            this.showProblems([{ field, text }])?.focus();
        } else {
            this.showNotice(text);
            this.o.announce?.(text);
        }
    }
}

// Required text of at most max characters: the problem, or null.
export function needText(values, field, max, { required = true } = {}) {
    const n = textLength(values[field] ?? '');
    if (required && n === 0) return { field, text: t('modtools.error.reason_missing') };
    if (n > max) return { field, text: t('modtools.error.too_long', { limit: max }) };
    return null;
}
