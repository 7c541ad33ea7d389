/*
 * src/algo/likelihood.c - NuPIC's AnomalyLikelihood
 * (nupic/algorithms/anomaly_likelihood.py), bit-exact.
 *
 * The Python keeps its history in a deque, its moving average in a list
 * and a running total, and re-estimates the distribution with NumPy.  Here
 * the history is a ring that grows up to historicWindowSize, the moving
 * average and the recent likelihoods are rings of NuPIC's averaging window
 * (10), and NumPy's arithmetic is reproduced exactly:
 *
 *  - numpy.mean(x) is add.reduce(x) / n and numpy.var(x) is
 *    add.reduce((x - mean) * (x - mean)) / n, where add.reduce on a
 *    contiguous float64 array adds, to an accumulator starting at 0.0, the
 *    pairwise sums of consecutive blocks of 8192 values (NumPy's buffer
 *    size); a pairwise sum adds fewer than 8 values in order, up to 128 in
 *    8 interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+
 *    (r6+r7)) plus the remainder in order, and more by halves rounded down
 *    to a multiple of 8 (NumPy's pairwise_sum_DOUBLE).
 *  - math.erfc, math.log and math.sqrt are the C library's erfc, log, sqrt.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/anomaly.h>

#include "persist.h"

#define WINDOW        NUPIC_LIKELIHOOD_AVERAGING_WINDOW
#define NUMPY_BUFSIZE 8192u

typedef struct record {
    double value, score;
} record;

/* At most WINDOW values, oldest first from head. */
typedef struct ring10 {
    double v[WINDOW];
    uint32_t len, head;
} ring10;

struct nupic_likelihood {
    uint32_t learning_period, probationary_period;
    uint32_t reestimation_period, historic_window_size;
    uint64_t iteration;
    /* The last historic_window_size records, oldest first from hist_head. */
    record *hist;
    uint32_t hist_cap, hist_len, hist_head;

    bool has_dist;
    double mean, variance, stdev;
    uint64_t ma_window; /* the moving average's window (NuPIC: always 10) */
    ring10 ma;          /* the moving average's values */
    double ma_total;
    ring10 likelihoods; /* the recent unfiltered likelihoods */

    double *scratch; /* 2 * scratch_cap values for estimation */
    uint32_t scratch_cap;
};

/* ------------------------------------------------------------------------
 * Rings
 * ------------------------------------------------------------------------ */

static double ring_at(const ring10 *r, uint32_t i) {
    return r->v[(r->head + i) % WINDOW];
}

static double ring_last(const ring10 *r) {
    return ring_at(r, r->len - 1);
}

/* Appends v; if that makes more than `keep` values, the oldest goes. */
static void ring_push(ring10 *r, double v, uint32_t keep) {
    r->v[(r->head + r->len) % WINDOW] = v;
    if (r->len < keep) {
        r->len++;
    } else {
        r->head = (r->head + 1) % WINDOW;
    }
}

static const record *hist_at(const nupic_likelihood *l, uint32_t i) {
    return &l->hist[(l->hist_head + i) % l->hist_cap];
}

/* ------------------------------------------------------------------------
 * NumPy's and NuPIC's arithmetic
 * ------------------------------------------------------------------------ */

static double pairwise_sum(const double *a, size_t n) {
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (size_t j = 0; j < 8; j++)
            r[j] = a[j];
        size_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res =
            ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* numpy.add.reduce of a contiguous float64 array. */
static double numpy_sum(const double *a, size_t n) {
    double acc = 0.0;
    for (size_t i = 0; i < n; i += NUMPY_BUFSIZE)
        acc +=
            pairwise_sum(a + i, n - i < NUMPY_BUFSIZE ? n - i : NUMPY_BUFSIZE);
    return acc;
}

/* numpy.mean(x) and numpy.var(x) (n >= 1); tmp holds n values and may be
 * x itself (each value is read before its square is stored). */
static void numpy_mean_var(const double *x, size_t n, double *tmp, double *mean,
                           double *var) {
    double m = numpy_sum(x, n) / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - m;
        tmp[i] = d * d;
    }
    *mean = m;
    *var = numpy_sum(tmp, n) / (double)n;
}

/* tailProbability: the normal distribution's tail beyond x, mirrored below
 * the mean. */
