// The scan run: loop set-up, optional in-process lab, progress, results and exit code.
#include "cli/scan_execution.hpp"
#include "reports/summary.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <cstdlib>
#include <functional>

#include <iostream>
#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/exit_codes.hpp"
#include "cli/interrupt_watch.hpp"
#include "cli/run_provenance.hpp"
#include "cli/scan_outputs.hpp"
#include "cli/scan_stream.hpp"
#include "lab/lab_server.hpp"
#include "reports/endpoint_json.hpp"
#include "reports/finished_endpoints.hpp"
#include "reports/jsonl_stream.hpp"
#include "reports/results_json.hpp"
#include "reports/safe_text.hpp"
#include "reports/script_catalog.hpp"
#include "reports/shard_key.hpp"
#include "reports/text_summary.hpp"
#include "scheduler/scan_runner.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit {
namespace {

nlohmann::json describe_options(const ScanCommandOptions& options) {
  const AuditOptions& audit = options.audit;
  return {
      {"targets", options.targets},
      {"targets_files", options.target_files},
      {"lab", options.lab},
      {"concurrency", options.concurrency},
      {"connections_per_endpoint", audit.connections_per_endpoint},
      {"tests_per_connection", audit.tests_per_connection},
      {"syntax_errors_per_connection", audit.syntax_errors_per_connection},
      {"transcript_cap", audit.transcript_cap},
      {"max_attempts", audit.max_attempts},
      {"greylist_retries", audit.greylist_retries},
      {"greylist_delay_ms", audit.greylist_delay.count()},
      {"connect_timeout_ms", audit.session.timeouts.connect.count()},
      {"banner_timeout_ms", audit.session.timeouts.banner.count()},
      {"reply_timeout_ms", audit.session.timeouts.reply.count()},
      {"ehlo_name", audit.session.ehlo_name},
      {"external_from", audit.external_from},
      {"external_to", audit.external_to},
      {"mail_domain",
       audit.mail_domain.empty() ? nlohmann::json(nullptr) : nlohmann::json(audit.mail_domain)},
      {"pipelining", audit.session.use_pipelining},
      {"tls", options.tls},
      {"ca_file", options.ca_file},
      {"tls_probes", options.tls_probes},
      {"tests", options.tests},
      {"tests_dirs", options.tests_dirs},
      {"fail_on", options.fail_on},
      {"confirm_data", audit.confirm_data},
      {"jsonl", options.jsonl},
      {"resume", options.resume},
      {"jsonl_overwrite", options.jsonl_overwrite},
      {"resolvers", options.resolvers},
      {"dnsbl", options.dnsbl_zones},
      {"dns_timeout_ms", options.dns_timeout_ms.count()},
      {"domain_controls", audit.domain_controls},
      {"max_domain_endpoints", options.max_domain_endpoints},
  };
}

int exit_code_for(const ScanSummary& summary, const std::string& fail_on) {
  if (summary.open_relay > 0) return kExitOpenRelay;
  const bool unsettled =
      summary.inconclusive > 0 || summary.unreachable > 0 || summary.unresolved > 0;
  if (fail_on == "inconclusive" && unsettled) return kExitInconclusive;
  return kExitClean;
}

// The spill file goes next to -o, or to $TMPDIR when that directory does not take it.
std::optional<std::string> keep_endpoint_texts(const ScanCommandOptions& options,
                                               FinishedEndpoints& finished) {
  if (!scan_needs_endpoints(options)) return std::nullopt;
  const std::filesystem::path preferred = spill_directory(options.output);
  const auto error = finished.keep_texts(preferred);
  if (!error) return std::nullopt;
  const std::filesystem::path fallback = spill_directory("");
  if (fallback == preferred) return error;
  return finished.keep_texts(fallback);
}

// Descriptors kept free for DNS sockets, the lab, the outputs and the spill file.
constexpr std::size_t kFilesBesideConnections = 64;

}  // namespace

std::size_t raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<std::size_t>(limit.rlim_cur);
}

