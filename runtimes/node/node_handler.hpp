// Checks a Node handler ("index.handler", "src/app.main") against the function's files the
// way Lambda's Node runtime resolves it: the module path up to the first "." of the last
// path segment, tried with .js, .mjs and .cjs, and the export named after that ".".
//
// Whether a module exports a name is decided by reading its text, not by running it (lpack
// runs no user code on the host): the common CommonJS and ES module forms are recognised,
// and anything else that mentions the name next to an export construct is given the
// benefit of the doubt (bundlers write exports in many shapes). So the check catches a
// missing file, a misspelt name and a module that exports nothing, never a working handler.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/walk.hpp"

namespace lpack::runtimes::node {

struct HandlerName {
  std::string module;       // "index", "src/app"
  std::string export_name;  // "handler" (the first segment of "handler.sub")
};

// bad_input for a string without a module and a function ("index", ".handler", "index.").
Result<HandlerName> parse_handler(std::string_view handler);

// The files tried for a module, in Lambda's order: "index.js", "index.mjs", "index.cjs".
std::vector<std::string> module_candidates(std::string_view module);

// Whether `source` (a module's text) exports `name`; see the header comment.
enum class ExportCheck { exported, not_mentioned, no_exports };
ExportCheck check_export(std::string_view source, std::string_view name);

// The whole check over the packed function files (zip path -> file on disk). bad_input
// Errors name the handler, the file and the fix.
Result<void> check_node_handler(std::string_view handler, const std::vector<TreeEntry>& files);

}  // namespace lpack::runtimes::node
