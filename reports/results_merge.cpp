// Joins shard and vantage documents; the summary and domains come from the usual writers.
#include "reports/results_merge.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include "reports/domain_results.hpp"
#include "reports/results_json.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

const json& merged_member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::string merged_string(const json& object, const char* key) {
  const json& value = merged_member(object, key);
  return value.is_string() ? value.get<std::string>() : "";
}

// "2024-05-01T12:00:00.123Z", as format_timestamp writes it; the epoch when malformed.
std::chrono::system_clock::time_point parse_merge_timestamp(const std::string& text) {
  std::tm utc{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis) != 7) {
    return {};
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&utc)) + std::chrono::milliseconds(millis);
}

DnsStatus dns_status_named(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(DnsStatus::cancelled); ++i) {
    if (to_string(static_cast<DnsStatus>(i)) == name) return static_cast<DnsStatus>(i);
  }
  return DnsStatus::malformed;
}

// A "domains" entry read back into the model domains_json renders from.
ScannedDomain scanned_domain_of(const json& entry) {
  ScannedDomain scanned;
  scanned.target = merged_string(entry, "target");
  scanned.origin = merged_string(entry, "origin");
  const json& port = merged_member(entry, "port");
  scanned.port = port.is_number_unsigned() ? port.get<std::uint16_t>() : 25;
  MailDomain& map = scanned.map;
  map.domain = merged_string(entry, "domain");
  map.error = merged_string(entry, "error");
  map.status = dns_status_named(merged_string(entry, "status"));
  map.null_mx = merged_member(entry, "null_mx") == true;
  map.implicit_mx = merged_member(entry, "implicit_mx") == true;
  const json& hosts = merged_member(entry, "hosts");
  if (!hosts.is_array()) return scanned;
  for (const json& host_json : hosts) {
    MxHost host;
    const json& preference = merged_member(host_json, "preference");
    host.preference = preference.is_number_unsigned() ? preference.get<std::uint16_t>() : 0;
    host.name = merged_string(host_json, "name");
    const json& ttl = merged_member(host_json, "ttl");
    host.ttl = ttl.is_number_unsigned() ? ttl.get<std::uint32_t>() : 0;
    host.error = merged_string(host_json, "error");
    for (const json& hop : merged_member(host_json, "cname_chain")) {
      if (hop.is_string()) host.cname_chain.push_back(hop.get<std::string>());
    }
    for (const json& address_json : merged_member(host_json, "addresses")) {
      MxAddress address;
      address.address = merged_string(address_json, "address");
      address.ipv6 = merged_string(address_json, "family") == "ipv6";
      const json& address_ttl = merged_member(address_json, "ttl");
      address.ttl = address_ttl.is_number_unsigned() ? address_ttl.get<std::uint32_t>() : 0;
      host.addresses.push_back(std::move(address));
    }
    map.hosts.push_back(std::move(host));
  }
  return scanned;
}

// Sorts endpoint keys by family, address bytes, then port: the merged document's order.
std::pair<std::array<unsigned char, 17>, unsigned> endpoint_order(const std::string& key) {
  std::array<unsigned char, 17> bytes{};
  const bool v6 = !key.empty() && key.front() == '[';
  const auto split = v6 ? key.find("]:") : key.rfind(':');
  if (split == std::string::npos) return {bytes, 0};
  const std::string address = v6 ? key.substr(1, split - 1) : key.substr(0, split);
  bytes[0] = v6 ? 6 : 4;
  inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), bytes.data() + 1);
  const std::string port = key.substr(split + (v6 ? 2 : 1));
  return {bytes, static_cast<unsigned>(std::strtoul(port.c_str(), nullptr, 10))};
}

json vantage_entry(const std::string& name, const std::string& file, const json& facts) {
  const json& failing = merged_member(facts, "failing");
  return {{"name", escape_invalid_utf8(name)},
          {"file", escape_invalid_utf8(file)},
          {"verdict", merged_member(facts, "verdict")},
          {"verdict_reason", merged_string(facts, "verdict_reason")},
          {"failing_scripts", failing.is_array() ? failing : json::array()},
          {"shown", false}};
}

