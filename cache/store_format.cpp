#include "cache/store_format.hpp"

#include <xxhash.h>

#include <charconv>

namespace lpack::cache::format {
namespace {

constexpr std::string_view k_checksum_tag = "checksum ";
constexpr std::string_view k_record_magic = "lpack-record";
constexpr std::string_view k_last_magic = "lpack-last";
constexpr std::string_view k_stats_magic = "lpack-stats";
constexpr uint32_t k_last_version = 1;
constexpr uint32_t k_stats_version = 1;

std::string hex16(uint64_t v) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = k_digits[v & 15];
  return out;
}

Error corrupt(std::string reason) {
  return {ErrorCode::corrupt, std::move(reason)};
}

std::optional<uint64_t> parse_uint(std::string_view text, int base = 10) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads "tag value\n" fields in a fixed order.
class FieldReader {
 public:
  explicit FieldReader(std::string_view text) : m_rest(text) {}

  Result<std::string_view> field(std::string_view tag) {
    size_t nl = m_rest.find('\n');
    if (nl == std::string_view::npos) return corrupt("missing field " + std::string(tag));
    std::string_view line = m_rest.substr(0, nl);
    if (line.size() <= tag.size() || line.substr(0, tag.size()) != tag || line[tag.size()] != ' ') {
      return corrupt("expected field " + std::string(tag));
    }
    m_rest.remove_prefix(nl + 1);
    return line.substr(tag.size() + 1);
  }

  Result<uint64_t> number(std::string_view tag) {
    auto text = LPACK_TRY(field(tag));
    auto value = parse_uint(text);
    if (!value) return corrupt("field " + std::string(tag) + " is not a number");
    return *value;
  }

  // "tag N\n" followed by N bytes and "\n".
  Result<std::string_view> blob(std::string_view tag) {
    uint64_t length = LPACK_TRY(number(tag));
    if (length >= m_rest.size() || m_rest[length] != '\n') {
      return corrupt("field " + std::string(tag) + " has the wrong length");
    }
    std::string_view value = m_rest.substr(0, length);
    m_rest.remove_prefix(length + 1);
    return value;
  }

  bool at_end() const { return m_rest.empty(); }

 private:
  std::string_view m_rest;
};

std::string header(std::string_view magic, uint32_t version) {
  return std::string(magic) + " " + std::to_string(version) + "\n";
}

Result<FieldReader> open_fields(std::string_view text, std::string_view magic, uint32_t version) {
  Unsealed u = LPACK_TRY(unseal(text));
  if (u.magic != magic) return corrupt("not a " + std::string(magic) + " file");
  if (u.version != version) return corrupt("unknown version " + std::to_string(u.version));
  return FieldReader(u.fields);
}

}  // namespace

