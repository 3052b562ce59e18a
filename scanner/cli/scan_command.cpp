// `relayaudit scan`: option parsing and validation; nothing connects before input is valid.
#include "cli/scan_command.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/dry_run.hpp"
#include "cli/error_list.hpp"
#include "cli/exit_codes.hpp"
#include "cli/scan_execution.hpp"
#include "cli/scan_outputs.hpp"
#include "cli/scan_stream.hpp"
#include "cli/script_plan.hpp"
#include "dns/dns_server.hpp"
#include "dns/mx_report.hpp"
#include "reports/safe_text.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit {
namespace {

bool set_duration(const std::string& flag, const std::string& text, Millis& out) {
  const auto parsed = parse_duration(text);
  if (!parsed || parsed->count() == 0) {
    std::cerr << "relayaudit: " << flag << " '" << terminal_safe(text)
              << "': not a duration (examples: 500ms, 10s, 2m)\n";
    return false;
  }
  out = *parsed;
  return true;
}

bool valid_address(const std::string& flag, const std::string& address) {
  const auto at = address.rfind('@');
  const bool ok = at != std::string::npos && at > 0 && at + 1 < address.size() &&
                  address.find_first_of(" <>\t\r\n") == std::string::npos;
  if (!ok)
    std::cerr << "relayaudit: " << flag << " '" << terminal_safe(address)
              << "': not an address (user@domain)\n";
  return ok;
}

// RFC 5321 section 4.5.3.1.2: a domain is at most 255 octets; it goes into every EHLO line.
std::optional<std::string> ehlo_name_problem(const std::string& name) {
  constexpr std::size_t kMaxDomainOctets = 255;
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxDomainOctets) {
    return "longer than " + std::to_string(kMaxDomainOctets) + " octets (RFC 5321)";
  }
  const bool bad_byte = std::any_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
  if (bad_byte) return "not a host name (spaces and control bytes are not allowed)";
  return std::nullopt;
}

// --xclient, or --proxy-protocol with --proxy-source: at most one vantage, a valid IP address.
bool set_vantage(ScanCommandOptions& options) {
  Vantage& vantage = options.audit.session.vantage;
  const bool proxy = !options.proxy_protocol.empty() || !options.proxy_source.empty();
  if (!options.xclient.empty() && proxy) {
    std::cerr << "relayaudit: --xclient and --proxy-protocol both name the client: give one\n";
    return false;
  }
  if (proxy && (options.proxy_protocol.empty() || options.proxy_source.empty())) {
    std::cerr << "relayaudit: --proxy-protocol and --proxy-source go together: give both\n";
    return false;
  }
  if (options.xclient.empty() && !proxy) return true;
  const std::string& flag = proxy ? "--proxy-source" : "--xclient";
  const std::string& text = proxy ? options.proxy_source : options.xclient;
  std::string problem;
  const auto client = parse_vantage_client(text, problem);
  if (!client) {
    std::cerr << "relayaudit: " << flag << " '" << terminal_safe(text) << "': " << problem << "\n";
    return false;
  }
  vantage.mode = !proxy                           ? VantageMode::xclient
                 : options.proxy_protocol == "v1" ? VantageMode::proxy_v1
                                                  : VantageMode::proxy_v2;
  vantage.client = client->canonical;
  vantage.client_ipv6 = client->ipv6;
  return true;
}

}  // namespace

