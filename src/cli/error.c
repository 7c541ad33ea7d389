/*
 * src/cli/error.c - the messages of the `nupic` tool.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void cli_error(const char *command, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "nupic%s%s: ", command ? " " : "", command ? command : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
