// lpack_remote_probe: drives net/ and cache/'s remote pieces from the integration tests,
// until the lpack CLI wires the remote cache into builds. Not installed; tests find it
// through $LPACK_REMOTE_PROBE.
//
//   lpack_remote_probe sign                  JSON lines on stdin -> one Authorization per line
//   lpack_remote_probe creds                 resolve the credentials chain; print source and
//                                            masked key id
//   lpack_remote_probe s3 mb|put|get|head|list|rm BUCKET [KEY] [FILE] [--if-none-match]
//   lpack_remote_probe cache put|get [--write] --local DIR --remote URL KEY FILE
//       put: stores FILE as the artifact of action KEY (local, then remote when --write)
//       get: looks KEY up (local, then remote) and copies the artifact to FILE
// Options: --timeout SECONDS (total per request), --attempts N, --endpoint-url URL.
// The environment and HOME are the process's. Output: "ok", "hit local", "hit remote",
// "miss", then "warning: ..." lines and a "counters ..." line; "error (<kind>): <message>"
// and exit 1 on failure; exit 3 for a cache miss.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/redact.hpp"
#include "base/sha256.hpp"
#include "cache/remote_backend.hpp"
#include "cache/tiered_store.hpp"
#include "net/aws_client.hpp"
#include "net/curl_transport.hpp"
#include "net/retry.hpp"
#include "net/s3_client.hpp"
#include "net/sigv4.hpp"

extern char** environ;

