/* hayate: the ATT&CK sentence classifier of the intel engine
 * (lib/engines/intel/attack_*.c): which technique, if any, a sentence of a
 * threat report describes, with a calibrated probability.
 *
 * Model: TF-IDF over hashed words, word bigrams and character 3..5-grams
 * (tfidf.h), then one-vs-rest L2-regularised linear models trained with
 * liblinear (linear.h; squared-hinge SVM by default, logistic regression
 * as an option), then temperature scaling: the probabilities are
 * softmax(z / T) of the decision values z, T fitted on held-out decision
 * values. Training chooses C (and optionally the class-weight exponent and
 * whether to use augmentation rows) by report-grouped inner
 * cross-validation on its own rows (no report is on both sides of an inner
 * split), and fits T on those out-of-fold values.
 * One class is "none" (HY_ATTACK_NONE): a sentence that describes none of
 * the model's techniques.
 *
 * Data: MITRE's TRAM 2 training data (tram/): single_label.json (labelled
 * sentences with their report's title), bootstrap-training-data.json
 * (sentences from ATT&CK procedure examples) and reports/ *.mjson (reports
 * annotated in the MITRE Annotation Toolkit's JSON form). The loaders take
 * untrusted input (caps below; HY_ERR_FORMAT naming the file and the fault)
 * and have in-memory entry points for fuzzing.
 *
 * The model file (hy_attack_model_save), version 1, little-endian:
 *   "HYATTACK" (8 bytes), u32 version (1), u32 flags (0),
 *   u32 classes (2..HY_ATTACK_MAX_CLASSES), per class u8 length (1..15) and
 *   its name ("none" or a technique id; letters, digits, '.', '_', '-'),
 *   f64 temperature (0.01..100), f64 C, f64 class-weight exponent,
 *   u32 augmented (0/1), u32 inner folds, u64 training rows, f64 inner
 *   micro-F1 (techniques only),
 *   the TF-IDF section (hy_tfidf_save), the linear section (hy_linear_save;
 *   same classes, columns = TF-IDF features),
 *   u32 MurmurHash3_x86_32 (seed 0x48594154) of every byte before it.
 * Nothing may follow. The file is at most HY_ATTACK_MAX_MODEL bytes. */
#ifndef HAYATE_ATTACK_H
#define HAYATE_ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "linear.h"
#include "tfidf.h"

#define HY_ATTACK_NONE          "none"
#define HY_ATTACK_MODEL_VERSION 1u
#define HY_ATTACK_MAX_MODEL     (64u << 20) /* bytes of a model file */
#define HY_ATTACK_MAX_CLASSES   1024u
#define HY_ATTACK_MAX_LABEL     15u         /* bytes of a class name */
#define HY_ATTACK_MAX_ROWS      2000000u    /* sentences held by one data set */
#define HY_ATTACK_MAX_GROUPS    100000u     /* reports held by one data set */
#define HY_ATTACK_MAX_TEXT      65536u      /* bytes of one training sentence */
#define HY_ATTACK_MAX_REPORT    (32u << 20) /* bytes of one TRAM JSON file */
#define HY_ATTACK_MAX_ANNOTS    1000000u    /* annotations walked in one report */
#define HY_ATTACK_NEG_MIN       20u         /* bytes of an unannotated sentence kept */
#define HY_ATTACK_NEG_MAX       1000u       /* ... and at most (longer: tables, code) */
#define HY_ATTACK_MAX_GRID      8u
#define HY_ATTACK_MAX_FOLDS     20u

/* ---- labelled sentences ---- */

typedef enum hy_attack_source {
    HY_ATTACK_SRC_SINGLE = 0,      /* single_label.json */
    HY_ATTACK_SRC_SPAN = 1,        /* a technique annotation of a report (.mjson) */
    HY_ATTACK_SRC_UNANNOTATED = 2, /* a report sentence overlapping no annotation: none */
    HY_ATTACK_SRC_BOOTSTRAP = 3,   /* bootstrap-training-data.json (training only) */
    HY_ATTACK_SRC_ATTACK = 4,      /* a sentence of an ATT&CK technique's description
                                      (training only) */
} hy_attack_source;

