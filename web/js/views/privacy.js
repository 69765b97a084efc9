// #/privacy: the privacy notice on a page of its own (linked from the footer).
import { privacyNotice } from './shared.js';

export default {
    title: 'privacy.title',
    render(ctx) {
        return [privacyNotice(ctx.config, { level: 1, id: 'privacy-page' })];
    },
};
