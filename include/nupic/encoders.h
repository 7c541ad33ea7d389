/*
 * nupic/encoders.h - NuPIC's encoders: values to sparse bit arrays, with
 * NuPIC's parameter names and semantics, serialized as NuPIC's Python
 * encoder schemas (schema/nupic/encoders/).
 *
 *   ScalarEncoder                   nupic_scalar_enc_*
 *   RandomDistributedScalarEncoder  nupic_rdse_*
 *   DateEncoder                     nupic_date_enc_*
 *   CategoryEncoder                 nupic_category_enc_*
 *   MultiEncoder                    nupic_multi_enc_*
 *
 * With the same parameters and inputs, every encoder writes the same bits
 * as NuPIC's (nupic.encoders, Python), and the RDSE grows the same bucket
 * map with the same random draws (nupic.core's Random).  An output is an
 * array of width() bytes, each 0 or 1 (NuPIC's uint8 array).
 *
 * Where nupic-c differs from NuPIC on purpose (see each function):
 *  - NaN is an error, not NuPIC's "missing value"; a missing value is
 *    encoded by the *_encode_missing functions (all zeros, as NuPIC);
 *  - an encode that fails changes nothing (NuPIC's RDSE could keep an
 *    offset or buckets set before the error);
 *  - parameters NuPIC would accept but then fail to encode or restore
 *    (n not above w, a resolution that is not a positive finite number,
 *    a category named "<UNKNOWN>", ...) are rejected when the encoder is
 *    made; an RDSE whose every possible new bucket breaks the overlap rules
 *    gives NUPIC_ERR_TOO_LARGE where NuPIC would loop for ever;
 *  - saving writes what NuPIC writes, but fails (NUPIC_ERR_UNSUPPORTED)
 *    when the state cannot be restored from it: a value outside Float32's
 *    range, a DateEncoder with its own holiday list (the schema has no
 *    field for it).
 *
 * Saving and loading: NuPIC's schemas keep the ScalarEncoder's n (not its
 * radius or resolution) and the RDSE's resolution and offset as Float32,
 * so a restored encoder is the one NuPIC's read() makes: its resolution is
 * derived from n, its Float32 values rounded.  A round trip is exact (equal
 * state, the same outputs after it) when the state is what the schema
 * holds: Float32 values (the RDSE's resolution and offset: give the offset,
 * or let the first value set it, as a Float32 value), and for a
 * non-periodic ScalarEncoder built from a radius or resolution, the
 * resolution that n gives back.  From the first restore on, every round
 * trip is exact, and writing a restored encoder again gives the same bytes.
 *
 * Equality (*_equal) compares what is saved and what the encoding uses:
 * every parameter and counter, the RDSE's buckets and generator; not a
 * ScalarEncoder's radius, nor the resolution of a periodic one, which
 * nothing uses once n is known.  When two objects differ and diff is not
 * NULL, the first difference is described in diff[0 .. diff_size).
 *
 * Ownership: *_new, *_read, *_read_from_* and *_load return a new object
 * that the caller frees with the matching *_free (NULL is allowed).
 * Strings in parameters are copied.  Pointers returned by accessors point
 * into the object and stay valid until it changes or is freed.
 *
 * Errors: functions return a nupic_status and, when err is not NULL,
 * record a message naming the parameter, field or value (the first error
 * is kept).  Invalid parameters give NUPIC_ERR_PARAM, invalid input values
 * NUPIC_ERR_ARG, invalid serialized data NUPIC_ERR_FORMAT (a message that
 * names the field, e.g. "RandomDistributedScalarEncoderProto.bucketMap:
 * bucket 517 has 22 bits, expected w = 21"); on error no object is
 * returned and nothing is leaked.
 *
 * Thread-safety: an object must not be used by two threads when either
 * call changes it (the RDSE's and MultiEncoder's encode functions, and
 * nupic_rdse_bucket); calls taking a const pointer may run concurrently.
 */
#ifndef NUPIC_ENCODERS_H
#define NUPIC_ENCODERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nupic/persist.h>
#include <nupic/status.h>

