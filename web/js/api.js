// HTTP API (docs/protocol.md, "HTTP routes"). Every call resolves, never
// rejects: { ok: true, status, ...body } or { ok: false, status, error },
// where error has the protocol's stable `code` (plus `field`, `retry_after`).
// A request that never reached the server gets the code "network".

async function call(method, path, body) {
    const init = { method, credentials: 'same-origin', cache: 'no-store', headers: {} };
    if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    let res;
    try {
        res = await fetch(path, init);
    } catch {
        return { ok: false, status: 0, error: { code: 'network' } };
    }
    let data = null;
    try {
        data = await res.json();
    } catch {
        /* an empty or non-JSON body is handled below */
    }
    if (res.ok && data && data.ok !== false) return { ...data, ok: true, status: res.status };

    const error = { ...(data?.error ?? { code: res.status >= 500 ? 'internal' : 'unknown' }) };
    if (error.code === 'rate_limited' && error.retry_after == null) {
        const after = data?.retry_after ?? Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
        if (Number.isFinite(after)) error.retry_after = after;
    }
    return { ok: false, status: res.status, error };
}

export const api = {
    config: () => call('GET', '/api/config'),
    me: () => call('GET', '/api/me'),
    register: (fields) => call('POST', '/api/register', fields),
    login: (email, password) => call('POST', '/api/login', { email, password }),
    logout: () => call('POST', '/api/logout', {}),
};
