// A structural check of endpoint objects, field by field, following results.schema.json.
#include "reports/endpoint_shape.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "reports/script_key.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using Problem = std::optional<std::string>;
// Checks `value`, found at JSON pointer `at`.
using Check = Problem (*)(const json& value, const std::string& at);

struct Field {
  std::string_view name;
  bool required;
  Check check;
};

Problem wrong(const std::string& at, std::string_view what) {
  return (at.empty() ? "/" : at) + ": " + std::string(what);
}

Problem check_object(const json& value, const std::string& at,
                     std::initializer_list<Field> fields) {
  if (!value.is_object()) return wrong(at, "must be an object");
  for (auto member = value.begin(); member != value.end(); ++member) {
    const std::string& key = member.key();
    const bool known = std::any_of(fields.begin(), fields.end(),
                                   [&](const Field& field) { return field.name == key; });
    if (!known) return wrong(at + "/" + key, "unknown field");
  }
  for (const Field& field : fields) {
    const auto found = value.find(field.name);
    const std::string where = at + "/" + std::string(field.name);
    if (found == value.end()) {
      if (field.required) return wrong(where, "missing");
      continue;
    }
    if (auto problem = field.check(*found, where)) return problem;
  }
  return std::nullopt;
}

Problem string(const json& value, const std::string& at) {
  return value.is_string() ? std::nullopt : wrong(at, "must be a string");
}

// Keys that report and diff match on: "" would match nothing, or everything.
Problem key_string(const json& value, const std::string& at) {
  const bool ok = value.is_string() && !value.get_ref<const std::string&>().empty();
  return ok ? std::nullopt : wrong(at, "must be a non-empty string");
}

Problem nullable_string(const json& value, const std::string& at) {
  return value.is_null() || value.is_string() ? std::nullopt
                                              : wrong(at, "must be a string or null");
}

Problem integer(const json& value, const std::string& at) {
  return value.is_number_integer() ? std::nullopt : wrong(at, "must be an integer");
}

Problem count(const json& value, const std::string& at) {
  const bool ok = value.is_number_unsigned() || (value.is_number_integer() && value >= 0);
  return ok ? std::nullopt : wrong(at, "must be an integer of at least 0");
}

Problem boolean(const json& value, const std::string& at) {
  return value.is_boolean() ? std::nullopt : wrong(at, "must be true or false");
}

Problem strings(const json& value, const std::string& at) {
  if (!value.is_array()) return wrong(at, "must be an array of strings");
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (auto problem = string(value[i], at + "/" + std::to_string(i))) return problem;
  }
  return std::nullopt;
}

template <Check item>
Problem array_of(const json& value, const std::string& at) {
  if (!value.is_array()) return wrong(at, "must be an array");
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (auto problem = item(value[i], at + "/" + std::to_string(i))) return problem;
  }
  return std::nullopt;
}

Problem one_of(const json& value, const std::string& at,
               std::initializer_list<std::string_view> allowed) {
  const bool ok = value.is_string() &&
                  std::find(allowed.begin(), allowed.end(), value.get_ref<const std::string&>()) !=
                      allowed.end();
  if (ok) return std::nullopt;
  std::string list;
  for (auto word : allowed) list += (list.empty() ? "" : ", ") + std::string(word);
  return wrong(at, "must be one of " + list);
}

Problem endpoint_verdict(const json& value, const std::string& at) {
  return one_of(value, at, {"open-relay", "closed", "inconclusive", "unreachable"});
}

Problem test_verdict(const json& value, const std::string& at) {
  return one_of(value, at, {"pass", "fail", "inconclusive", "info"});
}

Problem port(const json& value, const std::string& at) {
  const bool ok = value.is_number_integer() && value >= 0 && value <= 65535;
  return ok ? std::nullopt : wrong(at, "must be an integer from 0 to 65535");
}

