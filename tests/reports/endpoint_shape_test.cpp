// endpoint_shape_problem, the --resume check, agrees with the writer: every endpoint the writer
// produces passes, and what report and diff rely on is required.
#include "reports/endpoint_shape.hpp"

#include <gtest/gtest.h>

#include "reports/results_diff.hpp"
#include "reports/results_json.hpp"
#include "support/sample_scan.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

json sample_endpoint() {
  return results_to_json(testing::make_sample_scan()).at("endpoints").at(0);
}

TEST(EndpointShape, EveryEndpointTheWriterProducesPasses) {
  const json document = results_to_json(testing::make_sample_scan());
  ASSERT_FALSE(document.at("endpoints").empty());
  for (const auto& endpoint : document.at("endpoints")) {
    EXPECT_EQ(endpoint_shape_problem(endpoint), std::nullopt) << endpoint.dump().substr(0, 200);
  }
}

TEST(EndpointShape, ProblemsNameTheFieldByJsonPointer) {
  struct Case {
    const char* pointer;
    json value;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"/endpoint", "", "/endpoint: must be a non-empty string"},
      {"/port", 70000, "/port: must be an integer from 0 to 65535"},
      {"/verdict", "maybe", "/verdict: must be one of open-relay, closed"},
      {"/tests/0/id", 5, "/tests/0/id: must be a non-empty string"},
      {"/tests/0/reply", json{{"code", "250"}}, "/tests/0/reply/code: must be an integer"},
      {"/transcript/0/2", "X", "/transcript/0/2: must be one of C, S, *"},
      {"/transcript/0/4", false, "/transcript/0/4: must be true when present"},
      {"/tests/0/lines/0", json::array({0}), "/tests/0/lines/0: must be an array [first, count]"},
      {"/tests/0/lines/0/1", 99, "/tests/0/lines/0: reaches past the 2 transcript lines"},
      {"/tests/0/title", "old", "/tests/0/title: unknown field"},
      {"/surprise", 1, "/surprise: unknown field"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.pointer);
    json endpoint = sample_endpoint();
    const auto parent = json::json_pointer(bad.pointer).parent_pointer();
    ASSERT_TRUE(parent.empty() || endpoint.contains(parent)) << "the sample has no such field";
    endpoint[json::json_pointer(bad.pointer)] = bad.value;
    const auto problem = endpoint_shape_problem(endpoint);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->rfind(bad.expected, 0), 0u) << *problem;
  }
  json endpoint = sample_endpoint();
  endpoint.erase("tests");
  EXPECT_EQ(endpoint_shape_problem(endpoint), "/tests: missing");
  EXPECT_EQ(endpoint_shape_problem(json::array()), "/: must be an object");
  // A script listed twice would make the endpoint differ from itself in `diff` (the fuzzer
  // found it): a stream line with one is refused, as diff refuses it.
  json twice = sample_endpoint();
  ASSERT_GE(twice["tests"].size(), 1u);
  twice["tests"].push_back(twice["tests"][0]);
  const std::string id = twice["tests"][0]["id"];
  EXPECT_EQ(endpoint_shape_problem(twice), "/tests/" + std::to_string(twice["tests"].size() - 1) +
                                               ": script " + id + " appears twice");
}

TEST(EndpointShape, EndpointsThatPassMakeADocumentDiffAccepts) {
  json document = {{"schema_version", kResultsSchemaVersion}, {"endpoints", json::array()}};
  // Held in a variable: a range-for over a temporary's member would read freed memory.
  const json results = results_to_json(testing::make_sample_scan());
  for (const auto& endpoint : results.at("endpoints")) {
    ASSERT_EQ(endpoint_shape_problem(endpoint), std::nullopt);
    document["endpoints"].push_back(endpoint);
  }
  EXPECT_EQ(diff_input_problem(document), std::nullopt);
}

}  // namespace
}  // namespace relayaudit
