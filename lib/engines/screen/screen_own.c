/* hayate's own alerts, screened where they leave the pipeline (the sink,
 * in final order): each gets the same screen{} object as an external alert,
 * inside its evidence. */
#include <stdlib.h>
#include <string.h>

#include "engines/screen/screen_int.h"
#include "hayate/alert.h"
#include "hayate/json.h"

static void to_alert_in(const hy_alert *a, hy_alert_in *in)
{
    memset(in, 0, sizeof *in);
    in->fmt = HY_ALERTIN_HAYATE;
    in->ts_ns = a->time_ns;
    in->sig_key = hy_alertin_kind_key(a->kind, strlen(a->kind));
    in->gid = 1;
    in->severity = a->severity;
    in->signature = (hy_str){a->title ? a->title : "", a->title ? (uint32_t)strlen(a->title) : 0};
    in->hy_engine = (hy_str){a->engine, (uint32_t)strlen(a->engine)};
    in->hy_kind = (hy_str){a->kind, (uint32_t)strlen(a->kind)};
    in->category = in->action = in->app_proto = in->in_iface = (hy_str){"", 0};
    in->hy_score = a->score;
    if (a->ip_version == 4 || a->ip_version == 6) {
        in->ip_version = a->ip_version;
        memcpy(in->src, a->src, 16);
        memcpy(in->dst, a->dst, 16);
        in->sport = a->sport;
        in->dport = a->dport;
        in->proto = a->proto;
    }
}

hy_err hy_screen_annotate(hy_screen *s, hy_alert *a)
{
    hy_alert_in in;
    hy_screen_result r;
    hy_buf b;
    hy_json j;
    if (!s || !a || !a->evidence)
        return hy_err_set(HY_ERR_ARG, "screen: annotate needs a screener and an alert");
    hy_buf_init(&b, strlen(a->evidence) + 4096);
    hy_err rc = hy_json_extend(&j, &b, a->evidence, strlen(a->evidence));
    if (rc != HY_OK) /* refused before it counts in the screener's context */
        rc = hy_err_set(rc, "alert %s: evidence: %s", a->id, hy_err_detail());
    if (rc == HY_OK) {
        to_alert_in(a, &in);
        rc = hy_screen_alert(s, &in, &r);
    }
    if (rc != HY_OK) {
        hy_buf_free(&b);
        return rc;
    }
    hy_json_key(&j, "screen");
    hy_json_obj_open(&j);
    hy_screen_result_json(&j, &r);
    hy_json_obj_close(&j);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) == HY_OK)
        rc = hy_alert_set_evidence(a, b.data);
    hy_buf_free(&b);
    return rc;
}
