// Local first, then remote: the cache the builder talks to when a remote cache is set.
//
// lookup(key):
//   1. the LocalStore's record: a local hit.
//   2. otherwise, while the remote is on: ac/<key>, then the record text and the artifact from
//      cas/ (remote_record.hpp). Every byte is verified before use: the record as described
//      there, and the artifact's SHA-256 and size against the record. A verified artifact is
//      stored in the LocalStore (which hashes it again as it copies) and reported as a remote
//      hit; from then on the entry is local. Bytes that do not verify are a miss, a warning
//      and a `corrupt` count, never an artifact; the remote stays on (one bad entry is not a
//      broken remote).
// store(key, record, blob): the LocalStore's store(), then, when writes are on, an upload is
//   queued: artifact blob (skipped when the remote has it), record text, then the action
//   result, so a record never points at a missing blob. The queue is bounded
//   (`queue_capacity` entries; store() waits for room) and drained by one background thread;
//   flush() waits until it is empty. Call flush() before the process exits.
// Failure policy: an error of kind timeout, unauthorized or other (remote_backend.hpp) on
//   any remote operation switches the remote off for the rest of the run, with ONE warning
//   naming the remote and the cause; queued uploads are then dropped. not_found is a miss.
//   first_failure() keeps the first failure (corrupt included) for --remote-cache-required.
// Counters: hits, misses, errors (failures that switched the remote off or were corrupt),
//   corrupt, uploads, bytes down and up, and the time spent waiting on the remote.
//
// Thread-safety: lookup() and store() may be called from several threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cache/remote_backend.hpp"
#include "cache/store.hpp"
#include "net/clock.hpp"

namespace lpack::cache {

struct TieredOptions {
  bool write = false;         // upload on store() (--remote-cache-write)
  size_t queue_capacity = 8;  // uploads waiting at most
};

struct RemoteCounters {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t errors = 0;
  uint64_t corrupt = 0;
  uint64_t uploads = 0;          // entries (record + blobs) written
  uint64_t uploads_dropped = 0;  // queued uploads not made because the remote went off
  uint64_t bytes_down = 0;
  uint64_t bytes_up = 0;
  std::chrono::milliseconds time{0};  // spent in remote calls, summed over threads
};

class TieredStore {
 public:
  // `local` and `clock` must outlive the store; `remote` may be null (local only).
  TieredStore(LocalStore& local, std::unique_ptr<RemoteBackend> remote, TieredOptions options,
              net::Clock& clock);
  // Drains the upload queue (as flush()) and stops the uploader.
  ~TieredStore();
  TieredStore(const TieredStore&) = delete;
  TieredStore& operator=(const TieredStore&) = delete;

  enum class Source { local, remote };
  struct Hit {
    OutputRecord record;
    Source source = Source::local;
  };
  // A verified record whose blob is in the LocalStore, or nullopt (a miss). Counts remote
  // hits and misses (local ones are the LocalStore's count_hit()/count_miss(), as before).
  std::optional<Hit> lookup(std::string_view key);

  // Stores locally (errors are the LocalStore's) and queues the upload when writes are on
  // and the remote is on. Upload failures never fail store(): they switch the remote off.
  Result<void> store(std::string_view key, const OutputRecord& record, const fs::path& blob_file);

  // Waits until every queued upload is done or dropped.
  void flush();

  LocalStore& local() { return m_local; }
  bool has_remote() const { return m_remote != nullptr; }
  bool remote_enabled() const;
  // "s3://bucket/prefix" or the URL without credentials; empty without a remote.
  std::string remote_description() const;
  std::optional<Error> first_failure() const;
  RemoteCounters counters() const;
  // Warnings gathered since the last call, one line each (no secrets).
  std::vector<std::string> take_warnings();

 private:
  struct Upload {
    std::string key;
    OutputRecord record;
  };
  std::optional<Hit> lookup_remote(std::string_view key);
  Result<void> upload(const Upload& item);
  // Records a failed remote operation: corrupt is counted and warned about; not_found is
  // nothing; the rest switch the remote off (once).
  void failed(const Error& error, std::string_view doing);
  void warn(std::string message);
  void add_time(std::chrono::steady_clock::time_point start);
  void uploader();

  LocalStore& m_local;
  std::unique_ptr<RemoteBackend> m_remote;
  TieredOptions m_options;
  net::Clock& m_clock;

  mutable std::mutex m_mutex;  // everything below
  bool m_enabled = true;
  std::optional<Error> m_first_failure;
  RemoteCounters m_counters;
  std::vector<std::string> m_warnings;
  std::deque<Upload> m_queue;
  size_t m_in_flight = 0;
  bool m_stopping = false;
  std::condition_variable m_changed;
  std::thread m_thread;
};

}  // namespace lpack::cache
