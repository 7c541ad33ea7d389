/*
 * src/gen/gen.h - capnpc-c, the C code generator plugin for the reference
 * schema compiler: shared declarations.
 *
 *   capnp compile -o<path to capnpc-c>:OUTDIR [--src-prefix=DIR] FILE.capnp
 *
 * The compiler sends a CodeGeneratorRequest on standard input; for each
 * requested FILE.capnp the plugin writes FILE.capnp.h (typed accessors,
 * inline) and FILE.capnp.c (reflection tables, default values) in OUTDIR.
 * The plugin reads the request with code it generated for capnp/schema.capnp
 * (src/gen/bootstrap/).
 */
#ifndef NCP_GEN_H
#define NCP_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nupic/ncp.h>

#include "capnp/schema.capnp.h"

/* ---- output buffers ---------------------------------------------------- */

typedef struct gen_buf {
    char *data;
    size_t len, cap;
} gen_buf;

void gen_printf(gen_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gen_buf_free(gen_buf *b);
/* Fails the run with a message (the plugin's only error path). */
_Noreturn void gen_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* strdup that dies on exhaustion. */
char *gen_strdup(const char *s);

/* ---- the request, indexed ---------------------------------------------- */

typedef struct gen_node {
    uint64_t id;
    Node_R r;
    Node_Which which;
    uint64_t scope;   /* 0 for files */
    uint64_t file;    /* id of the file node it belongs to */
    const char *name; /* schema name, "Outer.Inner" ("" for files) */
    char *cname;      /* C identifier, "Outer_Inner" ("" for files) */
    bool is_group;
    bool has_info;          /* info holds the node's doc comments */
    Node_SourceInfo_R info; /* from CodeGeneratorRequest.sourceInfo */
} gen_node;

typedef struct gen_model {
    ncp_msg *msg;
    CodeGeneratorRequest_R req;
    gen_node *nodes; /* sorted by id */
    size_t count;
    bool docs; /* copy the schema's doc comments into the header */
} gen_model;

void gen_model_load(gen_model *m, ncp_msg *msg);
void gen_model_free(gen_model *m);
/* The node with this id; dies if there is none. */
const gen_node *gen_node_get(const gen_model *m, uint64_t id);
const gen_node *gen_node_find(const gen_model *m, uint64_t id);

/* ---- emitting ---------------------------------------------------------- */

/* Writes FILE.capnp.h and FILE.capnp.c for the requested file. */
void gen_emit_file(const gen_model *m, CodeGeneratorRequest_RequestedFile_R f);

#endif /* NCP_GEN_H */
