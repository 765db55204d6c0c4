#include "builder/manifest.hpp"

#include <nlohmann/json.hpp>

#include "base/version.hpp"

namespace lpack::builder {
namespace {

nlohmann::json artifact_json(const ArtifactReport& a) {
  return {{"file", a.file},
          {"sha256", a.sha256},
          {"code_sha256", a.code_sha256},
          {"size", a.size},
          {"unpacked_size", a.unpacked_size},
          {"entries", a.entries},
          {"key", a.key},
          {"cache", a.cache}};
}

}  // namespace

std::string manifest_json(const BuildReport& report, int64_t source_date_epoch) {
  nlohmann::json artifacts = nlohmann::json::object();
  if (report.function) artifacts["function"] = artifact_json(*report.function);
  if (report.layer) artifacts["layer"] = artifact_json(*report.layer);
  nlohmann::json manifest = {
      {"lpack_version", k_version},      {"plugin", report.plugin},
      {"runtime", report.runtime},       {"arch", report.arch},
      {"handler", report.handler},       {"evidence", report.evidence},
      {"compressor", report.compressor}, {"source_date_epoch", source_date_epoch},
      {"artifacts", artifacts},          {"warnings", report.warnings},
  };
  return manifest.dump(2) + "\n";
}

}  // namespace lpack::builder
