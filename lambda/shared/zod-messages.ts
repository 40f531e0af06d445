/**
 * Side-effect module: gives zod English messages so field errors read as
 * sentences. Handlers use `zod/mini`, which tree-shakes to a few KB where
 * classic zod bundles hundreds (see `npm run bench`) but ships without a
 * locale. Import the locale file directly: the `locales` index would pull in
 * every language.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
