#include "net/s3_client.hpp"

#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>

#include "net/xml.hpp"

namespace lpack::net {

namespace {

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string S3Client::object_url(std::string_view bucket, std::string_view key) const {
  const AwsEndpoint& e = m_aws.endpoint();
  const bool aws = e.url == default_endpoint("s3", e.region);
  const bool virtual_host =
      aws ? bucket.find('.') == std::string_view::npos : m_options.virtual_host;
  std::string path = key.empty() ? std::string("/") : "/" + url_encode(key, /*keep_slash=*/true);
  if (virtual_host) {
    auto url = parse_url(e.url);
    if (url) {
      Url u = *url;
      u.host = std::string(bucket) + "." + u.host;
      u.path = path;
      return u.str();
    }
  }
  return e.url + "/" + url_encode(bucket) + path;
}

Result<HttpResponse> S3Client::send(HttpRequest request, std::string_view what,
                                    bool unsigned_payload) {
  SigningOptions options{
      .s3_rules = true, .unsigned_payload = unsigned_payload, .add_content_sha256 = true};
  return m_aws.send(std::move(request), options, what);
}

Result<std::optional<S3ObjectInfo>> S3Client::head(std::string_view bucket, std::string_view key) {
  const std::string what = "S3 HEAD " + display(bucket, key);
  HttpRequest request;
  request.method = "HEAD";
  request.url = object_url(bucket, key);
  HttpResponse response = LPACK_TRY_CTX(send(std::move(request), what), what);
  if (response.status == 404) return std::optional<S3ObjectInfo>();
  if (!response.ok()) return status_error(what, response);
  S3ObjectInfo info;
  info.key = std::string(key);
  if (auto len = response.header("Content-Length")) info.size = parse_u64(*len).value_or(0);
  info.etag = unquote(response.header("ETag").value_or(""));
  return std::optional<S3ObjectInfo>(std::move(info));
}

Result<std::string> S3Client::get(std::string_view bucket, std::string_view key) {
  const std::string what = "S3 GET " + display(bucket, key);
  HttpRequest request;
  request.url = object_url(bucket, key);
  HttpResponse response = LPACK_TRY_CTX(send(std::move(request), what), what);
  if (!response.ok()) return status_error(what, response);
  if (auto len = response.header("Content-Length"); len && parse_u64(*len) != response.body.size())
    return Error(ErrorCode::corrupt, what + ": got " + std::to_string(response.body.size()) +
                                         " bytes, Content-Length said " + *len);
  return std::move(response.body);
}

Result<uint64_t> S3Client::get_to_file(std::string_view bucket, std::string_view key,
                                       const fs::path& path) {
  const std::string what = "S3 GET " + display(bucket, key);
  HttpRequest request;
  request.url = object_url(bucket, key);
  request.response_file = path;
  HttpResponse response = LPACK_TRY_CTX(send(std::move(request), what), what);
  if (!response.ok()) return status_error(what, response);
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return io_error(what + ": " + path.string() + ": " + ec.message());
  if (auto len = response.header("Content-Length"); len && parse_u64(*len) != size)
    return Error(ErrorCode::corrupt,
                 what + ": got " + std::to_string(size) + " bytes, Content-Length said " + *len);
  return size;
}

Result<PutResult> S3Client::put(std::string_view bucket, std::string_view key,
                                const RequestBody& body, const S3PutOptions& options) {
  if (body.from_file() && body.size > m_options.multipart_threshold &&
      m_options.part_size >= (5u << 20))
    return put_multipart(bucket, key, body, options);
  const std::string what = "S3 PUT " + display(bucket, key);
  HttpRequest request;
  request.method = "PUT";
  request.url = object_url(bucket, key);
  request.body = body;
  const std::string hash =
      options.sha256_hex.empty() ? LPACK_TRY_CTX(payload_sha256(body), what) : options.sha256_hex;
  request.headers.emplace_back("x-amz-content-sha256", hash);
  if (!options.content_type.empty())
    request.headers.emplace_back("Content-Type", options.content_type);
  if (options.if_none_match) request.headers.emplace_back("If-None-Match", "*");
  HttpResponse response = LPACK_TRY_CTX(send(std::move(request), what), what);
  if (options.if_none_match && (response.status == 412 || response.status == 409))
    return PutResult::already_exists;
  if (!response.ok()) return status_error(what, response);
  return PutResult::created;
}

Result<PutResult> S3Client::put_multipart(std::string_view bucket, std::string_view key,
                                          const RequestBody& body, const S3PutOptions& options) {
  const std::string what = "S3 multipart upload " + display(bucket, key);
  const std::string url = object_url(bucket, key);
  // Create.
  HttpRequest create;
  create.method = "POST";
  create.url = url + "?uploads";
  create.idempotent = true;  // an extra upload id is harmless (aborted or expired by lifecycle)
  if (!options.content_type.empty())
    create.headers.emplace_back("Content-Type", options.content_type);
  HttpResponse created = LPACK_TRY_CTX(send(std::move(create), what), what);
  if (!created.ok()) return status_error(what + " (create)", created);
  auto upload_id = xml::text(created.body, "UploadId");
  if (!upload_id || upload_id->empty())
    return Error(ErrorCode::remote, what + ": no UploadId in the answer");
  const std::string id_query = "uploadId=" + url_encode(*upload_id);

  auto abort_upload = [&] {
    HttpRequest abort;
    abort.method = "DELETE";
    abort.url = url + "?" + id_query;
    (void)send(std::move(abort), what + " (abort)");
  };

  // Parts, `parallel_parts` at a time.
  const uint64_t part_size = m_options.part_size;
  const size_t parts = static_cast<size_t>((body.size + part_size - 1) / part_size);
  std::vector<std::string> etags(parts);
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (;;) {
      {
        std::lock_guard lock(error_mutex);
        if (first_error) return;
      }
      const size_t i = next.fetch_add(1);
      if (i >= parts) return;
      HttpRequest part;
      part.method = "PUT";
      part.url = url + "?partNumber=" + std::to_string(i + 1) + "&" + id_query;
      part.body.file = body.file;
      part.body.offset = body.offset + i * part_size;
      part.body.size = std::min<uint64_t>(part_size, body.size - i * part_size);
      const std::string part_what =
          what + " part " + std::to_string(i + 1) + "/" + std::to_string(parts);
      auto result = send(std::move(part), part_what);
      std::optional<Error> failure;
      if (!result) {
        failure = std::move(result).error().context(part_what);
      } else if (!result->ok()) {
        failure = status_error(part_what, *result);
      } else if (auto etag = result->header("ETag")) {
        etags[i] = *etag;
      } else {
        failure = Error(ErrorCode::remote, part_what + ": no ETag in the answer");
      }
      if (failure) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::move(*failure);
        return;
      }
    }
  };
  const int threads = std::max(1, std::min<int>(m_options.parallel_parts, static_cast<int>(parts)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error) {
    abort_upload();
    return std::move(*first_error);
  }

  // Complete.
  std::string xml_body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < parts; ++i)
    xml_body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] +
                "</ETag></Part>";
  xml_body += "</CompleteMultipartUpload>";
  HttpRequest complete;
  complete.method = "POST";
  complete.url = url + "?" + id_query;
  complete.idempotent = true;
  complete.headers.emplace_back("Content-Type", "application/xml");
  if (options.if_none_match) complete.headers.emplace_back("If-None-Match", "*");
  complete.body.data = std::move(xml_body);
  auto done = send(std::move(complete), what + " (complete)");
  if (!done) {
    abort_upload();
    return std::move(done).error().context(what);
  }
  if (options.if_none_match && (done->status == 412 || done->status == 409)) {
    abort_upload();
    return PutResult::already_exists;
  }
  // CompleteMultipartUpload can fail with 200 and an <Error> body.
  if (!done->ok() || done->body.find("<Error>") != std::string::npos) {
    Error error = status_error(what + " (complete)", *done);
    abort_upload();
    return error;
  }
  return PutResult::created;
}