namespace lpack {
namespace {

struct Options {
  std::vector<std::string> args;
  bool write = false;
  bool if_none_match = false;
  std::string local, remote, endpoint_url;
  double timeout = 30;
  int attempts = 3;
};

int fail(const Error& error) {
  std::string kind(cache::to_string(cache::remote_failure(error)));
  std::cout << "error (" << kind << "): " << redact(error.message()) << "\n";
  return 1;
}

net::Environment process_env() {
  net::Environment env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    const size_t eq = kv.find('=');
    if (eq != std::string_view::npos)
      env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

int sign(const Options&) {
  std::string line;
  while (std::getline(std::cin, line)) {
    auto j = nlohmann::json::parse(line);
    net::HttpRequest request;
    request.method = j["method"];
    request.url = j["url"];
    for (auto& [k, v] : j["headers"].items()) request.headers.emplace_back(k, v.get<std::string>());
    request.body.data = j.value("body", "");
    net::Credentials creds(j["key"], j["secret"], j.value("token", ""), "test");
    net::SigningOptions options{.region = j["region"],
                                .service = j["service"],
                                .s3_rules = j.value("s3", false),
                                .unsigned_payload = j.value("unsigned", false),
                                .add_content_sha256 = j.value("s3", false)};
    auto details = net::sign_request(
        request, creds, options, std::chrono::system_clock::from_time_t(j["time"].get<int64_t>()));
    if (!details) return fail(details.error());
    std::cout << details->authorization << "\n";
  }
  return 0;
}

struct World {
  std::unique_ptr<net::Transport> curl;
  std::unique_ptr<net::RetryingTransport> retry;
  net::AwsContext aws;
};

World make_world(const Options& o) {
  World w;
  w.curl = net::make_curl_transport(
      {.connect_timeout_seconds = std::min(o.timeout, 10.0),
       .timeout_seconds = o.timeout,
       .low_speed_bytes = 1024,
       .low_speed_seconds = static_cast<long>(std::max(1.0, std::min(o.timeout, 30.0)))});
  w.retry = std::make_unique<net::RetryingTransport>(
      *w.curl,
      net::RetryPolicy{.max_attempts = o.attempts,
                       .base_delay = std::chrono::milliseconds(100),
                       .max_delay = std::chrono::milliseconds(2000),
                       .max_total = std::chrono::seconds(60)},
      net::system_clock(), net::system_random());
  w.aws.env = process_env();
  w.aws.home = net::env_value(w.aws.env, "HOME").value_or("");
  w.aws.transport = w.retry.get();
  w.aws.clock = &net::system_clock();
  return w;
}

int creds(const Options& o) {
  World w = make_world(o);
  auto provider = net::make_default_credentials_provider(w.aws);
  auto c = provider->credentials();
  if (!c) return fail(c.error());
  std::cout << "source " << c->source() << "\nkey " << c->masked_key_id() << "\n";
  return 0;
}

int s3(const Options& o) {
  if (o.args.size() < 3) {
    std::cerr << "usage: s3 mb|put|get|head|list|rm BUCKET [KEY] [FILE]\n";
    return 2;
  }
  World w = make_world(o);
  auto endpoint = net::resolve_aws_endpoint(w.aws, "s3", o.endpoint_url);
  if (!endpoint) return fail(endpoint.error());
  auto provider = net::make_default_credentials_provider(w.aws);
  net::AwsClient aws(*w.aws.transport, *provider, *w.aws.clock, *endpoint);
  net::S3Client client(aws,
                       net::S3Options{.multipart_threshold = 8ull << 20, .part_size = 5ull << 20});
  const std::string& op = o.args[1];
  const std::string& bucket = o.args[2];
  const std::string key = o.args.size() > 3 ? o.args[3] : "";
  const std::string file = o.args.size() > 4 ? o.args[4] : "";
  if (op == "mb") {
    net::HttpRequest request;
    request.method = "PUT";
    request.url = client.object_url(bucket, "");
    auto r = aws.send(request, {.s3_rules = true, .add_content_sha256 = true}, "S3 CreateBucket");
    if (!r) return fail(r.error());
    if (!r->ok()) return fail(net::status_error("S3 CreateBucket " + bucket, *r));
  } else if (op == "put") {
    net::RequestBody body;
    body.file = file;
    std::error_code ec;
    body.size = fs::file_size(file, ec);
    auto r = client.put(bucket, key, body, {.if_none_match = o.if_none_match});
    if (!r) return fail(r.error());
    std::cout << (*r == net::PutResult::created ? "created" : "exists") << "\n";
  } else if (op == "get") {
    auto r = client.get_to_file(bucket, key, file);
    if (!r) return fail(r.error());
    std::cout << "bytes " << *r << "\n";
  } else if (op == "head") {
    auto r = client.head(bucket, key);
    if (!r) return fail(r.error());
    if (!r->has_value()) {
      std::cout << "absent\n";
      return 3;
    }
    std::cout << "size " << (*r)->size << "\n";
  } else if (op == "list") {
    auto r = client.list(bucket, key);
    if (!r) return fail(r.error());
    for (const auto& info : *r) std::cout << info.key << " " << info.size << "\n";
  } else if (op == "rm") {
    auto r = client.remove(bucket, key);
    if (!r) return fail(r.error());
  } else {
    std::cerr << "unknown s3 operation " << op << "\n";
    return 2;
  }
  std::cout << "ok\n";
  return 0;
}

void report(cache::TieredStore& store) {
  for (const auto& w : store.take_warnings()) std::cout << "warning: " << w << "\n";
  for (const auto& w : store.local().take_warnings()) std::cout << "warning: " << w << "\n";
  const auto c = store.counters();
  std::cout << "counters hits=" << c.hits << " misses=" << c.misses << " errors=" << c.errors
            << " corrupt=" << c.corrupt << " uploads=" << c.uploads
            << " dropped=" << c.uploads_dropped << " down=" << c.bytes_down << " up=" << c.bytes_up
            << " enabled=" << store.remote_enabled() << "\n";
}

int cache_command(const Options& o) {
  if (o.args.size() != 4 || o.local.empty() || o.remote.empty()) {
    std::cerr << "usage: cache put|get [--write] --local DIR --remote URL KEY FILE\n";
    return 2;
  }
  World w = make_world(o);
  auto local = cache::LocalStore::open(o.local);
  if (!local) return fail(local.error());
  auto backend =
      cache::open_remote_backend(o.remote, {.aws = w.aws, .endpoint_url = o.endpoint_url});
  if (!backend) return fail(backend.error());
  cache::TieredStore store(**local, std::move(*backend), {.write = o.write}, *w.aws.clock);
  const std::string& key = o.args[2];
  const fs::path file = o.args[3];
  int rc = 0;
  if (o.args[1] == "put") {
    auto digest = sha256_file(file);
    if (!digest) return fail(digest.error());
    std::error_code ec;
    cache::OutputRecord record;
    record.blob_sha256 = to_hex(*digest);
    record.blob_xxh3 = std::string(32, '0');
    record.size = fs::file_size(file, ec);
    record.compressor = "probe";
    record.key_text = "probe key text for " + key;
    auto stored = store.store(key, record, file);
    if (!stored) return fail(stored.error());
    store.flush();
    std::cout << "ok\n";
  } else if (o.args[1] == "get") {
    auto hit = store.lookup(key);
    if (!hit) {
      std::cout << "miss\n";
      rc = 3;
    } else {
      auto fetched = store.local().fetch_blob(hit->record.blob_sha256, file);
      if (!fetched) return fail(fetched.error());
      std::cout << (hit->source == cache::TieredStore::Source::remote ? "hit remote" : "hit local")
                << "\n";
    }
  } else {
    std::cerr << "unknown cache operation\n";
    return 2;
  }
  report(store);
  return rc;
}

}  // namespace
}  // namespace lpack

int main(int argc, char** argv) {
  using namespace lpack;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--write")
      o.write = true;
    else if (a == "--if-none-match")
      o.if_none_match = true;
    else if (a == "--local")
      o.local = next();
    else if (a == "--remote")
      o.remote = next();
    else if (a == "--endpoint-url")
      o.endpoint_url = next();
    else if (a == "--timeout")
      o.timeout = std::atof(next().c_str());
    else if (a == "--attempts")
      o.attempts = std::atoi(next().c_str());
    else
      o.args.push_back(a);
  }
  if (o.args.empty()) {
    std::cerr << "usage: lpack_remote_probe sign|creds|s3|cache ...\n";
    return 2;
  }
  if (o.args[0] == "sign") return sign(o);
  if (o.args[0] == "creds") return creds(o);
  if (o.args[0] == "s3") return s3(o);
  if (o.args[0] == "cache") return cache_command(o);
  std::cerr << "unknown command " << o.args[0] << "\n";
  return 2;
}
