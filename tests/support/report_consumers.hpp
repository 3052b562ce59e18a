// The programs that read relayaudit's CI reports for real, installed from the npm registry by
// `.ci/install-deps test` into /opt/relayaudit-consumers (or $RELAYAUDIT_CONSUMERS_DIR):
// Microsoft's SARIF multitool (the checks GitHub code scanning's upload makes) and xunit-viewer
// (a JUnit reader), pinned in .ci/consumers/package-lock.json.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>

namespace relayaudit::testing {

bool sarif_multitool_available();
bool junit_consumer_available();

// What `Sarif.Multitool validate --rule-kind "Ghas;Sarif"` reported about one log: its results
// by level, and "RULE: message" for each error and warning. SARIF2006 (fetch every URI in the
// log) is disabled, since tests reach no address beyond loopback; the proxies point at a closed
// loopback port all the same.
struct SarifValidation {
  bool ran = false;   // the tool ran and wrote its log
  std::string error;  // why it did not
  int errors = 0;
  int warnings = 0;
  int notes = 0;
  std::set<std::string> rules;  // every rule id it reported
  std::string problems;         // the errors and warnings, one a line
};
SarifValidation validate_sarif_for_github(const std::string& sarif);

// What xunit-viewer's parser (the one its CLI and HTML viewer use) read from a JUnit file:
// suites, and test cases by the status it gave them ("passed", "failure", "error", "skipped").
struct JunitReading {
  bool ran = false;
  std::string error;
  std::size_t suites = 0;
  std::size_t tests = 0;
  std::map<std::string, std::size_t> statuses;
  std::set<std::string> suite_names;
  std::set<std::string> class_names;
};
JunitReading read_junit_with_xunit_viewer(const std::string& xml);

// RELAYAUDIT_REQUIRE_CONSUMERS=1 (CI) makes a missing consumer a failure, not a skip.
bool consumers_required();

}  // namespace relayaudit::testing

#define REQUIRE_CONSUMER(available, name)                     \
  do {                                                        \
    if (!relayaudit::testing::available()) {                  \
      if (relayaudit::testing::consumers_required()) {        \
        FAIL() << "RELAYAUDIT_REQUIRE_CONSUMERS=1 but " name  \
                  " is not installed "                        \
                  "(.ci/install-deps test)";                  \
      }                                                       \
      GTEST_SKIP() << name                                    \
          " not installed (.ci/install-deps test); set "      \
          "RELAYAUDIT_REQUIRE_CONSUMERS=1 to make this fail"; \
    }                                                         \
  } while (false)
#define REQUIRE_SARIF_MULTITOOL() REQUIRE_CONSUMER(sarif_multitool_available, "the SARIF multitool")
#define REQUIRE_JUNIT_CONSUMER() REQUIRE_CONSUMER(junit_consumer_available, "xunit-viewer")
