#include "builder/step_key.hpp"

#include <cctype>

#include "base/process.hpp"
#include "base/redact.hpp"

namespace lpack::builder {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

// Variables that say how to reach a registry (CA bundles, proxies), not what to fetch:
// their values differ between machines, and keying on them would stop a team sharing a cache.
bool is_transport_variable(std::string_view name) {
  std::string upper(name);  // npm's are lower case: npm_config_cafile, https_proxy
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view n = upper;
  return n.ends_with("CA_CERTS") || n.ends_with("CAFILE") || n.ends_with("CA_FILE") ||
         n.ends_with("CA_FILE_PATH") || n.ends_with("CA_BUNDLE") || n.ends_with("SSL_CERT_FILE") ||
         n.ends_with("SSL_CERT_DIR") || n.ends_with("_PROXY") || name == "PIP_CERT";
}

}  // namespace

cache::ActionKey step_key(const runtimes::Step& step, const KeyContext& context,
                          const std::vector<cache::FileDigest>& inputs) {
  cache::ActionKey key;
  const auto& plan = *context.plan;
  key.add("format", std::string(k_packaging_format) + " " + context.compressor);
  key.add("plugin", plan.plugin + " " + plan.plugin_version);
  key.add("runtime", plan.runtime);
  key.add("arch", arch_name(context.arch));
  key.add("step", runtimes::step_kind_name(step.kind));
  key.add("timestamp", std::to_string(context.timestamp));
  for (const auto& line : context.toolchain) key.add("toolchain", strip_url_credentials(line));
  for (const auto& [name, value] : step.key_fields)
    key.add("field", name + "=" + strip_url_credentials(value));
  for (const auto& command : step.commands) {
    std::vector<std::string> argv;
    for (const auto& arg : command.argv) argv.push_back(strip_url_credentials(arg));
    key.add("command", quote_argv(argv) + (command.network ? " [network]" : ""));
    for (const auto& [name, value] : command.env) {
      // A secret's value never enters a key; its presence does.
      std::string shown = is_secret_variable(name)      ? "<secret>"
                          : is_transport_variable(name) ? "<transport>"
                                                        : strip_url_credentials(value);
      key.add("env", name + "=" + shown);
    }
  }
  for (const auto& [name, content] : step.generated_files) {
    key.add("generated", name + " " + cache::to_hex(cache::hash_bytes(content)));
  }
  key.add("layout", "stage_inputs=" + std::string(step.stage_inputs ? "1" : "0") +
                        " output_root=" + step.output_root + " zip_prefix=" + step.zip_prefix);
  if (!step.output_exclude.empty()) key.add("output_exclude", joined(step.output_exclude));
  if (!step.executables.empty()) key.add("executables", joined(step.executables));
  if (step.kind == runtimes::StepKind::function) key.add("handler", plan.handler);
  key.add_inputs(inputs);
  return key;
}

}  // namespace lpack::builder
