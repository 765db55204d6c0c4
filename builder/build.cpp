#include "builder/build.hpp"

#include <algorithm>
#include <set>
#include <system_error>

#include "base/redact.hpp"
#include "builder/checks.hpp"
#include "builder/config/config.hpp"
#include "builder/detect.hpp"
#include "builder/manifest.hpp"
#include "builder/step_key.hpp"
#include "builder/step_runner.hpp"
#include "builder/zip/zip_writer.hpp"
#include "cache/file_hasher.hpp"

namespace lpack::builder {
namespace {

constexpr int64_t k_dos_epoch = 315532800;  // 1980-01-01 00:00:00 UTC

int64_t source_date_epoch(const std::map<std::string, std::string>& env) {
  auto it = env.find("SOURCE_DATE_EPOCH");
  if (it == env.end() || it->second.empty()) return k_dos_epoch;
  const std::string& text = it->second;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      text.size() > 12) {
    return k_dos_epoch;
  }
  return std::max<int64_t>(std::stoll(text), k_dos_epoch);
}

// An artifact written under a temporary name in the output folder, not yet renamed.
struct PendingArtifact {
  AtomicFile file;
  ArtifactReport report;
};

struct Pipeline {
  const BuildOptions& options;
  Services& services;
  fs::path src;
  fs::path out;
  Arch arch;
  int64_t timestamp;
  std::string compressor;
  fs::path toolcache_root;
  const runtimes::Runtime* runtime = nullptr;
  runtimes::Plan plan;

  void progress(std::string_view line) const {
    if (services.progress) services.progress(line);
  }
};

std::vector<ZipInput> to_zip_inputs(const std::vector<TreeEntry>& files, const runtimes::Step& step) {
  std::vector<ZipInput> inputs;
  std::set<std::string> dirs;
  std::set<std::string> executables(step.executables.begin(), step.executables.end());
  for (const auto& f : files) {
    if (f.is_dir) continue;
    std::string name = step.zip_prefix + f.path;
    for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
      dirs.insert(name.substr(0, slash));
    }
    inputs.push_back({name, f.source, false, f.executable || executables.count(name) > 0});
  }
  for (const auto& d : dirs) inputs.push_back({d, {}, true, true});
  return inputs;
}

Result<PendingArtifact> build_step(Pipeline& p, const runtimes::Step& step) {
  const std::string kind(runtimes::step_kind_name(step.kind));
  StepContext context;
  context.plan = &p.plan;
  context.src = p.src;
  context.toolcache = p.toolcache_root / p.plan.plugin;
  context.arch = p.arch;
  context.timestamp = p.timestamp;
  context.host_env = &p.services.environment;
  context.sandbox = p.services.sandbox;
  context.progress = p.services.progress;

  auto inputs = LPACK_TRY(list_inputs(step, p.src));
  auto digests = LPACK_TRY(cache::hash_files(inputs, nullptr, p.options.jobs));
  KeyContext key_context{&p.plan, p.arch, p.timestamp, p.compressor, {}};
  key_context.toolchain = LPACK_TRY(run_identity_probes(step, context));
  auto key = step_key(step, key_context, digests);
  p.progress(kind + ": key " + key.hex().substr(0, 16) + " (" + std::to_string(digests.size()) + " inputs)");

  auto output = LPACK_TRY(run_step(step, inputs, context));
  if (step.kind == runtimes::StepKind::function) {
    LPACK_TRY(p.runtime->check_handler(p.plan, output.files));
  }
  auto zip_inputs = to_zip_inputs(output.files, step);
  std::string file_name = kind + ".zip";
  LPACK_TRY(check_elf_machines(zip_inputs, p.arch, file_name));

  p.progress(kind + ": packing " + std::to_string(zip_inputs.size()) + " entries");
  auto file = LPACK_TRY(AtomicFile::create(p.out / file_name));
  ZipOptions zip_options;
  zip_options.timestamp = p.timestamp;
  zip_options.threads = p.options.jobs;
  auto stats = LPACK_TRY_CTX(write_zip(file.fd(), std::move(zip_inputs), zip_options), file_name);

  ArtifactReport report;
  report.file = file_name;
  report.sha256 = to_hex(stats.sha256);
  report.code_sha256 = to_base64(stats.sha256);
  report.size = stats.size;
  report.unpacked_size = stats.unpacked_size;
  report.entries = stats.entries;
  report.key = key.hex();
  report.cache = p.options.no_cache ? "off" : "miss";
  return PendingArtifact{std::move(file), std::move(report)};
}

runtimes::PlanRequest make_plan_request(const Pipeline& p, const Config& config, const Detected& detected) {
  runtimes::PlanRequest request;
  request.src = p.src;
  request.arch = p.arch;
  request.runtime = detected.lambda_runtime;
  if (request.runtime.empty() && !config.runtime.empty() && config.runtime != detected.runtime->id()) {
    request.runtime = config.runtime;
  }
  request.handler = config.handler;
  request.exclude = config.exclude;
  request.offline = p.options.offline;
  request.environment = p.services.environment;
  request.python.interpreter = config.python_interpreter;
  request.python.requirements_file = config.requirements_file;
  request.python.index_url = config.python_index_url;
  request.python.extra_index_urls = config.python_extra_index_urls;
  request.python.find_links = config.python_find_links;
  request.python.no_index = config.python_no_index;
  request.node.build_script = config.node_build_script;
  request.node.output_dir = config.node_output_dir;
  return request;
}

