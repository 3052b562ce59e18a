// Inline SVG charts for the HTML report: drawn as markup, so the file needs no script or image.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace relayaudit {

struct ChartBar {
  std::string label;
  long long count = 0;
  std::string color;  // a CSS color, e.g. "#b91c1c"
};

// A horizontal bar chart, one labelled bar per entry with its count written beside it, so it
// reads the same in grey print. Scaled to the largest count; accessible through <title>.
std::string svg_bar_chart(const std::vector<ChartBar>& bars, std::string_view title);

}  // namespace relayaudit
