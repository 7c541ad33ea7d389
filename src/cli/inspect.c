/*
 * src/cli/inspect.c - `nupic inspect`: prints one saved message as JSON or
 * as Cap'n Proto text, as the reference tool's `capnp convert` does.
 *
 * The file is mapped (or, for a pipe on standard input, read); packing is
 * detected unless given.  The message is first validated against its type
 * (every pointer the schema reaches, with the reader's checks), then
 * printed, each pass over a fresh view of the same segments so that each has
 * its own traversal budget.  Malformed input gives exit status 1 and a
 * message naming the field; nothing is printed then.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nupic/ncp.h>
#include <nupic/ncp/dynamic.h>

#include "cli.h"

#define CMD "inspect"

static void usage(FILE *out) {
    fputs(
        "usage: nupic inspect FILE [--type NAME] [--format json|text] "
        "[--short]\n"
        "                          [--packed | --unpacked]\n"
        "       nupic inspect --list-types\n"
        "\n"
        "Prints the Cap'n Proto message in FILE ('-': standard input) as JSON "
        "or as\n"
        "Cap'n Proto text, as `capnp convert binary:json` (binary:text) prints "
        "it with\n"
        "the schema of its type.\n"
        "\n"
        "  -t, --type NAME    the root struct type, e.g. SpatialPoolerProto or "
        "Map.Entry.\n"
        "                     Without it the type is detected: the known types "
        "whose\n"
        "                     size (data words and pointers) is the root "
        "struct's, and\n"
        "                     which the message holds validly; if that is not "
        "exactly\n"
        "                     one type, --type is required.\n"
        "  -f, --format FMT   json (the default) or text\n"
        "  -s, --short        one line (capnp's --short)\n"
        "      --packed       the input is packed\n"
        "      --unpacked     the input is not packed (default: detected)\n"
        "      --list-types   list the known types\n"
        "  -h, --help         this help\n"
        "\n"
        "Exit status: 0 printed; 1 the file cannot be read, is malformed or "
        "is not of\n"
        "the type (the message names the field); 2 usage error.\n",
        out);
}

static int usage_error(const char *fmt, ...) NCP_PRINTF(1, 2);
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "nupic " CMD ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage(stderr);
    return CLI_USAGE;
}

static int list_types(void) {
    size_t n = cli_type_count();
    for (size_t i = 0; i < n; i++) {
        const ncp_schema_struct *t = cli_type_at(i);
        printf("%-40s %2u data words, %2u pointers\n", t->name, t->data_words,
               t->ptr_count);
    }
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
}

/* Opens the message: the file mapped, or standard input (mapped when it is a
 * regular file, read otherwise).  *size receives the input's size, or 0 if
 * unknown. */
static ncp_status open_input(const char *path, ncp_packing packing,
                             ncp_msg **out, uint64_t *size, ncp_error *err) {
    ncp_read_options o;
    memset(&o, 0, sizeof o);
    o.packing = packing;
    o.traversal_limit_per_message_word = 8;
    struct stat st;
    *size = 0;
    if (strcmp(path, "-") == 0) {
        if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
            *size = (uint64_t)st.st_size;
            return ncp_msg_map_fd(0, &o, out, err);
        }
        return ncp_msg_read_fd(0, &o, out, err);
    }
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        *size = (uint64_t)st.st_size;
    return ncp_msg_map_path(path, &o, out, err);
}

/* A new message over msg's segments (no copy), with a budget of its own. */
static ncp_status open_view(const ncp_msg *msg, ncp_msg **out, ncp_error *err) {
    uint32_t n = ncp_msg_segment_count(msg);
    const void **segs = calloc(n ? n : 1, sizeof *segs);
    uint32_t *words = calloc(n ? n : 1, sizeof *words);
    ncp_status st = NCP_ERR_NOMEM;
    if (segs && words) {
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *data = NULL;
            ncp_msg_segment(msg, i, &data, &words[i]);
            segs[i] = data;
        }
        ncp_read_options o;
        memset(&o, 0, sizeof o);
        o.traversal_limit_per_message_word = 8;
        o.max_segments = n;
        st = ncp_msg_from_segments(segs, words, n, &o, out, err);
    } else {
        ncp_error_set(err, st, "out of memory");
    }
    free(segs);
    free(words);
    return st;
}

