/*
 * src/algo/encoders/common.c - helpers shared by the encoders.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc.h"

char *enc_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Python 2.7 formats str(float) as '%.12g', but switches to an exponent
 * one digit earlier (when the point would fall after the 11th digit) and
 * appends ".0" to what looks like an integer. */
void enc_py_str(double x, char *buf, size_t size) {
    if (!isfinite(x)) {
        snprintf(buf, size, "%s", isnan(x) ? "nan" : x < 0 ? "-inf" : "inf");
        return;
    }
    char e[64];
    snprintf(e, sizeof e, "%.11e", x);
    const char *ep = strchr(e, 'e');
    int exp10 = ep ? atoi(ep + 1) : 0;
    if (exp10 == 11) {
        /* Python writes the exponent form; trim the mantissa's zeros. */
        size_t m = (size_t)(ep - e);
        while (m > 0 && e[m - 1] == '0')
            m--;
        if (m > 0 && e[m - 1] == '.') m--;
        snprintf(buf, size, "%.*se+%d", (int)m, e, exp10);
        return;
    }
    snprintf(buf, size, "%.12g", x);
    if (strpbrk(buf, ".e") == NULL) {
        size_t len = strlen(buf);
        if (len + 2 < size) memcpy(buf + len, ".0", 3);
    }
}

nupic_status enc_fail(nupic_error *err, nupic_status st, const char *fmt, ...) {
    char msg[NUPIC_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nupic_error_set(err, st, "%s", msg);
}

nupic_status enc_read_text(ncp_text t, const char *ctx, const char *field,
                           char **out, nupic_error *err) {
    *out = NULL;
    if (memchr(t.str, '\0', t.len) != NULL)
        return enc_fail(err, NUPIC_ERR_FORMAT,
                        "%s.%s: the text holds a NUL byte at %zu", ctx, field,
                        strlen(t.str));
    char *s = malloc(t.len + 1);
    if (s == NULL)
        return enc_fail(err, NUPIC_ERR_NOMEM, "%s.%s: out of memory", ctx,
                        field);
    memcpy(s, t.str, t.len);
    s[t.len] = '\0';
    *out = s;
    return NUPIC_OK;
}

nupic_status enc_msg_status(ncp_struct s, nupic_error *err) {
    if (s.msg && ncp_msg_status(s.msg) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_msg_error(s.msg));
    return NUPIC_OK;
}

nupic_status enc_builder_status(ncp_bstruct b, nupic_error *err) {
    if (b.b && ncp_builder_status(b.b) != NCP_OK)
        return nupic_error_from_ncp(err, ncp_builder_error(b.b));
    return NUPIC_OK;
}

void enc_ctx(char *out, const char *ctx, const char *fmt, ...) {
    size_t n = (size_t)snprintf(out, ENC_CTX_SIZE, "%s", ctx);
    if (n >= ENC_CTX_SIZE) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, ENC_CTX_SIZE - n, fmt, ap);
    va_end(ap);
}

bool enc_fits_f32(double x, float *f) {
    *f = 0.0f;
    if (!isfinite(x) || fabs(x) > (double)FLT_MAX) return false;
    *f = (float)x;
    return !(x != 0.0 && *f == 0.0f);
}

bool enc_diff(char *diff, size_t size, const char *fmt, ...) {
    if (diff && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diff, size, fmt, ap);
        va_end(ap);
    }
    return false;
}

bool enc_same_double(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}
