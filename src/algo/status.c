/*
 * src/algo/status.c - nupic_status names and error records.
 */
#include <stdarg.h>
#include <stdio.h>

#include <nupic/status.h>

static const char *const texts[] = {
#define NUPIC_X_TEXT(name, text) text,
    NUPIC_STATUS_LIST(NUPIC_X_TEXT)
#undef NUPIC_X_TEXT
};

static const char *const names[] = {
#define NUPIC_X_NAME(name, text) #name,
    NUPIC_STATUS_LIST(NUPIC_X_NAME)
#undef NUPIC_X_NAME
};

const char *nupic_status_text(nupic_status s) {
    return (unsigned)s < NUPIC_STATUS_COUNT_ ? texts[s] : "unknown status";
}

const char *nupic_status_name(nupic_status s) {
    return (unsigned)s < NUPIC_STATUS_COUNT_ ? names[s]
                                             : "NUPIC_UNKNOWN_STATUS";
}

nupic_status nupic_error_set(nupic_error *err, nupic_status status,
                             const char *fmt, ...) {
    if (err == NULL || err->status != NUPIC_OK || status == NUPIC_OK)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n < 0) err->message[0] = '\0';
    return status;
}

void nupic_error_clear(nupic_error *err) {
    if (err == NULL) return;
    err->status = NUPIC_OK;
    err->message[0] = '\0';
}

nupic_status nupic_status_from_ncp(ncp_status s) {
    switch (s) {
    case NCP_OK: return NUPIC_OK;
    case NCP_ERR_NOMEM: return NUPIC_ERR_NOMEM;
    case NCP_ERR_IO: return NUPIC_ERR_IO;
    case NCP_ERR_ARG: return NUPIC_ERR_ARG;
    case NCP_ERR_TOO_LARGE: return NUPIC_ERR_TOO_LARGE;
    default: return NUPIC_ERR_FORMAT;
    }
}

nupic_status nupic_error_from_ncp(nupic_error *err, const ncp_error *e) {
    nupic_status s = nupic_status_from_ncp(e->status);
    return nupic_error_set(err, s, "%s", e->message);
}
