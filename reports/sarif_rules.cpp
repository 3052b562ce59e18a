// SARIF rules: what each script, finding and endpoint-level alert means, how to fix it, where
// it is documented.
#include "reports/sarif_rules.hpp"

#include <vector>

#include "relaytests/script_library.hpp"
#include "reports/markdown_text.hpp"
#include "reports/project_links.hpp"
#include "reports/xml_text.hpp"
#include "results/finding_ids.hpp"
#include "results/tls_finding_catalog.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// GitHub code scanning ranks security alerts by this score (>= 9 critical, >= 7 high, ...).
const char* sarif_security_severity(std::string_view severity) {
  if (severity == "critical") return "9.5";
  if (severity == "high") return "8.0";
  if (severity == "medium") return "5.5";
  if (severity == "low") return "3.0";
  return nullptr;
}

// "relay-external-sender" -> "RelayExternalSender": SARIF's rule name is an identifier.
std::string sarif_rule_name(const std::string& id) {
  std::string name;
  bool upper = true;
  for (char c : id) {
    if (c == '-' || c == '_' || c == '.') {
      upper = true;
      continue;
    }
    name += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return name;
}

// One part of a rule's help after its description: a paragraph or a list, under a heading.
struct HelpSection {
  std::string heading;
  std::string paragraph;
  std::vector<std::string> items;
};

// Raw (unescaped) text of a rule's help, rendered once as plain text and once as Markdown.
struct RuleHelp {
  std::string title;
  std::string description;
  std::vector<HelpSection> sections;
  std::string uri;
};

std::string help_text(const RuleHelp& help) {
  std::string out = visible_text(help.description);
  for (const HelpSection& section : help.sections) {
    out += "\n\n" + section.heading + ":";
    if (!section.paragraph.empty()) out += " " + visible_text(section.paragraph);
    for (const auto& item : section.items) out += "\n- " + visible_text(item);
  }
  return out;
}

// Script text may come from a user's file: markdown_plain keeps it text.
std::string help_markdown(const RuleHelp& help) {
  std::string out = markdown_plain(help.description);
  for (const HelpSection& section : help.sections) {
    out += "\n\n**" + section.heading + "**";
    if (!section.paragraph.empty()) out += ": " + markdown_plain(section.paragraph);
    if (!section.items.empty()) out += "\n";
    for (const auto& item : section.items) out += "\n- " + markdown_plain(item);
  }
  return out + "\n\nDocumentation: <" + help.uri + ">";
}

std::vector<std::string> sarif_references(const std::array<std::string_view, 3>& references) {
  std::vector<std::string> out;
  for (std::string_view reference : references) {
    if (!reference.empty()) out.emplace_back(reference);
  }
  return out;
}

// The endpoint-level rules; each result names the scripts or findings it groups.
bool grouping_help(const std::string& id, RuleHelp& help, SarifRuleFacts& facts) {
  const std::string contract = project_page("docs/results-format.md", "the-verdict-contract");
  if (id == kSarifOpenRelayRule) {
    help = {"The SMTP endpoint relays mail for strangers",
            "At least one relay attempt was accepted at RCPT TO with direct evidence: the server "
            "takes mail from an outside sender for an outside recipient, so anyone can send spam "
            "and phishing through it. The alert names every relay attempt it accepted, with the "
            "envelope, the reply and the transcript of each.",
            {{"Fix",
              "Accept RCPT TO only for the domains the server is responsible for, unless the "
              "client authenticated (SMTP AUTH on submission) or comes from a network you "
              "trust; then run the audit again. The rule of each accepted script (relay-*) "
              "lists the settings known to open its hole.",
              {}},
             {"References", "", {"RFC 5321 §3.6.2", "RFC 2505 §2"}}},
            contract};
    facts.severity = "critical";
    facts.kind = "relay";
  } else if (id == kSarifRelayUnprovenRule) {
    help = {"Relay attempts were accepted, but relaying is not proven",
            "The server accepted routed address forms (%, !, source routes) at its own names, and "
            "it takes any local part there: a catch-all may read them as mailbox names, so "
            "without delivery confirmation the endpoint is inconclusive, not an open relay.",
            {{"Fix",
              "Reject recipients that do not exist and address forms with routing syntax; or "
              "check with --confirm-data whether the server would take the message.",
              {}}},
            contract};
    facts.severity = "medium";
    facts.kind = "relay";
  } else if (id == kSarifTlsRule) {
    help = {"The endpoint's TLS has findings",
            "Facts of the endpoint's TLS (certificates, STARTTLS, protocol versions) that let "
            "mail travel in plaintext or make verifying senders refuse to deliver. They never "
            "change a relay verdict. The alert lists every finding of the endpoint; its level is "
            "the worst of them.",
            {{"Findings", "", {}}},
            project_page("docs/results-format.md", "tls-findings")};
    for (const TlsFindingInfo& tls : kTlsFindings) {
      help.sections[0].items.push_back(std::string(tls.id) + " (" + std::string(tls.severity) +
                                       "): " + std::string(tls.title) + ". " +
                                       std::string(tls.fix));
    }
    facts.severity = "medium";
    facts.kind = "tls";
    facts.tags = json::array({"tls"});
  } else if (id == kSarifProbeRule) {
    help = {"What the probes found",
            "Informational probes (an unknown local recipient, an unroutable address literal) "
            "that the server accepted: no relay, but a sign it does not verify recipients at "
            "RCPT TO and may send backscatter.",
            {{"Fix", "Verify recipients at RCPT TO (Postfix: reject_unverified_recipient).", {}}},
            project_page("relaytests/README.md", "the-core-set-the-control-and-the-probes-core")};
    facts.severity = "info";
    facts.kind = "probe";
  } else {
    return false;
  }
  return true;
}

// A rule that is no script: the backup-MX consistency check, or one TLS finding id.
bool finding_help(const std::string& id, RuleHelp& help, SarifRuleFacts& facts) {
  if (id == kFindingMxRefusesDomain) {
    help = {"An MX of the domain refuses the domain's own mail",
            "A gateway listed as an MX of a scanned mail domain refused postmaster@ that domain "
            "with a 5xx at RCPT TO. Whenever a more preferred MX is down, the domain's mail "
            "reaches this one and bounces or waits in queues.",
            {{"Fix",
              "list the domain as a relay (backup) domain on this MX (Postfix: relay_domains "
              "and a relay_recipient_maps entry; Exim: the relay_to_domains list), or remove the "
              "MX record.",
              {}},
             {"References", "", {"RFC 5321 §5.1", "RFC 5321 §4.5.1"}}},
            project_page("docs/results-format.md", "domain")};
    return true;
  }
  const TlsFindingInfo* tls = tls_finding_info(id);
  if (tls == nullptr) return false;
  help = {
      std::string(tls->title),
      std::string(tls->description),
      {{"Fix", std::string(tls->fix), {}}, {"References", "", sarif_references(tls->references)}},
      project_page("docs/results-format.md", "tls-findings")};
  if (facts.severity.empty()) facts.severity = std::string(tls->severity);
  facts.kind = "tls";
  facts.tags = json::array({"tls"});
  return true;
}

RuleHelp script_help(const std::string& id, SarifRuleFacts& facts) {
  const RelayScript* builtin = find_builtin_script(id);
  if (builtin == nullptr) {
    const std::string title = facts.title.empty() ? id : facts.title;
    return {title, title, {}, script_page(facts.source)};
  }
  if (facts.title.empty()) facts.title = builtin->title;
  if (facts.severity.empty()) facts.severity = builtin->severity;
  if (facts.kind.empty()) facts.kind = std::string(to_string(builtin->kind));
  if (facts.tags.empty()) facts.tags = builtin->tags;
  RuleHelp help{facts.title, builtin->description, {}, script_page(builtin->source)};
  help.sections.push_back({"What acceptance reveals", builtin->catches, {}});
  if (!builtin->opened_by.empty()) {
    help.sections.push_back({"Settings known to open this hole", "", builtin->opened_by});
  }
  if (!builtin->references.empty()) {
    help.sections.push_back({"References", "", builtin->references});
  }
  return help;
}

}  // namespace