typedef struct hy_attack_row {
    char *text;
    size_t len;
    uint32_t label; /* index into labels */
    uint32_t group; /* index into groups */
    hy_attack_source source;
} hy_attack_row;

/* Sentences, their labels ("none" or a technique id, interned) and their
 * groups (a report, keyed by its title with blanks trimmed; bootstrap rows
 * are in the group "bootstrap"), with each report's full text when it was
 * loaded from a .mjson file. */
typedef struct hy_attack_data {
    hy_attack_row *rows;
    size_t n, cap;
    char **labels;
    size_t nlabels;
    char **groups;
    char **group_text; /* per group: the report's text, or NULL */
    size_t *group_len;
    size_t ngroups;
    struct hy_map *label_ix, *group_ix;
} hy_attack_data;

/* An empty data set. HY_ERR_NOMEM. */
hy_err hy_attack_data_create(hy_attack_data **out);
/* Frees d (NULL is fine). */
void hy_attack_data_free(hy_attack_data *d);

/* Adds a sentence (copied) with label ("none" or a technique id
 * T<4 digits>[.<3 digits>]) in group (a title, trimmed; NULL or empty:
 * "(untitled)"). HY_ERR_FORMAT for a bad label or text over
 * HY_ATTACK_MAX_TEXT, HY_ERR_TOOBIG past the caps, HY_ERR_NOMEM. */
hy_err hy_attack_data_add(hy_attack_data *d, const char *text, size_t len, const char *label,
                          const char *group, hy_attack_source src);

/* single_label.json from memory: a JSON array of objects with string
 * fields text, label and doc_title. name prefixes errors. */
hy_err hy_attack_parse_single_label(hy_attack_data *d, const char *name, const uint8_t *buf,
                                    size_t n);

/* bootstrap-training-data.json from memory: an object whose "sentences"
 * array holds objects with "text" and "mappings" ([{"attack_id": ...}]);
 * sentences with exactly one mapping are added (group "bootstrap"), with
 * "(Citation: ...)" parts removed. */
hy_err hy_attack_parse_bootstrap(hy_attack_data *d, const char *name, const uint8_t *buf, size_t n);

/* The sentences of the descriptions (and the names) of the ATT&CK
 * techniques in a STIX bundle (enterprise-attack.json) whose ids already
 * label a single_label row of d, as HY_ATTACK_SRC_ATTACK rows in the group
 * "attack" (citations, Markdown links and HTML tags removed; revoked and
 * deprecated techniques skipped). HY_ERR_FORMAT names what is wrong. */
hy_err hy_attack_parse_attack_descriptions(hy_attack_data *d, const char *name,
                                           const uint8_t *buf, size_t n);

/* A MITRE Annotation Toolkit report (.mjson) from memory: "signal" (the
 * text; its first line "title: ..." names the group, else name does) and
 * "asets" (annotation sets: "type" and "annots", a list of [start, end,
 * ...] in code points of the signal). A set whose type ends in
 * "(T1234)" or "(T1234.567)" is a technique; every annotation of it is
 * added as a SPAN row when spans is set. The signal is split into
 * sentences (line ends, and [.!?] then blanks then an upper-case letter,
 * digit, quote or parenthesis); each of HY_ATTACK_NEG_MIN..NEG_MAX bytes
 * and 4 or more words overlapping no annotation of any set but "zone",
 * "lex" and "SEGMENT" is added as an UNANNOTATED "none" row when
 * negatives is set. The text is kept as the group's text. */
hy_err hy_attack_parse_report(hy_attack_data *d, const char *name, const uint8_t *buf, size_t n,
                              bool spans, bool negatives);

