// Runs the npm-installed report consumers on report text written to a temporary file.
#include "support/report_consumers.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit::testing {
namespace {

using nlohmann::json;

std::filesystem::path consumers_dir() {
  const char* dir = std::getenv("RELAYAUDIT_CONSUMERS_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/opt/relayaudit-consumers";
}

// The native binary itself: the package's bin.js passes arguments through a shell, which
// splits "Ghas;Sarif" at the semicolon.
std::filesystem::path multitool() {
  return consumers_dir() / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
}

std::filesystem::path xunit_parser() {
  return consumers_dir() / "node_modules/xunit-viewer/src/cli/parse.js";
}

const std::string kConsumerSourceDir = RELAYAUDIT_SOURCE_DIR;

// Any request the tools might make goes to a closed loopback port; .NET needs no ICU.
std::vector<std::string> offline_env() {
  return {"env",
          "HTTP_PROXY=http://127.0.0.1:9",
          "HTTPS_PROXY=http://127.0.0.1:9",
          "http_proxy=http://127.0.0.1:9",
          "https_proxy=http://127.0.0.1:9",
          "NO_PROXY=",
          "DOTNET_CLI_TELEMETRY_OPTOUT=1",
          "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1"};
}

// A result's level, else its rule's default, else SARIF's default "warning".
std::string level_of(const json& result, const json& rules) {
  if (result.contains("level")) return result["level"].get<std::string>();
  if (result.contains("ruleIndex") && result["ruleIndex"].is_number_unsigned()) {
    const std::size_t index = result["ruleIndex"];
    if (index < rules.size()) {
      const json& rule = rules[index];
      if (rule.contains("defaultConfiguration") && rule["defaultConfiguration"].contains("level")) {
        return rule["defaultConfiguration"]["level"].get<std::string>();
      }
    }
  }
  return "warning";
}

}  // namespace

bool consumers_required() {
  const char* value = std::getenv("RELAYAUDIT_REQUIRE_CONSUMERS");
  return value != nullptr && std::string(value) == "1";
}

bool sarif_multitool_available() {
  std::vector<std::string> argv = offline_env();
  argv.push_back(multitool().string());
  argv.push_back("--version");
  return std::filesystem::exists(multitool()) && run_command(argv).succeeded();
}

bool junit_consumer_available() {
  return std::filesystem::exists(xunit_parser()) && run_command({"node", "--version"}).succeeded();
}

SarifValidation validate_sarif_for_github(const std::string& sarif) {
  TempDir dir;
  const auto input = dir.write("relayaudit.sarif", sarif);
  const auto output = dir.path() / "validation.sarif";
  std::vector<std::string> argv = offline_env();
  for (const std::string& arg :
       {multitool().string(), std::string("validate"), std::string("--config"),
        kConsumerSourceDir + "/tests/reports/consumers/sarif-multitool.config.xml",
        std::string("--rule-kind"), std::string("Ghas;Sarif"), std::string("--level"),
        std::string("Error;Warning;Note"), std::string("--output"), output.string(),
        input.string()}) {
    argv.push_back(arg);
  }
  const auto run = run_command(argv, std::chrono::seconds(120));
  SarifValidation validation;
  if (!run.succeeded() || !std::filesystem::exists(output)) {
    validation.error = run.describe() + "\n" + run.out + run.err;
    return validation;
  }
  const json log = json::parse(read_file(output.string()));
  const json& result_run = log.at("runs").at(0);
  const json& rules = result_run["tool"]["driver"].value("rules", json::array());
  for (const auto& result : result_run.value("results", json::array())) {
    const std::string level = level_of(result, rules);
    const std::string rule = result.value("ruleId", std::string("?"));
    validation.rules.insert(rule);
    if (level == "note") {
      ++validation.notes;
      continue;
    }
    (level == "error" ? validation.errors : validation.warnings) += 1;
    validation.problems += level + " " + rule + ": " + result["message"].dump() + "\n";
  }
  validation.ran = true;
  return validation;
}

JunitReading read_junit_with_xunit_viewer(const std::string& xml) {
  TempDir dir;
  const auto input = dir.write("junit.xml", xml);
  const auto script = dir.write("read.mjs",
                                "import { readFileSync } from 'node:fs';\n"
                                "import { pathToFileURL } from 'node:url';\n"
                                "const { default: parse } = "
                                "await import(pathToFileURL(process.argv[2]).href);\n"
                                "const out = await parse(readFileSync(process.argv[3], 'utf8'));\n"
                                "process.stdout.write(JSON.stringify(out));\n");
  const auto run = run_command({"node", script.string(), xunit_parser().string(), input.string()});
  JunitReading reading;
  if (!run.succeeded()) {
    reading.error = run.describe() + "\n" + run.err;
    return reading;
  }
  const json parsed = json::parse(run.out);
  for (const auto& [id, suite] : parsed.at("suites").items()) {
    ++reading.suites;
    reading.suite_names.insert(suite.value("name", std::string()));
    for (const auto& [test_id, test] : suite.at("tests").items()) {
      ++reading.tests;
      ++reading.statuses[test.value("status", std::string("unknown"))];
      reading.class_names.insert(test.value("classname", std::string()));
    }
  }
  reading.ran = true;
  return reading;
}

}  // namespace relayaudit::testing
