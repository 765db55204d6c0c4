// How an OutputRecord travels through a remote cache, as bytes every REAPI cache accepts.
//
//   ac/<key>               = ActionResult {
//                              output_files: [
//                                { path: "lpack/artifact.zip",
//                                  digest: { hash: record.blob_sha256, size_bytes: record.size } },
//                                { path: "lpack/record",
//                                  digest: { hash: sha256(record text), size_bytes: its length } }
//                                  ]
//                              exit_code: 0 }
//   cas/<blob_sha256>      = the artifact (the zip)
//   cas/<record sha256>    = the record text: format::encode_record(key, record), the same
//                            "lpack-record 2" text the local store writes (with its XXH3
//                            checksum), so every lpack field (blob_xxh3, unpacked_size,
//                            entries, compressor, key_text) survives any server.
// Both output files point at CAS blobs, so a stock bazel-remote with its default validation
// (the body parses as an ActionResult and the blobs it names exist) accepts the entry; the
// uploader therefore puts both blobs before the ActionResult. The record text goes into the
// CAS, not into stdout_raw, because caches may move or drop inlined bytes.
//
// Reading checks everything (decode_remote_record): the ActionResult parses and names both
// files; the record text hashes to its digest and unseals; its key is the key looked up;
// its blob_sha256 and size equal the artifact's digest. Anything else is ErrorCode::corrupt,
// except a well-formed record of another version: ErrorCode::not_found (a miss, no warning).
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "cache/store.hpp"

namespace lpack::cache {

inline constexpr std::string_view k_remote_artifact_path = "lpack/artifact.zip";
inline constexpr std::string_view k_remote_record_path = "lpack/record";
inline constexpr uint64_t k_max_record_text = 1 << 20;  // a record text larger than this is corrupt

struct RemoteEntry {
  std::string action_result;  // the bytes for ac/<key>
  std::string record_text;    // the bytes for cas/<record_sha256>
  std::string record_sha256;
};
RemoteEntry encode_remote_record(std::string_view key, const OutputRecord& record);

// The digests an ac/ entry names (step one of reading it).
struct RemoteRefs {
  std::string record_sha256;
  uint64_t record_size = 0;
  std::string blob_sha256;
  uint64_t blob_size = 0;
};
Result<RemoteRefs> decode_remote_refs(std::string_view action_result);

// Step two: the record text fetched from cas/<refs.record_sha256>, checked against the refs
// and the key.
Result<OutputRecord> decode_remote_record(std::string_view key, const RemoteRefs& refs,
                                          std::string_view record_text);

}  // namespace lpack::cache
