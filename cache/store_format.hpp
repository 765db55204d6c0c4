// The text formats of the local store (grammar in cache/store.hpp): a header line
// "<magic> <version>", fields, and a trailing "checksum <xxh3-64 hex>" line over every byte
// before it. Internal to cache/; exposed as a header so the tests can forge damaged files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "cache/store.hpp"

namespace lpack::cache::format {

// `body` (header line and fields, "\n"-terminated) followed by its checksum line.
std::string seal(std::string body);

struct Unsealed {
  std::string_view magic;
  uint32_t version = 0;
  std::string_view fields;  // between the header line and the checksum line
};
// Checks the checksum line and splits off the header. ErrorCode::corrupt with the reason
// ("bad checksum", "no header"...) otherwise.
Result<Unsealed> unseal(std::string_view text);

struct ParsedRecord {
  std::string key;
  OutputRecord record;
};
constexpr uint32_t k_record_version = 2;  // 2 added blob_xxh3
std::string encode_record(std::string_view key, const OutputRecord& record);
// nullopt: a well-formed record of another version (not ours to judge). ErrorCode::corrupt
// with the reason for anything else that is not a valid record of our version.
Result<std::optional<ParsedRecord>> decode_record(std::string_view text);

std::string encode_last(std::string_view key_text);
Result<std::string> decode_last(std::string_view text);

struct Counters {
  uint64_t hits = 0;
  uint64_t misses = 0;
};
std::string encode_counters(const Counters& counters);
Result<Counters> decode_counters(std::string_view text);

bool is_lower_hex(std::string_view text, size_t length);

}  // namespace lpack::cache::format