std::string sarif_level(std::string_view severity) {
  if (severity == "critical" || severity == "high") return "error";
  if (severity == "medium") return "warning";
  if (severity == "low" || severity == "info") return "note";
  return "warning";
}

std::map<std::string, SarifRuleFacts> collect_sarif_rules(const json& results,
                                                          const EndpointSource& endpoints) {
  std::map<std::string, SarifRuleFacts> rules;
  for (const char* id :
       {kSarifOpenRelayRule, kSarifRelayUnprovenRule, kSarifTlsRule, kSarifProbeRule}) {
    rules[id];
  }
  for (const auto& [id, script] : results.at("scripts").items()) {
    SarifRuleFacts& facts = rules[id];
    facts.title = script.value("title", std::string());
    facts.severity = script.value("severity", std::string());
    facts.kind = script.value("kind", std::string());
    facts.source = script.value("source", std::string());
    facts.tags = script.value("tags", json::array());
  }
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    endpoints.visit(i, [&rules](const json& endpoint) {
      // A test of a script the document does not describe still needs its rule.
      for (const auto& test : endpoint.at("tests")) rules[test.at("id").get<std::string>()];
      if (!endpoint.contains("findings")) return;
      for (const auto& finding : endpoint["findings"]) {
        SarifRuleFacts& facts = rules[finding.at("id").get<std::string>()];
        if (facts.severity.empty()) facts.severity = finding.at("severity").get<std::string>();
      }
    });
  }
  return rules;
}

json make_sarif_rule(const std::string& id, SarifRuleFacts facts) {
  RuleHelp help;
  if (!grouping_help(id, help, facts) && !finding_help(id, help, facts)) {
    help = script_help(id, facts);
  }
  json tags = json::array({"security", "smtp"});
  if (facts.kind == "relay") tags.push_back("open-relay");
  for (const auto& tag : facts.tags) tags.push_back(visible_text_of(tag));
  const std::string title = visible_text(help.title);
  json rule = {
      {"id", visible_text(id)},
      {"name", sarif_rule_name(visible_text(id))},
      {"shortDescription", {{"text", title}}},
      {"fullDescription", {{"text", visible_text(help.description)}}},
      {"help", {{"text", help_text(help)}, {"markdown", help_markdown(help)}}},
      {"helpUri", help.uri},
      {"defaultConfiguration", {{"level", sarif_level(facts.severity)}}},
      {"properties",
       {{"tags", tags},
        {"kind", visible_text(facts.kind)},
        {"severity", visible_text(facts.severity)},
        {"precision", "high"}}},
  };
  if (const char* score = sarif_security_severity(facts.severity)) {
    rule["properties"]["security-severity"] = score;
  }
  return rule;
}

}  // namespace relayaudit
