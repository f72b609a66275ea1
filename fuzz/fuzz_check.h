/* hayate fuzz targets: an invariant that must hold, or the target aborts
 * (libFuzzer keeps the input as a crash). */
#ifndef HAYATE_FUZZ_CHECK_H
#define HAYATE_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

#endif
