/*
 * src/algo/classifier.c - NuPIC's SDR classifier, bit-exact with nupic.core.
 *
 * State layout: one dense weight matrix per prediction step, inputs by
 * buckets, row-major with a row stride (the buckets' capacity) so that a
 * new bucket rarely moves the weights; cells beyond the used rows and
 * columns are always zero, as nupic.core's resized matrices are.  The
 * pattern history is a ring of at most maxSteps slots, each keeping its
 * buffer for reuse.
 *
 * Arithmetic follows nupic.core (SDRClassifier.cpp, DenseMatrix.hpp,
 * ArrayAlgo.hpp) operation by operation, in double: likelihoods summed row
 * by row in pattern order, nupic.core's softmax (see softmax()), errors
 * (-l) + t, weights w + alpha * e zeroed when |w| <= (double)1e-6f, actual
 * values (1 - a) * old + a * new.  The library is compiled without
 * contraction into fused multiply-adds.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/classifier.h>

#include "persist.h"

#define CLASSIFIER_VERSION 1
/* nupic.core's DenseMatrix::threshold(row, nupic::Epsilon): the epsilon is
 * a float (1e-6f) widened to double. */
#define WEIGHT_EPSILON ((double)1e-6f)

typedef struct hist_slot {
    uint32_t record;
    uint32_t len, cap;
    uint32_t *idx;
} hist_slot;

struct nupic_classifier {
    uint32_t num_steps;
    uint32_t steps[NUPIC_CLASSIFIER_MAX_STEPS]; /* ascending */
    double alpha, act_value_alpha;
    uint32_t max_steps; /* steps[num_steps - 1] + 1 */
    uint32_t version, verbosity;

    /* The history, oldest first: hist_len slots from hist_head, in a ring of
     * hist_cap slots (at most max_steps). */
    hist_slot *hist;
    uint32_t hist_cap, hist_len, hist_head;

    uint32_t max_input, max_bucket;
    /* Weights of step k: w[k][input * stride + bucket]; row_cap rows. */
    double *w[NUPIC_CLASSIFIER_MAX_STEPS];
    uint32_t row_cap, stride;
    /* Actual values and whether they are set, stride entries. */
    double *act;
    bool *act_set;

    /* The last inference: num_steps + 1 vectors of result_n values (the
     * actual values, then each step's probabilities). */
    bool has_result;
    uint32_t result_n;
    double *result;
    size_t result_cap; /* values */
    /* Learning's scratch: likelihoods and targets, stride entries each. */
    double *scratch;
};

/* ------------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------------ */

void nupic_classifier_params_default(nupic_classifier_params *p) {
    memset(p, 0, sizeof *p);
    p->steps[0] = 1;
    p->num_steps = 1;
    p->alpha = 0.001;
    p->act_value_alpha = 0.3;
    p->verbosity = 0;
}