Problem ip_version(const json& value, const std::string& at) {
  const bool ok = value.is_number_integer() && (value == 4 || value == 6);
  return ok ? std::nullopt : wrong(at, "must be 4 or 6");
}

Problem reply_code(const json& code, const std::string& where) {
  const bool ok = code.is_number_integer() && code >= 0 && code <= 999;
  return ok ? std::nullopt : wrong(where, "must be an integer from 0 to 999");
}

// 2.0: the text of a reply is its lines; 1.x wrote it as well.
Problem reply(const json& value, const std::string& at) {
  return check_object(
      value, at,
      {{"code", true, reply_code}, {"enhanced", true, nullable_string}, {"lines", true, strings}});
}

Problem reply_1x(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"code", true, reply_code},
                       {"enhanced", true, nullable_string},
                       {"text", true, string},
                       {"lines", true, strings}});
}

template <Check item>
Problem nullable(const json& value, const std::string& at) {
  return value.is_null() ? std::nullopt : item(value, at);
}

Problem direction(const json& dir, const std::string& where) {
  return one_of(dir, where, {"C", "S", "*"});
}

Problem escaped_flag(const json& flag, const std::string& where) {
  return flag == true ? std::nullopt : wrong(where, "must be true when present");
}

// 2.0: [t_ms, session, dir, line] and a fifth element true when the line was escaped.
Problem transcript_line(const json& value, const std::string& at) {
  if (!value.is_array() || value.size() < 4 || value.size() > 5) {
    return wrong(at, "must be an array [t_ms, session, dir, line] or [..., true]");
  }
  static constexpr Check kChecks[] = {integer, count, direction, string, escaped_flag};
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (auto problem = kChecks[i](value[i], at + "/" + std::to_string(i))) return problem;
  }
  return std::nullopt;
}

Problem transcript_line_1x(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"t_ms", true, integer},
                       {"session", true, count},
                       {"dir", true, direction},
                       {"line", true, string},
                       {"escaped", false, escaped_flag}});
}

// [first, count]: lines of the endpoint transcript (checked against its length later).
Problem line_range(const json& value, const std::string& at) {
  if (!value.is_array() || value.size() != 2) return wrong(at, "must be an array [first, count]");
  if (auto problem = count(value[0], at + "/0")) return problem;
  return count(value[1], at + "/1");
}

Problem refused_sender(const json& value, const std::string& at) {
  return check_object(value, at, {{"sender", true, string}, {"reply", true, reply}});
}

Problem refused_sender_1x(const json& value, const std::string& at) {
  return check_object(value, at, {{"sender", true, string}, {"reply", true, reply_1x}});
}

Problem test_path(const json& value, const std::string& at) {
  return one_of(value, at, {"tls", "plain"});
}

Problem nullable_boolean(const json& value, const std::string& at) {
  return value.is_null() || value.is_boolean() ? std::nullopt
                                               : wrong(at, "must be true, false or null");
}

Problem certificate(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"subject", true, string},
                       {"issuer", true, string},
                       {"serial", true, string},
                       {"dns_names", true, strings},
                       {"ip_addresses", true, strings},
                       {"not_before", true, string},
                       {"not_after", true, string},
                       {"days_left", true, integer},
                       {"key_type", true, string},
                       {"key_bits", true, count},
                       {"signature_algorithm", true, string},
                       {"sha256", true, string}});
}

Problem starttls_policy(const json& value, const std::string& at) {
  if (value.is_null()) return std::nullopt;
  return one_of(value, at, {"implicit", "required", "offered", "absent"});
}

Problem version_check(const json& value, const std::string& at) {
  return check_object(
      value, at,
      {{"version", true, string}, {"accepted", true, boolean}, {"detail", true, nullable_string}});
}

Problem tls_probes(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"versions", true, array_of<version_check>},
                       {"starttls_injection", true, nullable_boolean},
                       {"injection_detail", true, nullable_string}});
}

