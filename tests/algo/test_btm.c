/*
 * tests/algo/test_btm.c - the backtracking TM against nupic.core's Cells4.
 *
 *  - cells4-nab: every output of steps 1-1000 (output, inference active and
 *    predicted cells, predicted columns, columns with confidence, learning
 *    active cells, raw anomaly score as %.17g, segment and synapse counts).
 *  - nupic.core's state after step 1000 loads and equals ours field by
 *    field (free segment lists aside, which nupic.core rebuilds on load);
 *    both continue identically for steps 1001-2000 once ours went through
 *    a save and load too (as nupic.core would continue from either).
 *  - Round trips through memory, FILE* and paths, packed and unpacked, and
 *    through BacktrackingTMCppProto: equal state, identical bytes,
 *    identical continuation.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/btm.h>
#include <nupic/ncp.h>

#define REF "reference/cells4-nab/"

typedef struct nab {
    ts_sdrs input, output, inf_active, inf_pred, pred_cols, conf_cols,
        learn_active;
    char **anomaly;
    uint32_t *segments, *synapses;
} nab;

static ts_sdrs read_sdrs(const char *file) {
    ts_buf b = ts_read_data(file);
    ts_sdrs s = ts_parse_sdrs(&b);
    ts_buf_free(&b);
    return s;
}

static char **read_lines(const char *file, uint32_t n) {
    ts_buf b = ts_read_data(file);
    char **lines = calloc(n, sizeof *lines);
    assert_non_null(lines);
    const char *p = (const char *)b.data, *end = p + b.len;
    for (uint32_t i = 0; i < n; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        lines[i] = strndup(p, (size_t)(nl - p));
        p = nl + 1;
    }
    ts_buf_free(&b);
    return lines;
}

static int setup(void **state) {
    nab *d = calloc(1, sizeof *d);
    d->input = read_sdrs("reference/sp-hotgym/sp_seq_active.txt.xz");
    d->output = read_sdrs(REF "output_cells_1-1000.txt.xz");
    d->inf_active = read_sdrs(REF "inf_active_cells_1-1000.txt.xz");
    d->inf_pred = read_sdrs(REF "inf_predicted_cells_1-1000.txt.xz");
    d->pred_cols = read_sdrs(REF "predicted_columns_1-1000.txt.xz");
    d->conf_cols =
        read_sdrs(REF "col_confidence_nonzero_columns_1-1000.txt.xz");
    d->learn_active = read_sdrs(REF "learn_active_cells_1-1000.txt.xz");
    d->anomaly = read_lines(REF "anomaly_1-1000.txt.xz", 1000);
    char **stats = read_lines(REF "stats_segments_synapses_1-1000.txt", 1000);
    d->segments = calloc(1000, sizeof *d->segments);
    d->synapses = calloc(1000, sizeof *d->synapses);
    for (uint32_t t = 0; t < 1000; t++) {
        if (sscanf(stats[t], "%u %u", &d->segments[t], &d->synapses[t]) != 2)
            fail_msg("stats line %u", t + 1);
        free(stats[t]);
    }
    free(stats);
    *state = d;
    return 0;
}

static int teardown(void **state) {
    nab *d = *state;
    ts_sdrs *all[] = {&d->input,       &d->output,    &d->inf_active,
                      &d->inf_pred,    &d->pred_cols, &d->conf_cols,
                      &d->learn_active};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ts_sdrs_free(all[i]);
    for (uint32_t t = 0; t < 1000; t++)
        free(d->anomaly[t]);
    free(d->anomaly);
    free(d->segments);
    free(d->synapses);
    free(d);
    return 0;
}

/* The NAB configuration (params.txt) with NuPIC's parameter names. */
static nupic_btm *new_nab(void) {
    nupic_btm_params p;
    nupic_btm_params_default(&p);
    p.number_of_cols = 2048;
    p.cells_per_column = 32;
    p.activation_threshold = 13;
    p.min_threshold = 10;
    p.new_synapse_count = 20;
    p.initial_perm = 0.21f;
    p.connected_perm = 0.5f;
    p.permanence_max = 1.0f;
    p.permanence_dec = 0.1f;
    p.permanence_inc = 0.1f;
    p.global_decay = 0.0f;
    p.do_pooling = false;
    p.seed = 1960;
    p.pam_length = 3;
    p.max_age = 0;
    p.max_inf_backtrack = 10;
    p.max_lrn_backtrack = 5;
    p.max_seq_length = 32;
    p.max_segments_per_cell = 128;
    p.max_synapses_per_segment = 32;
    nupic_btm *t = NULL;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_btm_new(&p, &t, &err) != NUPIC_OK) fail_msg("%s", err.message);
    return t;
}

