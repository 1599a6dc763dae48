// The DWARF 4/5 constants this reader uses (DWARF 5 standard, §7.5 and §7.7): forms in full, since every form must
// be skipped correctly, and only the tags and attributes that struct layouts and function prototypes need.
export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11,
  ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18,
  flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c, strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f,
  ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25, strx2: 0x26,
  strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
} as const;

export const DW_TAG = {
  array_type: 0x01, enumeration_type: 0x04, formal_parameter: 0x05, pointer_type: 0x0f, compile_unit: 0x11,
  member: 0x0d, structure_type: 0x13, subroutine_type: 0x15, typedef: 0x16, union_type: 0x17,
  unspecified_parameters: 0x18, base_type: 0x24, const_type: 0x26, subprogram: 0x2e, volatile_type: 0x35,
  restrict_type: 0x37, atomic_type: 0x47,
} as const;

export const DW_AT = {
  name: 0x03, byte_size: 0x0b, bit_size: 0x0d, low_pc: 0x11, abstract_origin: 0x31, data_member_location: 0x38,
  declaration: 0x3c, encoding: 0x3e, type: 0x49, data_bit_offset: 0x6b, str_offsets_base: 0x72,
} as const;

/** Base type encodings (§7.8) that are integers in a register: boolean, signed, signed_char, unsigned, unsigned_char, UTF. */
export const DW_ATE_INTEGER: ReadonlyMap<number, { signed: boolean }> = new Map([
  [0x02, { signed: false }], [0x05, { signed: true }], [0x06, { signed: true }], [0x07, { signed: false }],
  [0x08, { signed: false }], [0x10, { signed: false }],
]);
/** DW_ATE_signed_char and DW_ATE_unsigned_char: what a C string's elements are. */
export const DW_ATE_CHAR: ReadonlySet<number> = new Set([0x06, 0x08]);

/** DW_OP_plus_uconst: the one location expression GCC emits for a member offset in an exprloc. */
export const DW_OP_plus_uconst = 0x23;
