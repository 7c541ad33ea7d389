/*
 * tests/algo/test_anomaly.c - the raw anomaly score against nupic.core's
 * computeRawAnomalyScore: the scores nupic.core printed for three temporal
 * memory runs of the generated reference batch, recomputed from their
 * active columns and predictive cells, to the bit (float32); sparse input
 * in any order, with repeats, and dense input.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/anomaly.h>

static float raw(const uint32_t *a, size_t na, const uint32_t *p, size_t np) {
    float s = -1;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_anomaly_raw_score(a, na, p, np, &s, &err) != NUPIC_OK)
        fail_msg("%s", err.message);
    return s;
}

static void small_cases(void **state) {
    (void)state;
    const uint32_t a[4] = {3, 7, 9, 12}, p[3] = {12, 3, 5};
    assert_true(raw(a, 4, p, 3) == 0.5f);
    assert_true(raw(NULL, 0, p, 3) == 0.0f);
    assert_true(raw(a, 4, NULL, 0) == 1.0f);
    assert_true(raw(a, 4, a, 4) == 0.0f);
    /* Repeats: n counts them, hits do not. */
    const uint32_t dup[3] = {1, 1, 2}, one[2] = {1, 1};
    assert_true(raw(dup, 3, one, 2) == 2.0f / 3.0f);
    const uint32_t undup[3] = {2, 1, 1};
    assert_true(raw(undup, 3, one, 2) == 2.0f / 3.0f);
    /* float32: 1 of 40 unpredicted. */
    uint32_t cols[40], pred[39];
    for (uint32_t i = 0; i < 40; i++)
        cols[i] = 40 - i;
    for (uint32_t i = 0; i < 39; i++)
        pred[i] = i + 2;
    char s[32];
    snprintf(s, sizeof s, "%.17g", (double)raw(cols, 40, pred, 39));
    assert_string_equal(s, "0.02500000037252903");
    /* Dense. */
    uint32_t da[6] = {0, 1, 1, 0, 7, 1}, dp[6] = {1, 1, 0, 0, 2, 0};
    assert_true(nupic_anomaly_raw_score_dense(da, dp, 6) == 0.5f);
    assert_true(nupic_anomaly_raw_score_dense(dp, dp, 0) == 0.0f);
    assert_true(nupic_anomaly_raw_score_dense(dp, da, 6) == 1.0f / 3.0f);
    float out;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_anomaly_raw_score(NULL, 2, p, 3, &out, &err),
                     NUPIC_ERR_ARG);
    assert_int_equal(nupic_anomaly_raw_score(a, 2, p, 3, NULL, NULL),
                     NUPIC_ERR_ARG);
}

static const struct {
    const char *run, *input;
    uint32_t cells_per_column;
} runs[] = {
    {"tm-evict-noisy",
     "reference/generated/inputs/noisyseq_2048x40_1000.txt.xz", 2},
    {"tm-noisy-psd01",
     "reference/generated/inputs/noisyseq_2048x40_1000.txt.xz", 32},
    {"tm-cpc4", "reference/sp-hotgym/sp_seq_active.txt.xz", 4},
};

/* Step k: the active columns of input line k against the columns of the
 * predictive cells after step k-1 (none before step 1). */
static void matches_nupic_core(void **state) {
    (void)state;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        char path[256];
        ts_buf in = ts_read_data(runs[r].input);
        ts_sdrs active = ts_parse_sdrs(&in);
        snprintf(path, sizeof path,
                 "reference/generated/%s/tm_predictive_cells.txt.xz",
                 runs[r].run);
        ts_buf pc = ts_read_data(path);
        ts_sdrs predictive = ts_parse_sdrs(&pc);
        snprintf(path, sizeof path, "reference/generated/%s/tm_anomaly.txt.xz",
                 runs[r].run);
        ts_buf scores = ts_read_data(path);
        char *line = (char *)scores.data, *end = line + scores.len;
        uint32_t cols[2048 * 32], rev[2048], dense_a[2048], dense_p[2048];
        for (uint32_t k = 0; k < 1000; k++) {
            const uint32_t *a = active.idx + active.start[k];
            size_t na = active.start[k + 1] - active.start[k];
            size_t np = 0;
            memset(dense_p, 0, sizeof dense_p);
            if (k > 0)
                for (uint32_t i = predictive.start[k - 1];
                     i < predictive.start[k]; i++) {
                    cols[np] = predictive.idx[i] / runs[r].cells_per_column;
                    dense_p[cols[np]] = 1;
                    np++;
                }
            float got = raw(a, na, cols, np);
            char want[64], have[64];
            char *nl = memchr(line, '\n', (size_t)(end - line));
            assert_non_null(nl);
            snprintf(want, sizeof want, "%.*s", (int)(nl - line), line);
            line = nl + 1;
            snprintf(have, sizeof have, "%.17g", (double)got);
            if (strcmp(have, want) != 0)
                fail_msg("%s step %u: %s, nupic.core %s", runs[r].run, k + 1,
                         have, want);
            /* In reverse order (sorted copies) and dense: the same. */
            memset(dense_a, 0, sizeof dense_a);
            for (size_t i = 0; i < na; i++) {
                rev[i] = a[na - 1 - i];
                dense_a[a[i]] = 1;
            }
            for (size_t i = 0; i < np / 2; i++) {
                uint32_t t = cols[i];
                cols[i] = cols[np - 1 - i];
                cols[np - 1 - i] = t;
            }
            assert_true(raw(rev, na, cols, np) == got);
            assert_true(nupic_anomaly_raw_score_dense(dense_a, dense_p, 2048) ==
                        got);
        }
        ts_sdrs_free(&active);
        ts_sdrs_free(&predictive);
        ts_buf_free(&in);
        ts_buf_free(&pc);
        ts_buf_free(&scores);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_cases),
        cmocka_unit_test(matches_nupic_core),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