static void step(nupic_btm *t, const ts_sdrs *in, uint32_t k) {
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_btm_compute(t, in->idx + in->start[k],
                          in->start[k + 1] - in->start[k], true, true,
                          &err) != NUPIC_OK)
        fail_msg("step %u: %s", k + 1, err.message);
}

static void check_step(const nupic_btm *t, const nab *d, uint32_t k) {
    size_t n;
    const uint32_t *v = nupic_btm_output(t, &n);
    ts_assert_sdr(&d->output, k, v, n, "output cells");
    v = nupic_btm_inf_active_cells(t, &n);
    ts_assert_sdr(&d->inf_active, k, v, n, "inference active cells");
    v = nupic_btm_inf_predicted_cells(t, &n);
    ts_assert_sdr(&d->inf_pred, k, v, n, "inference predicted cells");
    v = nupic_btm_predicted_columns(t, &n);
    ts_assert_sdr(&d->pred_cols, k, v, n, "predicted columns");
    v = nupic_btm_confident_columns(t, &n);
    ts_assert_sdr(&d->conf_cols, k, v, n, "columns with confidence");
    v = nupic_btm_learn_active_cells(t, &n);
    ts_assert_sdr(&d->learn_active, k, v, n, "learning active cells");
    char score[64];
    snprintf(score, sizeof score, "%.17g", (double)nupic_btm_anomaly(t));
    if (strcmp(score, d->anomaly[k]) != 0)
        fail_msg("step %u: anomaly %s, nupic.core %s", k + 1, score,
                 d->anomaly[k]);
    if (nupic_btm_num_segments(t) != d->segments[k] ||
        nupic_btm_num_synapses(t) != d->synapses[k])
        fail_msg("step %u: %u segments %u synapses, nupic.core %u %u", k + 1,
                 nupic_btm_num_segments(t), nupic_btm_num_synapses(t),
                 d->segments[k], d->synapses[k]);
}

static nupic_btm *load_mem(const void *buf, size_t len, const char *what) {
    nupic_btm *t = NULL;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_btm_read_from_mem(buf, len, NULL, &t, &err) != NUPIC_OK)
        fail_msg("%s: %s", what, err.message);
    return t;
}

static ts_buf write_mem(const nupic_btm *t, bool unpacked) {
    nupic_save_options o = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    ts_buf b = {NULL, 0};
    void *p = NULL;
    if (nupic_btm_write_to_mem(t, &o, &p, &b.len, &err) != NUPIC_OK)
        fail_msg("write_to_mem: %s", err.message);
    b.data = p;
    return b;
}

static nupic_btm *round_trip(const nupic_btm *t) {
    ts_buf b = write_mem(t, false);
    nupic_btm *c = load_mem(b.data, b.len, "round trip");
    ts_buf_free(&b);
    return c;
}

static void assert_equal_btm(const nupic_btm *a, const nupic_btm *b,
                             const char *what) {
    char diff[256];
    if (!nupic_btm_equal(a, b, diff, sizeof diff))
        fail_msg("%s: %s", what, diff);
}

static void assert_same_bytes(const nupic_btm *a, const nupic_btm *b) {
    for (int unpacked = 0; unpacked < 2; unpacked++) {
        ts_buf x = write_mem(a, unpacked), y = write_mem(b, unpacked);
        ts_assert_bytes_equal(x.data, x.len, y.data, y.len);
        ts_buf_free(&x);
        ts_buf_free(&y);
    }
}

static nupic_btm *g_after1000; /* ours after step 1000 (shared) */

static void nab_steps_1_to_1000(void **state) {
    nab *d = *state;
    nupic_btm *t = new_nab();
    for (uint32_t k = 0; k < 1000; k++) {
        step(t, &d->input, k);
        check_step(t, d, k);
    }
    assert_int_equal(nupic_btm_iterations(t), 1000);
    assert_int_equal(nupic_btm_learn_iterations(t), 1000);
    g_after1000 = t;
}

