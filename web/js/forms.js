// Form building blocks and error display shared by the views.
//
// Each field lives in an element with data-field="<protocol field name>",
// holding its label, an optional hint, an error message slot and the
// control. showErrors() takes errors shaped like the protocol's
// ({ code, field, retry_after }), writes the catalog text next to each field,
// marks the controls aria-invalid, ties the message to them with
// aria-describedby, and fills the form's error summary.
import { h } from './dom.js';
import { t, tn, has, formatNumber } from './i18n.js';

// The display name's rules (docs/protocol.md, "POST /api/register"): spaces
// trimmed at both ends, then 1-60 characters (code points), no control or
// invisible characters, not only spaces.
export const NAME_MAX = 60;
// eslint-disable-next-line no-control-regex
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/u;
const NAME_SPACES_ONLY = /^[\u0020\u00a0\u2000-\u200a\u202f\u205f\u3000]*$/u;

// Only U+0020 is trimmed, as the server does.
export function trimSpaces(text) {
    return text.replace(/^ +| +$/g, '');
}

export function nameLength(text) {
    return [...trimSpaces(text)].length;
}

function ids(form, name) {
    const id = `${form}-${name}`;
    return { id, hint: `${id}-hint`, error: `${id}-error` };
}

function errorSlot(id) {
    return h('p', { id, class: 'field-error', hidden: true });
}

// textField({ form, name, label, hint, type, autocomplete, inputmode, value,
//             required, width, maxlength, counter })
// counter: { max, length(text) } shows "12/60 characters" under the input,
// kept up to date as the person types. It is part of the input's
// description (read when the field is focused), not a live region, so it
// does not speak on every keystroke.
export function textField(o) {
    const id = ids(o.form, o.name);
    const countId = `${id.id}-count`;
    const describedBy = [o.hint && id.hint, o.counter && countId].filter(Boolean).join(' ') || null;
    const input = h('input', {
        id: id.id, name: o.name, type: o.type ?? 'text', class: ['input', o.width && `input--${o.width}`],
        autocomplete: o.autocomplete, inputmode: o.inputmode, maxlength: o.maxlength,
        spellcheck: o.spellcheck, required: o.required, value: o.value,
        'aria-describedby': describedBy, 'data-describedby': describedBy ?? '',
    });
    let count = null;
    if (o.counter) {
        count = h('p', { class: 'hint char-count', id: countId });
        const update = () => {
            const n = o.counter.length(input.value);
            const over = n > o.counter.max;
            count.textContent = over
                ? tn('field.count.over', n - o.counter.max, { length: n, max: o.counter.max })
                : t('field.count', { length: n, max: o.counter.max });
            count.classList.toggle('char-count--over', over);
        };
        input.addEventListener('input', update);
        // A value put back after a re-render comes without an input event.
        input.addEventListener('change', update);
        update();
    }
    return h('div', { class: 'field', 'data-field': o.name },
        h('label', { class: 'label', for: id.id }, o.label),
        o.hint && h('p', { class: 'hint', id: id.hint }, o.hint),
        errorSlot(id.error),
        input,
        count);
}

// Markdown texts (posts, descriptions) are counted in characters (code
// points) after trimming white space at both ends, as the server counts.
export function textLength(text) {
    return [...text.trim()].length;
}

// A character counter for a text field: "12/60 characters", and how many
// too many once over. It is part of the field's description (read when the
// field is focused), not a live region, so it does not speak on every
// keystroke. Returns { node, update }.
export function charCounter(id, control, counter) {
    const node = h('p', { class: 'hint char-count', id });
    const update = () => {
        const max = typeof counter.max === 'function' ? counter.max() : counter.max;
        const n = counter.length(control.value);
        const over = n > max;
        node.textContent = over
            ? tn('field.count.over', n - max, { length: formatCount(n), max: formatCount(max) })
            : t('field.count', { length: formatCount(n), max: formatCount(max) });
        node.classList.toggle('char-count--over', over);
    };
    control.addEventListener('input', update);
    // A value put back after a re-render comes without an input event.
    control.addEventListener('change', update);
    update();
    return { node, update };
}

function formatCount(n) {
    return formatNumber(n);
}

