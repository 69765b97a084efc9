// Half-written texts (replies, edits, new topics), kept in sessionStorage
// so that neither a dropped connection nor a reload of the view loses them.
// They stay in this tab only and are removed once sent. Where storage is
// blocked, a map in memory keeps them for the visit.

const PREFIX = 'raati.draft.';
const memory = new Map();

function storage() {
    try {
        return window.sessionStorage;
    } catch {
        return null;
    }
}

export function draftKey(memberId, ...parts) {
    return `${PREFIX}${memberId ?? 'anon'}.${parts.join('.')}`;
}

export function loadDraft(key) {
    try {
        const value = storage()?.getItem(key);
        if (value !== null && value !== undefined) return value;
    } catch {
        /* blocked: fall back to memory */
    }
    return memory.get(key) ?? '';
}

export function saveDraft(key, value) {
    if (!value) {
        removeDraft(key);
        return;
    }
    memory.set(key, value);
    try {
        storage()?.setItem(key, value);
    } catch {
        /* full or blocked: memory has it */
    }
}

export function removeDraft(key) {
    memory.delete(key);
    try {
        storage()?.removeItem(key);
    } catch {
        /* nothing to do */
    }
}

// Every draft of a member whose key starts with prefix parts, as
// [key, value] pairs (e.g. all replies being written in topic 7).
export function draftsUnder(prefix) {
    const out = new Map(memory);
    const s = storage();
    try {
        for (let i = 0; s && i < s.length; i++) {
            const key = s.key(i);
            if (key?.startsWith(prefix)) out.set(key, s.getItem(key));
        }
    } catch {
        /* memory only */
    }
    return [...out].filter(([key, value]) => key.startsWith(prefix) && value);
}
