/**
 * Fails first, in one line, on a Node.js older than the project runs on
 * (package.json's engines, .nvmrc): the local backends need Node 22's
 * node:sqlite and more, and would otherwise fail minutes into a test run.
 * `npm test` runs it first; every command that loads TypeScript
 * (register-typescript.cjs: cdk synth, npm run local, smoke, cost, ...) too.
 */
const NEEDED = 24;

function checkNode(version = process.versions.node) {
  const major = Number(version.split('.')[0]);
  if (major >= NEEDED) return undefined;
  return `This project needs Node.js ${NEEDED} or newer (see .nvmrc; \`nvm use\` or \`fnm use\` picks it), and this is Node.js ${version}.`;
}

if (require.main === module) {
  const problem = checkNode();
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}

module.exports = { checkNode, NEEDED };
