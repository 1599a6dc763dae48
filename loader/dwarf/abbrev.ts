// .debug_abbrev: per unit, abbreviation code → tag, children flag, and (attribute, form[, implicit constant]).
import { DW_FORM } from './constants.ts';
import { Cursor } from './cursor.ts';

export interface AbbrevAttr {
  at: number;
  form: number;
  /** DW_FORM_implicit_const's value, stored in the abbreviation itself. */
  implicit?: number;
}

export interface Abbrev {
  tag: number;
  children: boolean;
  attrs: AbbrevAttr[];
}

export function parseAbbrevs(section: Uint8Array, offset: number): Map<number, Abbrev> {
  const c = new Cursor(section, offset, '.debug_abbrev');
  const table = new Map<number, Abbrev>();
  for (;;) {
    const code = c.uleb();
    if (code === 0) return table;
    const tag = c.uleb();
    const children = c.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const at = c.uleb();
      const form = c.uleb();
      if (at === 0 && form === 0) break;
      attrs.push(form === DW_FORM.implicit_const ? { at, form, implicit: c.sleb() } : { at, form });
    }
    table.set(code, { tag, children, attrs });
  }
}
