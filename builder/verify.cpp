// `lpack verify` and `lpack explain`: the two read-only questions a user asks of a build —
// "would a clean rebuild give the same bytes?" and "why did (or will) this step rebuild?".
#include <nlohmann/json.hpp>

#include "base/sha256.hpp"
#include "builder/build.hpp"
#include "builder/pipeline.hpp"
#include "builder/zip/zip_diff.hpp"
#include "cache/stat_cache.hpp"
#include "cache/store.hpp"

namespace lpack::builder {
namespace {

// The SHA-256 the artifact in `out` should have: the file's own, else the manifest's.
std::optional<std::string> expected_sha256(const fs::path& out, const std::string& file,
                                           const std::string& kind, bool& have_file) {
  std::error_code ec;
  have_file = fs::exists(out / file, ec);
  if (have_file) {
    auto digest = sha256_file(out / file);
    if (digest) return to_hex(*digest);
  }
  auto text = read_file(out / "manifest.json");
  if (!text) return std::nullopt;
  auto manifest = nlohmann::json::parse(*text, nullptr, false);
  if (manifest.is_discarded()) return std::nullopt;
  auto artifacts = manifest.find("artifacts");
  if (artifacts == manifest.end() || !artifacts->contains(kind)) return std::nullopt;
  const auto& sha = (*artifacts)[kind]["sha256"];
  if (!sha.is_string()) return std::nullopt;
  return sha.get<std::string>();
}

}  // namespace

Result<VerifyReport> verify(const BuildOptions& options, Services& services) {
  auto scratch = LPACK_TRY(TempDir::create("lpack-verify-"));
  BuildOptions rebuild = options;
  rebuild.out = scratch.path() / "out";
  rebuild.no_cache = true;
  Services fresh = services;
  fresh.store = nullptr;
  auto built = LPACK_TRY(build(rebuild, fresh));

  VerifyReport report;
  bool compared_any = false;
  for (const auto* artifact : {&built.function, &built.layer}) {
    if (!*artifact) continue;
    const std::string& file = (*artifact)->file;
    std::string kind = file.substr(0, file.find('.'));
    bool have_file = false;
    auto expected = expected_sha256(options.out, file, kind, have_file);
    if (!expected) continue;
    compared_any = true;
    report.checked.push_back(file);
    if (*expected == (*artifact)->sha256) continue;
    report.differing.push_back(file);
    if (!have_file) {
      report.differences.push_back(file + ": SHA-256 " + (*artifact)->sha256 +
                                   " differs from the manifest's " + *expected);
      continue;
    }
    auto entries = LPACK_TRY(diff_zips(options.out / file, rebuild.out / file));
    if (entries.empty())
      entries.push_back("zip headers differ (same entries, contents, modes and times)");
    for (const auto& e : entries) report.differences.push_back(file + ": " + e);
  }
  if (!compared_any) {
    return bad_input(options.out.string() +
                     ": no function.zip, layer.zip or manifest.json to verify; run `lpack build` "
                     "first or pass --out");
  }
  return report;
}

Result<std::vector<StepExplanation>> explain(const BuildOptions& options, Services& services) {
  auto p = LPACK_TRY(prepare(options, services));
  std::optional<cache::StatCache> stat_cache;
  if (services.store) {
    auto loaded = cache::StatCache::load(services.store->stat_cache_path());
    if (loaded) stat_cache.emplace(std::move(*loaded));
  }
  std::vector<StepExplanation> out;
  std::vector<const runtimes::Step*> steps;
  if (p.build_layer) steps.push_back(&*p.plan.layer);
  if (!options.layer_only) steps.push_back(&p.plan.function);
  for (const auto* step : steps) {
    auto keyed =
        LPACK_TRY(key_step(p, *step, options, services, stat_cache ? &*stat_cache : nullptr));
    StepExplanation e;
    e.step = std::string(runtimes::step_kind_name(step->kind));
    e.key = keyed.key.hex();
    e.key_text = keyed.key.canonical_text();
    if (services.store) {
      e.cached = services.store->lookup(e.key).has_value();
      auto previous = services.store->last(keyed.slot);
      if (previous) {
        e.has_previous = true;
        e.changes = cache::explain_difference(*previous, e.key_text);
      }
    }
    out.push_back(std::move(e));
  }
  if (stat_cache) (void)stat_cache->save();
  return out;
}

}  // namespace lpack::builder
