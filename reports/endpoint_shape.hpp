// The shape of one endpoint object as endpoint_json.cpp writes it (the "endpoint" definition of
// results.schema.json): what --resume checks before a stream line joins a results document.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// What is wrong with `endpoint`, as "<JSON pointer>: <what>" relative to the endpoint object
// ("/tests/0/reply/code: must be an integer from 0 to 999"); nullopt when every required field
// is present with its type and allowed values, and no field is unknown.
// The 2.0 shape; test ranges must stay inside the transcript, and no script may appear twice.
std::optional<std::string> endpoint_shape_problem(const nlohmann::json& endpoint);

// The shape relayaudit 1.x wrote (schema 1.0 to 1.3): what a stream line written before any
// 2.0 header line must have before it is upgraded (reports/results_upgrade.hpp).
std::optional<std::string> endpoint_shape_problem_1x(const nlohmann::json& endpoint);

}  // namespace relayaudit
