// Small DOM helpers. Everything is built with createElement and textContent,
// so text from the server or the catalogs can never become markup. The one
// exception is serverHtml(): HTML the server rendered from markdown (cmark in
// safe mode), parsed inertly and passed through an allowlist besides.

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

// Replaces el's children; like h(), it skips undefined, null and false.
export function fill(el, ...children) {
    el.replaceChildren();
    return append(el, children);
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

// Markdown rendered by the server (description_html, prematerial_html,
// body_html; docs/protocol.md, "Markdown") as a fragment ready to append.
// cmark's safe mode has already dropped raw HTML and unsafe links; this
// allowlist is a second layer, as is the Content-Security-Policy. The text is
// parsed by DOMParser, which never runs scripts or loads anything.
const ALLOWED_TAGS = new Set(['P', 'BR', 'HR', 'STRONG', 'EM', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI',
    'A', 'IMG', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
const ALLOWED_ATTRS = { A: ['href', 'title', 'rel'], IMG: ['src', 'alt', 'title'], OL: ['start'], CODE: ['class'] };
const SAFE_URL = /^(https?:|mailto:|#|\/(?!\/)|data:image\/(png|gif|jpeg|webp);)/i;

export function serverHtml(html) {
    const doc = new DOMParser().parseFromString(`<body>${html ?? ''}</body>`, 'text/html');
    const clean = (node) => {
        for (const child of [...node.childNodes]) {
            if (child.nodeType === Node.TEXT_NODE) continue;
            if (child.nodeType !== Node.ELEMENT_NODE) {
                child.remove(); // comments such as <!-- raw HTML omitted -->
                continue;
            }
            if (!ALLOWED_TAGS.has(child.tagName)) {
                // Keep the text of an unknown element, drop the element.
                if (/^(SCRIPT|STYLE|TEMPLATE|IFRAME|OBJECT|EMBED|SVG|MATH)$/.test(child.tagName)) child.remove();
                else {
                    clean(child);
                    child.replaceWith(...child.childNodes);
                }
                continue;
            }
            const allowed = ALLOWED_ATTRS[child.tagName] ?? [];
            for (const attr of [...child.attributes]) {
                const ok = allowed.includes(attr.name) &&
                    (!['href', 'src'].includes(attr.name) || SAFE_URL.test(attr.value.trim()));
                if (!ok) child.removeAttribute(attr.name);
            }
            if (child.tagName === 'A') child.setAttribute('rel', 'nofollow noopener ugc');
            clean(child);
        }
    };
    clean(doc.body);
    const fragment = document.createDocumentFragment();
    fragment.append(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
    return fragment;
}

// Makes parent's children exactly `nodes`, in order, moving as little as it
// can: nodes already in place are left alone, so a focused button inside one
// keeps its focus while posts are inserted around it. If focus was inside a
// node that had to move, it is put back.
export function syncChildren(parent, nodes) {
    const active = document.activeElement;
    const hadFocus = active && active !== document.body && parent.contains(active);
    let i = 0;
    for (const node of nodes) {
        const at = parent.childNodes[i];
        if (at !== node) parent.insertBefore(node, at ?? null);
        i += 1;
    }
    while (parent.childNodes.length > nodes.length) parent.lastChild.remove();
    if (hadFocus && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
}
