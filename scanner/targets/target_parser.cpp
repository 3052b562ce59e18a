// Target specs from arguments and files: host[:port], IPv4[:port], [IPv6][:port], bare IPv6, CIDR.
#include "targets/target_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "targets/cidr.hpp"
#include "targets/host_syntax.hpp"
#include "targets/ip_address.hpp"
#include "targets/mail_domain_syntax.hpp"

namespace relayaudit {

bool is_localhost_name(std::string_view name) {
  constexpr std::string_view kLocalhost = "localhost";
  return name == kLocalhost || (name.size() > kLocalhost.size() + 1 &&
                                name.substr(name.size() - kLocalhost.size() - 1) == ".localhost");
}

namespace {

using namespace targets_detail;

// What is wrong with a spec, phrased to follow "<origin>: '<spec>': ".
using Problem = std::optional<std::string>;

constexpr auto npos = std::string_view::npos;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

Problem apply_port(Target& target, std::string_view text) {
  auto port = parse_port(text);
  if (auto* problem = std::get_if<std::string>(&port)) return *problem;
  target.port = std::get<std::uint16_t>(port);
  target.port_given = true;
  return std::nullopt;
}

// An IPv6 address or IPv6 network, already without brackets.
Problem parse_ipv6_part(Target& target, std::string_view text) {
  // A zone only means something on the scanning host's own links; refuse it rather than drop it.
  if (const auto percent = text.find('%'); percent != npos) {
    return "IPv6 zone id " + quoted(text.substr(percent)) +
           " is not supported; give the address without it";
  }
  if (const auto slash = text.find('/'); slash != npos) {
    return fill_cidr(target, text.substr(0, slash), text.substr(slash + 1), true);
  }
  const auto address = parse_ipv6(text);
  if (!address) return quoted(text) + " is not a valid IPv6 address";
  target.kind = TargetKind::ipv6;
  target.host = address->text();
  return std::nullopt;
}

// "[v6]", "[v6]:port", "[v6/n]" or "[v6/n]:port".
Problem parse_bracketed(Target& target, std::string_view spec) {
  const auto close = spec.find(']');
  if (close == npos) return std::string("missing ']' after the IPv6 address");
  const auto inside = spec.substr(1, close - 1);
  const auto rest = spec.substr(close + 1);
  if (inside.empty()) return std::string("empty brackets: expected an IPv6 address");
  if (parse_ipv4(inside)) return std::string("brackets are only for IPv6 addresses");
  if (auto problem = parse_ipv6_part(target, inside)) return problem;
  if (rest.empty()) return std::nullopt;
  if (rest.front() != ':') return "unexpected " + quoted(rest) + " after ']' (expected ':port')";
  return apply_port(target, rest.substr(1));
}

// Host name, IPv4 address or IPv4 network, each with an optional ":port".
Problem parse_unbracketed(Target& target, std::string_view spec) {
  std::string_view host = spec;
  if (const auto colon = spec.find(':'); colon != npos) {
    host = spec.substr(0, colon);
    if (host.empty()) return std::string("missing host before ':'");
    if (auto problem = apply_port(target, spec.substr(colon + 1))) return problem;
  }
  if (const auto slash = host.find('/'); slash != npos) {
    return fill_cidr(target, host.substr(0, slash), host.substr(slash + 1), false);
  }
  // "256.1.1.1" or "1.2.3.4.5" was meant as an address; calling it a bad host name would mislead.
  if (looks_numeric_dotted(host)) {
    const auto address = parse_ipv4(host);
    if (!address) return quoted(host) + " is not a valid IPv4 address";
    target.kind = TargetKind::ipv4;
    target.host = address->text();
    return std::nullopt;
  }
  std::string name(host);
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (!name.empty() && name.back() == '.') name.pop_back();  // fully qualified form
  if (auto problem = host_name_problem(name)) return problem;
  // A bare name is a mail domain (its MX set, or its own address when it has none); a port
  // makes it one host. localhost names never go to DNS (RFC 6761 section 6.3).
  target.kind =
      target.port_given || is_localhost_name(name) ? TargetKind::host : TargetKind::mail_domain;
  target.host = std::move(name);
  return std::nullopt;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = text[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != prefix[i]) return false;
  }
  return true;
}

bool strip_scheme(std::string_view& spec, Target& target) {
  if (starts_with_nocase(spec, "smtps://")) {
    spec.remove_prefix(8);
    target.implicit_tls = true;
    target.port = 465;
    return true;
  }
  if (starts_with_nocase(spec, "smtp://")) {
    spec.remove_prefix(7);
    target.port = 25;
    return true;
  }
  return false;
}

}  // namespace

