import * as fs from 'fs';
import * as path from 'path';
import { documentationFiles } from '../support/readme-snippets';

/**
 * Every relative link of README.md and docs/*.md reaches a file of the repository, and
 * every #anchor a heading of its page, as GitHub makes heading anchors (lower case,
 * punctuation dropped, spaces to hyphens).
 */
const ROOT = path.join(__dirname, '..', '..');

const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');

function anchors(file: string): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1])));
}

test.each(documentationFiles(ROOT))('every relative link and anchor of %s resolves', (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) {
      continue;
    }
    const [relative, anchor] = target.split('#');
    const linked = relative ? path.normalize(path.join(path.dirname(file), relative)) : file;
    if (!fs.existsSync(path.join(ROOT, linked))) {
      broken.push(`${target}: no file ${linked}`);
    } else if (anchor && linked.endsWith('.md') && !anchors(linked).has(anchor)) {
      broken.push(`${target}: no heading #${anchor} in ${linked}`);
    }
  }
  expect(broken).toEqual([]);
});
