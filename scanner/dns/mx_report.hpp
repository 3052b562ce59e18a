// The MX map as JSON and as a table, and a whole `relayaudit mx` lookup run on its own loop.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/mx_map.hpp"
#include "dns/resolver.hpp"
#include "targets/mail_domain_syntax.hpp"

namespace relayaudit {

// {"domain", "status", "error", "null_mx", "implicit_mx", "hosts": [{"preference", "name",
// "ttl", "cname_chain", "error", "addresses": [{"address", "family", "ttl"}]}]}; errors are null
// when there are none.
nlohmann::json mail_domain_json(const MailDomain& domain);
// {"domains": [...]}
nlohmann::json mx_map_json(const std::vector<MailDomain>& domains);
// DOMAIN PREF HOST TTL ADDRESS TTL NOTE: one line per address, notes for flags and errors.
std::string mx_map_table(const std::vector<MailDomain>& domains);

struct MxLookupRun {
  std::optional<std::string> setup_error;  // the resolver could not start (bad spec, resolv.conf)
  std::vector<MailDomain> domains;         // in the order asked
};

// Resolves every domain at once on a loop of its own and returns when all are done.
MxLookupRun run_mx_lookup(const std::vector<std::string>& domains, DnsResolverOptions options);

}  // namespace relayaudit
