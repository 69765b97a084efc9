// Small DOM helpers. Everything is built with createElement and textContent:
// no innerHTML anywhere, so text from the server or the catalogs can never
// become markup.

// h('p', { class: 'lead', id: 'x', onclick: fn }, 'text', child, [more])
// Attributes with the value undefined, null or false are left out; true
// gives an empty (boolean) attribute.
export function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
        for (const [key, value] of Object.entries(props)) {
            if (value === undefined || value === null || value === false) continue;
            if (key === 'class') {
                el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
            } else if (key === 'text') {
                el.textContent = value;
            } else if (key.startsWith('on') && typeof value === 'function') {
                el.addEventListener(key.slice(2), value);
            } else if (value === true) {
                el.setAttribute(key, '');
            } else {
                el.setAttribute(key, String(value));
            }
        }
    }
    append(el, children);
    return el;
}

export function append(el, children) {
    for (const child of [children].flat(Infinity)) {
        if (child === undefined || child === null || child === false) continue;
        el.append(child instanceof Node ? child : String(child));
    }
    return el;
}

// Remembers what the user has typed in the forms under root, by element id,
// so a re-render (for example after a language change) can put it back.
export function snapshotForms(root) {
    const values = new Map();
    for (const el of root.querySelectorAll('input, select, textarea')) {
        if (!el.id || el.dataset.nosnapshot !== undefined) continue;
        values.set(el.id, el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value);
    }
    return values;
}

export function restoreForms(root, values) {
    for (const [id, value] of values) {
        const el = root.querySelector('#' + CSS.escape(id));
        if (!el) continue;
        if (el.type === 'checkbox' || el.type === 'radio') {
            el.checked = value;
        } else if (el.value !== value) {
            el.value = value;
            // What depends on the value (a character count) catches up.
            el.dispatchEvent(new Event('change'));
        }
    }
}
