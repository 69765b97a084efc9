// #/profile: the signed-in member's own details, password and sign-out.
import { h } from '../dom.js';
import { t, language, formatDate, formatDateTime } from '../i18n.js';
import {
    textField, selectField, checkboxGroup, checkbox, errorSummary, submitButton, notice,
    showErrors, clearErrors, setBusy, isBusy, checkDisplayName, checkPassword,
    checkBirthYear, ageParams, trimSpaces, nameCounter, isServiceError, showServiceNotice,
    refineError,
} from '../forms.js';
import { heading, municipalityOptions, interestOptions, languageOptions } from './shared.js';

function sameSet(a, b) {
    return a.length === b.length && a.every((x) => b.includes(x));
}

// The fields that differ from the member as last saved.
function changes(form, member, config) {
    const data = new FormData(form);
    const out = {};
    const problems = [];
    const name = String(data.get('display_name') ?? '');
    const nameProblem = checkDisplayName(name);
    if (nameProblem) problems.push(nameProblem);
    else if (trimSpaces(name) !== member.display_name) out.display_name = trimSpaces(name);

    const year = String(data.get('birth_year') ?? '');
    const yearProblem = checkBirthYear(year, config, { required: member.birth_year !== null });
    if (yearProblem) problems.push(yearProblem);
    else if (year.trim() && Number(year) !== member.birth_year) out.birth_year = Number(year);

    const municipality = String(data.get('municipality') ?? '');
    if (!municipality && member.municipality !== null) problems.push({ code: 'missing_field', field: 'municipality' });
    else if (municipality && municipality !== member.municipality) out.municipality = municipality;

    const areas = data.getAll('interest_areas').map(String);
    if (!sameSet(areas, member.interest_areas ?? [])) out.interest_areas = areas;

    const lang = String(data.get('language') ?? '');
    if (lang && lang !== member.language) out.language = lang;

    // Quoting on public results pages is on unless the member turned it off.
    const quote = data.get('quote_consent') !== null;
    if (quote !== (member.quote_consent ?? true)) out.quote_consent = quote;
    return { out, problems };
}

async function saveProfile(ctx, form) {
    if (isBusy(form)) return;
    ctx.state.profileNotice = null;
    form.querySelector('.notice-slot').replaceChildren();
    const { out, problems } = changes(form, ctx.member, ctx.config);
    if (problems.length) {
        ctx.state.profileErrors = problems;
        showErrors(form, problems, { params: ageParams(ctx.config) }).focus();
        return;
    }
    ctx.state.profileErrors = null;
    clearErrors(form);
    if (Object.keys(out).length === 0) {
        showNotice(ctx, form, 'info', 'profile.unchanged');
        return;
    }
    setBusy(form, true);
    const res = await ctx.ws.request('profile.update', out);
    setBusy(form, false);
    if (!res.ok) {
        if (res.error.code === 'unauthenticated') return ctx.sessionEnded();
        if (isServiceError(res.error)) {
            ctx.state.profileNotice = { error: res.error };
            ctx.announce(showServiceNotice(form, res.error));
            return;
        }
        ctx.state.profileErrors = [refineError(res.error, out, ctx.config)];
        showErrors(form, ctx.state.profileErrors, { params: ageParams(ctx.config) }).focus();
        return;
    }
    // Show what the server stored (the name trimmed, the greeting with the
    // new name), not what was typed; the welcome after registering has
    // served its turn.
    ctx.updateMember(res.member);
    ctx.state.flash = null;
    ctx.state.profileNotice = { kind: 'success', key: 'profile.saved' };
    if (out.language && out.language !== language()) {
        await ctx.changeLanguage(out.language, { save: false, quiet: true, fresh: 'profile-form' });
    } else {
        ctx.rerender({ fresh: 'profile-form' });
    }
    ctx.announce(t('profile.saved'));
}

function showNotice(ctx, form, kind, key) {
    ctx.state.profileNotice = { kind, key };
    form.querySelector('.notice-slot').replaceChildren(notice(kind, t(key)));
    ctx.announce(t(key));
}

async function changePassword(ctx, form) {
    if (isBusy(form)) return;
    form.querySelector('.notice-slot').replaceChildren();
    const current = form.elements.current_password.value;
    const next = form.elements.new_password.value;
    const problems = [
        !current && { code: 'missing_field', field: 'current_password' },
        checkPassword(next, 'new_password'),
    ].filter(Boolean);
    if (problems.length) {
        ctx.state.passwordErrors = problems;
        showErrors(form, problems).focus();
        return;
    }
    setBusy(form, true);
    const res = await ctx.ws.request('password.change', { current_password: current, new_password: next });
    setBusy(form, false);
    if (!res.ok) {
        if (res.error.code === 'unauthenticated') return ctx.sessionEnded();
        form.elements.current_password.value = '';
        if (isServiceError(res.error)) {
            ctx.state.passwordErrors = null;
            ctx.announce(showServiceNotice(form, res.error));
            return;
        }
        ctx.state.passwordErrors = [res.error];
        showErrors(form, ctx.state.passwordErrors).focus();
        return;
    }
    ctx.state.passwordErrors = null;
    clearErrors(form);
    form.reset();
    form.querySelector('.notice-slot').replaceChildren(notice('success', t('password.changed')));
    ctx.announce(t('password.changed'));
}

