// s3://bucket/prefix over net's S3 client: the same ac/ and cas/ layout as the HTTP backend,
// with write-once puts (If-None-Match: *), so a second writer of the same entry neither
// replaces nor fails.
#include "cache/remote_backends.hpp"
#include "net/aws_client.hpp"
#include "net/s3_client.hpp"

namespace lpack::cache {

namespace {

class S3Backend final : public RemoteBackend {
 public:
  S3Backend(std::string bucket, std::string prefix,
            std::unique_ptr<net::CredentialsProvider> credentials,
            std::unique_ptr<net::AwsClient> aws)
      : m_bucket(std::move(bucket)),
        m_prefix(prefix.empty() ? std::string() : prefix + "/"),
        m_credentials(std::move(credentials)),
        m_aws(std::move(aws)),
        m_s3(*m_aws) {}

  std::string describe() const override {
    return "s3://" + m_bucket +
           (m_prefix.empty() ? "" : "/" + m_prefix.substr(0, m_prefix.size() - 1));
  }

  Result<std::string> get_record(std::string_view key) override {
    return context(m_s3.get(m_bucket, object("ac", key)));
  }

  Result<void> put_record(std::string_view key, std::string_view bytes) override {
    net::RequestBody body;
    body.data = std::string(bytes);
    net::S3PutOptions options{.if_none_match = true, .content_type = "application/octet-stream"};
    auto put = m_s3.put(m_bucket, object("ac", key), body, options);
    if (!put) return std::move(put).error().context("remote cache");
    return ok();
  }

  Result<bool> has_blob(std::string_view sha256_hex) override {
    auto info = context(m_s3.head(m_bucket, object("cas", sha256_hex)));
    if (!info) return std::move(info).error();
    return info->has_value();
  }

  Result<uint64_t> get_blob(std::string_view sha256_hex, const fs::path& dest) override {
    return context(m_s3.get_to_file(m_bucket, object("cas", sha256_hex), dest));
  }

  Result<std::string> get_blob_bytes(std::string_view sha256_hex, uint64_t max_bytes) override {
    auto bytes = context(m_s3.get(m_bucket, object("cas", sha256_hex)));
    if (bytes && bytes->size() > max_bytes)
      return Error(ErrorCode::corrupt,
                   "remote cache: " + net::S3Client::display(m_bucket, object("cas", sha256_hex)) +
                       " is larger than the " + std::to_string(max_bytes) + " bytes expected");
    return bytes;
  }

  Result<void> put_blob(std::string_view sha256_hex, const fs::path& file, uint64_t size) override {
    net::RequestBody body;
    body.file = file;
    body.size = size;
    net::S3PutOptions options{.if_none_match = true,
                              .sha256_hex = std::string(sha256_hex),
                              .content_type = "application/octet-stream"};
    auto put = context(m_s3.put(m_bucket, object("cas", sha256_hex), body, options));
    if (!put) return std::move(put).error();
    return ok();
  }

  Result<void> put_blob_bytes(std::string_view sha256_hex, std::string_view bytes) override {
    net::RequestBody body;
    body.data = std::string(bytes);
    net::S3PutOptions options{.if_none_match = true,
                              .sha256_hex = std::string(sha256_hex),
                              .content_type = "application/octet-stream"};
    auto put = context(m_s3.put(m_bucket, object("cas", sha256_hex), body, options));
    if (!put) return std::move(put).error();
    return ok();
  }

 private:
  std::string object(std::string_view area, std::string_view name) const {
    return m_prefix + std::string(area) + "/" + std::string(name);
  }
  template <typename T>
  static Result<T> context(Result<T> result) {
    if (!result) return std::move(result).error().context("remote cache");
    return result;
  }

  std::string m_bucket;
  std::string m_prefix;  // "" or "prefix/"
  std::unique_ptr<net::CredentialsProvider> m_credentials;
  std::unique_ptr<net::AwsClient> m_aws;
  net::S3Client m_s3;
};

}  // namespace

Result<std::unique_ptr<RemoteBackend>> make_s3_backend(std::string bucket, std::string prefix,
                                                       const RemoteContext& context) {
  net::AwsEndpoint endpoint =
      LPACK_TRY(net::resolve_aws_endpoint(context.aws, "s3", context.endpoint_url));
  auto credentials = net::make_default_credentials_provider(context.aws);
  auto aws = std::make_unique<net::AwsClient>(*context.aws.transport, *credentials,
                                              *context.aws.clock, std::move(endpoint));
  return std::unique_ptr<RemoteBackend>(std::make_unique<S3Backend>(
      std::move(bucket), std::move(prefix), std::move(credentials), std::move(aws)));
}

}  // namespace lpack::cache
