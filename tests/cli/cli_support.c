/*
 * tests/cli/cli_support.c - running the `nupic` program from tests.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

const char *cli_env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL) fail_msg("%s is not set (run through ctest)", name);
    return v;
}

/* Runs a shell command; returns its exit status (128 + n when killed by
 * signal n). */
int cli_run(const char *fmt, ...) {
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc == -1) fail_msg("cannot run %s", cmd);
    if (WIFSIGNALED(rc)) return 128 + WTERMSIG(rc);
    return WEXITSTATUS(rc);
}

/* nupic <args> > out.txt 2> err.txt */
int cli_nupic(const char *args) {
    return cli_run("'%s' %s > out.txt 2> err.txt", cli_env("NUPIC_CLI"), args);
}

ts_buf cli_slurp(const char *path) {
    ts_buf b = ts_read_file(path);
    /* NUL-terminate for string functions */
    uint8_t *p = realloc(b.data, b.len + 1);
    assert_non_null(p);
    p[b.len] = 0;
    b.data = p;
    return b;
}

/* stderr holds one message of the tool and no sanitizer report. */
void cli_assert_clean_error(void) {
    ts_buf err = cli_slurp("err.txt");
    const char *e = (const char *)err.data;
    if (strstr(e, "Sanitizer") || strstr(e, "runtime error") ||
        (strncmp(e, "nupic", 5) != 0 && strncmp(e, "usage: nupic", 12) != 0))
        fail_msg("unexpected stderr: %s", e);
    ts_buf_free(&err);
}

void cli_assert_fails(const char *args, int status) {
    int rc = cli_nupic(args);
    if (rc != status) {
        ts_buf err = cli_slurp("err.txt");
        fail_msg("nupic %s: exit %d, want %d; stderr: %s", args, rc, status,
                 (const char *)err.data);
    }
    cli_assert_clean_error();
    if (status == 1) {
        ts_buf out = cli_slurp("out.txt");
        assert_int_equal(out.len, 0);
        ts_buf_free(&out);
    }
}
