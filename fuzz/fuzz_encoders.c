/*
 * fuzz/fuzz_encoders.c - fuzz target for reading the encoders' saved
 * states (nupic/encoders.h).
 *
 * The first byte picks the reader (ScalarEncoder, RDSE, DateEncoder,
 * CategoryEncoder, MultiEncoder: byte mod 5); the rest is the message,
 * read with packing detected and then as unpacked framing.  It checks:
 *
 *  E1  a failed read returns NULL, a status other than NUPIC_OK (never
 *      NUPIC_ERR_ARG or NUPIC_ERR_PARAM) and the same status in the error
 *      record, with a non-empty, NUL-terminated message; nothing leaks
 *      (LeakSanitizer);
 *  E2  reading is deterministic: the same bytes give the same status and
 *      message, or equal objects;
 *  E3  a state that reads writes back (unpacked and packed) and reads again
 *      into an equal object (*_equal), which writes the same bytes;
 *  E4  a state that reads encodes: the original and its copy give the same
 *      status and the same output for the same values (edge values, values
 *      taken from the input, missing values), an output of width() bytes
 *      each 0 or 1 (w of them where an encoding sets a block), and stay
 *      equal; a failed encode changes neither (they still write the same
 *      bytes as before it); the result still writes.
 *
 * The width a message claims may be large for its size (n up to
 * NUPIC_ENC_MAX_WIDTH); states wider than ENCODE_BUDGET bits are read and
 * written but not encoded, to keep each run fast.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nupic/encoders.h>

#include "fuzz_util.h"

#define ENCODE_BUDGET (UINT32_C(1) << 16)

typedef enum { K_SCALAR, K_RDSE, K_DATE, K_CATEGORY, K_MULTI, K_COUNT } kind;

static const char *const kind_names[K_COUNT] = {
    "ScalarEncoder", "RDSE", "DateEncoder", "CategoryEncoder", "MultiEncoder"};

static nupic_status read_mem(kind k, const void *buf, size_t len,
                             const nupic_load_options *o, void **out,
                             nupic_error *err) {
    switch (k) {
    case K_SCALAR:
        return nupic_scalar_enc_read_from_mem(buf, len, o,
                                              (nupic_scalar_enc **)out, err);
    case K_RDSE:
        return nupic_rdse_read_from_mem(buf, len, o, (nupic_rdse **)out, err);
    case K_DATE:
        return nupic_date_enc_read_from_mem(buf, len, o, (nupic_date_enc **)out,
                                            err);
    case K_CATEGORY:
        return nupic_category_enc_read_from_mem(
            buf, len, o, (nupic_category_enc **)out, err);
    default:
        return nupic_multi_enc_read_from_mem(buf, len, o,
                                             (nupic_multi_enc **)out, err);
    }
}

static nupic_status write_mem(kind k, const void *e, bool packed, void **buf,
                              size_t *len, nupic_error *err) {
    nupic_save_options o = {!packed};
    switch (k) {
    case K_SCALAR: return nupic_scalar_enc_write_to_mem(e, &o, buf, len, err);
    case K_RDSE: return nupic_rdse_write_to_mem(e, &o, buf, len, err);
    case K_DATE: return nupic_date_enc_write_to_mem(e, &o, buf, len, err);
    case K_CATEGORY:
        return nupic_category_enc_write_to_mem(e, &o, buf, len, err);
    default: return nupic_multi_enc_write_to_mem(e, &o, buf, len, err);
    }
}

static void free_enc(kind k, void *e) {
    switch (k) {
    case K_SCALAR: nupic_scalar_enc_free(e); break;
    case K_RDSE: nupic_rdse_free(e); break;
    case K_DATE: nupic_date_enc_free(e); break;
    case K_CATEGORY: nupic_category_enc_free(e); break;
    default: nupic_multi_enc_free(e); break;
    }
}

static bool equal(kind k, const void *a, const void *b, char *diff,
                  size_t size) {
    switch (k) {
    case K_SCALAR: return nupic_scalar_enc_equal(a, b, diff, size);
    case K_RDSE: return nupic_rdse_equal(a, b, diff, size);
    case K_DATE: return nupic_date_enc_equal(a, b, diff, size);
    case K_CATEGORY: return nupic_category_enc_equal(a, b, diff, size);
    default: return nupic_multi_enc_equal(a, b, diff, size);
    }
}

static uint32_t width(kind k, const void *e) {
    switch (k) {
    case K_SCALAR: return nupic_scalar_enc_width(e);
    case K_RDSE: return nupic_rdse_width(e);
    case K_DATE: return nupic_date_enc_width(e);
    case K_CATEGORY: return nupic_category_enc_width(e);
    default: return nupic_multi_enc_width(e);
    }
}

static void check_error(const nupic_error *err, nupic_status st,
                        const char *ctx) {
    FZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL,
             "%s: message not NUL-terminated", ctx);
    FZ_CHECK(err->status == st, "%s: status %s, recorded %s", ctx,
             nupic_status_name(st), nupic_status_name(err->status));
    FZ_CHECK(err->message[0] != '\0', "%s: %s without a message", ctx,
             nupic_status_name(st));
}

/* ------------------------------------------------------------------------
 * E3: write, read, write
 * ------------------------------------------------------------------------ */

