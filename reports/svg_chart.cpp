// A horizontal bar chart as an inline <svg> element.
#include "reports/svg_chart.hpp"

#include <algorithm>

#include "reports/html_text.hpp"

namespace relayaudit {
namespace {

constexpr int kLabelWidth = 150;
constexpr int kBarArea = 300;
constexpr int kCountWidth = 70;
constexpr int kRowHeight = 30;
constexpr int kBarHeight = 20;
constexpr int kTop = 6;

}  // namespace

std::string svg_bar_chart(const std::vector<ChartBar>& bars, std::string_view title) {
  long long largest = 0;
  for (const auto& bar : bars) largest = std::max(largest, bar.count);
  const int width = kLabelWidth + kBarArea + kCountWidth;
  const int height = kTop * 2 + kRowHeight * static_cast<int>(bars.size());
  const std::string size = std::to_string(width) + " " + std::to_string(height);

  std::string svg = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" ";
  svg += "viewBox=\"0 0 " + size + "\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" aria-labelledby=\"chart-title\">";
  svg += "<title id=\"chart-title\">" + escape_html(title) + "</title>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const ChartBar& bar = bars[i];
    const int y = kTop + kRowHeight * static_cast<int>(i);
    const int text_y = y + kBarHeight / 2 + 5;
    // A non-zero count always gets a visible sliver, however small next to the largest.
    int length = largest == 0 ? 0 : static_cast<int>(bar.count * kBarArea / largest);
    if (bar.count > 0) length = std::max(length, 3);
    svg += "<text x=\"" + std::to_string(kLabelWidth - 8) + "\" y=\"" + std::to_string(text_y) +
           "\" text-anchor=\"end\">" + escape_html(bar.label) + "</text>";
    svg += "<rect x=\"" + std::to_string(kLabelWidth) + "\" y=\"" + std::to_string(y) +
           "\" width=\"" + std::to_string(kBarArea) + "\" height=\"" + std::to_string(kBarHeight) +
           "\" fill=\"#f1f5f9\" stroke=\"#cbd5e1\"/>";
    if (length > 0) {
      svg += "<rect x=\"" + std::to_string(kLabelWidth) + "\" y=\"" + std::to_string(y) +
             "\" width=\"" + std::to_string(length) + "\" height=\"" + std::to_string(kBarHeight) +
             "\" fill=\"" + escape_html(bar.color) + "\"/>";
    }
    svg += "<text x=\"" + std::to_string(kLabelWidth + kBarArea + 8) + "\" y=\"" +
           std::to_string(text_y) + "\" font-weight=\"bold\">" + std::to_string(bar.count) +
           "</text>";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace relayaudit