static ncp_status validate(const ncp_msg *msg, const ncp_schema_struct *t,
                           unsigned flags, ncp_error *err) {
    ncp_msg *view = NULL;
    ncp_status st = open_view(msg, &view, err);
    if (st == NCP_OK) st = ncp_dyn_validate_root(view, t, flags, err);
    ncp_msg_free(view);
    return st;
}

/* The size of the root struct (data words, pointers); false (and the
 * error reported) if the root is not a struct. */
static bool root_size(const ncp_msg *msg, const char *file, unsigned *dw,
                      unsigned *pc) {
    ncp_msg *view = NULL;
    ncp_error err = {NCP_OK, ""};
    if (open_view(msg, &view, &err) != NCP_OK) {
        cli_error(CMD, "%s: %s", file, err.message);
        return false;
    }
    ncp_struct root = ncp_ptr_struct(ncp_msg_root_ptr(view), "root");
    bool ok = ncp_msg_status(view) == NCP_OK;
    if (!ok) cli_error(CMD, "%s: %s", file, ncp_msg_error(view)->message);
    *dw = root.data_bytes / 8;
    *pc = root.ptr_count;
    ncp_msg_free(view);
    return ok;
}

/* The type of the message when none was named: see the usage text. */
static const ncp_schema_struct *detect_type(const ncp_msg *msg,
                                            const char *file) {
    unsigned dw, pc;
    if (!root_size(msg, file, &dw, &pc)) return NULL;

    const ncp_schema_struct *found = NULL;
    size_t same_size = 0, valid = 0, n = cli_type_count();
    for (size_t i = 0; i < n; i++) {
        const ncp_schema_struct *t = cli_type_at(i);
        if (t->data_words != dw || t->ptr_count != pc) continue;
        same_size++;
        if (validate(msg, t, NCP_VALIDATE_STRICT, NULL) == NCP_OK) {
            valid++;
            found = t;
        }
    }
    if (valid == 1) return found;
    if (same_size == 0) {
        cli_error(CMD,
                  "%s: no known type has the size of the root struct (%u "
                  "data words, %u pointers); name the type with --type (see "
                  "--list-types)",
                  file, dw, pc);
        return NULL;
    }
    fprintf(stderr, "nupic " CMD ": %s: ", file);
    if (valid == 0)
        fprintf(stderr, "the message is not valid as any type of its size (");
    else
        fprintf(stderr, "the message could be any of these types (");
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        const ncp_schema_struct *t = cli_type_at(i);
        if (t->data_words != dw || t->ptr_count != pc) continue;
        if (valid > 0 && validate(msg, t, NCP_VALIDATE_STRICT, NULL) != NCP_OK)
            continue;
        fprintf(stderr, "%s%s", sep, t->name);
        sep = ", ";
    }
    fprintf(stderr, "); name the type with --type\n");
    return NULL;
}

