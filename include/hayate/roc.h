/* hayate: ranking quality of a binary scorer: ROC AUC and the detection
 * rate at a false-positive budget, the figures malware detection is
 * compared on (EMBER reports AUC and the detection rate at 0.1% and 1%
 * false positives). */
#ifndef HAYATE_ROC_H
#define HAYATE_ROC_H

#include <stddef.h>

#include "error.h"

/* Area under the ROC curve of score[] against labels (> 0.5 positive):
 * the Mann-Whitney statistic with tied scores counted as half. HY_ERR_ARG
 * when a class is missing, n is 0 or a score is not finite. */
hy_err hy_roc_auc(const double *score, const float *label, size_t n, double *auc);

/* The highest true-positive rate over thresholds whose false-positive rate
 * is at most fpr (a sample is positive when score >= threshold), and the
 * highest threshold reaching it (+inf when no threshold within the budget
 * catches a positive: tpr 0). */
hy_err hy_roc_tpr_at(const double *score, const float *label, size_t n, double fpr, double *tpr,
                     double *threshold);

#endif
