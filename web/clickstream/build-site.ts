import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { bundleWithCache } from '../../lib/shared/esbuild-bundle-cache';

const SITE_DIR = path.join(__dirname, 'site');

/**
 * Builds the menu site into `outDir`: the static files, and the page script
 * bundled for browsers with the AWS SDK clients it uses. Used by the stack's
 * asset bundling (locally, no Docker) and by the browser test, so the test
 * serves exactly what is deployed (but config.json, which each side writes).
 * The script is bundled again only when one of its sources changed
 * (`esbuild-bundle-cache.ts`).
 */
export function buildMenuSite(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  cpSync(SITE_DIR, outDir, { recursive: true });
  bundleWithCache({
    entry: path.join(__dirname, 'menu-page.ts'),
    outfile: path.join(outDir, 'menu-page.js'),
    options: {
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'silent',
    },
    projectRoot: path.join(__dirname, '..', '..'),
  });
}
