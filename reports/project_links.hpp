// Where relayaudit's documentation lives on the web, for reports that link to it (SARIF).
#pragma once

#include <string>
#include <string_view>

namespace relayaudit {

// The project's home page: SARIF's tool.driver.informationUri.
inline constexpr std::string_view kProjectHome = "https://github.com/relayaudit/relayaudit";

// A file of the repository on its main branch, with an optional "#anchor":
// project_page("docs/results-format.md", "tls-findings").
std::string project_page(std::string_view path, std::string_view anchor = {});

// The page that documents a script: its data file for a built-in one (`source`
// "builtin:core/relay-external-sender.json"), else the script format (relaytests/README.md),
// since a user's own script has no page of ours.
std::string script_page(std::string_view source);

}  // namespace relayaudit
