/* hayate internal: the screen engine's side of the feedback loop
 * (docs/MODELS.md, docs/screen.md "Learning from verdicts"). */
#ifndef HAYATE_SCREEN_LEARN_H
#define HAYATE_SCREEN_LEARN_H

#include "engines/screen/screen_int.h"
#include "hayate/alert.h"

/* Features stored by screen.alert alerts before pair_age, src_age and
 * dst_age were added; the rest are missing (NaN) for them. */
#define SCR_FEATURES_V1 20
/* The meaning of the stored features, written as evidence.features_v: 3
 * since host pairs include the service an alert names (2026-11-27); alerts
 * stored before carry none, and their pair features (pair_rate, pair_age),
 * counted by addresses alone, become missing (NaN) in training rows. */
#define SCR_FEATURES_VERSION 3
/* A training row: the alert's cluster, endpoints, time and signature
 * (hy_alert_in.sig_key, 16 hex digits; 0 for alerts stored before
 * 2026-11-28, which carry none), then the features. Training sets of the
 * earlier form (no sig column) are still read. */
#define HY_SCREEN_FEATURE_SPEC "cluster,ip_version,src,dst,time_ns,sig," HY_SCREEN_FEATURE_NAMES

/* What hayate train screen learnt: verdicts per cluster, hosts judged
 * compromised, (source, signature) pairs judged benign (vouched), and a
 * supervised model (bytes; none with one class). */
typedef struct scr_model scr_model;

/* One screen.alert's training columns (HY_SCREEN_FEATURE_SPEC) from its
 * evidence. HY_ERR_UNSUPPORTED for other alerts. */
hy_err hy__scr_features(const hy_alert *a, hy_buf *row);

/* Reads a training set (hayate dataset build screen) and writes the model
 * file (JSON, atomically); metrics gets what was learnt. HY_ERR_FORMAT
 * names the bad line. */
hy_err hy__scr_train(const hy_screen_cfg *c, const char *dataset, const char *model_out,
                     hy_buf *metrics);

/* Loads a model file, checked strictly. HY_ERR_FORMAT names what is wrong. */
hy_err hy__scr_model_load(const char *path, scr_model **out);

/* Gives s the model's verdicts, compromised hosts, vouched sources and
 * supervised model. */
hy_err hy__scr_model_apply(const scr_model *m, hy_screen *s);

void hy__scr_model_free(scr_model *m);

#endif
