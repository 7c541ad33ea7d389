/*
 * tests/algo/test_tm.c - the temporal memory against nupic.core.
 *
 *  - tm-hotgym: the active cells of all 2000 steps; nupic.core's state
 *    after step 1000 equals ours field by field, continues exactly, and
 *    writes the same bytes as ours (canonical form).
 *  - Every TemporalMemory run of the generated batch (segment and synapse
 *    eviction, predictedSegmentDecrement, 4 and 8 cells per column, noisy
 *    input, learning off every third step): active, winner and predictive
 *    cells, raw anomaly score (%.17g) and segment/synapse counts at every
 *    step; nupic.core's step-500 states load, equal ours, and continue.
 *  - Round trips through memory, FILE* and paths, packed and unpacked:
 *    equal state, identical bytes, identical continuation.
 *  - Where the CPU runs the AVX-512 learning kernel (tm_simd.h): the
 *    kernel against a plain model of its contract on random segments, and
 *    the scalar path through tm-hotgym and the generated runs as well.
 */
#define _POSIX_C_SOURCE 200809L

#include "test_support.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/ncp.h>
#include <nupic/params.h>
#include <nupic/tm.h>

#include "tm_simd.h" /* tms_force_scalar, tms_adapt */

#define GEN "reference/generated/"

static nupic_tm *new_tm(const char *params_file) {
    nupic_tm_params p;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_params_load(ts_data_path(params_file), &p, &err) != NUPIC_OK)
        fail_msg("%s: %s", params_file, err.message);
    nupic_tm *tm;
    if (nupic_tm_new(&p, &tm, &err) != NUPIC_OK)
        fail_msg("%s: %s", params_file, err.message);
    return tm;
}

static nupic_tm *load_tm(const char *file) {
    ts_buf b = ts_read_data(file);
    nupic_tm *tm;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_read_from_mem(b.data, b.len, NULL, &tm, &err) != NUPIC_OK)
        fail_msg("%s: %s", file, err.message);
    ts_buf_free(&b);
    return tm;
}

static void step(nupic_tm *tm, const ts_sdrs *in, uint32_t t, bool learn) {
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_tm_compute(tm, in->idx + in->start[t],
                         in->start[t + 1] - in->start[t], learn,
                         &err) != NUPIC_OK)
        fail_msg("step %u: %s", t + 1, err.message);
}

static void write_mem(const nupic_tm *tm, bool unpacked, ts_buf *out) {
    nupic_save_options o = {unpacked};
    nupic_error err = {NUPIC_OK, ""};
    void *buf = NULL;
    size_t len = 0;
    if (nupic_tm_write_to_mem(tm, &o, &buf, &len, &err) != NUPIC_OK)
        fail_msg("write_to_mem: %s", err.message);
    out->data = buf;
    out->len = len;
}

static void assert_equal_tm(const nupic_tm *a, const nupic_tm *b,
                            const char *what) {
    char diff[256];
    if (!nupic_tm_equal(a, b, diff, sizeof diff))
        fail_msg("%s: %s", what, diff);
}

static void assert_same_bytes(const nupic_tm *a, const nupic_tm *b) {
    for (int unpacked = 0; unpacked < 2; unpacked++) {
        ts_buf x, y;
        write_mem(a, unpacked, &x);
        write_mem(b, unpacked, &y);
        ts_assert_bytes_equal(x.data, x.len, y.data, y.len);
        ts_buf_free(&x);
        ts_buf_free(&y);
    }
}

/* ------------------------------------------------------------------------
 * tm-hotgym
 * ------------------------------------------------------------------------ */

typedef struct hotgym {
    ts_sdrs input, trace;
} hotgym;

static int setup(void **state) {
    hotgym *h = calloc(1, sizeof *h);
    ts_buf in = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    ts_buf tr = ts_read_data("reference/tm-hotgym/tm_active_cells.txt.xz");
    h->input = ts_parse_sdrs(&in);
    h->trace = ts_parse_sdrs(&tr);
    ts_buf_free(&in);
    ts_buf_free(&tr);
    *state = h;
    return 0;
}

static int teardown(void **state) {
    hotgym *h = *state;
    if (h == NULL) return 0; /* the setup failed */
    ts_sdrs_free(&h->input);
    ts_sdrs_free(&h->trace);
    free(h);
    return 0;
}

