/*
 * nupic/ncp/base.h - shared vocabulary of the ncp Cap'n Proto runtime.
 *
 * ncp is nupic-c's implementation of the Cap'n Proto data encoding (no RPC).
 * It knows nothing about HTM.  This header holds what every other ncp header
 * needs: the version, the status codes and error record, the allocator hook,
 * list element sizes and little-endian load/store helpers.
 *
 * Thread-safety: everything declared here is pure or reentrant.
 */
#ifndef NUPIC_NCP_BASE_H
#define NUPIC_NCP_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the runtime.  NCP_ABI_VERSION changes whenever the layout of a
 * public handle or the meaning of an inline accessor changes; generated code
 * checks it at compile time. */
#define NCP_VERSION_MAJOR 0
#define NCP_VERSION_MINOR 1
#define NCP_VERSION_PATCH 0
#define NCP_ABI_VERSION   1

#if defined(__GNUC__) || defined(__clang__)
#define NCP_API          __attribute__((visibility("default")))
#define NCP_NODISCARD    __attribute__((warn_unused_result))
#define NCP_LIKELY(x)    __builtin_expect(!!(x), 1)
#define NCP_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define NCP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NCP_API
#define NCP_NODISCARD
#define NCP_LIKELY(x)   (x)
#define NCP_UNLIKELY(x) (x)
#define NCP_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------------
 * Status codes.  One list produces the enum and the name table.
 * ------------------------------------------------------------------------ */
#define NCP_STATUS_LIST(X)                                                     \
    X(NCP_OK, "ok")                                                            \
    X(NCP_ERR_MALFORMED, "malformed message")                                  \
    X(NCP_ERR_TRUNCATED, "truncated input")                                    \
    X(NCP_ERR_LIMIT, "traversal limit exceeded")                               \
    X(NCP_ERR_NESTING, "nesting limit exceeded")                               \
    X(NCP_ERR_TOO_LARGE, "size exceeds a limit")                               \
    X(NCP_ERR_TYPE, "pointer of unexpected type")                              \
    X(NCP_ERR_CAPABILITY, "capability pointer in a data message")              \
    X(NCP_ERR_NOMEM, "out of memory")                                          \
    X(NCP_ERR_IO, "input/output error")                                        \
    X(NCP_ERR_ARG, "invalid argument")

typedef enum ncp_status {
#define NCP_X_ENUM(name, text) name,
    NCP_STATUS_LIST(NCP_X_ENUM)
#undef NCP_X_ENUM
        NCP_STATUS_COUNT_
} ncp_status;

/* Short English description of a status ("truncated input").  Never NULL;
 * unknown values give "unknown status". */
NCP_API const char *ncp_status_text(ncp_status status);
/* Identifier of a status ("NCP_ERR_TRUNCATED").  Never NULL. */
NCP_API const char *ncp_status_name(ncp_status status);

/* An error record: a status plus a message that says what was wrong and
 * where, e.g. "Node.children: list pointer at segment 0 word 17 reaches word
 * 9000, beyond the segment's 500 words".  message is always NUL-terminated.
 * A record keeps its first error, so start each with
 * `ncp_error err = {NCP_OK, ""};` (or ncp_error_clear): functions given
 * one that already holds an error leave it unchanged. */
#define NCP_ERROR_MESSAGE_SIZE 256
typedef struct ncp_error {
    ncp_status status;
    char message[NCP_ERROR_MESSAGE_SIZE];
} ncp_error;

/* Records status and a formatted message in *err unless err is NULL or
 * already holds an error (the first error wins).  Returns status. */
NCP_API ncp_status ncp_error_set(ncp_error *err, ncp_status status,
                                 const char *fmt, ...) NCP_PRINTF(3, 4);
/* Resets *err to NCP_OK with an empty message.  err may be NULL. */
NCP_API void ncp_error_clear(ncp_error *err);

