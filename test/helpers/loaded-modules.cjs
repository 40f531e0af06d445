/**
 * Preloaded (`node -r`) into a command a test starts: when the process exits,
 * writes the path of every module it loaded, as a JSON array, to the file
 * LOADED_MODULES_FILE names (test/app/commands.test.ts).
 */
const { writeFileSync } = require('node:fs');

process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify(Object.keys(require.cache))));