/* What hy_attack_load_tram reads. */
#define HY_ATTACK_LOAD_SINGLE    1u /* single_label.json */
#define HY_ATTACK_LOAD_SPANS     2u /* technique spans of reports/ *.mjson */
#define HY_ATTACK_LOAD_NEGATIVES 4u /* unannotated sentences of reports/ *.mjson */
#define HY_ATTACK_LOAD_BOOTSTRAP 8u /* bootstrap-training-data.json */
#define HY_ATTACK_LOAD_ATTACK    16u /* ../attack/enterprise-attack-core.json descriptions */

/* Loads the parts of a TRAM data folder (single_label.json,
 * bootstrap-training-data.json, reports/ *.mjson in name order) named by
 * what into d. Reports are read (for their texts) whenever what is not
 * just SINGLE. Errors name the file. */
hy_err hy_attack_load_tram(const char *tram_dir, unsigned what, hy_attack_data *d);

/* ---- the classifier ---- */

typedef struct hy_attack_opts {
    hy_tfidf_opts tfidf;
    hy_linear_solver solver;
    double eps;                        /* liblinear's tolerance */
    double c_grid[HY_ATTACK_MAX_GRID]; /* C values tried */
    unsigned n_c;
    double cw_grid[HY_ATTACK_MAX_GRID]; /* class-weight exponents a tried: class c's
                                           weight is (rows / (classes * rows_c))^a */
    unsigned n_cw;
    unsigned aug_modes;   /* with augmentation rows given: bit 0 tries without them,
                             bit 1 with them (0: 3, both) */
    unsigned row_weight;  /* 1..4: with augmentation, each row of the set counts this
                             many times (liblinear has no row weights: the rows are
                             repeated), so in-domain rows outweigh augmentation rows */
    unsigned inner_folds; /* 2..HY_ATTACK_MAX_FOLDS; 0: no inner cross-validation (the
                             first grid values, temperature 1) */
    uint64_t seed;        /* inner folds */
    unsigned threads;     /* liblinear classes trained at once */
} hy_attack_opts;

/* TF-IDF defaults (tfidf.h) with 50,000 features at most, the SVM solver,
 * eps 0.01, C in {0.25, 0.5, 1, 2}, class-weight exponent 1 (balanced), with
 * augmentation (when given) and row weight 2, 3 inner folds, seed 1,
 * 2 threads. Chosen on a development subset of TRAM (docs: the protocol). */
void hy_attack_opts_default(hy_attack_opts *o);

/* A training set: n sentences with class labels (0..nclass-1) and group
 * ids (0..ngroups-1; the inner folds keep groups whole), optional group
 * texts (a report's whole text, used to keep augmentation rows that quote
 * a held-out report out of its inner training folds; NULL: the held-out
 * sentences are used), and optional augmentation rows (training only,
 * never validated). */
typedef struct hy_attack_set {
    size_t n;
    const char *const *text;
    const size_t *len;
    const uint32_t *label;
    const uint32_t *group;
    size_t ngroups;
    const char *const *group_text;
    const size_t *group_len;
    size_t nclass;
    const char *const *classes; /* names; at most one HY_ATTACK_NONE */
    size_t naug;
    const char *const *aug_text;
    const size_t *aug_len;
    const uint32_t *aug_label;
} hy_attack_set;

typedef struct hy_attack_model hy_attack_model;

/* How a model was made. */
typedef struct hy_attack_model_info {
    size_t classes, features, train_rows;
    double C, cw_power, temperature;
    bool augmented;
    unsigned inner_folds;
    double inner_micro_f1; /* techniques only, of the chosen settings */
    unsigned unconverged;  /* classes stopped at liblinear's iteration cap */
} hy_attack_model_info;

