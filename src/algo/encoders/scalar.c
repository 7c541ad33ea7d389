/*
 * src/algo/encoders/scalar.c - NuPIC's ScalarEncoder (nupic/encoders/
 * scalar.py), bit for bit: the same double arithmetic in the same order,
 * Python's truncating int() and numpy's slice semantics.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../persist.h"
#include "enc.h"

void nupic_scalar_enc_params_default(nupic_scalar_enc_params *p) {
    memset(p, 0, sizeof *p);
    p->w = 21;
}

void nupic_scalar_enc_free(nupic_scalar_enc *e) {
    if (e == NULL) return;
    free(e->name);
    free(e);
}

/* NuPIC's __init__ and _initEncoder.  code is NUPIC_ERR_PARAM when making
 * an encoder, NUPIC_ERR_FORMAT when reading one (who then names the
 * proto). */
static nupic_status setup(nupic_scalar_enc *e, const nupic_scalar_enc_params *p,
                          const char *who, nupic_status code,
                          nupic_error *err) {
    char a[32], b[32];
    if (p->w % 2 == 0)
        return enc_fail(err, code, "%s: w = %u: the width must be odd", who,
                        p->w);
    if (!isfinite(p->minval) || !isfinite(p->maxval))
        return enc_fail(err, code, "%s: minval %g and maxval %g must be finite",
                        who, p->minval, p->maxval);
    enc_py_str(p->minval, a, sizeof a);
    enc_py_str(p->maxval, b, sizeof b);
    if (p->minval >= p->maxval)
        return enc_fail(err, code,
                        "%s: minval %s is greater than or equal to maxval %s; "
                        "minval must be strictly less than maxval",
                        who, a, b);
    e->w = p->w;
    e->minval = p->minval;
    e->maxval = p->maxval;
    e->periodic = p->periodic;
    e->clip_input = p->clip_input;
    e->forced = p->forced;
    e->verbosity = p->verbosity;
    e->halfwidth = (p->w - 1) / 2;
    e->padding = p->periodic ? 0 : e->halfwidth;
    e->range_internal = p->maxval - p->minval;
    if (!isfinite(e->range_internal))
        return enc_fail(err, code, "%s: the range %s to %s is too wide", who, a,
                        b);
    e->n_param = p->n;
    e->radius_param = p->radius;
    e->resolution_param = p->resolution;
    if (p->n != 0) {
        if (p->radius != 0 || p->resolution != 0)
            return enc_fail(err, code,
                            "%s: only one of n, radius and resolution can be "
                            "given (n = %u, radius = %g, resolution = %g)",
                            who, p->n, p->radius, p->resolution);
        if (p->n <= p->w)
            return enc_fail(err, code, "%s: n = %u must exceed w = %u", who,
                            p->n, p->w);
        e->n = p->n;
        e->resolution = p->periodic ? e->range_internal / (double)e->n
                                    : e->range_internal / (double)(e->n - e->w);
        e->radius = (double)e->w * e->resolution;
        e->range =
            p->periodic ? e->range_internal : e->range_internal + e->resolution;
    } else {
        if (p->radius != 0) {
            if (p->resolution != 0)
                return enc_fail(err, code,
                                "%s: only one of radius (%g) and resolution "
                                "(%g) can be given",
                                who, p->radius, p->resolution);
            if (!(p->radius > 0) || !isfinite(p->radius))
                return enc_fail(err, code,
                                "%s: radius %g is not a positive finite number",
                                who, p->radius);
            e->radius = p->radius;
            e->resolution = e->radius / (double)e->w;
        } else if (p->resolution != 0) {
            if (!(p->resolution > 0) || !isfinite(p->resolution))
                return enc_fail(err, code,
                                "%s: resolution %g is not a positive finite "
                                "number",
                                who, p->resolution);
            e->resolution = p->resolution;
            e->radius = e->resolution * (double)e->w;
        } else {
            return enc_fail(err, code,
                            "%s: one of n, radius and resolution must be given",
                            who);
        }
        e->range =
            p->periodic ? e->range_internal : e->range_internal + e->resolution;
        double nfloat =
            (double)e->w * (e->range / e->radius) + 2.0 * (double)e->padding;
        double nc = ceil(nfloat);
        if (!(nc <= (double)NUPIC_ENC_MAX_WIDTH))
            return enc_fail(err, code,
                            "%s: radius %g over the range %s to %s needs %g "
                            "bits (at most %u)",
                            who, e->radius, a, b, nc, NUPIC_ENC_MAX_WIDTH);
        if (!(nc > (double)e->w))
            return enc_fail(err, code,
                            "%s: radius %g over the range %s to %s gives n = "
                            "%g, which must exceed w = %u",
                            who, e->radius, a, b, nc, e->w);
        e->n = (uint32_t)nc;
    }
    if (e->n > NUPIC_ENC_MAX_WIDTH)
        return enc_fail(err, code, "%s: n = %u exceeds %u", who, e->n,
                        NUPIC_ENC_MAX_WIDTH);
    if (!(e->resolution > 0) || !isfinite(e->resolution) || !isfinite(e->range))
        return enc_fail(err, code,
                        "%s: the range %s to %s over %u bits gives resolution "
                        "%g",
                        who, a, b, e->n, e->resolution);
    e->n_internal = e->n - 2 * e->padding;
    if (!p->forced && p->w < 21)
        return enc_fail(err, code,
                        "%s: w = %u; it must be at least 21 (forced = true "
                        "allows less)",
                        who, p->w);
    if (p->name) {
        e->name = enc_strdup(p->name);
    } else {
        char name[80];
        snprintf(name, sizeof name, "[%s:%s]", a, b);
        e->name = enc_strdup(name);
    }
    if (e->name == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", who);
    return NUPIC_OK;
}

nupic_status scalar_make(const nupic_scalar_enc_params *p, const char *who,
                         nupic_scalar_enc **out, nupic_error *err) {
    *out = NULL;
    nupic_scalar_enc *e = calloc(1, sizeof *e);
    if (e == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", who);
    nupic_status st = setup(e, p, who, NUPIC_ERR_PARAM, err);
    if (st != NUPIC_OK) {
        nupic_scalar_enc_free(e);
        return st;
    }
    *out = e;
    return NUPIC_OK;
}

nupic_status nupic_scalar_enc_new(const nupic_scalar_enc_params *p,
                                  nupic_scalar_enc **out, nupic_error *err) {
    if (p == NULL || out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_scalar_enc_new: NULL");
    return scalar_make(p, "ScalarEncoder", out, err);
}

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */

/* The first and last bit (before wrapping) of the block centred on
 * centre. */
static nupic_status first_bit(const nupic_scalar_enc *e, double x,
                              int64_t *minbin, bool check, nupic_error *err) {
    char v[32], lo[32], hi[32];
    if (isnan(x))
        return enc_fail(err, NUPIC_ERR_ARG,
                        "ScalarEncoder '%s': the input is NaN (a missing "
                        "value is encoded with *_encode_missing)",
                        e->name);
    if (x < e->minval) {
        if (e->clip_input && !e->periodic) {
            x = e->minval;
        } else {
            enc_py_str(x, v, sizeof v);
            enc_py_str(e->minval, lo, sizeof lo);
            enc_py_str(e->maxval, hi, sizeof hi);
            return enc_fail(err, NUPIC_ERR_ARG,
                            "ScalarEncoder '%s': input (%s) less than range "
                            "(%s - %s)",
                            e->name, v, lo, hi);
        }
    }
    if (e->periodic) {
        if (x >= e->maxval) {
            enc_py_str(x, v, sizeof v);
            enc_py_str(e->minval, lo, sizeof lo);
            enc_py_str(e->maxval, hi, sizeof hi);
            return enc_fail(err, NUPIC_ERR_ARG,
                            "ScalarEncoder '%s': input (%s) greater than "
                            "periodic range (%s - %s)",
                            e->name, v, lo, hi);
        }
    } else if (x > e->maxval) {
        if (e->clip_input) {
            x = e->maxval;
        } else {
            enc_py_str(x, v, sizeof v);
            enc_py_str(e->minval, lo, sizeof lo);
            enc_py_str(e->maxval, hi, sizeof hi);
            return enc_fail(err, NUPIC_ERR_ARG,
                            "ScalarEncoder '%s': input (%s) greater than range "
                            "(%s - %s)",
                            e->name, v, lo, hi);
        }
    }
    double t;
    if (e->periodic)
        t = (x - e->minval) * (double)e->n_internal / e->range;
    else
        t = ((x - e->minval) + e->resolution / 2) / e->resolution;
    if (!(t >= 0 && t < 4.0 * (double)NUPIC_ENC_MAX_WIDTH))
        return enc_fail(err, NUPIC_ERR_ARG,
                        "ScalarEncoder '%s': input %.17g falls outside the "
                        "encoding",
                        e->name, x);
    int64_t centre = (int64_t)t + e->padding;
    int64_t lo_bit = centre - e->halfwidth;
    if (check) {
        /* NuPIC's assertions, after wrapping a periodic block. */
        int64_t a = lo_bit, b = lo_bit + 2 * (int64_t)e->halfwidth;
        if (e->periodic) {
            if (b >= e->n) b = e->n - 1;
            if (a < 0) a = 0;
        }
        if (a < 0 || b >= e->n)
            return enc_fail(err, NUPIC_ERR_ARG,
                            "ScalarEncoder '%s': input %.17g maps to bits "
                            "%lld..%lld, outside the %u bits",
                            e->name, x, (long long)a, (long long)b, e->n);
    }
    *minbin = lo_bit;
    return NUPIC_OK;
}

nupic_status scalar_first_bit(const nupic_scalar_enc *e, double value,
                              int64_t *minbin, nupic_error *err) {
    return first_bit(e, value, minbin, true, err);
}

/* output[a:b] = 1 with numpy's slice rules. */
static void set_slice(uint8_t *out, int64_t n, int64_t a, int64_t b) {
    if (a < 0) a += n;
    if (b < 0) b += n;
    if (a < 0) a = 0;
    if (b < 0) b = 0;
    if (a > n) a = n;
    if (b > n) b = n;
    if (b > a) memset(out + a, 1, (size_t)(b - a));
}

void scalar_put(const nupic_scalar_enc *e, int64_t minbin, uint8_t *output) {
    int64_t n = e->n;
    memset(output, 0, e->n);
    int64_t lo = minbin, hi = minbin + 2 * (int64_t)e->halfwidth;
    if (e->periodic) {
        if (hi >= n) {
            set_slice(output, n, 0, hi - n + 1);
            hi = n - 1;
        }
        if (lo < 0) {
            set_slice(output, n, n + lo, n);
            lo = 0;
        }
    }
    set_slice(output, n, lo, hi + 1);
}

nupic_status scalar_bucket_of(const nupic_scalar_enc *e, int64_t minbin,
                              uint32_t *bucket) {
    int64_t b = minbin;
    if (e->periodic) {
        b = minbin + e->halfwidth;
        if (b < 0) b += e->n;
    }
    if (b < 0 || b > UINT32_MAX) return NUPIC_ERR_ARG;
    *bucket = (uint32_t)b;
    return NUPIC_OK;
}

nupic_status nupic_scalar_enc_encode(const nupic_scalar_enc *e, double value,
                                     uint8_t *output, nupic_error *err) {
    int64_t minbin = 0;
    nupic_status st = first_bit(e, value, &minbin, true, err);
    if (st != NUPIC_OK) return st;
    scalar_put(e, minbin, output);
    return NUPIC_OK;
}

void nupic_scalar_enc_encode_missing(const nupic_scalar_enc *e,
                                     uint8_t *output) {
    memset(output, 0, e->n);
}

nupic_status nupic_scalar_enc_bucket(const nupic_scalar_enc *e, double value,
                                     uint32_t *bucket, nupic_error *err) {
    int64_t minbin = 0;
    nupic_status st = first_bit(e, value, &minbin, false, err);
    if (st != NUPIC_OK) return st;
    if (scalar_bucket_of(e, minbin, bucket) != NUPIC_OK)
        return enc_fail(err, NUPIC_ERR_ARG,
                        "ScalarEncoder '%s': input %.17g has no bucket",
                        e->name, value);
    return NUPIC_OK;
}

/* ------------------------------------------------------------------------
 * Accessors, equality
 * ------------------------------------------------------------------------ */

uint32_t nupic_scalar_enc_width(const nupic_scalar_enc *e) {
    return e->n;
}
const char *nupic_scalar_enc_name(const nupic_scalar_enc *e) {
    return e->name;
}
double nupic_scalar_enc_resolution(const nupic_scalar_enc *e) {
    return e->resolution;
}
double nupic_scalar_enc_radius(const nupic_scalar_enc *e) {
    return e->radius;
}

void nupic_scalar_enc_get_params(const nupic_scalar_enc *e,
                                 nupic_scalar_enc_params *p) {
    memset(p, 0, sizeof *p);
    p->w = e->w;
    p->minval = e->minval;
    p->maxval = e->maxval;
    p->periodic = e->periodic;
    p->n = e->n_param;
    p->radius = e->radius_param;
    p->resolution = e->resolution_param;
    p->name = e->name;
    p->verbosity = e->verbosity;
    p->clip_input = e->clip_input;
    p->forced = e->forced;
}

bool scalar_equal_ctx(const nupic_scalar_enc *a, const nupic_scalar_enc *b,
                      const char *what, char *diff, size_t diff_size) {
#define SAME_U(f)                                                              \
    if (a->f != b->f)                                                          \
        return enc_diff(diff, diff_size, "%s." #f ": %llu != %llu", what,      \
                        (unsigned long long)a->f, (unsigned long long)b->f);
#define SAME_D(f)                                                              \
    if (!enc_same_double(a->f, b->f))                                          \
        return enc_diff(diff, diff_size, "%s." #f ": %.17g != %.17g", what,    \
                        a->f, b->f);
    SAME_U(w);
    SAME_U(n);
    SAME_U(periodic);
    SAME_U(clip_input);
    SAME_U(verbosity);
    SAME_U(halfwidth);
    SAME_U(padding);
    SAME_U(n_internal);
    SAME_D(minval);
    SAME_D(maxval);
    SAME_D(range_internal);
    SAME_D(range);
    /* Only non-periodic encoding uses the resolution; nothing uses the
     * radius once n is known. */
    if (!a->periodic) SAME_D(resolution);
#undef SAME_U
#undef SAME_D
    if (strcmp(a->name, b->name) != 0)
        return enc_diff(diff, diff_size, "%s.name: '%s' != '%s'", what, a->name,
                        b->name);
    return true;
}

bool nupic_scalar_enc_equal(const nupic_scalar_enc *a,
                            const nupic_scalar_enc *b, char *diff,
                            size_t diff_size) {
    if (diff && diff_size) diff[0] = '\0';
    return scalar_equal_ctx(a, b, "ScalarEncoder", diff, diff_size);
}

/* ------------------------------------------------------------------------
 * Serialization (NuPIC's ScalarEncoder.write and read)
 * ------------------------------------------------------------------------ */

nupic_status scalar_write_ctx(const nupic_scalar_enc *e, ScalarEncoderProto_B b,
                              const char *who, nupic_error *err) {
    float fmin = 0.0f, fmax = 0.0f;
    if (!enc_fits_f32(e->minval, &fmin) || !enc_fits_f32(e->maxval, &fmax) ||
        !(fmin < fmax))
        return enc_fail(err, NUPIC_ERR_UNSUPPORTED,
                        "%s: minval %.17g and maxval %.17g cannot be saved: "
                        "ScalarEncoderProto holds them as Float32 (%.9g and "
                        "%.9g)",
                        who, e->minval, e->maxval, (double)fmin, (double)fmax);
    /* What a reader will derive from n must be a valid encoder too. */
    double ri = (double)fmax - (double)fmin;
    double res = e->periodic ? ri / (double)e->n : ri / (double)(e->n - e->w);
    if (!(res > 0) || !isfinite(res))
        return enc_fail(err, NUPIC_ERR_UNSUPPORTED,
                        "%s: cannot be saved: the Float32 range %.9g to %.9g "
                        "over %u bits gives resolution %g",
                        who, (double)fmin, (double)fmax, e->n, res);
    ScalarEncoderProto_set_w(b, e->w);
    ScalarEncoderProto_set_minval(b, fmin);
    ScalarEncoderProto_set_maxval(b, fmax);
    ScalarEncoderProto_set_periodic(b, e->periodic);
    ScalarEncoderProto_set_n(b, e->n);
    ScalarEncoderProto_set_name(b, e->name, strlen(e->name));
    ScalarEncoderProto_set_verbosity(b, e->verbosity);
    ScalarEncoderProto_set_clipInput(b, e->clip_input);
    return enc_builder_status(b.s, err);
}

nupic_status nupic_scalar_enc_write(const nupic_scalar_enc *e,
                                    ScalarEncoderProto_B b, nupic_error *err) {
    return scalar_write_ctx(e, b, "ScalarEncoder", err);
}

nupic_status scalar_read_ctx(ScalarEncoderProto_R r, const char *ctx,
                             nupic_scalar_enc **out, nupic_error *err) {
    *out = NULL;
    nupic_scalar_enc_params p;
    nupic_scalar_enc_params_default(&p);
    p.w = ScalarEncoderProto_get_w(r);
    p.minval = ScalarEncoderProto_get_minval(r);
    p.maxval = ScalarEncoderProto_get_maxval(r);
    p.periodic = ScalarEncoderProto_get_periodic(r);
    p.n = ScalarEncoderProto_get_n(r);
    p.verbosity = ScalarEncoderProto_get_verbosity(r);
    p.clip_input = ScalarEncoderProto_get_clipInput(r);
    p.forced = true; /* as NuPIC's read */
    char *name = NULL;
    nupic_status st =
        enc_read_text(ScalarEncoderProto_get_name(r), ctx, "name", &name, err);
    if (st == NUPIC_OK) st = enc_msg_status(r.s, err);
    if (st != NUPIC_OK) {
        free(name);
        return st;
    }
    if (p.n == 0) {
        free(name);
        return enc_fail(err, NUPIC_ERR_FORMAT, "%s.n: 0 (no encoder)", ctx);
    }
    p.name = name;
    nupic_scalar_enc *e = calloc(1, sizeof *e);
    if (e == NULL) {
        free(name);
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s: out of memory", ctx);
    }
    st = setup(e, &p, ctx, NUPIC_ERR_FORMAT, err);
    free(name);
    if (st != NUPIC_OK) {
        nupic_scalar_enc_free(e);
        return st;
    }
    *out = e;
    return NUPIC_OK;
}

nupic_status nupic_scalar_enc_read(ScalarEncoderProto_R r,
                                   nupic_scalar_enc **out, nupic_error *err) {
    if (out == NULL)
        return enc_fail(err, NUPIC_ERR_ARG, "nupic_scalar_enc_read: NULL");
    return scalar_read_ctx(r, "ScalarEncoderProto", out, err);
}

uint64_t scalar_words(const nupic_scalar_enc *e) {
    return 8 + strlen(e->name) / 8;
}

ENC_PERSIST(nupic_scalar_enc, nupic_scalar_enc, ScalarEncoderProto,
            scalar_words)
