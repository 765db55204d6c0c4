#include "cache/tiered_store.hpp"

#include "base/redact.hpp"
#include "base/sha256.hpp"
#include "cache/remote_record.hpp"

namespace lpack::cache {

TieredStore::TieredStore(LocalStore& local, std::unique_ptr<RemoteBackend> remote,
                         TieredOptions options, net::Clock& clock)
    : m_local(local), m_remote(std::move(remote)), m_options(options), m_clock(clock) {
  if (m_options.queue_capacity == 0) m_options.queue_capacity = 1;
}

TieredStore::~TieredStore() {
  flush();
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool TieredStore::remote_enabled() const {
  std::lock_guard lock(m_mutex);
  return m_remote && m_enabled;
}

std::string TieredStore::remote_description() const {
  return m_remote ? strip_url_credentials(m_remote->describe()) : std::string();
}

std::optional<Error> TieredStore::first_failure() const {
  std::lock_guard lock(m_mutex);
  return m_first_failure;
}

RemoteCounters TieredStore::counters() const {
  std::lock_guard lock(m_mutex);
  return m_counters;
}

std::vector<std::string> TieredStore::take_warnings() {
  std::lock_guard lock(m_mutex);
  return std::exchange(m_warnings, {});
}

void TieredStore::warn(std::string message) {
  std::lock_guard lock(m_mutex);
  m_warnings.push_back(redact(message));
}

void TieredStore::add_time(std::chrono::steady_clock::time_point start) {
  const auto spent =
      std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.steady_now() - start);
  std::lock_guard lock(m_mutex);
  m_counters.time += spent;
}

void TieredStore::failed(const Error& error, std::string_view doing) {
  const RemoteFailure kind = remote_failure(error);
  if (kind == RemoteFailure::not_found) return;
  std::lock_guard lock(m_mutex);
  if (!m_first_failure) m_first_failure = Error(error.code(), redact(error.message()));
  ++m_counters.errors;
  if (kind == RemoteFailure::corrupt) {
    ++m_counters.corrupt;
    m_warnings.push_back(redact("remote cache " + remote_description() + ": " + std::string(doing) +
                                ": " + error.message() + "; treated as a miss"));
    return;
  }
  if (!m_enabled) return;
  m_enabled = false;
  m_warnings.push_back(redact("remote cache " + remote_description() +
                              " switched off for this run (" + std::string(to_string(kind)) +
                              "): " + error.message()));
  m_counters.uploads_dropped += m_queue.size();
  m_queue.clear();
  m_changed.notify_all();
}

std::optional<TieredStore::Hit> TieredStore::lookup(std::string_view key) {
  if (auto record = m_local.lookup(key)) return Hit{std::move(*record), Source::local};
  if (!remote_enabled()) return std::nullopt;
  const auto start = m_clock.steady_now();
  auto hit = lookup_remote(key);
  add_time(start);
  std::lock_guard lock(m_mutex);
  if (hit) {
    ++m_counters.hits;
  } else {
    ++m_counters.misses;
  }
  return hit;
}

std::optional<TieredStore::Hit> TieredStore::lookup_remote(std::string_view key) {
  const std::string what = "entry " + std::string(key);
  auto ac = m_remote->get_record(key);
  if (!ac) {
    failed(ac.error(), "reading " + what);
    return std::nullopt;
  }
  auto refs = decode_remote_refs(*ac);
  if (!refs) {
    failed(refs.error(), what);
    return std::nullopt;
  }
  auto text = m_remote->get_blob_bytes(refs->record_sha256, k_max_record_text);
  if (!text) {
    failed(text.error(), what + " (record text)");
    return std::nullopt;
  }
  auto record = decode_remote_record(key, *refs, *text);
  if (!record) {
    failed(record.error(), what);
    return std::nullopt;
  }

  auto scratch = TempDir::create("remote-", m_local.root() / "tmp");
  if (!scratch) {
    warn("remote cache: " + scratch.error().message());
    return std::nullopt;
  }
  const fs::path file = scratch->path() / "blob";
  auto size = m_remote->get_blob(record->blob_sha256, file);
  if (!size) {
    failed(size.error(), what + " (artifact)");
    return std::nullopt;
  }
  {
    std::lock_guard lock(m_mutex);
    m_counters.bytes_down += *size + text->size() + ac->size();
  }
  auto digest = sha256_file(file);
  if (!digest) {
    warn("remote cache: " + digest.error().message());
    return std::nullopt;
  }
  if (*size != record->size || to_hex(*digest) != record->blob_sha256) {
    failed(Error(ErrorCode::corrupt, "the artifact's bytes do not match " + record->blob_sha256 +
                                         " (" + std::to_string(*size) + " bytes, expected " +
                                         std::to_string(record->size) + ")"),
           what);
    return std::nullopt;
  }
  if (auto stored = m_local.store(key, *record, file); !stored) {
    warn("remote cache: a verified remote entry could not be stored locally: " +
         stored.error().message());
    return std::nullopt;
  }
  return Hit{std::move(*record), Source::remote};
}

Result<void> TieredStore::store(std::string_view key, const OutputRecord& record,
                                const fs::path& blob_file) {
  LPACK_TRY(m_local.store(key, record, blob_file));
  if (!m_remote || !m_options.write) return ok();
  std::unique_lock lock(m_mutex);
  if (!m_enabled) return ok();
  m_changed.wait(lock, [&] { return m_queue.size() < m_options.queue_capacity || !m_enabled; });
  if (!m_enabled) return ok();
  m_queue.push_back({std::string(key), record});
  if (!m_thread.joinable()) m_thread = std::thread([this] { uploader(); });
  m_changed.notify_all();
  return ok();
}

void TieredStore::flush() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_queue.empty() && m_in_flight == 0; });
}

void TieredStore::uploader() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_changed.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
    if (m_queue.empty()) return;  // stopping
    Upload item = std::move(m_queue.front());
    m_queue.pop_front();
    ++m_in_flight;
    m_changed.notify_all();  // room in the queue
    const bool enabled = m_enabled;
    lock.unlock();
    if (enabled) {
      const auto start = m_clock.steady_now();
      auto done = upload(item);
      add_time(start);
      if (!done) failed(done.error(), "uploading entry " + item.key);
    }
    lock.lock();
    if (!enabled) ++m_counters.uploads_dropped;
    --m_in_flight;
    m_changed.notify_all();
  }
}

Result<void> TieredStore::upload(const Upload& item) {
  const RemoteEntry entry = encode_remote_record(item.key, item.record);
  uint64_t bytes = 0;
  if (!LPACK_TRY(m_remote->has_blob(item.record.blob_sha256))) {
    // A verified copy of the blob, so the bytes sent are the bytes named (and gc cannot
    // remove the file under the upload).
    TempDir scratch = LPACK_TRY(TempDir::create("upload-", m_local.root() / "tmp"));
    const fs::path file = scratch.path() / "blob";
    LPACK_TRY(m_local.fetch_blob(item.record.blob_sha256, file));
    LPACK_TRY(m_remote->put_blob(item.record.blob_sha256, file, item.record.size));
    bytes += item.record.size;
  }
  LPACK_TRY(m_remote->put_blob_bytes(entry.record_sha256, entry.record_text));
  LPACK_TRY(m_remote->put_record(item.key, entry.action_result));
  bytes += entry.record_text.size() + entry.action_result.size();
  std::lock_guard lock(m_mutex);
  ++m_counters.uploads;
  m_counters.bytes_up += bytes;
  return ok();
}

}  // namespace lpack::cache
