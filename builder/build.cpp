#include "builder/build.hpp"

#include <chrono>
#include <set>
#include <system_error>

#include "builder/checks.hpp"
#include "builder/manifest.hpp"
#include "builder/pipeline.hpp"
#include "builder/zip/zip_writer.hpp"
#include "cache/stat_cache.hpp"
#include "cache/store.hpp"

namespace lpack::builder {
namespace {

// An artifact under a temporary name in the output folder, renamed only when every check of
// the whole build has passed. No file when --out already holds exactly these bytes.
struct PendingArtifact {
  std::optional<AtomicFile> file;
  ArtifactReport report;
};

// Whether `path` already holds the artifact `record` describes (a warm no-op build then
// rewrites nothing). By the zip's XXH3-128 rather than its SHA-256: through the stat cache
// an unchanged file in --out is not even read, and hashing one that changed costs a
// fraction of SHA-256 (12 ms for a 12 MB zip, most of a no-op build).
bool already_in_place(const fs::path& path, const cache::OutputRecord& record,
                      cache::StatCache* stat_cache) {
  auto stat = stat_entry(path);
  if (!stat || stat->size != record.size) return false;
  auto digests = cache::hash_files({*stat}, stat_cache, 1);
  return digests && cache::to_hex(digests->front().hash) == record.blob_xxh3;
}

std::vector<ZipInput> to_zip_inputs(const std::vector<TreeEntry>& files,
                                    const runtimes::Step& step) {
  std::vector<ZipInput> inputs;
  std::set<std::string> dirs;
  std::set<std::string> executables(step.executables.begin(), step.executables.end());
  for (const auto& f : files) {
    if (f.is_dir) continue;
    std::string name = step.zip_prefix + f.path;
    for (size_t slash = name.find('/'); slash != std::string::npos;
         slash = name.find('/', slash + 1)) {
      dirs.insert(name.substr(0, slash));
    }
    inputs.push_back({name, f.source, false, f.executable || executables.count(name) > 0});
  }
  for (const auto& d : dirs) inputs.push_back({d, {}, true, true});
  return inputs;
}

ArtifactReport report_for(std::string file_name, const std::string& key,
                          const cache::OutputRecord& r, std::string cache_state) {
  ArtifactReport report;
  report.file = std::move(file_name);
  report.sha256 = r.blob_sha256;
  Sha256Digest digest{};
  for (size_t i = 0; i < digest.size() && 2 * i + 1 < r.blob_sha256.size(); ++i) {
    digest[i] = static_cast<uint8_t>(std::stoi(r.blob_sha256.substr(2 * i, 2), nullptr, 16));
  }
  report.code_sha256 = to_base64(digest);
  report.size = r.size;
  report.unpacked_size = r.unpacked_size;
  report.entries = r.entries;
  report.key = key;
  report.cache = std::move(cache_state);
  return report;
}

// Serves the step from the cache when it can; a damaged entry is reported and rebuilt.
bool try_cache(cache::LocalStore& store, const KeyedStep& keyed, PendingArtifact& pending,
               const fs::path& out_path, const std::string& file_name, cache::StatCache* stat_cache,
               std::vector<std::string>& warnings) {
  std::string key = keyed.key.hex();
  auto record = store.lookup(key);
  if (record && already_in_place(out_path, *record, stat_cache)) {
    store.count_hit();
    pending.report = report_for(file_name, key, *record, "hit");
    return true;
  }
  if (record) {
    auto file = AtomicFile::create(out_path);
    if (!file) return false;
    pending.file.emplace(std::move(*file));
    auto fetched = store.fetch_blob(record->blob_sha256, pending.file->temp_path());
    if (fetched) {
      store.count_hit();
      pending.report = report_for(file_name, key, *record, "hit");
      return true;
    }
    warnings.push_back("cache: " + file_name + ": " + fetched.error().message() + "; rebuilt it");
  }
  store.count_miss();
  return false;
}

Result<PendingArtifact> produce(const Prepared& p, const KeyedStep& keyed,
                                const BuildOptions& options, Services& services,
                                cache::StatCache* stat_cache, std::vector<std::string>& warnings) {
  const runtimes::Step& step = *keyed.step;
  const std::string kind(runtimes::step_kind_name(step.kind));
  const std::string file_name = kind + ".zip";
  auto progress = [&](const std::string& line) {
    if (services.progress) services.progress(line);
  };
  PendingArtifact pending;
  if (services.store && try_cache(*services.store, keyed, pending, options.out / file_name,
                                  file_name, stat_cache, warnings)) {
    progress(kind + ": cache hit " + keyed.key.hex().substr(0, 16));
    return pending;
  }
  progress(kind + ": building (key " + keyed.key.hex().substr(0, 16) + ")");
  pending.file.emplace(LPACK_TRY(AtomicFile::create(options.out / file_name)));

  auto output = LPACK_TRY(run_step(step, keyed.inputs, step_context(p, services)));
  if (step.kind == runtimes::StepKind::function)
    LPACK_TRY(p.runtime->check_handler(p.plan, output.files));
  auto zip_inputs = to_zip_inputs(output.files, step);
  LPACK_TRY(check_elf_machines(zip_inputs, p.arch, file_name));

  progress(kind + ": packing " + std::to_string(zip_inputs.size()) + " entries");
  ZipOptions zip_options;
  zip_options.timestamp = p.timestamp;
  zip_options.threads = options.jobs;
  zip_options.precompressed = &output.precompressed;
  auto stats =
      LPACK_TRY_CTX(write_zip(pending.file->fd(), std::move(zip_inputs), zip_options), file_name);

  cache::OutputRecord record{to_hex(stats.sha256),
                             cache::to_hex(stats.xxh3),
                             stats.size,
                             stats.unpacked_size,
                             stats.entries,
                             p.compressor,
                             keyed.key.canonical_text()};
  pending.report = report_for(file_name, keyed.key.hex(), record, services.store ? "miss" : "off");
  if (services.store) {
    auto stored = services.store->store(keyed.key.hex(), record, pending.file->temp_path());
    // The cache only ever makes builds faster: failing to fill it is not a failed build.
    if (!stored)
      warnings.push_back("cache: could not store " + file_name + ": " + stored.error().message());
  }
  return pending;
}

// Removes temporaries that killed builds left in --out: ".function.zip.tmp.XXXXXX" and the
// like, older than an hour so that a build running concurrently in the same folder keeps its own.
void sweep_stale_temporaries(const fs::path& out) {
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] != '.' || name.find(".tmp.") == std::string::npos) continue;
    bool ours = name.rfind(".function.zip.", 0) == 0 || name.rfind(".layer.zip.", 0) == 0 ||
                name.rfind(".manifest.json.", 0) == 0 || name.rfind("..lpack-write-probe.", 0) == 0;
    if (!ours) continue;
    auto modified = entry.last_write_time(ec);
    if (!ec && now - modified > std::chrono::hours(1)) fs::remove(entry.path(), ec);
  }
}

}  // namespace

