/**
 * A small Markdown writer: the report is headings, paragraphs, bullet lists and tables,
 * and the tables must escape what a cell may contain (a `|` in an error message).
 */
export class MarkdownDocument {
  private readonly blocks: string[] = [];

  public heading(level: 1 | 2 | 3, text: string): this {
    this.blocks.push(`${'#'.repeat(level)} ${text}`);
    return this;
  }

  public paragraph(...lines: string[]): this {
    this.blocks.push(lines.join('\n'));
    return this;
  }

  public bullets(items: readonly string[]): this {
    this.blocks.push(items.map((item) => `- ${item}`).join('\n'));
    return this;
  }

  /** A table; `align` gives 'r' for right-aligned (numeric) columns. */
  public table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: ReadonlyArray<'l' | 'r'> = []): this {
    const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
    const rule = `|${header.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`;
    this.blocks.push([line(header), rule, ...rows.map(line)].join('\n'));
    return this;
  }

  public toString(): string {
    return `${this.blocks.join('\n\n')}\n`;
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
