#include <string.h>

#include "engines/engine_list.h"
#include "hayate/engine.h"

#define HY__DECLARE(name) extern const hy_engine hy_engine_##name;
HY_ENGINE_LIST(HY__DECLARE)
#undef HY__DECLARE

#define HY__ENTRY(name) &hy_engine_##name,
const hy_engine *const hy_engines[] = {HY_ENGINE_LIST(HY__ENTRY) NULL};
#undef HY__ENTRY

const hy_engine *hy_engine_find(const char *name)
{
    for (size_t i = 0; name && hy_engines[i]; i++)
        if (strcmp(hy_engines[i]->name, name) == 0)
            return hy_engines[i];
    return NULL;
}
