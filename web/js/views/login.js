// #/login: sign in with email and password.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { textField, errorSummary, submitButton, showErrors, setBusy, isBusy } from '../forms.js';
import { heading } from './shared.js';

const FORM = 'login';

async function submit(ctx, form) {
    if (isBusy(form)) return;
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
        ctx.signedIn(res.member, { flash: 'login.welcome', params: { name: res.member.display_name } });
        return;
    }
    // The server does not say which of the two was wrong, and neither do we.
    ctx.state.errors = [{ ...res.error, field: res.error.code === 'bad_credentials' ? undefined : res.error.field }];
    form.elements.password.value = '';
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
            submitButton(t('login.submit')));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            submit(ctx, form);
        });
        if (ctx.state.errors) {
            const fromServer = ctx.state.errors.some((e) => !e.field);
            showErrors(form, ctx.state.errors, { title: fromServer ? t('login.failed') : null });
        }
        return [
            heading('login-title', t('login.title')),
            form,
            h('section', { class: 'aside', 'aria-labelledby': 'login-new' },
                h('h2', { id: 'login-new' }, t('login.new.title')),
                h('p', null, t('login.new.text')),
                h('p', null, h('a', { class: 'button button--secondary', href: '#/register' }, t('login.new.link')))),
        ];
    },
};
