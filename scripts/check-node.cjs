/**
 * Refuses, first and in one line, a Node.js older than the project runs on
 * (package.json's engines, .nvmrc) where it matters: the local backends need
 * Node 22's node:sqlite and more, so `npm test` (which runs this first) and
 * `npm run local` would otherwise fail minutes in. Commands that work on an
 * older Node (cdk synth, cost) only warn, through register-typescript.cjs.
 */
const NEEDED = 24;

function checkNode(version = process.versions.node) {
  const major = Number(version.split('.')[0]);
  if (major >= NEEDED) return undefined;
  return `This project needs Node.js ${NEEDED} or newer (see .nvmrc; \`nvm use\` or \`fnm use\` picks it), and this is Node.js ${version}.`;
}

/** Ends the process with the one-line reason on a Node.js that is too old. */
function exitOnOldNode() {
  const problem = checkNode();
  if (!problem) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

if (require.main === module) exitOnOldNode();

module.exports = { checkNode, exitOnOldNode, NEEDED };
