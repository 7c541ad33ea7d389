/*
 * src/algo/anomaly.c - nupic.core's raw anomaly score
 * (nupic::algorithms::anomaly::computeRawAnomalyScore), usable on its own.
 */
#include <stdlib.h>
#include <string.h>

#include <nupic/anomaly.h>

static bool non_decreasing(const uint32_t *a, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (a[i] < a[i - 1]) return false;
    return true;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The number of distinct values in both sorted arrays. */
static size_t common(const uint32_t *a, size_t na, const uint32_t *p,
                     size_t np) {
    size_t i = 0, j = 0, hits = 0;
    while (i < na && j < np) {
        if (a[i] < p[j]) {
            i++;
        } else if (p[j] < a[i]) {
            j++;
        } else {
            uint32_t v = a[i];
            hits++;
            while (i < na && a[i] == v)
                i++;
            while (j < np && p[j] == v)
                j++;
        }
    }
    return hits;
}

/* A sorted copy of a[0..n) unless it is sorted already. */
static nupic_status sorted_view(const uint32_t *a, size_t n,
                                const uint32_t **out, uint32_t **copy,
                                nupic_error *err) {
    *copy = NULL;
    *out = a;
    if (non_decreasing(a, n)) return NUPIC_OK;
    uint32_t *c = malloc(n * sizeof *c);
    if (c == NULL)
        return nupic_error_set(err, NUPIC_ERR_NOMEM,
                               "raw anomaly score: cannot sort %zu columns", n);
    memcpy(c, a, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_u32);
    *copy = c;
    *out = c;
    return NUPIC_OK;
}

static float ratio(size_t n, size_t hits) {
    /* nupic.core: (active.size() - hits) / Real32(active.size()) */
    return (float)(n - hits) / (float)n;
}

nupic_status nupic_anomaly_raw_score(const uint32_t *active, size_t n_active,
                                     const uint32_t *predicted,
                                     size_t n_predicted, float *score,
                                     nupic_error *err) {
    if (score == NULL || (n_active > 0 && active == NULL) ||
        (n_predicted > 0 && predicted == NULL))
        return nupic_error_set(err, NUPIC_ERR_ARG,
                               "nupic_anomaly_raw_score: NULL argument");
    if (n_active == 0) {
        *score = 0.0f;
        return NUPIC_OK;
    }
    const uint32_t *a, *p;
    uint32_t *ca, *cp = NULL;
    nupic_status st = sorted_view(active, n_active, &a, &ca, err);
    if (st == NUPIC_OK) st = sorted_view(predicted, n_predicted, &p, &cp, err);
    if (st == NUPIC_OK)
        *score = ratio(n_active, common(a, n_active, p, n_predicted));
    free(ca);
    free(cp);
    return st;
}

float nupic_anomaly_raw_score_dense(const uint32_t *active,
                                    const uint32_t *predicted, size_t n) {
    size_t count = 0, hits = 0;
    for (size_t i = 0; i < n; i++) {
        count += active[i] != 0;
        hits += active[i] != 0 && predicted[i] != 0;
    }
    return count == 0 ? 0.0f : ratio(count, hits);
}
