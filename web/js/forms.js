// Form building blocks and error display shared by the views.
//
// Each field lives in an element with data-field="<protocol field name>",
// holding its label, an optional hint, an error message slot and the
// control. showErrors() takes errors shaped like the protocol's
// ({ code, field, retry_after }), writes the catalog text next to each field,
// marks the controls aria-invalid, ties the message to them with
// aria-describedby, and fills the form's error summary.
import { h } from './dom.js';
import { t, tn, has } from './i18n.js';

function ids(form, name) {
    const id = `${form}-${name}`;
    return { id, hint: `${id}-hint`, error: `${id}-error` };
}

function errorSlot(id) {
    return h('p', { id, class: 'field-error', hidden: true });
}

// textField({ form, name, label, hint, type, autocomplete, inputmode, value,
//             required, width, maxlength })
export function textField(o) {
    const id = ids(o.form, o.name);
    const describedBy = o.hint ? id.hint : null;
    return h('div', { class: 'field', 'data-field': o.name },
        h('label', { class: 'label', for: id.id }, o.label),
        o.hint && h('p', { class: 'hint', id: id.hint }, o.hint),
        errorSlot(id.error),
        h('input', {
            id: id.id, name: o.name, type: o.type ?? 'text', class: ['input', o.width && `input--${o.width}`],
            autocomplete: o.autocomplete, inputmode: o.inputmode, maxlength: o.maxlength,
            spellcheck: o.spellcheck, required: o.required, value: o.value,
            'aria-describedby': describedBy, 'data-describedby': describedBy ?? '',
        }));
}

// selectField({ form, name, label, hint, options: [{ value, label }],
//               value, placeholder, required })
export function selectField(o) {
    const id = ids(o.form, o.name);
    const describedBy = o.hint ? id.hint : null;
    const select = h('select', {
        id: id.id, name: o.name, class: 'select', required: o.required,
        autocomplete: o.autocomplete, 'aria-describedby': describedBy, 'data-describedby': describedBy ?? '',
        'data-nosnapshot': o.nosnapshot,
    },
    o.placeholder !== undefined && h('option', { value: '' }, o.placeholder),
    o.options.map((opt) => h('option', { value: opt.value, selected: opt.value === o.value, lang: opt.lang }, opt.label)));
    return h('div', { class: 'field', 'data-field': o.name },
        h('label', { class: 'label', for: id.id }, o.label),
        o.hint && h('p', { class: 'hint', id: id.hint }, o.hint),
        errorSlot(id.error),
        select);
}

// checkboxGroup({ form, name, legend, hint, options: [{ value, label }], values })
export function checkboxGroup(o) {
    const id = ids(o.form, o.name);
    const chosen = new Set(o.values ?? []);
    const describedBy = o.hint ? id.hint : null;
    return h('fieldset', {
        class: 'field fieldset', 'data-field': o.name, id: id.id,
        'aria-describedby': describedBy, 'data-describedby': describedBy ?? '',
    },
    h('legend', { class: 'legend' }, o.legend),
    o.hint && h('p', { class: 'hint', id: id.hint }, o.hint),
    errorSlot(id.error),
    h('div', { class: 'choices' }, o.options.map((opt) => {
        const optId = `${id.id}-${opt.value}`;
        return h('div', { class: 'choice' },
            h('input', { type: o.type ?? 'checkbox', id: optId, name: o.name, value: opt.value,
                checked: chosen.has(opt.value), 'data-nosnapshot': o.nosnapshot }),
            h('label', { for: optId, lang: opt.lang }, opt.label));
    })));
}

// A single checkbox such as a consent: checkbox({ form, name, label, checked })
export function checkbox(o) {
    const id = ids(o.form, o.name);
    return h('div', { class: 'field field--single', 'data-field': o.name },
        errorSlot(id.error),
        h('div', { class: 'choice' },
            h('input', { type: 'checkbox', id: id.id, name: o.name, checked: o.checked, required: o.required,
                'data-describedby': '' }),
            h('label', { for: id.id }, o.label)));
}

export function errorSummary(form) {
    const headingId = `${form}-errors-heading`;
    return h('div', { class: 'error-summary', tabindex: '-1', hidden: true, 'aria-labelledby': headingId },
        h('h2', { class: 'error-summary__title', id: headingId }, t('error.summary_title')),
        h('ul', { class: 'error-summary__list' }));
}

// Inline outcome message next to a form's button (the live region in the
// page announces it; this is what stays on screen).
export function notice(kind, text) {
    return h('p', { class: `notice notice--${kind}` }, text);
}

export function submitButton(label) {
    return h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, label));
}

// The text for one error, most specific catalog key first:
// error.<code>.<field>, error.<code>, error.unknown.
export function errorText(err, params = {}) {
    if (err.code === 'rate_limited' && Number.isFinite(err.retry_after)) {
        const s = Math.max(1, Math.ceil(err.retry_after));
        return s < 60 ? tn('error.rate_limited.seconds', s) : tn('error.rate_limited.minutes', Math.ceil(s / 60));
    }
    for (const key of [err.field && `error.${err.code}.${err.field}`, `error.${err.code}`]) {
        if (key && has(key)) return t(key, params);
    }
    return t('error.unknown');
}

