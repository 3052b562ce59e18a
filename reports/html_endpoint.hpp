// One endpoint's section of the HTML report: facts, evidence, every script's result, and the
// transcripts written as the telnet sessions that reproduce them.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit::html {

// `index` is the endpoint's 1-based place in the document; it names the section's anchors.
// `results` is the document (its "scripts" give each test's title); its endpoints are not read.
std::string endpoint_section(const nlohmann::json& results, std::size_t index,
                             const nlohmann::json& endpoint);

}  // namespace relayaudit::html
