/**
 * Readable stack traces without paying for them at every cold start. Node's --enable-source-maps parses
 * each bundle's source map when the bundle loads (about 15 ms of every cold start of the api, measured in
 * issue 11); here the map is read only when an error is logged, once per file, and each frame of the
 * minified bundle is turned back into its TypeScript file, line and column. Without a map (tests, the
 * local stack, which run the sources) the stack is returned as it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    try {
      const path = file.startsWith('file:') ? fileURLToPath(file) : file;
      if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = null; // an unreadable map leaves the frames as they are
    }
    maps.set(file, map);
  }
  return maps.get(file)!;
}

const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?\/[^():]+\.m?js):(\d+):(\d+)(\)?)$/;

export function readableStack(stack: string | undefined): string | undefined {
  if (!stack) return stack;
  return stack
    .split('\n')
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m) return line;
      const [, head, file, row, col, tail] = m;
      const map = mapOf(file!);
      const entry = map?.findEntry(Number(row) - 1, Number(col) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number; name?: string } | undefined;
      if (!entry?.originalSource) return line;
      const source = entry.originalSource.replace(/^(?:\.\.\/)+/, '');
      return `${head}${source}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}${tail}`;
    })
    .join('\n');
}
