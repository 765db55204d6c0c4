// AWS Signature Version 4, header form (Authorization header; query-string presigning is not
// needed by lpack). The signer adds Host, X-Amz-Date, X-Amz-Security-Token (when the
// credentials have a session token), X-Amz-Content-Sha256 (when asked) and Authorization to
// the request, and signs every header the request then carries except the ones proxies and
// clients rewrite (User-Agent, Expect, Content-Length, X-Amzn-Trace-Id).
//
// Canonical forms (AWS's published rules):
// - URI: for every service but S3 the path is normalised (empty and "." segments removed,
//   ".." resolved) and percent-encoded once more on top of its wire encoding; S3 uses the
//   wire path as it is ("S3 does not double-encode"), so S3 callers must encode keys with
//   url_encode(key, keep_slash = true).
// - Query: each name and value decoded, then encoded with url_encode (so '+' becomes %2B and
//   a space %20), pairs sorted by name then value.
// - Headers: names lowercased, values trimmed with inner runs of spaces collapsed, repeated
//   names joined by ',' in their order, sorted by name.
// - Payload: the X-Amz-Content-Sha256 value when the request has that header (callers that
//   already know a file's hash set it), "UNSIGNED-PAYLOAD" when asked, otherwise the SHA-256
//   of the body (a file body is streamed from its region).
#pragma once

#include <chrono>
#include <string>

#include "base/error.hpp"
#include "net/credentials_type.hpp"
#include "net/http.hpp"

namespace lpack::net {

inline constexpr std::string_view k_empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view k_unsigned_payload = "UNSIGNED-PAYLOAD";

struct SigningOptions {
  std::string region;             // "us-east-1"
  std::string service;            // "s3", "lambda", "sts", "iam"
  bool s3_rules = false;          // S3's URI rules (no normalisation, no second encoding)
  bool unsigned_payload = false;  // sign "UNSIGNED-PAYLOAD" (only over HTTPS to S3)
  // Send the payload hash as X-Amz-Content-Sha256 (S3 requires it; other services ignore it).
  bool add_content_sha256 = false;
};

// What was signed, for tests and for debugging a SignatureDoesNotMatch (none of it is
// secret: the signature is an HMAC and the key never appears).
struct SigningDetails {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;
};

// Signs `request` in place at time `now`. Errors: bad_input for a URL that does not parse,
// internal for empty credentials, io when a file body cannot be read for hashing.
Result<SigningDetails> sign_request(HttpRequest& request, const Credentials& credentials,
                                    const SigningOptions& options,
                                    std::chrono::system_clock::time_point now);

// The pieces, exposed for the unit tests of the canonical forms.
std::string canonical_uri(std::string_view wire_path, bool s3_rules);
std::string canonical_query(std::string_view wire_query);
// Lowercase hex SHA-256 of a request body (memory, or the file region).
Result<std::string> payload_sha256(const RequestBody& body);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

}  // namespace lpack::net
