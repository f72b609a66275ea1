/* hy_store: thin dispatchers over a backend's table of operations. */
#include "hayate/store.h"

#define HY__STORE_CALL(s, op, ...)                                                   \
    do {                                                                             \
        if (!(s) || !(s)->ops)                                                       \
            return hy_err_set(HY_ERR_ARG, "store: NULL store");                      \
        if (!(s)->ops->op)                                                           \
            return hy_err_set(HY_ERR_UNSUPPORTED, "store %s: no " #op,               \
                              (s)->ops->backend ? (s)->ops->backend : "?");          \
        return (s)->ops->op((s), __VA_ARGS__);                                       \
    } while (0)

hy_err hy_store_begin_run(hy_store *s, const char *run_id, const char *info)
{
    HY__STORE_CALL(s, begin_run, run_id, info);
}

hy_err hy_store_end_run(hy_store *s, uint64_t ended_ns)
{
    HY__STORE_CALL(s, end_run, ended_ns);
}

hy_err hy_store_put_alerts(hy_store *s, hy_alert *const *a, size_t n)
{
    HY__STORE_CALL(s, put_alerts, a, n);
}

hy_err hy_store_put_flows(hy_store *s, const hy_flow *const *f, size_t n)
{
    HY__STORE_CALL(s, put_flows, f, n);
}

hy_err hy_store_put_series(hy_store *s, const hy_series_point *p, size_t n)
{
    HY__STORE_CALL(s, put_series, p, n);
}

hy_err hy_store_put_capture_stats(hy_store *s, const char *run_id, const hy_capture_stats *st)
{
    HY__STORE_CALL(s, put_capture_stats, run_id, st);
}

hy_err hy_store_query_alerts(hy_store *s, const hy_alert_filter *flt, hy_alert_cb cb, void *ud)
{
    HY__STORE_CALL(s, query_alerts, flt, cb, ud);
}

hy_err hy_store_count(hy_store *s, const char *table, uint64_t *n)
{
    HY__STORE_CALL(s, count, table, n);
}

hy_err hy_store_put_feedback(hy_store *s, const hy_feedback *f)
{
    HY__STORE_CALL(s, put_feedback, f);
}

hy_err hy_store_query_eve(hy_store *s, const hy_alert_filter *flt, hy_alert_eve_cb cb, void *ud)
{
    HY__STORE_CALL(s, query_eve, flt, cb, ud);
}

hy_err hy_store_query_feedback(hy_store *s, const char *alert_id, hy_feedback_cb cb, void *ud)
{
    HY__STORE_CALL(s, query_feedback, alert_id, cb, ud);
}

hy_err hy_store_query_series(hy_store *s, const hy_series_filter *f, hy_series_cb cb, void *ud)
{
    HY__STORE_CALL(s, query_series, f, cb, ud);
}

hy_err hy_store_put_samples(hy_store *s, const hy_sample *const *v, size_t n)
{
    HY__STORE_CALL(s, put_samples, v, n);
}

hy_err hy_store_query_samples(hy_store *s, const hy_sample_filter *f, hy_sample_cb cb,
                              void *ud)
{
    HY__STORE_CALL(s, query_samples, f, cb, ud);
}

hy_err hy_store_put_reports(hy_store *s, const hy_intel_record *const *v, size_t n)
{
    HY__STORE_CALL(s, put_reports, v, n);
}

hy_err hy_store_query_reports(hy_store *s, const hy_report_filter *f, hy_report_cb cb,
                              void *ud)
{
    HY__STORE_CALL(s, query_reports, f, cb, ud);
}

hy_err hy_store_query_iocs(hy_store *s, const char *report_id, bool with_noise,
                           hy_report_ioc_cb cb, void *ud)
{
    HY__STORE_CALL(s, query_iocs, report_id, with_noise, cb, ud);
}

void hy_store_close(hy_store *s)
{
    if (s && s->ops && s->ops->close)
        s->ops->close(s);
}