EndpointDigest digest_of_facts(const json& facts) {
  EndpointDigest digest;
  digest.key = merged_string(facts, "endpoint");
  digest.verdict = endpoint_verdict_from_string(merged_string(facts, "verdict"))
                       .value_or(EndpointVerdict::inconclusive);
  const json& total = merged_member(facts, "tests_total");
  digest.tests = total.is_number_unsigned() ? total.get<int>() : 0;
  const json& failing = merged_member(facts, "failing");
  digest.tests_failed = failing.is_array() ? static_cast<int>(failing.size()) : 0;
  digest.dnsbl_listed = merged_member(facts, "dnsbl_listed") == true;
  const json& findings = merged_member(facts, "domain_findings");
  if (findings.is_array()) digest.domain_findings = findings;
  return digest;
}

EndpointVerdict verdict_of(const json& endpoint) {
  return endpoint_verdict_from_string(merged_string(endpoint, "verdict"))
      .value_or(EndpointVerdict::inconclusive);
}

// One pick per endpoint key over every part; with vantages, the worst one carries "vantages".
// `rank` is each input's place in the merged order of documents.
std::variant<std::vector<MergePick>, std::string> merged_picks(const std::vector<ShardPart>& parts,
                                                               bool by_vantage) {
  struct Seen {
    MergePick pick;
    EndpointVerdict verdict = EndpointVerdict::closed;
    std::string file;
    json vantages = json::array();
  };
  std::map<std::string, Seen> by_key;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const ShardPart& part = parts[p];
    const json& endpoints = merged_member(part.input->document, "endpoints");
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      const json& endpoint = endpoints[i];
      const std::string key = merged_string(endpoint, "endpoint");
      auto [at, inserted] = by_key.try_emplace(key);
      Seen& seen = at->second;
      if (!inserted && !by_vantage) {
        return terminal_safe(seen.file) + " and " + terminal_safe(part.input->file) +
               " both audited " + terminal_safe(key) +
               ": overlapping shards (give --by-vantage to merge audits from several vantages)";
      }
      if (by_vantage) {
        for (const json& entry : seen.vantages) {
          if (entry["name"] == escape_invalid_utf8(part.vantage)) {
            return terminal_safe(merged_string(entry, "file")) + " and " +
                   terminal_safe(part.input->file) + " both audited " + terminal_safe(key) +
                   " from vantage " + terminal_safe(part.vantage);
          }
        }
        seen.vantages.push_back(vantage_entry(part.vantage, part.input->file, endpoint));
      }
      // The worst verdict is shown; a tie keeps the vantage given first.
      const EndpointVerdict verdict = verdict_of(endpoint);
      if (inserted || worst_of(seen.verdict, verdict) != seen.verdict) {
        seen.pick.input = p;
        seen.pick.index = i;
        seen.pick.key = key;
        seen.pick.digest = digest_of_facts(endpoint);
        seen.verdict = verdict;
        seen.file = part.input->file;
      }
    }
  }
  std::vector<MergePick> picks;
  for (auto& [key, seen] : by_key) {
    if (by_vantage) {
      for (json& entry : seen.vantages) {
        entry["shown"] = entry["file"] == escape_invalid_utf8(seen.file);
      }
      seen.pick.vantages = std::move(seen.vantages);
    }
    picks.push_back(std::move(seen.pick));
  }
  std::stable_sort(picks.begin(), picks.end(), [](const MergePick& a, const MergePick& b) {
    return endpoint_order(a.key) < endpoint_order(b.key);
  });
  for (std::size_t i = 0; i < picks.size(); ++i) picks[i].order = i;
  return picks;
}

