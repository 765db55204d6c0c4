#include "cache/remote_record.hpp"

#include "base/sha256.hpp"
#include "cache/reapi.hpp"
#include "cache/store_format.hpp"

namespace lpack::cache {

RemoteEntry encode_remote_record(std::string_view key, const OutputRecord& record) {
  RemoteEntry entry;
  entry.record_text = format::encode_record(key, record);
  entry.record_sha256 = to_hex(sha256(entry.record_text));
  reapi::ActionResult result;
  result.output_files.push_back(
      {.path = std::string(k_remote_artifact_path),
       .digest = {record.blob_sha256, static_cast<int64_t>(record.size)}});
  result.output_files.push_back(
      {.path = std::string(k_remote_record_path),
       .digest = {entry.record_sha256, static_cast<int64_t>(entry.record_text.size())}});
  entry.action_result = reapi::encode(result);
  return entry;
}

Result<RemoteRefs> decode_remote_refs(std::string_view action_result) {
  reapi::ActionResult result = LPACK_TRY(reapi::decode_action_result(action_result));
  RemoteRefs refs;
  bool have_blob = false, have_record = false;
  for (const auto& f : result.output_files) {
    if (f.digest.size_bytes < 0 || !format::is_lower_hex(f.digest.hash, 64)) continue;
    if (f.path == k_remote_artifact_path) {
      refs.blob_sha256 = f.digest.hash;
      refs.blob_size = static_cast<uint64_t>(f.digest.size_bytes);
      have_blob = true;
    } else if (f.path == k_remote_record_path) {
      refs.record_sha256 = f.digest.hash;
      refs.record_size = static_cast<uint64_t>(f.digest.size_bytes);
      have_record = true;
    }
  }
  if (!have_blob || !have_record)
    return Error(ErrorCode::corrupt, std::string("the action result does not name both '") +
                                         std::string(k_remote_artifact_path) + "' and '" +
                                         std::string(k_remote_record_path) +
                                         "' with SHA-256 digests");
  if (result.exit_code != 0)
    return Error(ErrorCode::corrupt, "the action result has a non-zero exit code");
  if (refs.record_size > k_max_record_text)
    return Error(ErrorCode::corrupt, "the record text is too large");
  return refs;
}

Result<OutputRecord> decode_remote_record(std::string_view key, const RemoteRefs& refs,
                                          std::string_view record_text) {
  if (record_text.size() != refs.record_size || to_hex(sha256(record_text)) != refs.record_sha256)
    return Error(ErrorCode::corrupt,
                 "the record text does not match its digest " + refs.record_sha256);
  auto parsed = LPACK_TRY(format::decode_record(record_text));
  // A newer lpack sharing the remote: not ours to judge, and no damage either.
  if (!parsed) return Error(ErrorCode::not_found, "the record is of another lpack-record version");
  if (parsed->key != key)
    return Error(ErrorCode::corrupt, "the record is for another key (" + parsed->key + ")");
  if (parsed->record.blob_sha256 != refs.blob_sha256 || parsed->record.size != refs.blob_size)
    return Error(ErrorCode::corrupt, "the record's blob differs from the action result's artifact");
  return std::move(parsed->record);
}

}  // namespace lpack::cache
