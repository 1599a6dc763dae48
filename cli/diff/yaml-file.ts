// The YAML files of `xlp diff` (--inputs, --expect): read, checked against their schema, one clear error.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { InputError } from './inputs.ts';

export function readYamlFile<T extends z.ZodType>(path: string, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(`${path}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data;
}
