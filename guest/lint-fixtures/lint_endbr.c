/*
 * XLP003 after ENDBR64 (built against endbr_image.S): patches endbr_short,
 * 8 bytes, where ENDBR64 + the jump need 9; -DLINT_LONG patches endbr_long.
 */
#include "lint_fixture.h"

int endbr_short(int x);
int endbr_long(int x);

int lint_endbr_new(int x);
int lint_endbr_new(int x)
{
    return x + 3;
}

#ifdef LINT_LONG
LINT_PATCH(lint_endbr, "endbr_long", lint_endbr_new, endbr_long, SIZE_endbr_long);
#else
LINT_PATCH(lint_endbr, "endbr_short", lint_endbr_new, endbr_short, SIZE_endbr_short);
#endif
