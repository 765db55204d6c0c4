// The deterministic zip writer. Grammar of what it writes (APPNOTE 6.3.x subset):
//   zip      := { local_header data } central_dir [zip64_eocd zip64_locator] eocd
//   local_header: version needed 20 (45 with zip64), flags 0x0800 (UTF-8 names),
//                 method 0 (stored) or 8 (deflate), one fixed DOS time/date, crc, sizes,
//                 no extra field (a zip64 extra only when a size reaches 4 GiB); no data
//                 descriptor
//   central entry: version made by 3 (Unix) << 8 | 63, external attributes = unix mode << 16
//                 (0100644 / 0100755 for files, 040755 | 0x10 (MS-DOS folder bit) for
//                 folders, named "dir/"), no comment, a zip64 extra only for a size or
//                 offset that reaches 4 GiB
//   zip64 end record + locator: only with >= 65535 entries or a central directory whose
//                 offset or size reaches 4 GiB
// Entries are sorted bytewise by their name in the zip; the same entry list gives the same
// bytes for any thread count, umask, locale or time zone. Empty files, names with an
// already-compressed extension (.whl .jar .zip .gz .png .woff2 ... see zip_format.hpp) and
// data that deflate does not shrink are stored; everything else is deflated.
//
// Why hand-written rather than through libzip or libarchive: entries are compressed in
// parallel (libdeflate, one compressor per worker, a bounded TBB pipeline) and written in
// order, with every header byte under our control. Neither library compresses entries in
// parallel, and neither lets us fix every header byte (extra fields, version-made-by,
// attributes, store-vs-deflate per entry) deterministically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "builder/zip/precompress.hpp"
#include "cache/file_hasher.hpp"

namespace lpack::builder {

// libdeflate level 5: on a real node_modules (bench/pack.sh, docs/benchmarks.md) it costs
// ~8% less CPU than level 6 for output ~0.9% larger, within 1.1% of `zip -X -6`; level 4
// is 2.5% larger than zip. Changing it changes every artifact's bytes.
inline constexpr int k_default_zip_level = 5;

struct ZipInput {
  std::string name;  // path inside the zip, "/"-separated; folders end without "/"
  fs::path source;   // file to read (ignored for folders)
  bool is_dir = false;
  bool executable = false;  // 0755 instead of 0644
};

struct ZipOptions {
  // Seconds since the epoch for every entry; clamped to the DOS range [1980, 2107].
  // Callers pass SOURCE_DATE_EPOCH, else 315532800 (1980-01-01 00:00:00 UTC).
  int64_t timestamp = 315532800;
  int level = k_default_zip_level;  // libdeflate compression level, 0..12
  int threads = 0;                  // 0: all cores; never changes the output bytes
  // Entries compressed ahead of time (precompress.hpp), reused for files whose bytes hash to
  // one of them; never changes the output bytes either. Null: none.
  const PrecompressedSet* precompressed = nullptr;
};

struct ZipStats {
  uint64_t size = 0;           // bytes of the zip
  uint64_t unpacked_size = 0;  // sum of entry sizes
  uint64_t entries = 0;        // files and folders
  Sha256Digest sha256{};       // of the zip's bytes, computed while writing
  cache::Hash128 xxh3;         // the same, for the cache record's blob_xxh3
};

// Writes `inputs` (any order; they are sorted here) as a zip to the open file `fd`, which
// must be at offset 0 (a new file) or a pipe: the zip is written sequentially with write(2)
// and its offsets count from the first byte written. The caller owns fd and its atomic
// rename. Each source file is read whole into memory (at most a few per thread at a time).
// Errors: internal for a caller bug (duplicate names, a file and a folder of one name, an
// empty, absolute or "."/".." name, a level outside 0..12); io naming the path for a source
// that cannot be read or an fd that cannot be written. On error, fd holds a partial zip.
Result<ZipStats> write_zip(int fd, std::vector<ZipInput> inputs, const ZipOptions& options);

// "libdeflate 1.14 level 5", recorded in manifests and cache keys: a different deflate
// version or level gives different bytes.
std::string compressor_identity(int level = k_default_zip_level);

}  // namespace lpack::builder
