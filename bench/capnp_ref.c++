// bench/capnp_ref.c++ - the benchmark's workload through the reference C++
// Cap'n Proto library, called from bench/ncp_bench.c (see bench_ref.h).
//
// Each operation mirrors its ncp counterpart in ncp_bench.c: same data, same
// construction order, same reads, and the library's ordinary API for each
// (MallocMessageBuilder with its defaults, the generated accessors,
// writeMessage / writePackedMessage, FlatArrayMessageReader,
// PackedMessageReader, StreamFdMessageReader, PackedFdMessageReader).
// Readers use the default ReaderOptions except for a traversal limit of 2^30
// words, as the C side does.
//
// Stream readers of the reference library read the segments after the first
// lazily; ncp reads them all when it opens a message.  So that both do the
// same work, the timed part of a read makes every segment available.

#include "bench_ref.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <string>

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <kj/io.h>

#include "sp_shaped.capnp.h"

namespace {

// Thrown by the checks of this file; its text is reported to the C side.
struct Failure {
  std::string what;
};

[[noreturn]] void fail(const std::string& what) {
  throw Failure{what};
}

capnp::ReaderOptions readerOptions() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = uint64_t(1) << 30;
  return o;
}

void fill(BenchSp::Builder root, const bench_data& d) {
  root.setNumColumns(d.num_columns);
  root.setNumInputs(d.num_inputs);
  auto rows = root.initRows(d.num_columns);
  for (uint32_t r = 0; r < d.num_columns; r++) {
    uint32_t n = d.row_len[r];
    const uint32_t* idx = d.entry_index + d.row_start[r];
    const float* val = d.entry_value + d.row_start[r];
    auto entries = rows[r].initEntries(n);
    for (uint32_t i = 0; i < n; i++) {
      auto e = entries[i];
      e.setIndex(idx[i]);
      e.setValue(val[i]);
    }
  }
  root.setIndices(kj::arrayPtr(d.indices, d.list_len));
  root.setValues(kj::arrayPtr(d.values, d.list_len));
}

uint64_t traverse(BenchSp::Reader root) {
  uint64_t sum = uint64_t(root.getNumColumns()) + root.getNumInputs();
  for (auto row : root.getRows()) {
    for (auto e : row.getEntries()) {
      sum += e.getIndex();
      sum += bench_f32_bits(e.getValue());
    }
  }
  for (uint32_t v : root.getIndices()) sum += v;
  for (float v : root.getValues()) sum += bench_f32_bits(v);
  return sum;
}

// Makes every segment of a (lazily reading) stream reader available.
void loadAllSegments(capnp::MessageReader& reader) {
  for (capnp::uint id = 0; reader.getSegment(id).size() > 0; id++) {
  }
}

// Zeroed, page-aligned words.  The buffers the benchmark copies into and
// out of are page-aligned on both sides, so that the speed of those copies
// does not depend on where the allocator happened to place them.
class AlignedWords {
 public:
  AlignedWords() = default;
  explicit AlignedWords(size_t n) : n_(n) {
    void* p = nullptr;
    if (posix_memalign(&p, 4096, n * sizeof(capnp::word) + 1) != 0) fail("out of memory");
    std::memset(p, 0, n * sizeof(capnp::word));
    p_ = static_cast<capnp::word*>(p);
  }
  ~AlignedWords() { std::free(p_); }
  AlignedWords(const AlignedWords&) = delete;
  AlignedWords& operator=(const AlignedWords&) = delete;
  AlignedWords& operator=(AlignedWords&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }

  const capnp::word* begin() const { return p_; }
  kj::ArrayPtr<const capnp::word> words(size_t n) const { return kj::arrayPtr(p_, n); }
  kj::ArrayPtr<kj::byte> bytes() {
    return kj::arrayPtr(reinterpret_cast<kj::byte*>(p_), n_ * sizeof(capnp::word));
  }

 private:
  capnp::word* p_ = nullptr;
  size_t n_ = 0;
};

int openRw(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

void rewindFd(int fd) {
  if (lseek(fd, 0, SEEK_SET) != 0) fail(std::string("lseek: ") + std::strerror(errno));
}

// A file mapped for reading.
struct Mapping {
  const void* p = MAP_FAILED;
  size_t size = 0;

  explicit Mapping(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + path + ": " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
      close(fd);
      fail("cannot stat " + path);
    }
    size = size_t(st.st_size);
    p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) fail("cannot map " + path + ": " + std::strerror(errno));
  }
  ~Mapping() {
    if (p != MAP_FAILED) munmap(const_cast<void*>(p), size);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  kj::ArrayPtr<const capnp::word> words() const {
    return kj::arrayPtr(static_cast<const capnp::word*>(p), size / sizeof(capnp::word));
  }
};

}  // namespace

