// Reading a YAML file (scenarios, checks) against a zod schema, compiler style: every problem as
// `file:line:column: message`, unknown keys with "did you mean", integers read exactly (bigint).
import { LineCounter, type Node, isMap, isPair, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from '../suggest.ts';

export interface FileProblem {
  line: number;
  column: number;
  message: string;
}

export class FileError extends Error {
  constructor(readonly file: string, readonly problems: FileProblem[]) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    this.name = 'FileError';
  }
}

type Path = readonly PropertyKey[];

/** A parsed YAML document that can say where each value came from. */
export class YamlSource {
  private readonly lines = new LineCounter();
  readonly doc;

  constructor(readonly text: string, readonly file: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, intAsBigInt: true, prettyErrors: false, uniqueKeys: true });
  }

  private pos(offset: number): { line: number; column: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /** The node at `path` (the closest existing ancestor when the path goes further than the file). */
  private node(path: Path): Node | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n) as unknown[], true);
      if (node && typeof node === 'object' && 'range' in (node as object)) return node as Node;
      if (n === 0) return this.doc.contents ?? undefined;
    }
    return undefined;
  }

  /** Line and column of the value at `path`, or of `key` in the mapping at `path`. */
  where(path: Path, key?: string): { line: number; column: number } {
    const node = this.node(path);
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      if (pair && isScalar(pair.key) && pair.key.range) return this.pos(pair.key.range[0]);
    }
    return this.pos(node?.range?.[0] ?? 0);
  }

  problem(path: Path, message: string, key?: string): FileProblem {
    return { ...this.where(path, key), message };
  }

  syntaxProblems(): FileProblem[] {
    return this.doc.errors.map((e) => {
      const p = e.linePos?.[0];
      return { line: p?.line ?? 1, column: p?.col ?? 1, message: `not valid YAML: ${e.message.split('\n')[0]}` };
    });
  }
}

/** Keys a strict object accepts, to suggest the closest when an unknown one is found. */
export type KnownKeys = (path: Path) => readonly string[];

/** `errno: `, `args[0]: `; nothing for a list item itself (a step, a check): its position says which. */
function fieldName(path: Path): string {
  const [last, before] = [path.at(-1), path.at(-2)];
  if (typeof last === 'string') return `${last}: `;
  if (typeof last === 'number' && typeof before === 'string' && path.length > 2) return `${before}[${last}]: `;
  return '';
}

/** Parse `text` with `schema`; throws a FileError listing every problem with its position. */
export function parseYamlFile<S extends z.ZodType>(text: string, file: string, schema: S, known: KnownKeys): { value: z.output<S>; source: YamlSource } {
  const src = new YamlSource(text, file);
  const syntax = src.syntaxProblems();
  if (syntax.length) throw new FileError(file, syntax);
  const r = schema.safeParse(src.doc.toJS());
  if (r.success) return { value: r.data, source: src };
  const problems: FileProblem[] = [];
  const key = (path: Path): string => path.map(String).join('.');
  // An unknown key explains a "missing" one at the same place (`lod:` for `load:`): report only the former.
  const unknownAt = new Set(r.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => key(i.path)));
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const hint = didYouMean(k, known(issue.path));
        problems.push(src.problem(issue.path, `unknown key \`${k}\`${hint ? ` (${hint})` : `; known: ${known(issue.path).join(', ')}`}`, k));
      }
    } else if (!(issue.code === 'custom' && unknownAt.has(key(issue.path)))) {
      problems.push(src.problem(issue.path, `${fieldName(issue.path)}${issue.message}`));
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new FileError(file, problems);
}
