/*
 * src/cli/nupic.c - the `nupic` command-line tool: global options and the
 * table of subcommands.
 *
 *   nupic [--help | --version] <command> [<arguments>]
 *
 * Exit status: 0 success, 1 failure (bad input, I/O), 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include <nupic/ncp/base.h>

#include "cli.h"

#ifndef NUPIC_VERSION
#define NUPIC_VERSION "unknown"
#endif

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

/* Subcommands, in the order `nupic --help` lists them. */
static const cli_command commands[] = {
    {"run", "run an HTM model over a record file (anomalies, predictions)",
     cli_run},
    {"inspect", "print a saved message as JSON or Cap'n Proto text",
     cli_inspect},
    {"sp", "run a spatial pooler over an SDR file (new or from a saved state)",
     cli_sp},
    {"tm", "run a temporal memory over a file of active columns", cli_tm},
    {"btm", "run a backtracking temporal memory (BacktrackingTMCPP)", cli_btm},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
    fprintf(out, "usage: nupic [--help | --version] <command> [<arguments>]\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "`nupic <command> --help` describes a command.\n"
                 "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0 ||
        strcmp(first, "help") == 0) {
        usage(stdout);
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
    }
    if (strcmp(first, "--version") == 0) {
        printf("nupic %s (ncp runtime %d.%d.%d)\n", NUPIC_VERSION,
               NCP_VERSION_MAJOR, NCP_VERSION_MINOR, NCP_VERSION_PATCH);
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(first, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (first[0] == '-')
        cli_error(NULL, "unknown option '%s'", first);
    else
        cli_error(NULL, "unknown command '%s'", first);
    usage(stderr);
    return CLI_USAGE;
}
