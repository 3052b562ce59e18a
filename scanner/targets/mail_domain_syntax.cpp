// Mail domain syntax: a host name that is not an address and carries no port.
#include "targets/mail_domain_syntax.hpp"

#include <algorithm>
#include <cctype>

#include "targets/host_syntax.hpp"

namespace relayaudit {

std::optional<std::string> mail_domain_problem(std::string_view domain) {
  std::string name(domain);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.find(':') != std::string::npos || name.find('[') != std::string::npos) {
    return "an address or port, not a mail domain";
  }
  if (!name.empty() && targets_detail::looks_numeric_dotted(name)) {
    return "an IPv4 address, not a mail domain";
  }
  return targets_detail::host_name_problem(name);
}

}  // namespace relayaudit
