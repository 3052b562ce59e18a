// Reading a JSON document that a user hands to `report` or `diff`.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace relayaudit {

// The parsed document, or why not: "x.json: cannot read: No such file or directory",
// "x.json:3:17: number overflow parsing '1e999'", "x.json: /duration_ms: 1e+300 is out of range"
// (a fraction beyond int's range, which relayaudit never writes). File names are terminal-safe.
std::variant<nlohmann::json, std::string> read_json_file(const std::filesystem::path& path);

}  // namespace relayaudit