static void run_hotgym(nupic_tm *tm, const hotgym *h, uint32_t from,
                       uint32_t to) {
    for (uint32_t t = from; t < to; t++) {
        step(tm, &h->input, t, true);
        size_t n;
        const uint32_t *cells = nupic_tm_active_cells(tm, &n);
        ts_assert_sdr(&h->trace, t, cells, n, "tm-hotgym active cells");
    }
}

static void hotgym_2000_steps(void **state) {
    hotgym *h = *state;
    nupic_tm *tm = new_tm("reference/tm-hotgym/params.json");
    run_hotgym(tm, h, 0, 2000);
    assert_int_equal(nupic_tm_iteration(tm), 2000);
    nupic_tm_free(tm);
}

static void hotgym_resume_from_nupic_core(void **state) {
    hotgym *h = *state;
    nupic_tm *theirs = load_tm("reference/tm-hotgym/tm_step1000.capnp.xz");
    assert_int_equal(nupic_tm_iteration(theirs), 1000);
    nupic_tm *ours = new_tm("reference/tm-hotgym/params.json");
    run_hotgym(ours, h, 0, 1000);
    assert_equal_tm(ours, theirs, "state after step 1000 vs nupic.core's");
    /* Canonical: the same state writes the same bytes, whatever history
     * (ours reused destroyed segment slots; theirs was rebuilt). */
    assert_same_bytes(ours, theirs);
    run_hotgym(theirs, h, 1000, 2000);
    run_hotgym(ours, h, 1000, 2000);
    assert_equal_tm(ours, theirs, "state after step 2000");
    nupic_tm_free(ours);
    nupic_tm_free(theirs);
}

/* ------------------------------------------------------------------------
 * Round trips
 * ------------------------------------------------------------------------ */

static void round_trips(void **state) {
    hotgym *h = *state;
    const char *path = "tm_round_trip.capnp";
    for (int form = 0; form < 6; form++) {
        nupic_tm *orig = new_tm("reference/tm-hotgym/params.json");
        run_hotgym(orig, h, 0, 700);
        bool unpacked = form & 1;
        nupic_save_options so = {unpacked};
        nupic_error err = {NUPIC_OK, ""};
        nupic_tm *copy = NULL;
        nupic_status st;
        if (form < 2) {
            ts_buf b;
            write_mem(orig, unpacked, &b);
            st = nupic_tm_read_from_mem(b.data, b.len, NULL, &copy, &err);
            ts_buf_free(&b);
        } else if (form < 4) {
            FILE *f = tmpfile();
            assert_non_null(f);
            assert_int_equal(nupic_tm_write_to_file(orig, f, &so, &err),
                             NUPIC_OK);
            rewind(f);
            st = nupic_tm_read_from_file(f, NULL, &copy, &err);
            fclose(f);
        } else {
            assert_int_equal(nupic_tm_save(orig, path, &so, &err), NUPIC_OK);
            st = nupic_tm_load(path, NULL, &copy, &err);
            remove(path);
        }
        if (st != NUPIC_OK) fail_msg("form %d: %s", form, err.message);
        assert_equal_tm(orig, copy, "after a round trip");
        assert_same_bytes(orig, copy);
        run_hotgym(orig, h, 700, 800);
        run_hotgym(copy, h, 700, 800);
        assert_equal_tm(orig, copy, "100 steps after a round trip");
        /* After a reset, too. */
        nupic_tm_reset(orig);
        ts_buf b;
        write_mem(orig, false, &b);
        nupic_tm *again = NULL;
        assert_int_equal(
            nupic_tm_read_from_mem(b.data, b.len, NULL, &again, &err),
            NUPIC_OK);
        ts_buf_free(&b);
        assert_equal_tm(orig, again, "a reset state after a round trip");
        nupic_tm_free(again);
        nupic_tm_free(orig);
        nupic_tm_free(copy);
    }
}

/* ------------------------------------------------------------------------
 * The generated batch
 * ------------------------------------------------------------------------ */

typedef struct run_data {
    ts_sdrs input, active, winner, predictive;
    char **anomaly; /* one line per step */
    uint32_t *segments, *synapses;
} run_data;

static ts_sdrs read_sdrs(json_t *outputs, const char *key) {
    char path[512];
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, key)));
    ts_buf b = ts_read_data(path);
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