static nupic_status bad(nupic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static nupic_status bad(nupic_error *err, const char *fmt, ...) {
    char msg[NUPIC_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nupic_error_set(err, NUPIC_ERR_PARAM, "SDRClassifier: %s", msg);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Checks the parameters and writes the sorted steps to sorted[]. */
static nupic_status validate(const nupic_classifier_params *p, uint32_t *sorted,
                             nupic_error *err) {
    if (p->num_steps < 1 || p->num_steps > NUPIC_CLASSIFIER_MAX_STEPS)
        return bad(err, "%u steps; 1 to %d are supported", p->num_steps,
                   NUPIC_CLASSIFIER_MAX_STEPS);
    for (uint32_t i = 0; i < p->num_steps; i++)
        if (p->steps[i] > NUPIC_CLASSIFIER_MAX_STEP)
            return bad(err, "steps[%u] is %u; steps are 0 to %u", i,
                       p->steps[i], NUPIC_CLASSIFIER_MAX_STEP);
    memcpy(sorted, p->steps, p->num_steps * sizeof *sorted);
    qsort(sorted, p->num_steps, sizeof *sorted, cmp_u32);
    for (uint32_t i = 1; i < p->num_steps; i++)
        if (sorted[i] == sorted[i - 1])
            return bad(err, "step %u is given twice", sorted[i]);
    if (!isfinite(p->alpha))
        return bad(err, "alpha is %g, not a finite number", p->alpha);
    if (!isfinite(p->act_value_alpha))
        return bad(err, "actValueAlpha is %g, not a finite number",
                   p->act_value_alpha);
    if (p->verbosity > 255)
        return bad(err, "verbosity is %u; at most 255", p->verbosity);
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Construction and storage
 * ------------------------------------------------------------------------ */

void nupic_classifier_free(nupic_classifier *c) {
    if (c == NULL) return;
    for (uint32_t i = 0; i < c->hist_cap; i++)
        free(c->hist[i].idx);
    free(c->hist);
    for (uint32_t k = 0; k < NUPIC_CLASSIFIER_MAX_STEPS; k++)
        free(c->w[k]);
    free(c->act);
    free(c->act_set);
    free(c->result);
    free(c->scratch);
    free(c);
}

static nupic_status nomem(nupic_error *err, const char *what, uint64_t n) {
    return nupic_error_set(err, NUPIC_ERR_NOMEM,
                           "SDRClassifier: cannot allocate %s (%llu values)",
                           what, (unsigned long long)n);
}

/* Whether rows x cols weights exceed the limit (each factor is at most
 * 2^32, so the product is only formed once both are small). */
static bool too_many_weights(uint64_t rows, uint64_t cols) {
    return rows > NUPIC_CLASSIFIER_MAX_WEIGHTS ||
           cols > NUPIC_CLASSIFIER_MAX_WEIGHTS ||
           rows * cols > NUPIC_CLASSIFIER_MAX_WEIGHTS;
}

/* Grows the weights (and the arrays sized by buckets) to hold rows x cols;
 * the contents stay, the new cells are zero.  Either everything grows or
 * nothing changes. */
static nupic_status reserve_weights(nupic_classifier *c, uint64_t rows,
                                    uint64_t cols, nupic_error *err) {
    if (rows <= c->row_cap && cols <= c->stride) return NUPIC_OK;
    uint64_t rcap = c->row_cap, stride = c->stride;
    if (rows > rcap) rcap = rows > rcap + rcap / 2 ? rows : rcap + rcap / 2;
    /* Rows are read whole for every active bit: a quarter more room, in
     * whole cache lines, keeps them short and moves them rarely. */
    if (cols > stride) {
        stride += stride / 4;
        if (cols > stride) stride = cols;
        stride = (stride + 7) & ~(uint64_t)7;
    }
    /* Spare capacity only while it stays within twice the limit. */
    if (rcap * stride > 2 * NUPIC_CLASSIFIER_MAX_WEIGHTS) {
        rcap = rows > c->row_cap ? rows : c->row_cap;
        stride = cols > c->stride ? cols : c->stride;
    }
    uint64_t cells = rcap * stride;
    if (cells > SIZE_MAX / sizeof(double)) return nomem(err, "weights", cells);
    double *nw[NUPIC_CLASSIFIER_MAX_STEPS] = {0};
    double *act = NULL, *scratch = NULL;
    bool *act_set = NULL;
    bool ok = true;
    for (uint32_t k = 0; k < c->num_steps && ok; k++)
        ok = (nw[k] = calloc((size_t)cells, sizeof(double))) != NULL;
    if (ok && stride > c->stride) {
        act = calloc((size_t)stride, sizeof *act);
        act_set = calloc((size_t)stride, sizeof *act_set);
        scratch = calloc((size_t)stride * 2, sizeof *scratch);
        ok = act && act_set && scratch;
    }
    if (!ok) {
        for (uint32_t k = 0; k < c->num_steps; k++)
            free(nw[k]);
        free(act);
        free(act_set);
        free(scratch);
        return nomem(err, "weights", cells * c->num_steps);
    }
    uint32_t used_rows = c->max_input + 1, used_cols = c->max_bucket + 1;
    for (uint32_t k = 0; k < c->num_steps; k++) {
        if (c->w[k] != NULL)
            for (uint32_t r = 0; r < used_rows; r++)
                memcpy(nw[k] + (size_t)r * stride,
                       c->w[k] + (size_t)r * c->stride,
                       used_cols * sizeof(double));
        free(c->w[k]);
        c->w[k] = nw[k];
    }
    if (act != NULL) {
        if (c->act != NULL) {
            memcpy(act, c->act, used_cols * sizeof *act);
            memcpy(act_set, c->act_set, used_cols * sizeof *act_set);
        }
        free(c->act);
        free(c->act_set);
        free(c->scratch);
        c->act = act;
        c->act_set = act_set;
        c->scratch = scratch;
    }
    c->row_cap = (uint32_t)rcap;
    c->stride = (uint32_t)stride;
    return NUPIC_OK;
}

/* Makes room for the result of an inference over n buckets. */
static nupic_status reserve_result(nupic_classifier *c, uint32_t n,
                                   nupic_error *err) {
    size_t need = (size_t)(c->num_steps + 1) * n;
    if (need <= c->result_cap) return NUPIC_OK;
    double *r = realloc(c->result, need * sizeof *r);
    if (r == NULL) return nomem(err, "the inference", need);
    c->result = r;
    c->result_cap = need;
    return NUPIC_OK;
}

static hist_slot *hist_at(const nupic_classifier *c, uint32_t i) {
    return &c->hist[(c->hist_head + i) % c->hist_cap];
}

/* The slot the next new record goes to (after dropping the oldest when the
 * history is full), growing the ring if needed; its buffer holds n. */
static nupic_status reserve_history(nupic_classifier *c, size_t n,
                                    hist_slot **out, nupic_error *err) {
    if (c->hist_len < c->max_steps && c->hist_len == c->hist_cap) {
        uint64_t cap = (uint64_t)c->hist_cap * 2;
        if (cap < 4) cap = 4;
        if (cap > c->max_steps) cap = c->max_steps;
        hist_slot *h = calloc((size_t)cap, sizeof *h);
        if (h == NULL) return nomem(err, "the history", cap);
        for (uint32_t i = 0; i < c->hist_cap; i++)
            h[i] = *hist_at(c, i);
        free(c->hist);
        c->hist = h;
        c->hist_head = 0;
        c->hist_cap = (uint32_t)cap;
    }
    hist_slot *s =
        c->hist_len == c->max_steps ? hist_at(c, 0) : hist_at(c, c->hist_len);
    if (n > s->cap) {
        uint32_t *p = realloc(s->idx, n * sizeof *p);
        if (p == NULL) return nomem(err, "a pattern", n);
        s->idx = p;
        s->cap = (uint32_t)n;
    }
    *out = s;
    return NUPIC_OK;
}

static nupic_classifier *alloc_classifier(nupic_error *err) {
    nupic_classifier *c = calloc(1, sizeof *c);
    if (c == NULL)
        nupic_error_set(err, NUPIC_ERR_NOMEM, "SDRClassifier: out of memory");
    return c;
}

nupic_status nupic_classifier_new(const nupic_classifier_params *p,
                                  nupic_classifier **out, nupic_error *err) {
    if (out == NULL || p == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_classifier_new: NULL argument");
    *out = NULL;
    uint32_t sorted[NUPIC_CLASSIFIER_MAX_STEPS];
    nupic_status st = validate(p, sorted, err);
    if (st != NUPIC_OK) return st;
    nupic_classifier *c = alloc_classifier(err);
    if (c == NULL) return NUPIC_ERR_NOMEM;
    c->num_steps = p->num_steps;
    memcpy(c->steps, sorted, sizeof sorted);
    c->alpha = p->alpha;
    c->act_value_alpha = p->act_value_alpha;
    c->max_steps = sorted[p->num_steps - 1] + 1;
    c->version = CLASSIFIER_VERSION;
    c->verbosity = p->verbosity;
    /* nupic.core starts with one input, one bucket, and an actual value
     * 0 that is not set. */
    st = reserve_weights(c, 1, 1, err);
    if (st != NUPIC_OK) {
        nupic_classifier_free(c);
        return st;
    }
    *out = c;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Computing (nupic.core's SDRClassifier::compute, infer_, calculateError_,
 * softmax_)
 * ------------------------------------------------------------------------ */

/* nupic.core's softmax_: it subtracts *max_element from each value in
 * turn, reading the maximum through its iterator, so once the maximum's
 * own place is reached (it becomes 0) the values after it are left as they
 * are; then exp, a left-to-right sum from 0.0, and a division. */
static void softmax(double *v, uint32_t n) {
    uint32_t m = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[m] < v[i]) m = i;
    for (uint32_t i = 0; i < n; i++)
        v[i] -= v[m];
    for (uint32_t i = 0; i < n; i++)
        v[i] = exp(v[i]);
    double sum = 0.0;
    for (uint32_t i = 0; i < n; i++)
        sum += v[i];
    for (uint32_t i = 0; i < n; i++)
        v[i] /= sum;
}

/* The softmax of the summed weight rows of a pattern. */
static void likelihoods(const nupic_classifier *c, uint32_t k,
                        const uint32_t *pattern, size_t n, double *v,
                        uint32_t cols) {
    for (uint32_t b = 0; b < cols; b++)
        v[b] = 0.0;
    const double *w = c->w[k];
    for (size_t i = 0; i < n; i++) {
        const double *row = w + (size_t)pattern[i] * c->stride;
        for (uint32_t b = 0; b < cols; b++)
            v[b] += row[b];
    }
    softmax(v, cols);
}

static void infer(nupic_classifier *c, const uint32_t *pattern, size_t n,
                  const double *act_value, size_t num_classes) {
    uint32_t cols = c->max_bucket + 1;
    double *actual = c->result;
    /* A bucket not seen yet reports any value (its probability is 0 after
     * enough learning): the record's actual value, or 0 for 0-step
     * prediction (nupic.core; NuPIC also uses 0 without a
     * classification). */
    double unseen = c->steps[0] == 0 || num_classes == 0 ? 0.0 : act_value[0];
    for (uint32_t b = 0; b < cols; b++)
        actual[b] = c->act_set[b] ? c->act[b] : unseen;
    for (uint32_t k = 0; k < c->num_steps; k++)
        likelihoods(c, k, pattern, n, c->result + (size_t)(k + 1) * cols, cols);
    c->result_n = cols;
    c->has_result = true;
}

static int step_index(const nupic_classifier *c, uint64_t steps) {
    for (uint32_t k = 0; k < c->num_steps; k++)
        if (c->steps[k] == steps) return (int)k;
    return -1;
}

static void learn(nupic_classifier *c, uint32_t record_num,
                  const uint32_t *bucket_idx, const double *act_value,
                  size_t num_classes, bool category) {
    for (size_t i = 0; i < num_classes; i++) {
        uint32_t b = bucket_idx[i];
        if (b > c->max_bucket) c->max_bucket = b; /* new cells are 0 */
        if (!c->act_set[b] || category) {
            c->act[b] = act_value[i];
            c->act_set[b] = true;
        } else {
            c->act[b] = ((1.0 - c->act_value_alpha) * c->act[b]) +
                        (c->act_value_alpha * act_value[i]);
        }
    }
    uint32_t cols = c->max_bucket + 1;
    double *err = c->scratch, *target = c->scratch + c->stride;
    for (uint32_t h = 0; h < c->hist_len; h++) {
        const hist_slot *s = hist_at(c, h);
        int k = step_index(c, (uint64_t)record_num - s->record);
        if (k < 0) continue;
        likelihoods(c, (uint32_t)k, s->idx, s->len, err, cols);
        for (uint32_t b = 0; b < cols; b++)
            target[b] = 0.0;
        if (num_classes > 0) {
            double share = 1.0 / (double)num_classes;
            for (size_t i = 0; i < num_classes; i++)
                target[bucket_idx[i]] = share;
        }
        for (uint32_t b = 0; b < cols; b++)
            err[b] = (-1.0 * err[b]) + (1.0 * target[b]);
        double *w = c->w[k];
        for (uint32_t i = 0; i < s->len; i++) {
            double *row = w + (size_t)s->idx[i] * c->stride;
            for (uint32_t b = 0; b < cols; b++) {
                double x = row[b] + c->alpha * err[b];
                row[b] = fabs(x) <= WEIGHT_EPSILON ? 0.0 : x;
            }
        }
    }
}

nupic_status nupic_classifier_compute(
    nupic_classifier *c, uint32_t record_num, const uint32_t *pattern, size_t n,
    const uint32_t *bucket_idx, const double *act_value, size_t num_classes,
    bool category, bool learn_on, bool infer_on, nupic_error *err) {
    if (c == NULL || (n > 0 && pattern == NULL) ||
        (num_classes > 0 && (bucket_idx == NULL || act_value == NULL)))
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_classifier_compute: NULL argument");
    if (n > UINT32_MAX)
        return nupic_error_set(err, NUPIC_ERR_TOO_LARGE,
                               "SDRClassifier: a pattern of %zu bits (at most "
                               "2^32-1)",
                               n);
    bool new_record = true;
    if (c->hist_len > 0) {
        uint32_t last = hist_at(c, c->hist_len - 1)->record;
        if (record_num < last)
            return nupic_error_set(err, NUPIC_ERR_ARG,
                                   "SDRClassifier: record number %u is below "
                                   "the previous one (%u); record numbers "
                                   "must not decrease",
                                   record_num, last);
        new_record = record_num > last;
    }
    uint32_t max_input = c->max_input, max_bucket = c->max_bucket;
    for (size_t i = 0; i < n; i++)
        if (pattern[i] > max_input) max_input = pattern[i];
    if (learn_on)
        for (size_t i = 0; i < num_classes; i++)
            if (bucket_idx[i] > max_bucket) max_bucket = bucket_idx[i];
    uint64_t rows = (uint64_t)max_input + 1, cols = (uint64_t)max_bucket + 1;
    if (too_many_weights(rows, cols))
        return nupic_error_set(
            err, NUPIC_ERR_TOO_LARGE,
            "SDRClassifier: input index %u and bucket index %u need %llu x "
            "%llu weights per step (at most %llu)",
            max_input, max_bucket, (unsigned long long)rows,
            (unsigned long long)cols,
            (unsigned long long)NUPIC_CLASSIFIER_MAX_WEIGHTS);
    /* Everything that can fail comes first, and only adds capacity. */
    hist_slot *slot = NULL;
    nupic_status st = NUPIC_OK;
    if (new_record) st = reserve_history(c, n, &slot, err);
    if (st == NUPIC_OK) st = reserve_weights(c, rows, cols, err);
    if (st == NUPIC_OK && infer_on)
        st = reserve_result(c, c->max_bucket + 1, err);
    if (st != NUPIC_OK) return st;

    if (new_record) {
        if (c->hist_len == c->max_steps) {
            c->hist_head = (c->hist_head + 1) % c->hist_cap;
            c->hist_len--;
        }
        slot->record = record_num;
        slot->len = (uint32_t)n;
        if (n > 0) memcpy(slot->idx, pattern, n * sizeof *pattern);
        c->hist_len++;
    }
    c->max_input = max_input;
    if (infer_on) infer(c, pattern, n, act_value, num_classes);
    if (learn_on)
        learn(c, record_num, bucket_idx, act_value, num_classes, category);
    return NUPIC_OK;
}

const double *nupic_classifier_probabilities(const nupic_classifier *c,
                                             uint32_t step, size_t *n) {
    int k = c->has_result ? step_index(c, step) : -1;
    if (n) *n = k < 0 ? 0 : c->result_n;
    return k < 0 ? NULL : c->result + (size_t)(k + 1) * c->result_n;
}

const double *nupic_classifier_actual_values(const nupic_classifier *c,
                                             size_t *n) {
    if (n) *n = c->has_result ? c->result_n : 0;
    return c->has_result ? c->result : NULL;
}

/* ------------------------------------------------------------------------
 * Accessors and equality
 * ------------------------------------------------------------------------ */

void nupic_classifier_get_params(const nupic_classifier *c,
                                 nupic_classifier_params *p) {
    memset(p, 0, sizeof *p);
    memcpy(p->steps, c->steps, c->num_steps * sizeof *p->steps);
    p->num_steps = c->num_steps;
    p->alpha = c->alpha;
    p->act_value_alpha = c->act_value_alpha;
    p->verbosity = c->verbosity;
}

uint32_t nupic_classifier_max_input_idx(const nupic_classifier *c) {
    return c->max_input;
}
uint32_t nupic_classifier_max_bucket_idx(const nupic_classifier *c) {
    return c->max_bucket;
}
uint32_t nupic_classifier_history_len(const nupic_classifier *c) {
    return c->hist_len;
}

bool nupic_classifier_last_record(const nupic_classifier *c, uint32_t *record) {
    uint32_t r = c->hist_len ? hist_at(c, c->hist_len - 1)->record : 0;
    if (record) *record = r;
    return c->hist_len > 0;
}

nupic_status nupic_classifier_get_weight(const nupic_classifier *c,
                                         uint32_t step, uint32_t input,
                                         uint32_t bucket, double *out) {
    int k = step_index(c, step);
    if (k < 0 || input > c->max_input || bucket > c->max_bucket)
        return NUPIC_ERR_ARG;
    *out = c->w[k][(size_t)input * c->stride + bucket];
    return NUPIC_OK;
}

#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff && diff_size) snprintf(diff, diff_size, __VA_ARGS__);         \
        return false;                                                          \
    } while (0)

static bool same_double(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

bool nupic_classifier_equal(const nupic_classifier *a,
                            const nupic_classifier *b, char *diff,
                            size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
#define SAME_U(f)                                                              \
    if (a->f != b->f)                                                          \
    DIFF(#f ": %llu != %llu", (unsigned long long)a->f,                        \
         (unsigned long long)b->f)
#define SAME_D(f)                                                              \
    if (!same_double(a->f, b->f)) DIFF(#f ": %.17g != %.17g", a->f, b->f)
    SAME_U(num_steps);
    for (uint32_t k = 0; k < a->num_steps; k++)
        SAME_U(steps[k]);
    SAME_D(alpha);
    SAME_D(act_value_alpha);
    SAME_U(max_steps);
    SAME_U(version);
    SAME_U(verbosity);
    SAME_U(hist_len);
    for (uint32_t h = 0; h < a->hist_len; h++) {
        const hist_slot *x = hist_at(a, h), *y = hist_at(b, h);
        if (x->record != y->record)
            DIFF("recordNumHistory[%u]: %u != %u", h, x->record, y->record);
        if (x->len != y->len ||
            (x->len && memcmp(x->idx, y->idx, x->len * sizeof *x->idx)))
            DIFF("patternNZHistory[%u] differs", h);
    }
    SAME_U(max_input);
    SAME_U(max_bucket);
#undef SAME_U
#undef SAME_D
    uint32_t rows = a->max_input + 1, cols = a->max_bucket + 1;
    for (uint32_t k = 0; k < a->num_steps; k++)
        for (uint32_t r = 0; r < rows; r++)
            for (uint32_t j = 0; j < cols; j++) {
                double x = a->w[k][(size_t)r * a->stride + j];
                double y = b->w[k][(size_t)r * b->stride + j];
                if (!same_double(x, y))
                    DIFF("weights of step %u, input %u, bucket %u: %.17g != "
                         "%.17g",
                         a->steps[k], r, j, x, y);
            }
    for (uint32_t j = 0; j < cols; j++) {
        if (a->act_set[j] != b->act_set[j])
            DIFF("actualValuesSet[%u]: %d != %d", j, a->act_set[j],
                 b->act_set[j]);
        if (!same_double(a->act[j], b->act[j]))
            DIFF("actualValues[%u]: %.17g != %.17g", j, a->act[j], b->act[j]);
    }
    return true;
}
#undef DIFF

/* ------------------------------------------------------------------------
 * Writing (nupic.core's SDRClassifier::write, in its order)
 * ------------------------------------------------------------------------ */

static uint64_t message_words(const nupic_classifier *c) {
    uint64_t words = 32 + c->num_steps / 4 + c->hist_len * 2;
    for (uint32_t h = 0; h < c->hist_len; h++)
        words += hist_at(c, h)->len / 2 + 1;
    uint64_t cells = ((uint64_t)c->max_input + 1) * (c->max_bucket + 1);
    words += c->num_steps * (cells + 3);
    words += (uint64_t)c->max_bucket + 2 + (c->max_bucket + 1) / 64 + 1;
    return words;
}

nupic_status nupic_classifier_write(const nupic_classifier *c,
                                    SdrClassifierProto_B b, nupic_error *err) {
    uint16_t steps[NUPIC_CLASSIFIER_MAX_STEPS];
    for (uint32_t k = 0; k < c->num_steps; k++)
        steps[k] = (uint16_t)c->steps[k];
    SdrClassifierProto_set_steps(b, steps, c->num_steps);
    SdrClassifierProto_set_alpha(b, c->alpha);
    SdrClassifierProto_set_actValueAlpha(b, c->act_value_alpha);
    SdrClassifierProto_set_maxSteps(b, c->max_steps);
    ncp_blist pats = SdrClassifierProto_init_patternNZHistory(b, c->hist_len);
    for (uint32_t h = 0; h < c->hist_len; h++) {
        const hist_slot *s = hist_at(c, h);
        ncp_bptr_init_list_from(ncp_blist_ptr(&pats, h), NCP_ELEM_4BYTES,
                                s->len, s->idx);
    }
    ncp_blist recs = SdrClassifierProto_init_recordNumHistory(b, c->hist_len);
    for (uint32_t h = 0; h < c->hist_len; h++)
        ncp_blist_set_u32(&recs, h, hist_at(c, h)->record);
    SdrClassifierProto_set_maxBucketIdx(b, c->max_bucket);
    SdrClassifierProto_set_maxInputIdx(b, c->max_input);
    uint32_t rows = c->max_input + 1, cols = c->max_bucket + 1;
    SdrClassifierProto_StepWeightMatrix_BList wm =
        SdrClassifierProto_init_weightMatrix(b, c->num_steps);
    for (uint32_t k = 0; k < c->num_steps; k++) {
        SdrClassifierProto_StepWeightMatrix_B m =
            SdrClassifierProto_StepWeightMatrix_BList_get(wm, k);
        SdrClassifierProto_StepWeightMatrix_set_steps(m, c->steps[k]);
        ncp_blist l =
            SdrClassifierProto_StepWeightMatrix_init_weight(m, rows * cols);
        if (ncp_blist_len(&l) != rows * cols) break; /* the builder failed */
        for (uint32_t r = 0; r < rows; r++)
            ncp_blist_set_f64s(&l, r * cols, cols,
                               c->w[k] + (size_t)r * c->stride);
    }
    SdrClassifierProto_set_actualValues(b, c->act, cols);
    SdrClassifierProto_set_actualValuesSet(b, c->act_set, cols);
    SdrClassifierProto_set_version(b, (uint16_t)c->version);
    SdrClassifierProto_set_verbosity(b, (uint8_t)c->verbosity);
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Reading (nupic.core's SDRClassifier::read, checking every value)
 * ------------------------------------------------------------------------ */

#define FMT(...)                                                               \
    nupic_error_set(err, NUPIC_ERR_FORMAT, "SdrClassifierProto." __VA_ARGS__)

static nupic_status read_steps(nupic_classifier *c, SdrClassifierProto_R r,
                               nupic_error *err) {
    ncp_list l = SdrClassifierProto_get_steps(r);
    uint32_t n = ncp_list_len(&l);
    if (n < 1 || n > NUPIC_CLASSIFIER_MAX_STEPS)
        return FMT("steps: %u steps (1 to %d supported)", n,
                   NUPIC_CLASSIFIER_MAX_STEPS);
    for (uint32_t k = 0; k < n; k++) {
        c->steps[k] = ncp_list_u16(&l, k);
        if (k > 0 && c->steps[k] <= c->steps[k - 1])
            return FMT("steps[%u] is %u after %u; steps must ascend", k,
                       c->steps[k], c->steps[k - 1]);
    }
    c->num_steps = n;
    c->max_steps = SdrClassifierProto_get_maxSteps(r);
    if (c->max_steps != c->steps[n - 1] + 1)
        return FMT("maxSteps is %u, expected the largest step + 1 (%u)",
                   c->max_steps, c->steps[n - 1] + 1);
    c->alpha = SdrClassifierProto_get_alpha(r);
    c->act_value_alpha = SdrClassifierProto_get_actValueAlpha(r);
    if (!isfinite(c->alpha))
        return FMT("alpha is %g, not a finite number", c->alpha);
    if (!isfinite(c->act_value_alpha))
        return FMT("actValueAlpha is %g, not a finite number",
                   c->act_value_alpha);
    c->version = SdrClassifierProto_get_version(r);
    if (c->version != CLASSIFIER_VERSION)
        return FMT("version is %u; only version %d is known", c->version,
                   CLASSIFIER_VERSION);
    c->verbosity = SdrClassifierProto_get_verbosity(r);
    return NUPIC_OK;
}

static nupic_status read_history(nupic_classifier *c, SdrClassifierProto_R r,
                                 nupic_error *err) {
    ncp_list pats = SdrClassifierProto_get_patternNZHistory(r);
    ncp_list recs = SdrClassifierProto_get_recordNumHistory(r);
    uint32_t n = ncp_list_len(&pats);
    if (n != ncp_list_len(&recs))
        return FMT("patternNZHistory has %u patterns, recordNumHistory %u "
                   "numbers; they must match",
                   n, ncp_list_len(&recs));
    if (n > c->max_steps)
        return FMT("patternNZHistory: %u patterns, more than maxSteps (%u)", n,
                   c->max_steps);
    if (n == 0) return NUPIC_OK;
    c->hist = calloc(n, sizeof *c->hist);
    if (c->hist == NULL) return nomem(err, "the history", n);
    c->hist_cap = n;
    for (uint32_t h = 0; h < n; h++) {
        hist_slot *s = &c->hist[h];
        s->record = ncp_list_u32(&recs, h);
        if (h > 0 && s->record <= c->hist[h - 1].record)
            return FMT("recordNumHistory[%u] is %u after %u; record numbers "
                       "must ascend",
                       h, s->record, c->hist[h - 1].record);
        ncp_list p = ncp_ptr_list(ncp_list_ptr(&pats, h), NCP_ELEM_4BYTES,
                                  "SdrClassifierProto.patternNZHistory");
        uint32_t len = ncp_list_len(&p);
        if (len > 0) {
            s->idx = malloc(len * sizeof *s->idx);
            if (s->idx == NULL) return nomem(err, "a pattern", len);
            s->cap = len;
            ncp_list_get_u32s(&p, 0, len, s->idx);
        }
        s->len = len;
        for (uint32_t i = 0; i < len; i++)
            if (s->idx[i] > c->max_input)
                return FMT("patternNZHistory[%u][%u] is %u, above maxInputIdx "
                           "(%u)",
                           h, i, s->idx[i], c->max_input);
        c->hist_len = h + 1;
    }
    return NUPIC_OK;
}

static nupic_status read_weights(nupic_classifier *c, SdrClassifierProto_R r,
                                 nupic_error *err) {
    uint64_t rows = (uint64_t)c->max_input + 1,
             cols = (uint64_t)c->max_bucket + 1;
    if (too_many_weights(rows, cols))
        return FMT("maxInputIdx %u and maxBucketIdx %u: %llu x %llu weights "
                   "per step, more than %llu",
                   c->max_input, c->max_bucket, (unsigned long long)rows,
                   (unsigned long long)cols,
                   (unsigned long long)NUPIC_CLASSIFIER_MAX_WEIGHTS);
    SdrClassifierProto_StepWeightMatrix_RList wm =
        SdrClassifierProto_get_weightMatrix(r);
    uint32_t n = SdrClassifierProto_StepWeightMatrix_RList_len(wm);
    if (n != c->num_steps)
        return FMT("weightMatrix: %u matrices, expected one per step (%u)", n,
                   c->num_steps);
    /* The lengths first: what is allocated is then bounded by the
     * message. */
    for (uint32_t k = 0; k < n; k++) {
        SdrClassifierProto_StepWeightMatrix_R m =
            SdrClassifierProto_StepWeightMatrix_RList_get(wm, k);
        uint32_t steps = SdrClassifierProto_StepWeightMatrix_get_steps(m);
        if (steps != c->steps[k])
            return FMT("weightMatrix[%u].steps is %u, expected %u (the "
                       "steps in order)",
                       k, steps, c->steps[k]);
        ncp_list l = SdrClassifierProto_StepWeightMatrix_get_weight(m);
        if (ncp_list_len(&l) != rows * cols)
            return FMT("weightMatrix[%u].weight: %u values, expected %llu "
                       "(maxInputIdx %u + 1) * %llu (maxBucketIdx %u + 1)",
                       k, ncp_list_len(&l), (unsigned long long)rows,
                       c->max_input, (unsigned long long)cols, c->max_bucket);
    }
    nupic_status st = reserve_weights(c, rows, cols, err);
    if (st != NUPIC_OK) return st;
    for (uint32_t k = 0; k < n; k++) {
        ncp_list l = SdrClassifierProto_StepWeightMatrix_get_weight(
            SdrClassifierProto_StepWeightMatrix_RList_get(wm, k));
        for (uint64_t row = 0; row < rows; row++)
            ncp_list_get_f64s(&l, (uint32_t)(row * cols), (uint32_t)cols,
                              c->w[k] + row * c->stride);
    }
    return NUPIC_OK;
}

static nupic_status read_actual_values(nupic_classifier *c,
                                       SdrClassifierProto_R r,
                                       nupic_error *err) {
    ncp_list v = SdrClassifierProto_get_actualValues(r);
    ncp_list s = SdrClassifierProto_get_actualValuesSet(r);
    uint32_t cols = c->max_bucket + 1;
    if (ncp_list_len(&v) != cols)
        return FMT("actualValues: %u values, expected maxBucketIdx + 1 (%u)",
                   ncp_list_len(&v), cols);
    if (ncp_list_len(&s) != cols)
        return FMT("actualValuesSet: %u values, expected maxBucketIdx + 1 "
                   "(%u)",
                   ncp_list_len(&s), cols);
    ncp_list_get_f64s(&v, 0, cols, c->act);
    ncp_list_get_bools(&s, 0, cols, c->act_set);
    return NUPIC_OK;
}

nupic_status nupic_classifier_read(SdrClassifierProto_R r,
                                   nupic_classifier **out, nupic_error *err) {
    *out = NULL;
    nupic_classifier *c = alloc_classifier(err);
    if (c == NULL) return NUPIC_ERR_NOMEM;
    c->max_input = SdrClassifierProto_get_maxInputIdx(r);
    c->max_bucket = SdrClassifierProto_get_maxBucketIdx(r);
    nupic_status st = read_steps(c, r, err);
    if (st == NUPIC_OK) st = read_history(c, r, err);
    if (st == NUPIC_OK) st = read_weights(c, r, err);
    if (st == NUPIC_OK) st = read_actual_values(c, r, err);
    if (st == NUPIC_OK && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    if (st != NUPIC_OK) {
        nupic_classifier_free(c);
        return st;
    }
    *out = c;
    return NUPIC_OK;
}
#undef FMT

/* ------------------------------------------------------------------------
 * Files, memory, paths
 * ------------------------------------------------------------------------ */

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return nupic_classifier_write(obj, SdrClassifierProto_new_root(b), err);
}

static nupic_status reader(ncp_msg *m, void **out, nupic_error *err) {
    nupic_classifier *c = NULL;
    nupic_status st =
        nupic_classifier_read(SdrClassifierProto_read_root(m), &c, err);
    *out = c;
    return st;
}

nupic_status nupic_classifier_write_to_file(const nupic_classifier *c, FILE *f,
                                            const nupic_save_options *o,
                                            nupic_error *err) {
    return persist_to_file(c, writer, message_words(c), f, o, err);
}

nupic_status nupic_classifier_read_from_file(FILE *f,
                                             const nupic_load_options *o,
                                             nupic_classifier **out,
                                             nupic_error *err) {
    return persist_from_file(f, reader, o, (void **)out, err);
}

nupic_status nupic_classifier_write_to_mem(const nupic_classifier *c,
                                           const nupic_save_options *o,
                                           void **buf, size_t *len,
                                           nupic_error *err) {
    return persist_to_mem(c, writer, message_words(c), buf, len, o, err);
}

nupic_status nupic_classifier_read_from_mem(const void *buf, size_t len,
                                            const nupic_load_options *o,
                                            nupic_classifier **out,
                                            nupic_error *err) {
    return persist_from_mem(buf, len, reader, o, (void **)out, err);
}

nupic_status nupic_classifier_save(const nupic_classifier *c, const char *path,
                                   const nupic_save_options *o,
                                   nupic_error *err) {
    return persist_to_path(c, writer, message_words(c), path, o, err);
}

nupic_status nupic_classifier_load(const char *path,
                                   const nupic_load_options *o,
                                   nupic_classifier **out, nupic_error *err) {
    return persist_from_path(path, reader, o, (void **)out, err);
}
