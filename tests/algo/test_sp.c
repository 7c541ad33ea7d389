/*
 * tests/algo/test_sp.c - the spatial pooler against nupic.core: the same
 * active columns at every step (tests/data/reference/sp-hotgym), the same
 * state after construction (sp-tiny), nupic.core's saved state loading and
 * continuing exactly; round trips that keep every field and byte.
 */
#include "test_support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/sp.h>

/* sp-hotgym/params.json */
static nupic_sp_params hotgym_params(void) {
    nupic_sp_params p;
    nupic_sp_params_default(&p);
    p.num_dimensions = 1;
    p.input_dimensions[0] = 1024;
    p.column_dimensions[0] = 2048;
    p.potential_radius = 1024;
    p.potential_pct = 0.8f;
    p.global_inhibition = true;
    p.local_area_density = -1.0f;
    p.num_active_columns_per_inh_area = 40;
    p.stimulus_threshold = 0;
    p.syn_perm_inactive_dec = 0.0005f;
    p.syn_perm_active_inc = 0.003f;
    p.syn_perm_connected = 0.2f;
    p.min_pct_overlap_duty_cycles = 0.001f;
    p.duty_cycle_period = 1000;
    p.boost_strength = 0.0f;
    p.seed = 1956;
    p.sp_verbosity = 0;
    p.wrap_around = true;
    return p;
}

typedef struct fixture {
    ts_sdrs input, trace;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    ts_buf in = ts_read_data("reference/inputs/seq_1024x51_2000.txt.xz");
    ts_buf tr = ts_read_data("reference/sp-hotgym/sp_seq_active.txt.xz");
    f->input = ts_parse_sdrs(&in);
    f->trace = ts_parse_sdrs(&tr);
    ts_buf_free(&in);
    ts_buf_free(&tr);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    ts_sdrs_free(&f->input);
    ts_sdrs_free(&f->trace);
    free(f);
    return 0;
}

/* Runs steps [from, to) of the trace and checks every step. */
static void run_and_check(nupic_sp *sp, const fixture *f, uint32_t from,
                          uint32_t to) {
    uint32_t out[2048];
    for (uint32_t t = from; t < to; t++) {
        size_t n = 0;
        nupic_error err = {NUPIC_OK, ""};
        const uint32_t *in = f->input.idx + f->input.start[t];
        size_t nin = f->input.start[t + 1] - f->input.start[t];
        if (nupic_sp_compute(sp, in, nin, true, out, &n, &err) != NUPIC_OK)
            fail_msg("step %u: %s", t + 1, err.message);
        ts_assert_sdr(&f->trace, t, out, n, "sp-hotgym active columns");
    }
}

static void hotgym_2000_steps(void **state) {
    fixture *f = *state;
    nupic_sp_params p = hotgym_params();
    nupic_sp *sp;
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_sp_new(&p, &sp, &err), NUPIC_OK);
    run_and_check(sp, f, 0, 2000);
    assert_int_equal(nupic_sp_iteration_num(sp), 2000);
    nupic_sp_free(sp);
}

/* nupic.core's state after step 1000 loads and continues exactly. */
static void hotgym_resume_from_nupic_core(void **state) {
    fixture *f = *state;
    ts_buf bytes = ts_read_data("reference/sp-hotgym/sp_seq_step1000.capnp.xz");
    assert_int_equal(bytes.len, 19909208);
    nupic_sp *sp;
    nupic_error err = {NUPIC_OK, ""};
    if (nupic_sp_read_from_mem(bytes.data, bytes.len, NULL, &sp, &err) !=
        NUPIC_OK)
        fail_msg("%s", err.message);
    assert_int_equal(nupic_sp_iteration_num(sp), 1000);
    /* It equals our own run to step 1000, field by field. */
    nupic_sp_params p = hotgym_params();
    nupic_sp *ours;
    assert_int_equal(nupic_sp_new(&p, &ours, &err), NUPIC_OK);
    run_and_check(ours, f, 0, 1000);
    char diff[256];
    if (!nupic_sp_equal(sp, ours, diff, sizeof diff))
        fail_msg("state after step 1000 differs from nupic.core's: %s", diff);
    run_and_check(sp, f, 1000, 2000);
    nupic_sp_free(ours);
    nupic_sp_free(sp);
    ts_buf_free(&bytes);
}

/* Right after construction, the whole state equals nupic.core's. */
static void tiny_construction_matches(void **state) {
    (void)state;
    struct {
        const char *file;
        bool global;
        float dec, inc;
        int32_t seed;
    } cases[] = {
        {"reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp", true, 0.008f,
         0.05f, 1},
        {"reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp", false,
         0.01f, 0.1f, 1956},
        {"reference/sp-tiny/sp_tiny_10x10_cppdefaults.capnp.packed", true,
         0.008f, 0.05f, 1},
        {"reference/sp-tiny/sp_tiny_10x10_pydefaults_seed1956.capnp.packed",
         false, 0.01f, 0.1f, 1956},
    };
    for (size_t i = 0; i < 4; i++) {
        ts_buf bytes = ts_read_data(cases[i].file);
        nupic_sp *theirs;
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_sp_read_from_mem(bytes.data, bytes.len, NULL, &theirs, &err))
            fail_msg("%s: %s", cases[i].file, err.message);
        nupic_sp_params p;
        nupic_sp_params_default(&p);
        p.num_dimensions = 1;
        p.input_dimensions[0] = 10;
        p.column_dimensions[0] = 10;
        p.global_inhibition = cases[i].global;
        p.syn_perm_inactive_dec = cases[i].dec;
        p.syn_perm_active_inc = cases[i].inc;
        p.seed = cases[i].seed;
        nupic_sp *ours;
        assert_int_equal(nupic_sp_new(&p, &ours, &err), NUPIC_OK);
        char diff[256];
        if (!nupic_sp_equal(ours, theirs, diff, sizeof diff))
            fail_msg("%s: %s", cases[i].file, diff);
        nupic_sp_free(ours);
        nupic_sp_free(theirs);
        ts_buf_free(&bytes);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_construction_matches),
        cmocka_unit_test(hotgym_2000_steps),
        cmocka_unit_test(hotgym_resume_from_nupic_core),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
