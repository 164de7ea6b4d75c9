import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './cli.js';

/**
 * The fenced code blocks of README.md and docs/ (docs/api is generated), each with the marker comment that says
 * how the suite runs it. The HTML comment on the line before a block (blank lines allowed in between):
 *
 *   <!-- doc-block: run -->                          test/docs/code-blocks.test.ts runs it (js, ts, sh)
 *   <!-- doc-block: run-by TEST_FILE id=ID -->       TEST_FILE runs it, finding it by ID with `docBlock()`
 *   <!-- doc-block: not runnable: REASON -->         shown, not run (REASON says why: output, a fragment...)
 *
 * A block without a marker fails test/docs/code-blocks.test.ts, so nothing shown to users goes untested unnoticed.
 */
export interface DocBlock {
  /** Repository-relative file, e.g. `README.md`. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly marker: DocBlockMarker | undefined;
}

export type DocBlockMarker =
  | { readonly kind: 'run' }
  | { readonly kind: 'run-by'; readonly test: string; readonly id: string }
  | { readonly kind: 'not-runnable'; readonly reason: string }
  | { readonly kind: 'malformed'; readonly text: string };

/** README.md and every Markdown file under docs/ except the generated API reference. */
export function documentationFiles(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md') && !file.startsWith('api'))
    .map((file) => join('docs', file));
  return ['README.md', ...docs.sort()];
}

function parseMarker(text: string): DocBlockMarker {
  const body = text.trim();
  if (body === 'run') return { kind: 'run' };
  const runBy = /^run-by (\S+) id=(\S+)$/.exec(body);
  if (runBy) return { kind: 'run-by', test: runBy[1] as string, id: runBy[2] as string };
  const notRunnable = /^not runnable: (\S.*)$/.exec(body);
  if (notRunnable) return { kind: 'not-runnable', reason: notRunnable[1] as string };
  return { kind: 'malformed', text: body };
}

/** Every fenced block of one file, nested fences (in list items) included. */
export function docBlocksOf(file: string): DocBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let marker: DocBlockMarker | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const comment = /^\s*<!-- doc-block:(.*)-->\s*$/.exec(line);
    if (comment) {
      marker = parseMarker(comment[1] as string);
      continue;
    }
    const fence = /^(\s*)(```+)(\S*)\s*$/.exec(line);
    if (!fence) {
      if (line.trim() !== '') marker = undefined; // a marker belongs to the block right after it
      continue;
    }
    const [, indent = '', ticks = '```', lang = ''] = fence;
    const code: string[] = [];
    let end = index + 1;
    while (end < lines.length && !new RegExp(`^\\s*${ticks}\\s*$`).test(lines[end] as string)) {
      code.push((lines[end] as string).slice(indent.length));
      end += 1;
    }
    blocks.push({ file, line: index + 1, lang, code: `${code.join('\n')}\n`, marker });
    marker = undefined;
    index = end;
  }
  return blocks;
}

export function allDocBlocks(): DocBlock[] {
  return documentationFiles().flatMap(docBlocksOf);
}

/** The block marked `run-by <the calling test> id=ID`; throws when there is none or more than one. */
export function docBlock(id: string): DocBlock {
  const found = allDocBlocks().filter((block) => block.marker?.kind === 'run-by' && block.marker.id === id);
  if (found.length !== 1) throw new Error(`expected one documentation block marked id=${id}, found ${found.length}`);
  return found[0] as DocBlock;
}

/** `file:line`, for test names and messages. */
export function whereIs(block: DocBlock): string {
  return `${relative('.', block.file)}:${block.line}`;
}
