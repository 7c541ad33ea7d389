/*
 * src/gen/main.c - capnpc-c: reads a CodeGeneratorRequest from standard
 * input and writes C for each requested schema file (see gen.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

int main(int argc, char **argv) {
    if (argc > 1 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: capnp compile -o%s:OUTDIR [--src-prefix=DIR] "
               "FILE.capnp...\n"
               "Writes FILE.capnp.h (typed accessors) and FILE.capnp.c "
               "(reflection tables)\nfor the ncp Cap'n Proto runtime.  With "
               "CAPNPC_C_DOCS=1 in the environment the\nschema's doc comments "
               "are copied into the headers.\n",
               argv[0]);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("capnpc-c for ncp %d.%d.%d (ABI %d)\n", NCP_VERSION_MAJOR,
               NCP_VERSION_MINOR, NCP_VERSION_PATCH, NCP_ABI_VERSION);
        return 0;
    }
    /* The request comes from the schema compiler: large limits, but still
     * a checked read. */
    ncp_read_options o = {0};
    o.traversal_limit_per_message_word = 64;
    o.nesting_limit = 512;
    ncp_msg *msg;
    ncp_error err = {NCP_OK, ""};
    if (ncp_msg_read_fd(0, &o, &msg, &err) != NCP_OK)
        gen_die("reading the request from standard input: %s", err.message);
    gen_model m;
    gen_model_load(&m, msg);
    /* Doc comments of the schema are copied into the headers on request
     * (ncp_generate asks for them); the committed bootstrap has none. */
    const char *docs = getenv("CAPNPC_C_DOCS");
    m.docs = docs != NULL && docs[0] != '\0' && strcmp(docs, "0") != 0;
    CodeGeneratorRequest_RequestedFile_RList files =
        CodeGeneratorRequest_get_requestedFiles(m.req);
    for (uint32_t i = 0;
         i < CodeGeneratorRequest_RequestedFile_RList_len(files); i++)
        gen_emit_file(&m,
                      CodeGeneratorRequest_RequestedFile_RList_get(files, i));
    if (ncp_msg_status(msg) != NCP_OK)
        gen_die("reading the request: %s", ncp_msg_error(msg)->message);
    gen_model_free(&m);
    ncp_msg_free(msg);
    return 0;
}
