/* Fuzzes the config parser: any bytes must either parse or fail cleanly
 * with HY_ERR_CONFIG, and a config that parsed must read back sanely. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hayate/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_config *c = NULL;
    hy_err err;

    if (hy_config_create(&c) != HY_OK)
        return 0;
    err = hy_config_parse(c, "fuzz.conf", (const char *)data, size);
    if (err != HY_OK && err != HY_ERR_CONFIG && err != HY_ERR_NOMEM)
        abort();
    for (size_t i = 0; hy_config_keys[i].name; i++) {
        const hy_config_key *k = &hy_config_keys[i];
        size_t n = 0;
        const char *const *l;
        int64_t v;

        switch (k->type) {
        case HY_CFG_INT:
            v = hy_config_int(c, k->name);
            if (v < k->min || v > k->max)
                abort();
            break;
        case HY_CFG_STR:
            if (!hy_config_str(c, k->name))
                abort();
            break;
        case HY_CFG_BOOL:
            (void)hy_config_bool(c, k->name);
            break;
        case HY_CFG_LIST:
            l = hy_config_list(c, k->name, &n);
            if (l[n] != NULL)
                abort();
            for (size_t j = 0; j < n; j++)
                if (!l[j] || !l[j][0])
                    abort(); /* empty items are dropped */
            break;
        }
    }
    hy_config_destroy(c);
    return 0;
}
