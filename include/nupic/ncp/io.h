/*
 * nupic/ncp/io.h - messages to and from memory, stdio streams, file
 * descriptors and paths; packing.
 *
 * Framing is Cap'n Proto's standard stream framing: a segment table (count
 * minus one, each segment's size in words, padding to a word), then the
 * segments.  Packed output packs the segment table and each segment
 * separately, exactly as the reference C++ library does, so both produce the
 * same bytes for the same segments.
 *
 * Thread-safety: the functions are reentrant; a builder, message, FILE* or
 * descriptor must not be used by another thread during a call.
 */
#ifndef NUPIC_NCP_IO_H
#define NUPIC_NCP_IO_H

#include <stdio.h>

#include "base.h"
#include "builder.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Writing.  flags is 0 (unpacked, segments as built) or a combination of:
 * ------------------------------------------------------------------------ */
#define NCP_WRITE_PACKED 1u /* pack the output */
#define NCP_WRITE_SINGLE_SEGMENT                                               \
    2u /* copy into one segment first if the                                   \
          message has several */
/* Keep the work in the calling thread.  Without it, an unpacked message of
 * 8 MiB or more written to memory (ncp_builder_write_mem) is copied by the
 * calling thread and one helper thread, which ends before the call
 * returns and has every signal blocked (docs/performance.md).  Other
 * writes use only the calling thread. */
#define NCP_WRITE_ONE_THREAD 4u

/* Upper bound of the bytes a write with these flags produces (exact for
 * unpacked output of a message of one segment, or of several without
 * NCP_WRITE_SINGLE_SEGMENT). */
NCP_API uint64_t ncp_builder_write_bound(const ncp_builder *b, unsigned flags);

/* Writes the message into buf[0..cap); *written receives its length.  A
 * buffer that is too small gives NCP_ERR_TOO_LARGE (nothing useful is left in
 * buf) and *written receives the bound to retry with. */
NCP_API NCP_NODISCARD ncp_status ncp_builder_write_mem(const ncp_builder *b,
                                                       unsigned flags,
                                                       void *buf, size_t cap,
                                                       size_t *written,
                                                       ncp_error *err);

/* Writes the message to f at its current position and flushes f, so that a
 * full disk is reported here.  The FILE* stays open. */
NCP_API NCP_NODISCARD ncp_status ncp_builder_write_file(const ncp_builder *b,
                                                        FILE *f, unsigned flags,
                                                        ncp_error *err);

/* Writes the message to a descriptor (retrying short writes and EINTR). */
NCP_API NCP_NODISCARD ncp_status ncp_builder_write_fd(const ncp_builder *b,
                                                      int fd, unsigned flags,
                                                      ncp_error *err);

/* Replaces the file at path atomically: the message is written to a
 * temporary file in the same directory, flushed to disk (fsync), and renamed
 * over path; the directory is then synced.  On any failure the temporary
 * file is removed and the previous file at path, if any, is untouched.  New
 * files get mode 0666 minus the umask.  A path naming something other than
 * a regular file (a device such as /dev/null, a FIFO) is written in place,
 * not replaced; a directory is an error. */
NCP_API NCP_NODISCARD ncp_status ncp_builder_save_path(const ncp_builder *b,
                                                       const char *path,
                                                       unsigned flags,
                                                       ncp_error *err);

/* ------------------------------------------------------------------------
 * Reading (see ncp_msg_from_buffer in reader.h for memory).
 * ------------------------------------------------------------------------ */

/* Reads one message from f, leaving f positioned right after it (for packed
 * input from an unseekable stream this reads byte by byte through stdio's
 * buffer; from a regular file it reads ahead and seeks back).  The segments
 * of an unpacked message of 8 MiB or more in a regular file are read by
 * file offset (pread(2)), by the calling thread and one helper thread that
 * ends before the call returns and has every signal blocked, unless the
 * option no_read_ahead is set (docs/performance.md).  Sizes from the
 * segment table are checked against the limits, and against the bytes left
 * in a regular file, before memory is allocated.  End of file before the
 * first byte gives NCP_ERR_TRUNCATED with the message "end of input". */
NCP_API NCP_NODISCARD ncp_status ncp_msg_read_file(
    FILE *f, const ncp_read_options *options, ncp_msg **out, ncp_error *err);

/* Reads one message from a descriptor.  Unpacked input is read exactly (a
 * message of 8 MiB or more in a regular file as by ncp_msg_read_file);
 * packed input from a seekable descriptor is read ahead and the descriptor
 * is moved back to the end of the message; from an unseekable one (a pipe)
 * it is read in small exact steps, which is slower. */
