// Walks the CLI11 app into a CommandDoc tree.
#include "docgen/command_model.hpp"

namespace relayaudit::docgen {

namespace {

// The options whose values are relay-script ids: (command path, option name).
bool takes_script_ids(const std::vector<std::string>& path, const std::string& name) {
  const std::vector<std::string> tests_show{"tests", "show"};
  return (path == std::vector<std::string>{"scan"} && name == "--tests") ||
         (path == tests_show && name == "id");
}

// "TEXT:{auto,both,never}" -> {"auto", "both", "never"}.
std::vector<std::string> member_choices(const std::string& type_name) {
  const auto open = type_name.find(":{");
  const auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> choices;
  std::string each;
  for (char c : type_name.substr(open + 2, close - open - 2)) {
    if (c == ',') {
      choices.push_back(each);
      each.clear();
    } else {
      each += c;
    }
  }
  if (!each.empty()) choices.push_back(each);
  return choices;
}

OptionDoc describe_option(const CLI::Option& option, const std::vector<std::string>& path,
                          bool is_config_file) {
  OptionDoc doc;
  doc.positional = !option.nonpositional();
  if (doc.positional) {
    doc.names.push_back(option.get_name(true));
  } else {
    for (const auto& name : option.get_snames()) doc.names.push_back("-" + name);
    for (const auto& name : option.get_lnames()) doc.names.push_back("--" + name);
  }
  doc.required = option.get_required();
  doc.repeatable = option.get_items_expected_max() > 1;
  doc.description = option.get_description();
  doc.default_value = option.get_default_str();
  if (option.get_items_expected_max() == 0) return doc;  // a flag
  // CLI11 gives the --config option no type name: its value is the file to read.
  doc.value_name = is_config_file ? "FILE" : option.get_type_name();
  doc.choices = member_choices(doc.value_name);
  const std::string& last_name = doc.names.back();
  if (takes_script_ids(path, last_name)) {
    doc.kind = ValueKind::script_ids;
  } else if (!doc.choices.empty()) {
    doc.kind = ValueKind::choices;
  } else if (doc.value_name.rfind("TEXT", 0) == 0 || doc.value_name.rfind("FILE", 0) == 0) {
    doc.kind = ValueKind::file;
  } else {
    doc.kind = ValueKind::free;
  }
  return doc;
}

CommandDoc describe_app(const CLI::App& app, std::vector<std::string> path) {
  CommandDoc doc;
  doc.path = path;
  doc.name = path.empty() ? "relayaudit" : path.back();
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden from --help
    OptionDoc described = describe_option(*option, path, option == app.get_config_ptr());
    (described.positional ? doc.positionals : doc.options).push_back(std::move(described));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden from --help
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub->get_name());
    doc.subcommands.push_back(describe_app(*sub, sub_path));
  }
  return doc;
}

}  // namespace

std::string CommandDoc::full_name() const {
  std::string name = "relayaudit";
  for (const auto& word : path) name += " " + word;
  return name;
}

CommandDoc describe_command_line(const CLI::App& app) {
  return describe_app(app, {});
}

}  // namespace relayaudit::docgen
