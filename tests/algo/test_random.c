/*
 * tests/algo/test_random.c - nupic.core's generator, against the reference
 * outputs of the original (tests/data/reference/random_reference.txt).
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/random.h>

/* Parses the numbers after "seed S <label>:" on the matching line. */
static int reference_numbers(uint64_t seed, const char *label, double *out,
                             int max) {
    FILE *f = fopen(ts_data_path("reference/random_reference.txt"), "r");
    assert_non_null(f);
    char prefix[128], line[4096];
    snprintf(prefix, sizeof prefix, "seed %llu %s", (unsigned long long)seed,
             label);
    int n = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, prefix, strlen(prefix)) != 0) continue;
        char *p = strchr(line + strlen(prefix), ':');
        assert_non_null(p);
        p++;
        n = 0;
        char *end;
        while (n < max) {
            double v = strtod(p, &end);
            if (end == p) break;
            out[n++] = v;
            p = end;
        }
        break;
    }
    fclose(f);
    if (n < 0) fail_msg("no reference line '%s'", prefix);
    return n;
}

static const uint64_t seeds[] = {1, 42, 1956, 1960};

static void raw_outputs(void **state) {
    (void)state;
    for (size_t s = 0; s < 4; s++) {
        double want[10];
        assert_int_equal(
            reference_numbers(seeds[s], "getUInt32() x10", want, 10), 10);
        nupic_random r;
        nupic_random_init(&r, seeds[s]);
        for (int i = 0; i < 10; i++)
            assert_int_equal(nupic_random_next(&r), (uint32_t)want[i]);
    }
}

static void real64_outputs(void **state) {
    (void)state;
    for (size_t s = 0; s < 4; s++) {
        double want[5];
        assert_int_equal(reference_numbers(seeds[s], "getReal64() x5", want, 5),
                         5);
        nupic_random r;
        nupic_random_init(&r, seeds[s]);
        for (int i = 0; i < 5; i++) {
            double got = nupic_random_real64(&r);
            /* The reference prints 17 significant digits: exact. */
            char a[64], b[64];
            snprintf(a, sizeof a, "%.17g", got);
            snprintf(b, sizeof b, "%.17g", want[i]);
            assert_string_equal(a, b);
        }
    }
}

static void bounded_outputs(void **state) {
    (void)state;
    for (size_t s = 0; s < 4; s++) {
        double want[10];
        assert_int_equal(
            reference_numbers(seeds[s], "getUInt32(100) x10", want, 10), 10);
        nupic_random r;
        nupic_random_init(&r, seeds[s]);
        for (int i = 0; i < 10; i++)
            assert_int_equal(nupic_random_u32(&r, 100), (uint32_t)want[i]);
    }
}

static void state_after_construction(void **state) {
    (void)state;
    for (size_t s = 0; s < 4; s++) {
        /* "random-v1 SEED RandomImpl 2 31 <31 words> RPTR FPTR ..." */
        double want[40];
        int n = reference_numbers(seeds[s], "textual state after construction",
                                  want, 0);
        (void)n;
        FILE *f = fopen(ts_data_path("reference/random_reference.txt"), "r");
        assert_non_null(f);
        char line[4096], prefix[128];
        snprintf(prefix, sizeof prefix, "seed %llu textual state",
                 (unsigned long long)seeds[s]);
        char *found = NULL;
        while (fgets(line, sizeof line, f))
            if (strncmp(line, prefix, strlen(prefix)) == 0) {
                found = strstr(line, "RandomImpl 2 31 ");
                break;
            }
        fclose(f);
        assert_non_null(found);
        char *p = found + strlen("RandomImpl 2 31 ");
        nupic_random r;
        nupic_random_init(&r, seeds[s]);
        for (int i = 0; i < 31; i++)
            assert_int_equal(r.state[i], strtoul(p, &p, 10));
        assert_int_equal(r.rptr, strtol(p, &p, 10));
        assert_int_equal(r.fptr, strtol(p, &p, 10));
    }
}