static void check_round_trip(kind k, const void *e) {
    for (int packed = 0; packed < 2; packed++) {
        void *a = NULL, *b = NULL, *copy = NULL;
        size_t alen = 0, blen = 0;
        nupic_error err = {NUPIC_OK, ""};
        nupic_status st = write_mem(k, e, packed, &a, &alen, &err);
        FZ_CHECK(st == NUPIC_OK, "%s: a state that reads does not write: %s",
                 kind_names[k], err.message);
        st = read_mem(k, a, alen, NULL, &copy, &err);
        FZ_CHECK(st == NUPIC_OK, "%s: its own write does not read: %s",
                 kind_names[k], err.message);
        char diff[256];
        FZ_CHECK(equal(k, e, copy, diff, sizeof diff),
                 "%s: round trip differs: %s", kind_names[k], diff);
        st = write_mem(k, copy, packed, &b, &blen, &err);
        FZ_CHECK(st == NUPIC_OK, "%s: rewrite: %s", kind_names[k], err.message);
        FZ_CHECK(alen == blen && memcmp(a, b, alen) == 0,
                 "%s: written again, %zu bytes differ from %zu", kind_names[k],
                 blen, alen);
        free(a);
        free(b);
        free_enc(k, copy);
    }
}

/* ------------------------------------------------------------------------
 * E4: encoding
 * ------------------------------------------------------------------------ */

typedef struct feed {
    const uint8_t *p;
    size_t n, at;
} feed;

static uint64_t take(feed *f, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = v << 8 | (f->n ? f->p[(f->at++) % f->n] : 0);
    return v;
}

