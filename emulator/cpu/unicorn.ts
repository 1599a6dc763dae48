// Thin typed binding to libunicorn 2.1 through koffi: only what xlp uses.
// No maintained Unicorn package exists on npm; bookworm's 2.0.1 ignores page tables, so we load trixie's
// 2.1.x that `make` unpacks into .deps/unicorn (or $XLP_UNICORN_LIB) and refuse anything older.
import koffi, { type TypeObject } from 'koffi';
import { existsSync } from 'node:fs';
import { BUNDLED_UNICORN } from './install.ts';

export const UC_ARCH_X86 = 4;
export const UC_MODE_64 = 8;
export const UC_PROT_ALL = 7;

export const UC_HOOK = { INTR: 1, INSN: 2, CODE: 4, INSN_INVALID: 1 << 14 } as const;
export const UC_X86_INS = { IN: 218, OUT: 500 } as const;

/** x86 register ids (unicorn/x86.h). */
export const REG = {
  RAX: 35, RBP: 36, RBX: 37, RCX: 38, RDI: 39, RDX: 40, RIP: 41, RSI: 43, RSP: 44,
  CS: 11, DS: 17, ES: 28, FS: 32, GS: 33, SS: 49,
  CR0: 50, CR2: 52, CR3: 53, CR4: 54,
  R8: 106, R9: 107, R10: 108, R11: 109, R12: 110, R13: 111, R14: 112, R15: 113,
  IDTR: 242, GDTR: 243, TR: 245, MSR: 248, RFLAGS: 253,
} as const;
export type RegName = keyof typeof REG;

// uc_ctl request codes: type | (nargs << 26) | (io << 30), io 1 = write (uc.h UC_CTL_WRITE).
const UC_CTL_TB_REMOVE_CACHE = 0x48000009;
const UC_CTL_TB_FLUSH = 0x4000000a;
const UC_CTL_TLB_FLUSH = 0x4000000b;

const UC_ERR_NAMES: Record<number, string> = {
  0: 'UC_ERR_OK', 1: 'UC_ERR_NOMEM', 2: 'UC_ERR_ARCH', 3: 'UC_ERR_HANDLE', 4: 'UC_ERR_MODE', 5: 'UC_ERR_VERSION',
  6: 'UC_ERR_READ_UNMAPPED', 7: 'UC_ERR_WRITE_UNMAPPED', 8: 'UC_ERR_FETCH_UNMAPPED', 9: 'UC_ERR_HOOK',
  10: 'UC_ERR_INSN_INVALID', 11: 'UC_ERR_MAP', 12: 'UC_ERR_WRITE_PROT', 13: 'UC_ERR_READ_PROT',
  14: 'UC_ERR_FETCH_PROT', 15: 'UC_ERR_ARG', 16: 'UC_ERR_READ_UNALIGNED', 17: 'UC_ERR_WRITE_UNALIGNED',
  18: 'UC_ERR_FETCH_UNALIGNED', 19: 'UC_ERR_HOOK_EXIST', 20: 'UC_ERR_RESOURCE', 21: 'UC_ERR_EXCEPTION',
  22: 'UC_ERR_OVERFLOW',
};

/** A uc_err turned into an exception, with uc_strerror's text. */
export class UnicornError extends Error {
  constructor(readonly call: string, readonly code: number, detail: string) {
    super(`${call} failed: ${UC_ERR_NAMES[code] ?? `uc_err ${code}`} (${detail})`);
    this.name = 'UnicornError';
  }
}

/** <sys/mman.h> */
const MADV_HUGEPAGE = 14;

/** uc_query_type: UC_QUERY_MODE = 1, PAGE_SIZE, ARCH, TIMEOUT (unicorn.h). */
const UC_QUERY_TIMEOUT = 4;

export const MIN_UNICORN = { major: 2, minor: 1 } as const;

export function unicornLibraryPath(): string {
  if (process.env.XLP_UNICORN_LIB) return process.env.XLP_UNICORN_LIB;
  const local = BUNDLED_UNICORN;
  if (existsSync(local)) return local;
  throw new Error(
    `Unicorn >= ${MIN_UNICORN.major}.${MIN_UNICORN.minor} not found at ${local}: run \`xlp setup\` (in a checkout: \`make\`), ` +
      'which fetches it, or set XLP_UNICORN_LIB to a libunicorn.so.2 of version 2.1 or newer',
  );
}

