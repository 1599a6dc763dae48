#ifndef XEN_SELFTEST_H
#define XEN_SELFTEST_H

/* Entry points the emulator calls directly (SysV ABI); see README.md. */

/* common/selftest.c */
int selftest_warn(void);
void selftest_bug(void);
int selftest_assert(int x);
int selftest_run_fn(void);
extern unsigned long selftest_run_fn_hits;
const char *selftest_cswtch(int v);
int selftest_ipa(int x);
int selftest_cold(int x);
int cf_check selftest_endbr_fn(void);
extern unsigned long selftest_endbr_calls;
int selftest_call_indirect(void);
void selftest_printk(void);
int selftest_schedule_tasklet(unsigned long data);
extern unsigned long selftest_tasklet_sum;

/* common/alpha.c, common/beta.c, common/plain.c */
int alpha_call(int x);
int beta_call(int x);
int plain_answer(void);
int plain_add(int a, int b);

/* arch/x86/faults.c */
long selftest_pf_read(const void *bad);
long selftest_pf_write(void *bad);
long selftest_gp(void);
long selftest_de(unsigned long divisor);
long selftest_ud(void);
long selftest_bp(void);
long selftest_many_faults(void *bad);

/* arch/x86/fixtures.S */
int short_fn(int x);
int mid_target(void);
int mid_jumper(int x);
long fault_regs_probe(const void *bad);
unsigned long pre_extable_fixture(const unsigned long *p);

/* arch/x86/domain.c */
extern unsigned long idle_loop_iterations;
void idle_loop(unsigned long iterations);

#endif /* XEN_SELFTEST_H */
