// libFuzzer harness: what `report`, `diff` and `--resume` read. The input is read as a results
// document (parse_json_input, the 1.x upgrade, diff_input_problem, diff_results) and as a JSONL
// stream (parse_jsonl, which upgrades lines written before any header). Invariants: the upgrade
// takes any document; lines --resume accepts have the 2.0 shape and make a document diff accepts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/json_input.hpp"
#include "reports/endpoint_shape.hpp"
#include "reports/jsonl_stream.hpp"
#include "reports/results_diff.hpp"
#include "reports/results_upgrade.hpp"

namespace {

using namespace relayaudit;
using nlohmann::json;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "results reader invariant violated: %s\n", what);
  std::abort();
}

void read_as_document(std::string_view text) {
  auto parsed = parse_json_input(text);
  if (!std::holds_alternative<json>(parsed)) return;
  json document = std::get<json>(parsed);
  (void)endpoint_shape_problem(document);
  (void)endpoint_shape_problem_1x(document);
  // `report` and `diff` read a 1.x document in the 2.0 shape.
  if (is_results_1x(document)) document = upgrade_results(std::move(document));
  if (diff_input_problem(document)) return;
  const ResultsDiff diff = diff_results(document, document);
  require(!relaying_got_worse(diff), "a document compared with itself got no worse");
  (void)diff_to_text(diff);
  (void)diff_to_json(diff).dump(-1, ' ', false, json::error_handler_t::replace);
}

void read_as_stream(std::string_view text) {
  auto parsed = parse_jsonl(text, "fuzz.jsonl");
  auto* contents = std::get_if<JsonlContents>(&parsed);
  if (contents == nullptr) return;
  require(contents->complete_bytes <= text.size(), "complete lines are inside the stream");
  require(contents->complete_bytes == 0 || text[contents->complete_bytes - 1] == '\n',
          "the stream is cut after a newline");
  require(contents->torn_line.has_value() == (contents->complete_bytes < text.size()),
          "only a torn line is cut off");
  json document = {{"schema_version", "2.0"}, {"endpoints", json::array()}};
  for (const auto& line : contents->lines) {
    require(!endpoint_shape_problem(line), "resumed lines have the endpoint shape");
    document["endpoints"].push_back(line);
  }
  require(!diff_input_problem(document), "resumed lines make a document diff accepts");
  (void)diff_results(document, document);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  read_as_document(text);
  read_as_stream(text);
  return 0;
}
