/* A parsed alert that outlives its parser's next call: every string copied
 * into one buffer. */
#include <string.h>

#include "hayate/alertin.h"
#include "hayate/buf.h"

/* Every hy_str member of hy_alert_in, in one list. */
#define HY__ALERTIN_STRS(X)                                                                  \
    X(signature) X(category) X(action) X(app_proto) X(in_iface) X(http_host) X(http_url)    \
    X(http_method) X(http_user_agent) X(dns_rrname) X(dns_rrtype) X(tls_sni)                 \
    X(tls_subject) X(tls_issuer) X(tls_version) X(tls_ja3) X(hy_engine) X(hy_kind) X(hy_id) \
    X(raw)

hy_err hy_alertin_copy(hy_alert_in *dst, hy_buf *store, const hy_alert_in *src)
{
    size_t at[32], k = 0;
    hy_err rc = HY_OK;
    hy_buf_reset(store);
#define ADD(f)                                                                               \
    at[k++] = store->len;                                                                    \
    if (rc == HY_OK && src->f.n)                                                             \
        rc = hy_buf_add(store, src->f.p, src->f.n);
    HY__ALERTIN_STRS(ADD)
#undef ADD
    if (rc != HY_OK)
        return rc;
    *dst = *src;
    k = 0;
#define POINT(f) dst->f = (hy_str){store->data ? store->data + at[k++] : "", src->f.n};
    HY__ALERTIN_STRS(POINT)
#undef POINT
    return HY_OK;
}