export function clearErrors(form) {
    for (const box of form.querySelectorAll('.field--error')) box.classList.remove('field--error');
    for (const slot of form.querySelectorAll('.field-error')) {
        slot.hidden = true;
        slot.textContent = '';
    }
    for (const el of form.querySelectorAll('[data-describedby]')) {
        el.removeAttribute('aria-invalid');
        if (el.dataset.describedby) el.setAttribute('aria-describedby', el.dataset.describedby);
        else el.removeAttribute('aria-describedby');
    }
    const summary = form.querySelector('.error-summary');
    if (summary) {
        summary.hidden = true;
        summary.querySelector('ul').replaceChildren();
    }
}

// Shows errors on form; `alias` maps a protocol field to the form's field
// (e.g. privacy_notice_version -> privacy_consent). Returns the element to
// move focus to: the error summary.
export function showErrors(form, errors, { alias = {}, params = {}, title = null } = {}) {
    clearErrors(form);
    const items = [];
    for (const err of errors) {
        const field = alias[err.field] ?? err.field;
        const text = errorText(err, params);
        const box = field ? form.querySelector(`[data-field="${CSS.escape(field)}"]`) : null;
        let target = null;
        if (box) {
            box.classList.add('field--error');
            const slot = box.querySelector('.field-error');
            slot.replaceChildren(h('span', { class: 'visually-hidden' }, t('error.prefix') + ' '), text);
            slot.hidden = false;
            const described = box.matches('fieldset') ? [box] : box.querySelectorAll('[data-describedby]');
            for (const el of described) {
                el.setAttribute('aria-describedby', [el.dataset.describedby, slot.id].filter(Boolean).join(' '));
                if (!box.matches('fieldset')) el.setAttribute('aria-invalid', 'true');
            }
            target = box.querySelector('input, select, textarea');
        }
        items.push({ text, target });
    }
    const summary = form.querySelector('.error-summary');
    summary.querySelector('h2').textContent = title ?? t('error.summary_title');
    const list = summary.querySelector('ul');
    for (const { text, target } of items) {
        if (target) {
            list.append(h('li', null, h('a', {
                href: `#${target.id}`,
                onclick: (ev) => {
                    ev.preventDefault(); // the hash is the route; don't change it
                    target.focus();
                },
            }, text)));
        } else {
            list.append(h('li', null, text));
        }
    }
    summary.hidden = false;
    return summary;
}

// Marks a form busy while a request is out, so a second press does nothing.
export function setBusy(form, busy) {
    if (busy) {
        form.dataset.busy = '';
        form.setAttribute('aria-busy', 'true');
    } else {
        delete form.dataset.busy;
        form.removeAttribute('aria-busy');
    }
}

export function isBusy(form) {
    return form.dataset.busy !== undefined;
}

export function utf8Length(text) {
    return new TextEncoder().encode(text).length;
}

// The registration rules of docs/protocol.md, checked before sending so the
// common mistakes are caught without a round trip. The server checks again.
export function checkEmail(value) {
    const email = value.trim();
    if (!email) return { code: 'missing_field', field: 'email' };
    const at = email.indexOf('@');
    const ok = utf8Length(email) >= 3 && utf8Length(email) <= 254 && at > 0 &&
        email.indexOf('@', at + 1) === -1 && !/\s/.test(email) && email.slice(at + 1).includes('.');
    return ok ? null : { code: 'invalid_field', field: 'email' };
}

export function checkDisplayName(value) {
    const name = value.trim();
    if (!name) return { code: 'missing_field', field: 'display_name' };
    // eslint-disable-next-line no-control-regex
    if ([...name].length > 60 || /[\u0000-\u001f\u007f]/.test(name)) return { code: 'invalid_field', field: 'display_name' };
    return null;
}

export function checkPassword(value, field = 'password') {
    if (!value) return { code: 'missing_field', field };
    const n = utf8Length(value);
    return n < 8 || n > 1024 ? { code: 'invalid_field', field } : null;
}

export function checkBirthYear(value, config, { required = true } = {}) {
    const text = value.trim();
    if (!text) return required ? { code: 'missing_field', field: 'birth_year' } : null;
    if (!/^\d{4}$/.test(text)) return { code: 'invalid_field', field: 'birth_year' };
    const year = Number(text);
    if (year > config.current_year - config.minimum_age) return { code: 'too_young', field: 'birth_year' };
    if (year < config.current_year - 120) return { code: 'invalid_field', field: 'birth_year' };
    return null;
}

// Parameters the birth-year and age messages use.
export function ageParams(config) {
    return {
        min_age: config.minimum_age,
        max_year: config.current_year - config.minimum_age,
        min_year: config.current_year - 120,
    };
}
