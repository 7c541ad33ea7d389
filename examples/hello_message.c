/*
 * examples/hello_message.c - write a message, read it back.
 *
 * Builds a small sparse matrix (examples/sparse_matrix.capnp) with the ncp
 * runtime, saves it atomically to a file (packed), reads it back through a
 * memory map and prints it.  Run: hello_message [FILE]
 */
#include <stdio.h>
#include <stdlib.h>

#include <nupic/ncp.h>

/* Layout of the schema's structs, as `capnp compile` assigns it. */
enum {
    MATRIX_DATA_WORDS = 1,
    MATRIX_PTRS = 2,
    MATRIX_NUM_ROWS = 0,    /* UInt32 at byte 0 */
    MATRIX_NUM_COLUMNS = 4, /* UInt32 at byte 4 */
    MATRIX_ROWS = 0,        /* pointer 0 */
    MATRIX_NAME = 1,        /* pointer 1 */
    ROW_DATA_WORDS = 0,
    ROW_PTRS = 1,
    ROW_ENTRIES = 0,
    ENTRY_DATA_WORDS = 1,
    ENTRY_PTRS = 0,
    ENTRY_INDEX = 0,
    ENTRY_VALUE = 4
};

static int build(ncp_builder *b, uint32_t rows, uint32_t cols) {
    ncp_bstruct m = ncp_builder_init_root(b, MATRIX_DATA_WORDS, MATRIX_PTRS);
    ncp_bstruct_set_u32(&m, MATRIX_NUM_ROWS, rows);
    ncp_bstruct_set_u32(&m, MATRIX_NUM_COLUMNS, cols);
    ncp_bptr_set_text(ncp_bstruct_ptr(&m, MATRIX_NAME), "permanences", 11);
    ncp_blist lrows = ncp_bptr_init_struct_list(
        ncp_bstruct_ptr(&m, MATRIX_ROWS), rows, ROW_DATA_WORDS, ROW_PTRS);
    for (uint32_t r = 0; r < rows; r++) {
        ncp_bstruct row = ncp_blist_struct(&lrows, r);
        uint32_t n = r + 1; /* row r has r + 1 entries */
        ncp_blist e =
            ncp_bptr_init_struct_list(ncp_bstruct_ptr(&row, ROW_ENTRIES), n,
                                      ENTRY_DATA_WORDS, ENTRY_PTRS);
        for (uint32_t i = 0; i < n; i++) {
            ncp_bstruct entry = ncp_blist_struct(&e, i);
            ncp_bstruct_set_u32(&entry, ENTRY_INDEX, (i * 7 + r) % cols);
            ncp_bstruct_set_u32(&entry, ENTRY_VALUE,
                                ncp_f32_to_bits(0.1f * (float)(i + r)));
        }
    }
    return ncp_builder_status(b) == NCP_OK;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "hello_message.bin";
    ncp_builder *b;
    if (ncp_builder_new(NULL, &b) != NCP_OK) {
        fprintf(stderr, "hello_message: out of memory\n");
        return 1;
    }
    if (!build(b, 4, 16)) {
        fprintf(stderr, "hello_message: %s\n", ncp_builder_error(b)->message);
        ncp_builder_free(b);
        return 1;
    }
    ncp_error err = {NCP_OK, ""};
    if (ncp_builder_save_path(b, path, NCP_WRITE_PACKED, &err) != NCP_OK) {
        fprintf(stderr, "hello_message: %s\n", err.message);
        ncp_builder_free(b);
        return 1;
    }
    printf("wrote %s: %llu words, packed\n", path,
           (unsigned long long)ncp_builder_size_words(b));
    ncp_builder_free(b);

    ncp_msg *msg;
    if (ncp_msg_map_path(path, NULL, &msg, &err) != NCP_OK) {
        fprintf(stderr, "hello_message: %s\n", err.message);
        return 1;
    }
    ncp_struct m = ncp_msg_root(msg, "SparseMatrix");
    ncp_text name =
        ncp_ptr_text(ncp_struct_ptr(&m, MATRIX_NAME), "SparseMatrix.name");
    ncp_list rows = ncp_ptr_list(ncp_struct_ptr(&m, MATRIX_ROWS),
                                 NCP_ELEM_COMPOSITE, "SparseMatrix.rows");
    printf("read %s: %s, %u x %u\n", path, name.str,
           ncp_struct_u32(&m, MATRIX_NUM_ROWS),
           ncp_struct_u32(&m, MATRIX_NUM_COLUMNS));
    for (uint32_t r = 0; r < ncp_list_len(&rows); r++) {
        ncp_struct row = ncp_list_struct(&rows, r);
        ncp_list e = ncp_ptr_list(ncp_struct_ptr(&row, ROW_ENTRIES),
                                  NCP_ELEM_COMPOSITE, "Row.entries");
        printf("  row %u:", r);
        for (uint32_t i = 0; i < ncp_list_len(&e); i++) {
            ncp_struct entry = ncp_list_struct(&e, i);
            printf(
                " %u:%.2f", ncp_struct_u32(&entry, ENTRY_INDEX),
                (double)ncp_f32_from_bits(ncp_struct_u32(&entry, ENTRY_VALUE)));
        }
        printf("\n");
    }
    int rc = 0;
    if (ncp_msg_status(msg) != NCP_OK) {
        fprintf(stderr, "hello_message: %s\n", ncp_msg_error(msg)->message);
        rc = 1;
    }
    ncp_msg_free(msg);
    return rc;
}