std::variant<Target, TargetError> parse_target(std::string_view spec, std::string_view origin,
                                               std::uint16_t default_port) {
  spec = trim(spec);
  Target target;
  target.spec = std::string(spec);
  target.origin = std::string(origin);
  target.port = default_port;
  // smtps://host[:port] speaks TLS from the first byte, on 465 unless a port is given; either
  // scheme names one host, never a mail domain.
  const bool scheme = strip_scheme(spec, target);

  Problem problem;
  const auto scheme_end = spec.find("://");
  if (!scheme && scheme_end != std::string_view::npos) {
    // "http://mx1/..." is a web address: saying its port is not a number would mislead.
    problem = "a URL with scheme '" + std::string(spec.substr(0, scheme_end)) +
              "': give host:port, an address, a mail domain, or smtp:// or smtps://host[:port]";
  } else if (spec.empty()) {
    problem = "empty target";
  } else if (std::any_of(spec.begin(), spec.end(), is_space)) {
    problem = "contains whitespace (one target per argument or line)";
  } else if (spec.front() == '[') {
    problem = parse_bracketed(target, spec);
  } else if (std::count(spec.begin(), spec.end(), ':') > 1) {
    problem = parse_ipv6_part(target, spec);  // bare IPv6: a port needs the bracket form
  } else {
    problem = parse_unbracketed(target, spec);
  }
  if (!problem && scheme && target.kind == TargetKind::mail_domain) target.kind = TargetKind::host;
  if (!problem && scheme && target.kind == TargetKind::cidr) {
    problem = "a URL names one host, not a network";
  }
  if (problem) {
    return TargetError{std::string(origin) + ": " + quoted(std::string_view(target.spec)) + ": " +
                       *problem};
  }
  return target;
}

namespace {

// A targets-file line: the target, then "mail-domain=D" for a host, address or network target
// whose mail domain DNS cannot name (a gateway is reached by its host name, not by the MX of the
// domains it relays for).
std::variant<Target, TargetError> parse_target_line(std::string_view text,
                                                    const std::string& origin,
                                                    std::uint16_t default_port) {
  constexpr std::string_view kMailDomainKey = "mail-domain=";
  text = trim(text);
  const auto first_end =
      static_cast<std::size_t>(std::find_if(text.begin(), text.end(), is_space) - text.begin());
  auto parsed = parse_target(text.substr(0, first_end), origin, default_port);
  if (std::holds_alternative<TargetError>(parsed)) return parsed;
  Target& target = std::get<Target>(parsed);
  const auto fail = [&](std::string_view attribute, const std::string& problem) {
    return TargetError{origin + ": " + quoted(attribute) + ": " + problem};
  };
  std::string_view rest = trim(text.substr(first_end));
  while (!rest.empty()) {
    const auto end =
        static_cast<std::size_t>(std::find_if(rest.begin(), rest.end(), is_space) - rest.begin());
    const std::string_view attribute = rest.substr(0, end);
    rest = trim(rest.substr(end));
    // "bad host" is two words, not a target and an attribute: say so about the whole line.
    if (attribute.find('=') == std::string_view::npos) {
      return parse_target(text, origin, default_port);
    }
    if (!attribute.starts_with(kMailDomainKey)) {
      return fail(attribute, "unknown attribute after the target (known: mail-domain=DOMAIN)");
    }
    if (target.kind == TargetKind::mail_domain) {
      return fail(attribute,
                  "a mail domain target needs none: DNS names the domain of its MX hosts");
    }
    if (!target.mail_domain.empty()) return fail(attribute, "mail-domain= given twice");
    std::string domain(attribute.substr(kMailDomainKey.size()));
    if (auto problem = mail_domain_problem(domain)) {
      return fail(attribute, domain.empty() ? "empty mail domain" : *problem);
    }
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (domain.ends_with('.')) domain.pop_back();
    target.mail_domain = std::move(domain);
  }
  return parsed;
}

}  // namespace

ParsedTargets parse_target_file(const std::filesystem::path& file, std::uint16_t default_port) {
  ParsedTargets result;
  // "-" is standard input, named so in every error.
  const bool from_stdin = file == "-";
  const std::string name = from_stdin ? "stdin" : file.string();
  const auto cannot_read = [&](int error) {
    result.errors.push_back({name + ": cannot read: " + std::strerror(error)});
  };
  // A directory opens fine as a stream and then reads as empty; say what it is instead.
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) {
    cannot_read(EISDIR);
    return result;
  }
  std::ifstream in(from_stdin ? std::filesystem::path("/dev/stdin") : file, std::ios::binary);
  if (!in) {
    cannot_read(errno);
    return result;
  }
  const auto add_error = [&](TargetError error) {
    if (result.errors.size() < kMaxKeptTargetErrors) {
      result.errors.push_back(std::move(error));
    } else {
      ++result.errors_not_kept;
    }
  };
  const auto parse_line = [&](std::string_view text, std::size_t number) {
    text = text.substr(0, text.find('#'));
    if (trim(text).empty()) return;
    auto parsed = parse_target_line(text, name + ":" + std::to_string(number), default_port);
    if (auto* error = std::get_if<TargetError>(&parsed)) {
      add_error(std::move(*error));
    } else {
      result.targets.push_back(std::move(std::get<Target>(parsed)));
    }
  };
  std::string line;
  std::size_t number = 1;
  std::uintmax_t total = 0;
  std::vector<char> chunk(64 * 1024);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    total += got;
    if (total > kMaxTargetFileBytes) {
      add_error({name + ":" + std::to_string(number) + ": the file is larger than " +
                 std::to_string(kMaxTargetFileBytes / (1024 * 1024)) +
                 " MiB; split it into several -f files"});
      return result;
    }
    for (std::size_t i = 0; i < got; ++i) {
      if (chunk[i] == '\n') {
        parse_line(line, number++);
        line.clear();
      } else if (line.size() == kMaxTargetLineBytes) {
        add_error({name + ":" + std::to_string(number) + ": line longer than " +
                   std::to_string(kMaxTargetLineBytes) + " bytes; is this a targets file?"});
        return result;
      } else {
        line += chunk[i];
      }
    }
  }
  if (!line.empty()) parse_line(line, number);
  if (in.bad()) cannot_read(errno);
  return result;
}

}  // namespace relayaudit