#include "nupic/encoders/category.capnp.h"
#include "nupic/encoders/date.capnp.h"
#include "nupic/encoders/multi.capnp.h"
#include "nupic/encoders/random_distributed_scalar.capnp.h"
#include "nupic/encoders/scalar.capnp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The widest output an encoder may have, in bits. */
#define NUPIC_ENC_MAX_WIDTH (UINT32_C(1) << 24)

/* ========================================================================
 * ScalarEncoder: w contiguous bits out of n, placed linearly over
 * [minval, maxval]; periodic encoders wrap around (maxval excluded).
 * ======================================================================== */

typedef struct nupic_scalar_enc_params {
    uint32_t w;            /* active bits, odd (21) */
    double minval, maxval; /* finite, minval < maxval (both 0: set them) */
    bool periodic;         /* false */
    /* Exactly one of n, radius and resolution is non-zero (all 0). */
    uint32_t n;
    double radius;
    double resolution;
    const char *name;  /* NULL: NuPIC's "[minval:maxval]" */
    uint8_t verbosity; /* 0; kept and saved, prints nothing */
    bool clip_input;   /* false: values outside the range are errors */
    bool forced;       /* false: w must be at least 21 */
} nupic_scalar_enc_params;

NCP_API void nupic_scalar_enc_params_default(nupic_scalar_enc_params *p);

typedef struct nupic_scalar_enc nupic_scalar_enc;

NCP_API nupic_status nupic_scalar_enc_new(const nupic_scalar_enc_params *p,
                                          nupic_scalar_enc **out,
                                          nupic_error *err);
NCP_API void nupic_scalar_enc_free(nupic_scalar_enc *e);

/* Encodes value into output[0 .. width).  NaN, and a value outside the
 * range (below minval, above maxval, or at maxval when periodic) unless
 * clip_input clips it (non-periodic only), give NUPIC_ERR_ARG and leave
 * output unchanged. */
NCP_API nupic_status nupic_scalar_enc_encode(const nupic_scalar_enc *e,
                                             double value, uint8_t *output,
                                             nupic_error *err);
/* NuPIC's missing value (None): width zeros. */
NCP_API void nupic_scalar_enc_encode_missing(const nupic_scalar_enc *e,
                                             uint8_t *output);
/* NuPIC's getBucketIndices: the first active bit (the centre bit when
 * periodic).  Errors as for encode. */
NCP_API nupic_status nupic_scalar_enc_bucket(const nupic_scalar_enc *e,
                                             double value, uint32_t *bucket,
                                             nupic_error *err);

NCP_API uint32_t nupic_scalar_enc_width(const nupic_scalar_enc *e); /* n */
NCP_API const char *nupic_scalar_enc_name(const nupic_scalar_enc *e);
/* The parameters it was made with (a restored encoder: n, forced). */
NCP_API void nupic_scalar_enc_get_params(const nupic_scalar_enc *e,
                                         nupic_scalar_enc_params *out);
/* The derived resolution and radius (NuPIC's attributes). */
NCP_API double nupic_scalar_enc_resolution(const nupic_scalar_enc *e);
NCP_API double nupic_scalar_enc_radius(const nupic_scalar_enc *e);

NCP_API bool nupic_scalar_enc_equal(const nupic_scalar_enc *a,
                                    const nupic_scalar_enc *b, char *diff,
                                    size_t diff_size);

NCP_API nupic_status nupic_scalar_enc_write(const nupic_scalar_enc *e,
                                            ScalarEncoderProto_B b,
                                            nupic_error *err);
NCP_API nupic_status nupic_scalar_enc_read(ScalarEncoderProto_R r,
                                           nupic_scalar_enc **out,
                                           nupic_error *err);
