/*
 * src/algo/encoders/enc.h - what the encoders share: their structures (a
 * DateEncoder and a CategoryEncoder hold ScalarEncoders, a MultiEncoder
 * holds any of them), the readers and writers they call on each other with
 * the path of the field being read, and small helpers.
 */
#ifndef NUPIC_ALGO_ENC_H
#define NUPIC_ALGO_ENC_H

#include <stdarg.h>

#include <nupic/encoders.h>
#include <nupic/random.h>

/* The path of a field in error messages ("MultiEncoderProto.encoders[2].
 * dateEncoder.seasonEncoder"). */
#define ENC_CTX_SIZE 160

struct nupic_scalar_enc {
    uint32_t w, n, halfwidth, padding, n_internal;
    double minval, maxval;
    bool periodic, clip_input, forced;
    uint8_t verbosity;
    double range_internal, resolution, radius, range;
    /* The n, radius and resolution it was made with (get_params). */
    uint32_t n_param;
    double radius_param, resolution_param;
    char *name;
};

struct nupic_rdse {
    double resolution;
    uint32_t w, n;
    char *name;
    bool has_offset;
    double offset;
    nupic_random rng;
    int64_t seed_param;
    uint8_t verbosity;
    uint32_t min_index, max_index; /* the buckets made */
    uint32_t max_overlap;
    uint32_t num_tries;
    /* Buckets [tab_lo, tab_lo + tab_len) have room in tab, w bits each. */
    uint32_t *tab;
    uint32_t tab_lo, tab_len;
    uint8_t *mark; /* n bytes, all zero between uses */
};

struct nupic_date_enc {
    nupic_scalar_enc *part[NUPIC_DATE_PART_COUNT]; /* NULL: absent */
    uint32_t offset[NUPIC_DATE_PART_COUNT];
    uint32_t width;
    char *name;
    uint8_t custom_days;     /* bit d: weekday d (Monday 0) is a custom day */
    nupic_holiday *holidays; /* none: Christmas */
    uint32_t num_holidays;
    bool forced;
};

typedef struct cat_slot {
    uint32_t hash;
    uint32_t index; /* 0: empty */
} cat_slot;

struct nupic_category_enc {
    uint32_t w, width;
    uint32_t count; /* categories 1 .. count */
    char **cats;    /* cats[1 .. count]; cats[0] is "<UNKNOWN>" */
    size_t *lens;
    cat_slot *slots; /* open addressing: category -> index */
    uint32_t slot_mask;
    char *name;
    uint8_t verbosity;
    bool forced, allow_unknown;
    nupic_scalar_enc *scalar;
};

typedef struct multi_entry {
    nupic_enc_type type;
    uint32_t field; /* index into fields */
    uint32_t offset, width;
    union {
        nupic_scalar_enc *scalar;
        nupic_rdse *rdse;
        nupic_date_enc *date;
        nupic_category_enc *category;
        void *any;
    } u;
} multi_entry;

struct nupic_multi_enc {
    char *name;
    uint32_t width;
    multi_entry *entries;
    uint32_t num_entries, cap_entries;
    char **fields;
    uint32_t num_fields, cap_fields;
};

#define ENC_UNKNOWN "<UNKNOWN>"

/* ---- helpers (common.c) ------------------------------------------------ */

char *enc_strdup(const char *s);
/* Python 2's str() of a float ("0.88", "100.0", "1e-05"). */
void enc_py_str(double x, char *buf, size_t size);
/* An error recorded with a printf-style message. */
nupic_status enc_fail(nupic_error *err, nupic_status st, const char *fmt, ...)
    NCP_PRINTF(3, 4);
/* A text field copied into a new string; one holding a NUL byte is an
 * error naming ctx.field. */
nupic_status enc_read_text(ncp_text t, const char *ctx, const char *field,
                           char **out, nupic_error *err);
/* The message's first error (if any) as a nupic error. */
nupic_status enc_msg_status(ncp_struct s, nupic_error *err);
/* The builder's error (if any) as a nupic error. */
nupic_status enc_builder_status(ncp_bstruct b, nupic_error *err);
/* ctx + suffix into out. */
void enc_ctx(char *out, const char *ctx, const char *fmt, ...) NCP_PRINTF(3, 4);
/* Whether a double survives the proto's Float32 (in range, and non-zero if
 * it was); the value it becomes in *f. */
bool enc_fits_f32(double x, float *f);
/* Writes "what: a != b" into diff and returns false. */
bool enc_diff(char *diff, size_t size, const char *fmt, ...) NCP_PRINTF(3, 4);
bool enc_same_double(double a, double b);

/* ---- ScalarEncoder (scalar.c) ------------------------------------------ */

/* who names the encoder in messages ("DateEncoder season"). */
nupic_status scalar_make(const nupic_scalar_enc_params *p, const char *who,
                         nupic_scalar_enc **out, nupic_error *err);
/* NuPIC's _getFirstOnBit: the first bit of value's block (may be negative
 * when periodic). */
nupic_status scalar_first_bit(const nupic_scalar_enc *e, double value,
                              int64_t *minbin, nupic_error *err);