type Ptr = bigint;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- koffi functions are untyped at this boundary
type Fn = (...args: any[]) => unknown;

interface Api {
  version: Fn; open: Fn; close: Fn; strerror: Fn; regRead: Fn; regWrite: Fn; memMapPtr: Fn; memRead: Fn;
  memWrite: Fn; emuStart: Fn; emuStop: Fn; query: Fn; hookAdd: Fn; hookDel: Fn; ctxAlloc: Fn; ctxSave: Fn; ctxRestore: Fn;
  ctxSize: Fn; ctxFree: Fn; ctl: Fn; mmap: Fn; munmap: Fn; madvise: Fn;
  protoIntr: TypeObject; protoInvalid: TypeObject; protoCode: TypeObject; protoOut: TypeObject;
}

let api: Api | undefined;

function load(): Api {
  if (api) return api;
  const lib = koffi.load(unicornLibraryPath());
  const libc = koffi.load('libc.so.6');
  const a: Api = {
    version: lib.func('unsigned int uc_version(_Out_ unsigned int *major, _Out_ unsigned int *minor)'),
    open: lib.func('int uc_open(int arch, int mode, _Out_ void **uc)'),
    close: lib.func('int uc_close(void *uc)'),
    strerror: lib.func('const char *uc_strerror(int code)'),
    regRead: lib.func('int uc_reg_read(void *uc, int regid, void *value)'),
    regWrite: lib.func('int uc_reg_write(void *uc, int regid, const void *value)'),
    memMapPtr: lib.func('int uc_mem_map_ptr(void *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)'),
    memRead: lib.func('int uc_mem_read(void *uc, uint64_t address, _Out_ uint8_t *bytes, uint64_t size)'),
    memWrite: lib.func('int uc_mem_write(void *uc, uint64_t address, const uint8_t *bytes, uint64_t size)'),
    emuStart: lib.func('int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    emuStop: lib.func('int uc_emu_stop(void *uc)'),
    query: lib.func('int uc_query(void *uc, int type, _Out_ size_t *result)'),
    hookAdd: lib.func(
      'int uc_hook_add(void *uc, _Out_ size_t *hh, int type, void *callback, void *user, uint64_t begin, uint64_t end, ...)',
    ),
    hookDel: lib.func('int uc_hook_del(void *uc, size_t hh)'),
    ctxAlloc: lib.func('int uc_context_alloc(void *uc, _Out_ void **ctx)'),
    ctxSave: lib.func('int uc_context_save(void *uc, void *ctx)'),
    ctxRestore: lib.func('int uc_context_restore(void *uc, void *ctx)'),
    ctxSize: lib.func('size_t uc_context_size(void *uc)'),
    ctxFree: lib.func('int uc_context_free(void *ctx)'),
    ctl: lib.func('int uc_ctl(void *uc, int control, ...)'),
    mmap: libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)'),
    munmap: libc.func('int munmap(void *addr, size_t len)'),
    madvise: libc.func('int madvise(void *addr, size_t len, int advice)'),
    protoIntr: koffi.proto('void xlp_uc_intr(void *uc, uint32_t intno, void *user)'),
    protoInvalid: koffi.proto('bool xlp_uc_insn_invalid(void *uc, void *user)'),
    protoCode: koffi.proto('void xlp_uc_code(void *uc, uint64_t address, uint32_t size, void *user)'),
    protoOut: koffi.proto('void xlp_uc_out(void *uc, uint32_t port, int size, uint32_t value, void *user)'),
  };
  const major = [0];
  const minor = [0];
  a.version(major, minor);
  const [maj, min] = [major[0]!, minor[0]!];
  if (maj < MIN_UNICORN.major || (maj === MIN_UNICORN.major && min < MIN_UNICORN.minor)) {
    throw new Error(
      `Unicorn ${maj}.${min} is too old: xlp needs >= ${MIN_UNICORN.major}.${MIN_UNICORN.minor} ` +
        '(2.0.x ignores x86 page tables); run `make test` to install trixie\'s libunicorn2t64',
    );
  }
  api = a;
  return a;
}

export function unicornVersion(): string {
  const a = load();
  const major = [0];
  const minor = [0];
  a.version(major, minor);
  return `${major[0]}.${minor[0]}`;
}

/** Host memory that never moves (mmap), shared with Unicorn through uc_mem_map_ptr. */
export class HostMemory {
  private whole: Buffer | undefined;
  private constructor(readonly pointer: Ptr, readonly size: number) {}