/* Trains a model on s with o (NULL: defaults). HY_ERR_ARG: NULL pointers,
 * bad options or set (labels, groups, class names), fewer than 2 classes
 * present; HY_ERR_NOMEM. Deterministic for o and s. */
hy_err hy_attack_model_train(const hy_attack_set *s, const hy_attack_opts *o,
                             hy_attack_model **out);

/* Frees m (NULL is fine). */
void hy_attack_model_free(hy_attack_model *m);

/* Its classes, the name of class i (NULL out of range), and its info. */
size_t hy_attack_model_classes(const hy_attack_model *m);
const char *hy_attack_model_class(const hy_attack_model *m, size_t i);
const hy_attack_model_info *hy_attack_model_info_get(const hy_attack_model *m);

/* One predicted class. */
typedef struct hy_attack_pred {
    uint32_t cls;     /* class index */
    const char *name; /* its name (owned by the model) */
    double prob;      /* calibrated probability */
} hy_attack_pred;

/* Classifies sentence s[0..len) (only its first HY_TFIDF_MAX_DOC bytes are
 * read): the k most probable classes, best first (ties: lower index), in
 * top[0..*nout), *nout = min(k, classes). Thread-safe on one model.
 * HY_ERR_ARG on NULLs, HY_ERR_NOMEM. */
hy_err hy_attack_model_predict(const hy_attack_model *m, const char *s, size_t len,
                               hy_attack_pred *top, size_t k, size_t *nout);

/* Every class's probability for s: calibrated into cal, and uncalibrated
 * (liblinear's one-vs-rest rule) into raw; either may be NULL; each has
 * hy_attack_model_classes(m) entries. */
hy_err hy_attack_model_proba(const hy_attack_model *m, const char *s, size_t len, double *raw,
                             double *cal);

/* Writes m to path atomically (temporary file, fsync, rename) in the
 * format at the top of this file. HY_ERR_IO naming the path. */
hy_err hy_attack_model_save(const hy_attack_model *m, const char *path);

/* The model in buf[0..n) (untrusted): HY_ERR_FORMAT or HY_ERR_TRUNCATED
 * whose detail starts with name and says what is wrong. */
hy_err hy_attack_model_parse(const char *name, const uint8_t *buf, size_t n, hy_attack_model **out);

/* The model file at path (at most HY_ATTACK_MAX_MODEL bytes). */
hy_err hy_attack_model_load(const char *path, hy_attack_model **out);

/* ---- evaluation on TRAM ----
 *
 * Protocol (hy_attack_eval_protocol prints it for given options):
 *  - Evaluated sentences: single_label.json (3,869 sentences, 49
 *    techniques, 110 reports); with report_negatives also every
 *    unannotated sentence of reports/ *.mjson (HY_ATTACK_NEG_MIN..NEG_MAX
 *    bytes, 4+ words, overlapping no annotation), labelled none.
 *  - Classes: techniques with >= min_support evaluated sentences (42 at
 *    20), plus none, which also takes the rarer techniques' sentences.
 *  - Folds: k folds grouped by report (doc_title = the report's title line):
 *    every sentence of a report, annotated or not, is in one fold.
 *  - Bootstrap sentences are training-only: repeats of evaluated sentences
 *    are removed, and per fold those quoting (8-word runs) a test report
 *    are dropped.
 *  - Settings (C, class-weight exponent, augmentation) are chosen and the
 *    temperature fitted inside each training fold (inner report-grouped
 *    cross-validation); the test fold is used only for scoring.
 *  - micro-F1 over all classes equals accuracy (one label per sentence);
 *    micro-F1 over techniques only excludes none as a class (a technique
 *    predicted for a none sentence is a false positive, a technique
 *    sentence predicted none a false negative), as NER scoring does. */