static void nab_state_from_nupic_core(void **state) {
    nab *d = *state;
    if (g_after1000 == NULL) skip();
    ts_buf b = ts_read_data(REF "state_step1000.capnp.xz");
    nupic_btm *theirs = load_mem(b.data, b.len, "state_step1000.capnp");
    ts_buf_free(&b);
    /* Ours, saved and loaded (so its free segment lists are rebuilt as
     * nupic.core rebuilds them), equals nupic.core's state. */
    nupic_btm *ours = round_trip(g_after1000);
    assert_equal_btm(ours, theirs, "state after step 1000 vs nupic.core's");
    assert_same_bytes(ours, theirs);
    /* The restored state reports the step-1000 outputs. */
    check_step(theirs, d, 999);
    for (uint32_t k = 1000; k < 2000; k++) {
        step(theirs, &d->input, k);
        step(ours, &d->input, k);
    }
    assert_equal_btm(ours, theirs, "state after step 2000");
    nupic_btm_free(ours);
    nupic_btm_free(theirs);
}

static void round_trips(void **state) {
    nab *d = *state;
    if (g_after1000 == NULL) skip();
    const char *path = "btm_round_trip.capnp";
    for (int form = 0; form < 7; form++) {
        nupic_btm *orig = round_trip(g_after1000);
        for (uint32_t k = 1000; k < 1100; k++)
            step(orig, &d->input, k);
        bool unpacked = form & 1;
        nupic_save_options so = {unpacked};
        nupic_error err = {NUPIC_OK, ""};
        nupic_btm *copy = NULL;
        nupic_status st;
        if (form < 2) {
            ts_buf b = write_mem(orig, unpacked);
            st = nupic_btm_read_from_mem(b.data, b.len, NULL, &copy, &err);
            ts_buf_free(&b);
        } else if (form < 4) {
            FILE *f = tmpfile();
            assert_non_null(f);
            assert_int_equal(nupic_btm_write_to_file(orig, f, &so, &err),
                             NUPIC_OK);
            rewind(f);
            st = nupic_btm_read_from_file(f, NULL, &copy, &err);
            fclose(f);
        } else if (form < 6) {
            assert_int_equal(nupic_btm_save(orig, path, &so, &err), NUPIC_OK);
            st = nupic_btm_load(path, NULL, &copy, &err);
            remove(path);
        } else {
            ncp_builder *bld = NULL;
            assert_int_equal(ncp_builder_new(NULL, &bld), NCP_OK);
            assert_int_equal(
                nupic_btm_write_cpp(orig, BacktrackingTMCppProto_new_root(bld),
                                    &err),
                NUPIC_OK);
            ts_buf b = ts_write_mem(bld, 0);
            ncp_builder_free(bld);
            ncp_msg *m = ts_open(&b);
            st = nupic_btm_read_cpp(BacktrackingTMCppProto_read_root(m), &copy,
                                    &err);
            ncp_msg_free(m);
            ts_buf_free(&b);
        }
        if (st != NUPIC_OK) fail_msg("form %d: %s", form, err.message);
        /* A state read back equals the original once its free lists are
         * rebuilt the same way: compare with a round trip of it. */
        nupic_btm *norm = round_trip(orig);
        assert_equal_btm(norm, copy, "after a round trip");
        assert_same_bytes(orig, copy);
        for (uint32_t k = 1100; k < 1200; k++) {
            step(norm, &d->input, k);
            step(copy, &d->input, k);
        }
        assert_equal_btm(norm, copy, "100 steps after a round trip");
        nupic_btm_reset(norm);
        nupic_btm *again = round_trip(norm);
        assert_equal_btm(norm, again, "a reset state after a round trip");
        nupic_btm_free(again);
        nupic_btm_free(norm);
        nupic_btm_free(orig);
        nupic_btm_free(copy);
    }
}

static void free_shared(void **state) {
    (void)state;
    nupic_btm_free(g_after1000);
    g_after1000 = NULL;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nab_steps_1_to_1000),
        cmocka_unit_test(nab_state_from_nupic_core),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(free_shared),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
