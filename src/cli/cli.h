/*
 * src/cli/cli.h - shared declarations of the `nupic` command-line tool.
 *
 * Each subcommand is a function cli_<name>(argc, argv) registered in the
 * table of src/cli/nupic.c; argv[0] is the subcommand's name.  It returns
 * the process's exit status: CLI_OK, CLI_FAILURE (bad input, I/O), or
 * CLI_USAGE (bad arguments; a usage message has been printed).
 */
#ifndef NUPIC_CLI_H
#define NUPIC_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <nupic/ncp/schema.h>

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

/* Subcommands. */
int cli_inspect(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_sp(int argc, char **argv);
int cli_tm(int argc, char **argv);
int cli_btm(int argc, char **argv);

/* Prints "nupic <command>: <message>\n" to stderr. */
void cli_error(const char *command, const char *fmt, ...) NCP_PRINTF(2, 3);

/* ---- the schema types the tool knows (src/cli/types.c) ---------------- */

/* The generated files of the nupic_proto library (src/cli/CMakeLists.txt
 * lists them at configure time in cli_registry.c). */
extern const ncp_schema_file *const cli_schema_files[];
extern const size_t cli_schema_file_count;

/* The struct type called `name` ("SpatialPoolerProto", "Map.Entry"), or
 * NULL.  Types whose fields use generics come with their bindings applied
 * (see types.c). */
const ncp_schema_struct *cli_find_type(const char *name);

/* The known types, in file order: cli_type_at(i) for i < cli_type_count()
 * (NULL beyond). */
const ncp_schema_struct *cli_type_at(size_t i);
size_t cli_type_count(void);

#endif /* NUPIC_CLI_H */