bool is_lower_hex(std::string_view text, size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string seal(std::string body) {
  uint64_t sum = XXH3_64bits(body.data(), body.size());
  body += k_checksum_tag;
  body += hex16(sum);
  body += '\n';
  return body;
}

Result<Unsealed> unseal(std::string_view text) {
  // The checksum line is the last line; earlier lines may hold anything (key texts).
  constexpr size_t k_line = 9 + 16 + 1;  // "checksum " + 16 hex + "\n"
  if (text.size() < k_line || text.back() != '\n') return corrupt("truncated");
  size_t at = text.size() - k_line;
  std::string_view line = text.substr(at);
  if (line.substr(0, k_checksum_tag.size()) != k_checksum_tag || (at > 0 && text[at - 1] != '\n')) {
    return corrupt("no checksum line");
  }
  std::string_view digits = line.substr(k_checksum_tag.size(), 16);
  auto expected = is_lower_hex(digits, 16) ? parse_uint(digits, 16) : std::nullopt;
  if (!expected) return corrupt("malformed checksum line");
  std::string_view body = text.substr(0, at);
  if (XXH3_64bits(body.data(), body.size()) != *expected) return corrupt("bad checksum");

  size_t nl = body.find('\n');
  if (nl == std::string_view::npos) return corrupt("no header line");
  std::string_view head = body.substr(0, nl);
  size_t space = head.find(' ');
  if (space == std::string_view::npos) return corrupt("malformed header line");
  auto version = parse_uint(head.substr(space + 1));
  if (!version || *version > UINT32_MAX) return corrupt("malformed version");
  return Unsealed{head.substr(0, space), static_cast<uint32_t>(*version), body.substr(nl + 1)};
}

std::string encode_record(std::string_view key, const OutputRecord& r) {
  std::string body = header(k_record_magic, k_record_version);
  body += "key " + std::string(key) + "\n";
  body += "blob " + r.blob_sha256 + "\n";
  body += "blob_xxh3 " + r.blob_xxh3 + "\n";
  body += "size " + std::to_string(r.size) + "\n";
  body += "unpacked_size " + std::to_string(r.unpacked_size) + "\n";
  body += "entries " + std::to_string(r.entries) + "\n";
  body += "compressor " + r.compressor + "\n";
  body += "key_text " + std::to_string(r.key_text.size()) + "\n";
  body += r.key_text;
  body += "\n";
  return seal(std::move(body));
}

Result<std::optional<ParsedRecord>> decode_record(std::string_view text) {
  Unsealed u = LPACK_TRY(unseal(text));
  if (u.magic != k_record_magic) return corrupt("not a record");
  if (u.version != k_record_version) return std::optional<ParsedRecord>();
  FieldReader in(u.fields);
  ParsedRecord p;
  p.key = std::string(LPACK_TRY(in.field("key")));
  p.record.blob_sha256 = std::string(LPACK_TRY(in.field("blob")));
  p.record.blob_xxh3 = std::string(LPACK_TRY(in.field("blob_xxh3")));
  p.record.size = LPACK_TRY(in.number("size"));
  p.record.unpacked_size = LPACK_TRY(in.number("unpacked_size"));
  p.record.entries = LPACK_TRY(in.number("entries"));
  p.record.compressor = std::string(LPACK_TRY(in.field("compressor")));
  p.record.key_text = std::string(LPACK_TRY(in.blob("key_text")));
  if (!in.at_end()) return corrupt("unexpected data after the fields");
  if (!is_lower_hex(p.key, 64)) return corrupt("malformed key");
  if (!is_lower_hex(p.record.blob_sha256, 64)) return corrupt("malformed blob name");
  if (!is_lower_hex(p.record.blob_xxh3, 32)) return corrupt("malformed blob_xxh3");
  return std::optional<ParsedRecord>(std::move(p));
}

std::string encode_last(std::string_view key_text) {
  std::string body = header(k_last_magic, k_last_version);
  body += "key_text " + std::to_string(key_text.size()) + "\n";
  body += key_text;
  body += "\n";
  return seal(std::move(body));
}

Result<std::string> decode_last(std::string_view text) {
  FieldReader in = LPACK_TRY(open_fields(text, k_last_magic, k_last_version));
  std::string key_text(LPACK_TRY(in.blob("key_text")));
  if (!in.at_end()) return corrupt("unexpected data after the fields");
  return key_text;
}

std::string encode_counters(const Counters& c) {
  std::string body = header(k_stats_magic, k_stats_version);
  body += "hits " + std::to_string(c.hits) + "\n";
  body += "misses " + std::to_string(c.misses) + "\n";
  return seal(std::move(body));
}

Result<Counters> decode_counters(std::string_view text) {
  FieldReader in = LPACK_TRY(open_fields(text, k_stats_magic, k_stats_version));
  Counters c;
  c.hits = LPACK_TRY(in.number("hits"));
  c.misses = LPACK_TRY(in.number("misses"));
  if (!in.at_end()) return corrupt("unexpected data after the fields");
  return c;
}

}  // namespace lpack::cache::format
