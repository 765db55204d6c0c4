// Just enough XML reading for AWS answers (S3 listings and errors, multipart upload ids, STS
// credentials): the text of named elements. No XML library is among lpack's dependencies,
// and these documents are machine-written, flat and small, so a full parser (DTDs,
// namespaces, CDATA, mixed content) would be weight without use. What is not understood
// is simply not found; callers treat a missing element as a malformed answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lpack::net::xml {

// The raw inner content of every element named `tag` (a local name: "Key" also matches
// "<s3:Key>"), in document order, not descending into a match. Self-closing elements give
// an empty string.
std::vector<std::string_view> elements(std::string_view doc, std::string_view tag);

// The entity-decoded text of the first element named `tag`, or nullopt.
std::optional<std::string> text(std::string_view doc, std::string_view tag);

// Decodes &amp; &lt; &gt; &quot; &apos; and numeric references (&#NN; &#xHH;).
std::string decode_entities(std::string_view text);

}  // namespace lpack::net::xml