/* Checks step t's outputs of tm against the run's traces. */
static void check_step(const nupic_tm *tm, const run_data *d, uint32_t t,
                       const char *name) {
    char what[128];
    size_t n;
    const uint32_t *cells = nupic_tm_active_cells(tm, &n);
    snprintf(what, sizeof what, "%s active cells", name);
    ts_assert_sdr(&d->active, t, cells, n, what);
    cells = nupic_tm_winner_cells(tm, &n);
    snprintf(what, sizeof what, "%s winner cells", name);
    ts_assert_sdr(&d->winner, t, cells, n, what);
    cells = nupic_tm_predictive_cells(tm, &n);
    snprintf(what, sizeof what, "%s predictive cells", name);
    ts_assert_sdr(&d->predictive, t, cells, n, what);
    char score[64];
    snprintf(score, sizeof score, "%.17g", (double)nupic_tm_anomaly(tm));
    if (strcmp(score, d->anomaly[t]) != 0)
        fail_msg("%s step %u: anomaly %s, nupic.core %s", name, t + 1, score,
                 d->anomaly[t]);
    if (nupic_tm_num_segments(tm) != d->segments[t] ||
        nupic_tm_num_synapses(tm) != d->synapses[t])
        fail_msg("%s step %u: %u segments %u synapses, nupic.core %u %u", name,
                 t + 1, nupic_tm_num_segments(tm), nupic_tm_num_synapses(tm),
                 d->segments[t], d->synapses[t]);
}

static bool learn_at(const char *schedule, uint32_t step) {
    if (strcmp(schedule, "mod3") == 0) return step % 3 != 0;
    if (strcmp(schedule, "off") == 0) return false;
    if (strcmp(schedule, "odd") == 0) return step % 2 == 1;
    return true;
}

static void run_generated(json_t *run) {
    const char *name = json_string_value(json_object_get(run, "name"));
    const char *schedule = json_string_value(json_object_get(run, "learn"));
    uint32_t last = (uint32_t)json_integer_value(
        json_array_get(json_object_get(run, "steps"), 1));
    char path[512];
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(run, "params")));
    nupic_tm *tm = new_tm(path);
    run_data d;
    memset(&d, 0, sizeof d);
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(run, "input")));
    ts_buf in = ts_read_data(path);
    d.input = ts_parse_sdrs(&in);
    ts_buf_free(&in);
    json_t *outputs = json_object_get(run, "outputs");
    d.active = read_sdrs(outputs, "activeCells");
    d.winner = read_sdrs(outputs, "winnerCells");
    d.predictive = read_sdrs(outputs, "predictiveCells");
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, "rawAnomaly")));
    d.anomaly = read_lines(path, last);
    snprintf(path, sizeof path, GEN "%s",
             json_string_value(json_object_get(outputs, "segmentsSynapses")));
    char **stats = read_lines(path, last);
    d.segments = calloc(last, sizeof *d.segments);
    d.synapses = calloc(last, sizeof *d.synapses);
    for (uint32_t t = 0; t < last; t++) {
        assert_int_equal(
            sscanf(stats[t], "%u %u", &d.segments[t], &d.synapses[t]), 2);
        free(stats[t]);
    }
    free(stats);

    nupic_tm *theirs = NULL;
    uint32_t state_step = 0;
    json_t *st = json_object_get(run, "state");
    if (st) {
        state_step =
            (uint32_t)json_integer_value(json_object_get(st, "afterStep"));
        snprintf(path, sizeof path, GEN "%s",
                 json_string_value(json_object_get(st, "file")));
        theirs = load_tm(path);
    }
    for (uint32_t t = 0; t < last; t++) {
        bool learn = learn_at(schedule, t + 1);
        step(tm, &d.input, t, learn);
        check_step(tm, &d, t, name);
        if (theirs && t + 1 == state_step) {
            char what[128];
            snprintf(what, sizeof what,
                     "%s: state after step %u vs nupic.core's", name,
                     state_step);
            assert_equal_tm(tm, theirs, what);
            assert_same_bytes(tm, theirs);
        }
        if (theirs && t + 1 > state_step) {
            step(theirs, &d.input, t, learn);
            check_step(theirs, &d, t, name);
        }
    }
    nupic_tm_free(theirs);
    nupic_tm_free(tm);
    for (uint32_t t = 0; t < last; t++)
        free(d.anomaly[t]);
    free(d.anomaly);
    free(d.segments);
    free(d.synapses);
    ts_sdrs_free(&d.input);
    ts_sdrs_free(&d.active);
    ts_sdrs_free(&d.winner);
    ts_sdrs_free(&d.predictive);
}