NCP_API nupic_status nupic_scalar_enc_write_to_file(
    const nupic_scalar_enc *e, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status
nupic_scalar_enc_read_from_file(FILE *f, const nupic_load_options *options,
                                nupic_scalar_enc **out, nupic_error *err);
NCP_API nupic_status nupic_scalar_enc_write_to_mem(
    const nupic_scalar_enc *e, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_scalar_enc_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_scalar_enc **out, nupic_error *err);
NCP_API nupic_status nupic_scalar_enc_save(const nupic_scalar_enc *e,
                                           const char *path,
                                           const nupic_save_options *options,
                                           nupic_error *err);
NCP_API nupic_status nupic_scalar_enc_load(const char *path,
                                           const nupic_load_options *options,
                                           nupic_scalar_enc **out,
                                           nupic_error *err);

/* ========================================================================
 * RandomDistributedScalarEncoder: values fall into buckets of width
 * resolution around an offset; each bucket has w random bits out of n.
 * Adjacent buckets share w - 1 bits, buckets w or more apart share at most
 * maxOverlap (2).  Buckets (1000 of them, 500 in the middle) are made as
 * values reach them, with nupic.core's Random.
 * ======================================================================== */

#define NUPIC_RDSE_MAX_BUCKETS 1000

typedef struct nupic_rdse_params {
    double resolution; /* required: positive, finite */
    uint32_t w;        /* 21, odd */
    uint32_t n;        /* 400, above 6 * w */
    const char *name;  /* NULL: NuPIC's "[resolution]" */
    bool has_offset;   /* false: the first value encoded is the offset */
    double offset;
    int64_t seed;      /* 42; -1: a seed from the clock */
    uint8_t verbosity; /* 0 */
} nupic_rdse_params;

NCP_API void nupic_rdse_params_default(nupic_rdse_params *p);

typedef struct nupic_rdse nupic_rdse;

NCP_API nupic_status nupic_rdse_new(const nupic_rdse_params *p,
                                    nupic_rdse **out, nupic_error *err);
NCP_API void nupic_rdse_free(nupic_rdse *e);

/* Encodes value into output[0 .. width), making its bucket (and those
 * between it and the buckets made so far) if needed.  NaN and infinities
 * give NUPIC_ERR_ARG (as does a value whose distance to the offset
 * overflows); no bucket left that keeps the overlap rules gives
 * NUPIC_ERR_TOO_LARGE.  On error nothing changes. */
NCP_API nupic_status nupic_rdse_encode(nupic_rdse *e, double value,
                                       uint8_t *output, nupic_error *err);
NCP_API void nupic_rdse_encode_missing(const nupic_rdse *e, uint8_t *output);
/* NuPIC's getBucketIndices (which sets the offset if it is not set). */
NCP_API nupic_status nupic_rdse_bucket(nupic_rdse *e, double value,
                                       uint32_t *bucket, nupic_error *err);

NCP_API uint32_t nupic_rdse_width(const nupic_rdse *e); /* n */
NCP_API const char *nupic_rdse_name(const nupic_rdse *e);
NCP_API void nupic_rdse_get_params(const nupic_rdse *e, nupic_rdse_params *out);
/* Whether the offset is set, and its value. */
NCP_API bool nupic_rdse_offset(const nupic_rdse *e, double *offset);
/* The buckets made so far: min..max. */
NCP_API void nupic_rdse_bucket_range(const nupic_rdse *e, uint32_t *min,
                                     uint32_t *max);
/* Bucket i's w bits, in the order they were drawn; NULL if not made. */
NCP_API const uint32_t *nupic_rdse_bucket_bits(const nupic_rdse *e, uint32_t i);
/* Draws rejected by the overlap rules so far (NuPIC's numTries). */
NCP_API uint32_t nupic_rdse_num_tries(const nupic_rdse *e);

NCP_API bool nupic_rdse_equal(const nupic_rdse *a, const nupic_rdse *b,
                              char *diff, size_t diff_size);

NCP_API nupic_status nupic_rdse_write(const nupic_rdse *e,
                                      RandomDistributedScalarEncoderProto_B b,
                                      nupic_error *err);
NCP_API nupic_status nupic_rdse_read(RandomDistributedScalarEncoderProto_R r,
                                     nupic_rdse **out, nupic_error *err);
NCP_API nupic_status nupic_rdse_write_to_file(const nupic_rdse *e, FILE *f,
                                              const nupic_save_options *options,
                                              nupic_error *err);
NCP_API nupic_status
nupic_rdse_read_from_file(FILE *f, const nupic_load_options *options,
                          nupic_rdse **out, nupic_error *err);
NCP_API nupic_status nupic_rdse_write_to_mem(const nupic_rdse *e,
                                             const nupic_save_options *options,
                                             void **buf, size_t *len,
                                             nupic_error *err);
NCP_API nupic_status nupic_rdse_read_from_mem(const void *buf, size_t len,
                                              const nupic_load_options *options,
                                              nupic_rdse **out,
                                              nupic_error *err);
NCP_API nupic_status nupic_rdse_save(const nupic_rdse *e, const char *path,
                                     const nupic_save_options *options,
                                     nupic_error *err);
NCP_API nupic_status nupic_rdse_load(const char *path,
                                     const nupic_load_options *options,
                                     nupic_rdse **out, nupic_error *err);

/* ========================================================================
 * DateEncoder: the concatenation of ScalarEncoders of a date's season
 * (day of year), day of week, weekend, custom days, holiday and time of
 * day, each present when its width is not 0.
 * ======================================================================== */

/* A date and time as Python's naive datetime.datetime (proleptic
 * Gregorian calendar). */
typedef struct nupic_datetime {
    int32_t year;        /* 1 .. 9999 */
    int32_t month;       /* 1 .. 12 */
    int32_t day;         /* 1 .. the month's days */
    int32_t hour;        /* 0 .. 23 */
    int32_t minute;      /* 0 .. 59 */
    int32_t second;      /* 0 .. 59 */
    int32_t microsecond; /* 0 .. 999999 */
} nupic_datetime;

/* A holiday: month and day every year (year 0), or one date. */
typedef struct nupic_holiday {
    int32_t year, month, day;
} nupic_holiday;

/* Each attribute is NuPIC's (width, radius) pair; width 0 leaves it out. */
typedef struct nupic_date_enc_params {
    uint32_t season_w;
    double season_radius; /* 91.5 days */
    uint32_t day_of_week_w;
    double day_of_week_radius; /* 1 day (Monday is 0) */
    uint32_t weekend_w;
    double weekend_radius; /* 1: Saturday, Sunday, Friday after 18:00 */
    uint32_t holiday_w;    /* radius 1: the holiday and the day after it */
    /* Holidays; none: NuPIC's default, Christmas (12, 25). */
    const nupic_holiday *holidays;
    uint32_t num_holidays;
    uint32_t time_of_day_w;
    double time_of_day_radius; /* 4 hours */
    /* Custom days (radius 1): day names ("mon" or "monday", any case). */
    uint32_t custom_days_w;
    const char *const *custom_days;
    uint32_t num_custom_days;
    /* NuPIC's customDays = (w, "day") form: one day given as a string
     * (it names the sub-encoder "day" rather than "day "). */
    bool custom_days_single;
    const char *name; /* NULL: "" */
    bool forced;      /* true: widths below 21 are allowed */
} nupic_date_enc_params;

NCP_API void nupic_date_enc_params_default(nupic_date_enc_params *p);

typedef struct nupic_date_enc nupic_date_enc;

NCP_API nupic_status nupic_date_enc_new(const nupic_date_enc_params *p,
                                        nupic_date_enc **out, nupic_error *err);
NCP_API void nupic_date_enc_free(nupic_date_enc *e);

/* An invalid date or time, or a yearly holiday that does not exist in the
 * value's year (February 29), gives NUPIC_ERR_ARG. */
NCP_API nupic_status nupic_date_enc_encode(const nupic_date_enc *e,
                                           const nupic_datetime *value,
                                           uint8_t *output, nupic_error *err);
NCP_API void nupic_date_enc_encode_missing(const nupic_date_enc *e,
                                           uint8_t *output);

/* The sub-encoders, in output order. */
typedef enum nupic_date_part {
    NUPIC_DATE_SEASON,
    NUPIC_DATE_DAY_OF_WEEK,
    NUPIC_DATE_WEEKEND,
    NUPIC_DATE_CUSTOM_DAYS,
    NUPIC_DATE_HOLIDAY,
    NUPIC_DATE_TIME_OF_DAY,
    NUPIC_DATE_PART_COUNT
} nupic_date_part;

/* NuPIC's getScalars: the value each present part encodes, in part order
 * (at most NUPIC_DATE_PART_COUNT); returns how many. */
NCP_API nupic_status nupic_date_enc_scalars(const nupic_date_enc *e,
                                            const nupic_datetime *value,
                                            double *scalars, uint32_t *count,
                                            nupic_error *err);
/* NuPIC's getBucketIndices: one bucket per present part. */
NCP_API nupic_status nupic_date_enc_buckets(const nupic_date_enc *e,
                                            const nupic_datetime *value,
                                            uint32_t *buckets, uint32_t *count,
                                            nupic_error *err);

NCP_API uint32_t nupic_date_enc_width(const nupic_date_enc *e);
NCP_API const char *nupic_date_enc_name(const nupic_date_enc *e);
/* A part's encoder (NULL when absent) and its first bit in the output. */
NCP_API const nupic_scalar_enc *nupic_date_enc_part(const nupic_date_enc *e,
                                                    nupic_date_part part,
                                                    uint32_t *offset);

NCP_API bool nupic_date_enc_equal(const nupic_date_enc *a,
                                  const nupic_date_enc *b, char *diff,
                                  size_t diff_size);

NCP_API nupic_status nupic_date_enc_write(const nupic_date_enc *e,
                                          DateEncoderProto_B b,
                                          nupic_error *err);
NCP_API nupic_status nupic_date_enc_read(DateEncoderProto_R r,
                                         nupic_date_enc **out,
                                         nupic_error *err);
NCP_API nupic_status nupic_date_enc_write_to_file(
    const nupic_date_enc *e, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status
nupic_date_enc_read_from_file(FILE *f, const nupic_load_options *options,
                              nupic_date_enc **out, nupic_error *err);
NCP_API nupic_status nupic_date_enc_write_to_mem(
    const nupic_date_enc *e, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_date_enc_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_date_enc **out, nupic_error *err);
NCP_API nupic_status nupic_date_enc_save(const nupic_date_enc *e,
                                         const char *path,
                                         const nupic_save_options *options,
                                         nupic_error *err);
NCP_API nupic_status nupic_date_enc_load(const char *path,
                                         const nupic_load_options *options,
                                         nupic_date_enc **out,
                                         nupic_error *err);

/* ========================================================================
 * CategoryEncoder: category i (1 .. count, in list order; 0 is unknown)
 * sets bits [i * w, (i + 1) * w).
 * ======================================================================== */

typedef struct nupic_category_enc_params {
    uint32_t w;                    /* 21, odd */
    const char *const *categories; /* at least one; duplicates allowed
                                      (the last one wins) */
    uint32_t num_categories;
    const char *name;  /* NULL: "category" */
    uint8_t verbosity; /* 0 */
    bool forced;       /* false: w must be at least 21 */
    /* true (NuPIC): unknown categories encode as category 0.  false: they
     * are errors (a nupic-c option, saved by leaving index 0 out of
     * indexToCategory). */
    bool allow_unknown;
} nupic_category_enc_params;

NCP_API void nupic_category_enc_params_default(nupic_category_enc_params *p);

typedef struct nupic_category_enc nupic_category_enc;

NCP_API nupic_status nupic_category_enc_new(const nupic_category_enc_params *p,
                                            nupic_category_enc **out,
                                            nupic_error *err);
NCP_API void nupic_category_enc_free(nupic_category_enc *e);

/* An unknown category is category 0, or NUPIC_ERR_ARG when unknown
 * categories are not allowed. */
NCP_API nupic_status nupic_category_enc_encode(const nupic_category_enc *e,
                                               const char *category,
                                               uint8_t *output,
                                               nupic_error *err);
NCP_API void nupic_category_enc_encode_missing(const nupic_category_enc *e,
                                               uint8_t *output);
/* The category's index (0: unknown), and NuPIC's bucket (index * w). */
NCP_API nupic_status nupic_category_enc_index(const nupic_category_enc *e,
                                              const char *category,
                                              uint32_t *index,
                                              nupic_error *err);
NCP_API nupic_status nupic_category_enc_bucket(const nupic_category_enc *e,
                                               const char *category,
                                               uint32_t *bucket,
                                               nupic_error *err);

NCP_API uint32_t nupic_category_enc_width(const nupic_category_enc *e);
NCP_API const char *nupic_category_enc_name(const nupic_category_enc *e);
NCP_API uint32_t nupic_category_enc_num_categories(const nupic_category_enc *e);
/* Category i (1 .. count; 0 gives "<UNKNOWN>"); NULL if out of range. */
NCP_API const char *nupic_category_enc_category(const nupic_category_enc *e,
                                                uint32_t i);
NCP_API bool nupic_category_enc_allows_unknown(const nupic_category_enc *e);

NCP_API bool nupic_category_enc_equal(const nupic_category_enc *a,
                                      const nupic_category_enc *b, char *diff,
                                      size_t diff_size);

NCP_API nupic_status nupic_category_enc_write(const nupic_category_enc *e,
                                              CategoryEncoderProto_B b,
                                              nupic_error *err);
NCP_API nupic_status nupic_category_enc_read(CategoryEncoderProto_R r,
                                             nupic_category_enc **out,
                                             nupic_error *err);
NCP_API nupic_status nupic_category_enc_write_to_file(
    const nupic_category_enc *e, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status
nupic_category_enc_read_from_file(FILE *f, const nupic_load_options *options,
                                  nupic_category_enc **out, nupic_error *err);
NCP_API nupic_status nupic_category_enc_write_to_mem(
    const nupic_category_enc *e, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_category_enc_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_category_enc **out, nupic_error *err);
NCP_API nupic_status nupic_category_enc_save(const nupic_category_enc *e,
                                             const char *path,
                                             const nupic_save_options *options,
                                             nupic_error *err);
NCP_API nupic_status nupic_category_enc_load(const char *path,
                                             const nupic_load_options *options,
                                             nupic_category_enc **out,
                                             nupic_error *err);

/* ========================================================================
 * MultiEncoder: encoders of a record's fields, their outputs concatenated
 * in the order they were added.  Several encoders may read one field (the
 * hotgym model encodes "timestamp" twice); a record holds one value per
 * distinct field, in the order the fields first appear.
 * ======================================================================== */

typedef enum nupic_enc_type {
    NUPIC_ENC_SCALAR = 1,
    NUPIC_ENC_RDSE,
    NUPIC_ENC_DATE,
    NUPIC_ENC_CATEGORY
} nupic_enc_type;

typedef enum nupic_value_kind {
    NUPIC_VALUE_MISSING = 0, /* NuPIC's None: the encoder's bits are 0 */
    NUPIC_VALUE_NUMBER,      /* scalar and RDSE fields */
    NUPIC_VALUE_DATETIME,    /* date fields */
    NUPIC_VALUE_CATEGORY     /* category fields */
} nupic_value_kind;

typedef struct nupic_value {
    nupic_value_kind kind;
    union {
        double number;
        nupic_datetime datetime;
        const char *category;
    } u;
} nupic_value;

typedef struct nupic_multi_enc nupic_multi_enc;

/* An empty encoder (width 0); name NULL is "". */
NCP_API nupic_status nupic_multi_enc_new(const char *name,
                                         nupic_multi_enc **out,
                                         nupic_error *err);
NCP_API void nupic_multi_enc_free(nupic_multi_enc *m);

/* Appends an encoder of the field named field; on success m owns enc, on
 * error the caller still does. */
NCP_API nupic_status nupic_multi_enc_add_scalar(nupic_multi_enc *m,
                                                const char *field,
                                                nupic_scalar_enc *enc,
                                                nupic_error *err);
NCP_API nupic_status nupic_multi_enc_add_rdse(nupic_multi_enc *m,
                                              const char *field,
                                              nupic_rdse *enc,
                                              nupic_error *err);
NCP_API nupic_status nupic_multi_enc_add_date(nupic_multi_enc *m,
                                              const char *field,
                                              nupic_date_enc *enc,
                                              nupic_error *err);
NCP_API nupic_status nupic_multi_enc_add_category(nupic_multi_enc *m,
                                                  const char *field,
                                                  nupic_category_enc *enc,
                                                  nupic_error *err);

/* Encodes a record: values[i] is field i's value.  A value of the wrong
 * kind for an encoder of its field, or any error of an encoder, gives that
 * error; on error no encoder changes (the output is then partly
 * written). */
NCP_API nupic_status nupic_multi_enc_encode(nupic_multi_enc *m,
                                            const nupic_value *values,
                                            uint8_t *output, nupic_error *err);

NCP_API uint32_t nupic_multi_enc_width(const nupic_multi_enc *m);
NCP_API const char *nupic_multi_enc_name(const nupic_multi_enc *m);
/* Distinct fields, in order of first appearance. */
NCP_API uint32_t nupic_multi_enc_num_fields(const nupic_multi_enc *m);
NCP_API const char *nupic_multi_enc_field_name(const nupic_multi_enc *m,
                                               uint32_t i);
/* The index of the field named name; false if there is none. */
NCP_API bool nupic_multi_enc_find_field(const nupic_multi_enc *m,
                                        const char *name, uint32_t *index);
/* Encoders, in output order: type, field index, first bit, and the encoder
 * itself (the accessor of another type gives NULL). */
NCP_API uint32_t nupic_multi_enc_num_encoders(const nupic_multi_enc *m);
NCP_API nupic_enc_type nupic_multi_enc_type(const nupic_multi_enc *m,
                                            uint32_t j);
NCP_API uint32_t nupic_multi_enc_encoder_field(const nupic_multi_enc *m,
                                               uint32_t j);
NCP_API uint32_t nupic_multi_enc_offset(const nupic_multi_enc *m, uint32_t j);
NCP_API const nupic_scalar_enc *nupic_multi_enc_scalar(const nupic_multi_enc *m,
                                                       uint32_t j);
NCP_API const nupic_rdse *nupic_multi_enc_rdse(const nupic_multi_enc *m,
                                               uint32_t j);
NCP_API const nupic_date_enc *nupic_multi_enc_date(const nupic_multi_enc *m,
                                                   uint32_t j);
NCP_API const nupic_category_enc *
nupic_multi_enc_category(const nupic_multi_enc *m, uint32_t j);

/* NuPIC's getBucketIndices for one field: the bucket of value for the
 * first encoder of field `field` (a scalar, RDSE or category encoder; a
 * date field gives NUPIC_ERR_UNSUPPORTED).  An RDSE grows its bucket map
 * as when it encodes the value, hence the non-const m. */
NCP_API nupic_status nupic_multi_enc_bucket(nupic_multi_enc *m, uint32_t field,
                                            const nupic_value *value,
                                            uint32_t *bucket, nupic_error *err);

NCP_API bool nupic_multi_enc_equal(const nupic_multi_enc *a,
                                   const nupic_multi_enc *b, char *diff,
                                   size_t diff_size);

/* Reading accepts the four encoder types above; another member of
 * EncoderUnion gives NUPIC_ERR_UNSUPPORTED naming it. */
NCP_API nupic_status nupic_multi_enc_write(const nupic_multi_enc *m,
                                           MultiEncoderProto_B b,
                                           nupic_error *err);
NCP_API nupic_status nupic_multi_enc_read(MultiEncoderProto_R r,
                                          nupic_multi_enc **out,
                                          nupic_error *err);
NCP_API nupic_status nupic_multi_enc_write_to_file(
    const nupic_multi_enc *m, FILE *f, const nupic_save_options *options,
    nupic_error *err);
NCP_API nupic_status
nupic_multi_enc_read_from_file(FILE *f, const nupic_load_options *options,
                               nupic_multi_enc **out, nupic_error *err);
NCP_API nupic_status nupic_multi_enc_write_to_mem(
    const nupic_multi_enc *m, const nupic_save_options *options, void **buf,
    size_t *len, nupic_error *err);
NCP_API nupic_status nupic_multi_enc_read_from_mem(
    const void *buf, size_t len, const nupic_load_options *options,
    nupic_multi_enc **out, nupic_error *err);
NCP_API nupic_status nupic_multi_enc_save(const nupic_multi_enc *m,
                                          const char *path,
                                          const nupic_save_options *options,
                                          nupic_error *err);
NCP_API nupic_status nupic_multi_enc_load(const char *path,
                                          const nupic_load_options *options,
                                          nupic_multi_enc **out,
                                          nupic_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_ENCODERS_H */
