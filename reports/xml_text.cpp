// Visible, XML-legal server text and the phrases every CI report writer shares.
#include "reports/xml_text.hpp"

#include "reports/document_view.hpp"
#include "reports/received_text.hpp"
#include "reports/safe_text.hpp"
#include "reports/utf8_sequence.hpp"

namespace relayaudit {
namespace {

// Not an XML 1.0 Char (https://www.w3.org/TR/xml/#charsets), or acts on the display.
bool needs_escape(char32_t cp, bool keep_line_feeds) {
  if (cp == '\n') return !keep_line_feeds;
  return cp == 0xfffe || cp == 0xffff || acts_on_terminal(cp);
}

std::string string_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return "";
  return found->get<std::string>();
}

}  // namespace

std::string visible_text(std::string_view text, bool keep_line_feeds) {
  return visible_bytes(received_bytes(text), keep_line_feeds);
}

std::string visible_bytes(std::string_view bytes, bool keep_line_feeds) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t at = 0;
  while (at < bytes.size()) {
    const Utf8Sequence character = decode_utf8(bytes, at);
    const std::size_t length = character.length == 0 ? 1 : character.length;
    const std::string_view sequence = bytes.substr(at, length);
    if (character.length == 0 || needs_escape(character.code_point, keep_line_feeds)) {
      for (char byte : sequence) append_hex_escape(out, static_cast<unsigned char>(byte));
    } else if (sequence == "\\") {
      out += "\\\\";  // so "\x" on display always starts an escape this report made
    } else {
      out += sequence;
    }
    at += length;
  }
  return out;
}

std::string visible_text_of(const nlohmann::json& value) {
  return value.is_string() ? visible_text(value.get<std::string>()) : "";
}

std::string reply_summary(const nlohmann::json& reply) {
  if (!reply.is_object()) return "no reply";
  const auto& lines = reply.at("lines");
  if (lines.empty()) return std::to_string(reply.at("code").get<int>());
  std::string text = visible_text(lines.at(0).get<std::string>());
  if (lines.size() > 1) text += " (+" + std::to_string(lines.size() - 1) + " lines)";
  return text;
}

std::string reply_lines(const nlohmann::json& reply) {
  if (!reply.is_object()) return "";
  std::string text;
  for (const auto& line : reply.at("lines")) {
    if (!text.empty()) text += '\n';
    text += visible_text(line.get<std::string>());
  }
  if (text.empty()) text = std::to_string(reply.at("code").get<int>());
  return text;
}

std::string decisive_command(const nlohmann::json& test) {
  const auto& rcpt_to = test.at("rcpt_to");
  const std::string stage = string_field(test, "stage");
  if (stage == "connect" || stage == "banner" || stage == "ehlo" || stage == "helo") return "";
  if (stage == "mail" || rcpt_to.empty()) {
    return "MAIL FROM:<" + visible_text(string_field(test, "mail_from")) + ">";
  }
  return "RCPT TO:<" + visible_text(rcpt_to.back().get<std::string>()) + ">";
}

std::string envelope_sent(const nlohmann::json& test) {
  std::string text = "MAIL FROM:<" + visible_text(string_field(test, "mail_from")) + ">";
  for (const auto& recipient : test.at("rcpt_to")) {
    text += " RCPT TO:<" + visible_text(recipient.get<std::string>()) + ">";
  }
  return text;
}

std::string transcript_text(const std::vector<const nlohmann::json*>& lines) {
  std::string text;
  for (const nlohmann::json* line : lines) {
    if (!text.empty()) text += '\n';
    text += visible_text(line_direction(*line)) + ": " + visible_bytes(received_line(*line));
  }
  return text;
}

std::string endpoint_label(const nlohmann::json& endpoint) {
  std::string label = visible_text(endpoint.at("endpoint").get<std::string>());
  const auto& host = endpoint.at("host_name");
  if (host.is_string() && !host.get<std::string>().empty()) {
    label += " (" + visible_text(host.get<std::string>()) + ")";
  }
  return label;
}

int verdict_rank(std::string_view verdict) {
  if (verdict == "open-relay") return 0;
  if (verdict == "inconclusive") return 1;
  if (verdict == "unreachable") return 2;
  if (verdict == "closed") return 3;
  return 4;
}

}  // namespace relayaudit