static void all_generated_tm_runs(void **state) {
    (void)state;
    json_error_t je;
    json_t *m = json_load_file(ts_data_path(GEN "manifest.json"), 0, &je);
    if (m == NULL) fail_msg("manifest.json:%d: %s", je.line, je.text);
    size_t i, count = 0;
    json_t *run;
    json_array_foreach(json_object_get(m, "runs"), i, run) {
        const char *kind = json_string_value(json_object_get(run, "kind"));
        if (kind == NULL || strcmp(kind, "TemporalMemory") != 0) continue;
        run_generated(run);
        count++;
    }
    assert_int_equal(count, 8);
    json_decref(m);
}

/* ------------------------------------------------------------------------
 * What a step remembers of the last
 * ------------------------------------------------------------------------ */

/* A step takes some shortcuts from what the last step left: the bursting
 * columns' runs of cells (set a word at a time) and the activity counts
 * (a segment whose synapses were all active needs no cell looked up).  A
 * temporal memory read back from its bytes has neither, and takes the
 * long way; both must step alike.  The cells per column (5, 100) make the
 * runs straddle 64-bit words; the thresholds are low, so that segments
 * form, predict and are punished within a few hundred steps. */
static void shortcuts_agree_with_the_long_way(void **state) {
    (void)state;
    const uint32_t cpcs[] = {5, 100};
    for (size_t k = 0; k < sizeof cpcs / sizeof cpcs[0]; k++) {
        nupic_tm_params p;
        nupic_tm_params_default(&p);
        p.column_dimensions[0] = 64;
        p.cells_per_column = cpcs[k];
        p.activation_threshold = 3;
        p.min_threshold = 2;
        p.max_new_synapse_count = 6;
        p.predicted_segment_decrement = 0.01f;
        p.max_segments_per_cell = 4;
        p.max_synapses_per_segment = 8;
        nupic_tm *tm;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(nupic_tm_new(&p, &tm, &err), NUPIC_OK);
        uint32_t patterns[10][8];
        for (uint32_t q = 0; q < 10; q++)
            for (uint32_t i = 0; i < 8; i++) /* ascending, distinct */
                patterns[q][i] = i * 8 + (q * 3 + i * 5) % 8;
        uint32_t bursts = 0, predicted = 0;
        for (uint32_t t = 0; t < 400; t++) {
            /* Every tenth step, noise: a pattern with one column moved. */
            uint32_t cols[8];
            memcpy(cols, patterns[t % 10], sizeof cols);
            if (t % 10 == 7) cols[3] = cols[3] / 8 * 8 + (cols[3] + 1) % 8;
            ts_buf b;
            write_mem(tm, t & 1, &b);
            nupic_tm *copy;
            if (nupic_tm_read_from_mem(b.data, b.len, NULL, &copy, &err) !=
                NUPIC_OK)
                fail_msg("step %u: %s", t, err.message);
            ts_buf_free(&b);
            bool learn = t % 7 != 6;
            assert_int_equal(nupic_tm_compute(tm, cols, 8, learn, &err),
                             NUPIC_OK);
            assert_int_equal(nupic_tm_compute(copy, cols, 8, learn, &err),
                             NUPIC_OK);
            char what[64];
            snprintf(what, sizeof what, "%u cells per column, step %u", cpcs[k],
                     t + 1);
            assert_equal_tm(tm, copy, what);
            nupic_tm_free(copy);
            size_t n;
            nupic_tm_active_cells(tm, &n);
            bursts += (uint32_t)(n > 8);
            predicted += (uint32_t)(n < 8 * cpcs[k]);
        }
        /* Both kinds of step happened. */
        assert_true(bursts > 0);
        assert_true(predicted > 0);
        nupic_tm_free(tm);
    }
}

/* ------------------------------------------------------------------------
 * The learning kernel
 * ------------------------------------------------------------------------ */

#ifdef TMS_KERNELS
/* A deterministic generator for the random segments (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32) % n;
}

/* Permanences that exercise the edges: 0, values at and around the
 * threshold and epsilon, 1, and anything between. */