Problem tls(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"starttls_offered", true, boolean},
                       {"implicit", true, boolean},
                       {"established", true, boolean},
                       {"error", true, nullable_string},
                       {"bytes_after_starttls", true, count},
                       {"protocol", false, string},
                       {"cipher", false, string},
                       {"group", false, nullable_string},
                       {"chain_trusted", false, boolean},
                       {"verify_error", false, nullable_string},
                       {"checked_host", false, nullable_string},
                       {"host_matches", false, nullable_boolean},
                       {"certificates", false, array_of<certificate>},
                       {"starttls_policy", false, starttls_policy},
                       {"detected", false, boolean},
                       {"handshakes", false, count},
                       {"resumed", false, count},
                       {"probes", false, tls_probes}});
}

Problem kind(const json& v, const std::string& where) {
  return one_of(v, where, {"relay", "control", "probe"});
}

Problem expectation(const json& v, const std::string& where) {
  return one_of(v, where, {"reject", "accept"});
}

Problem test(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"id", true, key_string},
                       {"refusal", false, string},
                       {"refused_senders", false, array_of<refused_sender>},
                       {"data_reply", false, reply},
                       {"ehlo", true, string},
                       {"mail_domain", false, string},
                       {"mail_from", true, string},
                       {"rcpt_to", true, strings},
                       {"outcome", true, string},
                       {"stage", true, string},
                       {"status", true, string},
                       {"reply", true, nullable<reply>},
                       {"attempts", true, count},
                       {"verdict", true, test_verdict},
                       {"path", false, test_path},
                       {"detail", false, string},
                       {"lines", true, array_of<line_range>}});
}

Problem test_1x(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"id", true, key_string},
                       {"title", true, string},
                       {"kind", true, kind},
                       {"trick", true, string},
                       {"tags", true, strings},
                       {"refusal", false, string},
                       {"refused_senders", false, array_of<refused_sender_1x>},
                       {"data_reply", false, reply_1x},
                       {"severity", true, string},
                       {"expect", true, expectation},
                       {"ehlo", true, string},
                       {"mail_domain", false, string},
                       {"mail_from", true, string},
                       {"rcpt_to", true, strings},
                       {"outcome", true, string},
                       {"stage", true, string},
                       {"status", true, string},
                       {"reply", true, nullable<reply_1x>},
                       {"attempts", true, count},
                       {"verdict", true, test_verdict},
                       {"path", false, test_path},
                       {"detail", false, string},
                       {"transcript", true, array_of<transcript_line_1x>}});
}

template <Check reply_shape>
Problem ehlo(const json& value, const std::string& at) {
  if (value.is_null()) return std::nullopt;
  return check_object(value, at,
                      {{"used_helo", true, boolean},
                       {"server_domain", true, string},
                       {"capabilities", true, strings},
                       {"pipelining", true, boolean},
                       {"starttls", false, boolean},
                       {"reply", true, reply_shape}});
}

Problem nullable_count(const json& value, const std::string& at) {
  return value.is_null() ? std::nullopt : count(value, at);
}

Problem pacing(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"connection_cap", true, count},
                       {"peak_connections", true, count},
                       {"errors_per_connection", true, count},
                       {"syntax_errors_per_connection", true, count},
                       {"error_limit", true, nullable_count},
                       {"syntax_error_limit", true, nullable_count},
                       {"connection_limit_seen", true, boolean},
                       {"tarpit_ms", true, nullable_count},
                       {"greet_wait_ms", true, nullable_count},
                       {"greylist_waits", true, count}});
}

Problem dnsbl_listing(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"zone", true, string},
                       {"query", true, string},
                       {"status", true, string},
                       {"return_codes", true, strings},
                       {"reason", true, nullable_string},
                       {"error", true, nullable_string}});
}

Problem finding(const json& value, const std::string& at) {
  return check_object(value, at,
                      {{"id", true, string},
                       {"severity", true, string},
                       {"message", true, string},
                       {"domain", false, string}});
}

