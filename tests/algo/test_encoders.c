/*
 * tests/algo/test_encoders.c - the encoders against NuPIC's own Python
 * encoders (tests/data/encoders, made as its README.md says): the same
 * bits and buckets for every hotgym record and edge value, the same errors,
 * the same derived parameters; NuPIC's saved encoders load into the state
 * ours reach, and continue as NuPIC's restored encoders do.
 */
#include "enc_ref.h"

/* The state our encoder would have after NuPIC's write and read: ours,
 * written and read back. */
#define RESTORED(type, proto, e, out)                                          \
    do {                                                                       \
        ncp_builder *b_ = NULL;                                                \
        assert_int_equal(ncp_builder_new(NULL, &b_), NCP_OK);                  \
        REF_OK(nupic_##type##_write(e, proto##_new_root(b_), err));            \
        ts_buf bytes_ = ts_write_mem(b_, 0);                                   \
        ncp_builder_free(b_);                                                  \
        ncp_msg *m_ = ts_open(&bytes_);                                        \
        REF_OK(nupic_##type##_read(proto##_read_root(m_), out, err));          \
        ncp_msg_free(m_);                                                      \
        ts_buf_free(&bytes_);                                                  \
    } while (0)

/* Removes the DateEncoders' names from capnp's text of a message (NuPIC
 * does not write them; nupic-c does); returns how many. */
static int strip_date_names(char *text, bool date_root) {
    static const char *const marks[] = {"dateEncoder = (name = \"",
                                        "(name = \""};
    int removed = 0;
    for (int k = 0; k < (date_root ? 2 : 1); k++) {
        char *at;
        while ((at = strstr(text, marks[k])) != NULL) {
            if (k == 1 && at != text) break; /* only a DateEncoderProto root */
            char *name = at + strlen(marks[k]) - strlen("name = \"");
            char *end = strstr(name, "\", ");
            if (end == NULL) break;
            memmove(name, end + 3, strlen(end + 3) + 1);
            removed++;
        }
    }
    return removed;
}

/* Removes nupic-c's additions to the RDSE's schema (resolutionExact,
 * offsetExact: the values NuPIC keeps as Float32, in full) from capnp's
 * text of a message; returns how many. */
static int strip_exact_values(char *text) {
    static const char *const marks[] = {", resolutionExact = ",
                                        ", offsetExact = "};
    int removed = 0;
    for (int k = 0; k < 2; k++) {
        char *at;
        while ((at = strstr(text, marks[k])) != NULL) {
            char *end = at + strlen(marks[k]);
            end += strcspn(end, ",)");
            memmove(at, end, strlen(end) + 1);
            removed++;
        }
    }
    return removed;
}

static char *capnp_text(const char *bin_path, const char *schema_file,
                        const char *type) {
    char args[1024], out[64];
    const char *root = ts_data_path("../../schema");
    char rootc[256];
    snprintf(rootc, sizeof rootc, "%s", root);
    snprintf(args, sizeof args,
             "decode --short --no-standard-import -I%s %s/nupic/encoders/%s %s",
             rootc, rootc, schema_file, type);
    snprintf(out, sizeof out, "%s.txt", bin_path);
    if (ts_capnp(args, bin_path, out) != 0)
        fail_msg("capnp %s failed on %s", args, bin_path);
    ts_buf t = ts_read_file(out);
    char *s = malloc(t.len + 1);
    assert_non_null(s);
    memcpy(s, t.data, t.len);
    s[t.len] = '\0';
    ts_buf_free(&t);
    return s;
}

/* Our message (ours, unpacked) against NuPIC's (relative): the same
 * content as the reference tool prints it, DateEncoder names aside; the
 * same bytes where both are one segment and no name was set aside. */
static void same_as_nupic(const ts_buf *ours, const char *relative,
                          const char *schema_file, const char *type) {
    ts_buf theirs = ts_read_data(relative);
    ts_write_file("ours.bin", ours->data, ours->len);
    ts_write_file("theirs.bin", theirs.data, theirs.len);
    char *a = capnp_text("ours.bin", schema_file, type);
    char *b = capnp_text("theirs.bin", schema_file, type);
    int stripped = strip_date_names(a, strcmp(type, "DateEncoderProto") == 0);
    stripped += strip_exact_values(a);
    strip_exact_values(b); /* capnp prints their defaults */
    if (strcmp(a, b) != 0) {
        size_t i = 0;
        while (a[i] && a[i] == b[i])
            i++;
        fail_msg(
            "%s: content differs at %zu:\n ours:   %.120s\n NuPIC's: %.120s",
            relative, i, a + (i > 40 ? i - 40 : 0), b + (i > 40 ? i - 40 : 0));
    }
    bool one_segment = theirs.len >= 4 && ours->len >= 4 &&
                       memcmp(theirs.data, "\0\0\0\0", 4) == 0 &&
                       memcmp(ours->data, "\0\0\0\0", 4) == 0;
    if (one_segment && stripped == 0)
        ts_assert_bytes_equal(ours->data, ours->len, theirs.data, theirs.len);
    free(a);
    free(b);
    ts_buf_free(&theirs);
}

#define SAME_AS_NUPIC(type, proto, schema, e, relative)                        \
    do {                                                                       \
        ncp_builder_options bo_ = {0};                                         \
        bo_.first_segment_words = 1u << 16;                                    \
        ncp_builder *b_ = NULL;                                                \
        assert_int_equal(ncp_builder_new(&bo_, &b_), NCP_OK);                  \
        REF_OK(nupic_##type##_write(e, proto##_new_root(b_), err));            \
        ts_buf ours_ = ts_write_mem(b_, 0);                                    \
        ncp_builder_free(b_);                                                  \
        same_as_nupic(&ours_, relative, schema, #proto);                       \
        ts_buf_free(&ours_);                                                   \
    } while (0)

/* ------------------------------------------------------------------------
 * ScalarEncoder
 * ------------------------------------------------------------------------ */

static const char *const scalar_files[] = {
    "scalar_hotgym_n29",     "scalar_hotgym_n115",    "scalar_resolution",
    "scalar_radius_clip",    "scalar_periodic_hours", "scalar_periodic_days",
    "scalar_periodic_offset"};

static void run_scalar_cases(const nupic_scalar_enc *e, const ref_file *r,
                             const char *file) {
    uint32_t width = nupic_scalar_enc_width(e);
    uint8_t *out = malloc(width), *zeros = calloc(width, 1);
    assert_non_null(out);
    for (size_t i = 0; i < r->n; i++) {
        const ref_case *c = &r->cases[i];
        nupic_error err = {NUPIC_OK, ""};
        uint32_t bucket = 0;
        if (ref_is_missing(c->input)) {
            nupic_scalar_enc_encode_missing(e, out);
            ref_check_bits(out, width, c->bits, file, i);
            continue;
        }
        double x = strtod(c->input, NULL);
        nupic_status st = nupic_scalar_enc_encode(e, x, out, &err);
        if (isnan(x)) {
            /* NuPIC: NaN is a missing value (no bits); here an error. */
            assert_int_equal(st, NUPIC_ERR_ARG);
            assert_string_equal(c->result, "-");
            ref_check_bits(zeros, width, c->bits, file, i);
            continue;
        }
        if (ref_is_error(c)) {
            if (st != NUPIC_ERR_ARG)
                fail_msg("%s case %zu (%s): NuPIC fails (%s), we give %d", file,
                         i, c->input, c->bits, st);
            /* The same words as NuPIC's message ("input (54.0) greater
             * than range (0.0 - 53.0)"; NuPIC prints integers as such). */
            const char *close = strstr(c->bits, ") "), *open = NULL;
            if (close) open = strstr(close, " (");
            char phrase[64] = "";
            if (close && open && open - close < 60)
                snprintf(phrase, sizeof phrase, "%.*s", (int)(open - close),
                         close);
            if (phrase[0] && strstr(err.message, phrase) == NULL)
                fail_msg("%s case %zu: message '%s' lacks NuPIC's '%s'", file,
                         i, err.message, phrase);
            continue;
        }
        if (st != NUPIC_OK)
            fail_msg("%s case %zu (%s): %s", file, i, c->input, err.message);
        ref_check_bits(out, width, c->bits, file, i);
        assert_int_equal(nupic_scalar_enc_bucket(e, x, &bucket, &err),
                         NUPIC_OK);
        if (bucket != strtoul(c->result, NULL, 10))
            fail_msg("%s case %zu (%s): bucket %u, NuPIC's %s", file, i,
                     c->input, bucket, c->result);
    }
    free(out);
    free(zeros);
}

static void scalar_matches_nupic(void **state) {
    (void)state;
    char path[128];
    for (size_t f = 0; f < sizeof scalar_files / sizeof *scalar_files; f++) {
        snprintf(path, sizeof path, "encoders/%s.txt.xz", scalar_files[f]);
        ref_file r = ref_load(path);
        nupic_scalar_enc *e = NULL;
        REF_OK(nupic_scalar_enc_new_from_json(r.params, strlen(r.params), &e,
                                              err));
        run_scalar_cases(e, &r, path);
        /* NuPIC's saved encoder is ours, saved and restored, byte for
         * byte. */
        snprintf(path, sizeof path, "encoders/%s.bin", scalar_files[f]);
        ref_msg m = ref_msg_load(path);
        nupic_scalar_enc *theirs = NULL, *back = NULL;
        REF_OK(nupic_scalar_enc_read(ScalarEncoderProto_read_root(m.msg),
                                     &theirs, err));
        RESTORED(scalar_enc, ScalarEncoderProto, e, &back);
        char diff[256];
        if (!nupic_scalar_enc_equal(theirs, back, diff, sizeof diff))
            fail_msg("%s: %s", path, diff);
        SAME_AS_NUPIC(scalar_enc, ScalarEncoderProto, "scalar.capnp", e, path);
        /* ... and continues as NuPIC's restored encoder. */
        snprintf(path, sizeof path, "encoders/%s.restored.txt.xz",
                 scalar_files[f]);
        ref_file rr = ref_load(path);
        run_scalar_cases(theirs, &rr, path);
        ref_free(&rr);
        ref_msg_free(&m);
        nupic_scalar_enc_free(theirs);
        nupic_scalar_enc_free(back);
        nupic_scalar_enc_free(e);
        ref_free(&r);
    }
}

/* NuPIC's constructor table: the same n, resolution, radius, range and
 * name, or an error where NuPIC raises one.  nupic-c also rejects what
 * NuPIC accepts but cannot encode or restore (n not above w). */
static void scalar_params_match_nupic(void **state) {
    (void)state;
    ref_file r = ref_load("encoders/scalar_params.txt.xz");
    size_t stricter = 0;
    for (size_t i = 0; i < r.n; i++) {
        /* ref_load split "json TAB ok|error TAB detail". */
        const ref_case *c = &r.cases[i];
        nupic_scalar_enc *e = NULL;
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st = nupic_scalar_enc_new_from_json(
            c->input, strlen(c->input), &e, &err);
        if (ref_is_error(c)) {
            if (st == NUPIC_OK)
                fail_msg("case %zu %s: NuPIC fails (%s), we do not", i,
                         c->input, c->bits);
            assert_int_equal(st, NUPIC_ERR_PARAM);
            continue;
        }
        unsigned n = 0;
        char name[64];
        double res = 0, radius = 0, range = 0;
        if (sscanf(c->bits,
                   "n=%u resolution=%lf radius=%lf range=%lf name=%63s", &n,
                   &res, &radius, &range, name) != 5)
            fail_msg("case %zu: bad line %s", i, c->bits);
        if (st != NUPIC_OK) {
            /* Only where NuPIC makes an encoder of n <= w bits. */
            unsigned w =
                (unsigned)strtoul(strstr(c->input, "\"w\": ") + 5, NULL, 10);
            if (n > w)
                fail_msg("case %zu %s: NuPIC accepts, we fail: %s", i, c->input,
                         err.message);
            stricter++;
            continue;
        }
        assert_int_equal(nupic_scalar_enc_width(e), n);
        if (nupic_scalar_enc_resolution(e) != res ||
            nupic_scalar_enc_radius(e) != radius)
            fail_msg("case %zu %s: resolution %.17g radius %.17g, NuPIC's "
                     "%.17g %.17g",
                     i, c->input, nupic_scalar_enc_resolution(e),
                     nupic_scalar_enc_radius(e), res, radius);
        assert_string_equal(nupic_scalar_enc_name(e), name);
        nupic_scalar_enc_free(e);
    }
    print_message("scalar parameters: %zu cases, %zu where NuPIC makes an "
                  "encoder with n <= w and nupic-c refuses\n",
                  r.n, stricter);
    ref_free(&r);
}

/* ------------------------------------------------------------------------
 * RDSE
 * ------------------------------------------------------------------------ */

static void run_rdse_cases(nupic_rdse *e, const ref_file *r, size_t from,
                           size_t to, const char *file) {
    uint32_t width = nupic_rdse_width(e);
    uint8_t *out = malloc(width), *zeros = calloc(width, 1);
    assert_non_null(out);
    for (size_t i = from; i < to; i++) {
        const ref_case *c = &r->cases[i];
        nupic_error err = {NUPIC_OK, ""};
        if (ref_is_missing(c->input)) {
            nupic_rdse_encode_missing(e, out);
            ref_check_bits(out, width, c->bits, file, i);
            continue;
        }
        double x = strtod(c->input, NULL);
        nupic_status st = nupic_rdse_encode(e, x, out, &err);
        if (isnan(x)) {
            assert_int_equal(st, NUPIC_ERR_ARG);
            ref_check_bits(zeros, width, c->bits, file, i);
            continue;
        }
        if (ref_is_error(c)) {
            if (st != NUPIC_ERR_ARG)
                fail_msg("%s case %zu (%s): NuPIC fails (%s), we give %d", file,
                         i, c->input, c->bits, st);
            continue;
        }
        if (st != NUPIC_OK)
            fail_msg("%s case %zu (%s): %s", file, i, c->input, err.message);
        ref_check_bits(out, width, c->bits, file, i);
        uint32_t bucket = 0;
        assert_int_equal(nupic_rdse_bucket(e, x, &bucket, &err), NUPIC_OK);
        if (bucket != strtoul(c->result, NULL, 10))
            fail_msg("%s case %zu (%s): bucket %u, NuPIC's %s", file, i,
                     c->input, bucket, c->result);
    }
    free(out);
    free(zeros);
}

/* NuPIC's saved state (file) equals ours, saved and restored; our write
 * is the same bytes. */
static void rdse_check_snapshot(const nupic_rdse *e, const char *relative) {
    ref_msg m = ref_msg_load(relative);
    nupic_rdse *theirs = NULL, *back = NULL;
    REF_OK(nupic_rdse_read(RandomDistributedScalarEncoderProto_read_root(m.msg),
                           &theirs, err));
    RESTORED(rdse, RandomDistributedScalarEncoderProto, e, &back);
    char diff[256];
    /* NuPIC's restore rounds the resolution and offset to Float32; ours
     * keeps them whole (resolutionExact, offsetExact), so our restored
     * encoder is the one saved. */
    if (!nupic_rdse_equal(e, back, diff, sizeof diff))
        fail_msg("%s: ours restored: %s", relative, diff);
    if (!nupic_rdse_equal(theirs, back, diff, sizeof diff) &&
        !strstr(diff, "resolution") && !strstr(diff, "offset"))
        fail_msg("%s: %s", relative, diff);
    SAME_AS_NUPIC(rdse, RandomDistributedScalarEncoderProto,
                  "random_distributed_scalar.capnp", e, relative);
    nupic_rdse_free(theirs);
    nupic_rdse_free(back);
    ref_msg_free(&m);
}

static const struct {
    const char *name;
    size_t snaps[3];
    size_t restored; /* 0: none */
} rdse_runs[] = {
    {"rdse_hotgym", {0, 1000, 4391}, 1000},
    {"rdse_offset", {0, 1500, 1515}, 1500},
    {"rdse_small", {70, 70, 70}, 0},
    {"rdse_ties", {13, 13, 13}, 0},
    {"rdse_overflow", {SIZE_MAX, SIZE_MAX, SIZE_MAX}, 0},
};

static void rdse_file(char *path, size_t size, const char *name,
                      const char *suffix) {
    snprintf(path, size, "encoders/%s%s", name, suffix);
    FILE *f = fopen(ts_data_path(path), "rb");
    if (f == NULL) {
        snprintf(path, size, "encoders/%s%s.xz", name, suffix);
        return;
    }
    fclose(f);
}

static void rdse_matches_nupic(void **state) {
    (void)state;
    char path[160], suffix[64];
    for (size_t f = 0; f < sizeof rdse_runs / sizeof *rdse_runs; f++) {
        rdse_file(path, sizeof path, rdse_runs[f].name, ".txt");
        ref_file r = ref_load(path);
        nupic_rdse *e = NULL;
        REF_OK(nupic_rdse_new_from_json(r.params, strlen(r.params), &e, err));
        size_t done = 0;
        for (int s = 0; s < 3; s++) {
            size_t at = rdse_runs[f].snaps[s];
            if (at == SIZE_MAX) continue;
            run_rdse_cases(e, &r, done, at, path);
            done = at;
            snprintf(suffix, sizeof suffix, ".at%zu.bin", at);
            char bin[160];
            rdse_file(bin, sizeof bin, rdse_runs[f].name, suffix);
            rdse_check_snapshot(e, bin);
        }
        run_rdse_cases(e, &r, done, r.n, path);
        nupic_rdse_free(e);
        /* NuPIC's restored encoder (Float32 resolution and offset) and
         * its continuation. */
        size_t at = rdse_runs[f].restored;
        if (at) {
            snprintf(suffix, sizeof suffix, ".at%zu.bin", at);
            rdse_file(path, sizeof path, rdse_runs[f].name, suffix);
            ref_msg m = ref_msg_load(path);
            REF_OK(nupic_rdse_read(
                RandomDistributedScalarEncoderProto_read_root(m.msg), &e, err));
            ref_msg_free(&m);
            snprintf(suffix, sizeof suffix, ".at%zu.restored.txt", at);
            rdse_file(path, sizeof path, rdse_runs[f].name, suffix);
            ref_file rr = ref_load(path);
            run_rdse_cases(e, &rr, 0, rr.n, path);
            ref_free(&rr);
            snprintf(suffix, sizeof suffix, ".at%zu.restored.end.bin", at);
            rdse_file(path, sizeof path, rdse_runs[f].name, suffix);
            rdse_check_snapshot(e, path);
            nupic_rdse_free(e);
        }
        ref_free(&r);
    }
}

/* ------------------------------------------------------------------------
 * DateEncoder
 * ------------------------------------------------------------------------ */

static void run_date_cases(const nupic_date_enc *e, const ref_file *r,
                           const char *file) {
    uint32_t width = nupic_date_enc_width(e);
    uint8_t *out = malloc(width ? width : 1);
    assert_non_null(out);
    for (size_t i = 0; i < r->n; i++) {
        const ref_case *c = &r->cases[i];
        nupic_error err = {NUPIC_OK, ""};
        if (ref_is_missing(c->input)) {
            nupic_date_enc_encode_missing(e, out);
            ref_check_bits(out, width, c->bits, file, i);
            continue;
        }
        nupic_datetime d = ref_datetime(c->input);
        nupic_status st = nupic_date_enc_encode(e, &d, out, &err);
        if (ref_is_error(c)) {
            if (st != NUPIC_ERR_ARG)
                fail_msg("%s case %zu (%s): NuPIC fails (%s), we give %d", file,
                         i, c->input, c->bits, st);
            continue;
        }
        if (st != NUPIC_OK)
            fail_msg("%s case %zu (%s): %s", file, i, c->input, err.message);
        ref_check_bits(out, width, c->bits, file, i);
        uint32_t buckets[NUPIC_DATE_PART_COUNT], count = 0;
        assert_int_equal(nupic_date_enc_buckets(e, &d, buckets, &count, &err),
                         NUPIC_OK);
        char text[128] = "";
        for (uint32_t k = 0; k < count; k++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%u",
                     k ? "," : "", buckets[k]);
        if (strcmp(text, c->result) != 0)
            fail_msg("%s case %zu (%s): buckets %s, NuPIC's %s", file, i,
                     c->input, text, c->result);
    }
    free(out);
}

static const struct {
    const char *name;
    bool restored; /* NuPIC's restored encoder can encode */
    bool savable;  /* nupic-c saves it (no holiday list) */
} date_files[] = {
    {"date_timeofday", true, true},    {"date_weekend", true, true},
    {"date_anomaly", true, true},      {"date_defaults", false, true},
    {"date_full", false, false},       {"date_customday", false, true},
    {"date_leapholiday", false, false}};

static void date_matches_nupic(void **state) {
    (void)state;
    char path[128];
    for (size_t f = 0; f < sizeof date_files / sizeof *date_files; f++) {
        snprintf(path, sizeof path, "encoders/%s.txt.xz", date_files[f].name);
        ref_file r = ref_load(path);
        nupic_date_enc *e = NULL;
        REF_OK(
            nupic_date_enc_new_from_json(r.params, strlen(r.params), &e, err));
        run_date_cases(e, &r, path);
        ref_free(&r);
        snprintf(path, sizeof path, "encoders/%s.bin", date_files[f].name);
        ref_msg m = ref_msg_load(path);
        nupic_date_enc *theirs = NULL;
        REF_OK(nupic_date_enc_read(DateEncoderProto_read_root(m.msg), &theirs,
                                   err));
        ref_msg_free(&m);
        char diff[256];
        if (date_files[f].savable) {
            nupic_date_enc *back = NULL;
            RESTORED(date_enc, DateEncoderProto, e, &back);
            /* NuPIC does not save the name; ours is in the message. */
            assert_true(nupic_date_enc_equal(back, e, diff, sizeof diff));
            nupic_date_enc_free(back);
            SAME_AS_NUPIC(date_enc, DateEncoderProto, "date.capnp", e, path);
            if (nupic_date_enc_name(e)[0] == '\0') {
                if (!nupic_date_enc_equal(theirs, e, diff, sizeof diff))
                    fail_msg("%s: %s", path, diff);
            } else if (!nupic_date_enc_equal(theirs, e, diff, sizeof diff) &&
                       strncmp(diff, "DateEncoder.name:", 17) != 0) {
                fail_msg("%s: %s", path, diff);
            }
        } else {
            /* The holiday list has no field: ours refuses to save. */
            ncp_builder *b = NULL;
            assert_int_equal(ncp_builder_new(NULL, &b), NCP_OK);
            nupic_error err = {NUPIC_OK, ""};
            assert_int_equal(
                nupic_date_enc_write(e, DateEncoderProto_new_root(b), &err),
                NUPIC_ERR_UNSUPPORTED);
            assert_non_null(strstr(err.message, "holidays"));
            ncp_builder_free(b);
        }
        if (date_files[f].restored) {
            snprintf(path, sizeof path, "encoders/%s.restored.txt.xz",
                     date_files[f].name);
            ref_file rr = ref_load(path);
            run_date_cases(theirs, &rr, path);
            ref_free(&rr);
        }
        nupic_date_enc_free(theirs);
        nupic_date_enc_free(e);
    }
}

/* ------------------------------------------------------------------------
 * CategoryEncoder
 * ------------------------------------------------------------------------ */

static void run_category_cases(const nupic_category_enc *e, const ref_file *r,
                               const char *file) {
    uint32_t width = nupic_category_enc_width(e);
    uint8_t *out = malloc(width);
    assert_non_null(out);
    for (size_t i = 0; i < r->n; i++) {
        const ref_case *c = &r->cases[i];
        nupic_error err = {NUPIC_OK, ""};
        if (ref_is_missing(c->input)) {
            nupic_category_enc_encode_missing(e, out);
            ref_check_bits(out, width, c->bits, file, i);
            continue;
        }
        assert_true(strncmp(c->input, "s:", 2) == 0);
        const char *cat = c->input + 2;
        if (nupic_category_enc_encode(e, cat, out, &err) != NUPIC_OK)
            fail_msg("%s case %zu (%s): %s", file, i, cat, err.message);
        ref_check_bits(out, width, c->bits, file, i);
        uint32_t bucket = 0;
        assert_int_equal(nupic_category_enc_bucket(e, cat, &bucket, &err),
                         NUPIC_OK);
        if (bucket != strtoul(c->result, NULL, 10))
            fail_msg("%s case %zu (%s): bucket %u, NuPIC's %s", file, i, cat,
                     bucket, c->result);
    }
    free(out);
}

static void category_matches_nupic(void **state) {
    (void)state;
    static const char *const files[] = {"category_weekdays", "category_small"};
    char path[128];
    for (size_t f = 0; f < 2; f++) {
        snprintf(path, sizeof path, "encoders/%s.txt.xz", files[f]);
        ref_file r = ref_load(path);
        nupic_category_enc *e = NULL;
        REF_OK(nupic_category_enc_new_from_json(r.params, strlen(r.params), &e,
                                                err));
        run_category_cases(e, &r, path);
        ref_free(&r);
        snprintf(path, sizeof path, "encoders/%s.bin", files[f]);
        ref_msg m = ref_msg_load(path);
        nupic_category_enc *theirs = NULL;
        REF_OK(nupic_category_enc_read(CategoryEncoderProto_read_root(m.msg),
                                       &theirs, err));
        ref_msg_free(&m);
        char diff[256];
        if (!nupic_category_enc_equal(theirs, e, diff, sizeof diff))
            fail_msg("%s: %s", path, diff);
        SAME_AS_NUPIC(category_enc, CategoryEncoderProto, "category.capnp", e,
                      path);
        snprintf(path, sizeof path, "encoders/%s.restored.txt", files[f]);
        ref_file rr = ref_load(path);
        run_category_cases(theirs, &rr, path);
        ref_free(&rr);
        nupic_category_enc_free(theirs);
        nupic_category_enc_free(e);
    }
}

/* ------------------------------------------------------------------------
 * MultiEncoder
 * ------------------------------------------------------------------------ */

static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu",
                                         "Fri", "Sat", "Sun"};

/* Monday 0, from the civil date. */
static int weekday(const nupic_datetime *d) {
    int y = d->year, m = d->month;
    if (m < 3) {
        y--;
        m += 12;
    }
    int k = y % 100, j = y / 100;
    int h = (d->day + 13 * (m + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7;
    return (h + 5) % 7; /* Zeller: 0 is Saturday */
}

static void run_multi_cases(nupic_multi_enc *m, const ref_file *r, size_t from,
                            size_t to, const char *file) {
    uint32_t width = nupic_multi_enc_width(m);
    uint8_t *out = malloc(width);
    assert_non_null(out);
    uint32_t nf = nupic_multi_enc_num_fields(m);
    nupic_value *v = calloc(nf, sizeof *v);
    assert_non_null(v);
    for (size_t i = from; i < to; i++) {
        const ref_case *c = &r->cases[i];
        char ts[32];
        const char *comma = strchr(c->input, ',');
        assert_non_null(comma);
        snprintf(ts, sizeof ts, "%.*s", (int)(comma - c->input), c->input);
        nupic_datetime d = ref_hotgym_time(ts);
        double kw = strtod(comma + 1, NULL);
        for (uint32_t k = 0; k < nf; k++) {
            const char *name = nupic_multi_enc_field_name(m, k);
            if (strcmp(name, "timestamp") == 0) {
                v[k].kind = NUPIC_VALUE_DATETIME;
                v[k].u.datetime = d;
            } else if (strcmp(name, "consumption") == 0) {
                v[k].kind = NUPIC_VALUE_NUMBER;
                v[k].u.number = kw;
            } else if (strcmp(name, "day") == 0) {
                v[k].kind = NUPIC_VALUE_CATEGORY;
                v[k].u.category = day_names[weekday(&d)];
            } else {
                fail_msg("unexpected field %s", name);
            }
        }
        nupic_error err = {NUPIC_OK, ""};
        if (nupic_multi_enc_encode(m, v, out, &err) != NUPIC_OK)
            fail_msg("%s case %zu: %s", file, i, err.message);
        ref_check_bits(out, width, c->bits, file, i);
    }
    free(v);
    free(out);
}

static void multi_check_snapshot(const nupic_multi_enc *m,
                                 const char *relative) {
    ref_msg msg = ref_msg_load(relative);
    nupic_multi_enc *theirs = NULL, *back = NULL;
    REF_OK(nupic_multi_enc_read(MultiEncoderProto_read_root(msg.msg), &theirs,
                                err));
    RESTORED(multi_enc, MultiEncoderProto, m, &back);
    char diff[256];
    if (!nupic_multi_enc_equal(m, back, diff, sizeof diff))
        fail_msg("%s: ours restored: %s", relative, diff);
    if (!nupic_multi_enc_equal(theirs, back, diff, sizeof diff) &&
        !(strstr(diff, ".name: '' != '") && strstr(diff, "encoders[")) &&
        !strstr(diff, "resolution") && !strstr(diff, "offset"))
        fail_msg("%s: %s", relative, diff);
    SAME_AS_NUPIC(multi_enc, MultiEncoderProto, "multi.capnp", m, relative);
    nupic_multi_enc_free(theirs);
    nupic_multi_enc_free(back);
    ref_msg_free(&msg);
}

static void multi_matches_nupic(void **state) {
    (void)state;
    static const struct {
        const char *name, *snap, *end, *restored;
        size_t at;
    } runs[] = {{"multi_hotgym", "encoders/multi_hotgym.at2000.bin",
                 "encoders/multi_hotgym.end.bin.xz",
                 "encoders/multi_hotgym.at2000.restored.txt.xz", 2000},
                {"multi_mixed", "encoders/multi_mixed.at1000.bin.xz",
                 "encoders/multi_mixed.end.bin.xz",
                 "encoders/multi_mixed.at1000.restored.txt.xz", 1000}};
    char path[128];
    for (size_t f = 0; f < 2; f++) {
        snprintf(path, sizeof path, "encoders/%s.json", runs[f].name);
        nupic_multi_enc *m = NULL;
        REF_OK(nupic_multi_enc_load_json(ts_data_path(path), &m, err));
        snprintf(path, sizeof path, "encoders/%s.txt.xz", runs[f].name);
        ref_file r = ref_load(path);
        run_multi_cases(m, &r, 0, runs[f].at, path);
        multi_check_snapshot(m, runs[f].snap);
        run_multi_cases(m, &r, runs[f].at, r.n, path);
        multi_check_snapshot(m, runs[f].end);
        ref_free(&r);
        nupic_multi_enc_free(m);
        ref_msg msg = ref_msg_load(runs[f].snap);
        REF_OK(nupic_multi_enc_read(MultiEncoderProto_read_root(msg.msg), &m,
                                    err));
        ref_msg_free(&msg);
        ref_file rr = ref_load(runs[f].restored);
        run_multi_cases(m, &rr, 0, rr.n, runs[f].restored);
        ref_free(&rr);
        nupic_multi_enc_free(m);
    }
}

/* ------------------------------------------------------------------------
 * Constructor tables of the other encoders, and Python's str()
 * ------------------------------------------------------------------------ */

typedef nupic_status (*json_ctor)(const char *, size_t, void **, nupic_error *);

static nupic_status rdse_json(const char *j, size_t n, void **o,
                              nupic_error *e) {
    return nupic_rdse_new_from_json(j, n, (nupic_rdse **)o, e);
}
static nupic_status date_json(const char *j, size_t n, void **o,
                              nupic_error *e) {
    return nupic_date_enc_new_from_json(j, n, (nupic_date_enc **)o, e);
}
static nupic_status category_json(const char *j, size_t n, void **o,
                                  nupic_error *e) {
    return nupic_category_enc_new_from_json(j, n, (nupic_category_enc **)o, e);
}

static void params_table(const char *file, json_ctor ctor, void (*fr)(void *),
                         uint32_t (*width)(const void *)) {
    ref_file r = ref_load(file);
    for (size_t i = 0; i < r.n; i++) {
        const ref_case *c = &r.cases[i];
        void *e = NULL;
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st = ctor(c->input, strlen(c->input), &e, &err);
        if (ref_is_error(c)) {
            if (st == NUPIC_OK)
                fail_msg("%s case %zu %s: NuPIC fails (%s), we do not", file, i,
                         c->input, c->bits);
            continue;
        }
        if (st != NUPIC_OK && strstr(err.message, "must exceed w")) {
            /* NuPIC makes an encoder of n <= w bits; nupic-c refuses. */
            continue;
        }
        if (st != NUPIC_OK)
            fail_msg("%s case %zu %s: NuPIC accepts, we fail: %s", file, i,
                     c->input, err.message);
        const char *wd = strstr(c->bits, "width=");
        if (wd && width) assert_int_equal(width(e), strtoul(wd + 6, NULL, 10));
        fr(e);
    }
    ref_free(&r);
}

static void free_rdse(void *e) {
    nupic_rdse_free(e);
}
static void free_date(void *e) {
    nupic_date_enc_free(e);
}
static void free_category(void *e) {
    nupic_category_enc_free(e);
}
static uint32_t width_date(const void *e) {
    return nupic_date_enc_width(e);
}
static uint32_t width_category(const void *e) {
    return nupic_category_enc_width(e);
}

static void other_params_match_nupic(void **state) {
    (void)state;
    params_table("encoders/rdse_params.txt", rdse_json, free_rdse, NULL);
    params_table("encoders/date_params.txt", date_json, free_date, width_date);
    params_table("encoders/category_params.txt.xz", category_json,
                 free_category, width_category);
}

/* NuPIC names encoders with Python 2's str() of floats. */
static void default_names_match_python(void **state) {
    (void)state;
    ts_buf b = ts_read_data("encoders/py2_str.txt");
    b.data = realloc(b.data, b.len + 1);
    b.data[b.len] = '\0';
    char *next = (char *)b.data;
    while (*next) {
        char *line = next, *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        next = nl ? nl + 1 : line + strlen(line);
        if (line[0] == '#' || line[0] == '\0') continue;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        double x = strtod(line, NULL);
        const char *want = tab + 1;
        char expect[80], got[80];
        nupic_scalar_enc_params p;
        nupic_scalar_enc_params_default(&p);
        p.minval = x;
        p.maxval = fabs(x) * 2 + 1;
        if (!(p.maxval > x) || !isfinite(p.maxval)) {
            p.maxval = x;
            p.minval = -fabs(x) * 2 - 1;
            if (!(p.minval < x) || !isfinite(p.minval)) continue;
        }
        p.n = 100;
        nupic_scalar_enc *e = NULL;
        REF_OK(nupic_scalar_enc_new(&p, &e, err));
        snprintf(got, sizeof got, "%s", nupic_scalar_enc_name(e));
        nupic_scalar_enc_free(e);
        if (p.minval == x)
            snprintf(expect, sizeof expect, "[%s:", want);
        else
            snprintf(expect, sizeof expect, ":%s]", want);
        if (strstr(got, expect) == NULL)
            fail_msg("str(%s) is '%s'; name '%s'", line, want, got);
    }
    ts_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalar_matches_nupic),
        cmocka_unit_test(scalar_params_match_nupic),
        cmocka_unit_test(rdse_matches_nupic),
        cmocka_unit_test(date_matches_nupic),
        cmocka_unit_test(category_matches_nupic),
        cmocka_unit_test(multi_matches_nupic),
        cmocka_unit_test(other_params_match_nupic),
        cmocka_unit_test(default_names_match_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