static double tail_probability(const nupic_likelihood *l, double x) {
    if (x < l->mean) x = 2.0 * l->mean - x;
    double z = (x - l->mean) / l->stdev;
    return 0.5 * erfc(z / 1.4142);
}

double nupic_likelihood_log(double likelihood) {
    return log(1.0000000001 - likelihood) / -23.02585084720009;
}

/* ------------------------------------------------------------------------
 * Parameters, construction
 * ------------------------------------------------------------------------ */

void nupic_likelihood_params_default(nupic_likelihood_params *p) {
    p->learning_period = 288;
    p->estimation_samples = 100;
    p->historic_window_size = 8640;
    p->reestimation_period = 100;
}

static nupic_status bad(nupic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static nupic_status bad(nupic_error *err, const char *fmt, ...) {
    char msg[NUPIC_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nupic_error_set(err, NUPIC_ERR_PARAM, "AnomalyLikelihood: %s", msg);
}

static nupic_status validate(const nupic_likelihood_params *p,
                             nupic_error *err) {
    uint64_t probation = (uint64_t)p->learning_period + p->estimation_samples;
    if (probation == 0)
        return bad(err, "learningPeriod and estimationSamples are both 0; "
                        "the first estimate needs a record");
    if (probation > UINT32_MAX)
        return bad(err,
                   "learningPeriod %u + estimationSamples %u exceeds 2^32-1",
                   p->learning_period, p->estimation_samples);
    if (p->historic_window_size == 0)
        return bad(err, "historicWindowSize is 0");
    if (p->historic_window_size < p->estimation_samples)
        return bad(err,
                   "estimationSamples (%u) exceeds historicWindowSize (%u)",
                   p->estimation_samples, p->historic_window_size);
    if (p->reestimation_period == 0) return bad(err, "reestimationPeriod is 0");
    return NUPIC_OK;
}

void nupic_likelihood_free(nupic_likelihood *l) {
    if (l == NULL) return;
    free(l->hist);
    free(l->scratch);
    free(l);
}

static nupic_likelihood *alloc_likelihood(nupic_error *err) {
    nupic_likelihood *l = calloc(1, sizeof *l);
    if (l == NULL)
        nupic_error_set(err, NUPIC_ERR_NOMEM,
                        "AnomalyLikelihood: out of memory");
    return l;
}

nupic_status nupic_likelihood_new(const nupic_likelihood_params *p,
                                  nupic_likelihood **out, nupic_error *err) {
    if (p == NULL || out == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_likelihood_new: NULL argument");
    *out = NULL;
    nupic_status st = validate(p, err);
    if (st != NUPIC_OK) return st;
    nupic_likelihood *l = alloc_likelihood(err);
    if (l == NULL) return NUPIC_ERR_NOMEM;
    l->learning_period = p->learning_period;
    l->probationary_period = p->learning_period + p->estimation_samples;
    l->reestimation_period = p->reestimation_period;
    l->historic_window_size = p->historic_window_size;
    l->ma_window = WINDOW;
    *out = l;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Computing (anomalyProbability, estimateAnomalyLikelihoods,
 * updateAnomalyLikelihoods)
 * ------------------------------------------------------------------------ */

static nupic_status nomem(nupic_error *err, const char *what, uint64_t n) {
    return nupic_error_set(err, NUPIC_ERR_NOMEM,
                           "AnomalyLikelihood: cannot allocate %s (%llu)", what,
                           (unsigned long long)n);
}

/* Room for one more record in the history (which drops its oldest when
 * full).  Only capacity changes. */
static nupic_status reserve_history(nupic_likelihood *l, nupic_error *err) {
    if (l->hist_len < l->hist_cap || l->hist_cap == l->historic_window_size)
        return NUPIC_OK;
    uint64_t cap = (uint64_t)l->hist_cap * 2;
    if (cap < 64) cap = 64;
    if (cap > l->historic_window_size) cap = l->historic_window_size;
    record *h = malloc((size_t)cap * sizeof *h);
    if (h == NULL) return nomem(err, "the history", cap);
    for (uint32_t i = 0; i < l->hist_len; i++)
        h[i] = *hist_at(l, i);
    free(l->hist);
    l->hist = h;
    l->hist_head = 0;
    l->hist_cap = (uint32_t)cap;
    return NUPIC_OK;
}

static nupic_status reserve_scratch(nupic_likelihood *l, uint32_t n,
                                    nupic_error *err) {
    if (n <= l->scratch_cap) return NUPIC_OK;
    double *s = malloc((size_t)n * 2 * sizeof *s);
    if (s == NULL) return nomem(err, "estimation scratch", (uint64_t)n * 2);
    free(l->scratch);
    l->scratch = s;
    l->scratch_cap = n;
    return NUPIC_OK;
}

/* _calcSkipRecords: the records of the learning period still in the
 * history. */
static uint64_t skip_records(const nupic_likelihood *l) {
    uint64_t n = l->iteration, window = l->historic_window_size;
    uint64_t shifted = n > window ? n - window : 0;
    uint64_t skip =
        l->learning_period > shifted ? l->learning_period - shifted : 0;
    return skip < n ? skip : n;
}

static void null_distribution(nupic_likelihood *l) {
    l->mean = 0.5;
    l->variance = 1e6;
    l->stdev = 1e3;
}

/* estimateAnomalyLikelihoods(history, averagingWindow=10, skipRecords):
 * the distribution, the moving average at the end of the history, and the
 * likelihoods of its last averages. */
static void estimate(nupic_likelihood *l) {
    uint32_t n = l->hist_len; /* >= 1: the probationary period is >= 1 */
    double *avg = l->scratch, *tmp = l->scratch + l->scratch_cap;
    /* _anomalyScoreMovingAverage, from an empty window. */
    ring10 ma = {{0}, 0, 0};
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        double s = hist_at(l, i)->score;
        if (ma.len == WINDOW) total -= ring_at(&ma, 0);
        ring_push(&ma, s, WINDOW);
        total += s;
        avg[i] = total / (double)ma.len;
    }
    uint64_t skip = skip_records(l);
    if (n <= skip) {
        null_distribution(l);
    } else {
        /* estimateNormal(averages[skip:]) */
        size_t m = n - (size_t)skip;
        double mean, var;
        numpy_mean_var(avg + skip, m, tmp, &mean, &var);
        if (mean < 0.03) mean = 0.03;
        if (var < 0.0003) var = 0.0003;
        l->mean = mean;
        l->variance = var;
        l->stdev = var > 0 ? sqrt(var) : 0;
        /* Flat metric values are not anomalous: estimateNormal(values[skip:],
         * performLowerBoundCheck=False). */
        for (size_t i = 0; i < m; i++)
            tmp[i] = hist_at(l, (uint32_t)(skip + i))->value;
        numpy_mean_var(tmp, m, tmp, &mean, &var);
        if (var < 1.5e-5) null_distribution(l);
    }
    l->has_dist = true;
    l->ma = ma;
    l->ma_total = total;
    l->ma_window = WINDOW;
    /* historicalLikelihoods: those of the last averages, unfiltered. */
    l->likelihoods.len = l->likelihoods.head = 0;
    for (uint32_t i = n > WINDOW ? n - WINDOW : 0; i < n; i++)
        ring_push(&l->likelihoods, tail_probability(l, avg[i]), WINDOW);
}

/* updateAnomalyLikelihoods([record], params): the filtered likelihood. */
static double update(nupic_likelihood *l, double score) {
    uint32_t window = (uint32_t)l->ma_window;
    if (l->ma.len == window) l->ma_total -= ring_at(&l->ma, 0);
    ring_push(&l->ma, score, window);
    l->ma_total += score;
    double avg = l->ma_total / (double)l->ma.len;
    double raw = tail_probability(l, avg);
    /* _filterLikelihoods over the recent likelihoods and this one. */
    const double red = 1.0 - 0.99999, yellow = 1.0 - 0.999;
    double filtered = raw;
    if (l->likelihoods.len > 0 && raw <= red &&
        !(ring_last(&l->likelihoods) > red))
        filtered = yellow;
    ring_push(&l->likelihoods, raw, window);
    return filtered;
}

nupic_status nupic_likelihood_compute(nupic_likelihood *l, double value,
                                      double anomaly_score, double *likelihood,
                                      nupic_error *err) {
    if (l == NULL || likelihood == NULL)
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_likelihood_compute: NULL argument");
    if (!isfinite(value) || !isfinite(anomaly_score))
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "AnomalyLikelihood: value %g and anomaly score "
                               "%g must be finite",
                               value, anomaly_score);
    bool probation = l->iteration < l->probationary_period;
    bool reestimate =
        !probation &&
        (!l->has_dist || l->iteration % l->reestimation_period == 0);
    nupic_status st = reserve_history(l, err);
    if (st == NUPIC_OK && reestimate) st = reserve_scratch(l, l->hist_len, err);
    if (st != NUPIC_OK) return st;

    double result = 0.5;
    if (!probation) {
        if (reestimate) estimate(l);
        result = 1.0 - update(l, anomaly_score);
    }
    record r = {value, anomaly_score};
    if (l->hist_len < l->historic_window_size) {
        l->hist[(l->hist_head + l->hist_len) % l->hist_cap] = r;
        l->hist_len++;
    } else {
        l->hist[l->hist_head] = r;
        l->hist_head = (l->hist_head + 1) % l->hist_cap;
    }
    /* Saturates (a saved state may hold 2^64 - 1; wrapping to 0 would
     * contradict the history it keeps). */
    if (l->iteration < UINT64_MAX) l->iteration++;
    *likelihood = result;
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Accessors and equality
 * ------------------------------------------------------------------------ */

void nupic_likelihood_get_params(const nupic_likelihood *l,
                                 nupic_likelihood_params *p) {
    p->learning_period = l->learning_period;
    p->estimation_samples = l->probationary_period - l->learning_period;
    p->historic_window_size = l->historic_window_size;
    p->reestimation_period = l->reestimation_period;
}

uint64_t nupic_likelihood_iteration(const nupic_likelihood *l) {
    return l->iteration;
}

uint32_t nupic_likelihood_history_len(const nupic_likelihood *l) {
    return l->hist_len;
}

bool nupic_likelihood_distribution(const nupic_likelihood *l, double *mean,
                                   double *variance, double *stdev) {
    if (mean) *mean = l->has_dist ? l->mean : 0;
    if (variance) *variance = l->has_dist ? l->variance : 0;
    if (stdev) *stdev = l->has_dist ? l->stdev : 0;
    return l->has_dist;
}

#define DIFF(...)                                                              \
    do {                                                                       \
        if (diff && diff_size) snprintf(diff, diff_size, __VA_ARGS__);         \
        return false;                                                          \
    } while (0)

static bool same_double(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

static bool same_ring(const ring10 *a, const ring10 *b, uint32_t *at) {
    if (a->len != b->len) {
        *at = UINT32_MAX;
        return false;
    }
    for (uint32_t i = 0; i < a->len; i++)
        if (!same_double(ring_at(a, i), ring_at(b, i))) {
            *at = i;
            return false;
        }
    return true;
}

bool nupic_likelihood_equal(const nupic_likelihood *a,
                            const nupic_likelihood *b, char *diff,
                            size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
#define SAME_U(f)                                                              \
    if (a->f != b->f)                                                          \
    DIFF(#f ": %llu != %llu", (unsigned long long)a->f,                        \
         (unsigned long long)b->f)
#define SAME_D(f)                                                              \
    if (!same_double(a->f, b->f)) DIFF(#f ": %.17g != %.17g", a->f, b->f)
    SAME_U(learning_period);
    SAME_U(probationary_period);
    SAME_U(reestimation_period);
    SAME_U(historic_window_size);
    SAME_U(iteration);
    SAME_U(hist_len);
    for (uint32_t i = 0; i < a->hist_len; i++) {
        const record *x = hist_at(a, i), *y = hist_at(b, i);
        if (!same_double(x->value, y->value) ||
            !same_double(x->score, y->score))
            DIFF("historicalScores[%u]: (%.17g, %.17g) != (%.17g, %.17g)", i,
                 x->value, x->score, y->value, y->score);
    }
    SAME_U(has_dist);
    if (!a->has_dist) return true;
    SAME_D(mean);
    SAME_D(variance);
    SAME_D(stdev);
    SAME_U(ma_window);
    SAME_D(ma_total);
#undef SAME_U
#undef SAME_D
    uint32_t at;
    if (!same_ring(&a->ma, &b->ma, &at))
        DIFF("movingAverage.historicalValues differ (at %d)", (int)at);
    if (!same_ring(&a->likelihoods, &b->likelihoods, &at))
        DIFF("historicalLikelihoods differ (at %d)", (int)at);
    return true;
}
#undef DIFF

/* ------------------------------------------------------------------------
 * Writing (AnomalyLikelihood.write, in its order)
 * ------------------------------------------------------------------------ */

static uint64_t message_words(const nupic_likelihood *l) {
    return 64 + (uint64_t)l->hist_len * 2;
}

static void write_ring(ncp_blist list, const ring10 *r) {
    for (uint32_t i = 0; i < ncp_blist_len(&list); i++)
        ncp_blist_set_f64(&list, i, ring_at(r, i));
}

nupic_status nupic_likelihood_write(const nupic_likelihood *l,
                                    AnomalyLikelihoodProto_B b,
                                    nupic_error *err) {
    AnomalyLikelihoodProto_set_iteration(b, l->iteration);
    AnomalyLikelihoodProto_Score_BList scores =
        AnomalyLikelihoodProto_init_historicalScores(b, l->hist_len);
    if (AnomalyLikelihoodProto_Score_BList_len(scores) == l->hist_len)
        for (uint32_t i = 0; i < l->hist_len; i++) {
            AnomalyLikelihoodProto_Score_B s =
                AnomalyLikelihoodProto_Score_BList_get(scores, i);
            AnomalyLikelihoodProto_Score_set_value(s, hist_at(l, i)->value);
            AnomalyLikelihoodProto_Score_set_anomalyScore(s,
                                                          hist_at(l, i)->score);
        }
    if (l->has_dist) {
        AnomalyLikelihoodProto_Distribution_B d =
            AnomalyLikelihoodProto_init_distribution(b);
        AnomalyLikelihoodProto_Distribution_set_name(d, "normal", 6);
        AnomalyLikelihoodProto_Distribution_set_mean(d, l->mean);
        AnomalyLikelihoodProto_Distribution_set_variance(d, l->variance);
        AnomalyLikelihoodProto_Distribution_set_stdev(d, l->stdev);
        AnomalyLikelihoodProto_Distribution_MovingAverage_B ma =
            AnomalyLikelihoodProto_Distribution_init_movingAverage(d);
        AnomalyLikelihoodProto_Distribution_MovingAverage_set_windowSize(
            ma, l->ma_window);
        write_ring(
            AnomalyLikelihoodProto_Distribution_MovingAverage_init_historicalValues(
                ma, l->ma.len),
            &l->ma);
        AnomalyLikelihoodProto_Distribution_MovingAverage_set_total(
            ma, l->ma_total);
        write_ring(
            AnomalyLikelihoodProto_Distribution_init_historicalLikelihoods(
                d, l->likelihoods.len),
            &l->likelihoods);
    }
    AnomalyLikelihoodProto_set_probationaryPeriod(b, l->probationary_period);
    AnomalyLikelihoodProto_set_learningPeriod(b, l->learning_period);
    AnomalyLikelihoodProto_set_reestimationPeriod(b, l->reestimation_period);
    AnomalyLikelihoodProto_set_historicWindowSize(b, l->historic_window_size);
    if (ncp_builder_status(b.s.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.s.b));
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Reading (AnomalyLikelihood.read, checking every value)
 * ------------------------------------------------------------------------ */

#define FMT(...)                                                               \
    nupic_error_set(err, NUPIC_ERR_FORMAT,                                     \
                    "AnomalyLikelihoodProto." __VA_ARGS__)

static nupic_status read_periods(nupic_likelihood *l,
                                 AnomalyLikelihoodProto_R r, nupic_error *err) {
    l->iteration = AnomalyLikelihoodProto_get_iteration(r);
    l->probationary_period = AnomalyLikelihoodProto_get_probationaryPeriod(r);
    l->learning_period = AnomalyLikelihoodProto_get_learningPeriod(r);
    l->reestimation_period = AnomalyLikelihoodProto_get_reestimationPeriod(r);
    l->historic_window_size = AnomalyLikelihoodProto_get_historicWindowSize(r);
    if (l->probationary_period == 0)
        return FMT("probationaryPeriod is 0; the first estimate needs a "
                   "record");
    if (l->probationary_period < l->learning_period)
        return FMT("probationaryPeriod %u is below learningPeriod %u",
                   l->probationary_period, l->learning_period);
    if (l->historic_window_size == 0) return FMT("historicWindowSize is 0");
    if (l->historic_window_size < l->probationary_period - l->learning_period)
        return FMT("historicWindowSize %u is below estimationSamples "
                   "(probationaryPeriod - learningPeriod = %u)",
                   l->historic_window_size,
                   l->probationary_period - l->learning_period);
    if (l->reestimation_period == 0) return FMT("reestimationPeriod is 0");
    return NUPIC_OK;
}

static nupic_status read_scores(nupic_likelihood *l, AnomalyLikelihoodProto_R r,
                                nupic_error *err) {
    AnomalyLikelihoodProto_Score_RList scores =
        AnomalyLikelihoodProto_get_historicalScores(r);
    uint32_t n = AnomalyLikelihoodProto_Score_RList_len(scores);
    uint64_t expected = l->iteration < l->historic_window_size
                            ? l->iteration
                            : l->historic_window_size;
    if (n != expected)
        return FMT("historicalScores: %u scores, expected %llu (the "
                   "iterations, at most historicWindowSize)",
                   n, (unsigned long long)expected);
    if (n == 0) return NUPIC_OK;
    l->hist = malloc((size_t)n * sizeof *l->hist);
    if (l->hist == NULL) return nomem(err, "the history", n);
    l->hist_cap = n;
    for (uint32_t i = 0; i < n; i++) {
        AnomalyLikelihoodProto_Score_R s =
            AnomalyLikelihoodProto_Score_RList_get(scores, i);
        record *rec = &l->hist[i];
        rec->value = AnomalyLikelihoodProto_Score_get_value(s);
        rec->score = AnomalyLikelihoodProto_Score_get_anomalyScore(s);
        if (!isfinite(rec->value) || !isfinite(rec->score))
            return FMT("historicalScores[%u]: value %g, anomalyScore %g; "
                       "both must be finite",
                       i, rec->value, rec->score);
        l->hist_len = i + 1;
    }
    return NUPIC_OK;
}

/* A list of 1 to `max` finite values into a ring. */
static nupic_status read_ring(ncp_list list, uint64_t max, const char *name,
                              ring10 *out, nupic_error *err) {
    uint32_t n = ncp_list_len(&list);
    if (n < 1 || n > max)
        return FMT("%s: %u values, expected 1 to %llu", name, n,
                   (unsigned long long)max);
    out->len = out->head = 0;
    for (uint32_t i = 0; i < n; i++) {
        double v = ncp_list_f64(&list, i);
        if (!isfinite(v))
            return FMT("%s[%u] is %g, not a finite number", name, i, v);
        ring_push(out, v, WINDOW);
    }
    return NUPIC_OK;
}

static nupic_status read_distribution(nupic_likelihood *l,
                                      AnomalyLikelihoodProto_R r,
                                      nupic_error *err) {
    AnomalyLikelihoodProto_Distribution_R d =
        AnomalyLikelihoodProto_get_distribution(r);
    ncp_text name = AnomalyLikelihoodProto_Distribution_get_name(d);
    l->has_dist = name.len > 0;
    if (l->has_dist && (name.len != 6 || memcmp(name.str, "normal", 6) != 0))
        return FMT("distribution.name is \"%.40s\"; only \"normal\" is known",
                   name.str);
    bool expected = l->iteration > l->probationary_period;
    if (l->has_dist != expected)
        return FMT("distribution: %s, but iteration %llu is %s the "
                   "probationary period (%u)",
                   l->has_dist ? "present" : "absent",
                   (unsigned long long)l->iteration,
                   expected ? "past" : "within", l->probationary_period);
    if (!l->has_dist) return NUPIC_OK;
    l->mean = AnomalyLikelihoodProto_Distribution_get_mean(d);
    l->variance = AnomalyLikelihoodProto_Distribution_get_variance(d);
    l->stdev = AnomalyLikelihoodProto_Distribution_get_stdev(d);
    if (!isfinite(l->mean) || !isfinite(l->variance) || !(l->variance >= 0))
        return FMT("distribution: mean %g, variance %g; both must be finite, "
                   "the variance not negative",
                   l->mean, l->variance);
    if (!isfinite(l->stdev) || !(l->stdev > 0))
        return FMT("distribution.stdev is %g; it must be finite and "
                   "positive",
                   l->stdev);
    AnomalyLikelihoodProto_Distribution_MovingAverage_R ma =
        AnomalyLikelihoodProto_Distribution_get_movingAverage(d);
    l->ma_window =
        AnomalyLikelihoodProto_Distribution_MovingAverage_get_windowSize(ma);
    if (l->ma_window != WINDOW)
        return FMT("distribution.movingAverage.windowSize is %llu; NuPIC "
                   "averages over %u",
                   (unsigned long long)l->ma_window, WINDOW);
    nupic_status st = read_ring(
        AnomalyLikelihoodProto_Distribution_MovingAverage_get_historicalValues(
            ma),
        l->ma_window, "distribution.movingAverage.historicalValues", &l->ma,
        err);
    if (st != NUPIC_OK) return st;
    l->ma_total =
        AnomalyLikelihoodProto_Distribution_MovingAverage_get_total(ma);
    if (!isfinite(l->ma_total))
        return FMT("distribution.movingAverage.total is %g, not a finite "
                   "number",
                   l->ma_total);
    return read_ring(
        AnomalyLikelihoodProto_Distribution_get_historicalLikelihoods(d),
        l->ma_window, "distribution.historicalLikelihoods", &l->likelihoods,
        err);
}

nupic_status nupic_likelihood_read(AnomalyLikelihoodProto_R r,
                                   nupic_likelihood **out, nupic_error *err) {
    *out = NULL;
    nupic_likelihood *l = alloc_likelihood(err);
    if (l == NULL) return NUPIC_ERR_NOMEM;
    l->ma_window = WINDOW;
    nupic_status st = read_periods(l, r, err);
    if (st == NUPIC_OK) st = read_scores(l, r, err);
    if (st == NUPIC_OK) st = read_distribution(l, r, err);
    if (st == NUPIC_OK && r.s.msg && ncp_msg_status(r.s.msg) != NCP_OK)
        st = nupic_error_from_ncp(err, ncp_msg_error(r.s.msg));
    if (st != NUPIC_OK) {
        nupic_likelihood_free(l);
        return st;
    }
    *out = l;
    return NUPIC_OK;
}
#undef FMT

/* ------------------------------------------------------------------------
 * Files, memory, paths
 * ------------------------------------------------------------------------ */

static nupic_status writer(const void *obj, ncp_builder *b, nupic_error *err) {
    return nupic_likelihood_write(obj, AnomalyLikelihoodProto_new_root(b), err);
}

static nupic_status reader(ncp_msg *m, void **out, nupic_error *err) {
    nupic_likelihood *l = NULL;
    nupic_status st =
        nupic_likelihood_read(AnomalyLikelihoodProto_read_root(m), &l, err);
    *out = l;
    return st;
}

nupic_status nupic_likelihood_write_to_file(const nupic_likelihood *l, FILE *f,
                                            const nupic_save_options *o,
                                            nupic_error *err) {
    return persist_to_file(l, writer, message_words(l), f, o, err);
}

nupic_status nupic_likelihood_read_from_file(FILE *f,
                                             const nupic_load_options *o,
                                             nupic_likelihood **out,
                                             nupic_error *err) {
    return persist_from_file(f, reader, o, (void **)out, err);
}

nupic_status nupic_likelihood_write_to_mem(const nupic_likelihood *l,
                                           const nupic_save_options *o,
                                           void **buf, size_t *len,
                                           nupic_error *err) {
    return persist_to_mem(l, writer, message_words(l), buf, len, o, err);
}

nupic_status nupic_likelihood_read_from_mem(const void *buf, size_t len,
                                            const nupic_load_options *o,
                                            nupic_likelihood **out,
                                            nupic_error *err) {
    return persist_from_mem(buf, len, reader, o, (void **)out, err);
}

nupic_status nupic_likelihood_save(const nupic_likelihood *l, const char *path,
                                   const nupic_save_options *o,
                                   nupic_error *err) {
    return persist_to_path(l, writer, message_words(l), path, o, err);
}

nupic_status nupic_likelihood_load(const char *path,
                                   const nupic_load_options *o,
                                   nupic_likelihood **out, nupic_error *err) {
    return persist_from_path(path, reader, o, (void **)out, err);
}
