#include "builder/detect.hpp"

namespace lpack::builder {

Result<Detected> detect_runtime(const fs::path& src, std::string_view requested) {
  const auto& plugins = runtimes::all_runtimes();
  if (!requested.empty()) {
    const runtimes::Runtime* runtime = runtimes::find_runtime(requested);
    if (!runtime) {
      std::string known;
      for (const auto& p : plugins) {
        for (const auto& id : p->lambda_runtimes()) known += (known.empty() ? "" : ", ") + id;
      }
      return bad_input("unknown runtime \"" + std::string(requested) +
                       "\"; known runtimes: " + known);
    }
    Detected detected{runtime, requested == runtime->id() ? "" : std::string(requested), {}};
    detected.evidence = runtime->detect(src).evidence;
    return detected;
  }

  int best = 0;
  std::vector<std::pair<const runtimes::Runtime*, runtimes::Detection>> claims;
  for (const auto& p : plugins) {
    auto detection = p->detect(src);
    if (!detection.claimed) continue;
    if (detection.strength > best) {
      best = detection.strength;
      claims.clear();
    }
    if (detection.strength == best) claims.emplace_back(p.get(), std::move(detection));
  }
  if (claims.empty()) {
    std::string looked;
    for (const auto& p : plugins) {
      if (p->looks_for().empty()) continue;
      looked += "\n  " + std::string(p->id()) + ": " + std::string(p->looks_for());
    }
    return bad_input(src.string() + ": no runtime detected; looked for:" + looked +
                     "\n  (or set [metadata] runtime in lpack.toml, or pass --runtime)");
  }
  if (claims.size() > 1) {
    std::string names;
    for (const auto& [p, d] : claims) {
      std::string evidence;
      for (const auto& e : d.evidence) evidence += (evidence.empty() ? "" : ", ") + e;
      names += (names.empty() ? "" : " and ") + std::string(p->id()) + " (" + evidence + ")";
    }
    return bad_input(src.string() + ": claimed by " + names + "; pass --runtime to choose");
  }
  return Detected{claims[0].first, "", std::move(claims[0].second.evidence)};
}

}  // namespace lpack::builder
