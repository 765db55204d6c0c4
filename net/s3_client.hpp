// A small S3 client over AwsClient (SigV4 + Transport): the object operations lpack's remote
// cache and publish need, and nothing more.
//
// Addressing: with a custom endpoint (S3-compatible stores, moto) path-style
// ("<endpoint>/<bucket>/<key>") unless virtual_host is set; on AWS virtual-hosted
// ("https://<bucket>.s3.<region>.amazonaws.com/<key>"), path-style for bucket names with dots.
// Keys are encoded with url_encode(key, keep_slash = true) and signed with S3's URI rules.
//
// Errors follow http.hpp: 404/NoSuchKey -> ErrorCode::not_found (head() instead answers
// nullopt), 401/403 -> unauthorized (never "absent": a missing permission must not look like
// a cache miss or a free key), timeouts and broken connections as the transport typed them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/aws_client.hpp"

namespace lpack::net {

struct S3Options {
  bool virtual_host = false;                   // custom endpoints only: bucket in the host name
  uint64_t multipart_threshold = 64ull << 20;  // file bodies above this go multipart
  uint64_t part_size = 16ull << 20;            // S3's minimum is 5 MiB (except the last part)
  int parallel_parts = 4;                      // parts in flight at once
};

struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // as the server sent it, quotes removed
};

struct S3PutOptions {
  // Write-once: send If-None-Match: * so an existing object is never replaced; the server's
  // 412 (or 409 for a concurrent conditional write) is PutResult::already_exists. A server
  // that ignores the header overwrites, which content-addressed callers accept.
  bool if_none_match = false;
  std::string sha256_hex;  // the body's SHA-256 when known; otherwise it is computed
  std::string content_type;
};
enum class PutResult { created, already_exists };

class S3Client {
 public:
  S3Client(AwsClient& aws, S3Options options = {}) : m_aws(aws), m_options(options) {}

  // nullopt when the object does not exist (404).
  Result<std::optional<S3ObjectInfo>> head(std::string_view bucket, std::string_view key);
  // The object's bytes; a not_found Error when absent.
  Result<std::string> get(std::string_view bucket, std::string_view key);
  // Streams the object into `path` (created or truncated) and checks that the bytes written
  // equal its Content-Length (ErrorCode::corrupt otherwise). Returns the size.
  Result<uint64_t> get_to_file(std::string_view bucket, std::string_view key, const fs::path& path);
  // Uploads `body` (memory or a file region), with Content-Length and x-amz-content-sha256.
  // A file body above multipart_threshold goes as a multipart upload (parts in parallel);
  // the upload is aborted when any part fails.
  Result<PutResult> put(std::string_view bucket, std::string_view key, const RequestBody& body,
                        const S3PutOptions& options = {});
  // Deleting an absent object is not an error (S3's own rule).
  Result<void> remove(std::string_view bucket, std::string_view key);
  // Every object under `prefix`, all pages (ListObjectsV2), in S3's (byte) order.
  Result<std::vector<S3ObjectInfo>> list(std::string_view bucket, std::string_view prefix);

  // The URL of an object (or of the bucket when key is empty), for requests this client does
  // not wrap; and "s3://bucket/key" for messages.
  std::string object_url(std::string_view bucket, std::string_view key) const;
  static std::string display(std::string_view bucket, std::string_view key) {
    return "s3://" + std::string(bucket) + "/" + std::string(key);
  }

 private:
  Result<HttpResponse> send(HttpRequest request, std::string_view what,
                            bool unsigned_payload = false);
  Result<PutResult> put_multipart(std::string_view bucket, std::string_view key,
                                  const RequestBody& body, const S3PutOptions& options);

  AwsClient& m_aws;
  S3Options m_options;
};

}  // namespace lpack::net