int cli_inspect(int argc, char **argv) {
    const char *file = NULL, *type_name = NULL;
    bool json = true, shortform = false, list = false, options_done = false;
    ncp_packing packing = NCP_PACKING_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = NULL;
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            if (file != NULL) return usage_error("unexpected argument '%s'", a);
            file = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
        }
        if (strcmp(a, "-s") == 0 || strcmp(a, "--short") == 0) {
            shortform = true;
            continue;
        }
        if (strcmp(a, "--packed") == 0 || strcmp(a, "--unpacked") == 0) {
            ncp_packing p =
                a[2] == 'p' ? NCP_PACKING_PACKED : NCP_PACKING_UNPACKED;
            if (packing != NCP_PACKING_AUTO && packing != p)
                return usage_error(
                    "--packed and --unpacked exclude each other");
            packing = p;
            continue;
        }
        if (strcmp(a, "--list-types") == 0) {
            list = true;
            continue;
        }
        /* options with a value: -t NAME, --type NAME, --type=NAME */
        const char *opt = NULL;
        static const char *const with_value[][2] = {{"-t", "--type"},
                                                    {"-f", "--format"}};
        for (int k = 0; k < 2 && opt == NULL; k++) {
            size_t n = strlen(with_value[k][1]);
            if (strcmp(a, with_value[k][0]) == 0 ||
                strcmp(a, with_value[k][1]) == 0) {
                opt = with_value[k][1];
                if (i + 1 >= argc)
                    return usage_error("option %s needs a value", opt);
                value = argv[++i];
            } else if (strncmp(a, with_value[k][1], n) == 0 && a[n] == '=') {
                opt = with_value[k][1];
                value = a + n + 1;
            }
        }
        if (opt == NULL) return usage_error("unknown option '%s'", a);
        if (strcmp(opt, "--type") == 0) {
            type_name = value;
        } else if (strcmp(value, "json") == 0) {
            json = true;
        } else if (strcmp(value, "text") == 0) {
            json = false;
        } else {
            return usage_error("unknown format '%s' (json or text)", value);
        }
    }
    if (list) {
        if (file != NULL) return usage_error("--list-types takes no FILE");
        return list_types();
    }
    if (file == NULL) return usage_error("missing FILE");

    const ncp_schema_struct *type = NULL;
    if (type_name != NULL) {
        type = cli_find_type(type_name);
        if (type == NULL) {
            cli_error(CMD,
                      "unknown type '%s' (--list-types lists the known "
                      "types)",
                      type_name);
            return CLI_FAILURE;
        }
    }

    ncp_msg *msg = NULL;
    uint64_t size = 0;
    ncp_error err = {NCP_OK, ""};
    if (open_input(file, packing, &msg, &size, &err) != NCP_OK) {
        if (strcmp(file, "-") == 0 || strncmp(err.message, file, strlen(file)))
            cli_error(CMD, "%s: %s", file, err.message);
        else
            cli_error(CMD, "%s", err.message);
        return CLI_FAILURE;
    }
    int rc = CLI_FAILURE;
    if (type == NULL) type = detect_type(msg, file);
    if (type == NULL) goto done;
    if (validate(msg, type, 0, &err) != NCP_OK) {
        cli_error(CMD, "%s: %s", file, err.message);
        goto done;
    }
    if (type_name != NULL) {
        /* legal (other versions of a schema), but often the wrong type */
        unsigned dw, pc;
        if (root_size(msg, file, &dw, &pc) &&
            (dw != type->data_words || pc != type->ptr_count))
            cli_error(CMD,
                      "%s: warning: the root struct has %u data words and %u "
                      "pointers, %s %u and %u",
                      file, dw, pc, type->name, type->data_words,
                      type->ptr_count);
    }
    ncp_msg *view = NULL;
    if (open_view(msg, &view, &err) != NCP_OK) {
        cli_error(CMD, "%s: %s", file, err.message);
        goto done;
    }
    ncp_print_options o;
    memset(&o, 0, sizeof o);
    o.format = json ? (shortform ? NCP_FORMAT_JSON_SHORT : NCP_FORMAT_JSON)
                    : (shortform ? NCP_FORMAT_TEXT_SHORT : NCP_FORMAT_TEXT);
    o.flags = NCP_PRINT_NEWLINE;
    ncp_status st = ncp_dyn_print_root(view, type, &o, stdout, &err);
    ncp_msg_free(view);
    if (st == NCP_OK && fflush(stdout) != 0)
        st = ncp_error_set(&err, NCP_ERR_IO, "writing the output: %s",
                           strerror(errno));
    if (st != NCP_OK) {
        cli_error(CMD, "%s: %s", file, err.message);
        goto done;
    }
    if (size > ncp_msg_consumed(msg))
        cli_error(CMD, "%s: warning: %llu bytes after the message ignored",
                  file, (unsigned long long)(size - ncp_msg_consumed(msg)));
    rc = CLI_OK;
done:
    ncp_msg_free(msg);
    return rc;
}
