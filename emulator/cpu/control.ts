// The control-register state every xlp CPU runs with (also used by calibration, which must match it).
import { REG, type Unicorn } from './unicorn.ts';

const CR0 = 0x80010033n; // PG|WP|NE|ET|MP|PE: WP makes supervisor writes to read-only pages fault
const CR4 = 0x620n; // PAE|OSFXSR|OSXMMEXCPT
const MSR_EFER = 0xc0000080;
const EFER_NXE = 0x800n; // without it the NX bit is a reserved bit (#PF with RSVD set)

export function enablePaging(uc: Unicorn, pml4: number): void {
  uc.regWrite(REG.CR3, BigInt(pml4));
  uc.regWrite(REG.CR4, CR4);
  uc.regWrite(REG.CR0, CR0);
  uc.msrWrite(MSR_EFER, uc.msrRead(MSR_EFER) | EFER_NXE);
}
