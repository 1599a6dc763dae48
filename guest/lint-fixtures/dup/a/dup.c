/* Half of an image with a true duplicate: a/dup.c and b/dup.c both say "dup.c" in STT_FILE. */
int dup_a(int x);

static __attribute__((noinline)) int helper(int x)
{
    return x + 1;
}

int dup_a(int x)
{
    return helper(x) * 2;
}