static float some_perm(float thr, float eps) {
    switch (rnd(9)) {
    case 0: return 0.0f;
    case 1: return 1.0f;
    case 2: return thr;
    case 3: return nextafterf(thr, 0.0f);
    case 4: return eps;
    case 5: return 2 * eps;
    case 6: return thr - 0.1f;
    default: return (float)rnd(1000001) / 1e6f;
    }
}

/* The kernel's contract, written plainly: which block it stops at, what
 * it stores and which synapses it reports. */
static void kernel_case(uint32_t n, bool with_active, float inc, float dec) {
    assert_true(n <= 80);
    const float thr = 0.5f - 0.00001f, eps = 0.000001f;
    conn_syn v[80], want[80];
    uint64_t bits[4] = {0, 0, 0, 0}; /* cells 0..255 */
    for (uint32_t w = 0; w < 4; w++)
        bits[w] = (uint64_t)rnd(1u << 31) << 33 ^ (uint64_t)rnd(1u << 31);
    for (uint32_t r = 0; r < 80; r++)
        v[r] = (conn_syn){rnd(256), some_perm(thr, eps), 1000 + r};
    memcpy(want, v, sizeof v);
    uint32_t want_stop = n, want_flips[80], want_nf = 0;
    for (uint32_t blk = 0; blk < n && want_stop == n; blk += 16) {
        float p[16];
        uint32_t end = blk + 16 < n ? blk + 16 : n;
        for (uint32_t r = blk; r < end; r++) {
            uint32_t c = v[r].presyn;
            bool on = !with_active || ((bits[c / 64] >> (c % 64)) & 1);
            float x = v[r].perm + (on ? inc : -dec);
            p[r - blk] = 1.0f < x ? 1.0f : x;
            if (p[r - blk] < eps) want_stop = blk;
        }
        if (want_stop != n) break;
        for (uint32_t r = blk; r < end; r++) {
            if ((v[r].perm >= thr) != (p[r - blk] >= thr))
                want_flips[want_nf++] = r;
            want[r].perm = p[r - blk];
        }
    }
    uint32_t flips[80 + 16], nf = 12345;
    uint32_t stop = tms_adapt(v, n, with_active ? bits : NULL, inc, dec, thr,
                              eps, flips, &nf);
    assert_int_equal(stop, want_stop);
    assert_int_equal(nf, want_nf);
    assert_memory_equal(flips, want_flips, nf * sizeof *flips);
    for (uint32_t r = 0; r < 80; r++) {
        assert_int_equal(v[r].presyn, want[r].presyn);
        assert_int_equal(v[r].id, want[r].id);
        if (memcmp(&v[r].perm, &want[r].perm, sizeof(float)) != 0)
            fail_msg("n %u synapse %u: permanence %.9g, expected %.9g", n, r,
                     (double)v[r].perm, (double)want[r].perm);
    }
}
#endif

/* tms_adapt against kernel_case's model: every length from 0 to 80 (tails
 * of every size, one to five blocks), with and without the activity
 * bitset, increments and decrements that do and do not push permanences
 * below epsilon.  The records past n are sentinels the kernel must not
 * touch. */
static void kernel_matches_its_contract(void **state) {
    (void)state;
#ifdef TMS_KERNELS
    if (!tms_available()) skip();
    const float steps[][2] = {{0.1f, 0.1f},
                              {0.0f, 0.0f},
                              {-0.05f, 0.0f},
                              {0.02f, 0.3f},
                              {0.5f, 1.0f}};
    for (int round = 0; round < 40; round++)
        for (uint32_t n = 0; n <= 80; n++)
            for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
                kernel_case(n, round & 1, steps[s][0], steps[s][1]);
#else
    skip();
#endif
}

/* With the kernel turned off, the scalar loops match nupic.core as well. */
static void scalar_path_matches_nupic_core(void **state) {
#ifdef TMS_KERNELS
    if (!tms_available()) skip();
    tms_force_scalar(true);
    nupic_tm *tm = new_tm("reference/tm-hotgym/params.json");
    run_hotgym(tm, *state, 0, 2000);
    nupic_tm_free(tm);
    all_generated_tm_runs(state);
    tms_force_scalar(false);
#else
    (void)state;
    skip();
#endif
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hotgym_2000_steps),
        cmocka_unit_test(hotgym_resume_from_nupic_core),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(all_generated_tm_runs),
        cmocka_unit_test(shortcuts_agree_with_the_long_way),
        cmocka_unit_test(kernel_matches_its_contract),
        cmocka_unit_test(scalar_path_matches_nupic_core),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
