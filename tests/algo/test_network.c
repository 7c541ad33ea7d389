/*
 * tests/algo/test_network.c - the network engine (nupic/network.h) with a
 * region type written here, as a user would: its state in a schema of its
 * own (here ArrayProto), links with delays, phases, and the network saved
 * and restored whole, continuing exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nupic/network.h>

#include "nupic/proto/ArrayProto.capnp.h"

/* test.Accumulator: out = total += 1 + sum(in); the total is its state. */
typedef struct acc {
    double total;
} acc;

static nupic_status acc_create(nupic_region *r, const char *params, void **impl,
                               nupic_error *err) {
    (void)r;
    acc *a = calloc(1, sizeof *a);
    if (a == NULL) return nupic_error_set(err, NUPIC_ERR_NOMEM, "acc: nomem");
    if (params && strcmp(params, "{\"start\": 100}") == 0) a->total = 100;
    *impl = a;
    return NUPIC_OK;
}
static nupic_status acc_initialize(nupic_region *r, void *impl,
                                   nupic_error *err) {
    (void)impl;
    return nupic_region_set_output_size(r, "out", 1, err);
}
static nupic_status acc_compute(nupic_region *r, void *impl, nupic_error *err) {
    (void)err;
    acc *a = impl;
    const nupic_array *in = nupic_region_input(r, "in");
    double add = 1;
    for (uint32_t i = 0; i < in->count; i++)
        add += ((const double *)in->data)[i];
    a->total += add;
    ((double *)nupic_region_output(r, "out")->data)[0] = a->total;
    return NUPIC_OK;
}
static void acc_free(void *impl) {
    free(impl);
}
static nupic_status acc_write(const nupic_region *r, const void *impl,
                              ncp_bptr p, nupic_error *err) {
    (void)r;
    (void)err;
    const acc *a = impl;
    ArrayProto_set_real64Array(ArrayProto_new(p), &a->total, 1);
    return NUPIC_OK;
}
static nupic_status acc_read(nupic_region *r, ncp_ptr p, void **impl,
                             nupic_error *err) {
    (void)r;
    ncp_list l = ArrayProto_get_real64Array(ArrayProto_read(p));
    if (ncp_list_len(&l) != 1)
        return nupic_error_set(err, NUPIC_ERR_FORMAT, "acc: bad state");
    acc *a = calloc(1, sizeof *a);
    if (a == NULL) return nupic_error_set(err, NUPIC_ERR_NOMEM, "acc: nomem");
    ncp_list_get_f64s(&l, 0, 1, &a->total);
    *impl = a;
    return NUPIC_OK;
}
static bool acc_equal(const void *x, const void *y, char *diff, size_t n) {
    bool same = ((const acc *)x)->total == ((const acc *)y)->total;
    if (!same && diff) snprintf(diff, n, "acc totals differ");
    return same;
}

static const nupic_port_spec acc_in[] = {{"in", NUPIC_ARRAY_REAL64, false}};
static const nupic_port_spec acc_out[] = {{"out", NUPIC_ARRAY_REAL64, false}};
static const nupic_region_type acc_type = {
    "test.Accumulator", acc_in,         1,           acc_out,  1,
    acc_create,         acc_initialize, acc_compute, acc_free, acc_write,
    acc_read,           acc_equal,      NULL};
static const nupic_region_type *const acc_types[] = {&acc_type};

