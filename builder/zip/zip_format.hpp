// The byte layout of the zip records write_zip emits, kept apart from the parallel pipeline
// so each record's every byte can be read (and tested) in one place. All integers are
// little-endian; see the grammar at the top of zip_writer.hpp.
//
// The DOS date/time conversion goes through std::chrono's calendar types on sys_days (UTC)
// rather than localtime()/mktime(): those depend on TZ, which must never change the bytes.
// The records are written by hand; see zip_writer.hpp for why no zip library writes them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lpack::builder::zip {

// 1980-01-01 00:00:00 UTC and 2107-12-31 23:59:58 UTC: the range a DOS date/time can hold.
inline constexpr int64_t k_min_dos_epoch = 315532800;
inline constexpr int64_t k_max_dos_epoch = 4354819198;

// A field equal to this marker means "the real value is in the zip64 extra / record".
inline constexpr uint64_t k_zip64_marker32 = 0xFFFFFFFF;
inline constexpr uint64_t k_zip64_marker16 = 0xFFFF;

inline constexpr uint16_t k_method_stored = 0;
inline constexpr uint16_t k_method_deflate = 8;

struct DosDateTime {
  uint16_t date = 0;  // (year - 1980) << 9 | month << 5 | day
  uint16_t time = 0;  // hour << 11 | minute << 5 | second / 2
};

// `epoch_seconds` clamped to [k_min_dos_epoch, k_max_dos_epoch], in UTC; odd seconds round
// down (DOS time has a 2-second granularity).
DosDateTime to_dos_date_time(int64_t epoch_seconds);

// What the local header and the central directory say about one entry.
struct EntryRecord {
  std::string_view name;         // as stored: "/"-separated, folders end with "/"
  uint32_t unix_mode = 0100644;  // type bits included: 0100644, 0100755 or 040755
  uint16_t method = k_method_stored;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t offset = 0;  // of the local header, from the start of the zip
};

// Appends the local file header (30 bytes + name [+ zip64 extra of 20 bytes when a size
// reaches 4 GiB]) to `out`.
void append_local_header(std::string& out, const EntryRecord& entry, DosDateTime when);

// Appends the central directory header (46 bytes + name [+ zip64 extra holding whichever of
// size, compressed size and offset reach 4 GiB, in that order]).
void append_central_header(std::string& out, const EntryRecord& entry, DosDateTime when);

// Appends the end of central directory record, preceded by the zip64 end record and its
// locator when the entry count reaches 0xFFFF or the directory's size or offset 4 GiB.
// `cd_offset` is where the central directory starts, `cd_size` its length in bytes.
void append_end_records(std::string& out, uint64_t entries, uint64_t cd_offset, uint64_t cd_size);

// True for names whose extension marks data that is already compressed (archives, wheels,
// jars, images, fonts, media); such entries are stored without trying deflate.
bool is_precompressed_name(std::string_view name);

}  // namespace lpack::builder::zip
