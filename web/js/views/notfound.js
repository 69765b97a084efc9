import { h } from '../dom.js';
import { t } from '../i18n.js';
import { heading } from './shared.js';

export default {
    title: 'notfound.title',
    render() {
        return [
            heading('notfound-title', t('notfound.title')),
            h('p', null, t('notfound.text')),
            h('p', null, h('a', { href: '#/' }, t('notfound.home'))),
        ];
    },
};
