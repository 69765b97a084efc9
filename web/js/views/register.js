// #/register: become a resident developer.
import { h } from '../dom.js';
import { t, language } from '../i18n.js';
import { api } from '../api.js';
import {
    textField, selectField, checkboxGroup, checkbox, errorSummary, submitButton, noticeSlot,
    showErrors, setBusy, isBusy, checkEmail, checkDisplayName, checkPassword,
    checkBirthYear, ageParams, trimSpaces, nameCounter, isServiceError, showServiceNotice, refineError,
} from '../forms.js';
import { heading, municipalityOptions, interestOptions, privacyNotice } from './shared.js';

const FORM = 'register';
const ALIAS = { privacy_notice_version: 'privacy_consent' };

function read(form) {
    const data = new FormData(form);
    return {
        email: String(data.get('email') ?? ''),
        display_name: String(data.get('display_name') ?? ''),
        password: String(data.get('password') ?? ''),
        birth_year: String(data.get('birth_year') ?? ''),
        municipality: String(data.get('municipality') ?? ''),
        interest_areas: data.getAll('interest_areas').map(String),
        privacy_consent: data.get('privacy_consent') !== null,
    };
}

function check(v, config) {
    return [
        checkEmail(v.email),
        checkDisplayName(v.display_name),
        checkPassword(v.password),
        checkBirthYear(v.birth_year, config),
        v.municipality ? null : { code: 'missing_field', field: 'municipality' },
        v.privacy_consent ? null : { code: 'missing_field', field: 'privacy_consent' },
    ].filter(Boolean);
}

async function submit(ctx, form) {
    if (isBusy(form)) return;
    ctx.state.notice = null;
    form.querySelector('.notice-slot').replaceChildren();
    const v = read(form);
    const problems = check(v, ctx.config);
    if (problems.length) {
        ctx.state.errors = problems;
        showErrors(form, problems, { alias: ALIAS, params: ageParams(ctx.config) }).focus();
        return;
    }
    setBusy(form, true);
    ctx.announce(t('register.sending'));
    const res = await api.register({
        email: v.email.trim(),
        display_name: trimSpaces(v.display_name),
        password: v.password,
        birth_year: Number(v.birth_year.trim()),
        municipality: v.municipality,
        interest_areas: v.interest_areas,
        privacy_consent: true,
        privacy_notice_version: ctx.config.privacy_notice_version,
        language: language(),
    });
    setBusy(form, false);
    if (res.ok) {
        ctx.state.errors = null;
        await ctx.signedIn(res.member, { flash: 'register.welcome', params: { name: res.member.display_name } });
        return;
    }
    if (isServiceError(res.error)) {
        // Too many registrations from here, or the network: not a mistake
        // in the form, so not in the error summary.
        ctx.state.errors = null;
        ctx.state.notice = res.error;
        ctx.announce(showServiceNotice(form, res.error));
        return;
    }
    ctx.clearAnnouncement(); // "Registering…" is over; the summary takes focus
    ctx.state.errors = [refineError(res.error, v, ctx.config)];
    if (res.error.field === 'privacy_notice_version') {
        // The notice changed after this form was loaded: show the new one and
        // ask for consent again.
        await ctx.reloadConfig();
        ctx.rerender();
        const fresh = document.getElementById(`${FORM}-form`);
        fresh.querySelector('[name="privacy_consent"]').checked = false;
        fresh.querySelector('.error-summary').focus();
        return;
    }
    showErrors(form, ctx.state.errors, { alias: ALIAS, params: ageParams(ctx.config) }).focus();
}

export default {
    title: 'register.title',
    render(ctx) {
        const config = ctx.config;
        const age = ageParams(config);
        const form = h('form', { id: `${FORM}-form`, class: 'form', novalidate: true, 'aria-labelledby': 'register-title' },
            errorSummary(FORM),
            h('h2', { class: 'form-section' }, t('register.section.account')),
            textField({ form: FORM, name: 'email', type: 'email', autocomplete: 'email', spellcheck: 'false',
                label: t('field.email'), hint: t('register.email.hint'), required: true }),
            textField({ form: FORM, name: 'display_name', autocomplete: 'nickname', counter: nameCounter,
                label: t('field.display_name'), hint: t('field.display_name.hint'), required: true, width: 'medium' }),
            textField({ form: FORM, name: 'password', type: 'password', autocomplete: 'new-password',
                label: t('field.password'), hint: t('register.password.hint'), required: true, width: 'medium' }),
            h('h2', { class: 'form-section' }, t('register.section.about')),
            textField({ form: FORM, name: 'birth_year', inputmode: 'numeric', autocomplete: 'bday-year',
                label: t('field.birth_year'), hint: t('field.birth_year.hint', age), required: true, width: 'year' }),
            selectField({ form: FORM, name: 'municipality', label: t('field.municipality'),
                hint: t('field.municipality.hint'), placeholder: t('field.municipality.choose'),
                options: municipalityOptions(config), required: true }),
            checkboxGroup({ form: FORM, name: 'interest_areas', legend: t('field.interest_areas'),
                hint: t('field.interest_areas.hint'), options: interestOptions(config) }),
            privacyNotice(config, { level: 2, id: 'register-privacy' }),
            checkbox({ form: FORM, name: 'privacy_consent', label: t('register.consent'), required: true }),
            noticeSlot(),
            submitButton(t('register.submit'), `${FORM}-submit`));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            submit(ctx, form);
        });
        if (ctx.state.errors) showErrors(form, ctx.state.errors, { alias: ALIAS, params: age });
        else if (ctx.state.notice) showServiceNotice(form, ctx.state.notice);
        return [
            heading('register-title', t('register.title')),
            h('p', { class: 'lead' }, t('register.intro')),
            h('p', null, t('register.have_account'), ' ', h('a', { href: '#/login' }, t('register.login_link'))),
            form,
        ];
    },
};