static void sampling_and_shuffle(void **state) {
    (void)state;
    nupic_random r;
    nupic_random_init(&r, 42);
    uint32_t pop[100], pick[10];
    for (uint32_t i = 0; i < 100; i++)
        pop[i] = i * 3;
    assert_int_equal(nupic_random_sample(&r, pop, 100, pick, 10), NUPIC_OK);
    for (int i = 1; i < 10; i++)
        assert_true(pick[i] > pick[i - 1]);
    for (int i = 0; i < 10; i++)
        assert_int_equal(pick[i] % 3, 0);
    assert_int_equal(nupic_random_sample(&r, pop, 5, pick, 6), NUPIC_ERR_ARG);
    /* All of the population: every element, in order. */
    assert_int_equal(nupic_random_sample(&r, pop, 10, pick, 10), NUPIC_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(pick[i], pop[i]);
    uint32_t v[50];
    for (uint32_t i = 0; i < 50; i++)
        v[i] = i;
    nupic_random_shuffle(&r, v, 50);
    bool seen[50] = {0};
    for (int i = 0; i < 50; i++)
        seen[v[i]] = true;
    for (int i = 0; i < 50; i++)
        assert_true(seen[i]);
}

static void serialization_round_trip(void **state) {
    (void)state;
    nupic_random r;
    nupic_random_init(&r, 1956);
    for (int i = 0; i < 1000; i++)
        nupic_random_next(&r);
    ncp_builder *b;
    assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
    nupic_error err = {NUPIC_OK, ""};
    assert_int_equal(nupic_random_write(&r, RandomProto_new_root(b), &err),
                     NUPIC_OK);
    ts_buf bytes = ts_write_mem(b, 0);
    ncp_msg *m = ts_open(&bytes);
    nupic_random back;
    assert_int_equal(nupic_random_read(RandomProto_read_root(m), &back, &err),
                     NUPIC_OK);
    assert_true(nupic_random_equal(&r, &back));
    for (int i = 0; i < 100; i++)
        assert_int_equal(nupic_random_next(&r), nupic_random_next(&back));
    ncp_msg_free(m);
    ts_buf_free(&bytes);
    ncp_builder_free(b);
}

static void corrupt_state_is_refused(void **state) {
    (void)state;
    struct {
        int words;
        int64_t word0, rptr, fptr;
        const char *what;
    } cases[] = {
        {30, 1, 0, 3, "30 words, expected 31"},
        {31, -1, 0, 3, "word 0 is -1"},
        {31, 4294967296, 0, 3, "not a 32-bit value"},
        {31, 1, 5, 3, "not 3 apart"},
        {31, 1, 29, 32, "not 3 apart"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ncp_builder *b;
        assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
        RandomProto_B rb = RandomProto_new_root(b);
        RandomProto_set_seed(rb, 7);
        RandomImplProto_B ib = RandomProto_init_impl(rb);
        int64_t words[31] = {0};
        words[0] = cases[c].word0;
        RandomImplProto_set_state(ib, words, (uint32_t)cases[c].words);
        RandomImplProto_set_rptr(ib, cases[c].rptr);
        RandomImplProto_set_fptr(ib, cases[c].fptr);
        ts_buf bytes = ts_write_mem(b, 0);
        ncp_msg *m = ts_open(&bytes);
        nupic_random out;
        memset(&out, 0xab, sizeof out);
        nupic_random before = out;
        nupic_error err = {NUPIC_OK, ""};
        assert_int_equal(
            nupic_random_read(RandomProto_read_root(m), &out, &err),
            NUPIC_ERR_FORMAT);
        assert_non_null(strstr(err.message, cases[c].what));
        assert_memory_equal(&out, &before, sizeof out);
        ncp_msg_free(m);
        ts_buf_free(&bytes);
        ncp_builder_free(b);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(raw_outputs),
        cmocka_unit_test(real64_outputs),
        cmocka_unit_test(bounded_outputs),
        cmocka_unit_test(state_after_construction),
        cmocka_unit_test(sampling_and_shuffle),
        cmocka_unit_test(serialization_round_trip),
        cmocka_unit_test(corrupt_state_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