function details(ctx) {
    const m = ctx.member;
    const rows = [
        [t('field.email'), m.email],
        [t('profile.member_since'), formatDate(m.created_at)],
        m.role !== 'member' && [t('profile.role'), t(`role.${m.role}`)],
        [t('profile.consent'), m.privacy_consent
            ? t('profile.consent.given', { version: m.privacy_consent.version, date: formatDate(m.privacy_consent.at) })
            : t('profile.consent.none')],
    ].filter(Boolean);
    return h('dl', { class: 'details' }, rows.map(([k, v]) => h('div', { class: 'details__row' }, h('dt', null, k), h('dd', null, v))));
}

export default {
    title: 'profile.title',
    needsMember: true,
    render(ctx) {
        const m = ctx.member;
        const config = ctx.config;
        const age = ageParams(config);

        const profileForm = h('form', { id: 'profile-form', class: 'form', novalidate: true, 'aria-labelledby': 'profile-edit' },
            errorSummary('profile'),
            textField({ form: 'profile', name: 'display_name', autocomplete: 'nickname', counter: nameCounter,
                label: t('field.display_name'), hint: t('field.display_name.hint'), value: m.display_name,
                required: true, width: 'medium' }),
            textField({ form: 'profile', name: 'birth_year', inputmode: 'numeric', autocomplete: 'bday-year',
                label: t('field.birth_year'), hint: t('field.birth_year.hint', age), value: m.birth_year ?? undefined,
                required: m.birth_year !== null, width: 'year' }),
            selectField({ form: 'profile', name: 'municipality', label: t('field.municipality'),
                placeholder: m.municipality ? undefined : t('field.municipality.choose'),
                options: municipalityOptions(config), value: m.municipality ?? '', required: m.municipality !== null }),
            checkboxGroup({ form: 'profile', name: 'interest_areas', legend: t('field.interest_areas'),
                hint: t('field.interest_areas.hint'), options: interestOptions(config), values: m.interest_areas ?? [] }),
            checkboxGroup({ form: 'profile', name: 'language', type: 'radio', legend: t('field.language'),
                hint: t('field.language.hint'), options: languageOptions(), values: [language()], nosnapshot: true }),
            checkbox({ form: 'profile', name: 'quote_consent', label: t('profile.quote_consent'),
                hint: t('profile.quote_consent.hint'), checked: m.quote_consent ?? true }),
            h('div', { class: 'notice-slot' },
                ctx.state.profileNotice?.key && notice(ctx.state.profileNotice.kind, t(ctx.state.profileNotice.key))),
            submitButton(t('profile.save'), 'profile-submit'));
        profileForm.addEventListener('submit', (ev) => {
            ev.preventDefault();
            saveProfile(ctx, profileForm);
        });
        if (ctx.state.profileErrors) showErrors(profileForm, ctx.state.profileErrors, { params: age });
        else if (ctx.state.profileNotice?.error) showServiceNotice(profileForm, ctx.state.profileNotice.error);

        const passwordForm = h('form', { id: 'password-form', class: 'form', novalidate: true, 'aria-labelledby': 'profile-password' },
            errorSummary('password'),
            h('input', { type: 'text', name: 'username', autocomplete: 'username', value: m.email, hidden: true, 'aria-hidden': 'true', tabindex: '-1' }),
            textField({ form: 'password', name: 'current_password', type: 'password', autocomplete: 'current-password',
                label: t('field.current_password'), required: true, width: 'medium' }),
            textField({ form: 'password', name: 'new_password', type: 'password', autocomplete: 'new-password',
                label: t('field.new_password'), hint: t('password.new.hint'), required: true, width: 'medium' }),
            h('div', { class: 'notice-slot' }),
            submitButton(t('password.submit'), 'password-submit'));
        passwordForm.addEventListener('submit', (ev) => {
            ev.preventDefault();
            changePassword(ctx, passwordForm);
        });
        if (ctx.state.passwordErrors) showErrors(passwordForm, ctx.state.passwordErrors);

        return [
            heading('profile-title', t('profile.title')),
            h('p', { class: 'lead' }, t('profile.greeting', { name: m.display_name })),
            m.suspension
                ? notice('warning', t('profile.suspended', { until: formatDateTime(m.suspension.until) }),
                    t('profile.suspended.reason', { reason: m.suspension.reason }))
                : null,
            h('section', { class: 'panel', 'aria-labelledby': 'profile-account' },
                h('h2', { id: 'profile-account' }, t('profile.account')),
                details(ctx)),
            h('section', { class: 'panel', 'aria-labelledby': 'profile-edit' },
                h('h2', { id: 'profile-edit' }, t('profile.edit')),
                profileForm),
            h('section', { class: 'panel', 'aria-labelledby': 'profile-password' },
                h('h2', { id: 'profile-password' }, t('password.title')),
                h('p', null, t('password.intro')),
                passwordForm),
            h('section', { class: 'panel', 'aria-labelledby': 'profile-signout' },
                h('h2', { id: 'profile-signout' }, t('signout.title')),
                h('p', null, t('signout.text')),
                h('div', { class: 'actions' },
                    h('button', { type: 'button', class: 'button button--secondary', onclick: () => ctx.signOut() },
                        t('nav.signout')))),
        ];
    },
};
