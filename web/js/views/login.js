// #/login: sign in with email and password.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import {
    textField, errorSummary, submitButton, noticeSlot, showErrors, setBusy, isBusy,
    isServiceError, showServiceNotice,
} from '../forms.js';
import { heading, withContact } from './shared.js';

const FORM = 'login';

// "Forgot your password? Write to …": there is no self-service reset, so
// the region's contact address is the way to a new password.
function forgot(ctx) {
    return [h('strong', null, t('login.forgot.question')), ' ',
        withContact(ctx.config, 'login.forgot.email', 'login.forgot.none')];
}

// Too many attempts (or the network, or the server) is not the person's
// mistake: a notice above the button instead of the error summary.
function showNotice(ctx, form, err) {
    const extra = err.code === 'rate_limited' ? h('span', null, forgot(ctx)) : null;
    return showServiceNotice(form, err, extra);
}

async function submit(ctx, form) {
    if (isBusy(form)) return;
    ctx.state.notice = null;
    form.querySelector('.notice-slot').replaceChildren();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    const problems = [
        !email && { code: 'missing_field', field: 'email' },
        !password && { code: 'missing_field', field: 'password' },
    ].filter(Boolean);
    if (problems.length) {
        ctx.state.errors = problems;
        showErrors(form, problems).focus();
        return;
    }
    setBusy(form, true);
    ctx.announce(t('login.sending'));
    const res = await api.login(email, password);
    setBusy(form, false);
    if (res.ok) {
        ctx.state.errors = null;
        await ctx.signedIn(res.member, { flash: 'login.welcome', params: { name: res.member.display_name } });
        return;
    }
    form.elements.password.value = '';
    if (isServiceError(res.error)) {
        ctx.state.errors = null;
        ctx.state.notice = res.error;
        ctx.announce(showNotice(ctx, form, res.error));
        return;
    }
    // The server does not say which of the two was wrong, and neither do we.
    ctx.state.errors = [{ ...res.error, field: res.error.code === 'bad_credentials' ? undefined : res.error.field }];
    // The summary is read when it takes focus; "Signing in…" must not linger.
    ctx.clearAnnouncement();
    showErrors(form, ctx.state.errors, { title: t('login.failed') }).focus();
}

export default {
    title: 'login.title',
    render(ctx) {
        const form = h('form', { id: `${FORM}-form`, class: 'form', novalidate: true, 'aria-labelledby': 'login-title' },
            errorSummary(FORM),
            textField({ form: FORM, name: 'email', type: 'email', autocomplete: 'username', spellcheck: 'false',
                label: t('field.email'), required: true }),
            textField({ form: FORM, name: 'password', type: 'password', autocomplete: 'current-password',
                label: t('field.password'), required: true, width: 'medium' }),
            noticeSlot(),
            submitButton(t('login.submit'), `${FORM}-submit`));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            submit(ctx, form);
        });
        if (ctx.state.errors) {
            const fromServer = ctx.state.errors.some((e) => !e.field);
            showErrors(form, ctx.state.errors, { title: fromServer ? t('login.failed') : null });
        } else if (ctx.state.notice) {
            showNotice(ctx, form, ctx.state.notice);
        }
        return [
            heading('login-title', t('login.title')),
            form,
            h('p', { class: 'forgot', id: 'login-forgot' }, forgot(ctx)),
            h('section', { class: 'aside', 'aria-labelledby': 'login-new' },
                h('h2', { id: 'login-new' }, t('login.new.title')),
                h('p', null, t('login.new.text')),
                h('p', null, h('a', { class: 'button button--secondary', href: '#/register' }, t('login.new.link')))),
        ];
    },
};
