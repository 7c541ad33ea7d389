/*
 * nupic/persist.h - options shared by the save and load functions of every
 * component (nupic_sp_save, nupic_tm_write_to_file, ...).
 *
 * Loads from a FILE* (*_read_from_file) or a path (*_load) read one
 * message and leave a FILE* right after it.  An unpacked message in a
 * regular file is read on demand, as the component's reader reaches each
 * part (ncp_msg_read_fd_on_demand): the FILE* or file must not be changed
 * until the load returns.  If the file cannot be read to the end (shortened
 * meanwhile, an I/O error), the load fails with NUPIC_ERR_FORMAT or
 * NUPIC_ERR_IO and returns no object.
 */
#ifndef NUPIC_PERSIST_H
#define NUPIC_PERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include <nupic/ncp/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A zeroed struct (or NULL) means the defaults: packed, as NuPIC's
 * writeToFile writes. */
typedef struct nupic_save_options {
    bool unpacked; /* standard framing without packing */
} nupic_save_options;

/* A zeroed struct (or NULL) means the defaults: packing detected, a
 * traversal limit of 4 times the message's size, messages up to 2 GiB,
 * and a file read on demand by a helper thread ahead of the reader where
 * the component reads large lists in order (ncp_msg_read_fd_on_demand); a
 * large SpatialPooler state is decoded by the calling thread and one more
 * (nupic_sp_read). */
typedef struct nupic_load_options {
    ncp_packing packing;
    uint64_t max_message_words; /* 0: NCP_LARGE_MAX_MESSAGE_WORDS */
    bool no_read_ahead;         /* read and decode in the calling thread only */
} nupic_load_options;

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_PERSIST_H */