Problem evidence(const json& value, const std::string& at) {
  const auto strength = [](const json& v, const std::string& where) {
    return one_of(v, where, {"direct", "address-form", "weak"});
  };
  return check_object(
      value, at,
      {{"strength", true, strength}, {"sink_suspected", true, boolean}, {"detail", true, string}});
}

Problem unchecked_domains(const json& value, const std::string& at) {
  const bool ok = value.is_number_integer() && value >= 1;
  return ok ? std::nullopt : wrong(at, "must be an integer of at least 1");
}

// Every range of every test names lines the transcript has.
Problem ranges_inside(const json& endpoint) {
  const std::size_t lines = endpoint["transcript"].size();
  const json& tests = endpoint["tests"];
  for (std::size_t t = 0; t < tests.size(); ++t) {
    const json& ranges = tests[t]["lines"];
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      const auto first = ranges[r][0].get<std::uint64_t>();
      const auto count = ranges[r][1].get<std::uint64_t>();
      if (first > lines || count > lines - first) {
        return wrong("/tests/" + std::to_string(t) + "/lines/" + std::to_string(r),
                     "reaches past the " + std::to_string(lines) + " transcript lines");
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> endpoint_shape_problem(const json& endpoint) {
  auto problem = check_object(endpoint, "",
                              {{"endpoint", true, key_string},
                               {"address", true, string},
                               {"port", true, port},
                               {"ip_version", true, ip_version},
                               {"host_name", true, nullable_string},
                               {"targets", true, strings},
                               {"mail_domain_declared", false, string},
                               {"mail_domains", false, strings},
                               {"dnsbl", false, array_of<dnsbl_listing>},
                               {"domains_unchecked", false, unchecked_domains},
                               {"verdict", true, endpoint_verdict},
                               {"verdict_reason", true, string},
                               {"status", true, string},
                               {"stage", true, string},
                               {"error", false, string},
                               {"connections", true, count},
                               {"round_trips", true, count},
                               {"started_ms", true, integer},
                               {"finished_ms", true, integer},
                               {"banner", true, nullable<reply>},
                               {"ehlo", true, ehlo<reply>},
                               {"tests", true, array_of<test>},
                               {"evidence", false, evidence},
                               {"tls", false, tls},
                               {"pacing", false, pacing},
                               {"findings", false, array_of<finding>},
                               {"transcript", true, array_of<transcript_line>}});
  if (problem) return problem;
  if (auto repeated = repeated_script(endpoint["tests"])) return repeated;
  return ranges_inside(endpoint);
}

std::optional<std::string> endpoint_shape_problem_1x(const json& endpoint) {
  auto problem = check_object(endpoint, "",
                              {{"endpoint", true, key_string},
                               {"address", true, string},
                               {"port", true, port},
                               {"ip_version", true, ip_version},
                               {"host_name", true, nullable_string},
                               {"targets", true, strings},
                               {"mail_domains", false, strings},
                               {"dnsbl", false, array_of<dnsbl_listing>},
                               {"domains_unchecked", false, unchecked_domains},
                               {"verdict", true, endpoint_verdict},
                               {"verdict_reason", true, string},
                               {"status", true, string},
                               {"stage", true, string},
                               {"error", false, string},
                               {"connections", true, count},
                               {"round_trips", true, count},
                               {"started_ms", true, integer},
                               {"finished_ms", true, integer},
                               {"banner", true, nullable<reply_1x>},
                               {"ehlo", true, ehlo<reply_1x>},
                               {"tests", true, array_of<test_1x>},
                               {"evidence", false, evidence},
                               {"tls", false, tls},
                               {"findings", false, array_of<finding>},
                               {"transcript", true, array_of<transcript_line_1x>}});
  if (problem) return problem;
  return repeated_script(endpoint["tests"]);
}

}  // namespace relayaudit
