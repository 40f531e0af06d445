/**
 * Side-effect module: gives zod English messages so field errors read as
 * sentences. Handlers use `zod/mini`, which tree-shakes to a few KB where
 * classic zod bundles hundreds (see `npm run bench`) but ships without a
 * locale. Only `en` is imported by name, so the bundler drops every other
 * language.
 */

import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());
