/*
 * examples/custom_region.c - a region type written in C, in a network with
 * the built-in ones, saved and restored with the rest of the network.
 *
 * The region ("example.Threshold") reads the SP's active columns and
 * outputs 1 when more than `min` of them are in the first half of the
 * columns; it counts how often that happened, and saves its count and
 * parameter as its state.  A real region type would usually give its state
 * a schema of its own; this one borrows nupic.core's ArrayProto (a union of
 * typed arrays) to stay one file.
 *
 * Run: custom_region [FILE]   (default: network.capnp in the current
 * directory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include <nupic/network.h>
#include <nupic/regions.h>

#include "nupic/proto/ArrayProto.capnp.h"

typedef struct threshold {
    double min;   /* parameter */
    double count; /* state: how many times the output was 1 */
} threshold;

static nupic_status th_create(nupic_region *r, const char *params, void **impl,
                              nupic_error *err) {
    (void)r;
    threshold *t = calloc(1, sizeof *t);
    if (t == NULL) return nupic_error_set(err, NUPIC_ERR_NOMEM, "threshold");
    t->min = 10;
    if (params && sscanf(params, "{\"min\": %lf}", &t->min) != 1) {
        free(t);
        return nupic_error_set(err, NUPIC_ERR_PARAM,
                               "example.Threshold: parameters are "
                               "{\"min\": N}, not %s",
                               params);
    }
    *impl = t;
    return NUPIC_OK;
}

static nupic_status th_initialize(nupic_region *r, void *impl,
                                  nupic_error *err) {
    (void)impl;
    return nupic_region_set_output_size(r, "out", 1, err);
}

static nupic_status th_compute(nupic_region *r, void *impl, nupic_error *err) {
    (void)err;
    threshold *t = impl;
    const nupic_array *in = nupic_region_input(r, "in");
    const float *x = in->data;
    double n = 0;
    for (uint32_t i = 0; i < in->count / 2; i++)
        n += x[i] != 0.0f;
    double on = n > t->min;
    t->count += on;
    ((double *)nupic_region_output(r, "out")->data)[0] = on;
    return NUPIC_OK;
}

static void th_free(void *impl) {
    free(impl);
}

/* The state: [min, count] as an ArrayProto's real64Array. */
static nupic_status th_write(const nupic_region *r, const void *impl,
                             ncp_bptr p, nupic_error *err) {
    (void)r;
    (void)err;
    const threshold *t = impl;
    const double v[2] = {t->min, t->count};
    ArrayProto_set_real64Array(ArrayProto_new(p), v, 2);
    return NUPIC_OK;
}

static nupic_status th_read(nupic_region *r, ncp_ptr p, void **impl,
                            nupic_error *err) {
    ncp_list l = ArrayProto_get_real64Array(ArrayProto_read(p));
    if (ncp_list_len(&l) != 2)
        return nupic_error_set(err, NUPIC_ERR_FORMAT,
                               "region '%s': the state holds %u values, "
                               "expected 2",
                               nupic_region_name(r), ncp_list_len(&l));
    threshold *t = calloc(1, sizeof *t);
    if (t == NULL) return nupic_error_set(err, NUPIC_ERR_NOMEM, "threshold");
    double v[2];
    ncp_list_get_f64s(&l, 0, 2, v);
    t->min = v[0];
    t->count = v[1];
    *impl = t;
    return NUPIC_OK;
}

static bool th_equal(const void *a, const void *b, char *diff, size_t n) {
    const threshold *x = a, *y = b;
    if (x->min == y->min && x->count == y->count) return true;
    if (diff) snprintf(diff, n, "example.Threshold: states differ");
    return false;
}