Result<void> S3Client::remove(std::string_view bucket, std::string_view key) {
  const std::string what = "S3 DELETE " + display(bucket, key);
  HttpRequest request;
  request.method = "DELETE";
  request.url = object_url(bucket, key);
  HttpResponse response = LPACK_TRY_CTX(send(std::move(request), what), what);
  if (!response.ok() && response.status != 404) return status_error(what, response);
  return ok();
}

Result<std::vector<S3ObjectInfo>> S3Client::list(std::string_view bucket, std::string_view prefix) {
  const std::string what = "S3 list " + display(bucket, prefix);
  std::vector<S3ObjectInfo> out;
  std::string token;
  for (int page = 0; page < 100000; ++page) {
    HttpRequest request;
    request.url = object_url(bucket, "") + "?list-type=2&prefix=" + url_encode(prefix);
    if (!token.empty()) request.url += "&continuation-token=" + url_encode(token);
    HttpResponse response = LPACK_TRY_CTX(send(std::move(request), what), what);
    if (!response.ok()) return status_error(what, response);
    for (std::string_view item : xml::elements(response.body, "Contents")) {
      S3ObjectInfo info;
      info.key = xml::text(item, "Key").value_or("");
      info.size = parse_u64(xml::text(item, "Size").value_or("0")).value_or(0);
      info.etag = unquote(xml::text(item, "ETag").value_or(""));
      out.push_back(std::move(info));
    }
    if (xml::text(response.body, "IsTruncated").value_or("false") != "true") return out;
    token = xml::text(response.body, "NextContinuationToken").value_or("");
    if (token.empty())
      return Error(ErrorCode::remote, what + ": a truncated page without NextContinuationToken");
  }
  return Error(ErrorCode::remote, what + ": too many pages");
}

}  // namespace lpack::net
