// The external validators every report format is checked with, shared by the report tests and
// the scan command-line test: xmllint (JUnit), python3-jsonschema (SARIF, results), cmark-gfm.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace relayaudit::testing {

bool xmllint_available();
bool jsonschema_available();
bool cmark_available();

// Each returns "" when the text is valid, else the validator's complaint.
// JUnit XML against tests/reports/schemas/junit.xsd (xmllint).
std::string junit_schema_errors(const std::string& xml);
// A SARIF log against tests/reports/schemas/sarif-2.1.0-rtm.5.json (draft-04).
std::string sarif_schema_errors(const std::string& sarif);
// A results document against reports/results.schema.json (draft 2020-12).
std::string results_schema_errors(const std::string& results);

// Markdown as GitHub renders it (cmark-gfm with its table, autolink and strikethrough
// extensions), with raw HTML let through so any that a writer emitted would show.
std::string render_with_cmark(const std::string& markdown);

}  // namespace relayaudit::testing

// CI installs every validator (.ci/install-deps); a developer machine without one skips.
#define RELAYAUDIT_REQUIRE_TOOL(available, name, package)                  \
  do {                                                                     \
    if (!relayaudit::testing::available()) {                               \
      if (std::getenv("CI") != nullptr) FAIL() << name " missing in CI";   \
      GTEST_SKIP() << name " not installed (apt-get install " package ")"; \
    }                                                                      \
  } while (false)
#define REQUIRE_XMLLINT() RELAYAUDIT_REQUIRE_TOOL(xmllint_available, "xmllint", "libxml2-utils")
#define REQUIRE_JSONSCHEMA() \
  RELAYAUDIT_REQUIRE_TOOL(jsonschema_available, "python3 jsonschema", "python3-jsonschema")
#define REQUIRE_CMARK() RELAYAUDIT_REQUIRE_TOOL(cmark_available, "cmark-gfm", "cmark-gfm")
