/* The screener's settings: defaults, the screen.* config keys, networks. */
#include "engines/screen/screen_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/config.h"

#define NS 1000000000ull

static const char *const default_home[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                           "100.64.0.0/10", "fc00::/7"};

void hy_screen_cfg_default(hy_screen_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->history = 10;
    c->window_ns = 86400 * NS;
    c->rate_ns = 3600 * NS;
    c->eps = 0.3;
    c->min_members = 3;
    c->floor = 0.6;
    c->escalate = 0.6;
    c->taint_ns = 7 * 86400 * NS;
    c->pos_weight = 50;
    c->model_high = 0.5;
    c->model_low = 0;
    c->new_pair_ns = 86400 * NS;
    c->routine_ns = 86400 * NS;
    c->vouch = true;
    c->warmup = 2048;
    c->refit_ns = 86400 * NS;
    c->reservoir = 8192;
    c->seed = 1;
    for (size_t i = 0; i < sizeof default_home / sizeof *default_home; i++)
        if (hy_screen_parse_net(default_home[i], &c->home[c->n_home]) == HY_OK)
            c->n_home++;
}

hy_err hy_screen_parse_net(const char *s, struct hy_screen_net *n)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    memset(n, 0, sizeof *n);
    n->crit = 1;
    if (alen == 0 || alen >= sizeof buf)
        return hy_err_set(HY_ERR_FORMAT, "network \"%.64s\": not an address", s);
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    if (inet_pton(AF_INET, buf, n->addr) == 1)
        n->ver = 4;
    else if (inet_pton(AF_INET6, buf, n->addr) == 1)
        n->ver = 6;
    else
        return hy_err_set(HY_ERR_FORMAT, "network \"%.64s\": not an address", s);
    unsigned max = n->ver == 4 ? 32 : 128;
    n->len = (uint8_t)max;
    if (slash) {
        char *end;
        errno = 0;
        unsigned long len = strtoul(slash + 1, &end, 10);
        if (errno || end == slash + 1 || *end || len > max)
            return hy_err_set(HY_ERR_FORMAT, "network \"%.64s\": prefix length not 0..%u", s,
                              max);
        n->len = (uint8_t)len;
    }
    return HY_OK;
}

static bool net_has(const struct hy_screen_net *n, uint8_t ver, const uint8_t *addr)
{
    if (n->ver != ver)
        return false;
    unsigned full = n->len / 8, rest = n->len % 8;
    if (memcmp(n->addr, addr, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (n->addr[full] & mask) == (addr[full] & mask);
}

double hy__scr_crit(const hy_screen_cfg *c, uint8_t ver, const uint8_t *addr)
{
    double best = 0;
    for (size_t i = 0; i < c->n_critical; i++)
        if (c->critical[i].crit > best && net_has(&c->critical[i], ver, addr))
            best = c->critical[i].crit;
    return best;
}

bool hy__scr_home(const hy_screen_cfg *c, uint8_t ver, const uint8_t *addr)
{
    for (size_t i = 0; i < c->n_home; i++)
        if (net_has(&c->home[i], ver, addr))
            return true;
    return false;
}

/* "CIDR" or "CIDR=weight". */
static hy_err parse_critical(const char *item, struct hy_screen_net *n)
{
    char buf[96];
    const char *eq = strchr(item, '=');
    size_t len = eq ? (size_t)(eq - item) : strlen(item);
    if (len >= sizeof buf)
        return hy_err_set(HY_ERR_CONFIG, "screen.critical: \"%.64s\" too long", item);
    memcpy(buf, item, len);
    buf[len] = '\0';
    if (hy_screen_parse_net(buf, n) != HY_OK)
        return hy_err_set(HY_ERR_CONFIG, "screen.critical: %s", hy_err_detail());
    if (eq) {
        char *end;
        double w = strtod(eq + 1, &end);
        if (end == eq + 1 || *end || !(w >= 0 && w <= 1))
            return hy_err_set(HY_ERR_CONFIG, "screen.critical: \"%.64s\": weight not 0..1",
                              item);
        n->crit = w;
    }
    return HY_OK;
}

static hy_err nets_from(const hy_config *cfg, const char *key, struct hy_screen_net *v,
                        size_t *nv, bool weights)
{
    size_t n;
    const char *const *items = hy_config_list(cfg, key, &n);
    if (n == 0)
        return HY_OK;
    if (n > HY_SCREEN_MAX_NETS)
        return hy_err_set(HY_ERR_CONFIG, "%s: %zu networks, at most %d", key, n,
                          HY_SCREEN_MAX_NETS);
    for (size_t i = 0; i < n; i++) {
        hy_err e = weights ? parse_critical(items[i], &v[i]) : hy_screen_parse_net(items[i], &v[i]);
        if (e != HY_OK)
            return weights ? e : hy_err_set(HY_ERR_CONFIG, "%s: %s", key, hy_err_detail());
    }
    *nv = n;
    return HY_OK;
}

hy_err hy_screen_cfg_from_config(const hy_config *cfg, hy_screen_cfg *c)
{
    hy_screen_cfg_default(c);
    if (!cfg)
        return HY_OK;
    c->history = (unsigned)hy_config_int(cfg, "screen.history");
    c->window_ns = (uint64_t)hy_config_int(cfg, "screen.window_s") * NS;
    c->rate_ns = (uint64_t)hy_config_int(cfg, "screen.rate_s") * NS;
    c->eps = (double)hy_config_int(cfg, "screen.eps_pm") / 1000;
    c->by_signature = !strcmp(hy_config_str(cfg, "screen.context"), "signature");
    c->min_members = (unsigned)hy_config_int(cfg, "screen.min_members");
    c->floor = (double)hy_config_int(cfg, "screen.floor_pm") / 1000;
    c->escalate = (double)hy_config_int(cfg, "screen.escalate_pm") / 1000;
    c->taint_ns = (uint64_t)hy_config_int(cfg, "screen.taint_s") * NS;
    c->pos_weight = (double)hy_config_int(cfg, "screen.pos_weight");
    c->model_high = (double)hy_config_int(cfg, "screen.model_high_pm") / 1000;
    c->model_low = (double)hy_config_int(cfg, "screen.model_low_pm") / 1000;
    c->new_pair_ns = (uint64_t)hy_config_int(cfg, "screen.new_pair_s") * NS;
    c->routine_ns = (uint64_t)hy_config_int(cfg, "screen.routine_s") * NS;
    c->vouch = hy_config_bool(cfg, "screen.vouch");
    c->warmup = (unsigned)hy_config_int(cfg, "screen.warmup");
    c->refit_ns = (uint64_t)hy_config_int(cfg, "screen.refit_s") * NS;
    hy_err e = nets_from(cfg, "screen.critical", c->critical, &c->n_critical, true);
    if (e == HY_OK)
        e = nets_from(cfg, "screen.home", c->home, &c->n_home, false);
    return e;
}

const char *hy_screen_decision_name(hy_screen_decision d)
{
    switch (d) {
    case HY_SCREEN_ESCALATE: return "escalate";
    case HY_SCREEN_REVIEW: return "needs-review";
    case HY_SCREEN_CLOSED: return "auto-closed";
    }
    return "?";
}

const char *hy_screen_feature_names(void)
{
    return HY_SCREEN_FEATURE_NAMES;
}
