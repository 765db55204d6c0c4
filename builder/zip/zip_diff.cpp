#include "builder/zip/zip_diff.hpp"

#include <zip.h>

#include <map>
#include <memory>
#include <vector>

#include "base/sha256.hpp"

namespace lpack::builder {
namespace {

struct EntryInfo {
  std::string name;
  uint32_t crc = 0;
  uint64_t size = 0;
  uint64_t compressed_size = 0;
  uint16_t method = 0;
  time_t mtime = 0;
  uint32_t mode = 0;
  std::string data_digest;  // SHA-256 of the entry's data as read, or "unreadable: <why>"
};

// Reads an entry's data through libzip, which checks it against the CRC: a damaged entry is
// "unreadable" even when its headers still look right.
std::string read_digest(zip_t* z, zip_uint64_t index) {
  zip_file_t* f = zip_fopen_index(z, index, 0);
  if (!f) return std::string("unreadable: ") + zip_strerror(z);
  Sha256 hash;
  std::vector<char> buffer(1 << 16);
  std::string result;
  for (;;) {
    zip_int64_t n = zip_fread(f, buffer.data(), buffer.size());
    if (n < 0) {
      result = std::string("unreadable: ") + zip_file_strerror(f);
      break;
    }
    if (n == 0) {
      result = to_hex(hash.finish());
      break;
    }
    hash.update(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  zip_fclose(f);
  return result;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

Result<std::vector<EntryInfo>> read_entries(const fs::path& path) {
  int error = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open(path.c_str(), ZIP_RDONLY, &error));
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, error);
    std::string message = path.string() + ": not a readable zip: " + zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return io_error(message);
  }
  std::vector<EntryInfo> entries;
  zip_int64_t count = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0) continue;
    EntryInfo e;
    e.name = st.name;
    e.crc = st.crc;
    e.size = st.size;
    e.compressed_size = st.comp_size;
    e.method = st.comp_method;
    e.mtime = st.mtime;
    zip_uint8_t os = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(z.get(), static_cast<zip_uint64_t>(i), 0, &os, &attributes);
    e.mode = attributes >> 16;
    if (e.name.empty() || e.name.back() != '/')
      e.data_digest = read_digest(z.get(), static_cast<zip_uint64_t>(i));
    entries.push_back(std::move(e));
  }
  return entries;
}

std::string octal(uint32_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

}  // namespace

Result<std::vector<std::string>> diff_zips(const fs::path& expected, const fs::path& actual) {
  auto a = LPACK_TRY(read_entries(expected));
  auto b = LPACK_TRY(read_entries(actual));
  std::vector<std::string> out;
  std::map<std::string, const EntryInfo*> by_name;
  for (const auto& e : b) by_name[e.name] = &e;
  std::map<std::string, bool> in_expected;
  for (const auto& e : a) {
    in_expected[e.name] = true;
    auto it = by_name.find(e.name);
    if (it == by_name.end()) {
      out.push_back(e.name + ": only in the artifact, not in the rebuild");
      continue;
    }
    const EntryInfo& f = *it->second;
    if (e.crc != f.crc || e.size != f.size) {
      out.push_back(e.name + ": content differs (" + std::to_string(e.size) + " vs " +
                    std::to_string(f.size) + " bytes)");
    } else if (e.data_digest != f.data_digest) {
      bool damaged = e.data_digest.rfind("unreadable", 0) == 0;
      out.push_back(e.name + ": content differs" +
                    (damaged ? " (the artifact's entry is " + e.data_digest + ")" : ""));
    }
    if (e.mode != f.mode)
      out.push_back(e.name + ": mode " + octal(e.mode) + " vs " + octal(f.mode));
    if (e.mtime != f.mtime) out.push_back(e.name + ": time differs");
    if (e.method != f.method || (e.crc == f.crc && e.compressed_size != f.compressed_size)) {
      out.push_back(e.name + ": compression differs");
    }
  }
  for (const auto& e : b) {
    if (!in_expected.count(e.name)) out.push_back(e.name + ": only in the rebuild");
  }
  if (out.empty()) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (a[i].name != b[i].name) {
        out.push_back("order differs at entry " + std::to_string(i + 1) + " (" + a[i].name +
                      " vs " + b[i].name + ")");
        break;
      }
    }
  }
  return out;
}

}  // namespace lpack::builder