Result<void> prepare_out_dir(const fs::path& out) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return bad_input("--out " + out.string() + ": cannot create the folder: " + ec.message());
  // Fail before building rather than after: a probe file proves the folder takes writes.
  auto probe = AtomicFile::create(out / ".lpack-write-probe");
  if (!probe) return bad_input("--out " + out.string() + ": folder is not writable: " + probe.error().message());
  return ok();
}

fs::path default_toolcache(const BuildOptions& options, const std::map<std::string, std::string>& env) {
  if (!options.cache_dir.empty()) return options.cache_dir / "tools";
  auto xdg = env.find("XDG_CACHE_HOME");
  if (xdg != env.end() && !xdg->second.empty()) return fs::path(xdg->second) / "lpack" / "tools";
  auto home = env.find("HOME");
  if (home != env.end() && !home->second.empty()) return fs::path(home->second) / ".cache" / "lpack" / "tools";
  return fs::temp_directory_path() / "lpack-tools";
}

}  // namespace

Result<BuildReport> build(const BuildOptions& options, Services& services) {
  std::error_code ec;
  if (!fs::exists(options.src, ec)) {
    return bad_input(options.src.string() + ": no such folder; pass the function's source folder");
  }
  if (!fs::is_directory(options.src, ec)) {
    return bad_input(options.src.string() + ": not a folder; pass the function's source folder");
  }
  auto loaded = load_config(options.src);
  if (!loaded) {
    // Config errors start with the file's name ("lpack.toml:7: ..."); say which folder's.
    Error error = std::move(loaded).error();
    return Error(error.code(), (options.src / error.message()).string());
  }
  Config config = std::move(*loaded);

  Arch arch = Arch::x86_64;
  if (options.arch) {
    arch = *options.arch;
  } else if (!config.architecture.empty()) {
    auto parsed = parse_arch(config.architecture);
    if (!parsed) return bad_input(config.origin + ": unknown architecture \"" + config.architecture + "\"; use x86_64 or arm64");
    arch = *parsed;
  }

  fs::path src = fs::canonical(options.src);
  if (!config.source_path.empty()) {
    src = src / config.source_path;
    if (!fs::is_directory(src, ec)) {
      return bad_input(config.origin + ": [build] source_path \"" + config.source_path + "\" is not a folder");
    }
    src = fs::canonical(src);
  }

  Pipeline p{options, services, src, options.out, arch, source_date_epoch(services.environment),
             compressor_identity(), default_toolcache(options, services.environment)};
  std::string requested = options.runtime.empty() ? config.runtime : options.runtime;
  auto detected = LPACK_TRY(detect_runtime(src, requested));
  p.runtime = detected.runtime;
  p.plan = LPACK_TRY(p.runtime->plan(make_plan_request(p, config, detected)));
  if (p.plan.evidence.empty()) p.plan.evidence = detected.evidence;
  std::string evidence;
  for (const auto& e : p.plan.evidence) evidence += (evidence.empty() ? "" : ", ") + e;
  p.progress("detect: " + p.plan.plugin + " " + p.plan.runtime + " for " + std::string(arch_name(arch)) +
             (evidence.empty() ? "" : " (" + evidence + ")"));

  bool want_layer = p.plan.layer.has_value() && config.layer_auto;
  if (options.layer_only && !p.plan.layer) {
    return bad_input(src.string() + ": no dependencies found, so there is no layer to build");
  }
  LPACK_TRY(prepare_out_dir(p.out));

  BuildReport report;
  report.plugin = p.plan.plugin;
  report.runtime = p.plan.runtime;
  report.arch = std::string(arch_name(arch));
  report.handler = p.plan.handler;
  report.evidence = p.plan.evidence;
  report.compressor = p.compressor;
  report.out_dir = p.out;

  std::optional<PendingArtifact> layer;
  std::optional<PendingArtifact> function;
  if (want_layer || options.layer_only) layer = LPACK_TRY(build_step(p, *p.plan.layer));
  if (!options.layer_only) function = LPACK_TRY(build_step(p, p.plan.function));

  uint64_t layer_unpacked = layer ? layer->report.unpacked_size : 0;
  uint64_t function_unpacked = function ? function->report.unpacked_size : 0;
  uint64_t function_size = function ? function->report.size : 0;
  report.warnings = LPACK_TRY(check_sizes(function_unpacked, layer_unpacked, function_size));
  if (!config.layer_auto && p.plan.layer) {
    report.warnings.push_back(config.origin + ": [build] layer_auto = false, so the dependencies are not packaged; attach your own layer");
  }

  // Every check passed: only now do artifacts appear under their final names.
  if (layer) {
    LPACK_TRY(layer->file.commit());
    report.layer = std::move(layer->report);
  }
  if (function) {
    LPACK_TRY(function->file.commit());
    report.function = std::move(function->report);
  }
  if (!options.layer_only && !report.layer) fs::remove(p.out / "layer.zip", ec);

  report.manifest_json = manifest_json(report, p.timestamp);
  LPACK_TRY(write_file_atomic(p.out / "manifest.json", report.manifest_json));
  return report;
}

}  // namespace lpack::builder
