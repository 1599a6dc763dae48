/* The other half: another static helper() in a file with the same basename. */
int dup_b(int x);

static __attribute__((noinline)) int helper(int x)
{
    return x - 1;
}

int dup_b(int x)
{
    return helper(x) * 3;
}
