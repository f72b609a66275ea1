/* Fuzzes the screen engine's model file (hayate train screen's JSON:
 * verdicts per cluster, compromised hosts, a hex XGBoost model), read
 * through hy_screen_load_model: any bytes give HY_OK or a clear error,
 * never a crash, a hang or a leak; a screener given a model still screens. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hayate/screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    hy_screen_cfg c;
    hy_screen *s = NULL;
    hy_alert_in a;
    hy_screen_result r;
    snprintf(path, sizeof path, "/tmp/fuzz-screenmodel-%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    hy_screen_cfg_default(&c);
    if (hy_screen_create(&c, &s) != HY_OK)
        __builtin_trap();
    hy_err e = hy_screen_load_model(s, path);
    if (e != HY_OK && e != HY_ERR_FORMAT && e != HY_ERR_TRUNCATED && e != HY_ERR_TOOBIG)
        __builtin_trap();
    memset(&a, 0, sizeof a);
    a.signature = a.category = (hy_str){"x", 1};
    a.sig_key = 1;
    a.ip_version = 4;
    a.src[0] = 10;
    if (hy_screen_alert(s, &a, &r) != HY_OK || !(r.priority >= 0 && r.priority <= 1))
        __builtin_trap();
    hy_screen_destroy(s);
    remove(path);
    return 0;
}
