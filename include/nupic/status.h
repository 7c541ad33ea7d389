/*
 * nupic/status.h - status codes and error records of nupic-c's HTM layers
 * (algorithms, engine).  The Cap'n Proto runtime has its own (ncp_status);
 * its errors reach this layer as NUPIC_ERR_FORMAT, NUPIC_ERR_IO, ... with
 * the runtime's message.
 *
 * Thread-safety: pure functions.
 */
#ifndef NUPIC_STATUS_H
#define NUPIC_STATUS_H

#include <nupic/ncp/base.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NUPIC_STATUS_LIST(X)                                                   \
    X(NUPIC_OK, "ok")                                                          \
    X(NUPIC_ERR_ARG, "invalid argument")                                       \
    X(NUPIC_ERR_PARAM, "invalid parameter")                                    \
    X(NUPIC_ERR_FORMAT, "malformed or inconsistent serialized data")           \
    X(NUPIC_ERR_TOO_LARGE, "size exceeds a limit")                             \
    X(NUPIC_ERR_NOMEM, "out of memory")                                        \
    X(NUPIC_ERR_IO, "input/output error")                                      \
    X(NUPIC_ERR_UNSUPPORTED, "not supported")

typedef enum nupic_status {
#define NUPIC_X_ENUM(name, text) name,
    NUPIC_STATUS_LIST(NUPIC_X_ENUM)
#undef NUPIC_X_ENUM
        NUPIC_STATUS_COUNT_
} nupic_status;

NCP_API const char *nupic_status_text(nupic_status status);
NCP_API const char *nupic_status_name(nupic_status status);

/* An error record.  It keeps its first error, so start each with
 * `nupic_error err = {NUPIC_OK, ""};` (or nupic_error_clear): functions
 * given one that already holds an error leave it unchanged. */
#define NUPIC_ERROR_MESSAGE_SIZE 256
typedef struct nupic_error {
    nupic_status status;
    char message[NUPIC_ERROR_MESSAGE_SIZE];
} nupic_error;

/* Records status and message in *err unless err is NULL or already holds
 * an error (the first error wins).  Returns status. */
NCP_API nupic_status nupic_error_set(nupic_error *err, nupic_status status,
                                     const char *fmt, ...) NCP_PRINTF(3, 4);
NCP_API void nupic_error_clear(nupic_error *err);
/* The nupic_status for a runtime status (NCP_ERR_NOMEM -> NUPIC_ERR_NOMEM,
 * malformed input of any kind -> NUPIC_ERR_FORMAT, ...). */
NCP_API nupic_status nupic_status_from_ncp(ncp_status status);
/* Copies a runtime error into *err (first error wins); returns its status. */
NCP_API nupic_status nupic_error_from_ncp(nupic_error *err, const ncp_error *e);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_STATUS_H */
