/*
 * fuzz/fuzz_util.h - helpers shared by the fuzz targets and their replay
 * programs.
 */
#ifndef NUPIC_FUZZ_UTIL_H
#define NUPIC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <nupic/ncp.h>
#include <nupic/status.h>

/* The entry point every target defines (libFuzzer's interface). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant and aborts, so that libFuzzer (or the replay
 * program under CTest) records the input as a failure. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn, format(printf, 4, 5)))
#endif
void fz_fail(const char *file, int line, const char *cond, const char *fmt,
             ...);

#define FZ_CHECK(cond, ...)                                                    \
    do {                                                                       \
        if (!(cond)) fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);          \
    } while (0)

/* An error record is well formed: NUL-terminated, and a message is present
 * exactly when the status is not NCP_OK. */
void fz_check_error(const ncp_error *e, const char *ctx);

/* A component's read that failed (status st, object obj, record err) did
 * so cleanly: no object, a status of NUPIC_ERR_FORMAT, NUPIC_ERR_TOO_LARGE
 * or `also` (NUPIC_OK: no other), the same status recorded with a
 * non-empty, NUL-terminated message. */
void fz_check_failed_read(nupic_status st, const void *obj,
                          const nupic_error *err, nupic_status also,
                          const char *ctx);

/* A descriptor of a regular (temporary) file holding exactly data[0..size),
 * positioned at its start.  The same file is rewritten at each call; the
 * caller must not close it. */
int fz_file_with(const uint8_t *data, size_t size);

/* malloc that aborts on failure; fz_dup copies n bytes into an allocation of
 * exactly n bytes (so AddressSanitizer sees reads past them). */
void *fz_malloc(size_t n);
uint8_t *fz_dup(const void *p, size_t n);

#endif