// textAreaField({ form, name, label, hint, value, rows, required, counter })
export function textAreaField(o) {
    const id = ids(o.form, o.name);
    const countId = `${id.id}-count`;
    const describedBy = [o.hint && id.hint, o.counter && countId].filter(Boolean).join(' ') || null;
    const area = h('textarea', {
        id: id.id, name: o.name, class: 'input textarea', rows: o.rows ?? 6, required: o.required,
        spellcheck: 'true', 'aria-describedby': describedBy, 'data-describedby': describedBy ?? '',
    });
    if (o.value) area.value = o.value;
    const count = o.counter ? charCounter(countId, area, o.counter).node : null;
    return h('div', { class: 'field', 'data-field': o.name },
        h('label', { class: 'label', for: id.id }, o.label),
        o.hint && h('p', { class: 'hint', id: id.hint }, o.hint),
        errorSlot(id.error),
        area,
        count);
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

// A single checkbox such as a consent: checkbox({ form, name, label, checked, hint? })
export function checkbox(o) {
    const id = ids(o.form, o.name);
    const describedBy = o.hint ? id.hint : null;
    return h('div', { class: 'field field--single', 'data-field': o.name },
        errorSlot(id.error),
        h('div', { class: 'choice' },
            h('input', { type: 'checkbox', id: id.id, name: o.name, checked: o.checked, required: o.required,
                'aria-describedby': describedBy, 'data-describedby': describedBy ?? '' }),
            h('label', { for: id.id }, o.label)),
        o.hint && h('p', { class: 'hint', id: id.hint }, o.hint));
}

// The error summary is a focusable region: showErrors() fills it and the
// view moves focus to it. Its name is its heading and its description the
// list, so a screen reader reads it all once on focus. It is deliberately
// not role="alert" or a live region, which would read it a second time.
export function errorSummary(form) {
    const headingId = `${form}-errors-heading`;
    const listId = `${form}-errors-list`;
    return h('div', {
        class: 'error-summary', role: 'region', tabindex: '-1', hidden: true,
        'aria-labelledby': headingId, 'aria-describedby': listId,
    },
    h('h2', { class: 'error-summary__title', id: headingId }, t('error.summary_title')),
    h('ul', { class: 'error-summary__list', id: listId }));
}

// Inline outcome message next to a form's button (the live region in the
// page announces it; this is what stays on screen). text may be a string,
// a node or a list of them; extra nodes follow as paragraphs of their own.
export function notice(kind, text, ...extra) {
    if (!extra.length) return h('p', { class: `notice notice--${kind}` }, text);
    return h('div', { class: `notice notice--${kind}` }, h('p', null, text), extra.map((x) => h('p', null, x)));
}

// A slot for notices right above a form's button.
export function noticeSlot() {
    return h('div', { class: 'notice-slot' });
}

export function submitButton(label, id) {
    return h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', id }, label));
}

// Errors that are not about what the person typed: too many attempts, the
// network, a busy or failing server. They are shown as a notice, not in the
// "check the following" summary.
const SERVICE_ERRORS = new Set(['rate_limited', 'network', 'busy', 'internal']);
export function isServiceError(err) {
    return SERVICE_ERRORS.has(err?.code);
}

// The text for one error, most specific catalog key first:
// error.<code>.<field>.<reason>, error.<code>.<field>, error.<code>,
// error.unknown. err.params (set by the checks below) add to params.
export function errorText(err, params = {}) {
    if (err.code === 'rate_limited' && Number.isFinite(err.retry_after)) {
        // Always in whole minutes: "try again in 1 minute" reads calmer than
        // a countdown in seconds, and is never too early.
        const minutes = Math.max(1, Math.ceil(err.retry_after / 60));
        return tn('error.rate_limited.minutes', minutes);
    }
    const all = { ...params, ...err.params };
    const keys = [
        err.field && err.reason && `error.${err.code}.${err.field}.${err.reason}`,
        err.field && `error.${err.code}.${err.field}`,
        `error.${err.code}`,
    ];
    for (const key of keys) {
        if (key && has(key)) return t(key, all);
    }
    return t('error.unknown');
}

// A server error made more specific with what was sent: the server says
// only "invalid_field" for a display name, and "too_young" without the
// year the person can join.
export function refineError(err, sent, config) {
    if (err.field === 'display_name' && err.code === 'invalid_field' && typeof sent.display_name === 'string') {
        const own = checkDisplayName(sent.display_name);
        if (own?.reason) return own;
    }
    if (err.field === 'birth_year' && err.code === 'too_young') {
        const year = Number(String(sent.birth_year ?? '').trim());
        if (Number.isInteger(year) && year > 0) return tooYoung(year, config);
    }
    return err;
}

// Shows a service error (see isServiceError) as a notice in the form's
// notice slot, with `extra` nodes after it. Returns the notice's text for
// the live region.
export function showServiceNotice(form, err, ...extra) {
    clearErrors(form);
    const box = notice('warning', errorText(err), ...extra.filter(Boolean));
    form.querySelector('.notice-slot').replaceChildren(box);
    const parts = box.matches('p') ? [box] : [...box.querySelectorAll('p')];
    return parts.map((p) => p.textContent).join(' ');
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
        // A view may word an error itself (err.text); otherwise the catalog.
        const text = err.text ?? errorText(err, params);
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
    const name = trimSpaces(value);
    if (NAME_SPACES_ONLY.test(name)) return { code: 'missing_field', field: 'display_name' };
    if (NAME_FORBIDDEN.test(name)) return { code: 'invalid_field', field: 'display_name' };
    const length = [...name].length;
    if (length > NAME_MAX) {
        return { code: 'invalid_field', field: 'display_name', reason: 'too_long', params: { length, max: NAME_MAX } };
    }
    return null;
}

// The display name's counter for textField().
export const nameCounter = { max: NAME_MAX, length: nameLength };

export function checkPassword(value, field = 'password') {
    if (!value) return { code: 'missing_field', field };
    const n = utf8Length(value);
    return n < 8 || n > 1024 ? { code: 'invalid_field', field } : null;
}

// A birth year from (current year - 120) to (current year - minimum age);
// a later one up to this year is too young (with the year they can join),
// anything else is outside the range.
export function checkBirthYear(value, config, { required = true } = {}) {
    const text = value.trim();
    if (!text) return required ? { code: 'missing_field', field: 'birth_year' } : null;
    if (!/^\d{4}$/.test(text)) return { code: 'invalid_field', field: 'birth_year' };
    const year = Number(text);
    if (year < config.current_year - 120 || year > config.current_year) return { code: 'invalid_field', field: 'birth_year' };
    if (year > config.current_year - config.minimum_age) return tooYoung(year, config);
    return null;
}

function tooYoung(year, config) {
    return { code: 'too_young', field: 'birth_year', reason: 'when', params: { year: year + config.minimum_age } };
}

// Parameters the birth-year and age messages use.
export function ageParams(config) {
    return {
        min_age: config.minimum_age,
        max_year: config.current_year - config.minimum_age,
        min_year: config.current_year - 120,
    };
}

// Enter in a one-line field does not send the form: a half-filled survey or
// poll is not sent by accident; sending stays on the submit button. With
// `choices`, Enter on a radio button or checkbox is kept from sending too.
export function noEnterSubmit(form, { choices = false } = {}) {
    form.addEventListener('keydown', (ev) => {
        if (ev.key !== 'Enter' || ev.isComposing || ev.target.tagName !== 'INPUT') return;
        const type = ev.target.type;
        if (['submit', 'button', 'reset', 'image'].includes(type)) return;
        if (!choices && (type === 'radio' || type === 'checkbox')) return;
        ev.preventDefault();
    });
}

// Shows (text) or clears (null) the error of a group of choices in place,
// without repainting it, so focus and the ticked boxes stay: `box` is the
// fieldset (its aria-describedby gets the error), `slot` the .field-error
// paragraph in it. Its radio buttons and checkboxes get aria-invalid.
export function groupError(box, slot, text) {
    if (!box || !slot) return;
    const ids = (box.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== slot.id);
    if (text) {
        box.classList.add('field--error');
        slot.hidden = false;
        slot.replaceChildren(h('span', { class: 'visually-hidden' }, `${t('error.prefix')} `), text);
        box.setAttribute('aria-describedby', [...ids, slot.id].join(' '));
        for (const el of box.querySelectorAll('input')) el.setAttribute('aria-invalid', 'true');
    } else {
        box.classList.remove('field--error');
        slot.hidden = true;
        slot.replaceChildren();
        if (ids.length) box.setAttribute('aria-describedby', ids.join(' '));
        else box.removeAttribute('aria-describedby');
        for (const el of box.querySelectorAll('input')) el.removeAttribute('aria-invalid');
    }
}

// Marks a form's fields as wrong (each box with data-field="<field>" and
// its .field-error slot), lists them in the form's .error-summary with
// links to the fields, and focuses the summary; with no problems, clears
// all of it. problems: [{ field, text }].
export function showFormProblems(form, problems) {
    const summary = form.querySelector('.error-summary');
    for (const box of form.querySelectorAll('.field--error')) box.classList.remove('field--error');
    for (const slot of form.querySelectorAll('.field-error')) {
        slot.hidden = true;
        slot.textContent = '';
    }
    for (const el of form.querySelectorAll('[aria-invalid]')) {
        el.removeAttribute('aria-invalid');
        const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.endsWith('-error'));
        if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
        else el.removeAttribute('aria-describedby');
    }
    const list = summary.querySelector('ul');
    list.replaceChildren();
    for (const { field, text } of problems) {
        const box = form.querySelector(`[data-field="${field}"]`);
        const target = box?.querySelector('input:not([type=hidden]), select, textarea');
        if (box) {
            box.classList.add('field--error');
            const slot = box.querySelector('.field-error');
            slot.replaceChildren(h('span', { class: 'visually-hidden' }, t('error.prefix') + ' '), text);
            slot.hidden = false;
            if (target && !box.matches('fieldset')) {
                target.setAttribute('aria-invalid', 'true');
                target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '));
            }
        }
        list.append(h('li', null, target ? h('a', { href: `#${target.id}`, onclick: (ev) => {
            ev.preventDefault();
            target.focus();
        } }, text) : text));
    }
    summary.hidden = problems.length === 0;
    if (problems.length) summary.focus();
}
