// Rendering of DNSBL results, and the blocking lookup behind `relayaudit dnsbl`.
#include "dns/dnsbl_report.hpp"

#include "dns/json_text.hpp"
#include "dns/text_table.hpp"

namespace relayaudit {

nlohmann::json dnsbl_result_json(const DnsblResult& result) {
  return {{"address", result.address},
          {"zone", result.zone},
          {"query_name", result.query_name},
          {"status", to_string(result.status)},
          {"return_codes", result.return_codes},
          {"reason", dns_detail::optional_text(result.reason)},
          {"error", dns_detail::optional_text(result.error)},
          {"dns_status", to_string(result.dns_status)}};
}

nlohmann::json dnsbl_results_json(const std::vector<DnsblResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& result : results) list.push_back(dnsbl_result_json(result));
  return {{"results", std::move(list)}};
}

std::string dnsbl_table(const std::vector<DnsblResult>& results) {
  using dns_detail::printable;
  std::vector<std::vector<std::string>> rows{{"ADDRESS", "ZONE", "STATUS", "CODES", "REASON"}};
  for (const auto& result : results) {
    std::string codes;
    for (const auto& code : result.return_codes) codes += (codes.empty() ? "" : ",") + code;
    const std::string& why = result.status == DnsblStatus::error ? result.error : result.reason;
    rows.push_back({printable(result.address), printable(result.zone),
                    std::string(to_string(result.status)), codes.empty() ? "-" : codes,
                    printable(why)});
  }
  return dns_detail::format_table(rows);
}

DnsblLookupRun run_dnsbl_lookup(const std::vector<std::string>& addresses,
                                const std::vector<std::string>& zones, DnsResolverOptions options) {
  DnsblLookupRun run;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    DnsResolver resolver(&loop, std::move(options));
    run.setup_error = resolver.start();
    std::size_t remaining = addresses.size() * zones.size();
    if (run.setup_error || remaining == 0) resolver.close();
    if (!run.setup_error) {
      run.results.resize(remaining);
      std::size_t slot = 0;
      for (const auto& address : addresses) {
        for (const auto& zone : zones) {
          check_dnsbl(resolver, address, zone, [&, slot](DnsblResult result) {
            run.results[slot] = std::move(result);
            if (--remaining == 0) resolver.close();
          });
          ++slot;
        }
      }
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_loop_close(&loop);
  return run;
}

}  // namespace relayaudit