json shard_entry(const ShardPart& part) {
  const json& document = part.input->document;
  const json& run = merged_member(document, "run");
  json entry = {
      {"file", escape_invalid_utf8(part.input->file)},
      {"vantage_name", escape_invalid_utf8(part.vantage)},
      {"shard", {{"k", part.k}, {"n", part.n}}},
      {"host", merged_member(run, "host")},
      {"user", merged_member(run, "user")},
      {"started_at", merged_member(document, "started_at")},
      {"finished_at", merged_member(document, "finished_at")},
      {"complete", part.complete},
      {"endpoints", part.audited.size()},
      {"command_line", merged_member(run, "command_line")},
  };
  return entry;
}

}  // namespace

std::variant<MergePlan, std::string> merge_results(const std::vector<MergeInput>& inputs,
                                                   MergeRequest request) {
  if (inputs.empty()) return std::string("nothing to merge");
  if (auto problem = plan_mismatch(inputs)) return *problem;
  if (auto problem = option_mismatch(inputs)) return *problem;
  std::vector<ShardPart> parts(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (auto problem = read_shard_part(inputs[i], parts[i])) return *problem;
  }
  // Each vantage is one audit, sharded or not; without --by-vantage the whole merge is one.
  std::map<std::string, std::vector<const ShardPart*>> audits;
  for (const ShardPart& part : parts) {
    audits[request.by_vantage ? part.vantage : ""].push_back(&part);
  }
  for (const auto& [vantage, audit] : audits) {
    if (auto problem = coverage_problem(audit)) return *problem;
    if (auto problem = simulated_client_mismatch(audit)) return *problem;
  }
  auto picked = merged_picks(parts, request.by_vantage);
  if (auto* problem = std::get_if<std::string>(&picked)) return *problem;
  MergePlan plan;
  plan.picks = std::move(std::get<std::vector<MergePick>>(picked));

  const json& first = inputs.front().document;
  ScanResult result;
  result.started = parse_merge_timestamp(merged_string(first, "started_at"));
  result.finished = parse_merge_timestamp(merged_string(first, "finished_at"));
  json unresolved = json::array();
  for (const ShardPart& part : parts) {
    const json& document = part.input->document;
    result.started =
        std::min(result.started, parse_merge_timestamp(merged_string(document, "started_at")));
    result.finished =
        std::max(result.finished, parse_merge_timestamp(merged_string(document, "finished_at")));
    result.complete = result.complete && part.complete;
    for (const json& problem : merged_member(document, "unresolved")) {
      if (std::find(unresolved.begin(), unresolved.end(), problem) == unresolved.end()) {
        unresolved.push_back(problem);
      }
    }
  }
  result.options = merged_member(first, "options");
  for (const json& zone : merged_member(first, "dnsbl_zones")) {
    if (zone.is_string()) result.dnsbl_zones.push_back(zone.get<std::string>());
  }
  for (const json& domain : merged_member(first, "domains")) {
    result.domains.push_back(scanned_domain_of(domain));
  }
  // summarize() counts the unresolved targets; the entries themselves are copied as written.
  result.unresolved.resize(unresolved.size());
  std::vector<EndpointDigest> digests;
  for (const MergePick& pick : plan.picks) digests.push_back(pick.digest);
  request.run.shards = json::array();
  for (const ShardPart& part : parts) request.run.shards.push_back(shard_entry(part));
  const bool one_vantage = std::all_of(parts.begin(), parts.end(), [&](const ShardPart& part) {
    return part.vantage == parts.front().vantage;
  });
  if (one_vantage) request.run.vantage_name = parts.front().vantage;
  plan.header = results_header_json(result, &request.run, merged_member(first, "scripts"), digests);
  plan.header["unresolved"] = std::move(unresolved);
  // One pass over each input writes its picks.
  std::stable_sort(plan.picks.begin(), plan.picks.end(),
                   [](const MergePick& a, const MergePick& b) {
                     return std::pair(a.input, a.index) < std::pair(b.input, b.index);
                   });
  return plan;
}

}  // namespace relayaudit
