// Rendering of MX maps, and the blocking lookup behind `relayaudit mx`.
#include "dns/mx_report.hpp"

#include <algorithm>
#include <cctype>

#include "dns/json_text.hpp"
#include "dns/text_table.hpp"

namespace relayaudit {

nlohmann::json mail_domain_json(const MailDomain& domain) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& host : domain.hosts) {
    nlohmann::json addresses = nlohmann::json::array();
    for (const auto& address : host.addresses) {
      addresses.push_back({{"address", address.address},
                           {"family", address.ipv6 ? "ipv6" : "ipv4"},
                           {"ttl", address.ttl}});
    }
    hosts.push_back({{"preference", host.preference},
                     {"name", host.name},
                     {"ttl", host.ttl},
                     {"cname_chain", host.cname_chain},
                     {"error", dns_detail::optional_text(host.error)},
                     {"addresses", std::move(addresses)}});
  }
  return {{"domain", domain.domain},
          {"status", to_string(domain.status)},
          {"error", dns_detail::optional_text(domain.error)},
          {"null_mx", domain.null_mx},
          {"implicit_mx", domain.implicit_mx},
          {"hosts", std::move(hosts)}};
}

nlohmann::json mx_map_json(const std::vector<MailDomain>& domains) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& domain : domains) list.push_back(mail_domain_json(domain));
  return {{"domains", std::move(list)}};
}

std::string mx_map_table(const std::vector<MailDomain>& domains) {
  using dns_detail::printable;
  std::vector<std::vector<std::string>> rows{
      {"DOMAIN", "PREF", "HOST", "TTL", "ADDRESS", "TTL", "NOTE"}};
  for (const auto& domain : domains) {
    std::string domain_cell = printable(domain.domain);
    if (!domain.error.empty()) {
      rows.push_back(
          {domain_cell, "-", "-", "-", "-", "-",
           "error (" + std::string(to_string(domain.status)) + "): " + printable(domain.error)});
      continue;
    }
    if (domain.null_mx) {
      rows.push_back(
          {domain_cell, "0", ".", "-", "-", "-", "null MX: the domain accepts no mail (RFC 7505)"});
      continue;
    }
    for (const auto& host : domain.hosts) {
      std::vector<std::string> notes;
      if (domain.implicit_mx) notes.push_back("implicit MX: no MX record (RFC 5321 5.1)");
      if (!host.cname_chain.empty()) {
        std::string chain = "CNAME";
        for (const auto& hop : host.cname_chain) chain += " -> " + printable(hop);
        notes.push_back(chain);
      }
      if (!host.error.empty()) notes.push_back("error: " + printable(host.error));
      std::string note;
      for (const auto& part : notes) note += (note.empty() ? "" : "; ") + part;
      const std::string preference = domain.implicit_mx ? "-" : std::to_string(host.preference);
      const std::string host_ttl = domain.implicit_mx ? "-" : std::to_string(host.ttl);
      if (host.addresses.empty()) {
        rows.push_back({domain_cell, preference, printable(host.name), host_ttl, "-", "-", note});
        domain_cell.clear();
        continue;
      }
      bool first = true;
      for (const auto& address : host.addresses) {
        rows.push_back({domain_cell, first ? preference : "", first ? printable(host.name) : "",
                        first ? host_ttl : "", address.address, std::to_string(address.ttl),
                        first ? note : ""});
        domain_cell.clear();
        first = false;
      }
    }
  }
  return dns_detail::format_table(rows);
}

MxLookupRun run_mx_lookup(const std::vector<std::string>& domains, DnsResolverOptions options) {
  MxLookupRun run;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    DnsResolver resolver(&loop, std::move(options));
    run.setup_error = resolver.start();
    std::size_t remaining = domains.size();
    if (run.setup_error || remaining == 0) resolver.close();
    if (!run.setup_error) {
      run.domains.resize(domains.size());
      for (std::size_t i = 0; i < domains.size(); ++i) {
        resolve_mail_domain(resolver, domains[i], [&, i](MailDomain domain) {
          run.domains[i] = std::move(domain);
          if (--remaining == 0) resolver.close();  // the sockets keep the loop alive until then
        });
      }
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_loop_close(&loop);
  return run;
}

}  // namespace relayaudit
