// Links into the project's repository.
#include "reports/project_links.hpp"

namespace relayaudit {

std::string project_page(std::string_view path, std::string_view anchor) {
  std::string uri = std::string(kProjectHome) + "/blob/main/" + std::string(path);
  if (!anchor.empty()) uri += "#" + std::string(anchor);
  return uri;
}

std::string script_page(std::string_view source) {
  static constexpr std::string_view kBuiltin = "builtin:";
  const bool builtin = source.substr(0, kBuiltin.size()) == kBuiltin;
  const std::string_view file = builtin ? source.substr(kBuiltin.size()) : std::string_view();
  // Built-in sources are "family/id.json"; anything else could not be a path of ours.
  const bool plain_path =
      !file.empty() && file.find("..") == std::string_view::npos &&
      file.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-./") == std::string_view::npos;
  return plain_path ? project_page("relaytests/" + std::string(file))
                    : project_page("relaytests/README.md", "one-script-file");
}

}  // namespace relayaudit
