/*
 * tests/cli/cli_support.h - running the `nupic` program from tests: its
 * path comes from NUPIC_CLI (set by CTest); each run's standard output and
 * error go to out.txt and err.txt in the test's scratch directory.
 */
#ifndef NUPIC_TESTS_CLI_SUPPORT_H
#define NUPIC_TESTS_CLI_SUPPORT_H

#include "test_support.h"

/* The variable's value; fails the test when it is not set. */
const char *cli_env(const char *name);
/* Runs a shell command; returns its exit status (128 + n when killed by
 * signal n). */
int cli_run(const char *fmt, ...) NCP_PRINTF(1, 2);
/* nupic <args> > out.txt 2> err.txt; returns the exit status. */
int cli_nupic(const char *args);
/* A whole file, NUL-terminated (not counted in len). */
ts_buf cli_slurp(const char *path);
/* err.txt holds one message of the tool and no sanitizer report. */
void cli_assert_clean_error(void);
/* nupic <args> exits with status and a clean message; with status 1,
 * nothing on standard output. */
void cli_assert_fails(const char *args, int status);

#endif