Result<BuildReport> build(const BuildOptions& options, Services& services) {
  auto p = LPACK_TRY(prepare(options, services));
  std::string evidence;
  for (const auto& e : p.plan.evidence) evidence += (evidence.empty() ? "" : ", ") + e;
  if (services.progress) {
    services.progress("detect: " + p.plan.plugin + " " + p.plan.runtime + " for " +
                      std::string(arch_name(p.arch)) +
                      (evidence.empty() ? "" : " (" + evidence + ")"));
  }
  if (options.layer_only && !p.plan.layer) {
    return bad_input(options.src.string() +
                     ": no dependencies found, so there is no layer to build");
  }

  std::error_code ec;
  fs::create_directories(options.out, ec);
  if (ec)
    return bad_input("--out " + options.out.string() +
                     ": cannot create the folder: " + ec.message());
  {
    // Fail before building rather than after: a probe file proves the folder takes writes.
    auto probe = AtomicFile::create(options.out / ".lpack-write-probe");
    if (!probe)
      return bad_input("--out " + options.out.string() +
                       ": folder is not writable: " + probe.error().message());
  }
  sweep_stale_temporaries(options.out);

  BuildReport report;
  report.plugin = p.plan.plugin;
  report.runtime = p.plan.runtime;
  report.arch = std::string(arch_name(p.arch));
  report.handler = p.plan.handler;
  report.evidence = p.plan.evidence;
  report.compressor = p.compressor;
  report.out_dir = options.out;

  std::optional<cache::StatCache> stat_cache;
  if (services.store) {
    auto loaded = cache::StatCache::load(services.store->stat_cache_path());
    if (loaded) stat_cache.emplace(std::move(*loaded));
  }
  cache::StatCache* stats = stat_cache ? &*stat_cache : nullptr;

  std::vector<KeyedStep> keyed;
  if (p.build_layer || options.layer_only)
    keyed.push_back(LPACK_TRY(key_step(p, *p.plan.layer, options, services, stats)));
  if (!options.layer_only)
    keyed.push_back(LPACK_TRY(key_step(p, p.plan.function, options, services, stats)));

  std::optional<PendingArtifact> layer;
  std::optional<PendingArtifact> function;
  for (const auto& k : keyed) {
    auto artifact = LPACK_TRY(produce(p, k, options, services, stats, report.warnings));
    (k.step->kind == runtimes::StepKind::layer ? layer : function) = std::move(artifact);
  }

  uint64_t layer_unpacked = layer ? layer->report.unpacked_size : 0;
  uint64_t function_unpacked = function ? function->report.unpacked_size : 0;
  auto size_warnings = LPACK_TRY(
      check_sizes(function_unpacked, layer_unpacked, function ? function->report.size : 0));
  report.warnings.insert(report.warnings.end(), size_warnings.begin(), size_warnings.end());
  if (!p.config.layer_auto && p.plan.layer) {
    report.warnings.push_back(p.config.origin +
                              ": [build] layer_auto = false, so the dependencies are not packaged; "
                              "attach your own layer");
  }

  // Every check passed: only now do artifacts appear under their final names.
  if (layer) {
    if (layer->file) LPACK_TRY(layer->file->commit());
    report.layer = std::move(layer->report);
  }
  if (function) {
    if (function->file) LPACK_TRY(function->file->commit());
    report.function = std::move(function->report);
  }
  if (!options.layer_only && !report.layer) fs::remove(options.out / "layer.zip", ec);

  if (services.store) {
    for (const auto& k : keyed) {
      std::string text = k.key.canonical_text();
      if (services.store->last(k.slot) != text) (void)services.store->remember_last(k.slot, text);
    }
    auto store_warnings = services.store->take_warnings();
    report.warnings.insert(report.warnings.end(), store_warnings.begin(), store_warnings.end());
  }
  if (stat_cache) {
    // A stat cache that cannot be saved costs the next build some hashing, nothing more.
    (void)stat_cache->save();
    for (const auto& w : stat_cache->warnings()) report.warnings.push_back("cache: " + w);
  }

  report.manifest_json = manifest_json(report, p.timestamp);
  auto existing = read_file(options.out / "manifest.json");
  if (!existing || *existing != report.manifest_json) {
    LPACK_TRY(write_file_atomic(options.out / "manifest.json", report.manifest_json));
  }
  return report;
}

}  // namespace lpack::builder
