/**
 * A block a command writes into a doc, between `<!-- name:begin ... -->` and
 * `<!-- name:end -->` (the cost blocks, the README's bench tables).
 */

/** The line that ends the block `name`. */
export const blockEnd = (name: string) => `<!-- ${name}:end -->`;

/**
 * `text` with the block `name` replaced by `block` (which carries its
 * markers). A doc may hold just `<!-- name:begin -->` and its end; the block
 * written carries the full begin marker.
 */
export function replaceGeneratedBlock(text: string, name: string, block: string, file: string): string {
  const end = blockEnd(name);
  const begin = text.search(new RegExp(`<!-- ${name}:begin\\b`));
  const endAt = text.indexOf(end);
  if (begin < 0 || endAt < begin) throw new Error(`${file} has no ${name} block (<!-- ${name}:begin --> ... ${end})`);
  return text.slice(0, begin) + block + text.slice(endAt + end.length);
}
