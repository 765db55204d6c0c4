// The few REAPI (Remote Execution API, build.bazel.remote.execution.v2) messages lpack puts
// under a remote cache's /ac/, encoded and decoded by hand.
//
// Why by hand: bazel-remote (and other REAPI caches) only accept an /ac/ body that parses as
// an ActionResult protobuf, but lpack needs three messages and five fields of them, and no
// protobuf library is among its dependencies (Debian packages only, and libprotobuf would
// also need generated code from the .proto files). The wire format for these fields is small
// and stable: varints (wire type 0) and length-delimited fields (wire type 2).
//
// Fields written (numbers from remote_execution.proto):
//   ActionResult  { repeated OutputFile output_files = 2; int32 exit_code = 4; }
//   OutputFile    { string path = 1; Digest digest = 2; bool is_executable = 4; }
//   Digest        { string hash = 1; int64 size_bytes = 2; }
// Decoding skips every other field of any wire type (0, 1, 2, 5), so an entry rewritten by a
// server that adds metadata (execution_metadata = 9, ...) still decodes; groups (3, 4) and a
// truncated or overlong field make the bytes ErrorCode::corrupt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace lpack::cache::reapi {

struct Digest {
  std::string hash;  // lowercase hex SHA-256
  int64_t size_bytes = 0;
  bool operator==(const Digest&) const = default;
};

struct OutputFile {
  std::string path;
  Digest digest;
  bool is_executable = false;
  bool operator==(const OutputFile&) const = default;
};

struct ActionResult {
  std::vector<OutputFile> output_files;
  int32_t exit_code = 0;
  bool operator==(const ActionResult&) const = default;
};

// Fields in ascending number order, default values omitted (as protoc's encoders do).
std::string encode(const ActionResult& result);
// ErrorCode::corrupt with the reason (offset and field) for bytes that are not one.
Result<ActionResult> decode_action_result(std::string_view bytes);

// Wire-format pieces, exposed for the tests.
void put_varint(std::string& out, uint64_t value);
// Reads a varint at `pos`, advancing it; false when truncated or longer than 10 bytes.
bool get_varint(std::string_view bytes, size_t& pos, uint64_t& value);

}  // namespace lpack::cache::reapi