#define OK(call)                                                               \
    do {                                                                       \
        nupic_error e_ = {0};                                                  \
        nupic_error *err = &e_;                                                \
        if ((call) != NUPIC_OK) fail_msg("%s: %s", #call, e_.message);         \
    } while (0)

static double out_of(nupic_network *n, const char *region) {
    return ((const double *)nupic_region_output(nupic_network_region(n, region),
                                                "out")
                ->data)[0];
}

/* a -> b (delay 2), a -> c, b -> c (phases 0, 1, 2). */
static nupic_network *make(void) {
    nupic_network *n = NULL;
    OK(nupic_network_new(&n, err));
    OK(nupic_network_add_type(n, &acc_type, err));
    OK(nupic_network_add_region(n, "c", "test.Accumulator", NULL, 2, err));
    OK(nupic_network_add_region(n, "a", "test.Accumulator", "{\"start\": 100}",
                                0, err));
    OK(nupic_network_add_region(n, "b", "test.Accumulator", NULL, 1, err));
    OK(nupic_network_link(n, "a", "out", "b", "in", 2, err));
    OK(nupic_network_link(n, "a", NULL, "c", NULL, 0, err));
    OK(nupic_network_link(n, "b", "out", "c", "in", 0, err));
    return n;
}

static void test_run_order_and_delays(void **state) {
    (void)state;
    nupic_network *n = make();
    /* a: 101, 102, 103; b sees a's value of two iterations before (0
     * first): 1, 2, 1+1+101 = 104. */
    OK(nupic_network_run(n, 1, err));
    assert_true(out_of(n, "a") == 101 && out_of(n, "b") == 1);
    assert_true(out_of(n, "c") == 1 + 101 + 1);
    OK(nupic_network_run(n, 2, err));
    assert_true(out_of(n, "a") == 103);
    assert_true(out_of(n, "b") == 104);
    assert_int_equal(nupic_network_iteration(n), 3);
    nupic_network_free(n);
}

static void test_save_load(void **state) {
    (void)state;
    nupic_network *n = make();
    OK(nupic_network_run(n, 5, err));
    void *buf = NULL;
    size_t len = 0;
    OK(nupic_network_write_to_mem(n, NULL, &buf, &len, err));
    /* Without the type: an error naming it. */
    nupic_network *r = NULL;
    nupic_error e = {0};
    assert_int_equal(
        nupic_network_read_from_mem(buf, len, NULL, NULL, 0, &r, &e),
        NUPIC_ERR_UNSUPPORTED);
    assert_null(r);
    assert_non_null(strstr(e.message, "test.Accumulator"));
    OK(nupic_network_read_from_mem(buf, len, NULL, acc_types, 1, &r, err));
    char diff[256] = "";
    if (!nupic_network_equal(n, r, diff, sizeof diff)) fail_msg("%s", diff);
    void *buf2 = NULL;
    size_t len2 = 0;
    OK(nupic_network_write_to_mem(r, NULL, &buf2, &len2, err));
    ts_assert_bytes_equal(buf, len, buf2, len2);
    for (int i = 0; i < 4; i++) {
        OK(nupic_network_run(n, 1, err));
        OK(nupic_network_run(r, 1, err));
        assert_true(out_of(n, "b") == out_of(r, "b"));
        assert_true(out_of(n, "c") == out_of(r, "c"));
    }
    assert_true(nupic_network_equal(n, r, diff, sizeof diff));
    /* The path pair, atomic. */
    char path[64];
    snprintf(path, sizeof path, "net-%ld.capnp", (long)getpid());
    OK(nupic_network_save(n, path, NULL, err));
    nupic_network *p = NULL;
    OK(nupic_network_load(path, NULL, acc_types, 1, &p, err));
    assert_true(nupic_network_equal(n, p, diff, sizeof diff));
    unlink(path);
    free(buf);
    free(buf2);
    nupic_network_free(n);
    nupic_network_free(r);
    nupic_network_free(p);
}

static void test_errors(void **state) {
    (void)state;
    nupic_network *n = NULL;
    nupic_error e = {0};
    OK(nupic_network_new(&n, err));
    OK(nupic_network_add_type(n, &acc_type, err));
    assert_int_equal(nupic_network_add_type(n, &acc_type, &e), NUPIC_ERR_ARG);
    memset(&e, 0, sizeof e);
    assert_int_equal(nupic_network_add_region(n, "x", "no.Such", NULL, 0, &e),
                     NUPIC_ERR_UNSUPPORTED);
    assert_non_null(strstr(e.message, "no.Such"));
    OK(nupic_network_add_region(n, "x", "test.Accumulator", NULL, 1, err));
    OK(nupic_network_add_region(n, "y", "test.Accumulator", NULL, 0, err));
    memset(&e, 0, sizeof e);
    assert_int_equal(
        nupic_network_add_region(n, "x", "test.Accumulator", NULL, 0, &e),
        NUPIC_ERR_ARG);
    assert_int_equal(nupic_network_link(n, "x", "nope", "y", NULL, 0, &e),
                     NUPIC_ERR_ARG);
    /* x runs after y: an undelayed link x -> y goes backwards. */
    OK(nupic_network_link(n, "x", NULL, "y", NULL, 0, err));
    memset(&e, 0, sizeof e);
    assert_int_equal(nupic_network_initialize(n, &e), NUPIC_ERR_ARG);
    assert_non_null(strstr(e.message, "backwards"));
    nupic_network_free(n);
    /* Garbage never crashes. */
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37);
    nupic_network *r = NULL;
    assert_int_not_equal(nupic_network_read_from_mem(junk, sizeof junk, NULL,
                                                     acc_types, 1, &r, &e),
                         NUPIC_OK);
    assert_null(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_order_and_delays),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