  /** All of it. */
  get buffer(): Buffer {
    return (this.whole ??= this.view(this.size));
  }

  /**
   * A view of the first `length` bytes. V8 counts a view's length as external memory: one over 64 MiB makes
   * the next allocation start a full GC ("external memory pressure", ~5 ms), so big memory is viewed as needed.
   */
  view(length: number): Buffer {
    return Buffer.from(koffi.view(this.pointer, Math.min(length, this.size)));
  }
  static allocate(size: number): HostMemory {
    const a = load();
    const PROT_RW = 3;
    const MAP_PRIVATE_ANON_NORESERVE = 0x02 | 0x20 | 0x4000;
    const p = BigInt(a.mmap(null, size, PROT_RW, MAP_PRIVATE_ANON_NORESERVE, -1, 0) as number | bigint);
    if (p === 0xffffffffffffffffn || p === -1n) throw new Error(`mmap of ${size} bytes failed`);
    // Transparent huge pages where the kernel offers them (`madvise` mode is Debian's default): the first touch
    // of an image's few MiB is then a handful of faults instead of ~1000 (~10 ms in a VM, per command). Only
    // advice: a kernel without THP refuses it and nothing changes.
    a.madvise(p, size, MADV_HUGEPAGE);
    return new HostMemory(p, size);
  }
  free(): void {
    load().munmap(this.pointer, this.size);
  }
}

export type IntrHook = (intno: number) => void;
export type InvalidInsnHook = () => boolean;
export type CodeHook = (address: bigint, size: number) => void;
export type OutHook = (port: number, size: number, value: number) => void;

/** One Unicorn x86-64 instance. Every uc_err becomes an UnicornError. */
export class Unicorn {
  private readonly a: Api;
  readonly handle: Ptr;
  private readonly reg8 = Buffer.alloc(8);
  private readonly msrBuf = Buffer.alloc(16);
  private readonly callbacks = new Map<bigint, bigint>();
  private closed = false;

  constructor() {
    this.a = load();
    const out: [Ptr | null] = [null];
    this.check('uc_open', this.a.open(UC_ARCH_X86, UC_MODE_64, out) as number);
    this.handle = out[0] as Ptr;
  }