typedef struct hy_attack_eval_opts {
    hy_attack_opts model;
    unsigned folds;        /* outer folds, 2..HY_ATTACK_MAX_FOLDS */
    uint32_t min_support;  /* a technique with fewer sentences is relabelled none */
    bool report_negatives; /* add reports' unannotated sentences as none */
    bool bootstrap;        /* offer bootstrap sentences as training-only augmentation */
    bool attack_desc;      /* offer ATT&CK description sentences likewise */
    uint64_t seed;         /* outer folds */
} hy_attack_eval_opts;

/* The headline protocol: 5 folds, min_support 20, no report negatives,
 * bootstrap and ATT&CK-description augmentation on, seed 42, model options
 * hy_attack_opts_default.
 * The shipped model adds report_negatives. */
void hy_attack_eval_opts_default(hy_attack_eval_opts *o);

/* The shipped model's settings: the defaults with report_negatives, C 0.5
 * and class-weight exponent 0 (what the nested cross-validation with
 * report negatives chose in every fold), and 2 inner folds (for the
 * temperature only), so training takes well under a minute. */
void hy_attack_eval_opts_shipped(hy_attack_eval_opts *o);

typedef struct hy_attack_class_metrics {
    char name[HY_ATTACK_MAX_LABEL + 1];
    uint32_t support, predicted, correct;
    double precision, recall, f1;
} hy_attack_class_metrics;

typedef struct hy_attack_eval_result {
    unsigned folds;
    size_t sentences, reports; /* evaluated rows and their groups */
    size_t technique_sentences, none_sentences, relabelled_none, negatives;
    size_t aug_offered;           /* bootstrap rows offered for training */
    size_t aug_duplicates;        /* of the loaded ones, dropped as repeats of an evaluated row */
    size_t aug_dropped;           /* fold-drops (summed over folds) for quoting a test report */
    hy_attack_class_metrics *cls; /* per class, the model's class order */
    size_t ncls;
    double micro_f1_all;                              /* over all classes: equals accuracy */
    double micro_p_tech, micro_r_tech, micro_f1_tech; /* technique classes only */
    double macro_f1_all, macro_f1_tech;
    double ece_raw, ece_cal; /* top-label ECE, 15 equal-width bins */
    double nll_raw, nll_cal;
    double fold_micro_all[HY_ATTACK_MAX_FOLDS], fold_micro_tech[HY_ATTACK_MAX_FOLDS];
    double fold_c[HY_ATTACK_MAX_FOLDS], fold_cw[HY_ATTACK_MAX_FOLDS];
    double fold_t[HY_ATTACK_MAX_FOLDS];
    bool fold_aug[HY_ATTACK_MAX_FOLDS];
    size_t fold_test[HY_ATTACK_MAX_FOLDS];
    double seconds;
} hy_attack_eval_result;

/* Report-grouped k-fold cross-validation on the data of tram_dir, with the
 * protocol hy_attack_eval_protocol describes. *out is filled (free with
 * hy_attack_eval_result_free) on success. */
hy_err hy_attack_eval_tram(const char *tram_dir, const hy_attack_eval_opts *o,
                           hy_attack_eval_result *out);

/* The same on loaded data: non-bootstrap rows are evaluated, bootstrap rows
 * only offered for training. */
hy_err hy_attack_eval_data(const hy_attack_data *d, const hy_attack_eval_opts *o,
                           hy_attack_eval_result *out);

/* Frees what out holds. */
void hy_attack_eval_result_free(hy_attack_eval_result *r);

/* Appends a description of the evaluation protocol of o to out. */
hy_err hy_attack_eval_protocol(const hy_attack_eval_opts *o, hy_buf *out);

/* Appends r as text (summary lines, then a per-class table) to out. */
hy_err hy_attack_eval_format(const hy_attack_eval_result *r, hy_buf *out);

/* Trains the shipped model on all of tram_dir with o's data choices
 * (classes: techniques with min_support sentences, plus none). */
hy_err hy_attack_train_tram(const char *tram_dir, const hy_attack_eval_opts *o,
                            hy_attack_model **out);

#endif