static const nupic_port_spec th_in[] = {{"in", NUPIC_ARRAY_REAL32, true}};
static const nupic_port_spec th_out[] = {{"out", NUPIC_ARRAY_REAL64, false}};
static const nupic_region_type threshold_type = {
    .name = "example.Threshold",
    .inputs = th_in,
    .n_inputs = 1,
    .outputs = th_out,
    .n_outputs = 1,
    .create = th_create,
    .initialize = th_initialize,
    .compute = th_compute,
    .free = th_free,
    .write = th_write,
    .read = th_read,
    .equal = th_equal,
    .execute = NULL,
};

#define CHECK(call)                                                            \
    do {                                                                       \
        if ((call) != NUPIC_OK) {                                              \
            fprintf(stderr, "custom_region: %s\n", err.message);               \
            goto done;                                                         \
        }                                                                      \
    } while (0)

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "network.capnp";
    nupic_network *net = NULL, *back = NULL;
    nupic_error err = {NUPIC_OK, ""};
    int status = 1;
    /* A sensor encoding one number, an SP, and the custom region. */
    CHECK(nupic_network_new(&net, &err));
    CHECK(nupic_network_add_type(net, &threshold_type, &err));
    CHECK(nupic_network_add_region(
        net, "sensor", "py.RecordSensor",
        "{\"encoders\": {\"x\": {\"type\": \"ScalarEncoder\", \"fieldname\": "
        "\"x\", \"minval\": 0, \"maxval\": 100, \"n\": 200, \"w\": 21}}}",
        0, &err));
    CHECK(nupic_network_add_region(
        net, "SP", "py.SPRegion",
        "{\"columnCount\": 256, \"globalInhibition\": true, "
        "\"numActiveColumnsPerInhArea\": 10, \"seed\": 7}",
        1, &err));
    CHECK(nupic_network_add_region(net, "threshold", "example.Threshold",
                                   "{\"min\": 5}", 2, &err));
    CHECK(nupic_network_link(net, "sensor", "dataOut", "SP", "bottomUpIn", 0,
                             &err));
    CHECK(nupic_network_link(net, "SP", "bottomUpOut", "threshold", "in", 0,
                             &err));
    CHECK(nupic_network_initialize(net, &err));
    /* Feed the sensor a wave, one record per run. */
    nupic_region *sensor = nupic_network_region(net, "sensor");
    for (int i = 0; i < 200; i++) {
        nupic_value v = {.kind = NUPIC_VALUE_NUMBER};
        v.u.number = 50 + 45 * sin(i * 0.2);
        CHECK(nupic_record_sensor_set_record(sensor, &v, &err));
        CHECK(nupic_network_run(net, 1, &err));
    }
    CHECK(nupic_network_save(net, path, NULL, &err));
    const nupic_region_type *const types[] = {&threshold_type};
    CHECK(nupic_network_load(path, NULL, types, 1, &back, &err));
    char diff[256];
    if (!nupic_network_equal(net, back, diff, sizeof diff)) {
        fprintf(stderr, "custom_region: restored network differs: %s\n", diff);
        goto done;
    }
    for (int i = 200; i < 260; i++) {
        nupic_value v = {.kind = NUPIC_VALUE_NUMBER};
        v.u.number = 50 + 45 * sin(i * 0.2);
        CHECK(nupic_record_sensor_set_record(sensor, &v, &err));
        CHECK(nupic_record_sensor_set_record(
            nupic_network_region(back, "sensor"), &v, &err));
        CHECK(nupic_network_run(net, 1, &err));
        CHECK(nupic_network_run(back, 1, &err));
    }
    if (!nupic_network_equal(net, back, diff, sizeof diff)) {
        fprintf(stderr, "custom_region: runs differ after loading: %s\n", diff);
        goto done;
    }
    const threshold *t =
        nupic_region_impl(nupic_network_region(back, "threshold"));
    printf("saved %s; the restored network (with example.Threshold, on "
           "%.0f times of 260) runs exactly as the original\n",
           path, t->count);
    status = 0;
done:
    nupic_network_free(net);
    nupic_network_free(back);
    return status;
}
