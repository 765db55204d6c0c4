#include <gtest/gtest.h>

#include <cstdio>

#include "base/fs.hpp"
#include "base/process.hpp"
#include "base/sha256.hpp"
#include "cache/reapi.hpp"
#include "cache/remote_record.hpp"
#include "cache/store_format.hpp"

namespace lpack::cache {
namespace {

reapi::ActionResult sample() {
  reapi::ActionResult r;
  r.output_files.push_back({"lpack/artifact.zip", {std::string(64, 'a'), 300}, false});
  r.output_files.push_back({"lpack/record", {std::string(64, 'b'), 5}, true});
  return r;
}

TEST(CacheReapi, Varints) {
  std::string out;
  reapi::put_varint(out, 300);
  EXPECT_EQ(out, std::string("\xac\x02", 2));
  size_t pos = 0;
  uint64_t v = 0;
  ASSERT_TRUE(reapi::get_varint(out, pos, v));
  EXPECT_EQ(v, 300u);
  out.clear();
  reapi::put_varint(out, UINT64_MAX);
  EXPECT_EQ(out.size(), 10u);
  pos = 0;
  ASSERT_TRUE(reapi::get_varint(out, pos, v));
  EXPECT_EQ(v, UINT64_MAX);
  pos = 0;
  EXPECT_FALSE(reapi::get_varint(std::string("\x80\x80", 2), pos, v));
}

TEST(CacheReapi, KnownBytes) {
  reapi::ActionResult r;
  r.output_files.push_back({"a", {"h", 3}, true});
  // output_files(2): len 12 { path(1) "a", digest(2) len 5 { hash(1) "h", size(2) 3 },
  // is_executable(4) 1 }
  const std::string expected(
      "\x12\x0c\x0a\x01"
      "a"
      "\x12\x05\x0a\x01"
      "h"
      "\x10\x03\x20\x01",
      14);
  EXPECT_EQ(reapi::encode(r), expected);
}

TEST(CacheReapi, RoundTripAndUnknownFieldsSkipped) {
  const auto r = sample();
  std::string bytes = reapi::encode(r);
  EXPECT_EQ(reapi::decode_action_result(bytes).value(), r);
  // A server may add fields: execution_metadata (9, bytes), a fixed64 (15), a fixed32 (16).
  std::string extended = bytes;
  extended += std::string("\x4a\x03xyz", 5);
  extended += std::string("\x79", 1) + std::string(8, '\0');
  extended += std::string("\x85\x01", 2) + std::string(4, '\0');
  EXPECT_EQ(reapi::decode_action_result(extended).value(), r);
  reapi::ActionResult failed = r;
  failed.exit_code = -1;
  EXPECT_EQ(reapi::decode_action_result(reapi::encode(failed))->exit_code, -1);
}

TEST(CacheReapi, MalformedBytesAreCorrupt) {
  const std::string bytes = reapi::encode(sample());
  for (size_t cut : {size_t(1), bytes.size() / 2, bytes.size() - 1}) {
    auto d = reapi::decode_action_result(bytes.substr(0, cut));
    ASSERT_FALSE(d) << cut;
    EXPECT_EQ(d.error().code(), ErrorCode::corrupt);
  }
  EXPECT_FALSE(reapi::decode_action_result(std::string("\x13\x00", 2)));  // group wire type
  EXPECT_FALSE(reapi::decode_action_result(std::string("lpack-record 2\n")));
}

// Cross-check against protoc's own reading of the wire format, when protoc is installed.
TEST(CacheReapi, ProtocDecodeRawAgrees) {
  auto protoc = find_program("protoc");
  if (!protoc) GTEST_SKIP() << "protoc is not installed (apt-get install protobuf-compiler)";
  auto dir = TempDir::create("lpack-reapi-");
  ASSERT_TRUE(dir);
  ASSERT_TRUE(write_file_atomic(dir->path() / "ar.bin", reapi::encode(sample())));
  auto run = run_process({.argv = {"sh", "-c", protoc->string() + " --decode_raw < ar.bin"},
                          .env = {"PATH=/usr/bin:/bin"},
                          .cwd = dir->path()});
  ASSERT_TRUE(run);
  ASSERT_EQ(run->exit_code, 0) << run->output;
  const std::string expected =
      "2 {\n  1: \"lpack/artifact.zip\"\n  2 {\n    1: \"" + std::string(64, 'a') +
      "\"\n    2: 300\n  }\n}\n2 {\n  1: \"lpack/record\"\n  2 {\n    1: \"" +
      std::string(64, 'b') + "\"\n    2: 5\n  }\n  4: 1\n}\n";
  EXPECT_EQ(run->output, expected);
}

OutputRecord record_for(std::string_view blob) {
  OutputRecord r;
  r.blob_sha256 = to_hex(sha256(blob));
  r.blob_xxh3 = std::string(32, 'c');
  r.size = blob.size();
  r.unpacked_size = 10;
  r.entries = 1;
  r.compressor = "libdeflate-6";
  r.key_text = "runtime python3.12\nmulti\nline";
  return r;
}

TEST(CacheRemoteRecord, RoundTrip) {
  const std::string key = to_hex(sha256("key"));
  const OutputRecord record = record_for("zip bytes");
  const RemoteEntry entry = encode_remote_record(key, record);
  EXPECT_EQ(entry.record_text, format::encode_record(key, record));
  EXPECT_EQ(entry.record_sha256, to_hex(sha256(entry.record_text)));
  auto refs = decode_remote_refs(entry.action_result);
  ASSERT_TRUE(refs);
  EXPECT_EQ(refs->blob_sha256, record.blob_sha256);
  EXPECT_EQ(refs->blob_size, record.size);
  EXPECT_EQ(decode_remote_record(key, *refs, entry.record_text).value(), record);
}

TEST(CacheRemoteRecord, EveryMismatchIsCorrupt) {
  const std::string key = to_hex(sha256("key"));
  const RemoteEntry entry = encode_remote_record(key, record_for("zip bytes"));
  auto refs = decode_remote_refs(entry.action_result).value();
  // Record text altered.
  std::string altered = entry.record_text;
  altered[20] ^= 1;
  EXPECT_EQ(decode_remote_record(key, refs, altered).error().code(), ErrorCode::corrupt);
  // Looked up under another key.
  EXPECT_EQ(decode_remote_record(to_hex(sha256("other")), refs, entry.record_text).error().code(),
            ErrorCode::corrupt);
  // The action result names another artifact than the record.
  RemoteRefs swapped = refs;
  swapped.blob_sha256 = std::string(64, 'f');
  EXPECT_EQ(decode_remote_record(key, swapped, entry.record_text).error().code(),
            ErrorCode::corrupt);
  // An ActionResult without lpack's files.
  reapi::ActionResult foreign;
  foreign.output_files.push_back({"bazel-out/x", {std::string(64, 'a'), 1}, false});
  EXPECT_EQ(decode_remote_refs(reapi::encode(foreign)).error().code(), ErrorCode::corrupt);
}

}  // namespace
}  // namespace lpack::cache
