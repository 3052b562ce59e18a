// Tolerant reads of the results document and the verdict badges, shared by the files that
// render the HTML report (html_report.cpp, html_endpoint.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reports/html_text.hpp"

namespace relayaudit::html {

using nlohmann::json;

// The document may be older, newer or hand-made: a missing or mistyped field is never fatal.
const json& at(const json& object, std::string_view key);
// The array at `key`, or an empty one.
const json& list(const json& object, std::string_view key);
// Scalars as the document wrote them; "" for null, objects and arrays.
std::string scalar(const json& value);
std::string text(const json& object, std::string_view key);
long long number(const json& value);

// What a missing field reads as.
extern const json kAbsent;

inline constexpr const char* kNotRecorded = "<span class=\"absent\">not recorded</span>";

// Escaped text, or "not recorded" when the document had nothing there.
std::string shown(const std::string& value);

// Endpoint verdicts, worst first; the CSS class comes from this table, never from the document.
struct VerdictStyle {
  std::string_view verdict;
  std::string_view label;
  std::string_view css;
  std::string_view color;
};

inline constexpr VerdictStyle kEndpointVerdicts[] = {
    {"open-relay", "open relay", "v-open", "#b91c1c"},
    {"inconclusive", "inconclusive", "v-inconclusive", "#b45309"},
    {"unreachable", "unreachable", "v-unreachable", "#4b5563"},
    {"closed", "closed", "v-closed", "#15803d"},
};

inline constexpr VerdictStyle kTestVerdicts[] = {
    {"fail", "fail", "v-open", ""},
    {"inconclusive", "inconclusive", "v-inconclusive", ""},
    {"info", "info", "v-info", ""},
    {"pass", "pass", "v-closed", ""},
};

// Position of an endpoint verdict, worst first; unknown verdicts sort last.
std::size_t endpoint_rank(const std::string& verdict);

template <std::size_t N>
std::string badge(const VerdictStyle (&styles)[N], const std::string& verdict) {
  for (const auto& style : styles) {
    if (style.verdict == verdict) {
      return "<span class=\"badge " + std::string(style.css) + "\">" + std::string(style.label) +
             "</span>";
    }
  }
  return "<span class=\"badge v-unknown\">" + shown(verdict) + "</span>";
}

}  // namespace relayaudit::html
