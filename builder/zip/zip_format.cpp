#include "builder/zip/zip_format.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace lpack::builder::zip {
namespace {

constexpr uint32_t k_local_signature = 0x04034b50;
constexpr uint32_t k_central_signature = 0x02014b50;
constexpr uint32_t k_zip64_end_signature = 0x06064b50;
constexpr uint32_t k_zip64_locator_signature = 0x07064b50;
constexpr uint32_t k_end_signature = 0x06054b50;

constexpr uint16_t k_zip64_extra_id = 0x0001;
constexpr uint16_t k_version_needed = 20;        // 2.0: deflate and folders
constexpr uint16_t k_version_needed_zip64 = 45;  // 4.5: zip64
// High byte 3: the attributes are Unix modes; low byte 63: written to APPNOTE 6.3.
constexpr uint16_t k_version_made_by = (3 << 8) | 63;
constexpr uint16_t k_flag_utf8 = 1 << 11;
// The MS-DOS "directory" attribute, set beside the Unix mode as Info-ZIP and Python do, so
// tools that only read the DOS byte also see folders.
constexpr uint32_t k_dos_directory = 0x10;

void put16(std::string& out, uint64_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& out, uint64_t v) {
  put16(out, v & 0xFFFF);
  put16(out, (v >> 16) & 0xFFFF);
}
void put64(std::string& out, uint64_t v) {
  put32(out, v & 0xFFFFFFFF);
  put32(out, v >> 32);
}

bool needs64(uint64_t v) {
  return v >= k_zip64_marker32;
}
uint64_t field32(uint64_t v) {
  return needs64(v) ? k_zip64_marker32 : v;
}

}  // namespace

DosDateTime to_dos_date_time(int64_t epoch_seconds) {
  namespace chrono = std::chrono;
  const int64_t t = std::clamp(epoch_seconds, k_min_dos_epoch, k_max_dos_epoch);
  // sys_days is UTC by definition: no time zone database is consulted.
  const chrono::year_month_day ymd{chrono::sys_days{chrono::days{t / 86400}}};
  const int64_t secs = t % 86400;
  DosDateTime out;
  out.date = static_cast<uint16_t>(((static_cast<int>(ymd.year()) - 1980) << 9) |
                                   (static_cast<unsigned>(ymd.month()) << 5) |
                                   static_cast<unsigned>(ymd.day()));
  out.time =
      static_cast<uint16_t>(((secs / 3600) << 11) | (((secs / 60) % 60) << 5) | ((secs % 60) / 2));
  return out;
}

void append_local_header(std::string& out, const EntryRecord& e, DosDateTime when) {
  // The local zip64 extra, when present, must hold both sizes.
  const bool zip64 = needs64(e.size) || needs64(e.compressed_size);
  put32(out, k_local_signature);
  put16(out, zip64 ? k_version_needed_zip64 : k_version_needed);
  put16(out, k_flag_utf8);
  put16(out, e.method);
  put16(out, when.time);
  put16(out, when.date);
  put32(out, e.crc32);
  put32(out, zip64 ? k_zip64_marker32 : e.compressed_size);
  put32(out, zip64 ? k_zip64_marker32 : e.size);
  put16(out, e.name.size());
  put16(out, zip64 ? 20 : 0);
  out.append(e.name);
  if (zip64) {
    put16(out, k_zip64_extra_id);
    put16(out, 16);
    put64(out, e.size);
    put64(out, e.compressed_size);
  }
}

void append_central_header(std::string& out, const EntryRecord& e, DosDateTime when) {
  const uint16_t extra_len =
      static_cast<uint16_t>(8 * (needs64(e.size) + needs64(e.compressed_size) + needs64(e.offset)));
  const bool zip64 = extra_len != 0;
  const bool is_dir = (e.unix_mode & 0170000) == 0040000;
  put32(out, k_central_signature);
  put16(out, k_version_made_by);
  put16(out, zip64 ? k_version_needed_zip64 : k_version_needed);
  put16(out, k_flag_utf8);
  put16(out, e.method);
  put16(out, when.time);
  put16(out, when.date);
  put32(out, e.crc32);
  put32(out, field32(e.compressed_size));
  put32(out, field32(e.size));
  put16(out, e.name.size());
  put16(out, extra_len == 0 ? 0 : extra_len + 4);
  put16(out, 0);  // comment length
  put16(out, 0);  // disk number start
  put16(out, 0);  // internal attributes
  put32(out, (static_cast<uint32_t>(e.unix_mode) << 16) | (is_dir ? k_dos_directory : 0));
  put32(out, field32(e.offset));
  out.append(e.name);
  if (extra_len != 0) {
    put16(out, k_zip64_extra_id);
    put16(out, extra_len);
    if (needs64(e.size)) put64(out, e.size);
    if (needs64(e.compressed_size)) put64(out, e.compressed_size);
    if (needs64(e.offset)) put64(out, e.offset);
  }
}

void append_end_records(std::string& out, uint64_t entries, uint64_t cd_offset, uint64_t cd_size) {
  const bool zip64 = entries >= k_zip64_marker16 || needs64(cd_offset) || needs64(cd_size);
  if (zip64) {
    const uint64_t record_offset = cd_offset + cd_size;
    put32(out, k_zip64_end_signature);
    put64(out, 44);  // size of the rest of this record
    put16(out, k_version_made_by);
    put16(out, k_version_needed_zip64);
    put32(out, 0);  // this disk
    put32(out, 0);  // disk with the central directory
    put64(out, entries);
    put64(out, entries);
    put64(out, cd_size);
    put64(out, cd_offset);

    put32(out, k_zip64_locator_signature);
    put32(out, 0);  // disk with the zip64 end record
    put64(out, record_offset);
    put32(out, 1);  // total disks
  }
  const uint64_t entries16 = entries >= k_zip64_marker16 ? k_zip64_marker16 : entries;
  put32(out, k_end_signature);
  put16(out, 0);  // this disk
  put16(out, 0);  // disk with the central directory
  put16(out, entries16);
  put16(out, entries16);
  put32(out, field32(cd_size));
  put32(out, field32(cd_offset));
  put16(out, 0);  // comment length
}

bool is_precompressed_name(std::string_view name) {
  // Sorted, lowercase, for binary search. Formats whose payload is already entropy-coded;
  // deflating them costs time for (at best) a byte or two.
  static constexpr std::string_view k_extensions[] = {
      "7z",   "apk",  "avif",  "br",   "bz2", "docx", "ear",  "egg",  "flac", "gif",  "gz",
      "heic", "jar",  "jpeg",  "jpg",  "lz",  "lz4",  "lzma", "m4a",  "mov",  "mp3",  "mp4",
      "npz",  "ogg",  "png",   "pptx", "rar", "tbz2", "tgz",  "txz",  "war",  "webm", "webp",
      "whl",  "woff", "woff2", "xlsx", "xz",  "zip",  "zst",  "zstd",
  };
  static_assert(std::is_sorted(std::begin(k_extensions), std::end(k_extensions)));
  const size_t dot = name.rfind('.');
  const size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return false;
  const std::string_view ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > 5) return false;
  char lower[5];
  for (size_t i = 0; i < ext.size(); ++i) {
    const char c = ext[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::binary_search(std::begin(k_extensions), std::end(k_extensions),
                            std::string_view(lower, ext.size()));
}

}  // namespace lpack::builder::zip