  private check(call: string, code: number): void {
    if (code !== 0) throw new UnicornError(call, code, String(this.a.strerror(code)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const hh of [...this.callbacks.keys()]) this.hookDel(hh);
    this.check('uc_close', this.a.close(this.handle) as number);
  }

  regRead(id: number): bigint {
    this.reg8.fill(0); // segment registers write only 2-4 bytes
    this.check('uc_reg_read', this.a.regRead(this.handle, id, this.reg8) as number);
    return this.reg8.readBigUInt64LE(0);
  }

  regWrite(id: number, value: bigint): void {
    this.reg8.writeBigUInt64LE(BigInt.asUintN(64, value));
    this.check('uc_reg_write', this.a.regWrite(this.handle, id, this.reg8) as number);
  }

  /** Model-specific registers go through uc_x86_msr {u32 rid; u64 value}. */
  msrWrite(msr: number, value: bigint): void {
    this.msrBuf.fill(0);
    this.msrBuf.writeUInt32LE(msr, 0);
    this.msrBuf.writeBigUInt64LE(value, 8);
    this.check('uc_reg_write(MSR)', this.a.regWrite(this.handle, REG.MSR, this.msrBuf) as number);
  }

  msrRead(msr: number): bigint {
    this.msrBuf.fill(0);
    this.msrBuf.writeUInt32LE(msr, 0);
    this.check('uc_reg_read(MSR)', this.a.regRead(this.handle, REG.MSR, this.msrBuf) as number);
    return this.msrBuf.readBigUInt64LE(8);
  }

  memMapPtr(physical: bigint, mem: HostMemory): void {
    this.check('uc_mem_map_ptr', this.a.memMapPtr(this.handle, physical, mem.size, UC_PROT_ALL, mem.pointer) as number);
  }

  /** Physical addresses (Unicorn's memory API does not walk page tables). */
  memRead(physical: bigint, length: number): Buffer {
    const b = Buffer.alloc(length);
    this.check('uc_mem_read', this.a.memRead(this.handle, physical, b, length) as number);
    return b;
  }

  emuStart(begin: bigint, until: bigint, timeoutUs: number, count: number): number {
    return this.a.emuStart(this.handle, begin, until, timeoutUs, count) as number;
  }

  /** Did the last uc_emu_start stop because its own `timeout` ran out (UC_QUERY_TIMEOUT)? */
  timedOut(): boolean {
    const r = [0];
    this.check('uc_query(UC_QUERY_TIMEOUT)', this.a.query(this.handle, UC_QUERY_TIMEOUT, r) as number);
    return r[0] !== 0;
  }

  errorText(code: number): string {
    return `${UC_ERR_NAMES[code] ?? code}: ${String(this.a.strerror(code))}`;
  }

  emuStop(): void {
    this.check('uc_emu_stop', this.a.emuStop(this.handle) as number);
  }

  private addHook(type: number, proto: TypeObject, fn: Fn, begin: bigint, end: bigint, extra: unknown[]): bigint {
    const cb = koffi.register(fn, koffi.pointer(proto));
    const hh = [0];
    this.check(
      'uc_hook_add',
      this.a.hookAdd(this.handle, hh, type, cb, null, begin, end, ...extra) as number,
    );
    const id = BigInt(hh[0]!);
    this.callbacks.set(id, cb); // keep the trampoline alive as long as the hook exists
    return id;
  }

  hookIntr(fn: IntrHook): bigint {
    return this.addHook(UC_HOOK.INTR, this.a.protoIntr, (_uc: unknown, n: number) => fn(n), 1n, 0n, []);
  }

  hookInvalidInsn(fn: InvalidInsnHook): bigint {
    return this.addHook(UC_HOOK.INSN_INVALID, this.a.protoInvalid, () => fn(), 1n, 0n, []);
  }

  /** A code hook limited to [begin, end]: Unicorn only instruments instructions inside the range. */
  hookCode(begin: bigint, end: bigint, fn: CodeHook): bigint {
    return this.addHook(
      UC_HOOK.CODE, this.a.protoCode,
      (_uc: unknown, address: number | bigint, size: number) => fn(BigInt(address), size), begin, end, [],
    );
  }

  hookOut(fn: OutHook): bigint {
    return this.addHook(
      UC_HOOK.INSN, this.a.protoOut,
      (_uc: unknown, port: number, size: number, value: number) => fn(port, size, value), 1n, 0n,
      ['int', UC_X86_INS.OUT],
    );
  }

  hookDel(hh: bigint): void {
    const cb = this.callbacks.get(hh);
    if (cb === undefined) return;
    this.check('uc_hook_del', this.a.hookDel(this.handle, hh) as number);
    this.callbacks.delete(hh);
    koffi.unregister(cb);
  }

  contextSize(): number {
    return Number(this.a.ctxSize(this.handle));
  }

  contextAlloc(): Ptr {
    const out: [Ptr | null] = [null];
    this.check('uc_context_alloc', this.a.ctxAlloc(this.handle, out) as number);
    return out[0] as Ptr;
  }

  contextSave(ctx: Ptr): void {
    this.check('uc_context_save', this.a.ctxSave(this.handle, ctx) as number);
  }

  contextRestore(ctx: Ptr): void {
    this.check('uc_context_restore', this.a.ctxRestore(this.handle, ctx) as number);
  }

  contextFree(ctx: Ptr): void {
    this.check('uc_context_free', this.a.ctxFree(ctx) as number);
  }

  /** Drop cached translations of [start, end) (virtual addresses): Unicorn does not see host writes to code. */
  invalidateCode(start: bigint, end: bigint): void {
    this.check('uc_ctl(TB_REMOVE_CACHE)', this.a.ctl(this.handle, UC_CTL_TB_REMOVE_CACHE, 'uint64_t', start, 'uint64_t', end) as number);
  }

  flushCode(): void {
    this.check('uc_ctl(TB_FLUSH)', this.a.ctl(this.handle, UC_CTL_TB_FLUSH) as number);
  }

  /** Host edits of page tables are invisible to the softmmu TLB until flushed. */
  flushTlb(): void {
    this.check('uc_ctl(TLB_FLUSH)', this.a.ctl(this.handle, UC_CTL_TLB_FLUSH) as number);
  }
}

/** View native memory (e.g. a uc_context) as a Buffer. */
export function viewNative(pointer: bigint, size: number): Buffer {
  return Buffer.from(koffi.view(pointer, size));
}
