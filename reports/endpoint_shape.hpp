// The shape of one endpoint object as results_json.cpp writes it (the "endpoint" definition of
// results.schema.json): what --resume checks before a stream line joins a results document.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// What is wrong with `endpoint`, as "<JSON pointer>: <what>" relative to the endpoint object
// ("/tests/0/reply/code: must be an integer from 0 to 999"); nullopt when every required field
// is present with its type and allowed values, and no field is unknown.
std::optional<std::string> endpoint_shape_problem(const nlohmann::json& endpoint);

}  // namespace relayaudit
