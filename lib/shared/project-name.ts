/**
 * The project's names, in one place. Every stack name starts with
 * `PROJECT_NAME` (`<name>-<Architecture>-<stage>`), every custom metric is
 * under `<name>/…`, and the database is named after it in lower case;
 * `PROJECT_TAG` is the `project` cost-allocation tag on every resource.
 * `npm run starter -- <architecture> <dir> --name <Name>` writes a starter
 * with its own values here (and renames what its docs and tests say).
 * Changing them on a deployed project makes new stacks and a new database:
 * the old ones stay until destroyed.
 */
export const PROJECT_NAME = 'CoffeeShop';
export const PROJECT_TAG = 'coffee-shop-platform';
