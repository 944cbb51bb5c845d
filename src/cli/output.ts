/** Plain aligned tables for people; --json output goes through printJson unchanged. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row, index) => {
      const line = row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd();
      return index === 0 ? line.toUpperCase() : line;
    })
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function section(title: string): string {
  return `\n${title}\n${'-'.repeat(title.length)}`;
}

export function shortDigest(digest: string | undefined): string {
  return digest ? digest.slice(0, 19) : '';
}