static double take_double(feed *f) {
    uint64_t bits = take(f, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static nupic_datetime take_datetime(feed *f) {
    nupic_datetime d;
    d.year = (int32_t)(take(f, 2) % 10001);
    d.month = (int32_t)(take(f, 1) % 14);
    d.day = (int32_t)(take(f, 1) % 33);
    d.hour = (int32_t)(take(f, 1) % 25);
    d.minute = (int32_t)(take(f, 1) % 61);
    d.second = (int32_t)(take(f, 1) % 61);
    d.microsecond = (int32_t)(take(f, 3) % 1000001);
    return d;
}

/* A value of kind v for field f. */
static nupic_value take_value(feed *f, nupic_value_kind vk,
                              const char *category) {
    nupic_value v;
    memset(&v, 0, sizeof v);
    v.kind = take(f, 1) % 13 == 0 ? NUPIC_VALUE_MISSING : vk;
    switch (vk) {
    case NUPIC_VALUE_NUMBER: v.u.number = take_double(f); break;
    case NUPIC_VALUE_DATETIME: v.u.datetime = take_datetime(f); break;
    case NUPIC_VALUE_CATEGORY: v.u.category = category; break;
    default: break;
    }
    return v;
}

static nupic_value_kind kind_of(nupic_enc_type t) {
    switch (t) {
    case NUPIC_ENC_SCALAR:
    case NUPIC_ENC_RDSE: return NUPIC_VALUE_NUMBER;
    case NUPIC_ENC_DATE: return NUPIC_VALUE_DATETIME;
    default: return NUPIC_VALUE_CATEGORY;
    }
}

/* One value through both copies; returns the status. */
static nupic_status encode_both(kind k, void *a, void *b, const nupic_value *v,
                                uint8_t *oa, uint8_t *ob, uint32_t w) {
    nupic_error ea = {NUPIC_OK, ""}, eb = {NUPIC_OK, ""};
    nupic_status sa = NUPIC_OK, sb = NUPIC_OK;
    memset(oa, 0xee, w);
    memset(ob, 0xee, w);
    switch (k) {
    case K_SCALAR:
        sa = nupic_scalar_enc_encode(a, v->u.number, oa, &ea);
        sb = nupic_scalar_enc_encode(b, v->u.number, ob, &eb);
        break;
    case K_RDSE:
        sa = nupic_rdse_encode(a, v->u.number, oa, &ea);
        sb = nupic_rdse_encode(b, v->u.number, ob, &eb);
        break;
    case K_DATE:
        sa = nupic_date_enc_encode(a, &v->u.datetime, oa, &ea);
        sb = nupic_date_enc_encode(b, &v->u.datetime, ob, &eb);
        break;
    case K_CATEGORY:
        sa = nupic_category_enc_encode(a, v->u.category, oa, &ea);
        sb = nupic_category_enc_encode(b, v->u.category, ob, &eb);
        break;
    default:
        sa = nupic_multi_enc_encode(a, v, oa, &ea);
        sb = nupic_multi_enc_encode(b, v, ob, &eb);
        break;
    }
    FZ_CHECK(sa == sb && strcmp(ea.message, eb.message) == 0,
             "%s: copies disagree: %s (%s) vs %s (%s)", kind_names[k],
             nupic_status_name(sa), ea.message, nupic_status_name(sb),
             eb.message);
    if (sa != NUPIC_OK) {
        check_error(&ea, sa, kind_names[k]);
        FZ_CHECK(sa == NUPIC_ERR_ARG || sa == NUPIC_ERR_TOO_LARGE,
                 "%s: encode failed with %s: %s", kind_names[k],
                 nupic_status_name(sa), ea.message);
        return sa;
    }
    FZ_CHECK(memcmp(oa, ob, w) == 0, "%s: outputs differ", kind_names[k]);
    for (uint32_t i = 0; i < w; i++)
        FZ_CHECK(oa[i] <= 1, "%s: output[%u] = %u", kind_names[k], i, oa[i]);
    return sa;
}

/* The state's bytes, to check that a failed encode changed nothing. */
static void snapshot(kind k, const void *e, void **buf, size_t *len) {
    nupic_error err = {NUPIC_OK, ""};
    FZ_CHECK(write_mem(k, e, false, buf, len, &err) == NUPIC_OK, "%s: %s",
             kind_names[k], err.message);
}

static void check_encoding(kind k, void *a, const uint8_t *data, size_t size) {
    uint32_t w = width(k, a);
    if (w > ENCODE_BUDGET) return;
    nupic_error err = {NUPIC_OK, ""};
    void *b = NULL, *buf = NULL;
    size_t len = 0;
    snapshot(k, a, &buf, &len);
    FZ_CHECK(read_mem(k, buf, len, NULL, &b, &err) == NUPIC_OK, "%s: %s",
             kind_names[k], err.message);
    free(buf);
    uint8_t *oa = fz_malloc(w), *ob = fz_malloc(w);
    feed f = {data, size, 0};
    static const double edges[] = {0.0,  -0.0,  1.0,    -1.0,     0.5,
                                   21.2, 1e300, -1e300, INFINITY, -INFINITY,
                                   NAN,  365.9, 6.9,    23.99,    1e-300};
    for (int round = 0; round < 24; round++) {
        nupic_value v;
        memset(&v, 0, sizeof v);
        nupic_value fields[16];
        uint32_t nf = 0;
        switch (k) {
        case K_SCALAR: {
            nupic_scalar_enc_params p;
            nupic_scalar_enc_get_params(a, &p);
            double lo = p.minval, hi = p.maxval;
            double pick[4] = {lo, hi, lo + (hi - lo) * 0.37, take_double(&f)};
            v.u.number = round < 15 ? edges[round] : pick[round % 4];
            break;
        }
        case K_RDSE: {
            /* At most a few new buckets: just beyond the ends. */
            nupic_rdse_params p;
            nupic_rdse_get_params(a, &p);
            uint32_t lo, hi;
            nupic_rdse_bucket_range(a, &lo, &hi);
            double off = p.has_offset ? p.offset : 3.0;
            double pick[5] = {off, off + ((double)hi - 500 + 1) * p.resolution,
                              off + ((double)lo - 500 - 1) * p.resolution,
                              off + p.resolution * 0.5, take_double(&f)};
            v.u.number = pick[round % 5];
            if (round % 5 == 4 &&
                !(fabs(v.u.number - off) < 4 * p.resolution + fabs(off) * 1e-9))
                v.u.number = NAN;
            break;
        }
        case K_DATE:
            v.u.datetime = take_datetime(&f);
            if (round % 3 == 0) {
                nupic_datetime ok = {2010 + round,
                                     1 + round % 12,
                                     1 + round,
                                     round % 24,
                                     round * 2,
                                     0,
                                     0};
                v.u.datetime = ok;
            }
            break;
        case K_CATEGORY: {
            uint32_t n = nupic_category_enc_num_categories(a);
            uint32_t i = (uint32_t)(take(&f, 2) % (n + 2));
            const char *c = nupic_category_enc_category(a, i);
            v.u.category = c ? c : "no such category";
            break;
        }
        default: {
            nupic_multi_enc *m = a;
            nf = nupic_multi_enc_num_fields(m);
            if (nf > 16) nf = 16;
            for (uint32_t i = 0; i < nf; i++) {
                /* The kind of the field's first encoder (others of another
                 * type then fail, the same way in both). */
                nupic_value_kind vk = NUPIC_VALUE_NUMBER;
                const char *cat = "x";
                for (uint32_t j = 0; j < nupic_multi_enc_num_encoders(m); j++)
                    if (nupic_multi_enc_encoder_field(m, j) == i) {
                        vk = kind_of(nupic_multi_enc_type(m, j));
                        const nupic_category_enc *ce =
                            nupic_multi_enc_category(m, j);
                        if (ce) cat = nupic_category_enc_category(ce, 1);
                        if (cat == NULL) cat = "x";
                        break;
                    }
                fields[i] = take_value(&f, vk, cat);
                if (vk == NUPIC_VALUE_NUMBER && fields[i].kind != 0)
                    fields[i].u.number = edges[take(&f, 1) % 8];
            }
            if (nupic_multi_enc_num_fields(m) > 16) {
                free(oa);
                free(ob);
                free_enc(k, b);
                return;
            }
            break;
        }
        }
        void *before = NULL;
        size_t before_len = 0;
        snapshot(k, a, &before, &before_len);
        nupic_status st =
            encode_both(k, a, b, k == K_MULTI ? fields : &v, oa, ob, w);
        char diff[256];
        FZ_CHECK(equal(k, a, b, diff, sizeof diff), "%s: after encoding: %s",
                 kind_names[k], diff);
        void *after = NULL;
        size_t after_len = 0;
        snapshot(k, a, &after, &after_len);
        if (st != NUPIC_OK) /* failed: nothing may change */
            FZ_CHECK(before_len == after_len &&
                         memcmp(before, after, before_len) == 0,
                     "%s: a failed encode changed the state", kind_names[k]);
        free(before);
        free(after);
    }
    /* Missing values: zeros. */
    switch (k) {
    case K_SCALAR: nupic_scalar_enc_encode_missing(a, oa); break;
    case K_RDSE: nupic_rdse_encode_missing(a, oa); break;
    case K_DATE: nupic_date_enc_encode_missing(a, oa); break;
    case K_CATEGORY: nupic_category_enc_encode_missing(a, oa); break;
    default: {
        nupic_value none[16];
        memset(none, 0, sizeof none);
        nupic_error err2 = {NUPIC_OK, ""};
        FZ_CHECK(nupic_multi_enc_encode(a, none, oa, &err2) == NUPIC_OK,
                 "MultiEncoder: missing values: %s", err2.message);
        break;
    }
    }
    for (uint32_t i = 0; i < w; i++)
        FZ_CHECK(oa[i] == 0, "%s: missing value sets bit %u", kind_names[k], i);
    check_round_trip(k, a);
    free(oa);
    free(ob);
    free_enc(k, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    kind k = (kind)(data[0] % K_COUNT);
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    static const ncp_packing modes[] = {NCP_PACKING_AUTO, NCP_PACKING_UNPACKED};
    for (int m = 0; m < 2; m++) {
        nupic_load_options o = {.packing = modes[m]};
        void *e = NULL, *again = NULL;
        nupic_error err = {NUPIC_OK, ""}, err2 = {NUPIC_OK, ""};
        nupic_status st = read_mem(k, msg, len, &o, &e, &err);
        nupic_status st2 = read_mem(k, msg, len, &o, &again, &err2);
        FZ_CHECK(st == st2 && strcmp(err.message, err2.message) == 0,
                 "%s: reading twice: %s (%s) then %s (%s)", kind_names[k],
                 nupic_status_name(st), err.message, nupic_status_name(st2),
                 err2.message);
        if (st != NUPIC_OK) {
            FZ_CHECK(e == NULL && again == NULL,
                     "%s: failed read returns an "
                     "object",
                     kind_names[k]);
            check_error(&err, st, kind_names[k]);
            FZ_CHECK(st != NUPIC_ERR_ARG && st != NUPIC_ERR_PARAM,
                     "%s: read fails with %s: %s", kind_names[k],
                     nupic_status_name(st), err.message);
            continue;
        }
        char diff[256];
        FZ_CHECK(equal(k, e, again, diff, sizeof diff),
                 "%s: read twice, differs: %s", kind_names[k], diff);
        free_enc(k, again);
        check_round_trip(k, e);
        check_encoding(k, e, data, size);
        free_enc(k, e);
    }
    return 0;
}