/* Writes the n bits of the block starting at minbin. */
void scalar_put(const nupic_scalar_enc *e, int64_t minbin, uint8_t *output);
nupic_status scalar_bucket_of(const nupic_scalar_enc *e, int64_t minbin,
                              uint32_t *bucket);
nupic_status scalar_read_ctx(ScalarEncoderProto_R r, const char *ctx,
                             nupic_scalar_enc **out, nupic_error *err);
nupic_status scalar_write_ctx(const nupic_scalar_enc *e, ScalarEncoderProto_B b,
                              const char *who, nupic_error *err);
bool scalar_equal_ctx(const nupic_scalar_enc *a, const nupic_scalar_enc *b,
                      const char *what, char *diff, size_t diff_size);

/* ---- the others --------------------------------------------------------- */

nupic_status rdse_read_ctx(RandomDistributedScalarEncoderProto_R r,
                           const char *ctx, nupic_rdse **out, nupic_error *err);
nupic_status rdse_write_ctx(const nupic_rdse *e,
                            RandomDistributedScalarEncoderProto_B b,
                            const char *who, nupic_error *err);
/* What an encode may change, to undo it. */
typedef struct rdse_snap {
    uint32_t min_index, max_index, num_tries;
    bool has_offset;
    double offset;
    nupic_random rng;
} rdse_snap;
void rdse_snap_take(const nupic_rdse *e, rdse_snap *s);
void rdse_snap_restore(nupic_rdse *e, const rdse_snap *s);
nupic_status date_read_ctx(DateEncoderProto_R r, const char *ctx,
                           nupic_date_enc **out, nupic_error *err);
nupic_status date_write_ctx(const nupic_date_enc *e, DateEncoderProto_B b,
                            const char *who, nupic_error *err);
nupic_status category_read_ctx(CategoryEncoderProto_R r, const char *ctx,
                               nupic_category_enc **out, nupic_error *err);
nupic_status category_write_ctx(const nupic_category_enc *e,
                                CategoryEncoderProto_B b, const char *who,
                                nupic_error *err);
bool rdse_equal_ctx(const nupic_rdse *a, const nupic_rdse *b, const char *what,
                    char *diff, size_t diff_size);
bool date_equal_ctx(const nupic_date_enc *a, const nupic_date_enc *b,
                    const char *what, char *diff, size_t diff_size);
bool category_equal_ctx(const nupic_category_enc *a,
                        const nupic_category_enc *b, const char *what,
                        char *diff, size_t diff_size);
uint64_t scalar_words(const nupic_scalar_enc *e);
uint64_t rdse_words(const nupic_rdse *e);
uint64_t date_words(const nupic_date_enc *e);
uint64_t category_words(const nupic_category_enc *e);

/* The file, memory and path functions of a component, over
 * src/algo/persist.h; PROTO is its proto's name, T its type. */
#define ENC_PERSIST(prefix, T, PROTO, words)                                   \
    static nupic_status prefix##_writer(const void *obj, ncp_builder *b,       \
                                        nupic_error *err) {                    \
        return prefix##_write(obj, PROTO##_new_root(b), err);                  \
    }                                                                          \
    static nupic_status prefix##_reader(ncp_msg *m, void **out,                \
                                        nupic_error *err) {                    \
        T *e = NULL;                                                           \
        nupic_status st = prefix##_read(PROTO##_read_root(m), &e, err);        \
        *out = e;                                                              \
        return st;                                                             \
    }                                                                          \
    nupic_status prefix##_write_to_file(                                       \
        const T *e, FILE *f, const nupic_save_options *o, nupic_error *err) {  \
        return persist_to_file(e, prefix##_writer, words(e), f, o, err);       \
    }                                                                          \
    nupic_status prefix##_read_from_file(FILE *f, const nupic_load_options *o, \
                                         T **out, nupic_error *err) {          \
        return persist_from_file(f, prefix##_reader, o, (void **)out, err);    \
    }                                                                          \
    nupic_status prefix##_write_to_mem(                                        \
        const T *e, const nupic_save_options *o, void **buf, size_t *len,      \
        nupic_error *err) {                                                    \
        return persist_to_mem(e, prefix##_writer, words(e), buf, len, o, err); \
    }                                                                          \
    nupic_status prefix##_read_from_mem(const void *buf, size_t len,           \
                                        const nupic_load_options *o, T **out,  \
                                        nupic_error *err) {                    \
        return persist_from_mem(buf, len, prefix##_reader, o, (void **)out,    \
                                err);                                          \
    }                                                                          \
    nupic_status prefix##_save(const T *e, const char *path,                   \
                               const nupic_save_options *o,                    \
                               nupic_error *err) {                             \
        return persist_to_path(e, prefix##_writer, words(e), path, o, err);    \
    }                                                                          \
    nupic_status prefix##_load(const char *path, const nupic_load_options *o,  \
                               T **out, nupic_error *err) {                    \
        return persist_from_path(path, prefix##_reader, o, (void **)out, err); \
    }

#endif /* NUPIC_ALGO_ENC_H */
