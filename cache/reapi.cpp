#include "cache/reapi.hpp"

namespace lpack::cache::reapi {

namespace {

constexpr uint32_t k_varint = 0;
constexpr uint32_t k_fixed64 = 1;
constexpr uint32_t k_length = 2;
constexpr uint32_t k_fixed32 = 5;

void put_tag(std::string& out, uint32_t field, uint32_t wire_type) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | wire_type);
}

void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_tag(out, field, k_length);
  put_varint(out, bytes.size());
  out.append(bytes);
}

std::string encode_digest(const Digest& d) {
  std::string out;
  if (!d.hash.empty()) put_bytes(out, 1, d.hash);
  if (d.size_bytes != 0) {
    put_tag(out, 2, k_varint);
    put_varint(out, static_cast<uint64_t>(d.size_bytes));
  }
  return out;
}

std::string encode_output_file(const OutputFile& f) {
  std::string out;
  if (!f.path.empty()) put_bytes(out, 1, f.path);
  put_bytes(out, 2, encode_digest(f.digest));  // always present: a file has a digest
  if (f.is_executable) {
    put_tag(out, 4, k_varint);
    put_varint(out, 1);
  }
  return out;
}

// One field of a message: its number, wire type, and value (varint or bytes).
struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Reads the next field at `pos`; an Error names what is wrong.
Result<Field> next_field(std::string_view msg, size_t& pos, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return Error(ErrorCode::corrupt,
                 std::string(what) + ": " + std::string(why) + " at byte " + std::to_string(pos));
  };
  uint64_t tag = 0;
  if (!get_varint(msg, pos, tag)) return bad("truncated tag");
  Field f;
  f.number = static_cast<uint32_t>(tag >> 3);
  f.wire_type = static_cast<uint32_t>(tag & 7);
  if (f.number == 0 || (tag >> 3) > 0x1FFFFFFF) return bad("field number 0 or too large");
  switch (f.wire_type) {
    case k_varint:
      if (!get_varint(msg, pos, f.varint)) return bad("truncated varint");
      break;
    case k_fixed64:
      if (msg.size() - pos < 8) return bad("truncated fixed64");
      pos += 8;
      break;
    case k_fixed32:
      if (msg.size() - pos < 4) return bad("truncated fixed32");
      pos += 4;
      break;
    case k_length: {
      uint64_t len = 0;
      if (!get_varint(msg, pos, len)) return bad("truncated length");
      if (len > msg.size() - pos) return bad("length past the end");
      f.bytes = msg.substr(pos, static_cast<size_t>(len));
      pos += static_cast<size_t>(len);
      break;
    }
    default:
      return bad("unsupported wire type " + std::to_string(f.wire_type));
  }
  return f;
}

Result<Digest> decode_digest(std::string_view msg) {
  Digest d;
  size_t pos = 0;
  while (pos < msg.size()) {
    Field f = LPACK_TRY(next_field(msg, pos, "Digest"));
    if (f.number == 1 && f.wire_type == k_length) d.hash = std::string(f.bytes);
    if (f.number == 2 && f.wire_type == k_varint) d.size_bytes = static_cast<int64_t>(f.varint);
  }
  return d;
}

Result<OutputFile> decode_output_file(std::string_view msg) {
  OutputFile out;
  size_t pos = 0;
  while (pos < msg.size()) {
    Field f = LPACK_TRY(next_field(msg, pos, "OutputFile"));
    if (f.number == 1 && f.wire_type == k_length) out.path = std::string(f.bytes);
    if (f.number == 2 && f.wire_type == k_length) out.digest = LPACK_TRY(decode_digest(f.bytes));
    if (f.number == 4 && f.wire_type == k_varint) out.is_executable = f.varint != 0;
  }
  return out;
}

}  // namespace

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

bool get_varint(std::string_view bytes, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos >= bytes.size()) return false;
    const auto byte = static_cast<uint8_t>(bytes[pos++]);
    if (shift == 63 && byte > 1) return false;
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::string encode(const ActionResult& result) {
  std::string out;
  for (const auto& f : result.output_files) put_bytes(out, 2, encode_output_file(f));
  if (result.exit_code != 0) {
    put_tag(out, 4, k_varint);
    // int32: negative values are sign-extended to 64 bits, as protobuf does.
    put_varint(out, static_cast<uint64_t>(static_cast<int64_t>(result.exit_code)));
  }
  return out;
}

Result<ActionResult> decode_action_result(std::string_view bytes) {
  ActionResult result;
  size_t pos = 0;
  while (pos < bytes.size()) {
    Field f = LPACK_TRY(next_field(bytes, pos, "ActionResult"));
    if (f.number == 2 && f.wire_type == k_length)
      result.output_files.push_back(LPACK_TRY(decode_output_file(f.bytes)));
    if (f.number == 4 && f.wire_type == k_varint) result.exit_code = static_cast<int32_t>(f.varint);
  }
  return result;
}

}  // namespace lpack::cache::reapi