struct bench_ref {
  const bench_data* d = nullptr;
  uint64_t expected = 0;
  std::string upath, ppath;
  kj::Own<capnp::MallocMessageBuilder> msg;  // the message the writes write
  AlignedWords ubuf;                         // its unpacked bytes
  size_t ulen = 0;
  AlignedWords pbuf;  // its packed bytes
  size_t plen = 0;
  AlignedWords wbuf;  // output of the memory writes
  int ufd = -1, pfd = -1;       // the files, open for reading and writing
  bench_ref_sizes sizes{};

  ~bench_ref() {
    if (ufd >= 0) close(ufd);
    if (pfd >= 0) close(pfd);
  }

  void check(const char* what, uint64_t sum) const {
    if (sum != expected) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s: checksum %llu, expected %llu", what,
                    (unsigned long long)sum, (unsigned long long)expected);
      fail(buf);
    }
  }

  // ---- the operations; each returns the seconds of its timed part -------

  double build(uint64_t* sum) {
    double t0 = bench_now();
    auto m = kj::heap<capnp::MallocMessageBuilder>();
    fill(m->initRoot<BenchSp>(), *d);
    double t1 = bench_now();
    *sum = traverse(m->getRoot<BenchSp>().asReader());
    return t1 - t0;
  }

  double writeMem(bool packed) {
    kj::ArrayPtr<kj::byte> out = wbuf.bytes();
    double t0 = bench_now();
    kj::ArrayOutputStream stream(out);
    if (packed)
      capnp::writePackedMessage(stream, *msg);
    else
      capnp::writeMessage(stream, *msg);
    double t1 = bench_now();
    size_t want = packed ? plen : ulen;
    if (stream.getArray().size() != want) fail("memory write: unexpected length");
    return t1 - t0;
  }

  double readUnpackedMem(uint64_t* sum) {
    double t0 = bench_now();
    auto reader = kj::heap<capnp::FlatArrayMessageReader>(ubuf.words(ulen / 8), readerOptions());
    auto root = reader->getRoot<BenchSp>();
    double t1 = bench_now();
    *sum = traverse(root);
    return t1 - t0;
  }

  double traverseMem(uint64_t* sum) {
    capnp::FlatArrayMessageReader reader(ubuf.words(ulen / 8), readerOptions());
    double t0 = bench_now();
    *sum = traverse(reader.getRoot<BenchSp>());
    double t1 = bench_now();
    return t1 - t0;
  }

  double readPackedMem(uint64_t* sum) {
    kj::ArrayInputStream in(pbuf.bytes().slice(0, plen));
    double t0 = bench_now();
    auto reader = kj::heap<capnp::PackedMessageReader>(in, readerOptions());
    loadAllSegments(*reader);
    auto root = reader->getRoot<BenchSp>();
    double t1 = bench_now();
    *sum = traverse(root);
    return t1 - t0;
  }

  double writeFile(bool packed) {
    int fd = packed ? pfd : ufd;
    double t0 = bench_now();
    rewindFd(fd);
    if (packed)
      capnp::writePackedMessageToFd(fd, *msg);
    else
      capnp::writeMessageToFd(fd, *msg);
    double t1 = bench_now();
    off_t end = lseek(fd, 0, SEEK_CUR);
    if (end < 0 || size_t(end) != (packed ? plen : ulen)) fail("file write: unexpected length");
    return t1 - t0;
  }

  double readFile(bool packed, uint64_t* sum) {
    int fd = packed ? pfd : ufd;
    double t0 = bench_now();
    rewindFd(fd);
    kj::Own<capnp::MessageReader> reader;
    if (packed)
      reader = kj::heap<capnp::PackedFdMessageReader>(fd, readerOptions());
    else
      reader = kj::heap<capnp::StreamFdMessageReader>(fd, readerOptions());
    loadAllSegments(*reader);
    auto root = reader->getRoot<BenchSp>();
    double t1 = bench_now();
    *sum = traverse(root);
    return t1 - t0;
  }

  double mapTraverse(uint64_t* sum) {
    double t0 = bench_now();
    Mapping map(upath);
    capnp::FlatArrayMessageReader reader(map.words(), readerOptions());
    *sum = traverse(reader.getRoot<BenchSp>());
    double t1 = bench_now();
    return t1 - t0;
  }

  double run(bench_op op, uint64_t* sum) {
    switch (op) {
      case BENCH_BUILD: return build(sum);
      case BENCH_WRITE_UNPACKED_MEM: return writeMem(false);
      case BENCH_WRITE_PACKED_MEM: return writeMem(true);
      case BENCH_READ_UNPACKED_MEM: return readUnpackedMem(sum);
      case BENCH_TRAVERSE: return traverseMem(sum);
      case BENCH_READ_PACKED_MEM: return readPackedMem(sum);
      case BENCH_WRITE_UNPACKED_FILE: return writeFile(false);
      case BENCH_WRITE_PACKED_FILE: return writeFile(true);
      case BENCH_READ_UNPACKED_FILE: return readFile(false, sum);
      case BENCH_READ_PACKED_FILE: return readFile(true, sum);
      case BENCH_MAP_TRAVERSE: return mapTraverse(sum);
      case BENCH_OP_COUNT: break;
    }
    fail("unknown operation");
  }

  // Builds the message the writes use, serializes it to memory and to the
  // files, and checks each form.
  void prepare(const std::string& dir) {
    upath = dir + "/capnp_unpacked.bin";
    ppath = dir + "/capnp_packed.bin";
    msg = kj::heap<capnp::MallocMessageBuilder>();
    fill(msg->initRoot<BenchSp>(), *d);
    check("built message", traverse(msg->getRoot<BenchSp>().asReader()));

    auto segments = msg->getSegmentsForOutput();
    sizes.segments = segments.size();
    for (auto s : segments) sizes.data_words += s.size();
    size_t words = capnp::computeSerializedSizeInWords(*msg);
    ulen = words * sizeof(capnp::word);
    ubuf = AlignedWords(words);
    {
      kj::ArrayOutputStream out(ubuf.bytes());
      capnp::writeMessage(out, *msg);
      if (out.getArray().size() != ulen) fail("unpacked size differs from computeSerializedSizeInWords");
    }
    // Packing never grows a word by more than its tag byte, plus a count
    // per run and per segment.
    size_t bound = words + words / 8 + 2 * (sizes.segments + 2);
    pbuf = AlignedWords(bound);
    {
      kj::ArrayOutputStream out(pbuf.bytes());
      capnp::writePackedMessage(out, *msg);
      plen = out.getArray().size();
    }
    wbuf = AlignedWords(bound);
    sizes.unpacked_bytes = ulen;
    sizes.packed_bytes = plen;

    ufd = openRw(upath);
    pfd = openRw(ppath);
    capnp::writeMessageToFd(ufd, *msg);
    capnp::writePackedMessageToFd(pfd, *msg);

    // Every operation once, checking what it reads.
    for (int op = 0; op < BENCH_OP_COUNT; op++) {
      uint64_t sum = expected;
      run(bench_op(op), &sum);
      check("first run", sum);
    }
  }
};

