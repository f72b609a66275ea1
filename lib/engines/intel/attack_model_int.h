/* Internal to the ATT&CK sentence classifier (lib/engines/intel/attack_*.c). */
#ifndef HY_ENGINES_INTEL_ATTACK_MODEL_INT_H
#define HY_ENGINES_INTEL_ATTACK_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hayate/attack.h"

/* Assigns each of ngroups groups a fold 0..k-1 in fold_of_group, keeping
 * groups whole: groups go, largest first (ties in a seeded order), to the
 * fold where the classes of their rows are least represented so far,
 * relative to each class's total, with fold size counted as one more
 * class (best-effort stratification). Deterministic. Rows give label[i]
 * < nclass and group[i] < ngroups. HY_ERR_ARG, HY_ERR_NOMEM (attack_split.c). */
hy_err at_group_folds(const uint32_t *label, const uint32_t *group, size_t n, size_t ngroups,
                      size_t nclass, unsigned k, uint64_t seed, uint8_t *fold_of_group);

/* Word shingles of texts, to tell whether a training-only sentence quotes
 * one of them (attack_split.c). */
typedef struct at_shingles at_shingles;

/* The shingles (hashes of 4..8 consecutive lowercase words) of n texts. */
hy_err at_shingles_build(const char *const *text, const size_t *len, size_t n, at_shingles **out);
/* Whether text quotes the shingled texts: one of its 8-word runs (all of
 * it, when it has 4..7 words) occurs in them. A text of fewer than 4 words
 * counts as quoting (it cannot be told apart). */
bool at_shingles_hit(const at_shingles *s, const char *text, size_t len);
void at_shingles_free(at_shingles *s);

/* Micro-F1 over the technique classes only (every class but none; none
 * < 0: all classes): a true positive is a row predicted as its own
 * technique; predicting a technique for another class's row is a false
 * positive, and a technique row predicted otherwise a false negative
 * (attack_eval.c). */
double at_micro_f1_tech(const uint32_t *y, const uint32_t *pred, size_t n, long none);

/* The classifier (attack_model.c trains and uses it, attack_file.c reads
 * and writes it). */
struct hy_attack_model {
    char **classes;
    size_t nclass;
    hy_tfidf *tf;
    hy_linear *lin;
    hy_attack_model_info info;
};

/* Whether s is a class name a model may hold: 1..HY_ATTACK_MAX_LABEL of
 * letters, digits, '.', '_', '-' (attack_model.c). */
bool at_class_name_ok(const char *s);

/* Checks that label is "none" or T<4 digits>[.<3 digits>] (attack_data.c). */
bool at_label_ok(const char *label, size_t n);

#endif
