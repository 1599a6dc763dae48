/* The new plain_answer() of xlp_order_jmp: one more than the original. */
#include <payload_funcs.h>

int xlp_order_jmp_fn(void);

int xlp_order_jmp_fn(void)
{
    return 43;
}
