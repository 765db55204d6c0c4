// The Python handler, "module.function" as Lambda reads it ("app.lambda_handler",
// "pkg/api.handler", "pkg.api.handler"): its syntax, the file that holds the module, and
// whether that file defines the function. Lambda only finds out at the first invoke; lpack
// finds out at build time.
//
// Whether a module defines a name is decided by scanning its lines, not by parsing Python:
// lpack has no Python parser and a plugin runs no processes. The scan accepts any
// `def name(`, `async def name(`, `class name`, `name = ...` and any import that binds the
// name (or a star import), at any indentation, so that it never rejects a working handler;
// it can miss a broken one (a def nested in a function).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/walk.hpp"

namespace lpack::runtimes::python {

struct HandlerParts {
  std::string module;    // "pkg.api" ("/" already turned into ".")
  std::string function;  // "handler"
};

// bad_input naming the handler and the fix when it is not "module.function".
Result<HandlerParts> split_handler(std::string_view handler);

// The files that can hold `module`: {"pkg/api.py", "pkg/api/__init__.py"}.
std::vector<std::string> module_files(std::string_view module);

// Whether the Python source `text` binds `name` (see above).
bool python_defines(std::string_view text, std::string_view name);

// OK when a module file of the handler is among `files` and defines the function; else
// bad_input: `handler "app.lambda_handler": app.py does not define lambda_handler; fix
// [metadata] handler in lpack.toml` (or "app.py not found in the function"). io Errors when
// a file cannot be read.
Result<void> check_python_handler(std::string_view handler, const std::vector<TreeEntry>& files);

}  // namespace lpack::runtimes::python