NCP_API NCP_NODISCARD ncp_status ncp_msg_read_fd(
    int fd, const ncp_read_options *options, ncp_msg **out, ncp_error *err);

/* Like ncp_msg_read_file and ncp_msg_read_fd, but an unpacked message in a
 * regular file is read on demand: the segment table is read and checked,
 * the segments' memory is allocated, and the stream is left right after the
 * message, as by the functions above; each byte of the segments is then
 * read (with pread(2), in blocks of 256 KiB) when the reader first reaches
 * it, so a decoder that walks the message from front to back finds its
 * bytes still in the cache.  The descriptor (or f) must stay open, and the
 * message's bytes in the file unchanged, until ncp_msg_detach() or
 * ncp_msg_free(); the stream may be read or moved meanwhile.  A read that
 * fails (an I/O error, a file shortened meanwhile) is recorded as the
 * message's error (NCP_ERR_IO, NCP_ERR_TRUNCATED) and the object being
 * opened reads as its default, like a malformed pointer; bytes not read
 * are never exposed.  ncp_msg_segment() reports nothing for a message
 * still read on demand.  The message owns its memory, as any message read
 * from a stream, and only borrows the descriptor: it never closes it.
 * Packed input, and input that is not a regular file (a pipe, a socket, a
 * FILE* without a descriptor such as fmemopen's), are read at once, as by
 * the functions above.
 *
 * Transient lists (ncp_ptr_list_transient in reader.h) are read through a
 * window of 512 KiB.  When the segments are larger than that, the message
 * starts a helper thread at its first window read, which reads the next
 * windows (up to three ahead) with pread(2) while the caller decodes the
 * current one, and which ncp_msg_detach() and ncp_msg_free() end (waiting
 * for a read under way); errors are still reported by the calling thread,
 * as above.  The helper
 * runs with all signals blocked.  A message read on demand must not be
 * used in a child process after fork(2), which has no helper; the option
 * no_read_ahead keeps all reading in the calling thread, and a helper that
 * cannot be started does too. */
NCP_API NCP_NODISCARD ncp_status ncp_msg_read_file_on_demand(
    FILE *f, const ncp_read_options *options, ncp_msg **out, ncp_error *err);
NCP_API NCP_NODISCARD ncp_status ncp_msg_read_fd_on_demand(
    int fd, const ncp_read_options *options, ncp_msg **out, ncp_error *err);

/* Reads whatever the message read on demand has not read yet and releases
 * its source: afterwards the message is independent of the file, as if
 * read by ncp_msg_read_fd, and its transient lists (which may lie in the
 * released window) must not be used.  Does nothing for any other message.
 * A failed read gives its error (also recorded in the message); the
 * message then stays attached, and reads of the missing bytes keep
 * failing. */
NCP_API NCP_NODISCARD ncp_status ncp_msg_detach(ncp_msg *msg, ncp_error *err);

/* Maps the file at path (or the descriptor's whole file) into memory and
 * reads the message in place.  Unpacked files are not copied (the mapping is
 * owned by the message and released by ncp_msg_free); packed files are
 * unpacked into owned memory and unmapped at once. */
NCP_API NCP_NODISCARD ncp_status
ncp_msg_map_path(const char *path, const ncp_read_options *options,
                 ncp_msg **out, ncp_error *err);
NCP_API NCP_NODISCARD ncp_status ncp_msg_map_fd(int fd,
                                                const ncp_read_options *options,
                                                ncp_msg **out, ncp_error *err);

/* ------------------------------------------------------------------------
 * Packing of raw words (the building block; rarely needed directly).
 * ------------------------------------------------------------------------ */

/* Largest packed size of `words` words. */
static inline uint64_t ncp_packed_bound(uint64_t words) {
    return words * 10 + 2;
}

/* Packs words[0..n) into out (capacity cap bytes, at least
 * ncp_packed_bound(n) is always enough).  Returns the packed length, or 0 if
 * cap is too small (n == 0 packs to 0 bytes). */
NCP_API size_t ncp_pack(const void *words, size_t n, void *out, size_t cap);

/* Unpacks exactly out_words words from in[0..in_len).  A run may not extend
 * past out_words.  Returns NCP_OK and the bytes consumed in *used, or
 * NCP_ERR_TRUNCATED / NCP_ERR_MALFORMED with a message in *err. */
NCP_API NCP_NODISCARD ncp_status ncp_unpack(const void *in, size_t in_len,
                                            void *out, size_t out_words,
                                            size_t *used, ncp_error *err);

#ifdef __cplusplus
}
#endif

#endif /* NUPIC_NCP_IO_H */