int execute_scan(ScanCommandOptions& options, std::vector<Target> targets,
                 std::vector<RelayScript> scripts, std::vector<nlohmann::json> resumed) {
  const std::size_t file_limit = raise_file_limit();
  int code = kExitClean;
  auto log = spdlog::stderr_color_mt("scan");
  log->set_pattern("%v");
  // Sockets beyond the open-file limit would fail as EMFILE, each read as an unreachable server.
  const std::size_t usable = file_limit > kFilesBesideConnections * 2
                                 ? file_limit - kFilesBesideConnections
                                 : file_limit / 2;
  if (static_cast<std::size_t>(options.concurrency) > usable) {
    log->warn("relayaudit: --concurrency {} lowered to {}: the open-file limit is {} (ulimit -n)",
              options.concurrency, usable, file_limit);
    options.concurrency = static_cast<int>(usable);
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  options.audit.session.clock_origin_ms = uv_now(&loop);
  if (options.verbose) {
    options.audit.session.on_line = [log](const std::string& endpoint, const TranscriptLine& line) {
      log->info("{:>8}ms {} {} {}", line.at_ms, endpoint, direction_name(line.direction),
                terminal_safe(line.line));
    };
  }
  // With results on stdout ("-o -") the summary must not be mixed into them.
  const bool summary_to_stderr = scan_writes_standard_output(options);
  // NO_COLOR (no-color.org): any non-empty value turns color off unless --color always.
  const char* no_color = std::getenv("NO_COLOR");
  const bool summary_color =
      options.color == "always" ||
      (options.color == "auto" && (no_color == nullptr || *no_color == '\0') &&
       isatty(summary_to_stderr ? STDERR_FILENO : STDOUT_FILENO) == 1);

  // Finished endpoints go to disk; only their digests stay in memory.
  FinishedEndpoints finished;
  if (auto error = keep_endpoint_texts(options, finished)) {
    std::cerr << "relayaudit: " << *error << "\n";
    return kExitRuntime;
  }
  nlohmann::json document_scripts = scripts_json(scripts);
  if (!options.resume.empty()) {
    auto read = resume_finished_endpoints(options.resume, finished);
    if (auto* error = std::get_if<std::string>(&read)) {
      std::cerr << "relayaudit: --resume: " << *error << "\n";
      return kExitRuntime;
    }
    // The plan's own facts win over what an earlier run recorded.
    for (auto& [id, facts] : std::get<nlohmann::json>(read).items()) {
      if (!document_scripts.contains(id)) document_scripts[id] = std::move(facts);
    }
  }

  JsonlStream jsonl;
  if (!options.jsonl.empty()) {
    auto error = jsonl.open(options.jsonl, options.jsonl_overwrite);
    // Each run starts its part of the stream with what its scripts are.
    if (!error) {
      error = jsonl.append(jsonl_header_json(scripts_json(scripts),
                                             format_timestamp(std::chrono::system_clock::now())));
    }
    if (error) {
      std::cerr << "relayaudit: --jsonl: " << *error << "\n";
      return kExitRuntime;
    }
  }
  std::unique_ptr<LabServer> lab;
  if (options.lab) {
    // A gentler tarpit than the lab's default keeps the demo short; the tests use the default.
    LabOptions lab_options;
    lab_options.tarpit_banner_delay = Millis(800);
    lab_options.tarpit_reply_delay = Millis(40);
    lab = std::make_unique<LabServer>(&loop, lab_options);
    if (auto error = lab->start(default_lab_fleet())) {
      std::cerr << "relayaudit: cannot start the lab: " << *error << "\n";
      lab->close();
      uv_run(&loop, UV_RUN_DEFAULT);
      return kExitRuntime;
    }
    for (const auto& gateway : lab->gateways()) {
      auto parsed =
          parse_target(gateway.scan_target(), "lab " + std::string(to_string(gateway.profile)));
      if (auto* target = std::get_if<Target>(&parsed)) targets.push_back(std::move(*target));
    }
  }

  RunProvenance run =
      collect_run_provenance(options.command_line, scripts, options.audit.session.vantage);
  run.vantage_name = !options.vantage_name.empty() ? std::optional(options.vantage_name) : run.host;
  ScanPlan plan;
  std::vector<std::string> shard_skipped;
  if (options.shard_choice) {
    plan.audit_filter = [choice = *options.shard_choice, &shard_skipped](const Endpoint& endpoint) {
      if (shard_of(endpoint.address, endpoint.port, choice.n) == choice.k) return true;
      shard_skipped.push_back(endpoint.key());
      return false;
    };
  }
  for (const auto& endpoint : resumed) plan.skip.insert(endpoint.value("endpoint", std::string()));
  plan.targets = std::move(targets);
  plan.scripts = std::move(scripts);
  plan.options = options.audit;
  plan.concurrency = static_cast<std::size_t>(options.concurrency);
  plan.dns.servers = options.resolvers;
  plan.dns.timeout = options.dns_timeout_ms;
  plan.dnsbl_zones = options.dnsbl_zones;
  plan.max_endpoints_per_domain = static_cast<std::size_t>(options.max_domain_endpoints);
  plan.keep_endpoints = false;
  ScanRunner runner(&loop, std::move(plan));

  const bool show_progress = !options.quiet && !options.verbose && isatty(STDERR_FILENO) == 1;
  int open_so_far = 0;
  int done_so_far = 0;
  int total_so_far = 0;
  const std::uint64_t started_ms = uv_now(&loop);
  std::function<void()> redraw_progress = [&] {
    const ScanRunner::Waiting waiting = runner.waiting();
    ScanProgress progress{
        done_so_far,         total_so_far,
        open_so_far,         static_cast<std::int64_t>(uv_now(&loop) - started_ms),
        waiting.greylisting, static_cast<std::int64_t>(waiting.longest_wait_ms)};
    std::cerr << "\r\033[K" << progress_line(progress) << std::flush;
  };
  std::optional<std::string> jsonl_error;
  std::optional<std::string> spill_error;
  runner.on_endpoint_done(
      [&](const EndpointResult& result, std::size_t index, std::size_t done, std::size_t total) {
        if (result.verdict == EndpointVerdict::open_relay) ++open_so_far;
        // Serialised once: the same line goes to the stream and to the spill.
        const std::string line = endpoint_text(result);
        if (jsonl.is_open() && !jsonl_error) jsonl_error = jsonl.append_text(line);
        EndpointDigest digest = digest_of(result);
        if (!options.quiet) digest.summary_text = endpoint_summary_text(result, summary_color);
        if (auto error = finished.add(std::move(digest), line, index); error && !spill_error) {
          spill_error = std::move(error);
        }
        done_so_far = static_cast<int>(done);
        total_so_far = static_cast<int>(total);
        if (show_progress) redraw_progress();
      });
  // Redrawn every second too: a scan waiting on greylisting still says what it waits for.
  uv_timer_t progress_timer{};
  uv_timer_init(&loop, &progress_timer);
  progress_timer.data = &redraw_progress;
  if (show_progress) {
    uv_timer_start(
        &progress_timer,
        [](uv_timer_t* timer) { (*static_cast<std::function<void()>*>(timer->data))(); }, 1000,
        1000);
  }
  int interrupted_by = 0;
  InterruptWatch interrupts(&loop, [&](int signal) {
    interrupted_by = signal;
    // On its own line, not after the progress line.
    if (show_progress) std::cerr << "\r\033[K" << std::flush;
    log->warn(
        "relayaudit: {} received: stopping; finished endpoints are kept and the results "
        "are marked incomplete (send it again to quit at once)",
        signal == SIGINT ? "SIGINT" : "SIGTERM");
    runner.cancel();
  });
  runner.on_finished([&] {
    if (lab) lab->close();
    interrupts.close();
    uv_close(reinterpret_cast<uv_handle_t*>(&progress_timer), nullptr);
  });
  runner.start();
  uv_run(&loop, UV_RUN_DEFAULT);
  if (show_progress) std::cerr << "\r\033[K" << std::flush;

  ScanResult result = runner.take_result();
  if (options.shard_choice) {
    run.shard =
        ShardRecord{options.shard_choice->k, options.shard_choice->n, std::move(shard_skipped)};
  }
  result.options = describe_options(options);
  finished.arrange();
  if (jsonl_error) {
    std::cerr << "relayaudit: --jsonl: " << *jsonl_error << "\n";
    code = kExitRuntime;
  }
  if (spill_error) {
    std::cerr << "relayaudit: " << *spill_error << "\n";
    code = kExitRuntime;
  }
  const ScanSummary summary = summarize(result, finished.digests());
  code = std::max(code, exit_code_for(summary, options.fail_on));
  // Interrupted without an open relay found: not a clean bill of health (shell's 128+n).
  if (interrupted_by != 0 && code == kExitClean) code = 128 + interrupted_by;
  if (!spill_error &&
      write_scan_outputs(options, result, run, document_scripts, finished) != kExitClean) {
    code = kExitRuntime;
  }
  if (!options.quiet) {
    print_text_summary(summary_to_stderr ? std::cerr : std::cout, result, finished.digests(),
                       summary_color);
    (summary_to_stderr ? std::cerr : std::cout)
        << "Vantage: " << describe_vantage(options.audit.session.vantage) << "\n";
  }
  if (uv_loop_close(&loop) != 0) log->warn("relayaudit: event loop closed with handles open");
  spdlog::drop("scan");
  return code;
}

}  // namespace relayaudit
