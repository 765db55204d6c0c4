#include "builder/pipeline.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "base/sha256.hpp"
#include "builder/detect.hpp"
#include "builder/probe_cache.hpp"
#include "builder/step_key.hpp"
#include "builder/zip/zip_writer.hpp"
#include "cache/stat_cache.hpp"
#include "cache/store.hpp"

namespace lpack::builder {
namespace {

constexpr int64_t k_dos_epoch = 315532800;  // 1980-01-01 00:00:00 UTC

int64_t source_date_epoch(const std::map<std::string, std::string>& env) {
  auto it = env.find("SOURCE_DATE_EPOCH");
  if (it == env.end() || it->second.empty() || it->second.size() > 12) return k_dos_epoch;
  const std::string& text = it->second;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return k_dos_epoch;
  return std::max<int64_t>(std::stoll(text), k_dos_epoch);
}

runtimes::PlanRequest make_plan_request(const Prepared& p, const BuildOptions& options,
                                        const Services& services, std::string_view lambda_runtime) {
  const Config& config = p.config;
  runtimes::PlanRequest request;
  request.src = p.src;
  request.arch = p.arch;
  request.runtime = std::string(lambda_runtime);
  request.handler = config.handler;
  request.exclude = config.exclude;
  request.offline = options.offline;
  request.environment = services.environment;
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

// $TMPDIR/lpack-tools-<uid>, created 0700. Per user, and checked to be ours and closed to
// others: a shared /tmp must not be a place where another user plants tool caches or probe
// memos for our builds to read.
Result<fs::path> private_scratch_folder() {
  fs::path dir = fs::temp_directory_path() / ("lpack-tools-" + std::to_string(::getuid()));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errno_error(dir.string(), errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return errno_error(dir.string(), errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 0022) != 0) {
    return bad_input(dir.string() +
                     ": not a private folder of yours (a link, another owner, or writable by "
                     "others); remove it, or set TMPDIR to a folder of your own");
  }
  return dir;
}

}  // namespace

Result<Prepared> prepare(const BuildOptions& options, const Services& services) {
  std::error_code ec;
  if (!fs::exists(options.src, ec)) {
    return bad_input(options.src.string() + ": no such folder; pass the function's source folder");
  }
  if (!fs::is_directory(options.src, ec)) {
    return bad_input(options.src.string() + ": not a folder; pass the function's source folder");
  }
  Prepared p;
  auto loaded = load_config(options.src);
  if (!loaded) {
    // Config errors start with the file's name ("lpack.toml:7: ..."); say which folder's.
    Error error = std::move(loaded).error();
    const std::string& message = error.message();
    if (message.rfind("lpack.toml", 0) == 0 || message.rfind("function.json", 0) == 0) {
      return Error(error.code(), (options.src / message).string());
    }
    return error;
  }
  p.config = std::move(*loaded);

  if (options.arch) {
    p.arch = *options.arch;
  } else if (!p.config.architecture.empty()) {
    auto parsed = parse_arch(p.config.architecture);
    if (!parsed) {
      return bad_input((options.src / p.config.origin).string() + ": unknown architecture \"" +
                       p.config.architecture + "\"; use x86_64 or arm64");
    }
    p.arch = *parsed;
  }

  p.src = fs::canonical(options.src, ec);
  if (!p.config.source_path.empty()) {
    fs::path code = p.src / p.config.source_path;
    if (!fs::is_directory(code, ec)) {
      return bad_input((options.src / p.config.origin).string() + ": [build] source_path \"" +
                       p.config.source_path + "\" is not a folder");
    }
    p.src = fs::canonical(code, ec);
  }
  p.timestamp = source_date_epoch(services.environment);
  p.compressor = compressor_identity();
  if (!options.no_cache) {
    // Absolute: tools run in other folders (Go rejects a relative GOPATH).
    p.cache_root = options.cache_dir.empty() ? cache::default_cache_dir(services.environment)
                                             : fs::absolute(options.cache_dir, ec);
    p.tools_root = p.cache_root / "tools";
  } else {
    p.tools_root = LPACK_TRY(private_scratch_folder());
  }

  std::string requested = options.runtime.empty() ? p.config.runtime : options.runtime;
  auto detected = LPACK_TRY(detect_runtime(p.src, requested));
  p.runtime = detected.runtime;
  p.plan =
      LPACK_TRY(p.runtime->plan(make_plan_request(p, options, services, detected.lambda_runtime)));
  if (p.plan.evidence.empty()) p.plan.evidence = detected.evidence;
  p.build_layer = p.plan.layer.has_value() && p.config.layer_auto;
  return p;
}

StepContext step_context(const Prepared& p, const Services& services) {
  StepContext context;
  context.plan = &p.plan;
  context.src = p.src;
  context.toolcache = p.tools_root / p.plan.plugin;
  context.arch = p.arch;
  context.timestamp = p.timestamp;
  context.host_env = &services.environment;
  context.sandbox = services.sandbox;
  context.progress = services.progress;
  return context;
}

Result<KeyedStep> key_step(const Prepared& p, const runtimes::Step& step,
                           const BuildOptions& options, const Services& services,
                           cache::StatCache* stat_cache) {
  KeyedStep keyed;
  keyed.step = &step;
  keyed.inputs = LPACK_TRY(list_inputs(step, p.src));
  auto digests = LPACK_TRY(cache::hash_files(keyed.inputs, stat_cache, options.jobs));
  KeyContext key_context{&p.plan, p.arch, p.timestamp, p.compressor, {}};
  key_context.toolchain =
      LPACK_TRY(probe_toolchain(step, step_context(p, services), p.tools_root / "probes"));
  keyed.key = step_key(step, key_context, digests);
  // One slot per source folder and step, whatever the arch or runtime, so that explain can
  // say "arch: x86_64 -> arm64".
  std::string slot_text = p.src.string() + "\n" + std::string(runtimes::step_kind_name(step.kind));
  keyed.slot = to_hex(sha256(slot_text)).substr(0, 32);
  return keyed;
}

}  // namespace lpack::builder