void register_scan_command(CLI::App& app, ScanCommandOptions& options) {
  CLI::App* scan = app.add_subcommand("scan", "Audit SMTP endpoints for open relaying");
  scan->fallthrough();  // `scan --config FILE`: that option belongs to the top-level app
  scan->add_option("targets", options.targets,
                   "mail domain (every address of every MX), host:port, IPv4[:port], "
                   "[IPv6]:port, IPv6 or CIDR");
  scan->add_option(
      "-f,--targets-file", options.target_files,
      "File with one target per line ('#' comments, blank lines ignored; lines up to 4096 "
      "bytes, files up to 64 MiB; - reads standard input; repeatable)");
  scan->add_option(
      "-o,--output", options.output,
      "Write the JSON results here (a file atomically, a device or FIFO in place; - for "
      "stdout, which moves the summary to stderr)");
  add_report_output_options(*scan, options.reports);
  scan->add_option("--jsonl", options.jsonl,
                   "Stream one JSON line per finished endpoint here (a killed scan loses none)");
  scan->add_option("--resume", options.resume,
                   "Continue an interrupted scan: skip the endpoints already in this --jsonl file "
                   "and append the rest to it (a last line cut short by the crash is cut off; "
                   "any other bad line is an error)");
  scan->add_flag("--resume-if-exists", options.resume_if_exists,
                 "With --resume: a missing file starts a new stream there (the first run of a "
                 "scheduled job) instead of being an error");
  scan->add_flag("--jsonl-overwrite", options.jsonl_overwrite,
                 "Empty an existing --jsonl file first (without it, or --resume, a file that "
                 "already holds a stream is an error)");
  scan->add_flag("--lab", options.lab, "Start the built-in lab of simulated gateways and audit it");
  scan->add_flag("--dry-run", options.dry_run,
                 "Check every option, target, script and output, print what would be audited, "
                 "and exit 0 without resolving a name or opening a connection");
  scan->add_option("-p,--port", options.default_port, "Port for targets that name none")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  scan->add_option("-c,--concurrency", options.concurrency, "Open SMTP connections at most")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  scan->add_option("--per-endpoint", options.audit.connections_per_endpoint,
                   "Most connections to one endpoint at once; a 421 for too many connections "
                   "lowers it for that endpoint")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  scan->add_option("--errors-per-connection,--tests-per-connection",
                   options.audit.tests_per_connection,
                   "Failing commands on one connection before a fresh one, until the server shows "
                   "a lower limit (Postfix slows down after 10 errors)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  scan->add_option("--syntax-errors-per-connection", options.audit.syntax_errors_per_connection,
                   "Of those, tests that draw syntax errors (address forms; Exim hangs up after 3)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  scan->add_option("--transcript-cap", options.audit.transcript_cap,
                   "Transcript bytes kept per endpoint; past it, lines keep their first 96 bytes "
                   "and a note says how much was cut (verdicts use the whole replies)")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->capture_default_str();
  scan->add_option("--max-attempts", options.audit.max_attempts,
                   "Tries per test after 421/dropped connections, and fruitless connections in a "
                   "row before giving up")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  scan->add_option("--greylist-retries", options.audit.greylist_retries,
                   "Retries of a test answered 4xx at RCPT (greylisting) before it is 'deferred'")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  scan->add_option("--greylist-delay", options.greylist_delay,
                   "Wait before each greylisting retry (default 60s; 2s with --lab)");
  scan->add_option("--connect-timeout", options.connect_timeout, "TCP connect timeout")
      ->capture_default_str();
  scan->add_option("--banner-timeout", options.banner_timeout, "Wait for the final 220 line")
      ->capture_default_str();
  scan->add_option("--reply-timeout", options.reply_timeout, "Wait for each later reply")
      ->capture_default_str();
  options.audit.session.ehlo_name = "relayaudit.invalid";
  scan->add_option("--ehlo-name", options.audit.session.ehlo_name,
                   "FQDN announced in EHLO/HELO (at most 255 octets)")
      ->capture_default_str();
  scan->add_option("--external-from", options.audit.external_from,
                   "External sender address used by relay attempts")
      ->capture_default_str();
  scan->add_option("--external-to", options.audit.external_to,
                   "External recipient: must never be deliverable")
      ->capture_default_str();
  scan->add_option("--mail-domain", options.audit.mail_domain,
                   "The domain host and address targets receive mail for (DNS gives it for mail "
                   "domains): {target_domain} in the scripts, and the first postmaster form the "
                   "control asks");
  scan->add_option("--xclient", options.xclient,
                   "Audit as a client at this IP address: after EHLO (and STARTTLS) send Postfix "
                   "XCLIENT ADDR=...; a server that does not offer or refuses it is "
                   "inconclusive, never audited from our own address");
  scan->add_option("--proxy-protocol", options.proxy_protocol,
                   "Send a PROXY protocol header (v1 or v2) first on every connection, naming "
                   "--proxy-source as the client; for servers behind a load balancer")
      ->check(CLI::IsMember({"v1", "v2"}));
  scan->add_option("--proxy-source", options.proxy_source,
                   "The client IP address the PROXY header names (with --proxy-protocol)");
  scan->add_option("--tests", options.tests, "Script ids or tags to run (default: all)")
      ->delimiter(',');
  scan->add_option("--tests-dir", options.tests_dirs,
                   "Directory of extra JSON relay scripts (regular *.json files of at most 256 "
                   "KiB; anything else named *.json is an error)");
  scan->add_flag("--no-pipelining", options.no_pipelining,
                 "Send one command per round trip even when PIPELINING is advertised");
  scan->add_option("--tls", options.tls,
                   "auto: upgrade with STARTTLS when offered (the baseline attempts and controls "
                   "also run once in plaintext) and speak TLS from the first byte on port 465; "
                   "both: the whole plan inside TLS and in plaintext; never: plaintext only")
      ->check(CLI::IsMember({"auto", "both", "never"}))
      ->capture_default_str();
  scan->add_option("--tls-detect-after", options.tls_detect_after,
                   "A port silent this long after connecting is tried once with TLS from the "
                   "first byte before the full banner wait (0s: never)")
      ->capture_default_str();
  scan->add_option("--ca-file", options.ca_file,
                   "PEM file of trusted CA certificates for the TLS facts (default: the system "
                   "store); verification is reported, never enforced");
  scan->add_option("--tls-probe", options.tls_probes,
                   "Extra connections to endpoints that reached TLS, after their plan (findings, "
                   "never verdicts): versions (handshakes pinned to TLSv1 and to TLSv1.1), "
                   "injection (STARTTLS and NOOP in one write, CVE-2011-0411); repeatable or "
                   "comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember({"versions", "injection"}));
  scan->add_option("--fail-on", options.fail_on,
                   "inconclusive (default): exit 1 on an open relay, else 3 when an endpoint is "
                   "inconclusive or unreachable or a target did not resolve; open-relay: exit 1 "
                   "on open relays only, 0 otherwise")
      ->check(CLI::IsMember({"open-relay", "inconclusive"}))
      ->capture_default_str();
  scan->add_flag("--confirm-data", options.audit.confirm_data,
                 "After a relay attempt is accepted, send DATA and hang up on 354 before any "
                 "content (opt-in; nothing is delivered, but the server sees a DATA command)");
  scan->add_option("--domain-controls", options.audit.domain_controls,
                   "Per endpoint, ask postmaster@ of at most this many of the mail domains it "
                   "serves (the backup-MX consistency check)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  scan->add_option("--max-domain-endpoints", options.max_domain_endpoints,
                   "Audit at most this many MX addresses per mail domain (a broken or hostile "
                   "zone can list thousands)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  scan->add_option(
      "--resolver", options.resolvers,
      "DNS server for every name (mail domains, hosts, DNSBLs), ip[:port] or [v6]:port "
      "(repeatable; default: the nameservers of /etc/resolv.conf)");
  scan->add_option("--dnsbl", options.dnsbl_zones,
                   "Check every gateway address on these DNS blocklist zones (zone[,zone])")
      ->delimiter(',');
  scan->add_option("--dns-timeout", options.dns_timeout, "Timeout of each DNS attempt")
      ->capture_default_str();
  scan->add_option("--shard", options.shard,
                   "Audit only part K of N of the expanded endpoints (K/N, 1 <= K <= N), chosen "
                   "by fnv1a64(address|port) mod N + 1; auto reads JOB_COMPLETION_INDEX "
                   "(Kubernetes) or CI_NODE_INDEX/CI_NODE_TOTAL (GitLab). Join with 'merge'")
      ->type_name("K/N|auto");
  scan->add_option("--shards", options.shards,
                   "The shard count for --shard auto under Kubernetes (else RELAYAUDIT_SHARDS)")
      ->check(CLI::Range(1, 100000));
  scan->add_option("--vantage-name", options.vantage_name,
                   "Name of the place this scan runs from, for 'merge --by-vantage' (default: "
                   "the host name)");
  scan->add_flag("-q,--quiet", options.quiet, "No summary and no progress line");
  scan->add_option("--color", options.color,
                   "Color the summary: auto (on a terminal, unless NO_COLOR is set), always, "
                   "never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  scan->add_flag("-v,--verbose", options.verbose, "Log every transcript line live on stderr");
}

int run_scan_command(ScanCommandOptions& options) {
  AuditOptions& audit = options.audit;
  SessionTimeouts& timeouts = audit.session.timeouts;
  if (options.greylist_delay.empty()) options.greylist_delay = options.lab ? "2s" : "60s";
  if (!set_duration("--connect-timeout", options.connect_timeout, timeouts.connect) ||
      !set_duration("--banner-timeout", options.banner_timeout, timeouts.banner) ||
      !set_duration("--reply-timeout", options.reply_timeout, timeouts.reply) ||

      !set_duration("--greylist-delay", options.greylist_delay, audit.greylist_delay) ||
      !valid_address("--external-from", audit.external_from) ||
      !valid_address("--external-to", audit.external_to)) {
    return kExitUsage;
  }
  if (auto problem = ehlo_name_problem(audit.session.ehlo_name)) {
    std::cerr << "relayaudit: --ehlo-name '" << terminal_safe(audit.session.ehlo_name)
              << "': " << *problem << "\n";
    return kExitUsage;
  }
  if (!options.shard.empty()) {
    auto choice = parse_shard_option(options.shard, options.shards, process_environment);
    if (auto* problem = std::get_if<std::string>(&choice)) {
      std::cerr << "relayaudit: " << *problem << "\n";
      return kExitUsage;
    }
    options.shard_choice = std::get<ShardChoice>(choice);
    if (options.lab) {
      // Each shard's own lab would serve other ports: the shards could never be merged.
      std::cerr << "relayaudit: --shard with --lab: every shard would audit a lab of its own; "
                   "serve one with 'relayaudit lab --endpoints-file F' and shard 'scan -f F'\n";
      return kExitUsage;
    }
  } else if (options.shards != 0) {
    std::cerr << "relayaudit: --shards " << options.shards << " needs --shard auto\n";
    return kExitUsage;
  }
  if (auto problem = dns_servers_problem(options.resolvers)) {
    std::cerr << "relayaudit: --" << terminal_safe(*problem) << "\n";
    return kExitUsage;
  }
  if (!options.audit.mail_domain.empty()) {
    if (auto problem = mail_domain_problem(options.audit.mail_domain)) {
      std::cerr << "relayaudit: --mail-domain '" << terminal_safe(options.audit.mail_domain)
                << "': " << *problem << "\n";
      return kExitUsage;
    }
    std::string& domain = options.audit.mail_domain;
    std::transform(domain.begin(), domain.end(), domain.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (domain.back() == '.') domain.pop_back();
  }
  for (auto& zone : options.dnsbl_zones) {
    if (auto problem = mail_domain_problem(zone)) {
      std::cerr << "relayaudit: --dnsbl '" << terminal_safe(zone) << "': " << *problem << "\n";
      return kExitUsage;
    }
  }
  if (!set_duration("--dns-timeout", options.dns_timeout, options.dns_timeout_ms)) {
    return kExitUsage;
  }
  if (!set_vantage(options)) return kExitUsage;
  audit.session.use_pipelining = !options.no_pipelining;
  if (const auto silence = parse_duration(options.tls_detect_after)) {
    // 0s turns detection off: the silence wait never ends before the banner wait.
    timeouts.silence = silence->count() == 0 ? timeouts.banner : *silence;
  } else {
    std::cerr << "relayaudit: --tls-detect-after '" << terminal_safe(options.tls_detect_after)
              << "': not a duration (examples: 0s, 500ms, 5s)\n";
    return kExitUsage;
  }
  audit.tls_paths = options.tls == "both" ? TlsPaths::both : TlsPaths::baseline_plaintext;
  for (const std::string& probe : options.tls_probes) {
    audit.tls_probe_versions = audit.tls_probe_versions || probe == "versions";
    audit.tls_probe_injection = audit.tls_probe_injection || probe == "injection";
  }
  if (!options.tls_probes.empty() && options.tls == "never") {
    std::cerr << "relayaudit: --tls-probe needs TLS, but --tls is never\n";
    return kExitUsage;
  }
  if (options.tls != "never") {
    auto context = TlsContext::client(options.ca_file);
    if (auto* problem = std::get_if<std::string>(&context)) {
      std::cerr << "relayaudit: --ca-file: " << terminal_safe(*problem) << "\n";
      return kExitUsage;
    }
    options.tls_context.emplace(std::move(std::get<TlsContext>(context)));
    audit.session.tls_context = &*options.tls_context;
  }
  if (audit.confirm_data) {
    std::cerr
        << "relayaudit: WARNING: --confirm-data sends DATA after every accepted relay attempt "
           "and hangs up on 354 before any content. Nothing is delivered, but the server "
           "logs a DATA command from this host. Use it only on servers you may test.\n";
  }

  if (!options.resume.empty()) {
    if (options.jsonl_overwrite) {
      std::cerr << "relayaudit: --resume continues a stream and --jsonl-overwrite empties it: "
                   "give one of them\n";
      return kExitUsage;
    }
    if (!options.jsonl.empty() && options.jsonl != options.resume) {
      std::cerr << "relayaudit: --resume " << terminal_safe(options.resume)
                << " appends to that file; --jsonl " << terminal_safe(options.jsonl)
                << " must name the same file or be left out\n";
      return kExitUsage;
    }
    // A mistyped path must not silently re-audit a whole fleet into a new file.
    std::error_code ignored;
    if (!std::filesystem::exists(options.resume, ignored) && !options.resume_if_exists) {
      std::cerr << "relayaudit: --resume " << terminal_safe(options.resume)
                << ": no such file; give --resume-if-exists to start a new stream there when it "
                   "is missing\n";
      return kExitUsage;
    }
    options.jsonl = options.resume;
  } else if (options.resume_if_exists) {
    std::cerr << "relayaudit: --resume-if-exists needs --resume FILE\n";
    return kExitUsage;
  }
  if (auto problem = scan_outputs_problem(options)) {
    std::cerr << "relayaudit: " << *problem << "; nothing was scanned\n";
    return kExitUsage;
  }
  const auto port = static_cast<std::uint16_t>(options.default_port);
  std::vector<Target> targets;
  std::vector<std::string> errors;
  std::size_t errors_not_kept = 0;
  for (const auto& spec : options.targets) {
    auto parsed = parse_target(spec, "argument", port);
    if (auto* target = std::get_if<Target>(&parsed))
      targets.push_back(std::move(*target));
    else
      errors.push_back(std::move(std::get<TargetError>(parsed).message));
  }
  for (const auto& file : options.target_files) {
    ParsedTargets parsed = parse_target_file(file, port);
    // An empty list is a broken generator or a wrong path, not a fleet with nothing to audit.
    if (parsed.targets.empty() && parsed.errors.empty()) {
      errors.push_back((file == "-" ? std::string("stdin") : file) +
                       ": no targets in it (empty, or only comments and blank lines)");
    }
    for (auto& target : parsed.targets) targets.push_back(std::move(target));
    for (auto& error : parsed.errors) errors.push_back(std::move(error.message));
    errors_not_kept += parsed.errors_not_kept;
  }
  if (!audit.session.tls_context) {
    // An smtps:// target cannot be audited without TLS: say so now, not after the timeouts.
    for (const Target& target : targets) {
      if (!target.implicit_tls) continue;
      errors.push_back(target.origin + ": '" + terminal_safe(target.spec) +
                       "': implicit TLS (smtps://) needs TLS, but --tls is never");
    }
  }
  if (!errors.empty()) {
    print_error_list(std::cerr, errors, errors_not_kept);
    std::cerr << "relayaudit: " << errors.size() + errors_not_kept
              << " bad target(s); nothing was scanned\n";
    return kExitUsage;
  }
  if (targets.empty() && !options.lab) {
    std::cerr << "relayaudit: no targets: give TARGET..., -f FILE or --lab\n";
    return kExitUsage;
  }
  auto plan = load_script_plan(options.tests_dirs, options.tests);
  if (auto* errors = std::get_if<std::vector<std::string>>(&plan)) {
    print_error_list(std::cerr, *errors);
    return kExitUsage;
  }
  if (options.dry_run) {
    print_dry_run(std::cout, options, targets, std::get<std::vector<RelayScript>>(plan));
    return kExitClean;
  }
  // Last, once every other input is valid: this may cut a torn line off the stream.
  auto resumed = prepare_jsonl_stream(options);
  if (auto* code = std::get_if<int>(&resumed)) return *code;
  return execute_scan(options, std::move(targets),
                      std::move(std::get<std::vector<RelayScript>>(plan)),
                      std::move(std::get<std::vector<nlohmann::json>>(resumed)));
}

}  // namespace relayaudit