namespace {

void setError(char* err, size_t errlen, const char* what) {
  if (err != nullptr && errlen > 0) std::snprintf(err, errlen, "%s", what);
}

// Runs f, turning exceptions into an error message; returns false on one.
template <typename F>
bool guarded(char* err, size_t errlen, F&& f) {
  try {
    f();
    return true;
  } catch (const Failure& e) {
    setError(err, errlen, e.what.c_str());
  } catch (const kj::Exception& e) {
    setError(err, errlen, e.getDescription().cStr());
  } catch (const std::exception& e) {
    setError(err, errlen, e.what());
  } catch (...) {
    setError(err, errlen, "unknown exception");
  }
  return false;
}

}  // namespace

extern "C" {

bench_ref* bench_ref_new(const bench_data* d, const char* dir, uint64_t expected, char* err,
                         size_t errlen) {
  bench_ref* r = nullptr;
  bool ok = guarded(err, errlen, [&] {
    r = new bench_ref;
    r->d = d;
    r->expected = expected;
    r->prepare(dir);
  });
  if (!ok) {
    bench_ref_free(r);
    return nullptr;
  }
  return r;
}

void bench_ref_free(bench_ref* r) {
  if (r == nullptr) return;
  unlink(r->upath.c_str());
  unlink(r->ppath.c_str());
  delete r;
}

void bench_ref_sizes_get(const bench_ref* r, bench_ref_sizes* out) {
  *out = r->sizes;
}

void bench_ref_buffer(const bench_ref* r, int packed, const void** data, size_t* len) {
  *data = packed ? r->pbuf.begin() : r->ubuf.begin();
  *len = packed ? r->plen : r->ulen;
}

int bench_ref_read_buffer(const void* buf, size_t len, int packed, uint64_t* checksum, char* err,
                          size_t errlen) {
  bool ok = guarded(err, errlen, [&] {
    auto bytes = kj::arrayPtr(static_cast<const kj::byte*>(buf), len);
    if (packed) {
      kj::ArrayInputStream in(bytes);
      capnp::PackedMessageReader reader(in, readerOptions());
      *checksum = traverse(reader.getRoot<BenchSp>());
    } else {
      // FlatArrayMessageReader needs whole, aligned words: copy.
      auto words = kj::heapArray<capnp::word>(len / sizeof(capnp::word));
      std::memcpy(words.begin(), buf, words.size() * sizeof(capnp::word));
      capnp::FlatArrayMessageReader reader(words, readerOptions());
      *checksum = traverse(reader.getRoot<BenchSp>());
    }
  });
  return ok ? 0 : -1;
}

double bench_ref_run(bench_ref* r, bench_op op, uint64_t* checksum, char* err, size_t errlen) {
  double t = -1.0;
  if (!guarded(err, errlen, [&] { t = r->run(op, checksum); })) return -1.0;
  return t;
}

}  // extern "C"
