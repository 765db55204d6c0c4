// The backends behind open_remote_backend(); internal to cache/ (tests may use them to build
// a backend over a fake Transport).
#pragma once

#include <memory>
#include <string>

#include "cache/remote_backend.hpp"
#include "net/http.hpp"

namespace lpack::cache {

// bazel-remote's HTTP protocol under `base` (its path is the prefix, no trailing slash
// needed). `authorization` is the whole Authorization header value, or empty. `transport`
// must outlive the backend.
std::unique_ptr<RemoteBackend> make_http_backend(net::Url base, std::string authorization,
                                                 net::Transport& transport);

// s3://bucket/prefix: `prefix` without leading or trailing slashes (may be empty).
Result<std::unique_ptr<RemoteBackend>> make_s3_backend(std::string bucket, std::string prefix,
                                                       const RemoteContext& context);

}  // namespace lpack::cache