/* ------------------------------------------------------------------------
 * Allocator hook (Lua's convention).
 *   fn(ud, NULL, 0, n)    allocate n bytes; NULL on failure
 *   fn(ud, p, old, n)     resize p from old to n bytes; NULL on failure (p
 *                         stays valid)
 *   fn(ud, p, old, 0)     free p; returns NULL
 * A zeroed ncp_allocator (fn == NULL) means the C library's malloc family.
 * ------------------------------------------------------------------------ */
typedef void *(*ncp_alloc_fn)(void *ud, void *ptr, size_t old_size,
                              size_t new_size);
typedef struct ncp_allocator {
    ncp_alloc_fn fn;
    void *ud;
} ncp_allocator;

/* ------------------------------------------------------------------------
 * Wire constants.
 * ------------------------------------------------------------------------ */

/* List element encodings, as in the wire format (3 bits). */
typedef enum ncp_elem_size {
    NCP_ELEM_VOID = 0,
    NCP_ELEM_BIT = 1,
    NCP_ELEM_BYTE = 2,
    NCP_ELEM_2BYTES = 3,
    NCP_ELEM_4BYTES = 4,
    NCP_ELEM_8BYTES = 5,
    NCP_ELEM_POINTER = 6,
    NCP_ELEM_COMPOSITE = 7
} ncp_elem_size;

/* Largest element count of a list and largest segment, in words. */
#define NCP_MAX_LIST_ELEMENTS ((uint32_t)0x1fffffff)
#define NCP_MAX_SEGMENT_WORDS ((uint32_t)0x1fffffff)

/* ------------------------------------------------------------------------
 * Little-endian loads and stores at any alignment.  On little-endian hosts
 * these compile to plain moves; NCP_PORTABLE_BYTE_ORDER forces the
 * byte-by-byte path (it is correct on every host and is what big-endian
 * machines use), so that path is tested on the common machine too.
 * ------------------------------------------------------------------------ */
#if !defined(NCP_PORTABLE_BYTE_ORDER) && defined(__BYTE_ORDER__) &&            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NCP_HOST_LE 1
#else
#define NCP_HOST_LE 0
#endif

static inline uint16_t ncp_load16(const void *p) {
#if NCP_HOST_LE
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (unsigned)b[1] << 8);
#endif
}

static inline uint32_t ncp_load32(const void *p) {
#if NCP_HOST_LE
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
#endif
}

static inline uint64_t ncp_load64(const void *p) {
#if NCP_HOST_LE
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    const uint8_t *b = (const uint8_t *)p;
    return (uint64_t)ncp_load32(b) | (uint64_t)ncp_load32(b + 4) << 32;
#endif
}

static inline void ncp_store16(void *p, uint16_t v) {
#if NCP_HOST_LE
    memcpy(p, &v, sizeof v);
#else
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
#endif
}

static inline void ncp_store32(void *p, uint32_t v) {
#if NCP_HOST_LE
    memcpy(p, &v, sizeof v);
#else
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
#endif
}

static inline void ncp_store64(void *p, uint64_t v) {
#if NCP_HOST_LE
    memcpy(p, &v, sizeof v);
#else
    ncp_store32(p, (uint32_t)v);
    ncp_store32((uint8_t *)p + 4, (uint32_t)(v >> 32));
#endif
}

/* Bit casts between floating point values and their IEEE-754 bits. */
static inline float ncp_f32_from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
static inline uint32_t ncp_f32_to_bits(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}
static inline double ncp_f64_from_bits(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}
static inline uint64_t ncp_f64_to_bits(double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

/* Two's-complement reinterpretation of unsigned wire values as signed ones
 * (well defined, unlike a cast of an out-of-range value). */
static inline int8_t ncp_i8(uint8_t v) {
    int8_t r;
    memcpy(&r, &v, sizeof r);
    return r;
}
static inline int16_t ncp_i16(uint16_t v) {
    int16_t r;
    memcpy(&r, &v, sizeof r);
    return r;
}
static inline int32_t ncp_i32(uint32_t v) {
    int32_t r;
    memcpy(&r, &v, sizeof r);
    return r;
}
static inline int64_t ncp_i64(uint64_t v) {
    int64_t r;
    memcpy(&r, &v, sizeof r);
    return r;
}

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NCP_BASE_H */
